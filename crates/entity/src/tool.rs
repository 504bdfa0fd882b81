//! An AI tool, shared by the roles it affects.

use sea_orm::entity::prelude::*;

/// A tool row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "tools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub url: String,
    pub description: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Raised by every write; editors send it back as `expectedVersion`.
    pub version: i32,
    /// Who made the last write (a token's `sub`); null for rows written before it was recorded.
    pub updated_by: Option<String>,
}

/// Relations of a tool.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
