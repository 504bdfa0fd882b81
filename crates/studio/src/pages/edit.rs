//! The role editor: the form, its live preview (the save's own validation and scoring without
//! the write), saving with the version it was opened at, and publishing.

use api::ApiError;
use api::auth::Permission;
use api::auth::Permit;
use api::auth::permit::{Publish, Read, Write};
use api::service::editing::RolePatch;
use api::service::working::{self, Catalog, EditorView};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use entity::{Exposure, RoleContent, RoleStatus, TaskType};
use serde::Deserialize;

use super::common::{Saving, expected_version, form_error, form_status, saved};
use super::html;
use crate::error::StudioResult;
use crate::form::Fields;
use crate::page::PagePreview;
use crate::session::Signed;
use crate::view::{Chrome, ScorePanel};

/// A task row as the form shows it.
pub struct TaskRow {
    text: String,
    exposure: &'static str,
    task_type: &'static str,
    time_share: String,
}

/// A link row (tool, migration path, FAQ): two texts.
pub struct PairRow {
    first: String,
    second: String,
}

/// A factor's slider and explanation.
pub struct FactorRow {
    key: &'static str,
    label: &'static str,
    score: i32,
    explanation: String,
}

/// A list of tool links.
pub struct LinkSection {
    key: &'static str,
    legend: &'static str,
    rows: Vec<PairRow>,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    chrome: Chrome,
    factors: Vec<FactorRow>,
    link_sections: Vec<LinkSection>,
    slug: String,
    version: i32,
    status: &'static str,
    published_version: Option<i32>,
    content: RoleContent,
    tasks: Vec<TaskRow>,
    paths: Vec<PairRow>,
    faqs: Vec<PairRow>,
    skills: String,
    catalog: Catalog,
    panel: ScorePanel,
    page: PagePreview,
    can_write: bool,
    can_publish: bool,
    preview_url: Option<String>,
    /// A message for the whole form (saved, conflict).
    flash: Option<String>,
    /// "Unsaved changes from 14:02 (based on version 6)", when the user's buffer holds some.
    restore: Option<String>,
    /// The field a save refused, and why.
    error_field: String,
    error: Option<String>,
}

/// The preview's answer: the score panel, and the "Page" tab swapped out of band.
#[derive(Template)]
#[template(path = "preview_fragment.html")]
struct PreviewFragment {
    panel: ScorePanel,
    page: PagePreview,
}

fn exposure_word(e: Option<Exposure>) -> &'static str {
    match e {
        Some(Exposure::E0) => "E0",
        Some(Exposure::E1) => "E1",
        Some(Exposure::E2) => "E2",
        None => "",
    }
}

fn task_type_word(t: Option<TaskType>) -> &'static str {
    match t {
        Some(TaskType::Core) => "CORE",
        Some(TaskType::Supplemental) => "SUPPLEMENTAL",
        None => "",
    }
}

fn status_word(s: RoleStatus) -> &'static str {
    match s {
        RoleStatus::Draft => "Draft",
        RoleStatus::Published => "Published",
        RoleStatus::Archived => "Archived",
    }
}

/// The panel of `now` against the view's working copy and published page; a content error
/// shows the working copy's score with the error.
fn panel(view: &EditorView, now: Result<&RoleContent, ApiError>) -> StudioResult<ScorePanel> {
    let working = working::preview(&view.working)?;
    let published = match &view.published {
        Some(p) => Some(working::preview(p)?),
        None => None,
    };
    match now.and_then(working::preview) {
        Ok(a) => Ok(ScorePanel::new(&a, &working, published.as_ref())),
        Err(e) => {
            let mut p = ScorePanel::new(&working, &working, published.as_ref());
            p.error = Some(crate::error::client_message(&e));
            Ok(p)
        }
    }
}

/// The "Page" tab for `content` (the working copy's when `content` breaks a rule).
async fn page_preview(
    studio: &crate::Studio,
    reader: &Permit<Read>,
    view: &EditorView,
    content: Result<&RoleContent, &ApiError>,
    catalog: &Catalog,
) -> StudioResult<PagePreview> {
    let (content, assessment) = match content.ok().map(|c| (c, working::preview(c))) {
        Some((c, Ok(a))) => (c, a),
        _ => (&view.working, working::preview(&view.working)?),
    };
    let targets: Vec<String> = content
        .migration_paths
        .iter()
        .map(|p| p.target.clone())
        .collect();
    let titles = studio.store.role_titles(reader, &targets).await?;
    Ok(PagePreview::new(content, &assessment, catalog, &titles))
}

