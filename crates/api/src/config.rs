//! Configuration from environment variables, parsed once at start-up into a typed struct.

use std::net::SocketAddr;

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
    fn a_bad_listen_address_names_the_variable() {
        let err = Config::from_lookup(|k| (k == "JOBRISK_LISTEN").then(|| "nope".into()))
            .expect_err("invalid");
        assert!(err.to_string().starts_with("JOBRISK_LISTEN:"));
    }
}
