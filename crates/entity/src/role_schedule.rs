//! A publish or unpublish of a role planned for a later time.

use sea_orm::entity::prelude::*;

/// At most one pending action per role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "role_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    /// PUBLISH or UNPUBLISH.
    pub action: String,
    pub due_at: DateTimeUtc,
    /// The editor who scheduled it: the revision names them.
    pub scheduled_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
