//! Configuration from environment variables, parsed once at start-up into a typed struct.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::error::ApiError;

/// The SQLite database `serve` uses when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jobrisk.db?mode=rwc";
/// Where `serve` listens when `JOBRISK_LISTEN` is not set.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Server configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database connection URL (`DATABASE_URL`).
    pub database_url: String,
    /// True when `DATABASE_URL` was not set: the embedded default, seeded with demo content
    /// when empty.
    pub embedded_default: bool,
    /// Listen address (`JOBRISK_LISTEN`).
    pub listen: SocketAddr,
    /// Largest accepted request body in bytes (`JOBRISK_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// Per-request time limit in seconds (`JOBRISK_REQUEST_TIMEOUT_SECS`).
    pub request_timeout_secs: u64,
    /// How long a request's DataLoader gathers keys before fetching, in milliseconds
    /// (`JOBRISK_BATCH_WINDOW_MS`, default 1): longer windows keep batches whole on a loaded
    /// machine at the cost of latency per nesting level.
    pub batch_window_ms: u64,
    /// How editors' tokens are verified.
    pub auth: AuthSettings,
}

/// Where the key that verifies tokens comes from; at most one may be configured.
#[derive(Clone)]
pub enum KeySource {
    /// No key: reads work, writes are refused.
    None,
    /// HS256 shared secret (`JOBRISK_JWT_SECRET`).
    Secret(String),
    /// PEM public key file (`JOBRISK_JWT_PUBLIC_KEY`): RS256, ES256 or EdDSA.
    PublicKeyFile(PathBuf),
    /// JWKS URL (`JOBRISK_JWT_JWKS_URL`).
    JwksUrl(String),
}

impl std::fmt::Debug for KeySource {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Secret(_) => f.write_str("Secret(<redacted>)"),
            Self::PublicKeyFile(p) => write!(f, "PublicKeyFile({})", p.display()),
            Self::JwksUrl(u) => write!(f, "JwksUrl({u})"),
        }
    }
}

/// Token verification settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The verification key.
    pub key: KeySource,
    /// Required `iss` (`JOBRISK_JWT_ISSUER`), enforced when set.
    pub issuer: Option<String>,
    /// Required `aud` (`JOBRISK_JWT_AUDIENCE`), enforced when set.
    pub audience: Option<String>,
    /// Clock leeway in seconds for `exp` (`JOBRISK_JWT_LEEWAY_SECS`, default 30).
    pub leeway_secs: u64,
}

/// Shortest accepted HS256 secret, in bytes (RFC 7518 asks for at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

impl AuthSettings {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let sources: Vec<(&str, String)> = [
            "JOBRISK_JWT_SECRET",
            "JOBRISK_JWT_PUBLIC_KEY",
            "JOBRISK_JWT_JWKS_URL",
        ]
        .into_iter()
        .filter_map(|k| get(k).map(|v| (k, v)))
        .collect();
        let key = match sources.as_slice() {
            [] => KeySource::None,
            [("JOBRISK_JWT_SECRET", secret)] => {
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(ApiError::bad_input(
                        "JOBRISK_JWT_SECRET",
                        format!(
                            "must be at least {MIN_SECRET_BYTES} bytes (try `openssl rand -hex 32`)"
                        ),
                    ));
                }
                KeySource::Secret(secret.clone())
            }
            [("JOBRISK_JWT_PUBLIC_KEY", path)] => KeySource::PublicKeyFile(PathBuf::from(path)),
            [(_, url)] => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ApiError::bad_input(
                        "JOBRISK_JWT_JWKS_URL",
                        "must be an http or https URL",
                    ));
                }
                KeySource::JwksUrl(url.clone())
            }
            _ => {
                return Err(ApiError::bad_input(
                    sources[1].0,
                    format!(
                        "set only one of JOBRISK_JWT_SECRET, JOBRISK_JWT_PUBLIC_KEY, JOBRISK_JWT_JWKS_URL (also set: {})",
                        sources[0].0
                    ),
                ));
            }
        };
        Ok(Self {
            key,
            issuer: get("JOBRISK_JWT_ISSUER"),
            audience: get("JOBRISK_JWT_AUDIENCE"),
            leeway_secs: parse_number(lookup, "JOBRISK_JWT_LEEWAY_SECS", 30)?,
        })
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ApiError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        let database_url = lookup("DATABASE_URL").filter(|v| !v.trim().is_empty());
        let listen_raw = lookup("JOBRISK_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_raw.parse().map_err(|_| {
            ApiError::bad_input(
                "JOBRISK_LISTEN",
                format!("must be host:port, got {listen_raw:?}"),
            )
        })?;
        Ok(Self {
            embedded_default: database_url.is_none(),
            database_url: database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            listen,
            max_body_bytes: parse_number(&lookup, "JOBRISK_MAX_BODY_BYTES", 256 * 1024)?,
            request_timeout_secs: parse_number(&lookup, "JOBRISK_REQUEST_TIMEOUT_SECS", 15)?,
            batch_window_ms: parse_number(&lookup, "JOBRISK_BATCH_WINDOW_MS", 1)?,
            auth: AuthSettings::from_lookup(&lookup)?,
        })
    }
}

fn parse_number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> Result<T, ApiError> {
    match lookup(key) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| {
            ApiError::bad_input(key, format!("must be a positive integer, got {raw:?}"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_embedded_sqlite_database() {
        let config = Config::from_lookup(|_| None).expect("defaults are valid");
        assert!(config.embedded_default);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
    }

    #[test]
    fn an_explicit_database_url_is_not_the_embedded_default() {
        let config =
            Config::from_lookup(|k| (k == "DATABASE_URL").then(|| "postgres://x/y".into()))
                .expect("valid");
        assert!(!config.embedded_default);
    }

    #[test]
    fn auth_settings_refuse_short_secrets_and_two_key_sources() {
        let short = Config::from_lookup(|k| (k == "JOBRISK_JWT_SECRET").then(|| "short".into()));
        assert!(
            short
                .expect_err("short")
                .to_string()
                .starts_with("JOBRISK_JWT_SECRET:")
        );
        let both = Config::from_lookup(|k| match k {
            "JOBRISK_JWT_SECRET" => Some("x".repeat(40)),
            "JOBRISK_JWT_JWKS_URL" => Some("https://idp/jwks".into()),
            _ => None,
        });
        assert!(both.is_err());
        let ok = Config::from_lookup(|k| (k == "JOBRISK_JWT_SECRET").then(|| "x".repeat(40)))
            .expect("valid");
        assert!(
            !format!("{:?}", ok.auth).contains("xxxx"),
            "secret must not be logged"
        );
    }

    #[test]
    fn a_bad_listen_address_names_the_variable() {
        let err = Config::from_lookup(|k| (k == "JOBRISK_LISTEN").then(|| "nope".into()))
            .expect_err("invalid");
        assert!(err.to_string().starts_with("JOBRISK_LISTEN:"));
    }
}
