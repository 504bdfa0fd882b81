//! Authentication: verifies bearer JWTs and maps their claims to permissions.
//!
//! The key and algorithm come from configuration, never from the token: a token whose header
//! names another algorithm (including `none`) fails verification. A request that presents a
//! token that does not verify is refused as UNAUTHENTICATED, never served as anonymous.
//!
//! Permission mapping (documented in the README):
//! - `scope` claim (space-separated): `content:read` (preview drafts, read history),
//!   `content:write` (create and edit content, restore revisions), `content:publish`
//!   (publish, unpublish, archive), `content:delete` (delete). Every permission implies read.
//! - `roles` claim (array): `viewer` = read; `editor` = read + write; `publisher` = read +
//!   write + publish; `admin` = everything.

mod jwks;
pub mod permit;
pub mod token;

pub use permit::{Grant, Permit};

use std::collections::BTreeSet;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::{AuthSettings, ConfigError, KeySource};
use crate::error::{ApiError, ApiResult};

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Preview drafts and read revision history.
    Read,
    /// Create and edit content, restore revisions.
    Write,
    /// Publish, unpublish and archive roles.
    Publish,
    /// Delete content.
    Delete,
}

impl Permission {
    /// The scope that grants this permission.
    pub fn scope(self) -> &'static str {
        match self {
            Self::Read => "content:read",
            Self::Write => "content:write",
            Self::Publish => "content:publish",
            Self::Delete => "content:delete",
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub` claim, recorded on revisions.
    pub sub: String,
    /// What the caller may do.
    pub permissions: BTreeSet<Permission>,
}

impl Principal {
    /// Whether the caller holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// The caller of one request, as resolvers see it.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No token was presented.
    Anonymous {
        /// Whether the server can verify tokens at all.
        auth_enabled: bool,
    },
    /// A verified token.
    Authenticated(Principal),
}

impl Caller {
    /// A signed-in studio user with `role` (viewer, editor, publisher or admin), mapped to
    /// permissions exactly as a JWT's `roles` claim is.
    pub fn with_role(sub: &str, role: &str) -> Self {
        Self::Authenticated(Principal {
            sub: sub.to_owned(),
            permissions: permissions(None, Some(&[role.to_owned()])),
        })
    }

    /// Whether the caller holds `permission` (to show or hide an action; acting on it takes a
    /// [`Permit`]).
    pub fn can(&self, permission: Permission) -> bool {
        self.require(permission).is_ok()
    }

    /// The principal holding `permission`, or the error to answer with. Code that acts on the
    /// permission takes a [`Permit`] from [`Caller::permit`] instead.
    fn require(&self, permission: Permission) -> ApiResult<&Principal> {
        match self {
            Self::Anonymous { auth_enabled: false } => Err(ApiError::Unauthenticated(
                "editing is disabled: the server has no JWT key configured (set JOBRISK_JWT_SECRET, JOBRISK_JWT_PUBLIC_KEY or JOBRISK_JWT_JWKS_URL)".into(),
            )),
            Self::Anonymous { auth_enabled: true } => Err(ApiError::Unauthenticated(format!(
                "this needs a bearer token with scope {}",
                permission.scope()
            ))),
            Self::Authenticated(p) if p.can(permission) => Ok(p),
            Self::Authenticated(_) => Err(ApiError::Forbidden(format!(
                "the token lacks the {} permission",
                permission.scope()
            ))),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    roles: Option<Vec<String>>,
}

/// Maps `scope` and `roles` claims to permissions; unknown values grant nothing.
fn permissions(scope: Option<&str>, roles: Option<&[String]>) -> BTreeSet<Permission> {
    use Permission::*;
    let mut set = BTreeSet::new();
    for s in scope.unwrap_or_default().split_whitespace() {
        match s {
            "content:read" => set.insert(Read),
            "content:write" => set.insert(Write),
            "content:publish" => set.insert(Publish),
            "content:delete" => set.insert(Delete),
            _ => false,
        };
    }
    for r in roles.unwrap_or_default() {
        let granted: &[Permission] = match r.to_ascii_lowercase().as_str() {
            "viewer" => &[Read],
            "editor" => &[Read, Write],
            "publisher" => &[Read, Write, Publish],
            "admin" => &[Read, Write, Publish, Delete],
            _ => &[],
        };
        set.extend(granted.iter().copied());
    }
    if !set.is_empty() {
        set.insert(Read);
    }
    set
}

enum Verifier {
    None,
    Static {
        key: DecodingKey,
        algorithm: Algorithm,
    },
    Jwks(jwks::JwksCache),
}

/// Verifies tokens against the configured key.
pub struct Authenticator {
    verifier: Verifier,
    settings: AuthSettings,
}

impl Authenticator {
    /// Builds the verifier, reading a PEM file if configured; fails at start-up, not per request.
    pub fn new(settings: &AuthSettings) -> Result<Self, ConfigError> {
        let verifier = match &settings.key {
            KeySource::None => Verifier::None,
            KeySource::Secret(secret) => Verifier::Static {
                key: DecodingKey::from_secret(secret.expose_secret().as_bytes()),
                algorithm: Algorithm::HS256,
            },
            KeySource::PublicKeyFile(path) => {
                let pem = std::fs::read(path).map_err(|e| ConfigError::PublicKeyUnreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                let (key, algorithm) = DecodingKey::from_rsa_pem(&pem)
                    .map(|k| (k, Algorithm::RS256))
                    .or_else(|_| DecodingKey::from_ec_pem(&pem).map(|k| (k, Algorithm::ES256)))
                    .or_else(|_| DecodingKey::from_ed_pem(&pem).map(|k| (k, Algorithm::EdDSA)))
                    .map_err(|_| ConfigError::PublicKeyFormat)?;
                Verifier::Static { key, algorithm }
            }
            KeySource::JwksUrl(url) => Verifier::Jwks(jwks::JwksCache::new(
                url.clone(),
                JWKS_TTL,
                settings.jwks_min_refresh,
            )),
        };
        Ok(Self {
            verifier,
            settings: settings.clone(),
        })
    }

    /// Whether tokens can be verified at all.
    pub fn enabled(&self) -> bool {
        !matches!(self.verifier, Verifier::None)
    }

    /// The caller of a request with this `Authorization` header value.
    pub async fn caller(&self, authorization: Option<&str>) -> ApiResult<Caller> {
        let Some(header) = authorization else {
            return Ok(Caller::Anonymous {
                auth_enabled: self.enabled(),
            });
        };
        // RFC 7235: the scheme is case-insensitive.
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthenticated("Authorization must be `Bearer <token>`".into())
            })?;
        if token.len() > 8 * 1024 {
            return Err(ApiError::Unauthenticated("token too large".into()));
        }
        let (key, algorithm) = match &self.verifier {
            Verifier::None => {
                return Err(ApiError::Unauthenticated(
                    "a token was presented but the server has no JWT key configured".into(),
                ));
            }
            Verifier::Static { key, algorithm } => (key.clone(), *algorithm),
            Verifier::Jwks(cache) => {
                let header = decode_header(token).map_err(|_| invalid())?;
                cache.key_for(header.kid.as_deref()).await?
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        // A configured issuer or audience must be present, not just match when present:
        // jsonwebtoken only compares claims it finds.
        let mut required = vec!["exp", "sub"];
        if self.settings.issuer.is_some() {
            required.push("iss");
        }
        if self.settings.audience.is_some() {
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        if let Some(iss) = &self.settings.issuer {
            validation.set_issuer(&[iss]);
        }
        match &self.settings.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::Unauthenticated("the token has expired".into())
                }
                ErrorKind::ImmatureSignature => ApiError::Unauthenticated(
                    "the token is not valid yet (its nbf is in the future)".into(),
                ),
                ErrorKind::InvalidIssuer => {
                    ApiError::Unauthenticated("the token's issuer is not accepted".into())
                }
                ErrorKind::InvalidAudience => {
                    ApiError::Unauthenticated("the token's audience is not accepted".into())
                }
                ErrorKind::MissingRequiredClaim(c) => {
                    ApiError::Unauthenticated(format!("the token lacks the required claim {c:?}"))
                }
                _ => invalid(),
            }
        })?;
        let claims = data.claims;
        if claims.sub.trim().is_empty()
            || claims.sub.len() > 200
            || claims.sub.chars().any(char::is_control)
        {
            return Err(ApiError::Unauthenticated(
                "the token's sub claim must be 1-200 characters".into(),
            ));
        }
        Ok(Caller::Authenticated(Principal {
            permissions: permissions(claims.scope.as_deref(), claims.roles.as_deref()),
            sub: claims.sub,
        }))
    }
}

fn invalid() -> ApiError {
    ApiError::Unauthenticated("the token is invalid".into())
}

/// How long JWKS keys are used before they are refreshed (in the background, still served
/// meanwhile).
pub(crate) const JWKS_TTL: Duration = Duration::from_secs(600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_roles_map_to_permissions() {
        use Permission::*;
        let p = permissions(Some("content:write content:publish other"), None);
        assert_eq!(p, BTreeSet::from([Read, Write, Publish]));
        let p = permissions(None, Some(&["Editor".to_owned()]));
        assert_eq!(p, BTreeSet::from([Read, Write]));
        assert!(permissions(Some("openid profile"), Some(&["guest".to_owned()])).is_empty());
        assert_eq!(permissions(None, Some(&["admin".to_owned()])).len(), 4);
    }

    #[test]
    fn missing_permission_is_forbidden_and_no_token_unauthenticated() {
        let editor = Caller::Authenticated(Principal {
            sub: "e".into(),
            permissions: BTreeSet::from([Permission::Read, Permission::Write]),
        });
        assert!(editor.require(Permission::Write).is_ok());
        assert_eq!(
            editor
                .require(Permission::Delete)
                .map(|_| ())
                .expect_err("no delete")
                .code(),
            "FORBIDDEN"
        );
        let anon = Caller::Anonymous { auth_enabled: true };
        assert_eq!(
            anon.require(Permission::Read)
                .map(|_| ())
                .expect_err("anon")
                .code(),
            "UNAUTHENTICATED"
        );
        let off = Caller::Anonymous {
            auth_enabled: false,
        };
        let err = off
            .require(Permission::Write)
            .map(|_| ())
            .expect_err("disabled");
        assert!(err.to_string().contains("JOBRISK_JWT_SECRET"));
    }
}
