//! Configuration from environment variables, parsed once at start-up into a typed struct.

use std::net::SocketAddr;
use std::path::PathBuf;

use ipnet::IpNet;

use crate::error::ApiError;
use crate::graphql::cost::Limits;

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
    /// Limits every GraphQL document must stay within, checked before it runs.
    pub limits: Limits,
    /// Largest GraphQL document in bytes (`JOBRISK_MAX_QUERY_BYTES`).
    pub max_query_bytes: usize,
    /// Largest answer in bytes (`JOBRISK_MAX_RESPONSE_BYTES`); a larger one is replaced by an
    /// error.
    pub max_response_bytes: usize,
    /// Whether introspection is answered (`JOBRISK_INTROSPECTION`, default on).
    pub introspection: bool,
    /// Whether GET /graphql serves GraphiQL to browsers (`JOBRISK_GRAPHIQL`, default on).
    pub graphiql: bool,
    /// Request rate limits.
    pub rate_limit: RateLimitSettings,
    /// Proxies whose `X-Forwarded-For` is believed (`JOBRISK_TRUSTED_PROXIES`, CIDRs).
    pub trusted_proxies: Vec<IpNet>,
    /// Origins allowed to send credentialed cross-origin requests (`JOBRISK_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// How long in-flight requests may finish after SIGTERM (`JOBRISK_SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace_secs: u64,
    /// Log line format (`JOBRISK_LOG_FORMAT`: `text` or `json`).
    pub log_format: LogFormat,
    /// How long a request's DataLoader gathers keys before fetching, in milliseconds
    /// (`JOBRISK_BATCH_WINDOW_MS`, default 1): longer windows keep batches whole on a loaded
    /// machine at the cost of latency per nesting level.
    pub batch_window_ms: u64,
    /// How editors' tokens are verified.
    pub auth: AuthSettings,
}

/// Request rate limits; a rate of 0 turns that limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Anonymous requests per second per client IP (`JOBRISK_RATE_LIMIT_RPS`, default 50).
    pub anonymous_rps: u32,
    /// Anonymous requests a client IP may send at once (`JOBRISK_RATE_LIMIT_BURST`, default 100).
    pub anonymous_burst: u32,
    /// Mutations per second per token subject (`JOBRISK_WRITE_RATE_LIMIT_RPS`, default 10).
    pub write_rps: u32,
    /// Mutations a token subject may send at once (`JOBRISK_WRITE_RATE_LIMIT_BURST`, default 30).
    pub write_burst: u32,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
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
        let defaults = Limits::default();
        Ok(Self {
            embedded_default: database_url.is_none(),
            database_url: database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            listen,
            max_body_bytes: parse_number(&lookup, "JOBRISK_MAX_BODY_BYTES", 256 * 1024)?,
            request_timeout_secs: parse_number(&lookup, "JOBRISK_REQUEST_TIMEOUT_SECS", 15)?,
            limits: Limits {
                max_depth: parse_number(&lookup, "JOBRISK_MAX_DEPTH", defaults.max_depth)?,
                max_cost: parse_number(&lookup, "JOBRISK_MAX_COST", defaults.max_cost)?,
                max_aliases: parse_number(&lookup, "JOBRISK_MAX_ALIASES", defaults.max_aliases)?,
                max_root_fields: parse_number(
                    &lookup,
                    "JOBRISK_MAX_ROOT_FIELDS",
                    defaults.max_root_fields,
                )?,
                max_fields: parse_number(&lookup, "JOBRISK_MAX_FIELDS", defaults.max_fields)?,
            },
            max_query_bytes: parse_number(&lookup, "JOBRISK_MAX_QUERY_BYTES", 64 * 1024)?,
            max_response_bytes: parse_number(
                &lookup,
                "JOBRISK_MAX_RESPONSE_BYTES",
                4 * 1024 * 1024,
            )?,
            introspection: parse_switch(&lookup, "JOBRISK_INTROSPECTION", true)?,
            graphiql: parse_switch(&lookup, "JOBRISK_GRAPHIQL", true)?,
            rate_limit: RateLimitSettings {
                anonymous_rps: parse_number(&lookup, "JOBRISK_RATE_LIMIT_RPS", 50)?,
                anonymous_burst: parse_number(&lookup, "JOBRISK_RATE_LIMIT_BURST", 100)?,
                write_rps: parse_number(&lookup, "JOBRISK_WRITE_RATE_LIMIT_RPS", 10)?,
                write_burst: parse_number(&lookup, "JOBRISK_WRITE_RATE_LIMIT_BURST", 30)?,
            },
            trusted_proxies: parse_cidrs(&lookup, "JOBRISK_TRUSTED_PROXIES")?,
            cors_origins: parse_origins(&lookup, "JOBRISK_CORS_ORIGINS")?,
            shutdown_grace_secs: parse_number(&lookup, "JOBRISK_SHUTDOWN_GRACE_SECS", 20)?,
            log_format: match lookup("JOBRISK_LOG_FORMAT").as_deref().map(str::trim) {
                None | Some("") | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(ApiError::bad_input(
                        "JOBRISK_LOG_FORMAT",
                        format!("must be text or json, got {other:?}"),
                    ));
                }
            },
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

/// An on/off switch: `on`, `true`, `1` or `off`, `false`, `0`.
fn parse_switch(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: bool,
) -> Result<bool, ApiError> {
    match lookup(key)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => Err(ApiError::bad_input(
            key,
            format!("must be on or off, got {other:?}"),
        )),
    }
}

