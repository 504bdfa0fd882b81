//! Evidence freshness: when each role's content was last reviewed, when it is due again, and
//! which of the sources it cites have grown old. What keeps an AI-risk page honest while the
//! field moves monthly.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{role, role_review};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

use super::Store;
use super::editing::{find_role, version_conflict};
use crate::auth::Permit;
use crate::auth::permit::Write;
use crate::error::{ApiError, ApiResult};

/// Days between reviews of a new role.
pub const DEFAULT_INTERVAL_DAYS: i32 = 180;

/// Longest review interval an editor may set: ten years.
pub const MAX_INTERVAL_DAYS: i32 = 3650;

/// Age in days past which a cited source is flagged, unless configured.
pub const DEFAULT_SOURCE_MAX_AGE_DAYS: u32 = 730;

fn due(from: DateTime<Utc>, days: i32) -> DateTime<Utc> {
    from + Duration::days(i64::from(days))
}

/// The review row of a role created at `now`: never reviewed, due after the default interval.
pub(crate) async fn start(
    db: &impl ConnectionTrait,
    role_id: i32,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    role_review::Entity::insert(role_review::ActiveModel {
        role_id: Set(role_id),
        reviewed_at: Set(None),
        reviewed_by: Set(None),
        interval_days: Set(DEFAULT_INTERVAL_DAYS),
        due_at: Set(due(now, DEFAULT_INTERVAL_DAYS)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records that `actor` reviewed role `role_id` at `now` (publishing counts as a review).
pub(crate) async fn reviewed(
    db: &impl ConnectionTrait,
    role_id: i32,
    actor: &str,
    now: DateTime<Utc>,
) -> ApiResult<role_review::Model> {
    let interval = role_review::Entity::find_by_id(role_id)
        .one(db)
        .await?
        .map_or(DEFAULT_INTERVAL_DAYS, |r| r.interval_days);
    let row = role_review::ActiveModel {
        role_id: Set(role_id),
        reviewed_at: Set(Some(now)),
        reviewed_by: Set(Some(actor.chars().take(200).collect())),
        interval_days: Set(interval),
        due_at: Set(due(now, interval)),
    };
    role_review::Entity::insert(row)
        .on_conflict(
            OnConflict::column(role_review::Column::RoleId)
                .update_columns([
                    role_review::Column::ReviewedAt,
                    role_review::Column::ReviewedBy,
                    role_review::Column::DueAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    role_review::Entity::find_by_id(role_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("a review row vanished inside its transaction".into()))
}

/// The review rows of `ids`, by role id.
pub async fn of_roles(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> ApiResult<HashMap<i32, role_review::Model>> {
    Ok(role_review::Entity::find()
        .filter(role_review::Column::RoleId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.role_id, r))
        .collect())
}

/// The roles due for review at `now` (or, with `due == false`, not due), as a subquery.
pub(crate) fn due_condition(due: bool, now: DateTime<Utc>) -> sea_orm::Condition {
    let rows = Query::select()
        .column(role_review::Column::RoleId)
        .from(role_review::Entity)
        .and_where(role_review::Column::DueAt.lte(now))
        .to_owned();
    let cond = if due {
        role::Column::Id.in_subquery(rows)
    } else {
        role::Column::Id.not_in_subquery(rows)
    };
    sea_orm::Condition::all().add(cond)
}

/// Whether a source published on `published_on` is older than `max_age_days` at `today`.
pub fn is_stale(published_on: Option<NaiveDate>, max_age_days: u32, today: NaiveDate) -> bool {
    published_on.is_some_and(|d| (today - d).num_days() > i64::from(max_age_days))
}

/// Adds a review row to every role without one, due the default interval after the role was
/// created (roles made before reviews existed). A no-op once done.
pub async fn backfill(db: &sea_orm::DatabaseConnection) -> ApiResult<usize> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let missing: Vec<(i32, DateTime<Utc>)> = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .column(role::Column::CreatedAt)
        .filter(
            role::Column::Id.not_in_subquery(
                Query::select()
                    .column(role_review::Column::RoleId)
                    .from(role_review::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(&txn)
        .await?;
    // A few hundred rows a statement: 100k roles are one short pause at the first start.
    for chunk in missing.chunks(500) {
        role_review::Entity::insert_many(chunk.iter().map(|(id, created)| {
            role_review::ActiveModel {
                role_id: Set(*id),
                reviewed_at: Set(None),
                reviewed_by: Set(None),
                interval_days: Set(DEFAULT_INTERVAL_DAYS),
                due_at: Set(due(*created, DEFAULT_INTERVAL_DAYS)),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(missing.len())
}

/// Holds role `id` at version `expected` until the transaction ends, or answers CONFLICT: a
/// review is of the version the editor read. Compared in the UPDATE itself, as every write's
/// version guard is, so that on PostgreSQL a concurrent edit waits for this transaction
/// instead of slipping in between a read and the commit.
async fn hold_version(db: &impl ConnectionTrait, id: i32, expected: i32) -> ApiResult<()> {
    let held = role::Entity::update_many()
        .col_expr(role::Column::Version, Expr::col(role::Column::Version))
        .filter(role::Column::Id.eq(id))
        .filter(role::Column::Version.eq(expected))
        .exec(db)
        .await?;
    if held.rows_affected == 0 {
        return Err(version_conflict(db, id, expected).await);
    }
    Ok(())
}

impl Store {
    /// Records that the editor reviewed role `slug` as it stands at `expected_version` (a
    /// review of an older version is a CONFLICT): it is due again after its interval. Changes
    /// no content and makes no version.
    pub async fn mark_reviewed(
        &self,
        permit: &Permit<Write>,
        slug: &str,
        expected_version: i32,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let role = find_role(&*txn, slug).await?;
        hold_version(&*txn, role.id, expected_version).await?;
        reviewed(&*txn, role.id, permit.actor(), chrono::Utc::now()).await?;
        super::audit::record(
            &*txn,
            permit.actor(),
            "role.reviewed",
            &role.slug,
            role.version,
        )
        .await?;
        txn.commit().await?;
        Ok(role)
    }

    /// Sets how many days role `slug` may go between reviews (1 to 3650); its due date moves
    /// with it, counted from its last review (or its creation).
    pub async fn set_review_interval(
        &self,
        permit: &Permit<Write>,
        slug: &str,
        expected_version: i32,
        days: i32,
    ) -> ApiResult<role::Model> {
        if !(1..=MAX_INTERVAL_DAYS).contains(&days) {
            return Err(ApiError::bad_input(
                "days",
                format!("must be from 1 to {MAX_INTERVAL_DAYS}, got {days}"),
            ));
        }
        let txn = self.begin().await?;
        let role = find_role(&*txn, slug).await?;
        hold_version(&*txn, role.id, expected_version).await?;
        let current = role_review::Entity::find_by_id(role.id).one(&*txn).await?;
        let from = current
            .as_ref()
            .and_then(|r| r.reviewed_at)
            .unwrap_or(role.created_at);
        let row = role_review::ActiveModel {
            role_id: Set(role.id),
            reviewed_at: Set(current.as_ref().and_then(|r| r.reviewed_at)),
            reviewed_by: Set(current.as_ref().and_then(|r| r.reviewed_by.clone())),
            interval_days: Set(days),
            due_at: Set(due(from, days)),
        };
        role_review::Entity::insert(row)
            .on_conflict(
                OnConflict::column(role_review::Column::RoleId)
                    .update_columns([
                        role_review::Column::IntervalDays,
                        role_review::Column::DueAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&*txn)
            .await?;
        super::audit::record(
            &*txn,
            permit.actor(),
            "role.review_interval_set",
            &role.slug,
            role.version,
        )
        .await?;
        txn.commit().await?;
        Ok(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_stale_only_past_the_age_and_with_a_date() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let old = NaiveDate::from_ymd_opt(2024, 12, 3);
        let recent = NaiveDate::from_ymd_opt(2025, 1, 1);
        assert!(is_stale(old, 730, today));
        assert!(!is_stale(recent, 730, today));
        assert!(!is_stale(None, 730, today));
    }
}
