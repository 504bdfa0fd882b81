//! A studio user: a login, a display name, a role and an Argon2id password hash.

use sea_orm::entity::prelude::*;

/// One account of the editor studio.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-case, unique; recorded on revisions as `studio:LOGIN`.
    #[sea_orm(unique)]
    pub login: String,
    pub name: String,
    /// viewer, editor, publisher or admin.
    pub role: String,
    /// An Argon2id PHC string; `None` for accounts that sign in through OIDC only, or whose
    /// password was reset and not yet chosen.
    pub password_hash: Option<String>,
    /// `issuer sub` of the OIDC account that signs in as this user, if any.
    #[sea_orm(unique)]
    pub oidc_subject: Option<String>,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
