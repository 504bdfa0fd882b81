//! Issuing HS256 tokens for local use and scripts (`jobrisk token`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use secrecy::ExposeSecret;

use crate::config::{AuthSettings, ConfigError, KeySource};
use crate::error::{ApiError, ApiResult};

/// Signs a token for `sub` with `scope`, valid for `ttl`, with the configured HS256 secret
/// (and issuer and audience, when configured, so the server accepts it).
pub fn issue(settings: &AuthSettings, sub: &str, scope: &str, ttl: Duration) -> ApiResult<String> {
    let KeySource::Secret(secret) = &settings.key else {
        return Err(ConfigError::MissingSecret("jobrisk token signs with the HS256 secret").into());
    };
    if sub.trim().is_empty() {
        return Err(ApiError::bad_input("--sub", "must not be empty"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| ApiError::Internal(format!("clock before 1970: {e}")))?
        .as_secs();
    let mut claims = json!({ "sub": sub, "scope": scope, "iat": now, "exp": now + ttl.as_secs() });
    if let Some(iss) = &settings.issuer {
        claims["iss"] = json!(iss);
    }
    if let Some(aud) = &settings.audience {
        claims["aud"] = json!(aud);
    }
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.expose_secret().as_bytes()),
    )
    .map_err(|e| ApiError::Internal(format!("signing failed: {e}")))
}
