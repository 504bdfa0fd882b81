//! The audit log: who changed what and when, kept after the thing itself is gone.

use sea_orm::entity::prelude::*;

/// One recorded write.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub occurred_at: DateTimeUtc,
    /// The `sub` of whoever made the write.
    pub actor: String,
    /// What happened, such as `role.deleted` or `tool.updated`.
    pub action: String,
    /// The slug of the thing written, as it was at the time.
    pub subject: String,
    /// Its version after the write (before it, for deletions).
    pub version: i32,
}

/// Relations of an audit event: none, so it outlives what it describes.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