/// Comma-separated CIDRs (a bare address means just that address).
fn parse_cidrs(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Vec<IpNet>, ApiError> {
    let raw = lookup(key).unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ApiError::bad_input(
                        key,
                        format!("must be comma-separated CIDRs like 10.0.0.0/8, got {s:?}"),
                    )
                })
        })
        .collect()
}

/// Comma-separated origins like `https://example.com`.
fn parse_origins(
    lookup: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Vec<String>, ApiError> {
    let raw = lookup(key).unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.trim_end_matches('/');
            let host = s
                .strip_prefix("https://")
                .or_else(|| s.strip_prefix("http://"));
            let valid = host.is_some_and(|h| {
                !h.is_empty()
                    && h.is_ascii()
                    && !h.contains(['/', '*', '?', '#'])
                    && !h.contains(char::is_whitespace)
            });
            if valid {
                Ok(s.to_owned())
            } else {
                Err(ApiError::bad_input(
                    key,
                    format!(
                        "must be comma-separated origins like https://app.example.com, got {s:?}"
                    ),
                ))
            }
        })
        .collect()
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
    fn limits_switches_and_lists_parse_and_name_their_variable() {
        let config = Config::from_lookup(|k| match k {
            "JOBRISK_MAX_COST" => Some("500".into()),
            "JOBRISK_INTROSPECTION" => Some("off".into()),
            "JOBRISK_TRUSTED_PROXIES" => Some("10.0.0.0/8, 192.168.1.1".into()),
            "JOBRISK_CORS_ORIGINS" => Some("https://a.example, http://localhost:3000/".into()),
            "JOBRISK_LOG_FORMAT" => Some("json".into()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(config.limits.max_cost, 500);
        assert_eq!(config.limits.max_depth, Limits::default().max_depth);
        assert!(!config.introspection && config.graphiql);
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(
            config.cors_origins,
            ["https://a.example", "http://localhost:3000"]
        );
        assert_eq!(config.log_format, LogFormat::Json);
        for (key, value) in [
            ("JOBRISK_MAX_COST", "lots"),
            ("JOBRISK_INTROSPECTION", "maybe"),
            ("JOBRISK_TRUSTED_PROXIES", "10.0.0.0/99"),
            ("JOBRISK_CORS_ORIGINS", "*"),
            ("JOBRISK_CORS_ORIGINS", "https://a.example/path"),
            ("JOBRISK_LOG_FORMAT", "xml"),
        ] {
            let err =
                Config::from_lookup(|k| (k == key).then(|| value.to_owned())).expect_err("invalid");
            assert!(err.to_string().starts_with(key), "{key}={value}: {err}");
        }
    }

    #[test]
    fn a_bad_listen_address_names_the_variable() {
        let err = Config::from_lookup(|k| (k == "JOBRISK_LISTEN").then(|| "nope".into()))
            .expect_err("invalid");
        assert!(err.to_string().starts_with("JOBRISK_LISTEN:"));
    }
}
