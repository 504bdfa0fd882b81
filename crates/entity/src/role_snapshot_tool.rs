//! A tool a published snapshot shows (for `tool.roles`, and so a shown tool cannot be deleted).

use sea_orm::entity::prelude::*;

use crate::enums::ToolLinkKind;

/// A snapshot's link to a tool.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_snapshot_tools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub tool_id: i32,
    pub kind: ToolLinkKind,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
