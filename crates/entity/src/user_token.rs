//! A one-time link: the first admin's setup link or a password reset link.

use sea_orm::entity::prelude::*;

/// One unused link; it is deleted when used.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "user_tokens")]
pub struct Model {
    /// Hex SHA-256 of the link's token.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// `setup` or `reset`.
    pub purpose: String,
    /// The account a reset link is for; none for the setup link.
    pub user_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
