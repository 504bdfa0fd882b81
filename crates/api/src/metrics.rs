//! Every metric the server exports, declared once, so `/metrics` and the README agree.
//!
//! Each [`Application`](crate::Application) owns its own registry (no process-global recorder),
//! so several servers in one process (the tests) never mix their numbers.

use std::collections::HashSet;
use std::sync::Mutex;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sea_orm::DatabaseConnection;

/// Most distinct `operation` label values; later names are counted as `other`, so clients
/// cannot grow the label set (and the server's memory) by inventing operation names.
const MAX_OPERATION_LABELS: usize = 200;
/// Longest operation name kept as a label.
const MAX_OPERATION_NAME: usize = 64;

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// `jobrisk_http_requests_total{operation,outcome}`.
    http_requests: IntCounterVec,
    /// `jobrisk_http_request_duration_seconds{operation}`.
    http_duration: HistogramVec,
    /// `jobrisk_db_statements_total`.
    db_statements: IntCounter,
    /// `jobrisk_db_pool_connections{state}`.
    db_pool: IntGaugeVec,
    /// `jobrisk_rate_limited_total{limiter}`.
    rate_limited: IntCounterVec,
    /// `jobrisk_cache_hits_total`.
    cache_hits: IntCounter,
    /// `jobrisk_cache_misses_total`.
    cache_misses: IntCounter,
    /// `jobrisk_cache_bytes`.
    cache_bytes: IntGauge,
    operations: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Which rate limit refused a request.
#[derive(Debug, Clone, Copy)]
pub enum Limiter {
    /// Anonymous requests, per client IP.
    ClientIp,
    /// Mutations, per token subject.
    Subject,
}

impl Metrics {
    /// Registers every metric in a new registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        // The names and labels are constants: registering them cannot fail.
        let http_requests = IntCounterVec::new(
            Opts::new(
                "jobrisk_http_requests_total",
                "GraphQL requests by operation name and outcome (ok or the error code)",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "jobrisk_http_request_duration_seconds",
                "Time from receiving a GraphQL request to its answer being ready",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation"],
        )
        .expect("valid metric");
        let db_statements = IntCounter::new(
            "jobrisk_db_statements_total",
            "SQL statements sent to the database",
        )
        .expect("valid metric");
        let db_pool = IntGaugeVec::new(
            Opts::new(
                "jobrisk_db_pool_connections",
                "Database pool connections by state (idle, in_use, max)",
            ),
            &["state"],
        )
        .expect("valid metric");
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "jobrisk_rate_limited_total",
                "Requests refused by a rate limit (client_ip: anonymous, subject: mutations)",
            ),
            &["limiter"],
        )
        .expect("valid metric");
        let cache_hits = IntCounter::new(
            "jobrisk_cache_hits_total",
            "Anonymous queries answered from the response cache",
        )
        .expect("valid metric");
        let cache_misses = IntCounter::new(
            "jobrisk_cache_misses_total",
            "Anonymous queries the response cache could not answer (computed, or waited for)",
        )
        .expect("valid metric");
        let cache_bytes = IntGauge::new(
            "jobrisk_cache_bytes",
            "Bytes the response cache holds (answers, their keys and tags)",
        )
        .expect("valid metric");
        for collector in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(cache_hits.clone()),
            Box::new(cache_misses.clone()),
            Box::new(cache_bytes.clone()),
            Box::new(http_duration.clone()),
            Box::new(db_statements.clone()),
            Box::new(db_pool.clone()),
            Box::new(rate_limited.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        Self {
            registry,
            http_requests,
            http_duration,
            db_statements,
            db_pool,
            rate_limited,
            cache_hits,
            cache_misses,
            cache_bytes,
            operations: Mutex::new(HashSet::new()),
        }
    }

    /// The counter the database's statement callback increments.
    pub fn db_statements(&self) -> IntCounter {
        self.db_statements.clone()
    }

    /// Records one answered GraphQL request, with how long it took when it was handled at
    /// all (a request refused while its body was read has no meaningful duration).
    pub fn request(&self, operation: Option<&str>, outcome: &str, seconds: Option<f64>) {
        let operation = self.operation_label(operation);
        self.http_requests
            .with_label_values(&[operation.as_str(), outcome])
            .inc();
        if let Some(seconds) = seconds {
            self.http_duration
                .with_label_values(&[operation.as_str()])
                .observe(seconds);
        }
    }

    /// Records a request a rate limit refused.
    pub fn rate_limited(&self, limiter: Limiter) {
        let label = match limiter {
            Limiter::ClientIp => "client_ip",
            Limiter::Subject => "subject",
        };
        self.rate_limited.with_label_values(&[label]).inc();
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation else {
            return "anonymous".to_owned();
        };
        let plausible = !name.is_empty()
            && name.len() <= MAX_OPERATION_NAME
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !plausible {
            return "other".to_owned();
        }
        let Ok(mut known) = self.operations.lock() else {
            return "other".to_owned();
        };
        if known.contains(name) {
            return name.to_owned();
        }
        if known.len() < MAX_OPERATION_LABELS {
            known.insert(name.to_owned());
            return name.to_owned();
        }
        "other".to_owned()
    }

    /// The Prometheus text exposition of every metric, with the pool gauges and the response
    /// cache's figures (hits, misses, bytes) read now.
    pub fn render(&self, db: &DatabaseConnection, cache: Option<(u64, u64, u64)>) -> String {
        if let Some((hits, misses, bytes)) = cache {
            // The cache counts for itself; the counters catch up to it.
            self.cache_hits
                .inc_by(hits.saturating_sub(self.cache_hits.get()));
            self.cache_misses
                .inc_by(misses.saturating_sub(self.cache_misses.get()));
            self.cache_bytes
                .set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        if let Some((size, idle, max)) = pool_state(db) {
            self.db_pool.with_label_values(&["idle"]).set(idle);
            self.db_pool.with_label_values(&["in_use"]).set(size - idle);
            self.db_pool.with_label_values(&["max"]).set(max);
        }
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// (open connections, idle connections, maximum) of the pool.
fn pool_state(db: &DatabaseConnection) -> Option<(i64, i64, i64)> {
    use sea_orm::DatabaseBackend;
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => return None,
    };
    Some((i64::from(size), idle as i64, i64::from(max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        let m = Metrics::new();
        assert_eq!(m.operation_label(Some("Page")), "Page");
        assert_eq!(m.operation_label(None), "anonymous");
        assert_eq!(m.operation_label(Some("has space")), "other");
        assert_eq!(m.operation_label(Some(&"x".repeat(65))), "other");
        for i in 0..MAX_OPERATION_LABELS {
            m.operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(m.operation_label(Some("OneMore")), "other");
        assert_eq!(m.operation_label(Some("Page")), "Page");
    }
}
