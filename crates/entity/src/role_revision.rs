//! A stored revision of a role page.

use sea_orm::entity::prelude::*;

use crate::content::RoleContent;

/// One revision: the full content after a successful write, who made it and when.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    /// The role's version after the write.
    pub version: i32,
    /// The role's whole content (the editing input format) and status after the write.
    #[sea_orm(column_type = "JsonBinary")]
    pub snapshot: RoleContent,
    /// The editor's `sub` claim.
    pub editor: String,
    /// Short description of the change.
    pub summary: String,
    pub created_at: DateTimeUtc,
    /// Whether this version was published (rendered into the live snapshot).
    pub published: bool,
}

/// Relations of a revision.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