#[allow(clippy::too_many_arguments)]
fn page_of(
    studio: &crate::Studio,
    user: &api::service::accounts::SessionUser,
    view: &EditorView,
    content: RoleContent,
    version: i32,
    catalog: Catalog,
    page: PagePreview,
    flash: Option<String>,
    error: Option<&ApiError>,
) -> StudioResult<EditPage> {
    let caller = user.caller();
    let pairs = |v: Vec<(String, String)>| {
        v.into_iter()
            .map(|(first, second)| PairRow { first, second })
            .collect::<Vec<_>>()
    };
    let (error_field, error) = form_error(error);
    Ok(EditPage {
        chrome: studio.chrome(format!("Edit {}", content.title), Some(user)),
        slug: view.role.slug.clone(),
        version,
        status: status_word(view.role.status),
        published_version: view.role.published_version,
        panel: panel(view, Ok(&content))?,
        page,
        tasks: content
            .tasks
            .iter()
            .map(|t| TaskRow {
                text: t.text.clone(),
                exposure: exposure_word(t.exposure),
                task_type: task_type_word(t.task_type),
                time_share: t.time_share.map(|s| s.to_string()).unwrap_or_default(),
            })
            .collect(),
        factors: [
            (
                "repetitiveness",
                "Repetitiveness",
                &content.factors.repetitiveness,
            ),
            ("aiAdoption", "AI adoption", &content.factors.ai_adoption),
            (
                "humanJudgment",
                "Human judgment",
                &content.factors.human_judgment,
            ),
        ]
        .into_iter()
        .map(|(key, label, f)| FactorRow {
            key,
            label,
            score: f.score,
            explanation: f.explanation.clone(),
        })
        .collect(),
        link_sections: vec![
            LinkSection {
                key: "toolsAffecting",
                legend: "Tools affecting the role",
                rows: pairs(
                    content
                        .tools_affecting
                        .iter()
                        .map(|l| (l.tool.clone(), l.note.clone()))
                        .collect(),
                ),
            },
            LinkSection {
                key: "toolsToMaster",
                legend: "Tools to master",
                rows: pairs(
                    content
                        .tools_to_master
                        .iter()
                        .map(|l| (l.tool.clone(), l.note.clone()))
                        .collect(),
                ),
            },
        ],
        paths: pairs(
            content
                .migration_paths
                .iter()
                .map(|p| (p.target.clone(), p.rationale.clone()))
                .collect(),
        ),
        faqs: pairs(
            content
                .faqs
                .iter()
                .map(|f| (f.question.clone(), f.answer.clone()))
                .collect(),
        ),
        skills: content.protective_skills.join("\n"),
        content,
        catalog,
        can_write: caller.can(Permission::Write),
        can_publish: caller.can(Permission::Publish),
        preview_url: studio
            .preview_url
            .as_ref()
            .map(|u| u.replace("{slug}", &view.role.slug)),
        flash,
        restore: None,
        error_field,
        error,
    })
}

/// `?saved=N`, shown after a save.
#[derive(Debug, Default, Deserialize)]
pub struct EditParams {
    #[serde(default)]
    saved: Option<i32>,
    #[serde(default)]
    published: Option<i32>,
    #[serde(default)]
    restore: Option<String>,
}

