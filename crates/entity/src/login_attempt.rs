//! A failed sign-in, counted by the login throttle.

use sea_orm::entity::prelude::*;

/// One failed attempt.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The login as typed (lower-cased), whether or not such a user exists.
    pub login: String,
    pub ip: String,
    pub attempted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
