//! An endpoint that receives publishing events.

use sea_orm::entity::prelude::*;

/// A registered webhook endpoint.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub url: String,
    pub description: String,
    /// Event types, space-separated (`role.published role.deleted`).
    pub events: String,
    /// `whsec_` and the base64 of the signing key (Standard Webhooks).
    #[serde(skip_serializing)]
    pub secret: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
