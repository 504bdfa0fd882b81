//! Operators' endpoints: liveness, readiness and metrics.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::db;

/// How long readiness waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// GET /healthz: the process is up and serving. Answers from the process alone, so a database
/// outage does not get healthy instances restarted.
pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// GET /readyz: the database answers and every migration is applied, so the instance may take
/// traffic.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let check = async {
        state.db.ping().await.map_err(crate::ApiError::from)?;
        db::pending_migrations(&state.db).await
    };
    let (status, body) = match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(0)) => (StatusCode::OK, json!({ "status": "ready" })),
        Ok(Ok(pending)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "reason": format!("{pending} migrations pending") }),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "readiness: database check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "status": "unavailable", "reason": "database unreachable" }),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "unavailable", "reason": "database did not answer in time" }),
        ),
    };
    (status, Json(body)).into_response()
}

/// GET /metrics: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let cache = match &state.cache {
        Some(cache) => Some((cache.hits(), cache.misses(), cache.bytes().await)),
        None => None,
    };
    let body = state.metrics.render(&state.db, cache);
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
