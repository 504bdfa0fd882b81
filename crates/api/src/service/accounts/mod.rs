//! Studio accounts: users, their roles, one-time setup and reset links, sessions and the login
//! throttle. Tokens leave this module once, to be shown or set as a cookie; only their SHA-256
//! is stored, so a copy of the database signs no one in.

mod passwords;
pub mod sessions;
mod throttle;

pub use passwords::{MIN_PASSWORD, check_new as check_new_password};
pub use sessions::{NewSession, SessionUser};

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use entity::{studio_session, user, user_token};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::Store;
use crate::error::{ApiError, ApiResult};

/// How long a password reset link works.
pub const RESET_LINK_TTL: Duration = Duration::hours(24);
/// How long the first admin's setup link works.
pub const SETUP_LINK_TTL: Duration = Duration::hours(24);

/// What a studio user may do; the same names, and the same permissions, as the `roles` claim
/// of a JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StudioRole {
    /// Reads drafts, previews and history.
    Viewer,
    /// Also edits.
    Editor,
    /// Also publishes, unpublishes, archives and schedules.
    Publisher,
    /// Everything, including deleting and managing users.
    Admin,
}

impl StudioRole {
    /// Every role, weakest first.
    pub const ALL: [Self; 4] = [Self::Viewer, Self::Editor, Self::Publisher, Self::Admin];

    /// The role's name, as stored and as in a JWT's `roles` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Publisher => "publisher",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for StudioRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StudioRole {
    type Err = ApiError;

    fn from_str(s: &str) -> ApiResult<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                ApiError::bad_input("role", "must be one of viewer, editor, publisher, admin")
            })
    }
}

/// A user as the studio and the CLI show it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Row id.
    pub id: i32,
    /// Unique login, lower case.
    pub login: String,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: StudioRole,
    /// Whether the user may not sign in.
    pub disabled: bool,
    /// Whether a password is set (else only OIDC or a reset link signs in).
    pub has_password: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<user::Model> for Account {
    type Error = ApiError;

    fn try_from(m: user::Model) -> ApiResult<Self> {
        Ok(Self {
            role: m.role.parse().map_err(|_| {
                ApiError::Internal(format!("user {} has role {:?}", m.login, m.role))
            })?,
            id: m.id,
            login: m.login,
            name: m.name,
            disabled: m.disabled,
            has_password: m.password_hash.is_some(),
            created_at: m.created_at,
        })
    }
}

/// A user to create.
#[derive(Debug)]
pub struct NewUser {
    /// Login: 1-100 of a-z, 0-9, `.`, `_`, `-`, `@` (lower-cased).
    pub login: String,
    /// Display name (defaults to the login).
    pub name: Option<String>,
    /// What the user may do.
    pub role: StudioRole,
    /// A password, or none for OIDC-only accounts (or a reset link later).
    pub password: Option<SecretString>,
}

/// A one-time link's token, shown once.
#[derive(Debug)]
pub struct OneTimeLink {
    /// The token for the link's `token` parameter.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// What a one-time link is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Creating the first admin.
    Setup,
    /// Choosing a new password for this login.
    Reset(String),
}

/// Lower-cases and checks a login.
pub fn normalize_login(raw: &str) -> ApiResult<String> {
    let login = raw.trim().to_lowercase();
    let ok = !login.is_empty()
        && login.len() <= 100
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c));
    if !ok {
        return Err(ApiError::bad_input(
            "login",
            "must be 1-100 characters of a-z, 0-9, '.', '_', '-' and '@'",
        ));
    }
    Ok(login)
}

/// A fresh 256-bit token, URL-safe.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a token: what the database keeps instead of it.
pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_name(name: &str) -> ApiResult<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_input(
            "name",
            "must be 1-200 characters without control characters",
        ));
    }
    Ok(())
}

async fn find_user(db: &impl ConnectionTrait, login: &str) -> ApiResult<user::Model> {
    let login = normalize_login(login)
        .map_err(|_| ApiError::NotFound(format!("no user with login {login:?}")))?;
    user::Entity::find()
        .filter(user::Column::Login.eq(&login))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user with login {login:?}")))
}

