//! A frequently asked question on a role page.

use sea_orm::entity::prelude::*;

/// An FAQ row, ordered by `position` within its role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_faqs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub position: i32,
    pub question: String,
    pub answer: String,
}

/// Relations of an FAQ.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
