//! The audit log: every catalog write and every role deletion, with who made it and when.
//! Role edits are recorded as revisions instead; a deleted role's revisions go with it, so its
//! deletion is written here.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set};

use crate::auth::{Permit, permit::Read};
use crate::error::ApiResult;

/// Records `action` (such as `tool.deleted`) on `subject` at `version` by `actor`.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    subject: &str,
    version: i32,
) -> ApiResult<()> {
    audit_event::ActiveModel {
        occurred_at: Set(Utc::now()),
        actor: Set(actor.chars().take(200).collect()),
        action: Set(action.to_owned()),
        subject: Set(subject.to_owned()),
        version: Set(version),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The newest `first` events, newest first; reading them needs `content:read`.
pub async fn latest(
    db: &impl ConnectionTrait,
    _reader: &Permit<Read>,
    first: u64,
) -> ApiResult<Vec<audit_event::Model>> {
    Ok(audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(first)
        .all(db)
        .await?)
}
