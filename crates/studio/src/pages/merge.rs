//! A save that lost the race (CONFLICT) becomes a merge: base (the version the form was opened
//! at), theirs (saved meanwhile) and yours (the form). One-sided changes are taken; fields both
//! sides changed differently are chosen one by one; the result is saved on the new version.
//! Until then the form is kept in the editor's buffer, so nothing typed is lost.

use api::ApiError;
use api::auth::permit::{Read, Write};
use api::service::accounts::SessionUser;
use api::service::working::EditorView;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::RoleContent;

use super::common::{Saving, saved};
use super::edit::full_patch;
use super::html;
use crate::error::StudioResult;
use crate::form::Fields;
use crate::merge::{self, Clash, Side};
use crate::session::Signed;
use crate::view::Chrome;

/// How far back a form's base revision is looked for.
const MAX_BASE_AGE: u64 = 200;

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    chrome: Chrome,
    slug: String,
    base: i32,
    version: i32,
    by: String,
    taken: Vec<String>,
    clashes: Vec<Clash>,
    error: Option<String>,
}

/// The three sides of a merge.
struct Sides {
    base: RoleContent,
    theirs: RoleContent,
    yours: RoleContent,
    by: String,
}

async fn sides(
    studio: &crate::Studio,
    reader: &api::auth::Permit<Read>,
    view: &EditorView,
    base_version: i32,
    yours: RoleContent,
) -> StudioResult<Sides> {
    let revisions = studio
        .store
        .revisions(reader, view.role.id, MAX_BASE_AGE)
        .await?;
    let by = revisions
        .first()
        .map_or_else(|| "someone".to_owned(), |r| r.editor.clone());
    let base = revisions
        .into_iter()
        .find(|r| r.version == base_version)
        .map(|r| r.snapshot)
        .ok_or_else(|| {
            ApiError::bad_input(
                "expectedVersion",
                format!("version {base_version} is too old to merge with; reload and edit again"),
            )
        })?;
    Ok(Sides {
        base,
        theirs: view.working.clone(),
        yours,
        by,
    })
}

fn page(
    studio: &crate::Studio,
    user: &SessionUser,
    view: &EditorView,
    base_version: i32,
    s: &Sides,
    clashes: Vec<Clash>,
    error: Option<String>,
) -> MergePage {
    let outcome = merge::merge(&s.base, &s.theirs, &s.yours, |_| None);
    let taken = outcome
        .taken
        .iter()
        .map(|(label, side)| {
            format!(
                "{label} ({})",
                if *side == Side::Yours {
                    "yours"
                } else {
                    "theirs"
                }
            )
        })
        .collect();
    MergePage {
        chrome: studio.chrome(
            format!("Merge your changes to {}", view.working.title),
            Some(user),
        ),
        slug: view.role.slug.clone(),
        base: base_version,
        version: view.role.version,
        by: s.by.clone(),
        taken,
        clashes,
        error,
    }
}

/// Answers a CONFLICT on save: keeps the form in the editor's buffer and shows the merge.
pub(super) async fn on_conflict(
    studio: &crate::Studio,
    user: &SessionUser,
    slug: &str,
    body: &[u8],
    base_version: i32,
) -> StudioResult<Response> {
    let caller = user.caller();
    let writer = caller.permit::<Write>()?;
    let reader = caller.permit::<Read>()?;
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(body).filter(|(k, _)| k != "csrf"))
        .finish();
    studio
        .store
        .keep_edit_buffer(&writer, user.user_id, slug, base_version, form)
        .await?;
    let view = studio.store.editor_view(&reader, slug).await?;
    let yours = Fields::parse(body).content(&view.working)?;
    let s = sides(studio, &reader, &view, base_version, yours).await?;
    let clashes = merge::merge(&s.base, &s.theirs, &s.yours, |_| None).clashes;
    let page = page(studio, user, &view, base_version, &s, clashes, None);
    Ok((StatusCode::CONFLICT, html(&page)?).into_response())
}

/// `POST /studio/roles/{slug}/merge`: the choices (`choice.FIELD=theirs|yours`) over the kept
/// form, saved on the version the merge page showed.
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
    let kept = studio
        .store
        .edit_buffer(user.user_id, view.role.id)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(
                "form",
                "nothing to merge: your changes were saved or discarded; reload the editor",
            )
        })?;
    let yours = Fields::parse(kept.form.as_bytes()).content(&view.working)?;
    let s = sides(&studio, &reader, &view, kept.base_version, yours).await?;
    let choose = |key: &str| match fields.get(&format!("choice.{key}")) {
        Some("theirs") => Some(Side::Theirs),
        Some("yours") => Some(Side::Yours),
        _ => None,
    };
    let outcome = merge::merge(&s.base, &s.theirs, &s.yours, choose);
    let (merged, open) = (outcome.merged, outcome.clashes);
    if !open.is_empty() || view.role.version != expected {
        let clashes = merge::merge(&s.base, &s.theirs, &s.yours, |_| None).clashes;
        let error = if view.role.version != expected {
            "Someone saved again meanwhile: check the fields below once more.".to_owned()
        } else {
            format!(
                "Choose a side for: {}.",
                open.iter().map(|c| c.label).collect::<Vec<_>>().join(", ")
            )
        };
        let page = page(
            &studio,
            &user,
            &view,
            kept.base_version,
            &s,
            clashes,
            Some(error),
        );
        return Ok((StatusCode::CONFLICT, html(&page)?).into_response());
    }
    let role = studio
        .store
        .update_role(&writer, &slug, expected, full_patch(&merged))
        .await?;
    saved(&studio, &user, &role).await
}
