//! Accounts in the studio: admins manage users at `/studio/users`; everyone changes their
//! password and ends their own sessions at `/studio/account`.

use api::ApiError;
use api::service::accounts::sessions::SessionInfo;
use api::service::accounts::{Account, NewUser, StudioRole};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;

use super::common::form_status;
use super::html;
use crate::error::StudioResult;
use crate::form::Fields;
use crate::session::Signed;
use crate::view::Chrome;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<Account>,
    roles: Vec<&'static str>,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    login: String,
    role: String,
    sessions: Vec<SessionInfo>,
    current: i32,
    flash: Option<String>,
    error: Option<String>,
}

fn admin(user: &api::service::accounts::SessionUser) -> Result<(), ApiError> {
    if user.role == StudioRole::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "managing users needs the admin role".into(),
        ))
    }
}

/// How the last action went, as the users and account pages show it above their lists.
#[derive(Default)]
struct Outcome {
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
}

impl Outcome {
    /// Done: the page says what changed.
    fn done(flash: impl Into<String>) -> Self {
        Self {
            flash: Some(flash.into()),
            ..Self::default()
        }
    }

    /// Refused with `status`: the page says why, with nothing changed.
    fn refused(status: StatusCode, e: &ApiError) -> Self {
        Self {
            status,
            error: Some(e.to_string()),
            ..Self::default()
        }
    }
}

async fn users_page(
    studio: &crate::Studio,
    user: &api::service::accounts::SessionUser,
    outcome: Outcome,
) -> StudioResult<Response> {
    let page = UsersPage {
        chrome: studio.chrome("Users", Some(user)),
        users: studio.store.list_users().await?,
        roles: StudioRole::ALL.iter().map(|r| r.as_str()).collect(),
        flash: outcome.flash,
        error: outcome.error,
    };
    Ok((outcome.status, html(&page)?).into_response())
}

/// `GET /studio/users` (admins).
pub async fn list(
    State(studio): State<crate::State>,
    Signed(user): Signed,
) -> StudioResult<Response> {
    admin(&user)?;
    users_page(&studio, &user, Outcome::default()).await
}

fn reset_url(studio: &crate::Studio, headers: &HeaderMap, token: &str) -> String {
    format!(
        "{}/studio/reset?token={token}",
        studio.origin(headers).unwrap_or_default()
    )
}

/// `POST /studio/users`: creates a user without a password and shows their one-time link.
pub async fn create(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    admin(&user)?;
    let created = async {
        let role: StudioRole = fields.get("role").unwrap_or_default().parse()?;
        let account = studio
            .store
            .create_user(NewUser {
                login: fields.get("login").unwrap_or_default().to_owned(),
                name: fields
                    .get("name")
                    .map(str::to_owned)
                    .filter(|n| !n.trim().is_empty()),
                role,
                password: None,
            })
            .await?;
        let link = studio.store.password_reset_link(&account.login).await?;
        Ok::<_, ApiError>((account, link))
    }
    .await;
    match created {
        Ok((account, link)) => {
            let flash = format!(
                "Created {} ({}). Send them this one-time link to choose a password (valid 24 hours): {}",
                account.login,
                account.role,
                reset_url(&studio, &headers, &link.token)
            );
            users_page(&studio, &user, Outcome::done(flash)).await
        }
        Err(e) => match form_status(&e) {
            Some(status) => users_page(&studio, &user, Outcome::refused(status, &e)).await,
            None => Err(e.into()),
        },
    }
}

/// `POST /studio/users/{login}/{action}`: `role` (field `role`), `disable`, `enable`, `reset`.
pub async fn act(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path((login, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    admin(&user)?;
    if login == user.login && matches!(action.as_str(), "role" | "disable") {
        return Err(ApiError::bad_input(
            "login",
            "admins cannot demote or disable themselves; ask another admin",
        )
        .into());
    }
    let flash = match action.as_str() {
        "role" => {
            let role: StudioRole = fields.get("role").unwrap_or_default().parse()?;
            let a = studio.store.set_user_role(&login, role).await?;
            format!("{} is now {}.", a.login, a.role)
        }
        "disable" => {
            let a = studio.store.set_user_disabled(&login, true).await?;
            format!("Disabled {} and ended their sessions.", a.login)
        }
        "enable" => {
            let a = studio.store.set_user_disabled(&login, false).await?;
            format!("Enabled {}.", a.login)
        }
        "reset" => {
            let link = studio.store.password_reset_link(&login).await?;
            format!(
                "One-time link for {login} (valid 24 hours): {}",
                reset_url(&studio, &headers, &link.token)
            )
        }
        _ => return Err(ApiError::NotFound(format!("no user action {action:?}")).into()),
    };
    users_page(&studio, &user, Outcome::done(flash)).await
}

async fn account_page(
    studio: &crate::Studio,
    user: &api::service::accounts::SessionUser,
    outcome: Outcome,
) -> StudioResult<Response> {
    let page = AccountPage {
        chrome: studio.chrome("Your account", Some(user)),
        login: user.login.clone(),
        role: user.role.to_string(),
        sessions: studio.store.sessions_of(user.user_id).await?,
        current: user.session_id,
        flash: outcome.flash,
        error: outcome.error,
    };
    Ok((outcome.status, html(&page)?).into_response())
}

/// `GET /studio/account`.
pub async fn account(
    State(studio): State<crate::State>,
    Signed(user): Signed,
) -> StudioResult<Response> {
    account_page(&studio, &user, Outcome::default()).await
}

/// `POST /studio/account/password`: needs the current password; ends the user's other sessions.
pub async fn change_password(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let new = fields.get("newPassword").unwrap_or_default();
    let result = if fields.get("confirm").unwrap_or_default() != new {
        Err(ApiError::bad_input(
            "confirm",
            "does not match the new password",
        ))
    } else {
        studio
            .store
            .change_password(
                user.user_id,
                SecretString::from(fields.get("currentPassword").unwrap_or_default().to_owned()),
                SecretString::from(new.to_owned()),
                user.session_id,
            )
            .await
    };
    match result {
        Ok(()) => {
            let done = Outcome::done("Password changed; your other sessions were ended.");
            account_page(&studio, &user, done).await
        }
        Err(e @ ApiError::BadInput { .. }) => {
            let refused = Outcome::refused(StatusCode::UNPROCESSABLE_ENTITY, &e);
            account_page(&studio, &user, refused).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /studio/account/sessions/{id}/end`.
pub async fn end_session(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(id): Path<i32>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    studio.store.end_session(user.user_id, id).await?;
    if id == user.session_id {
        return Ok(Redirect::to("/studio/login").into_response());
    }
    account_page(&studio, &user, Outcome::done("Session ended.")).await
}
