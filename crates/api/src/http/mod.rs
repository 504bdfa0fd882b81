//! Everything between the socket and the schema, one file per concern; `server.rs` only assembles
//! the router from them.

pub mod documents;
pub mod graphiql;
pub mod graphql;
pub mod layers;
pub mod limits;
pub mod negotiate;
pub mod ops;
pub mod params;
pub mod persisted;
pub mod rate_limit;

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use sea_orm::DatabaseConnection;

use crate::auth::Authenticator;
use crate::graphql::AppSchema;
use crate::graphql::cost::{CostModel, Limits};
use crate::metrics::Metrics;
use rate_limit::RateLimits;

/// What every handler shares.
pub type AppState = Arc<Shared>;

/// The state behind [`AppState`].
pub struct Shared {
    /// The GraphQL schema, with the database and services as its data.
    pub schema: AppSchema,
    /// The cost model built from the schema.
    pub cost: CostModel,
    /// The database (for loaders and readiness).
    pub db: DatabaseConnection,
    /// Verifies bearer tokens.
    pub auth: Authenticator,
    /// The server's metrics.
    pub metrics: Arc<Metrics>,
    /// Rate limiters.
    pub rate_limits: RateLimits,
    /// Documents parsed before, by their text.
    pub documents: documents::Documents,
    /// Documents of automatic persisted queries, by their SHA-256.
    pub persisted: persisted::PersistedQueries,
    /// Anonymous answers, by what was asked (`None` when `JOBRISK_CACHE_MAX_BYTES=0`).
    pub cache: Option<crate::cache::ResponseCache>,
    /// Request handling settings.
    pub settings: Settings,
}

/// Request handling settings, from [`Config`](crate::Config).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Limits of a GraphQL document.
    pub limits: Limits,
    /// Largest document in bytes.
    pub max_query_bytes: usize,
    /// Largest answer in bytes.
    pub max_response_bytes: usize,
    /// Time a request may run.
    pub request_timeout: Duration,
    /// DataLoader batching window.
    pub batch_window: Duration,
    /// Whether introspection is answered.
    pub introspection: bool,
    /// Whether GET /graphql shows GraphiQL to browsers.
    pub graphiql: bool,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `Cache-Control` of anonymous answers.
    pub public_cache_control: axum::http::HeaderValue,
}
