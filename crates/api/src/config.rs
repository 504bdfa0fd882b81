//! Configuration: every variable is declared once, as a clap argument with its environment
//! variable and default (so `jobrisk serve --help` lists them all), and parsed once at start-up
//! into a typed [`Config`].
//!
//! Each argument's `value_name` is its environment variable, so clap's refusal of a bad value
//! names the variable the operator set, not a `--flag` they never typed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgMatches, Args, FromArgMatches, ValueEnum};
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

use crate::graphql::cost::Limits;

/// The SQLite database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jobrisk.db?mode=rwc";
/// Where `serve` listens when `JOBRISK_LISTEN` is not set.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The log filter used when `JOBRISK_LOG` is not set.
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,sea_orm_migration=warn";
/// Shortest accepted HS256 secret, in bytes (RFC 7518 asks for at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

/// A configuration value that cannot be used; every variant names its variable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// A value that does not parse or is out of range.
    #[error("{variable}: {message}")]
    Invalid {
        /// The environment variable.
        variable: String,
        /// The rule that was broken.
        message: String,
    },
    /// More than one way to verify tokens was configured.
    #[error(
        "{variable}: set only one of JOBRISK_JWT_SECRET, JOBRISK_JWT_PUBLIC_KEY, JOBRISK_JWT_JWKS_URL (also set: {also})"
    )]
    SeveralKeySources {
        /// The second key variable that is set.
        variable: &'static str,
        /// The first one.
        also: &'static str,
    },
    /// The HS256 secret is too short to resist guessing.
    #[error(
        "JOBRISK_JWT_SECRET: must be at least {MIN_SECRET_BYTES} bytes (try `openssl rand -hex 32`)"
    )]
    ShortSecret,
    /// A command that signs tokens was run without a secret.
    #[error("JOBRISK_JWT_SECRET: must be set: {0}")]
    MissingSecret(&'static str),
    /// The JWKS URL is not http(s).
    #[error("JOBRISK_JWT_JWKS_URL: must be an http or https URL")]
    JwksUrlScheme,
    /// The public key file cannot be read.
    #[error("JOBRISK_JWT_PUBLIC_KEY: cannot read {path}: {reason}")]
    PublicKeyUnreadable {
        /// The configured path.
        path: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// The public key file holds no supported PEM public key.
    #[error(
        "JOBRISK_JWT_PUBLIC_KEY: must be a PEM public key: RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA)"
    )]
    PublicKeyFormat,
}

impl ConfigError {
    /// The environment variable the error is about.
    pub fn variable(&self) -> &str {
        match self {
            Self::Invalid { variable, .. } => variable,
            Self::SeveralKeySources { variable, .. } => variable,
            Self::ShortSecret | Self::MissingSecret(_) => "JOBRISK_JWT_SECRET",
            Self::JwksUrlScheme => "JOBRISK_JWT_JWKS_URL",
            Self::PublicKeyUnreadable { .. } | Self::PublicKeyFormat => "JOBRISK_JWT_PUBLIC_KEY",
        }
    }

    /// A clap refusal, renamed after the variable (the `value_name` of every argument).
    fn from_clap(err: &clap::Error) -> Self {
        use clap::error::{ContextKind, ContextValue};
        let variable = match err.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(arg)) => arg
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map_or_else(|| arg.clone(), |(name, _)| name.to_owned()),
            _ => "configuration".to_owned(),
        };
        let message = match std::error::Error::source(err) {
            Some(source) => source.to_string(),
            None => err
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned(),
        };
        Self::Invalid { variable, message }
    }
}

/// Where the data lives (`migrate` and `seed` need only this).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseArgs {
    /// Database URL (sqlite://... or postgres://...); the default is the embedded database,
    /// which `serve` fills with demo content when empty
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        value_parser = secret,
        hide_env_values = true
    )]
    pub database_url: SecretString,
}

impl DatabaseArgs {
    /// The URL, with an empty value meaning the default.
    pub fn url(&self) -> SecretString {
        let url = self.database_url.expose_secret().trim();
        SecretString::from(if url.is_empty() {
            DEFAULT_DATABASE_URL
        } else {
            url
        })
    }

    /// Whether this is the embedded SQLite database, which `serve` seeds when empty.
    pub fn is_embedded_default(&self) -> bool {
        self.url().expose_secret() == DEFAULT_DATABASE_URL
    }
}

