//! A signed-in studio session; only the SHA-256 of its token is stored.

use sea_orm::entity::prelude::*;

/// One session of one user.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "studio_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Hex SHA-256 of the cookie's token.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    /// Touched at most once a minute; the session ends after 12 idle hours.
    pub last_seen_at: DateTimeUtc,
    /// The session ends here whatever its use (7 days after sign-in).
    pub expires_at: DateTimeUtc,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
