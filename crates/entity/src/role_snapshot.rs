//! A published snapshot: the live page of a published role, rendered when it was published.

use sea_orm::entity::prelude::*;

use crate::enums::Level;

/// A snapshot row: the columns lists filter and sort on, and the page as JSON (`card`: the role
/// and its category; `body`: every section), which anonymous reads serve as they are.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub category_id: i32,
    pub title: String,
    pub score: i32,
    pub level: Level,
    /// The role version this snapshot is.
    pub version: i32,
    pub updated_at: DateTimeUtc,
    pub published_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub card: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