/// The HTTP server and the requests it accepts.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Server")]
pub struct ServerArgs {
    /// Listen address (host:port)
    #[arg(long, env = "JOBRISK_LISTEN", value_name = "JOBRISK_LISTEN",
          default_value = DEFAULT_LISTEN, value_parser = socket_addr)]
    pub listen: SocketAddr,
    /// Largest request body in bytes; larger ones are answered 413
    #[arg(long, env = "JOBRISK_MAX_BODY_BYTES", value_name = "JOBRISK_MAX_BODY_BYTES",
          default_value_t = 256 * 1024, value_parser = positive::<usize>)]
    pub max_body_bytes: usize,
    /// Largest GraphQL document in bytes
    #[arg(long, env = "JOBRISK_MAX_QUERY_BYTES", value_name = "JOBRISK_MAX_QUERY_BYTES",
          default_value_t = 64 * 1024, value_parser = positive::<usize>)]
    pub max_query_bytes: usize,
    /// Largest answer in bytes; a larger one is replaced by a coded error
    #[arg(long, env = "JOBRISK_MAX_RESPONSE_BYTES", value_name = "JOBRISK_MAX_RESPONSE_BYTES",
          default_value_t = 4 * 1024 * 1024, value_parser = positive::<usize>)]
    pub max_response_bytes: usize,
    /// Time limit per request in seconds; slower requests are answered 503
    #[arg(long, env = "JOBRISK_REQUEST_TIMEOUT_SECS", value_name = "JOBRISK_REQUEST_TIMEOUT_SECS",
          default_value_t = 15, value_parser = positive::<u64>)]
    pub request_timeout_secs: u64,
    /// How long requests in flight may finish after SIGTERM, in seconds
    #[arg(long, env = "JOBRISK_SHUTDOWN_GRACE_SECS", value_name = "JOBRISK_SHUTDOWN_GRACE_SECS",
          default_value_t = 20, value_parser = whole::<u64>)]
    pub shutdown_grace_secs: u64,
    /// How long nested-field loaders gather keys before one batched query, in milliseconds
    #[arg(long, env = "JOBRISK_BATCH_WINDOW_MS", value_name = "JOBRISK_BATCH_WINDOW_MS",
          default_value_t = 1, value_parser = whole::<u64>)]
    pub batch_window_ms: u64,
    /// Age in days past which a cited source is flagged on the roles citing it (staleSources)
    #[arg(long, env = "JOBRISK_SOURCE_MAX_AGE_DAYS", value_name = "JOBRISK_SOURCE_MAX_AGE_DAYS",
          default_value_t = 730, value_parser = positive::<u32>)]
    pub source_max_age_days: u32,
    /// Whether introspection (__schema, __type) is answered: on or off
    #[arg(long, env = "JOBRISK_INTROSPECTION", value_name = "JOBRISK_INTROSPECTION",
          default_value = "on", value_parser = switch, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Whether GET /graphql serves GraphiQL to browsers: on or off
    #[arg(long, env = "JOBRISK_GRAPHIQL", value_name = "JOBRISK_GRAPHIQL",
          default_value = "on", value_parser = switch, action = clap::ArgAction::Set)]
    pub graphiql: bool,
    /// Comma-separated CIDRs of the proxies whose X-Forwarded-For is believed
    #[arg(long, env = "JOBRISK_TRUSTED_PROXIES", value_name = "JOBRISK_TRUSTED_PROXIES",
          value_parser = cidrs)]
    pub trusted_proxies: Option<CidrList>,
    /// Comma-separated origins that may send tokens and credentials cross-origin
    #[arg(long, env = "JOBRISK_CORS_ORIGINS", value_name = "JOBRISK_CORS_ORIGINS",
          value_parser = origins)]
    pub cors_origins: Option<OriginList>,
}

/// The response cache and HTTP caching of anonymous answers.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Caching")]
pub struct CacheArgs {
    /// Bytes of anonymous answers kept in memory (0: no response cache)
    #[arg(long, env = "JOBRISK_CACHE_MAX_BYTES", value_name = "JOBRISK_CACHE_MAX_BYTES",
          default_value_t = 64 * 1024 * 1024, value_parser = whole::<u64>)]
    pub cache_max_bytes: u64,
    /// Longest time an answer stays cached, in seconds, whatever the writes
    #[arg(long, env = "JOBRISK_CACHE_TTL_SECS", value_name = "JOBRISK_CACHE_TTL_SECS",
          default_value_t = 300, value_parser = positive::<u64>)]
    pub cache_ttl_secs: u64,
    /// Cache-Control max-age of anonymous answers, in seconds (browsers and CDNs)
    #[arg(long, env = "JOBRISK_CACHE_MAX_AGE_SECS", value_name = "JOBRISK_CACHE_MAX_AGE_SECS",
          default_value_t = 0, value_parser = whole::<u64>)]
    pub cache_max_age_secs: u64,
    /// Cache-Control stale-while-revalidate of anonymous answers, in seconds
    #[arg(long, env = "JOBRISK_CACHE_STALE_WHILE_REVALIDATE_SECS",
          value_name = "JOBRISK_CACHE_STALE_WHILE_REVALIDATE_SECS",
          default_value_t = 60, value_parser = whole::<u64>)]
    pub cache_stale_while_revalidate_secs: u64,
}

