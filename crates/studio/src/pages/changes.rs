//! `/studio/roles/{slug}/changes`: the working copy against the live page, field by field,
//! with the score before and after; and the actions on it: publish (in edit.rs), schedule,
//! cancel a schedule, discard.

use api::ApiError;
use api::auth::Permission;
use api::auth::permit::{Publish, Read, Write};
use api::service::schedules::{self, Action};
use api::service::working;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone, Utc};

use super::common::to_saved;
use super::html;
use crate::diff::{self, Change};
use crate::error::StudioResult;
use crate::form::Fields;
use crate::session::Signed;
use crate::view::Chrome;

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    chrome: Chrome,
    slug: String,
    title: String,
    version: i32,
    published_version: Option<i32>,
    changes: Vec<Change>,
    score_before: Option<u8>,
    score_after: u8,
    schedule: Option<String>,
    can_write: bool,
    can_publish: bool,
}

/// `GET /studio/roles/{slug}/changes`.
pub async fn page(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
) -> StudioResult<Response> {
    let caller = user.caller();
    let view = studio
        .store
        .editor_view(&caller.permit::<Read>()?, &slug)
        .await?;
    let empty = view.working.clone();
    let changes = match &view.published {
        Some(p) => diff::changes(p, &view.working),
        None => diff::changes(&blank(&empty), &view.working),
    };
    let schedule = schedules::of_roles(studio.store.db(), &[view.role.id])
        .await?
        .remove(&view.role.id)
        .map(|s| {
            format!(
                "{} scheduled for {} UTC by {}",
                if s.action == Action::Publish.name() {
                    "Publish"
                } else {
                    "Unpublish"
                },
                s.due_at.format("%Y-%m-%d %H:%M"),
                s.scheduled_by
            )
        });
    Ok(html(&ChangesPage {
        chrome: studio.chrome(format!("Changes to {}", view.working.title), Some(&user)),
        slug: view.role.slug.clone(),
        title: view.working.title.clone(),
        version: view.role.version,
        published_version: view.role.published_version,
        score_before: match &view.published {
            Some(p) => Some(working::preview(p)?.score),
            None => None,
        },
        score_after: working::preview(&view.working)?.score,
        changes,
        schedule,
        can_write: caller.can(Permission::Write),
        can_publish: caller.can(Permission::Publish),
    })?
    .into_response())
}

/// Content with every text empty and every list empty: what an unpublished role is compared
/// against, so every field it has shows as added.
fn blank(c: &entity::RoleContent) -> entity::RoleContent {
    let mut b = c.clone();
    b.title.clear();
    b.slug.clear();
    b.category.clear();
    b.onet_soc_code = None;
    b.summary.clear();
    b.industry_context.clear();
    b.tasks.clear();
    b.tools_affecting.clear();
    b.tools_to_master.clear();
    b.protective_skills.clear();
    b.migration_paths.clear();
    b.faqs.clear();
    b.sources.clear();
    b
}

/// The version the page showed (these buttons sit on the changes page, not in a form).
fn version(fields: &Fields) -> Result<i32, ApiError> {
    fields.number("expectedVersion", "must be the version the page showed")
}

/// Back to the changes page, where a schedule shows.
fn to_changes(slug: &str) -> Response {
    Redirect::to(&format!("/studio/roles/{slug}/changes")).into_response()
}

/// `POST /studio/roles/{slug}/discard`: back to the live page, as a new revision.
pub async fn discard(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let writer = user.caller().permit::<Write>()?;
    let role = studio
        .store
        .discard_role_changes(&writer, &slug, version(&fields)?)
        .await?;
    Ok(to_saved(&role))
}

/// `POST /studio/roles/{slug}/schedule`: `action` PUBLISH or UNPUBLISH at `at` (UTC,
/// `YYYY-MM-DDTHH:MM`). A scheduled publish publishes the working copy as it is then.
pub async fn schedule(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let publisher = user.caller().permit::<Publish>()?;
    let action = Action::parse(fields.get("action").unwrap_or_default())
        .ok_or_else(|| ApiError::bad_input("action", "must be PUBLISH or UNPUBLISH"))?;
    let raw = fields.get("at").unwrap_or_default().trim();
    let at = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            ApiError::bad_input("at", "must be a UTC date and time like 2026-12-24T09:00")
        })?;
    studio
        .store
        .schedule(
            &publisher,
            &slug,
            version(&fields)?,
            action,
            Utc.from_utc_datetime(&at),
        )
        .await?;
    Ok(to_changes(&slug))
}

/// `POST /studio/roles/{slug}/schedule/cancel`.
pub async fn cancel(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let publisher = user.caller().permit::<Publish>()?;
    studio.store.cancel_schedule(&publisher, &slug).await?;
    Ok(to_changes(&slug))
}