/// `GET /studio/roles/{slug}`.
pub async fn page(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    Query(params): Query<EditParams>,
) -> StudioResult<Response> {
    let reader = user.caller().permit::<Read>()?;
    let view = studio.store.editor_view(&reader, &slug).await?;
    let catalog = studio.store.catalog_choices(&reader).await?;
    let flash = match (params.saved, params.published) {
        (_, Some(v)) => Some(format!("Published version {v}.")),
        (Some(v), _) => Some(format!("Saved version {v}.")),
        _ => None,
    };
    let buffer = studio.store.edit_buffer(user.user_id, view.role.id).await?;
    let mut content = view.working.clone();
    let mut version = view.role.version;
    let mut restore = None;
    let mut flash = flash;
    if let Some(buffer) = buffer {
        let when = format!(
            "{} UTC (based on version {})",
            buffer.saved_at.format("%H:%M"),
            buffer.base_version
        );
        match Fields::parse(buffer.form.as_bytes()).content(&view.working) {
            Ok(kept) if params.restore.is_some() => {
                content = kept;
                version = buffer.base_version;
                flash = Some(format!(
                    "Restored your unsaved changes from {when}. Save to keep them."
                ));
            }
            Ok(_) => restore = Some(format!("You have unsaved changes from {when}.")),
            Err(_) => {}
        }
    }
    let preview = page_preview(&studio, &reader, &view, Ok(&content), &catalog).await?;
    let mut page = page_of(
        &studio, &user, &view, content, version, catalog, preview, flash, None,
    )?;
    page.restore = restore;
    Ok(html(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "presence.html")]
struct PresenceFragment {
    others: Vec<api::service::buffers::Present>,
    newer: Option<i32>,
    by: String,
}

/// `POST /studio/roles/{slug}/heartbeat` (every 30 s from an open editor): who else has the
/// role open, and whether someone saved a newer version than the form's.
pub async fn heartbeat(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let reader = user.caller().permit::<Read>()?;
    let opened = expected_version(&fields)?;
    let beat = studio.store.heartbeat(&reader, user.user_id, &slug).await?;
    Ok(html(&PresenceFragment {
        others: beat.others,
        newer: (beat.version > opened).then_some(beat.version),
        by: beat.last_editor.unwrap_or_else(|| "Someone".into()),
    })?
    .into_response())
}

/// `POST /studio/roles/{slug}/buffer`: keeps the form as the user's private edit buffer (no
/// revision; the form on the page is never changed by the answer).
pub async fn keep_buffer(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let editor = user.caller().permit::<Write>()?;
    let base = expected_version(&fields)?;
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(&body).filter(|(k, _)| k != "csrf"))
        .finish();
    studio
        .store
        .keep_edit_buffer(&editor, user.user_id, &slug, base, form)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /studio/roles/{slug}/buffer/discard`: forgets the user's unsaved changes.
pub async fn discard_buffer(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let reader = user.caller().permit::<Read>()?;
    let view = studio.store.editor_view(&reader, &slug).await?;
    studio
        .store
        .drop_edit_buffer(user.user_id, view.role.id)
        .await?;
    Ok(Redirect::to(&format!("/studio/roles/{slug}")).into_response())
}

/// `POST /studio/roles/{slug}/preview`: the score panel for the form as it stands.
pub async fn preview(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let reader = user.caller().permit::<Read>()?;
    let view = studio.store.editor_view(&reader, &slug).await?;
    let content = fields.content(&view.working);
    let panel = panel(&view, content.as_ref().map_err(clone_error))?;
    let catalog = studio.store.catalog_choices(&reader).await?;
    let page = page_preview(&studio, &reader, &view, content.as_ref(), &catalog).await?;
    Ok(html(&PreviewFragment { panel, page })?.into_response())
}

fn clone_error(e: &ApiError) -> ApiError {
    match e {
        ApiError::BadInput { field, message } => {
            ApiError::bad_input(field.clone(), message.clone())
        }
        other => ApiError::Internal(other.to_string()),
    }
}

/// `POST /studio/roles/{slug}`: saves the form as one revision, if the role is still at the
/// version the form was opened at; else the form comes back with the editor's values.
pub async fn save(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let Saving {
        fields,
        writer,
        reader,
        expected,
        view,
    } = Saving::open(&studio, &user, &slug, &headers, &body).await?;
    let result = match fields.content(&view.working) {
        Ok(content) => {
            let patch = full_patch(&content);
            studio
                .store
                .update_role(&writer, &slug, expected, patch)
                .await
                .map_err(|e| (e, content))
        }
        Err(e) => Err((e, view.working.clone())),
    };
    match result {
        Ok(role) => saved(&studio, &user, &role).await,
        Err((e, content)) => {
            // A lost race on the version (not, say, a slug taken): merge.
            if matches!(
                e,
                ApiError::Conflict {
                    current_version: Some(_),
                    ..
                }
            ) {
                return super::merge::on_conflict(&studio, &user, &slug, &body, expected).await;
            }
            let Some(status) = form_status(&e) else {
                return Err(e.into());
            };
            let catalog = studio.store.catalog_choices(&reader).await?;
            let preview = page_preview(&studio, &reader, &view, Ok(&content), &catalog).await?;
            let page = page_of(
                &studio,
                &user,
                &view,
                content,
                expected,
                catalog,
                preview,
                None,
                Some(&e),
            )?;
            Ok((status, html(&page)?).into_response())
        }
    }
}

/// Every field of `content`, as an `updateRole` that replaces them all.
pub(super) fn full_patch(c: &RoleContent) -> RolePatch {
    RolePatch {
        slug: Some(c.slug.clone()),
        title: Some(c.title.clone()),
        category: Some(c.category.clone()),
        onet_soc_code: Some(c.onet_soc_code.clone()),
        summary: Some(c.summary.clone()),
        industry_context: Some(c.industry_context.clone()),
        repetitiveness: Some(c.factors.repetitiveness.clone()),
        ai_adoption: Some(c.factors.ai_adoption.clone()),
        human_judgment: Some(c.factors.human_judgment.clone()),
        tasks: Some(c.tasks.clone()),
        tools_affecting: Some(c.tools_affecting.clone()),
        tools_to_master: Some(c.tools_to_master.clone()),
        protective_skills: Some(c.protective_skills.clone()),
        migration_paths: Some(c.migration_paths.clone()),
        faqs: Some(c.faqs.clone()),
        sources: Some(c.sources.clone()),
    }
}

/// `POST /studio/roles/{slug}/publish`: publishes the working copy at the version shown.
pub async fn publish(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let publisher = user.caller().permit::<Publish>()?;
    let expected = expected_version(&fields)?;
    let published = studio
        .store
        .set_status(&publisher, &slug, expected, RoleStatus::Published)
        .await?;
    Ok(Redirect::to(&format!(
        "/studio/roles/{}?published={}",
        published.slug, published.version
    ))
    .into_response())
}