/// Webhook deliveries.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Webhooks")]
pub struct WebhookArgs {
    /// Whether webhooks may point at loopback, link-local and private addresses: true or false
    #[arg(long, env = "JOBRISK_WEBHOOK_ALLOW_PRIVATE", value_name = "JOBRISK_WEBHOOK_ALLOW_PRIVATE",
          default_value = "false", value_parser = switch, action = clap::ArgAction::Set)]
    pub webhook_allow_private: bool,
    /// Time limit of one delivery attempt, in seconds
    #[arg(long, env = "JOBRISK_WEBHOOK_TIMEOUT_SECS", value_name = "JOBRISK_WEBHOOK_TIMEOUT_SECS",
          default_value_t = 10, value_parser = positive::<u64>)]
    pub webhook_timeout_secs: u64,
    /// Deliveries a server sends at once
    #[arg(long, env = "JOBRISK_WEBHOOK_CONCURRENCY", value_name = "JOBRISK_WEBHOOK_CONCURRENCY",
          default_value_t = 8, value_parser = positive::<u32>)]
    pub webhook_concurrency: u32,
    /// How long a failing delivery is retried, in seconds, before it is marked failed
    #[arg(long, env = "JOBRISK_WEBHOOK_RETRY_SECS", value_name = "JOBRISK_WEBHOOK_RETRY_SECS",
          default_value_t = 86_400, value_parser = positive::<u64>)]
    pub webhook_retry_secs: u64,
}

/// The editor studio (`/studio`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Studio")]
pub struct StudioArgs {
    /// Whether to serve the editor studio under /studio: on or off (API only)
    #[arg(long, env = "JOBRISK_STUDIO", value_name = "JOBRISK_STUDIO",
          default_value = "on", value_parser = switch, action = clap::ArgAction::Set)]
    pub studio: bool,
    /// The studio's public origin, e.g. https://cms.example.com: the Origin browsers must send, and the base of OIDC redirects (default: the request's own host)
    #[arg(long, env = "JOBRISK_STUDIO_PUBLIC_URL", value_name = "JOBRISK_STUDIO_PUBLIC_URL", value_parser = origin)]
    pub studio_public_url: Option<String>,
    /// Whether studio users may sign in with a password: on or off (OIDC only)
    #[arg(long, env = "JOBRISK_LOCAL_LOGIN", value_name = "JOBRISK_LOCAL_LOGIN",
          default_value = "on", value_parser = switch, action = clap::ArgAction::Set)]
    pub local_login: bool,
    /// The site's own preview of a page, with {slug}, e.g. https://example.com/preview/{slug}; linked from the editor
    #[arg(long, env = "JOBRISK_STUDIO_PREVIEW_URL", value_name = "JOBRISK_STUDIO_PREVIEW_URL", value_parser = preview_url)]
    pub studio_preview_url: Option<String>,
    /// OpenID Connect issuer for studio sign-in, e.g. https://id.example.com/realms/cms (discovery at /.well-known/openid-configuration)
    #[arg(long, env = "JOBRISK_OIDC_ISSUER", value_name = "JOBRISK_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The studio's OIDC client id
    #[arg(
        long,
        env = "JOBRISK_OIDC_CLIENT_ID",
        value_name = "JOBRISK_OIDC_CLIENT_ID"
    )]
    pub oidc_client_id: Option<String>,
    /// The studio's OIDC client secret (a confidential client; never logged)
    #[arg(long, env = "JOBRISK_OIDC_CLIENT_SECRET", value_name = "JOBRISK_OIDC_CLIENT_SECRET", value_parser = secret, hide_env_values = true)]
    pub oidc_client_secret: Option<SecretString>,
    /// The ID token claim holding the user's roles; a dotted path such as realm_access.roles
    #[arg(
        long,
        env = "JOBRISK_OIDC_ROLES_CLAIM",
        value_name = "JOBRISK_OIDC_ROLES_CLAIM",
        default_value = "roles"
    )]
    pub oidc_roles_claim: String,
}

impl StudioArgs {
    /// The OIDC client, when an issuer is set; an issuer without a client id (or the reverse)
    /// is a configuration error.
    fn oidc(&self) -> Result<Option<OidcSettings>, ConfigError> {
        let issuer = non_empty(&self.oidc_issuer);
        let client_id = non_empty(&self.oidc_client_id);
        match (issuer, client_id) {
            (None, None) => Ok(None),
            (Some(issuer), Some(client_id)) => {
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    return Err(ConfigError::Invalid {
                        variable: "JOBRISK_OIDC_ISSUER".into(),
                        message: format!("must be an http(s) URL, got {issuer:?}"),
                    });
                }
                Ok(Some(OidcSettings {
                    issuer: issuer.trim_end_matches('/').to_owned(),
                    client_id,
                    client_secret: self.oidc_client_secret.clone(),
                    roles_claim: self.oidc_roles_claim.trim().to_owned(),
                }))
            }
            (Some(_), None) => Err(ConfigError::Invalid {
                variable: "JOBRISK_OIDC_CLIENT_ID".into(),
                message: "must be set with JOBRISK_OIDC_ISSUER".into(),
            }),
            (None, Some(_)) => Err(ConfigError::Invalid {
                variable: "JOBRISK_OIDC_ISSUER".into(),
                message: "must be set with JOBRISK_OIDC_CLIENT_ID".into(),
            }),
        }
    }
}

