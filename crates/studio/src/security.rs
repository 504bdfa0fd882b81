//! Headers of every studio answer: a strict Content-Security-Policy (no inline script or
//! style, nothing from another origin), `no-store` on pages (they show drafts), and the
//! endpoint browsers report policy violations to.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The studio's policy: the list, plus where violations are reported.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; report-uri /studio/csp-report";

/// Adds the policy, and `no-store` to everything but the fingerprinted assets.
pub async fn headers(request: Request, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/studio/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    // Under the API's `no-referrer`, Chromium sends `Origin: null` with form posts, which
    // the origin check must refuse; `same-origin` keeps the origin and still tells no
    // other site where the editor was.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `POST /studio/csp-report`: logs each report, so tests and operators see violations.
pub async fn csp_report(body: Bytes) -> StatusCode {
    let report = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
    tracing::warn!(%report, "csp violation reported");
    StatusCode::NO_CONTENT
}
