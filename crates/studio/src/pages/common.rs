//! What the pages' write handlers share: the version a form was opened at, a refused write
//! shown on its form, and where a saved role sends the browser. One place each, so the role,
//! catalog and account forms answer a refusal alike.

use api::ApiError;
use api::auth::Permit;
use api::auth::permit::{Read, Write};
use api::service::accounts::SessionUser;
use api::service::working::EditorView;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use entity::role;

use crate::error::StudioResult;
use crate::form::Fields;

/// The version a form was opened at: a write at an older one is refused, not merged blindly.
pub(super) fn expected_version(fields: &Fields) -> Result<i32, ApiError> {
    fields.number(
        "expectedVersion",
        "must be the version the form was opened at",
    )
}

/// The status a refused write answers with when its form comes back; `None` when the error is
/// not about the form (it becomes the error page instead).
pub(super) fn form_status(e: &ApiError) -> Option<StatusCode> {
    match e {
        ApiError::BadInput { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
        ApiError::Conflict { .. } => Some(StatusCode::CONFLICT),
        _ => None,
    }
}

/// The form's name for an API field (`input.tasks[2].text` is `tasks[2].text`), so a
/// service's error lands on the field the editor typed in.
pub(super) fn form_field(field: &str) -> &str {
    field.strip_prefix("input.").unwrap_or(field)
}

/// The field a refused write marks (empty when it names none) and the message above the form;
/// other errors show only what a browser may read of them.
pub(super) fn form_error(error: Option<&ApiError>) -> (String, Option<String>) {
    match error {
        Some(ApiError::BadInput { field, message }) => (
            form_field(field).to_owned(),
            Some(format!("{field}: {message}")),
        ),
        Some(other) => (String::new(), Some(crate::error::client_message(other))),
        None => (String::new(), None),
    }
}

/// The editor of a role just written, at the version the write made; a redirect, so that
/// reloading the page does not send the form again.
pub(super) fn to_saved(role: &role::Model) -> Response {
    Redirect::to(&format!(
        "/studio/roles/{}?saved={}",
        role.slug, role.version
    ))
    .into_response()
}

/// A role form posted to be saved (a save or a merge), checked and read in the same order by
/// both, so a forged or unpermitted post is refused before the role is read.
pub(super) struct Saving {
    /// The posted fields.
    pub(super) fields: Fields,
    /// What the save writes with.
    pub(super) writer: Permit<Write>,
    /// What the role and catalog are read with.
    pub(super) reader: Permit<Read>,
    /// The version the form was opened at.
    pub(super) expected: i32,
    /// The role as it is now.
    pub(super) view: EditorView,
}

impl Saving {
    /// Checks the post (origin, CSRF token, permits, version) and reads the role.
    pub(super) async fn open(
        studio: &crate::Studio,
        user: &SessionUser,
        slug: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> StudioResult<Self> {
        let fields = Fields::parse(body);
        studio.check_write(headers, user, fields.get("csrf"))?;
        let caller = user.caller();
        let writer = caller.permit::<Write>()?;
        let reader = caller.permit::<Read>()?;
        let expected = expected_version(&fields)?;
        let view = studio.store.editor_view(&reader, slug).await?;
        Ok(Self {
            fields,
            writer,
            reader,
            expected,
            view,
        })
    }
}

/// Ends a save: the user's buffer of unsaved changes goes, since what it kept is saved now,
/// and the editor opens at the new version.
pub(super) async fn saved(
    studio: &crate::Studio,
    user: &SessionUser,
    role: &role::Model,
) -> StudioResult<Response> {
    studio.store.drop_edit_buffer(user.user_id, role.id).await?;
    Ok(to_saved(role))
}