/// Request rate limits; a rate of 0 turns that limit off.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Rate limits")]
pub struct RateLimitArgs {
    /// Anonymous requests per second per client IP (0: no limit)
    #[arg(long, env = "JOBRISK_RATE_LIMIT_RPS", value_name = "JOBRISK_RATE_LIMIT_RPS",
          default_value_t = 50, value_parser = whole::<u32>)]
    pub rate_limit_rps: u32,
    /// Anonymous requests a client IP may send at once
    #[arg(long, env = "JOBRISK_RATE_LIMIT_BURST", value_name = "JOBRISK_RATE_LIMIT_BURST",
          default_value_t = 100, value_parser = positive::<u32>)]
    pub rate_limit_burst: u32,
    /// Mutations per second per token subject (0: no limit)
    #[arg(long, env = "JOBRISK_WRITE_RATE_LIMIT_RPS", value_name = "JOBRISK_WRITE_RATE_LIMIT_RPS",
          default_value_t = 10, value_parser = whole::<u32>)]
    pub write_rate_limit_rps: u32,
    /// Mutations a token subject may send at once
    #[arg(long, env = "JOBRISK_WRITE_RATE_LIMIT_BURST", value_name = "JOBRISK_WRITE_RATE_LIMIT_BURST",
          default_value_t = 30, value_parser = positive::<u32>)]
    pub write_rate_limit_burst: u32,
}

/// The limits every GraphQL document must stay within, checked before it runs (`jobrisk cost`
/// needs only these).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Query limits")]
pub struct LimitArgs {
    /// Largest cost of a document (list sizes times what each item asks for)
    #[arg(long, env = "JOBRISK_MAX_COST", value_name = "JOBRISK_MAX_COST",
          default_value_t = 50_000, value_parser = positive::<u64>)]
    pub max_cost: u64,
    /// Deepest data selection
    #[arg(long, env = "JOBRISK_MAX_DEPTH", value_name = "JOBRISK_MAX_DEPTH",
          default_value_t = 12, value_parser = positive::<usize>)]
    pub max_depth: usize,
    /// Most aliased fields, counted after expanding fragments (0: no aliases)
    #[arg(long, env = "JOBRISK_MAX_ALIASES", value_name = "JOBRISK_MAX_ALIASES",
          default_value_t = 30, value_parser = whole::<u64>)]
    pub max_aliases: u64,
    /// Most fields at the root of an operation
    #[arg(long, env = "JOBRISK_MAX_ROOT_FIELDS", value_name = "JOBRISK_MAX_ROOT_FIELDS",
          default_value_t = 20, value_parser = positive::<u64>)]
    pub max_root_fields: u64,
    /// Most fields after expanding fragments
    #[arg(long, env = "JOBRISK_MAX_FIELDS", value_name = "JOBRISK_MAX_FIELDS",
          default_value_t = 2_000, value_parser = positive::<u64>)]
    pub max_fields: u64,
}

impl LimitArgs {
    /// The limits as the cost analysis takes them.
    pub fn limits(&self) -> Limits {
        Limits {
            max_depth: self.max_depth,
            max_cost: self.max_cost,
            max_aliases: self.max_aliases,
            max_root_fields: self.max_root_fields,
            max_fields: self.max_fields,
        }
    }
}

/// How editors' tokens are verified (`jobrisk token` needs only these).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Tokens (editing)")]
pub struct AuthArgs {
    /// HS256 secret of at least 32 bytes (set at most one of the three key variables)
    #[arg(long, env = "JOBRISK_JWT_SECRET", value_name = "JOBRISK_JWT_SECRET",
          value_parser = secret, hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,
    /// PEM public key file: RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA)
    #[arg(long, env = "JOBRISK_JWT_PUBLIC_KEY", value_name = "JOBRISK_JWT_PUBLIC_KEY",
          value_parser = path)]
    pub jwt_public_key: Option<PathBuf>,
    /// JWKS URL; keys are cached, refreshed on an unknown kid and every 10 minutes
    #[arg(
        long,
        env = "JOBRISK_JWT_JWKS_URL",
        value_name = "JOBRISK_JWT_JWKS_URL",
        hide_env_values = true
    )]
    pub jwt_jwks_url: Option<String>,
    /// Least time between two JWKS fetches for unknown kids, in seconds
    #[arg(long, env = "JOBRISK_JWT_JWKS_MIN_REFRESH_SECS",
          value_name = "JOBRISK_JWT_JWKS_MIN_REFRESH_SECS",
          default_value_t = 10, value_parser = positive::<u64>)]
    pub jwt_jwks_min_refresh_secs: u64,
    /// Required iss claim, enforced when set
    #[arg(long, env = "JOBRISK_JWT_ISSUER", value_name = "JOBRISK_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required aud claim, enforced when set
    #[arg(
        long,
        env = "JOBRISK_JWT_AUDIENCE",
        value_name = "JOBRISK_JWT_AUDIENCE"
    )]
    pub jwt_audience: Option<String>,
    /// Clock leeway for exp and nbf, in seconds
    #[arg(long, env = "JOBRISK_JWT_LEEWAY_SECS", value_name = "JOBRISK_JWT_LEEWAY_SECS",
          default_value_t = 30, value_parser = whole::<u64>)]
    pub jwt_leeway_secs: u64,
}

