//! The outbox of webhook deliveries: events written as delivery rows in the transaction of the
//! write that caused them (so a rolled-back write sends nothing and a crash after the commit
//! still sends), and the queries of the delivery worker (`events::delivery`). Several servers on
//! one PostgreSQL share the outbox: a claim leases rows (`FOR UPDATE SKIP LOCKED`, then
//! `locked_until`), so no delivery is sent by two at once, and deliveries about one subject to
//! one endpoint go out in order (one waits while an older one is pending).

use std::collections::HashMap;

use chrono::Utc;
use entity::{webhook, webhook_delivery};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Set,
    Statement, Value,
};
use serde::Serialize;

use super::Store;
use crate::cache::{TagSet, tags};
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, EventType};

/// A delivery waiting for its first or next attempt.
pub const PENDING: &str = "PENDING";
/// A delivery an endpoint answered with a 2xx.
pub const DELIVERED: &str = "DELIVERED";
/// A delivery given up after `JOBRISK_WEBHOOK_RETRY_SECS`.
pub const FAILED: &str = "FAILED";

/// The body every endpoint receives (the Standard Webhooks shape: type, timestamp, data).
#[derive(Serialize)]
struct Payload<'a> {
    r#type: &'a str,
    timestamp: String,
    data: Data<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    /// The role's slug (role events) or the catalog item (`tool:chatgpt`).
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    version: Option<i32>,
    published_version: Option<i32>,
    /// What the write changed, as the `Surrogate-Key` names of cached answers: purge these.
    cache_tags: Vec<String>,
}

/// The webhooks subscribed to `kind`.
fn subscribed(hooks: &[webhook::Model], kind: EventType) -> impl Iterator<Item = &webhook::Model> {
    hooks
        .iter()
        .filter(move |h| h.events.split_whitespace().any(|e| e == kind.name()))
}

