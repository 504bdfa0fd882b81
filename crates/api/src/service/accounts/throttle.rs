//! The login throttle, kept in the database so that every server of a deployment counts the
//! same attempts. It slows guessing without locking anyone out: limits are per login and
//! address together, per address, and (much higher) per login from anywhere, so an attacker
//! elsewhere cannot keep a user from signing in; each limit lifts as its oldest failure
//! leaves the window.

use chrono::{DateTime, Duration, Utc};
use entity::login_attempt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::error::{ApiError, ApiResult};

/// The window failures are counted in.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures of one login from one address in the window before the next attempt waits.
pub const PER_LOGIN_AND_ADDRESS: u64 = 5;
/// Failures from one address, any login.
pub const PER_ADDRESS: u64 = 30;
/// Failures of one login, from anywhere.
pub const PER_LOGIN: u64 = 100;

/// `RateLimited` with the seconds until the attempt would be counted again, or `Ok`.
pub async fn check(db: &impl ConnectionTrait, login: &str, ip: &str) -> ApiResult<()> {
    let since = Utc::now() - WINDOW;
    let mut wait: Option<DateTime<Utc>> = None;
    let limits: [(Option<&str>, Option<&str>, u64); 3] = [
        (Some(login), Some(ip), PER_LOGIN_AND_ADDRESS),
        (None, Some(ip), PER_ADDRESS),
        (Some(login), None, PER_LOGIN),
    ];
    for (by_login, by_ip, limit) in limits {
        let mut q =
            login_attempt::Entity::find().filter(login_attempt::Column::AttemptedAt.gt(since));
        if let Some(l) = by_login {
            q = q.filter(login_attempt::Column::Login.eq(l));
        }
        if let Some(i) = by_ip {
            q = q.filter(login_attempt::Column::Ip.eq(i));
        }
        // The limit-th newest failure: once it leaves the window, an attempt is allowed.
        let nth = q
            .order_by_desc(login_attempt::Column::AttemptedAt)
            .offset(limit - 1)
            .limit(1)
            .one(db)
            .await?;
        if let Some(nth) = nth {
            let until = nth.attempted_at + WINDOW;
            wait = Some(wait.map_or(until, |w| w.max(until)));
        }
    }
    match wait {
        Some(until) => Err(ApiError::RateLimited {
            retry_after_secs: (until - Utc::now()).num_seconds().max(1) as u64,
        }),
        None => Ok(()),
    }
}

/// Records a failed attempt, and forgets this login's failures older than a day.
pub async fn record_failure(db: &impl ConnectionTrait, login: &str, ip: &str) -> ApiResult<()> {
    let now = Utc::now();
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::Login.eq(login))
        .filter(login_attempt::Column::AttemptedAt.lt(now - Duration::days(1)))
        .exec(db)
        .await?;
    login_attempt::ActiveModel {
        login: Set(login.chars().take(100).collect()),
        ip: Set(ip.chars().take(64).collect()),
        attempted_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
