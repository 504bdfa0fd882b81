//! Signing in and out, the first admin's setup link and password reset links.

use api::ApiError;
use api::service::accounts::{LinkPurpose, NewSession, NewUser, StudioRole};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

use super::common::form_error;
use super::html;
use crate::error::{StudioError, StudioResult};
use crate::form::Fields;
use crate::session::{ClientIp, Signed, cookie_token};
use crate::view::Chrome;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    login: String,
    error: Option<String>,
    local_login: bool,
    sso: bool,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    token: String,
    /// `None` for the setup link; the login for a reset link.
    reset_for: Option<String>,
    login: String,
    name: String,
    error: Option<String>,
    error_field: String,
}

/// `?next=` and `?token=`.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

/// Only a path of the studio itself may be where a sign-in returns to (no open redirect).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/studio") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/studio".to_owned(),
    }
}

/// `GET /studio/login`.
pub async fn login_page(
    State(studio): State<crate::State>,
    Query(params): Query<Params>,
) -> StudioResult<Response> {
    Ok(html(&LoginPage {
        chrome: studio.chrome("Sign in", None),
        next: safe_next(params.next.as_deref()),
        login: String::new(),
        error: None,
        local_login: studio.local_login,
        sso: studio.oidc.is_some(),
    })?
    .into_response())
}

