//! The studio's pages, one module per group of routes.

pub mod account;
pub mod catalog;
pub mod changes;
mod common;
pub mod edit;
pub mod history;
pub mod merge;
pub mod roles;
pub mod users;

use axum::response::Html;

use crate::error::StudioResult;

/// Renders a template into an HTML answer.
pub(crate) fn html(t: &impl askama::Template) -> StudioResult<Html<String>> {
    Ok(Html(t.render()?))
}
