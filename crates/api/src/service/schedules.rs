//! Scheduled publishing: an editor plans a publish or unpublish for a time; the scheduler
//! (`events::scheduler`) carries it out then, as that editor, publishing the working copy as it
//! stands at that time. Each action runs once: its row is deleted in the transaction that runs
//! it, claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that servers never share one.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{RoleStatus, role, role_schedule};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Set,
    Statement,
};

use super::editing::{find_role, set_status_in, version_conflict};
use super::{Store, audit};
use crate::auth::Permit;
use crate::auth::permit::Publish;
use crate::error::{ApiError, ApiResult};

/// Farthest ahead an action may be planned.
const MAX_AHEAD_DAYS: i64 = 3650;

/// What a schedule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Publish the working copy.
    Publish,
    /// Take the page offline (back to DRAFT).
    Unpublish,
}

impl Action {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Action::Publish => "PUBLISH",
            Action::Unpublish => "UNPUBLISH",
        }
    }

    /// The action stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "PUBLISH" => Some(Action::Publish),
            "UNPUBLISH" => Some(Action::Unpublish),
            _ => None,
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct Due {
    role_id: i32,
    action: String,
    scheduled_by: String,
}

/// The schedule rows of `ids`, by role id.
pub async fn of_roles(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> ApiResult<HashMap<i32, role_schedule::Model>> {
    Ok(role_schedule::Entity::find()
        .filter(role_schedule::Column::RoleId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.role_id, r))
        .collect())
}

impl Store {
    /// Plans `action` on role `slug` (read at `expected_version`) for `at`, replacing any
    /// action planned before. The action will run as `permit`'s holder.
    pub async fn schedule(
        &self,
        permit: &Permit<Publish>,
        slug: &str,
        expected_version: i32,
        action: Action,
        at: DateTime<Utc>,
    ) -> ApiResult<role::Model> {
        let now = Utc::now();
        if at <= now {
            return Err(ApiError::bad_input("at", "must be in the future"));
        }
        if at > now + Duration::days(MAX_AHEAD_DAYS) {
            return Err(ApiError::bad_input(
                "at",
                format!("must be within {MAX_AHEAD_DAYS} days"),
            ));
        }
        let txn = self.begin().await?;
        let role = find_role(&*txn, slug).await?;
        if role.version != expected_version {
            return Err(version_conflict(&*txn, role.id, expected_version).await);
        }
        role_schedule::Entity::insert(role_schedule::ActiveModel {
            role_id: Set(role.id),
            action: Set(action.name().to_owned()),
            due_at: Set(at),
            scheduled_by: Set(permit.actor().chars().take(200).collect()),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(role_schedule::Column::RoleId)
                .update_columns([
                    role_schedule::Column::Action,
                    role_schedule::Column::DueAt,
                    role_schedule::Column::ScheduledBy,
                    role_schedule::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
        audit::record(
            &*txn,
            permit.actor(),
            match action {
                Action::Publish => "role.publish_scheduled",
                Action::Unpublish => "role.unpublish_scheduled",
            },
            &role.slug,
            role.version,
        )
        .await?;
        txn.commit().await?;
        Ok(role)
    }

    /// Drops the action planned for role `slug`; NOT_FOUND when none is.
    pub async fn cancel_schedule(
        &self,
        permit: &Permit<Publish>,
        slug: &str,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let role = find_role(&*txn, slug).await?;
        let deleted = role_schedule::Entity::delete_many()
            .filter(role_schedule::Column::RoleId.eq(role.id))
            .exec(&*txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(ApiError::NotFound(format!(
                "nothing is scheduled for role {slug:?}"
            )));
        }
        audit::record(
            &*txn,
            permit.actor(),
            "role.schedule_cancelled",
            &role.slug,
            role.version,
        )
        .await?;
        txn.commit().await?;
        Ok(role)
    }

    /// Runs every action due at `now`, each in a transaction of its own with the deletion of
    /// its row; returns how many ran. An action that fails (its content no longer passes the
    /// rules) is dropped with an audit record, never retried forever.
    pub async fn run_due_schedules(&self, now: DateTime<Utc>) -> ApiResult<usize> {
        let mut ran = 0;
        // Bounded, so a flood of due actions cannot hold one caller forever.
        for _ in 0..100 {
            // A read first: an idle server must not write every second (on SQLite a write,
            // even of nothing, takes the database's one write lock from editors).
            let due = role_schedule::Entity::find()
                .filter(role_schedule::Column::DueAt.lte(now))
                .one(self.db())
                .await?;
            if due.is_none() {
                return Ok(ran);
            }
            let txn = self.begin().await?;
            let Some(due) = claim_due(&*txn, now).await? else {
                return Ok(ran);
            };
            let Some(action) = Action::parse(&due.action) else {
                txn.commit().await?;
                continue;
            };
            let status = match action {
                Action::Publish => RoleStatus::Published,
                Action::Unpublish => RoleStatus::Draft,
            };
            let result = match role::Entity::find_by_id(due.role_id).one(&*txn).await? {
                Some(current) => set_status_in(&txn, &due.scheduled_by, current, status).await,
                None => Ok(None),
            };
            match result {
                Ok(_) => {
                    txn.commit().await?;
                    ran += 1;
                }
                Err(e) => {
                    drop(txn);
                    tracing::warn!(role_id = due.role_id, error = %e, "a scheduled action failed; dropped");
                    let txn = self.begin().await?;
                    if claim_one(&*txn, due.role_id).await? {
                        audit::record(
                            &*txn,
                            &due.scheduled_by,
                            "role.schedule_failed",
                            &due.role_id.to_string(),
                            0,
                        )
                        .await?;
                    }
                    txn.commit().await?;
                }
            }
        }
        Ok(ran)
    }
}

/// Deletes and returns the earliest due schedule no other server holds.
async fn claim_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<Option<Due>> {
    let backend = db.get_database_backend();
    let (sql, lock) = match backend {
        DbBackend::Postgres => ("$1", " FOR UPDATE SKIP LOCKED"),
        _ => ("?", ""),
    };
    let statement = format!(
        "DELETE FROM role_schedules WHERE role_id = (SELECT role_id FROM role_schedules \
         WHERE due_at <= {sql} ORDER BY due_at, role_id LIMIT 1{lock}) \
         RETURNING role_id, action, scheduled_by"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            statement,
            [now.into()],
        ))
        .await?;
    row.map(|r| Due::from_query_result(&r, "").map_err(ApiError::from))
        .transpose()
}

/// Deletes role `role_id`'s schedule; whether there was one.
async fn claim_one(db: &impl ConnectionTrait, role_id: i32) -> ApiResult<bool> {
    let deleted = role_schedule::Entity::delete_many()
        .filter(role_schedule::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}