/// Writes a delivery of each event to each webhook subscribed to it, inside the write's
/// transaction; `tags` are what the write changed. Returns how many deliveries it wrote.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    events: &[Event],
    tags: &TagSet,
) -> ApiResult<usize> {
    let hooks = webhook::Entity::find().all(db).await?;
    if hooks.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let cache_tags: Vec<String> = tags::joined(tags, " ")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for event in events {
        let is_role = event.kind != EventType::CatalogChanged;
        let body = serde_json::to_string(&Payload {
            r#type: event.kind.name(),
            timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            data: Data {
                subject: &event.subject,
                slug: is_role.then_some(event.subject.as_str()),
                version: event.version,
                published_version: event.published_version,
                cache_tags: cache_tags.clone(),
            },
        })
        .unwrap_or_default();
        // One id per event, the same for every endpoint and every attempt: receivers
        // deduplicate on it.
        let event_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        for hook in subscribed(&hooks, event.kind) {
            rows.push(webhook_delivery::ActiveModel {
                webhook_id: Set(hook.id),
                event_id: Set(event_id.clone()),
                event_type: Set(event.kind.name().to_owned()),
                subject: Set(event.subject.clone()),
                payload: Set(body.clone()),
                status: Set(PENDING.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                locked_until: Set(None),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
                ..Default::default()
            });
        }
    }
    let written = rows.len();
    for chunk in rows.chunks(200) {
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(written)
}

/// A delivery a worker leased, to send now.
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct Claimed {
    /// The delivery.
    pub id: i32,
    /// Its endpoint.
    pub webhook_id: i32,
    /// `webhook-id`: the same on every attempt and every endpoint.
    pub event_id: String,
    /// The body.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// When the event happened.
    pub created_at: chrono::DateTime<Utc>,
}

/// How one attempt went.
#[derive(Debug)]
pub enum Outcome {
    /// The endpoint answered 2xx (the status).
    Delivered(u16),
    /// Anything else: the status when there was an answer, and what went wrong.
    Failed {
        /// HTTP status, if the endpoint answered.
        status: Option<u16>,
        /// Why the attempt failed.
        error: String,
    },
}

/// `sql` with `$1`, `$2`... kept for PostgreSQL and made SQLite's `?` (each placeholder is
/// used once, in order).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl Store {
    /// Leases up to `batch` due deliveries for `lease`, counting their attempt now (so a crash
    /// mid-send still counts it).
    pub async fn claim_deliveries(
        &self,
        batch: usize,
        lease: std::time::Duration,
    ) -> ApiResult<Vec<Claimed>> {
        let db = self.db();
        let backend = db.get_database_backend();
        let now = Utc::now();
        let until =
            now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET locked_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT d.id FROM webhook_deliveries d \
               WHERE d.status = '{PENDING}' AND d.next_attempt_at <= $2 \
               AND (d.locked_until IS NULL OR d.locked_until < $3) \
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                 WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject \
                 AND e.status = '{PENDING}' AND e.id < d.id) \
               ORDER BY d.id LIMIT {batch}{lock}) \
             RETURNING id, webhook_id, event_id, payload, attempts, created_at"
        );
        let values: Vec<Value> = vec![until.into(), now.into(), now.into()];
        // A read first: an idle server must not write every poll (on SQLite a write, even of
        // nothing, takes the database's one write lock from editors and commands).
        let due = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(PENDING))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .one(db)
            .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        // Through the store's write path: on SQLite the gate keeps this write from racing an
        // editor's transaction (which would fail, its snapshot gone stale).
        let txn = self.begin().await?;
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                placeholders(backend, &sql),
                values,
            ))
            .await?;
        txn.commit().await?;
        let mut claimed: Vec<Claimed> = rows
            .iter()
            .map(|r| Claimed::from_query_result(r, "").map_err(ApiError::from))
            .collect::<ApiResult<_>>()?;
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// The webhooks with these ids.
    pub async fn webhooks_by_id(&self, ids: Vec<i32>) -> ApiResult<HashMap<i32, webhook::Model>> {
        Ok(webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect())
    }

    /// Records the attempt on `delivery`: delivered, or pending again after `retry` unless
    /// that passes `retry_for` since the event (then failed).
    pub async fn record_delivery(
        &self,
        delivery: &Claimed,
        outcome: Outcome,
        retry: Option<std::time::Duration>,
        retry_for: std::time::Duration,
    ) -> ApiResult<()> {
        let db = self.db();
        let backend = db.get_database_backend();
        let now = Utc::now();
        let (sql, values): (&str, Vec<Value>) = match outcome {
            Outcome::Delivered(status) => (
                "UPDATE webhook_deliveries SET status = $1, last_status = $2, last_error = NULL, \
                 delivered_at = $3, locked_until = NULL WHERE id = $4",
                vec![
                    DELIVERED.into(),
                    i32::from(status).into(),
                    now.into(),
                    delivery.id.into(),
                ],
            ),
            Outcome::Failed { status, error } => {
                let give_up_at = delivery.created_at
                    + chrono::Duration::from_std(retry_for).unwrap_or(chrono::Duration::days(1));
                let next = now
                    + chrono::Duration::from_std(retry.unwrap_or_default())
                        .unwrap_or(chrono::Duration::seconds(60));
                let state = if next > give_up_at { FAILED } else { PENDING };
                (
                    "UPDATE webhook_deliveries SET status = $1, last_status = $2, last_error = $3, \
                     next_attempt_at = $4, locked_until = NULL WHERE id = $5",
                    vec![
                        state.into(),
                        status.map(i32::from).into(),
                        error.into(),
                        next.into(),
                        delivery.id.into(),
                    ],
                )
            }
        };
        let txn = self.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            values,
        ))
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_question_marks_on_sqlite() {
        assert_eq!(
            placeholders(DbBackend::Sqlite, "a = $1 AND b = $12, c"),
            "a = ? AND b = ?, c"
        );
        assert_eq!(placeholders(DbBackend::Postgres, "a = $1"), "a = $1");
    }
}
