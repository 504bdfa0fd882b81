//! A minimal OpenID Connect provider on loopback, for the studio's single sign-on tests:
//! discovery, JWKS (the Ed25519 test key), an authorization endpoint that answers at once
//! for the user the test chose, and a token endpoint that checks the client, the redirect URI
//! and PKCE (S256) before it signs an ID token. Shared by `tests/e2e` and `tests/studio`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The client the studio is configured with.
pub const CLIENT_ID: &str = "jobrisk-studio";
/// Its secret.
pub const CLIENT_SECRET: &str = "a-client-secret-for-tests";

/// Who the provider signs in next, and how the test wants it to misbehave.
#[derive(Debug, Clone)]
pub struct NextUser {
    /// `sub`.
    pub subject: String,
    /// Extra claims (roles, `preferred_username`, `name`...).
    pub claims: Value,
    /// A nonce to put in the ID token instead of the one the client sent.
    pub nonce_override: Option<String>,
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    next: NextUser,
}

#[derive(Default)]
struct Inner {
    next: Option<NextUser>,
    grants: HashMap<String, Grant>,
    counter: u64,
    /// What each token request was refused for.
    refusals: Vec<String>,
}

/// A running provider.
pub struct Provider {
    /// Its issuer URL (no trailing slash).
    pub issuer: String,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwt")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Ed25519 test key as a JWK: the raw key is the last 32 bytes of the PEM's DER.
fn jwk() -> Value {
    let body: String = fixture("ed_public.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).expect("PEM body is base64");
    let raw = &der[der.len() - 32..];
    json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "test-key",
            "x": URL_SAFE_NO_PAD.encode(raw) })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(Clone)]
struct Ctx {
    issuer: String,
    inner: Arc<Mutex<Inner>>,
}

impl Provider {
    /// Starts a provider on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind provider");
        let issuer = format!("http://{}", listener.local_addr().expect("address"));
        let inner = Arc::new(Mutex::new(Inner::default()));
        let ctx = Ctx {
            issuer: issuer.clone(),
            inner: inner.clone(),
        };
        let router = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route(
                "/jwks",
                get(|| async { axum::Json(json!({ "keys": [jwk()] })) }),
            )
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(ctx);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            issuer,
            inner,
            task,
        }
    }

    /// The user the next authorization signs in.
    pub fn sign_in_next(&self, user: NextUser) {
        self.inner.lock().expect("provider").next = Some(user);
    }

    /// Why token requests were refused so far.
    pub fn refusals(&self) -> Vec<String> {
        self.inner.lock().expect("provider").refusals.clone()
    }
}

async fn discovery(State(ctx): State<Ctx>) -> Response {
    let i = &ctx.issuer;
    axum::Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

/// Answers at once, as if the user had signed in and consented.
async fn authorize(State(ctx): State<Ctx>, Query(q): Query<HashMap<String, String>>) -> Response {
    let param = |k: &str| q.get(k).cloned().unwrap_or_default();
    if param("client_id") != CLIENT_ID
        || param("response_type") != "code"
        || param("code_challenge_method") != "S256"
        || param("code_challenge").is_empty()
        || !param("scope").split(' ').any(|s| s == "openid")
    {
        return (
            StatusCode::BAD_REQUEST,
            format!("bad authorization request: {q:?}"),
        )
            .into_response();
    }
    let mut inner = ctx.inner.lock().expect("provider");
    let Some(next) = inner.next.clone() else {
        return (StatusCode::BAD_REQUEST, "no user to sign in").into_response();
    };
    inner.counter += 1;
    let code = format!("code-{}", inner.counter);
    inner.grants.insert(
        code.clone(),
        Grant {
            nonce: param("nonce"),
            challenge: param("code_challenge"),
            redirect_uri: param("redirect_uri"),
            next,
        },
    );
    let state = form_urlencoded::byte_serialize(param("state").as_bytes()).collect::<String>();
    Redirect::to(&format!(
        "{}?code={code}&state={state}",
        param("redirect_uri")
    ))
    .into_response()
}

fn refuse(inner: &mut Inner, why: &str) -> Response {
    inner.refusals.push(why.to_owned());
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": "invalid_grant", "error_description": why })),
    )
        .into_response()
}

/// The client authenticates with HTTP Basic (or in the form); the code is used once.
async fn token(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = ctx.inner.lock().expect("provider");
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let client_ok = match basic {
        Some(pair) => {
            let decoded: Vec<String> = pair
                .splitn(2, ':')
                .map(|p| {
                    form_urlencoded::parse(format!("x={p}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default()
                })
                .collect();
            decoded == [CLIENT_ID, CLIENT_SECRET]
        }
        None => {
            form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
                && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        }
    };
    if !client_ok {
        return refuse(&mut inner, "client authentication");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return refuse(&mut inner, "grant_type");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(grant) = inner.grants.remove(&code) else {
        return refuse(&mut inner, "unknown or used code");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return refuse(&mut inner, "redirect_uri");
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return refuse(&mut inner, "PKCE verifier");
    }
    let mut claims = json!({
        "iss": ctx.issuer,
        "sub": grant.next.subject,
        "aud": CLIENT_ID,
        "iat": now(),
        "exp": now() + 300,
        "nonce": grant.next.nonce_override.clone().unwrap_or(grant.nonce),
    });
    if let (Some(c), Some(extra)) = (claims.as_object_mut(), grant.next.claims.as_object()) {
        c.extend(extra.clone());
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("test-key".into());
    let key = EncodingKey::from_ed_pem(fixture("ed_private.pem").as_bytes()).expect("key");
    let id_token = encode(&header, &claims, &key).expect("sign");
    axum::Json(json!({
        "access_token": format!("at-{code}"),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}
