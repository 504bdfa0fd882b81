//! The audit log, for editors.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::auth::permit::Read;
use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::context::{permit, store};
use crate::service::audit;

/// Default number of audit events listed.
pub const AUDIT_DEFAULT: i32 = 20;
/// Largest number of audit events listed.
pub const AUDIT_MAX: i32 = 100;

/// Audit log queries.
#[derive(Default)]
pub struct AuditQuery;

/// One recorded write: catalog changes and role deletions (role edits are revisions).
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditEvent {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The `sub` of whoever made the write.
    pub actor: String,
    /// What happened, such as `role.deleted`, `tool.created` or `category.updated`.
    pub action: String,
    /// The slug of the thing written, as it was then.
    pub subject: String,
    /// Its version after the write (for a deletion, the version deleted).
    pub version: i32,
}

#[Object]
impl AuditQuery {
    /// The newest recorded writes, newest first. Editors only: needs a token with
    /// `content:read`.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, newest first (default 20, at most 100).")] first: Option<i32>,
    ) -> GqlResult<Vec<AuditEvent>> {
        let reader = permit::<Read>(ctx).gql()?;
        let first = first.unwrap_or(AUDIT_DEFAULT);
        if !(0..=AUDIT_MAX).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("must be from 0 to {AUDIT_MAX}, got {first}"),
            ))
            .gql();
        }
        let store = store(ctx).gql()?;
        let rows = audit::latest(store.db(), &reader, first as u64)
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(|e| AuditEvent {
                occurred_at: e.occurred_at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                version: e.version,
            })
            .collect())
    }
}
