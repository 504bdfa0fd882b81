//! A link from a role to a tool: what the tool does to the role, or why to learn it.

use sea_orm::entity::prelude::*;

use crate::enums::ToolLinkKind;

/// A role-tool link, ordered by `position` within its role and kind.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_tools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub kind: ToolLinkKind,
    pub position: i32,
    pub tool_id: i32,
    /// Impact text (AFFECTING) or learning note (TO_MASTER).
    pub note: String,
}

/// Relations of a role-tool link.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The linked tool.
    #[sea_orm(
        belongs_to = "super::tool::Entity",
        from = "Column::ToolId",
        to = "super::tool::Column::Id"
    )]
    Tool,
}

impl Related<super::tool::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tool.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
