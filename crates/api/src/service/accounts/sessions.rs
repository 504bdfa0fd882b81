//! Studio sessions: a 256-bit token in the cookie, its SHA-256 in the database; a new one at
//! every sign-in (no fixation), ended after 12 idle hours or 7 days, or when the user is
//! disabled. The user's role is read with the session on every request, so a changed role
//! counts at once.

use chrono::{DateTime, Duration, Utc};
use entity::{studio_session, user};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::{StudioRole, new_token, normalize_login, passwords, throttle, token_hash};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::Store;

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::hours(12);
/// A session ends this long after sign-in, however busy.
pub const MAX_AGE: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often, so reading pages does not write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A new session's token, for the cookie: shown once, never stored.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
}

/// The user of a request, read with its session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// The session's row id.
    pub session_id: i32,
    /// The user's row id.
    pub user_id: i32,
    /// Login (the `sub` recorded on revisions).
    pub login: String,
    /// Display name.
    pub name: String,
    /// What the user may do, as of this request.
    pub role: StudioRole,
    /// The CSRF token of this session: derived from the session token, so it needs no storage
    /// and a page of another origin cannot know it.
    pub csrf: String,
}

impl SessionUser {
    /// The caller whose permits the studio's handlers take, by the same role mapping as a
    /// JWT's `roles` claim.
    pub fn caller(&self) -> Caller {
        Caller::with_role(&self.login, self.role.as_str())
    }
}

/// A session as the user's account page lists it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Row id (to end it).
    pub id: i32,
    /// Sign-in time.
    pub created_at: DateTime<Utc>,
    /// Last request (to the minute).
    pub last_seen_at: DateTime<Utc>,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in.
    pub user_agent: Option<String>,
}

/// The CSRF token that goes with a session token.
pub fn csrf_token(session_token: &str) -> String {
    use base64::Engine;
    let digest = Sha256::new()
        .chain_update(b"jobrisk studio csrf\0")
        .chain_update(session_token.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Store {
    /// Signs in with a password: throttled per login and address, the same answer (and time)
    /// for an unknown login as for a wrong password.
    pub async fn sign_in(
        &self,
        login: &str,
        password: SecretString,
        ip: &str,
        user_agent: Option<&str>,
    ) -> ApiResult<NewSession> {
        let typed = login
            .trim()
            .to_lowercase()
            .chars()
            .take(100)
            .collect::<String>();
        throttle::check(self.db(), &typed, ip).await?;
        let found = match normalize_login(&typed) {
            Ok(l) => {
                user::Entity::find()
                    .filter(user::Column::Login.eq(l))
                    .one(self.db())
                    .await?
            }
            Err(_) => None,
        };
        let hash = found
            .as_ref()
            .filter(|u| !u.disabled)
            .and_then(|u| u.password_hash.clone());
        let ok = passwords::verify(password, hash).await?;
        match found {
            Some(user) if ok => self.start_session(user.id, ip, user_agent).await,
            _ => {
                let txn = self.begin().await?;
                throttle::record_failure(&*txn, &typed, ip).await?;
                txn.commit().await?;
                Err(ApiError::Unauthenticated("wrong login or password".into()))
            }
        }
    }

    /// Starts a session for `user_id` (after a password, a setup or reset link, or OIDC).
    pub async fn start_session(
        &self,
        user_id: i32,
        ip: &str,
        user_agent: Option<&str>,
    ) -> ApiResult<NewSession> {
        let token = new_token();
        let now = Utc::now();
        let expires_at = now + MAX_AGE;
        let txn = self.begin().await?;
        // Sessions past their end are deleted as new ones start, so the table stays small.
        studio_session::Entity::delete_many()
            .filter(studio_session::Column::UserId.eq(user_id))
            .filter(
                studio_session::Column::ExpiresAt
                    .lt(now)
                    .or(studio_session::Column::LastSeenAt.lt(now - IDLE)),
            )
            .exec(&*txn)
            .await?;
        studio_session::ActiveModel {
            token_hash: Set(token_hash(&token)),
            user_id: Set(user_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
            ip: Set(Some(ip.chars().take(64).collect())),
            user_agent: Set(user_agent.map(|ua| ua.chars().take(300).collect())),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        txn.commit().await?;
        Ok(NewSession { token, expires_at })
    }

    /// The user of a live session with this cookie token, or `None`.
    pub async fn session_user(&self, token: &str) -> ApiResult<Option<SessionUser>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let Some(session) = studio_session::Entity::find()
            .filter(studio_session::Column::TokenHash.eq(token_hash(token)))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        if session.expires_at <= now || session.last_seen_at <= now - IDLE {
            return Ok(None);
        }
        let Some(user) = user::Entity::find_by_id(session.user_id)
            .one(self.db())
            .await?
            .filter(|u| !u.disabled)
        else {
            return Ok(None);
        };
        let Ok(role) = user.role.parse() else {
            return Ok(None);
        };
        if now - session.last_seen_at > TOUCH_EVERY {
            let txn = self.begin().await?;
            studio_session::Entity::update_many()
                .col_expr(
                    studio_session::Column::LastSeenAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(studio_session::Column::Id.eq(session.id))
                .exec(&*txn)
                .await?;
            txn.commit().await?;
        }
        Ok(Some(SessionUser {
            session_id: session.id,
            user_id: user.id,
            login: user.login,
            name: user.name,
            role,
            csrf: csrf_token(token),
        }))
    }

    /// Ends the session with this token (signing out).
    pub async fn end_session_by_token(&self, token: &str) -> ApiResult<()> {
        let txn = self.begin().await?;
        studio_session::Entity::delete_many()
            .filter(studio_session::Column::TokenHash.eq(token_hash(token)))
            .exec(&*txn)
            .await?;
        txn.commit().await
    }

    /// Ends one of the user's own sessions.
    pub async fn end_session(&self, user_id: i32, session_id: i32) -> ApiResult<()> {
        let txn = self.begin().await?;
        studio_session::Entity::delete_many()
            .filter(studio_session::Column::UserId.eq(user_id))
            .filter(studio_session::Column::Id.eq(session_id))
            .exec(&*txn)
            .await?;
        txn.commit().await
    }

    /// The user's live sessions, newest first.
    pub async fn sessions_of(&self, user_id: i32) -> ApiResult<Vec<SessionInfo>> {
        let now = Utc::now();
        Ok(studio_session::Entity::find()
            .filter(studio_session::Column::UserId.eq(user_id))
            .filter(studio_session::Column::ExpiresAt.gt(now))
            .filter(studio_session::Column::LastSeenAt.gt(now - IDLE))
            .order_by_desc(studio_session::Column::CreatedAt)
            .all(self.db())
            .await?
            .into_iter()
            .map(|s| SessionInfo {
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_follow_the_session_and_compare_in_constant_shape() {
        let a = csrf_token("one");
        assert_eq!(a, csrf_token("one"));
        assert_ne!(a, csrf_token("two"));
        assert!(same(&a, &csrf_token("one")));
        assert!(!same(&a, &csrf_token("two")));
        assert!(!same(&a, ""));
    }
}
