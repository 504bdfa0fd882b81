//! jobrisk's API: the GraphQL schema, resolvers, services and HTTP server.

pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod reference;
// The demo loader writes the way the service layer does, in one transaction of its own.
#[allow(clippy::disallowed_methods)]
pub mod seed;
pub mod server;
// The one layer that queries and opens transactions (see clippy.toml).
#[allow(clippy::disallowed_methods)]
pub mod service;

pub use config::Config;
pub use error::{ApiError, ApiResult};
pub use server::Application;
