//! What a studio handler answers when it fails: a page (or, for htmx and fetch requests, a
//! fragment) with the status the API's error code maps to, never a database message.

use api::ApiError;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// A failed studio request.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    /// From the services, with its code.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Rendering a template failed.
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// The request is not from a page of the studio (CSRF token, Origin, Sec-Fetch-Site).
    #[error("{0}")]
    Forgery(&'static str),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// What a browser may read of `e`: its text for the codes a client acts on, and "internal
/// error" otherwise (logged in full), since an internal error's text may name SQL, a path or
/// a setting.
pub fn client_message(e: &ApiError) -> String {
    match e.code() {
        "BAD_USER_INPUT"
        | "UNAUTHENTICATED"
        | "FORBIDDEN"
        | "NOT_FOUND"
        | "CONFLICT"
        | "RATE_LIMITED"
        | "SERVICE_UNAVAILABLE" => e.to_string(),
        _ => {
            tracing::error!(error = ?e, "studio request failed");
            "internal error".to_owned()
        }
    }
}

impl IntoResponse for StudioError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            Self::Api(e) => {
                let status = match e.code() {
                    "BAD_USER_INPUT" => StatusCode::UNPROCESSABLE_ENTITY,
                    "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
                    "FORBIDDEN" => StatusCode::FORBIDDEN,
                    "NOT_FOUND" => StatusCode::NOT_FOUND,
                    "CONFLICT" => StatusCode::CONFLICT,
                    "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
                    "SERVICE_UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, client_message(e))
            }
            Self::Template(e) => {
                tracing::error!(error = %e, "studio template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
            }
            Self::Forgery(why) => (StatusCode::FORBIDDEN, (*why).to_owned()),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| "internal error".into());
        let mut response = (status, Html(page)).into_response();
        if let Self::Api(ApiError::RateLimited { retry_after_secs }) = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// A studio handler's result.
pub type StudioResult<T> = Result<T, StudioError>;
