//! Middleware every answer passes through: request ids, access logs, CORS and security headers.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response, header};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// `X-Request-Id`: taken from the request when a proxy set one, else a new UUID; echoed on the
/// answer and recorded on every log line of the request.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The policy for answers that are not HTML: nothing may load, nothing may frame them.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Wraps `router` in the middleware stack, outermost last.
pub fn apply<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    cors_origins: &[String],
) -> Router<S> {
    router
        // gzip, br or zstd as Accept-Encoding asks (and Vary: Accept-Encoding). Level 4 of
        // each: brotli's default (11) costs milliseconds per list answer, level 4 a fraction
        // of serializing it, for nearly the same size on JSON.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The studio sets `same-origin`: its forms need a real `Origin`, which Chromium
        // sends as `null` under `no-referrer`.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(cors(cors_origins))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-");
                    // The path only: query strings may hold variables, and headers tokens.
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_request(())
                .on_response(|response: &Response<_>, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = response.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "answered"
                    );
                }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Anonymous reads from any origin; tokens (the `Authorization` header) and credentials only
/// from the origins listed in `JOBRISK_CORS_ORIGINS`.
fn cors(origins: &[String]) -> CorsLayer {
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .expose_headers([REQUEST_ID, header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    if origins.is_empty() {
        return base.allow_origin(Any).allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID,
        ]);
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    base.allow_origin(AllowOrigin::list(list))
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::AUTHORIZATION,
            REQUEST_ID,
        ])
        .allow_credentials(true)
}
