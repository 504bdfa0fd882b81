//! A role's evidence review: when it was last reviewed, by whom, and when it is due again.

use sea_orm::entity::prelude::*;

/// One row per role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "role_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<String>,
    pub interval_days: i32,
    /// `reviewed_at` (or the role's creation) plus `interval_days`.
    pub due_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