/// Where log lines go and how they look.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Logging")]
pub struct LogArgs {
    /// Log filter in tracing's EnvFilter syntax, e.g. debug or info,api=debug
    #[arg(long, env = "JOBRISK_LOG", value_name = "JOBRISK_LOG",
          default_value = DEFAULT_LOG_FILTER)]
    pub log: String,
    /// Log line format: text, or json for one JSON object per line
    #[arg(long, env = "JOBRISK_LOG_FORMAT", value_name = "JOBRISK_LOG_FORMAT",
          value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Everything `serve` reads.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// HTTP server.
    #[command(flatten)]
    pub server: ServerArgs,
    /// Rate limits.
    #[command(flatten)]
    pub rate_limits: RateLimitArgs,
    /// Caching.
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Webhooks.
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// The editor studio.
    #[command(flatten)]
    pub studio: StudioArgs,
    /// Document limits.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Token verification.
    #[command(flatten)]
    pub auth: AuthArgs,
    /// Logging.
    #[command(flatten)]
    pub log: LogArgs,
}

/// Comma-separated CIDRs (a bare address means just that address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CidrList(pub Vec<IpNet>);

/// Comma-separated origins like `https://example.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginList(pub Vec<String>);

/// Server configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database connection URL (`DATABASE_URL`); a secret, since it may hold a password.
    pub database_url: SecretString,
    /// True for the embedded default database, seeded with demo content when empty.
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
    /// How long a request's DataLoader gathers keys before fetching, in milliseconds
    /// (`JOBRISK_BATCH_WINDOW_MS`, default 1): longer windows keep batches whole on a loaded
    /// machine at the cost of latency per nesting level.
    pub batch_window_ms: u64,
    /// Age past which a cited source is flagged (`JOBRISK_SOURCE_MAX_AGE_DAYS`, default 730).
    pub source_max_age_days: u32,
    /// How editors' tokens are verified.
    pub auth: AuthSettings,
    /// The response cache.
    pub cache: CacheSettings,
    /// Webhook deliveries.
    pub webhooks: WebhookSettings,
    /// The editor studio.
    pub studio: StudioSettings,
}

/// The editor studio's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioSettings {
    /// Whether `/studio` is served (`JOBRISK_STUDIO`, default on).
    pub enabled: bool,
    /// The public origin (`JOBRISK_STUDIO_PUBLIC_URL`), else the request's host.
    pub public_url: Option<String>,
    /// Whether passwords sign in (`JOBRISK_LOCAL_LOGIN`, default on).
    pub local_login: bool,
    /// The site's preview URL with `{slug}` (`JOBRISK_STUDIO_PREVIEW_URL`).
    pub preview_url: Option<String>,
    /// OpenID Connect sign-in, when configured.
    pub oidc: Option<OidcSettings>,
}

/// The studio's OpenID Connect client.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL (`JOBRISK_OIDC_ISSUER`).
    pub issuer: String,
    /// The client id (`JOBRISK_OIDC_CLIENT_ID`).
    pub client_id: String,
    /// The client secret (`JOBRISK_OIDC_CLIENT_SECRET`).
    pub client_secret: Option<SecretString>,
    /// The dotted path of the roles claim (`JOBRISK_OIDC_ROLES_CLAIM`, default `roles`).
    pub roles_claim: String,
}

impl PartialEq for OidcSettings {
    fn eq(&self, other: &Self) -> bool {
        self.issuer == other.issuer
            && self.client_id == other.client_id
            && self.roles_claim == other.roles_claim
            && self.client_secret.as_ref().map(ExposeSecret::expose_secret)
                == other
                    .client_secret
                    .as_ref()
                    .map(ExposeSecret::expose_secret)
    }
}

impl Eq for OidcSettings {}

impl Default for StudioSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            public_url: None,
            local_login: true,
            preview_url: None,
            oidc: None,
        }
    }
}

/// How webhooks are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Whether endpoints may be internal addresses (`JOBRISK_WEBHOOK_ALLOW_PRIVATE`, default false).
    pub allow_private: bool,
    /// Time limit of one attempt (`JOBRISK_WEBHOOK_TIMEOUT_SECS`, default 10).
    pub timeout: Duration,
    /// Attempts a server makes at once (`JOBRISK_WEBHOOK_CONCURRENCY`, default 8).
    pub concurrency: u32,
    /// How long a delivery is retried (`JOBRISK_WEBHOOK_RETRY_SECS`, default a day).
    pub retry_for: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            concurrency: 8,
            retry_for: Duration::from_secs(86_400),
        }
    }
}

