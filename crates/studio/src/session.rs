//! Who is asking: the session cookie (only under `/studio`), and the checks every studio
//! POST passes before it acts: the request comes from a studio page (`Sec-Fetch-Site`,
//! `Origin`) and carries the session's CSRF token.

use std::net::{IpAddr, SocketAddr};

use api::service::accounts::SessionUser;
use api::service::accounts::sessions::same;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use crate::error::StudioError;
use crate::{State, Studio};

/// The session cookie's name.
pub const COOKIE: &str = "jobrisk_session";

/// The session token the request's cookie carries.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// A signed-in user; handlers that take it answer a request without a live session with the
/// login page (pages) or 401 (htmx and fetch requests, which show the login dialog).
pub struct Signed(pub SessionUser);

/// Why a request has no user.
pub enum NoSession {
    /// A page: go to the login page and come back.
    Login(String),
    /// A background request: 401.
    Unauthorized,
    /// The database failed.
    Failed(StudioError),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            Self::Login(next) => Redirect::to(&format!(
                "/studio/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .into_response(),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "your session has ended; sign in again",
            )
                .into_response(),
            Self::Failed(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<State> for Signed {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, studio: &State) -> Result<Self, NoSession> {
        let user = match cookie_token(&parts.headers) {
            Some(token) => studio
                .store
                .session_user(&token)
                .await
                .map_err(|e| NoSession::Failed(e.into()))?,
            None => None,
        };
        match user {
            Some(user) => Ok(Self(user)),
            None if parts.method == axum::http::Method::GET
                && !parts.headers.contains_key("hx-request") =>
            {
                Err(NoSession::Login(
                    parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "/studio".into()),
                ))
            }
            None => Err(NoSession::Unauthorized),
        }
    }
}

/// The client's address, as the login throttle counts it.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<State> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        studio: &State,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(Self(api::http::rate_limit::client_ip(
            peer,
            &parts.headers,
            &studio.trusted_proxies,
        )))
    }
}

impl Studio {
    /// Refuses a write that did not come from a studio page of this origin: a browser's
    /// `Sec-Fetch-Site` must say same-origin, and `Origin`, when sent, must be the studio's.
    pub fn check_origin(&self, headers: &HeaderMap) -> Result<(), StudioError> {
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && site != "same-origin"
        {
            return Err(StudioError::Forgery(
                "this form was sent from another site (Sec-Fetch-Site)",
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
            && origin != self.origin(headers).as_deref().unwrap_or_default()
        {
            return Err(StudioError::Forgery(
                "this form was sent from another origin (Origin)",
            ));
        }
        Ok(())
    }

    /// Checks the origin and the session's CSRF token (form field `csrf` or `X-CSRF-Token`).
    pub fn check_write(
        &self,
        headers: &HeaderMap,
        user: &SessionUser,
        field: Option<&str>,
    ) -> Result<(), StudioError> {
        self.check_origin(headers)?;
        let sent = field.or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()));
        match sent {
            Some(token) if same(token, &user.csrf) => Ok(()),
            _ => Err(StudioError::Forgery(
                "the form's CSRF token is missing or stale; reload the page",
            )),
        }
    }

    /// The studio's origin: the configured public URL, else this request's host.
    pub fn origin(&self, headers: &HeaderMap) -> Option<String> {
        if let Some(url) = &self.public_url {
            return Some(url.clone());
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let scheme = if is_loopback(host) { "http" } else { "https" };
        Some(format!("{scheme}://{host}"))
    }

    /// The `Set-Cookie` value of a new session: HttpOnly, SameSite=Lax, Path=/studio, and
    /// Secure unless the studio is plain http on loopback.
    pub fn session_cookie(
        &self,
        headers: &HeaderMap,
        token: &str,
        expires: DateTime<Utc>,
    ) -> HeaderValue {
        let secure = if self.secure(headers) { "; Secure" } else { "" };
        let value = format!(
            "{COOKIE}={token}; Path=/studio; HttpOnly; SameSite=Lax; Expires={}{secure}",
            expires.format("%a, %d %b %Y %H:%M:%S GMT")
        );
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn cleared_cookie(&self, headers: &HeaderMap) -> HeaderValue {
        let secure = if self.secure(headers) { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}=; Path=/studio; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    pub(crate) fn secure(&self, headers: &HeaderMap) -> bool {
        match &self.public_url {
            Some(url) => {
                !(url.starts_with("http://") && is_loopback(url.trim_start_matches("http://")))
            }
            None => headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .is_none_or(|h| !is_loopback(h)),
        }
    }
}

/// Whether `host` (with an optional port) names this machine.
fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_count_as_local() {
        for local in ["127.0.0.1:8080", "localhost", "[::1]:3000", "LOCALHOST:1"] {
            assert!(is_loopback(local), "{local}");
        }
        for remote in [
            "example.com",
            "10.0.0.1:80",
            "127.0.0.1.nip.io",
            "[2001:db8::1]:80",
        ] {
            assert!(!is_loopback(remote), "{remote}");
        }
    }

    #[test]
    fn the_cookie_is_read_by_its_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("x_jobrisk_session=no; jobrisk_session=yes; other=1"),
        );
        assert_eq!(cookie_token(&h).as_deref(), Some("yes"));
    }
}
