//! The outbox: one event for one endpoint, and how its delivery went.

use sea_orm::entity::prelude::*;

/// A delivery of one event to one webhook.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub webhook_id: i32,
    /// `msg_...`: the `webhook-id` header, the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    /// What the event is about (a role's slug, or `catalog`): deliveries of one subject go out
    /// in order.
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A worker holds the delivery until then.
    pub locked_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