/// The response cache of anonymous answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// Bytes of answers kept at most (`JOBRISK_CACHE_MAX_BYTES`, default 64 MiB; 0: no cache).
    pub max_bytes: u64,
    /// Longest time an answer is kept (`JOBRISK_CACHE_TTL_SECS`, default 300).
    pub ttl: Duration,
    /// `max-age` of anonymous answers (`JOBRISK_CACHE_MAX_AGE_SECS`, default 0: revalidate).
    pub max_age_secs: u64,
    /// `stale-while-revalidate` of anonymous answers
    /// (`JOBRISK_CACHE_STALE_WHILE_REVALIDATE_SECS`, default 60).
    pub stale_while_revalidate_secs: u64,
}

impl CacheSettings {
    /// `Cache-Control` of anonymous answers.
    pub fn public_cache_control(&self) -> String {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            self.max_age_secs, self.stale_while_revalidate_secs
        )
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Where the key that verifies tokens comes from; at most one may be configured.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// No key: reads work, writes are refused.
    None,
    /// HS256 shared secret (`JOBRISK_JWT_SECRET`).
    Secret(SecretString),
    /// PEM public key file (`JOBRISK_JWT_PUBLIC_KEY`): RS256, ES256 or EdDSA.
    PublicKeyFile(PathBuf),
    /// JWKS URL (`JOBRISK_JWT_JWKS_URL`).
    JwksUrl(String),
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
    /// Clock leeway in seconds for `exp` and `nbf` (`JOBRISK_JWT_LEEWAY_SECS`, default 30).
    pub leeway_secs: u64,
    /// Least time between JWKS fetches for unknown kids (`JOBRISK_JWT_JWKS_MIN_REFRESH_SECS`).
    pub jwks_min_refresh: Duration,
}

impl AuthArgs {
    /// The settings, after the checks that involve several variables.
    pub fn settings(&self) -> Result<AuthSettings, ConfigError> {
        let secret = self
            .jwt_secret
            .as_ref()
            .filter(|s| !s.expose_secret().trim().is_empty());
        let public_key = self
            .jwt_public_key
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty());
        let jwks_url = non_empty(&self.jwt_jwks_url);
        let set: Vec<&'static str> = [
            (secret.is_some(), "JOBRISK_JWT_SECRET"),
            (public_key.is_some(), "JOBRISK_JWT_PUBLIC_KEY"),
            (jwks_url.is_some(), "JOBRISK_JWT_JWKS_URL"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect();
        if let [also, variable, ..] = set[..] {
            return Err(ConfigError::SeveralKeySources { variable, also });
        }
        let key = if let Some(secret) = secret {
            if secret.expose_secret().len() < MIN_SECRET_BYTES {
                return Err(ConfigError::ShortSecret);
            }
            KeySource::Secret(secret.clone())
        } else if let Some(path) = public_key {
            KeySource::PublicKeyFile(path.clone())
        } else if let Some(url) = jwks_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::JwksUrlScheme);
            }
            KeySource::JwksUrl(url)
        } else {
            KeySource::None
        };
        Ok(AuthSettings {
            key,
            issuer: non_empty(&self.jwt_issuer),
            audience: non_empty(&self.jwt_audience),
            leeway_secs: self.jwt_leeway_secs,
            jwks_min_refresh: Duration::from_secs(self.jwt_jwks_min_refresh_secs),
        })
    }

    /// Reads the token settings through `lookup` (see [`Config::from_lookup`]).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        parse_lookup(&lookup)
    }
}

impl ServeArgs {
    /// The typed configuration, after the checks that involve several variables.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let server = &self.server;
        let rates = &self.rate_limits;
        Ok(Config {
            database_url: self.database.url(),
            embedded_default: self.database.is_embedded_default(),
            listen: server.listen,
            max_body_bytes: server.max_body_bytes,
            request_timeout_secs: server.request_timeout_secs,
            limits: self.limits.limits(),
            max_query_bytes: server.max_query_bytes,
            max_response_bytes: server.max_response_bytes,
            introspection: server.introspection,
            graphiql: server.graphiql,
            rate_limit: RateLimitSettings {
                anonymous_rps: rates.rate_limit_rps,
                anonymous_burst: rates.rate_limit_burst,
                write_rps: rates.write_rate_limit_rps,
                write_burst: rates.write_rate_limit_burst,
            },
            trusted_proxies: server.trusted_proxies.clone().unwrap_or_default().0,
            cors_origins: server.cors_origins.clone().unwrap_or_default().0,
            shutdown_grace_secs: server.shutdown_grace_secs,
            batch_window_ms: server.batch_window_ms,
            source_max_age_days: server.source_max_age_days,
            auth: self.auth.settings()?,
            cache: CacheSettings {
                max_bytes: self.cache.cache_max_bytes,
                ttl: Duration::from_secs(self.cache.cache_ttl_secs),
                max_age_secs: self.cache.cache_max_age_secs,
                stale_while_revalidate_secs: self.cache.cache_stale_while_revalidate_secs,
            },
            webhooks: WebhookSettings {
                allow_private: self.webhooks.webhook_allow_private,
                timeout: Duration::from_secs(self.webhooks.webhook_timeout_secs),
                concurrency: self.webhooks.webhook_concurrency,
                retry_for: Duration::from_secs(self.webhooks.webhook_retry_secs),
            },
            studio: StudioSettings {
                enabled: self.studio.studio,
                public_url: self.studio.studio_public_url.clone(),
                local_login: self.studio.local_login,
                preview_url: self.studio.studio_preview_url.clone(),
                oidc: self.studio.oidc()?,
            },
        })
    }
}

