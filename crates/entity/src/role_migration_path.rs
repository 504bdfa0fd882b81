//! A migration path from a role to another role.

use sea_orm::entity::prelude::*;

/// A migration path row; the target is a role id, so the link survives renames.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_migration_paths")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub position: i32,
    pub target_role_id: i32,
    pub rationale: String,
}

/// Relations of a migration path.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
