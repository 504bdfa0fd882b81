//! A skill that protects people in a role.

use sea_orm::entity::prelude::*;

/// A skill row, ordered by `position` within its role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_skills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub position: i32,
    pub text: String,
}

/// Relations of a skill.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