impl Config {
    /// Reads configuration through `lookup`, which maps environment variable names to values,
    /// with the same declarations `jobrisk serve` uses; the process environment is not read, so
    /// tests need not touch it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        parse_lookup::<ServeArgs>(&lookup)?.config()
    }
}

/// Parses `A` from the values `lookup` gives for its arguments' environment variables, passed
/// as `--long=value` so they meet the same parsers and ranges as the real environment.
fn parse_lookup<A: Args + FromArgMatches>(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<A, ConfigError> {
    let command = A::augment_args(clap::Command::new("jobrisk").no_binary_name(true));
    let argv: Vec<String> = command
        .get_arguments()
        .filter_map(|arg| {
            let variable = arg.get_env()?.to_str()?;
            let value = lookup(variable)?;
            Some(format!("--{}={value}", arg.get_long()?))
        })
        .collect();
    // `env` captured the process environment when the command was built: drop it, so only
    // `lookup` counts.
    let command = command.mut_args(|arg| arg.env(None::<&'static str>));
    let matches: ArgMatches = command
        .try_get_matches_from(argv)
        .map_err(|e| ConfigError::from_clap(&e))?;
    A::from_arg_matches(&matches).map_err(|e| ConfigError::from_clap(&e))
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

// Value parsers. clap adds which argument (and so which variable) the message is about.

fn secret(raw: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(raw.to_owned()))
}

/// Any path; an empty one means unset (clap's own parser refuses it).
fn path(raw: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(raw))
}

fn socket_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("must be host:port like 127.0.0.1:8080, got {raw:?}"))
}

/// A whole number, 0 included.
fn whole<T: std::str::FromStr>(raw: &str) -> Result<T, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("must be a whole number (0 or more), got {raw:?}"))
}

/// A whole number of at least 1: a limit or timeout of 0 would refuse everything.
fn positive<T: std::str::FromStr + Default + PartialEq>(raw: &str) -> Result<T, String> {
    match raw.trim().parse::<T>() {
        Ok(n) if n != T::default() => Ok(n),
        _ => Err(format!("must be a whole number of at least 1, got {raw:?}")),
    }
}

/// An on/off switch: `on`, `true`, `1` or `off`, `false`, `0`.
fn switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(format!("must be on or off, got {raw:?}")),
    }
}

fn cidrs(raw: &str) -> Result<CidrList, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| format!("must be comma-separated CIDRs like 10.0.0.0/8, got {s:?}"))
        })
        .collect::<Result<_, _>>()
        .map(CidrList)
}

/// One origin like `https://cms.example.com` (no path).
fn origin(raw: &str) -> Result<String, String> {
    let list = origins(raw)?;
    match list.0.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "must be one origin like https://cms.example.com, got {raw:?}"
        )),
    }
}

/// An http(s) URL template holding `{slug}`.
fn preview_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
        && raw.contains("{slug}")
        && !raw.contains(char::is_whitespace);
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "must be an http(s) URL holding {{slug}}, like https://example.com/preview/{{slug}}, got {raw:?}"
        ))
    }
}

