//! Registering webhook endpoints and resending deliveries. Needs `content:delete` (admins).

use async_graphql::{Context, ID, Object};

use crate::auth::permit::Delete;
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::{permit, writer};
use crate::graphql::query::webhooks::parse_webhook_id;
use crate::graphql::types::webhook::{CreatedWebhook, Webhook, WebhookDelivery};
use crate::service::webhooks::WebhookPatch;

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint for some events; the answer holds its signing secret, shown only
    /// this once. The URL must be http(s) and, unless `JOBRISK_WEBHOOK_ALLOW_PRIVATE=true`,
    /// not a loopback, link-local or private address. Needs `content:delete`.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where to POST events.")] url: String,
        #[graphql(
            desc = "Events to send: role.published, role.unpublished, role.archived, \
                          role.deleted, role.updated, catalog.changed."
        )]
        events: Vec<String>,
        #[graphql(desc = "What it is for (at most 500 characters).")] description: Option<String>,
    ) -> GqlResult<CreatedWebhook> {
        let permit = permit::<Delete>(ctx).gql()?;
        let created = writer(ctx)
            .gql()?
            .create_webhook(&permit, url, events, description.unwrap_or_default())
            .await
            .gql()?;
        Ok(CreatedWebhook {
            webhook: created.webhook.into(),
            secret: created.secret,
        })
    }

    /// Changes an endpoint; omitted arguments stay, and so does its secret. Needs
    /// `content:delete`.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: ID,
        #[graphql(desc = "New URL.")] url: Option<String>,
        #[graphql(desc = "New events.")] events: Option<Vec<String>>,
        #[graphql(desc = "New description.")] description: Option<String>,
    ) -> GqlResult<Webhook> {
        let permit = permit::<Delete>(ctx).gql()?;
        let id = parse_webhook_id("id", &id).gql()?;
        let row = writer(ctx)
            .gql()?
            .update_webhook(
                &permit,
                id,
                WebhookPatch {
                    url,
                    events,
                    description,
                },
            )
            .await;
        row.map(Webhook::from).gql()
    }

    /// Deletes an endpoint and its deliveries. Needs `content:delete`.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: ID,
    ) -> GqlResult<Webhook> {
        let permit = permit::<Delete>(ctx).gql()?;
        let id = parse_webhook_id("id", &id).gql()?;
        let row = writer(ctx).gql()?.delete_webhook(&permit, id).await;
        row.map(Webhook::from).gql()
    }

    /// Sends a delivery's event to its endpoint again, as a new delivery with the same
    /// `webhook-id`. Needs `content:delete`.
    async fn redeliver_webhook_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery (from `webhookDeliveries`).")] delivery_id: ID,
    ) -> GqlResult<WebhookDelivery> {
        let permit = permit::<Delete>(ctx).gql()?;
        let id = parse_webhook_id("deliveryId", &delivery_id).gql()?;
        let row = writer(ctx)
            .gql()?
            .redeliver_webhook_event(&permit, id)
            .await;
        row.map(WebhookDelivery::from).gql()
    }
}
