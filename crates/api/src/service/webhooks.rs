//! Webhook endpoints, which admins register (`content:delete`), and the deliveries they were
//! sent. Writes to endpoints are audited; the secret is shown once, at creation.

use chrono::Utc;
use entity::{webhook, webhook_delivery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::outbox::PENDING;
use super::{Store, audit};
use crate::auth::Permit;
use crate::auth::permit::Delete;
use crate::error::{ApiError, ApiResult};
use crate::events::{EventType, signing, ssrf};

/// Longest description.
const MAX_DESCRIPTION: usize = 500;

/// Longest URL.
const MAX_URL: usize = 2000;

/// Endpoints one database holds at most: each write fans out to every one of them.
const MAX_WEBHOOKS: u64 = 50;

/// A new endpoint and its signing secret, shown this once.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    /// The endpoint.
    pub webhook: webhook::Model,
    /// `whsec_...`: verify `webhook-signature` with it.
    pub secret: String,
}

/// What an update changes; `None` keeps.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    /// New URL.
    pub url: Option<String>,
    /// New event types.
    pub events: Option<Vec<String>>,
    /// New description.
    pub description: Option<String>,
}

impl Store {
    fn check_url(&self, url: &str) -> ApiResult<()> {
        if url.len() > MAX_URL {
            return Err(ApiError::bad_input(
                "url",
                format!("must be at most {MAX_URL} characters"),
            ));
        }
        match ssrf::refusal(url, self.webhooks_allow_private()) {
            Some(why) => Err(ApiError::bad_input("url", why)),
            None => Ok(()),
        }
    }

    /// Registers an endpoint for `events` (names such as `role.published`).
    pub async fn create_webhook(
        &self,
        permit: &Permit<Delete>,
        url: String,
        events: Vec<String>,
        description: String,
    ) -> ApiResult<CreatedWebhook> {
        self.check_url(&url)?;
        let events = event_list(&events)?;
        check_description(&description)?;
        let txn = self.begin().await?;
        let count = webhook::Entity::find().count(&*txn).await?;
        if count >= MAX_WEBHOOKS {
            return Err(ApiError::bad_input(
                "url",
                format!("a database holds at most {MAX_WEBHOOKS} webhooks; delete one first"),
            ));
        }
        let secret = signing::new_secret();
        let now = Utc::now();
        let row = webhook::ActiveModel {
            url: Set(url),
            description: Set(description),
            events: Set(events),
            secret: Set(secret.clone()),
            created_at: Set(now),
            created_by: Set(permit.actor().chars().take(200).collect()),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        audit::record(
            &*txn,
            permit.actor(),
            "webhook.created",
            &row.id.to_string(),
            1,
        )
        .await?;
        txn.commit().await?;
        Ok(CreatedWebhook {
            webhook: row,
            secret,
        })
    }

    /// Changes an endpoint; the secret stays.
    pub async fn update_webhook(
        &self,
        permit: &Permit<Delete>,
        id: i32,
        patch: WebhookPatch,
    ) -> ApiResult<webhook::Model> {
        if let Some(url) = &patch.url {
            self.check_url(url)?;
        }
        let events = patch.events.as_deref().map(event_list).transpose()?;
        if let Some(description) = &patch.description {
            check_description(description)?;
        }
        let txn = self.begin().await?;
        let current = find(&*txn, id).await?;
        let mut row: webhook::ActiveModel = current.into();
        if let Some(url) = patch.url {
            row.url = Set(url);
        }
        if let Some(events) = events {
            row.events = Set(events);
        }
        if let Some(description) = patch.description {
            row.description = Set(description);
        }
        row.updated_at = Set(Utc::now());
        let row = row.update(&*txn).await?;
        audit::record(&*txn, permit.actor(), "webhook.updated", &id.to_string(), 1).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes an endpoint and its deliveries.
    pub async fn delete_webhook(
        &self,
        permit: &Permit<Delete>,
        id: i32,
    ) -> ApiResult<webhook::Model> {
        let txn = self.begin().await?;
        let current = find(&*txn, id).await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::WebhookId.eq(id))
            .exec(&*txn)
            .await?;
        webhook::Entity::delete_many()
            .filter(webhook::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        audit::record(&*txn, permit.actor(), "webhook.deleted", &id.to_string(), 1).await?;
        txn.commit().await?;
        Ok(current)
    }

    /// Every endpoint, oldest first.
    pub async fn webhooks(&self, _permit: &Permit<Delete>) -> ApiResult<Vec<webhook::Model>> {
        Ok(webhook::Entity::find()
            .order_by_asc(webhook::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Deliveries to endpoint `id`, newest first, `first` of them after the delivery id
    /// `after` (`None`: from the newest).
    pub async fn webhook_deliveries(
        &self,
        _permit: &Permit<Delete>,
        id: i32,
        first: u64,
        after: Option<i32>,
    ) -> ApiResult<Vec<webhook_delivery::Model>> {
        find(self.db(), id).await?;
        let mut query = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::WebhookId.eq(id))
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(first);
        if let Some(after) = after {
            query = query.filter(webhook_delivery::Column::Id.lt(after));
        }
        Ok(query.all(self.db()).await?)
    }

    /// Sends delivery `id`'s event to its endpoint again, as a new delivery with the same
    /// `webhook-id` (receivers deduplicate on it).
    pub async fn redeliver_webhook_event(
        &self,
        permit: &Permit<Delete>,
        id: i32,
    ) -> ApiResult<webhook_delivery::Model> {
        let txn = self.begin().await?;
        let Some(old) = webhook_delivery::Entity::find_by_id(id).one(&*txn).await? else {
            return Err(ApiError::NotFound(format!("no webhook delivery {id}")));
        };
        let now = Utc::now();
        let row = webhook_delivery::ActiveModel {
            webhook_id: Set(old.webhook_id),
            event_id: Set(old.event_id.clone()),
            event_type: Set(old.event_type.clone()),
            subject: Set(old.subject.clone()),
            payload: Set(old.payload.clone()),
            status: Set(PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        audit::record(
            &*txn,
            permit.actor(),
            "webhook.redelivered",
            &old.event_id,
            1,
        )
        .await?;
        txn.wake_webhooks();
        txn.commit().await?;
        Ok(row)
    }
}

async fn find(db: &impl sea_orm::ConnectionTrait, id: i32) -> ApiResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no webhook {id}")))
}

/// The event names, checked and space-separated.
fn event_list(events: &[String]) -> ApiResult<String> {
    if events.is_empty() {
        return Err(ApiError::bad_input(
            "events",
            format!(
                "name at least one of {}",
                EventType::ALL.map(EventType::name).join(", ")
            ),
        ));
    }
    let mut names: Vec<&str> = Vec::with_capacity(events.len());
    for (i, name) in events.iter().enumerate() {
        let Some(kind) = EventType::parse(name) else {
            return Err(ApiError::bad_input(
                format!("events[{i}]"),
                format!(
                    "{name:?} is not an event; the events are {}",
                    EventType::ALL.map(EventType::name).join(", ")
                ),
            ));
        };
        if !names.contains(&kind.name()) {
            names.push(kind.name());
        }
    }
    Ok(names.join(" "))
}

fn check_description(description: &str) -> ApiResult<()> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::bad_input(
            "description",
            format!("must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(())
}