fn origins(raw: &str) -> Result<OriginList, String> {
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
                Err(format!(
                    "must be comma-separated origins like https://app.example.com, got {s:?}"
                ))
            }
        })
        .collect::<Result<_, _>>()
        .map(OriginList)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(key: &'static str, value: &str) -> Result<Config, ConfigError> {
        let value = value.to_owned();
        Config::from_lookup(move |k| (k == key).then(|| value.clone()))
    }

    #[test]
    fn defaults_to_the_embedded_sqlite_database() {
        let config = Config::from_lookup(|_| None).expect("defaults are valid");
        assert!(config.embedded_default);
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.max_body_bytes, 256 * 1024);
        assert_eq!(config.request_timeout_secs, 15);
        assert_eq!(
            config.rate_limit,
            RateLimitSettings {
                anonymous_rps: 50,
                anonymous_burst: 100,
                write_rps: 10,
                write_burst: 30
            }
        );
        assert_eq!(config.auth.jwks_min_refresh, Duration::from_secs(10));
        assert!(matches!(config.auth.key, KeySource::None));
        let blank = only("DATABASE_URL", " ").expect("blank means the default");
        assert!(blank.embedded_default);
    }

    #[test]
    fn an_explicit_database_url_is_not_the_embedded_default() {
        let config = only("DATABASE_URL", "postgres://x/y").expect("valid");
        assert!(!config.embedded_default);
    }

    #[test]
    fn debug_shows_neither_the_database_url_nor_the_secret() {
        let config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some("postgres://admin:hunter2-db@db/jobrisk".into()),
            "JOBRISK_JWT_SECRET" => Some("s3cret-".repeat(6)),
            _ => None,
        })
        .expect("valid");
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }

    #[test]
    fn auth_settings_refuse_short_secrets_and_two_key_sources() {
        let short = only("JOBRISK_JWT_SECRET", "short").expect_err("short");
        assert_eq!(short, ConfigError::ShortSecret);
        assert!(short.to_string().starts_with("JOBRISK_JWT_SECRET:"));
        let both = Config::from_lookup(|k| match k {
            "JOBRISK_JWT_SECRET" => Some("x".repeat(40)),
            "JOBRISK_JWT_JWKS_URL" => Some("https://idp/jwks".into()),
            _ => None,
        })
        .expect_err("two keys");
        assert_eq!(both.variable(), "JOBRISK_JWT_JWKS_URL");
        assert!(both.to_string().contains("JOBRISK_JWT_SECRET"), "{both}");
        let ftp = only("JOBRISK_JWT_JWKS_URL", "ftp://idp/jwks").expect_err("scheme");
        assert_eq!(ftp.variable(), "JOBRISK_JWT_JWKS_URL");
        // Blank key variables are unset, as before.
        let blank = only("JOBRISK_JWT_PUBLIC_KEY", "").expect("blank is unset");
        assert!(matches!(blank.auth.key, KeySource::None));
        let ok = only("JOBRISK_JWT_SECRET", &"x".repeat(40)).expect("valid");
        assert!(matches!(ok.auth.key, KeySource::Secret(_)));
    }

    #[test]
    fn limits_switches_and_lists_parse() {
        let config = Config::from_lookup(|k| match k {
            "JOBRISK_MAX_COST" => Some("500".into()),
            "JOBRISK_INTROSPECTION" => Some("off".into()),
            "JOBRISK_TRUSTED_PROXIES" => Some("10.0.0.0/8, 192.168.1.1".into()),
            "JOBRISK_CORS_ORIGINS" => Some("https://a.example, http://localhost:3000/".into()),
            "JOBRISK_LOG_FORMAT" => Some("json".into()),
            "JOBRISK_RATE_LIMIT_RPS" => Some("0".into()),
            "JOBRISK_JWT_JWKS_MIN_REFRESH_SECS" => Some("2".into()),
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
        assert_eq!(config.rate_limit.anonymous_rps, 0, "0 turns the limit off");
        assert_eq!(config.auth.jwks_min_refresh, Duration::from_secs(2));
    }

    #[test]
    fn bad_values_are_refused_naming_their_variable() {
        for (key, value) in [
            ("JOBRISK_MAX_COST", "lots"),
            ("JOBRISK_MAX_COST", "0"),
            ("JOBRISK_REQUEST_TIMEOUT_SECS", "0"),
            ("JOBRISK_REQUEST_TIMEOUT_SECS", "-1"),
            ("JOBRISK_MAX_BODY_BYTES", "0"),
            ("JOBRISK_MAX_BODY_BYTES", "-262144"),
            ("JOBRISK_RATE_LIMIT_BURST", "0"),
            ("JOBRISK_RATE_LIMIT_RPS", "-5"),
            ("JOBRISK_SHUTDOWN_GRACE_SECS", "soon"),
            ("JOBRISK_JWT_JWKS_MIN_REFRESH_SECS", "0"),
            ("JOBRISK_INTROSPECTION", "maybe"),
            ("JOBRISK_TRUSTED_PROXIES", "10.0.0.0/99"),
            ("JOBRISK_CORS_ORIGINS", "*"),
            ("JOBRISK_CORS_ORIGINS", "https://a.example/path"),
            ("JOBRISK_LOG_FORMAT", "xml"),
            ("JOBRISK_LISTEN", "nope"),
        ] {
            let err = only(key, value).expect_err("invalid");
            assert_eq!(err.variable(), key, "{key}={value}: {err}");
            assert!(
                err.to_string().starts_with(&format!("{key}: ")),
                "{key}={value}: {err}"
            );
        }
    }

    #[test]
    fn every_argument_has_a_variable_and_a_value_name_that_is_that_variable() {
        use clap::CommandFactory as _;
        #[derive(clap::Parser)]
        struct Serve {
            #[command(flatten)]
            args: ServeArgs,
        }
        let command = Serve::command();
        for arg in command.get_arguments() {
            if arg.get_id() == "help" {
                continue;
            }
            let env = arg.get_env().and_then(|e| e.to_str());
            let names = arg.get_value_names().unwrap_or_default();
            assert!(env.is_some(), "{} has no env", arg.get_id());
            assert_eq!(names.len(), 1, "{}", arg.get_id());
            assert_eq!(Some(names[0].as_str()), env, "{}", arg.get_id());
        }
    }
}