/// `POST /studio/login`: a new session (new token) and back to `next`; a wrong password and
/// an unknown login get the same answer, the 6th failure in 15 minutes a 429.
pub async fn login(
    State(studio): State<crate::State>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    studio.check_origin(&headers)?;
    let fields = Fields::parse(&body);
    let login = fields.get("login").unwrap_or_default().to_owned();
    let next = safe_next(fields.get("next"));
    if !studio.local_login {
        return Err(ApiError::Forbidden(
            "password sign-in is off (JOBRISK_LOCAL_LOGIN=off)".into(),
        )
        .into());
    }
    let password = SecretString::from(fields.get("password").unwrap_or_default().to_owned());
    match studio
        .store
        .sign_in(&login, password, &ip.to_string(), user_agent(&headers))
        .await
    {
        Ok(session) if fields.get("dialog").is_some() => {
            // The login dialog of a page whose session ended: the page stays, and takes the
            // new session's CSRF token for its forms.
            let csrf = api::service::accounts::sessions::csrf_token(&session.token);
            let signed_in = (StatusCode::OK, "signed in").into_response();
            let mut response = with_session(&studio, &headers, &session, signed_in);
            if let Ok(v) = HeaderValue::from_str(&csrf) {
                response.headers_mut().insert("x-csrf-token", v);
            }
            Ok(response)
        }
        Ok(session) => {
            let to_next = Redirect::to(&next).into_response();
            Ok(with_session(&studio, &headers, &session, to_next))
        }
        Err(e @ (ApiError::Unauthenticated(_) | ApiError::RateLimited { .. })) => {
            let (status, retry) = match &e {
                ApiError::RateLimited { retry_after_secs } => {
                    (StatusCode::TOO_MANY_REQUESTS, Some(*retry_after_secs))
                }
                _ => (StatusCode::UNAUTHORIZED, None),
            };
            let message = match retry {
                Some(secs) => format!(
                    "Too many failed sign-ins. Try again in {} minute(s).",
                    secs.div_ceil(60)
                ),
                None => "Wrong login or password.".to_owned(),
            };
            let mut response = (
                status,
                html(&LoginPage {
                    chrome: studio.chrome("Sign in", None),
                    next,
                    login,
                    error: Some(message),
                    local_login: studio.local_login,
                    sso: studio.oidc.is_some(),
                })?,
            )
                .into_response();
            if let Some(secs) = retry
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /studio/logout`: ends the session and clears the cookie.
pub async fn logout(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    if let Some(token) = cookie_token(&headers) {
        studio.store.end_session_by_token(&token).await?;
    }
    let mut response = Redirect::to("/studio/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, studio.cleared_cookie(&headers));
    Ok(response)
}

async fn link_page(
    studio: &crate::Studio,
    token: String,
    expected_setup: bool,
) -> StudioResult<Response> {
    let purpose = studio.store.link_purpose(&token).await?;
    let reset_for = match purpose {
        Some(LinkPurpose::Setup) if expected_setup => None,
        Some(LinkPurpose::Reset(login)) if !expected_setup => Some(login),
        _ => {
            return Err(ApiError::Unauthenticated(
                "this link is not valid: it was used, has expired or was replaced by a newer one"
                    .into(),
            )
            .into());
        }
    };
    let login = reset_for.clone().unwrap_or_default();
    Ok(link_form(studio, token, reset_for, login, String::new(), None)?.into_response())
}

/// The form behind a setup link (`reset_for` is `None`) or a reset link, with `error` on it
/// when the last try was refused; the link's purpose decides the title, as it did the form.
fn link_form(
    studio: &crate::Studio,
    token: String,
    reset_for: Option<String>,
    login: String,
    name: String,
    error: Option<&ApiError>,
) -> StudioResult<Html<String>> {
    let title = if reset_for.is_none() {
        "Create the first admin"
    } else {
        "Choose a password"
    };
    let (error_field, error) = form_error(error);
    html(&SetupPage {
        chrome: studio.chrome(title, None),
        token,
        reset_for,
        login,
        name,
        error,
        error_field,
    })
}

/// `GET /studio/setup?token=`: the form for the first admin.
pub async fn setup_page(
    State(studio): State<crate::State>,
    Query(params): Query<Params>,
) -> StudioResult<Response> {
    link_page(&studio, params.token.unwrap_or_default(), true).await
}

/// `GET /studio/reset?token=`: the form for a new password.
pub async fn reset_page(
    State(studio): State<crate::State>,
    Query(params): Query<Params>,
) -> StudioResult<Response> {
    link_page(&studio, params.token.unwrap_or_default(), false).await
}

fn passwords(fields: &Fields) -> Result<SecretString, ApiError> {
    let password = fields.get("password").unwrap_or_default();
    if fields.get("confirm").unwrap_or_default() != password {
        return Err(ApiError::bad_input(
            "confirm",
            "does not match the password",
        ));
    }
    let password = SecretString::from(password.to_owned());
    api::service::accounts::check_new_password("password", &password)?;
    Ok(password)
}

/// The browser's user agent, kept with a session so the account page can tell sessions apart.
fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// `response` with the cookie of `session`: the cookie is what signs the browser in.
fn with_session(
    studio: &crate::Studio,
    headers: &HeaderMap,
    session: &NewSession,
    mut response: Response,
) -> Response {
    response.headers_mut().insert(
        header::SET_COOKIE,
        studio.session_cookie(headers, &session.token, session.expires_at),
    );
    response
}

async fn signed_in_response(
    studio: &crate::Studio,
    headers: &HeaderMap,
    user_id: i32,
    ip: &str,
) -> StudioResult<Response> {
    let session = studio
        .store
        .start_session(user_id, ip, user_agent(headers))
        .await?;
    let home = Redirect::to("/studio").into_response();
    Ok(with_session(studio, headers, &session, home))
}

/// `POST /studio/setup`: creates the first admin, uses up the link and signs them in.
pub async fn setup(
    State(studio): State<crate::State>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    studio.check_origin(&headers)?;
    let fields = Fields::parse(&body);
    let token = fields.get("token").unwrap_or_default().to_owned();
    let login = fields.get("login").unwrap_or_default().to_owned();
    let name = fields.get("name").unwrap_or_default().to_owned();
    let result = match passwords(&fields) {
        Ok(password) => {
            studio
                .store
                .complete_setup(
                    &token,
                    NewUser {
                        login: login.clone(),
                        name: Some(name.clone()).filter(|n| !n.trim().is_empty()),
                        role: StudioRole::Admin,
                        password: Some(password),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(account) => signed_in_response(&studio, &headers, account.id, &ip.to_string()).await,
        Err(e @ ApiError::BadInput { .. }) => {
            let form = link_form(&studio, token, None, login, name, Some(&e))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
        Err(e) => Err(StudioError::from(e)),
    }
}

/// `POST /studio/reset`: sets the new password, uses up the link and signs the user in.
pub async fn reset(
    State(studio): State<crate::State>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    studio.check_origin(&headers)?;
    let fields = Fields::parse(&body);
    let token = fields.get("token").unwrap_or_default().to_owned();
    let result = match passwords(&fields) {
        Ok(password) => studio.store.complete_reset(&token, password).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(account) => signed_in_response(&studio, &headers, account.id, &ip.to_string()).await,
        Err(e @ ApiError::BadInput { .. }) => {
            let login = match studio.store.link_purpose(&token).await? {
                Some(LinkPurpose::Reset(login)) => login,
                _ => String::new(),
            };
            let reset_for = Some(login.clone());
            let form = link_form(&studio, token, reset_for, login, String::new(), Some(&e))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
        Err(e) => Err(StudioError::from(e)),
    }
}
