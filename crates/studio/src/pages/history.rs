//! `/studio/roles/{slug}/history`: every revision with its editor, summary and publish mark; a
//! word diff of any two; restoring a whole revision or one field of it (each a new revision).

use api::ApiError;
use api::auth::Permission;
use api::auth::permit::{Read, Write};
use api::service::editing::RolePatch;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use entity::RoleContent;
use serde::Deserialize;

use super::html;
use crate::diff::{self, Change};
use crate::error::StudioResult;
use crate::form::Fields;
use crate::session::Signed;
use crate::view::Chrome;

/// Most revisions listed.
const MAX_REVISIONS: u64 = 200;

/// One revision in the list.
pub struct Row {
    version: i32,
    editor: String,
    summary: String,
    when: String,
    published: bool,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    slug: String,
    title: String,
    version: i32,
    rows: Vec<Row>,
    a: i32,
    b: i32,
    changes: Vec<Change>,
    fields: Vec<(&'static str, &'static str)>,
    can_write: bool,
}

/// `?a=` and `?b=`: the two revisions to compare (default: the two newest).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    a: Option<i32>,
    #[serde(default)]
    b: Option<i32>,
}

/// The fields a single-field restore can take back, with their labels.
const FIELDS: [(&str, &str); 13] = [
    ("title", "Title"),
    ("slug", "Slug"),
    ("category", "Category"),
    ("summary", "Summary"),
    ("industryContext", "Industry context"),
    ("factors", "Factors"),
    ("tasks", "Tasks"),
    ("toolsAffecting", "Tools affecting the role"),
    ("toolsToMaster", "Tools to master"),
    ("protectiveSkills", "Protective skills"),
    ("migrationPaths", "Migration paths"),
    ("faqs", "Questions and answers"),
    ("sources", "Sources"),
];

/// `GET /studio/roles/{slug}/history`.
pub async fn page(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    Query(params): Query<Params>,
) -> StudioResult<Response> {
    let caller = user.caller();
    let reader = caller.permit::<Read>()?;
    let view = studio.store.editor_view(&reader, &slug).await?;
    let revisions = studio
        .store
        .revisions(&reader, view.role.id, MAX_REVISIONS)
        .await?;
    let newest = revisions.first().map_or(view.role.version, |r| r.version);
    let b = params.b.unwrap_or(newest);
    let a = params
        .a
        .unwrap_or_else(|| revisions.get(1).map_or(b, |r| r.version));
    let find = |v: i32| -> Result<&RoleContent, ApiError> {
        revisions
            .iter()
            .find(|r| r.version == v)
            .map(|r| &r.snapshot)
            .ok_or_else(|| {
                ApiError::bad_input(
                    "a",
                    format!("role {slug:?} has no revision {v} among its newest {MAX_REVISIONS}"),
                )
            })
    };
    let changes = diff::changes(find(a)?, find(b)?);
    Ok(html(&HistoryPage {
        chrome: studio.chrome(format!("History of {}", view.working.title), Some(&user)),
        slug: view.role.slug.clone(),
        title: view.working.title.clone(),
        version: view.role.version,
        rows: revisions
            .iter()
            .map(|r| Row {
                version: r.version,
                editor: r.editor.clone(),
                summary: r.summary.clone(),
                when: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                published: r.published,
            })
            .collect(),
        a,
        b,
        changes,
        fields: FIELDS.to_vec(),
        can_write: caller.can(Permission::Write),
    })?
    .into_response())
}

/// The patch that takes `field` back to its value in `old`.
fn one_field(field: &str, old: &RoleContent) -> Result<RolePatch, ApiError> {
    let mut p = RolePatch::default();
    match field {
        "title" => p.title = Some(old.title.clone()),
        "slug" => p.slug = Some(old.slug.clone()),
        "category" => p.category = Some(old.category.clone()),
        "summary" => p.summary = Some(old.summary.clone()),
        "industryContext" => p.industry_context = Some(old.industry_context.clone()),
        "factors" => {
            p.repetitiveness = Some(old.factors.repetitiveness.clone());
            p.ai_adoption = Some(old.factors.ai_adoption.clone());
            p.human_judgment = Some(old.factors.human_judgment.clone());
        }
        "tasks" => p.tasks = Some(old.tasks.clone()),
        "toolsAffecting" => p.tools_affecting = Some(old.tools_affecting.clone()),
        "toolsToMaster" => p.tools_to_master = Some(old.tools_to_master.clone()),
        "protectiveSkills" => p.protective_skills = Some(old.protective_skills.clone()),
        "migrationPaths" => p.migration_paths = Some(old.migration_paths.clone()),
        "faqs" => p.faqs = Some(old.faqs.clone()),
        "sources" => p.sources = Some(old.sources.clone()),
        _ => {
            return Err(ApiError::bad_input(
                "field",
                format!("must be one of {}", FIELDS.map(|(f, _)| f).join(", ")),
            ));
        }
    }
    Ok(p)
}

/// `POST /studio/roles/{slug}/restore`: `revision`, and optionally `field` to take back only
/// that field; either way a new revision on top, at the version the page showed.
pub async fn restore(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let caller = user.caller();
    let writer = caller.permit::<Write>()?;
    let expected = fields.number("expectedVersion", "must be a whole number")?;
    let revision = fields.number("revision", "must be a whole number")?;
    let role = match fields.get("field").filter(|f| !f.is_empty()) {
        None => {
            studio
                .store
                .restore_revision(&writer, &slug, expected, revision)
                .await?
        }
        Some(field) => {
            let reader = caller.permit::<Read>()?;
            let view = studio.store.editor_view(&reader, &slug).await?;
            let old = studio
                .store
                .revisions(&reader, view.role.id, MAX_REVISIONS)
                .await?
                .into_iter()
                .find(|r| r.version == revision)
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "revision",
                        format!("role {slug:?} has no revision {revision}"),
                    )
                })?;
            let patch = one_field(field, &old.snapshot)?;
            studio
                .store
                .update_role(&writer, &slug, expected, patch)
                .await?
        }
    };
    Ok(Redirect::to(&format!("/studio/roles/{}/history", role.slug)).into_response())
}
