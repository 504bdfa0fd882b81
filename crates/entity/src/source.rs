//! A research source, cited by roles.

use sea_orm::entity::prelude::*;

/// A source row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub publisher: String,
    pub url: String,
    pub published_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Raised by every write; editors send it back as `expectedVersion`.
    pub version: i32,
    /// Who made the last write (a token's `sub`); null for rows written before it was recorded.
    pub updated_by: Option<String>,
}

/// Relations of a source.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