async fn insert_user(db: &impl ConnectionTrait, new: NewUser) -> ApiResult<user::Model> {
    let login = normalize_login(&new.login)?;
    let name = new
        .name
        .map(|n| n.trim().to_owned())
        .unwrap_or_else(|| login.clone());
    check_name(&name)?;
    let hash = match new.password {
        Some(password) => {
            passwords::check_new("password", &password)?;
            Some(passwords::hash(password).await?)
        }
        None => None,
    };
    if user::Entity::find()
        .filter(user::Column::Login.eq(&login))
        .one(db)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict {
            message: format!("a user with login {login:?} already exists"),
            current_version: None,
        });
    }
    let now = Utc::now();
    Ok(user::ActiveModel {
        login: Set(login),
        name: Set(name),
        role: Set(new.role.as_str().to_owned()),
        password_hash: Set(hash),
        oidc_subject: Set(None),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Users and links. These are the operator's and admins' actions: the CLI runs them as the
/// operator, and the studio only after checking that its user is an admin.
impl Store {
    /// Whether any user exists (else `serve` offers the setup link).
    pub async fn users_exist(&self) -> ApiResult<bool> {
        Ok(user::Entity::find().count(self.db()).await? > 0)
    }

    /// Creates a user.
    pub async fn create_user(&self, new: NewUser) -> ApiResult<Account> {
        let txn = self.begin().await?;
        let created = insert_user(&*txn, new).await?;
        txn.commit().await?;
        created.try_into()
    }

    /// Every user, by login.
    pub async fn list_users(&self) -> ApiResult<Vec<Account>> {
        user::Entity::find()
            .order_by_asc(user::Column::Login)
            .all(self.db())
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// The user with `login`.
    pub async fn user(&self, login: &str) -> ApiResult<Account> {
        find_user(self.db(), login).await?.try_into()
    }

    /// Changes a user's role; it counts from the user's next request.
    pub async fn set_user_role(&self, login: &str, role: StudioRole) -> ApiResult<Account> {
        self.update_user(login, |m| m.role = Set(role.as_str().to_owned()))
            .await
    }

    /// Disables (or enables) a user; disabling ends every session of theirs at once.
    pub async fn set_user_disabled(&self, login: &str, disabled: bool) -> ApiResult<Account> {
        let txn = self.begin().await?;
        let found = find_user(&*txn, login).await?;
        if disabled {
            studio_session::Entity::delete_many()
                .filter(studio_session::Column::UserId.eq(found.id))
                .exec(&*txn)
                .await?;
        }
        let mut m: user::ActiveModel = found.into();
        m.disabled = Set(disabled);
        m.updated_at = Set(Utc::now());
        let updated = m.update(&*txn).await?;
        txn.commit().await?;
        updated.try_into()
    }

    async fn update_user(
        &self,
        login: &str,
        change: impl FnOnce(&mut user::ActiveModel),
    ) -> ApiResult<Account> {
        let txn = self.begin().await?;
        let mut m: user::ActiveModel = find_user(&*txn, login).await?.into();
        change(&mut m);
        m.updated_at = Set(Utc::now());
        let updated = m.update(&*txn).await?;
        txn.commit().await?;
        updated.try_into()
    }

    /// A one-time link (24 h) with which `login` chooses a new password; the old one works
    /// until then.
    pub async fn password_reset_link(&self, login: &str) -> ApiResult<OneTimeLink> {
        let txn = self.begin().await?;
        let found = find_user(&*txn, login).await?;
        let link = insert_link(&*txn, "reset", Some(found.id), RESET_LINK_TTL).await?;
        txn.commit().await?;
        Ok(link)
    }

    /// The first admin's setup link, while there is no user; an earlier setup link stops
    /// working (only the newest one logged counts).
    pub async fn setup_link(&self) -> ApiResult<Option<OneTimeLink>> {
        let txn = self.begin().await?;
        if user::Entity::find().count(&*txn).await? > 0 {
            return Ok(None);
        }
        user_token::Entity::delete_many()
            .filter(user_token::Column::Purpose.eq("setup"))
            .exec(&*txn)
            .await?;
        let link = insert_link(&*txn, "setup", None, SETUP_LINK_TTL).await?;
        txn.commit().await?;
        Ok(Some(link))
    }

    /// What an unexpired link is for, or `None` for an unknown, used or expired token.
    pub async fn link_purpose(&self, token: &str) -> ApiResult<Option<LinkPurpose>> {
        let Some(found) = live_link(self.db(), token).await? else {
            return Ok(None);
        };
        Ok(Some(match (found.purpose.as_str(), found.user_id) {
            ("reset", Some(id)) => match user::Entity::find_by_id(id).one(self.db()).await? {
                Some(u) => LinkPurpose::Reset(u.login),
                None => return Ok(None),
            },
            _ => LinkPurpose::Setup,
        }))
    }

    /// Creates the first admin with the setup link, which it uses up; refused once any user
    /// exists.
    pub async fn complete_setup(&self, token: &str, admin: NewUser) -> ApiResult<Account> {
        let txn = self.begin().await?;
        let link = live_link(&*txn, token)
            .await?
            .filter(|l| l.purpose == "setup")
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "this setup link is not valid (used, expired or replaced by a newer one)"
                        .into(),
                )
            })?;
        if user::Entity::find().count(&*txn).await? > 0 {
            return Err(ApiError::Conflict {
                message: "the studio already has users; ask an admin for an account".into(),
                current_version: None,
            });
        }
        user_token::Entity::delete_by_id(link.token_hash)
            .exec(&*txn)
            .await?;
        let created = insert_user(
            &*txn,
            NewUser {
                role: StudioRole::Admin,
                ..admin
            },
        )
        .await?;
        txn.commit().await?;
        created.try_into()
    }

    /// Sets a new password with a reset link, which it uses up, and ends the user's sessions.
    pub async fn complete_reset(&self, token: &str, password: SecretString) -> ApiResult<Account> {
        passwords::check_new("password", &password)?;
        let hash = passwords::hash(password).await?;
        let txn = self.begin().await?;
        let link = live_link(&*txn, token)
            .await?
            .filter(|l| l.purpose == "reset")
            .ok_or_else(|| {
                ApiError::Unauthenticated("this reset link is not valid (used or expired)".into())
            })?;
        let user_id = link
            .user_id
            .ok_or_else(|| ApiError::Internal("a reset link without a user".into()))?;
        user_token::Entity::delete_by_id(link.token_hash)
            .exec(&*txn)
            .await?;
        studio_session::Entity::delete_many()
            .filter(studio_session::Column::UserId.eq(user_id))
            .exec(&*txn)
            .await?;
        let updated = set_password_in(&*txn, user_id, hash).await?;
        txn.commit().await?;
        updated.try_into()
    }

    /// Changes the user's own password after checking the current one; ends their other
    /// sessions (keeping `keep_session`).
    pub async fn change_password(
        &self,
        user_id: i32,
        current: SecretString,
        new: SecretString,
        keep_session: i32,
    ) -> ApiResult<()> {
        passwords::check_new("newPassword", &new)?;
        let found = user::Entity::find_by_id(user_id)
            .one(self.db())
            .await?
            .ok_or_else(|| ApiError::NotFound("no such user".into()))?;
        if !passwords::verify(current, found.password_hash.clone()).await? {
            return Err(ApiError::bad_input(
                "currentPassword",
                "is not your current password",
            ));
        }
        let hash = passwords::hash(new).await?;
        let txn = self.begin().await?;
        set_password_in(&*txn, user_id, hash).await?;
        studio_session::Entity::delete_many()
            .filter(studio_session::Column::UserId.eq(user_id))
            .filter(studio_session::Column::Id.ne(keep_session))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// An identity an OIDC provider vouched for (its ID token verified).
#[derive(Debug, Clone)]
pub struct OidcIdentity {
    /// `issuer` and `sub`, which together never change for one account.
    pub subject: String,
    /// A login to start from for a new user (`preferred_username` or `email`).
    pub login_hint: Option<String>,
    /// Display name (`name`).
    pub name: Option<String>,
    /// The role the provider's roles claim maps to.
    pub role: StudioRole,
}

impl Store {
    /// The user an OIDC identity signs in as: found by subject (its name and role updated from
    /// the provider, which is their source of truth), or created with a free login. Disabled
    /// users are refused.
    pub async fn oidc_user(&self, identity: OidcIdentity) -> ApiResult<Account> {
        let txn = self.begin().await?;
        let now = Utc::now();
        let found = user::Entity::find()
            .filter(user::Column::OidcSubject.eq(&identity.subject))
            .one(&*txn)
            .await?;
        let model = match found {
            Some(u) if u.disabled => {
                return Err(ApiError::Forbidden("this account is disabled".into()));
            }
            Some(u) => {
                let mut m: user::ActiveModel = u.into();
                m.role = Set(identity.role.as_str().to_owned());
                if let Some(name) = identity.name.as_deref().filter(|n| check_name(n).is_ok()) {
                    m.name = Set(name.trim().to_owned());
                }
                m.updated_at = Set(now);
                m.update(&*txn).await?
            }
            None => {
                let stem: String = identity
                    .login_hint
                    .as_deref()
                    .and_then(|h| normalize_login(h).ok())
                    .unwrap_or_else(|| "sso-user".to_owned())
                    .chars()
                    .take(90)
                    .collect();
                let mut login = stem.clone();
                let mut n = 1;
                while user::Entity::find()
                    .filter(user::Column::Login.eq(&login))
                    .one(&*txn)
                    .await?
                    .is_some()
                {
                    n += 1;
                    login = format!("{stem}-{n}");
                }
                let name = identity
                    .name
                    .as_deref()
                    .filter(|n| check_name(n).is_ok())
                    .map_or_else(|| login.clone(), |n| n.trim().to_owned());
                user::ActiveModel {
                    login: Set(login),
                    name: Set(name),
                    role: Set(identity.role.as_str().to_owned()),
                    password_hash: Set(None),
                    oidc_subject: Set(Some(identity.subject.chars().take(500).collect())),
                    disabled: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&*txn)
                .await?
            }
        };
        txn.commit().await?;
        model.try_into()
    }
}

async fn set_password_in(
    db: &impl ConnectionTrait,
    user_id: i32,
    hash: String,
) -> ApiResult<user::Model> {
    let mut m: user::ActiveModel = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))?
        .into();
    m.password_hash = Set(Some(hash));
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

async fn insert_link(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Option<i32>,
    ttl: Duration,
) -> ApiResult<OneTimeLink> {
    let token = new_token();
    let now = Utc::now();
    let expires_at = now + ttl;
    user_token::ActiveModel {
        token_hash: Set(token_hash(&token)),
        purpose: Set(purpose.to_owned()),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
    }
    .insert(db)
    .await?;
    Ok(OneTimeLink { token, expires_at })
}

async fn live_link(db: &impl ConnectionTrait, token: &str) -> ApiResult<Option<user_token::Model>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    Ok(user_token::Entity::find_by_id(token_hash(token))
        .one(db)
        .await?
        .filter(|l| l.expires_at > Utc::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_name_and_nothing_else() {
        assert_eq!(
            "Publisher".parse::<StudioRole>().ok(),
            Some(StudioRole::Publisher)
        );
        assert!("root".parse::<StudioRole>().is_err());
    }

    #[test]
    fn logins_are_lower_cased_and_checked() {
        assert_eq!(
            normalize_login(" Ada@Example.org ").ok().as_deref(),
            Some("ada@example.org")
        );
        for bad in ["", "a b", "ädа", &"x".repeat(101), "a/b"] {
            assert!(normalize_login(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_256_bit_and_stored_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
    }
}
