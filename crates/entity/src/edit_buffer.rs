//! A user's unsaved studio form for one role: kept every few seconds, never a revision.

use sea_orm::entity::prelude::*;

/// The latest unsaved form of one user for one role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "edit_buffers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    /// The role version the form was opened at.
    pub base_version: i32,
    /// The form's fields, URL-encoded as the browser sent them.
    pub form: String,
    pub saved_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
