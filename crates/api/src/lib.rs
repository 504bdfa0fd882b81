//! jobrisk's API: the GraphQL schema, resolvers, services and HTTP server.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod seed;
pub mod server;
pub mod service;

pub use config::Config;
pub use error::{ApiError, ApiResult};
pub use server::Application;
