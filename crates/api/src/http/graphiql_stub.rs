//! Temporary stand-in while GraphiQL is vendored.
use axum::response::{IntoResponse, Response};
/// Where assets are served.
pub const ASSET_PREFIX: &str = "/graphiql/4.1.2";
/// The page.
pub fn page() -> Response {
    axum::response::Html("<html></html>").into_response()
}
/// An asset.
pub fn asset(_name: &str) -> Response {
    axum::http::StatusCode::NOT_FOUND.into_response()
}
