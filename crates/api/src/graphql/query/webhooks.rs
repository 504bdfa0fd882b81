//! Webhook endpoints and their deliveries, for admins (`content:delete`).

use async_graphql::{Context, ID, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::auth::permit::Delete;
use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::context::{permit, store};
use crate::graphql::types::connection::PageInfo;
use crate::graphql::types::webhook::{
    Webhook, WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryEdge,
};

/// Default page of deliveries.
pub const DELIVERIES_DEFAULT: u64 = 20;
/// Largest page of deliveries.
pub const DELIVERIES_MAX: u64 = 100;

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

fn cursor(id: i32) -> String {
    URL_SAFE_NO_PAD.encode(format!("delivery:{id}"))
}

fn after_id(cursor: &str) -> Result<i32, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("delivery:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_input("after", "is not a cursor of webhookDeliveries"))
}

/// A webhook id argument as a number.
pub fn parse_webhook_id(field: &str, id: &ID) -> Result<i32, ApiError> {
    id.parse::<i32>()
        .map_err(|_| ApiError::bad_input(field, format!("{:?} is not a webhook id", id.as_str())))
}

#[Object]
impl WebhookQuery {
    /// Every registered webhook. Needs `content:delete`.
    async fn webhooks(&self, ctx: &Context<'_>) -> GqlResult<Vec<Webhook>> {
        let permit = permit::<Delete>(ctx).gql()?;
        let rows = store(ctx).gql()?.webhooks(&permit).await.gql()?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    /// What was sent to a webhook, newest first: attempts, status codes and errors. Needs
    /// `content:delete`.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] webhook_id: ID,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last delivery already seen (an `endCursor`).")]
        after: Option<String>,
    ) -> GqlResult<WebhookDeliveryConnection> {
        let permit = permit::<Delete>(ctx).gql()?;
        let id = parse_webhook_id("webhookId", &webhook_id).gql()?;
        let first = match first {
            None => DELIVERIES_DEFAULT,
            Some(n) if (0..=DELIVERIES_MAX as i32).contains(&n) => n as u64,
            Some(n) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("must be from 0 to {DELIVERIES_MAX}, got {n}"),
                ))
                .gql();
            }
        };
        let after = after.as_deref().map(after_id).transpose().gql()?;
        let mut rows = store(ctx)
            .gql()?
            .webhook_deliveries(&permit, id, first + 1, after)
            .await
            .gql()?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let edges: Vec<WebhookDeliveryEdge> = rows
            .into_iter()
            .map(|row| WebhookDeliveryEdge {
                cursor: cursor(row.id),
                node: WebhookDelivery::from(row),
            })
            .collect();
        let nodes: Vec<WebhookDelivery> = edges.iter().map(|e| e.node.clone()).collect();
        Ok(WebhookDeliveryConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: after.is_some(),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            nodes,
        })
    }
}
