//! Webhook endpoints and their deliveries, for admins.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery};

use super::connection::PageInfo;

/// An endpoint that receives signed publishing events (Standard Webhooks).
#[derive(SimpleObject, Clone, Debug)]
pub struct Webhook {
    /// Its id.
    pub id: ID,
    /// Where events are POSTed.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The events it receives: role.published, role.unpublished, role.archived, role.deleted,
    /// role.updated, catalog.changed.
    pub events: Vec<String>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Who registered it.
    pub created_by: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for Webhook {
    fn from(m: webhook::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            url: m.url,
            description: m.description,
            events: m.events.split_whitespace().map(str::to_owned).collect(),
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
        }
    }
}

/// A new endpoint and its secret.
#[derive(SimpleObject, Clone, Debug)]
pub struct CreatedWebhook {
    /// The endpoint.
    pub webhook: Webhook,
    /// The signing secret (`whsec_...`), shown only here: verify each request's
    /// `webhook-signature` with it (HMAC-SHA256 of `webhook-id.webhook-timestamp.body`).
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after `JOBRISK_WEBHOOK_RETRY_SECS` of failed attempts.
    Failed,
}

/// One event sent (or being sent) to one endpoint.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDelivery {
    /// Its id (pass it to `redeliverWebhookEvent`).
    pub id: ID,
    /// The endpoint.
    pub webhook_id: ID,
    /// `webhook-id` of the requests: the same on every attempt.
    pub event_id: String,
    /// The event, e.g. `role.published`.
    pub event_type: String,
    /// What it is about: a role's slug, or `tool:slug` and the like.
    pub subject: String,
    /// The JSON body sent.
    pub payload: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// HTTP status of the last answer, if any.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    /// When the endpoint took it.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(m: webhook_delivery::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            webhook_id: ID(m.webhook_id.to_string()),
            event_id: m.event_id,
            event_type: m.event_type,
            subject: m.subject,
            payload: m.payload,
            status: match m.status.as_str() {
                "DELIVERED" => DeliveryStatus::Delivered,
                "FAILED" => DeliveryStatus::Failed,
                _ => DeliveryStatus::Pending,
            },
            attempts: m.attempts,
            last_status_code: m.last_status,
            last_error: m.last_error,
            created_at: m.created_at,
            next_attempt_at: m.next_attempt_at,
            delivered_at: m.delivered_at,
        }
    }
}

/// A page of deliveries, newest first.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDeliveryConnection {
    /// The deliveries with their cursors.
    pub edges: Vec<WebhookDeliveryEdge>,
    /// The deliveries alone.
    pub nodes: Vec<WebhookDelivery>,
    /// Where this page sits.
    pub page_info: PageInfo,
}

/// A delivery and the cursor to continue after it.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDeliveryEdge {
    /// Opaque cursor; pass it as `after` for older deliveries.
    pub cursor: String,
    /// The delivery.
    pub node: WebhookDelivery,
}
