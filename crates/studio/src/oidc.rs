//! Sign-in through an OpenID Connect provider: discovery, the authorization code flow with
//! PKCE (S256), `state` and `nonce`, and a verified ID token whose roles claim maps to a studio
//! role by the README's roles table. The flow's secrets wait in a short-lived cookie scoped to
//! `/studio/oidc`, so any server behind a load balancer can take the callback.

use std::time::{Duration, Instant};

use api::ApiError;
use api::config::OidcSettings;
use api::service::accounts::{OidcIdentity, StudioRole};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse, reqwest,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;
use tokio::sync::RwLock;

use crate::error::{StudioError, StudioResult};
use crate::session::ClientIp;

/// The cookie that carries one sign-in's `state`, `nonce` and PKCE verifier.
const FLOW_COOKIE: &str = "jobrisk_oidc";
/// How long a sign-in at the provider may take.
const FLOW_SECONDS: u32 = 600;
/// How long discovery (and the keys it fetched) is reused before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The longest the provider may take to answer one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The studio's OIDC client: settings, an HTTP client that never follows redirects, and the
/// provider's metadata, discovered on first use.
pub(crate) struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

/// What the flow cookie holds between the redirect to the provider and its callback.
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

impl Oidc {
    /// A client for `settings`; nothing is fetched until the first sign-in.
    pub(crate) fn new(settings: OidcSettings) -> api::ApiResult<Self> {
        let http = reqwest::Client::builder()
            // A redirect could take the code or the client secret elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|e| ApiError::Internal(format!("OIDC HTTP client: {e}")))?;
        Ok(Self {
            settings,
            http,
            metadata: RwLock::new(None),
        })
    }

    /// The provider's metadata and keys: cached for an hour, or fetched again when `fresh`
    /// (an ID token signed with a key we have not seen yet).
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, ApiError> {
        if !fresh
            && let Some((at, md)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(md.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| ApiError::Internal(format!("JOBRISK_OIDC_ISSUER: {e}")))?;
        let md = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, issuer = %self.settings.issuer, "OIDC discovery failed");
                ApiError::Unavailable(
                    "the sign-in provider cannot be reached; try again shortly".into(),
                )
            })?;
        *self.metadata.write().await = Some((Instant::now(), md.clone()));
        Ok(md)
    }

    fn client(&self, md: CoreProviderMetadata, redirect: &str) -> Result<Client, ApiError> {
        let redirect = RedirectUrl::new(redirect.to_owned())
            .map_err(|e| ApiError::Internal(format!("OIDC redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            md,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }
}

/// `?next=` of the login route.
#[derive(Debug, Default, Deserialize)]
pub struct LoginParams {
    #[serde(default)]
    next: Option<String>,
}

/// What the provider sends back: a code and our state, or an error.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

fn configured(studio: &crate::Studio) -> StudioResult<&Oidc> {
    studio
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::NotFound("single sign-on is not configured".into()).into())
}

fn redirect_uri(studio: &crate::Studio, headers: &HeaderMap) -> StudioResult<String> {
    let origin = studio
        .origin(headers)
        .ok_or_else(|| ApiError::bad_input("Host", "is missing"))?;
    Ok(format!(
        "{}/studio/oidc/callback",
        origin.trim_end_matches('/')
    ))
}

fn flow_cookie(
    studio: &crate::Studio,
    headers: &HeaderMap,
    value: &str,
    max_age: u32,
) -> HeaderValue {
    let secure = if studio.secure(headers) {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{FLOW_COOKIE}={value}; Path=/studio/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `GET /studio/oidc/login`: to the provider, with a fresh state, nonce and PKCE challenge.
pub async fn login(
    State(studio): State<crate::State>,
    Query(params): Query<LoginParams>,
    headers: HeaderMap,
) -> StudioResult<Response> {
    let oidc = configured(&studio)?;
    let client = oidc.client(
        oidc.metadata(false).await?,
        &redirect_uri(&studio, &headers)?,
    )?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let flow = Flow {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: crate::pages::account::safe_next(params.next.as_deref()),
    };
    let value = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&flow).unwrap_or_default());
    let mut response = Redirect::to(url.as_str()).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        flow_cookie(&studio, &headers, &value, FLOW_SECONDS),
    );
    Ok(response)
}

fn read_flow(headers: &HeaderMap) -> Option<Flow> {
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == FLOW_COOKIE)
        .map(|(_, value)| value.to_owned())?;
    let bytes = URL_SAFE_NO_PAD.decode(value.as_bytes()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn refused(message: &str) -> StudioError {
    ApiError::Unauthenticated(format!("single sign-on failed: {message}")).into()
}

/// `GET /studio/oidc/callback`: checks the state against this browser's flow, exchanges the
/// code with the PKCE verifier, verifies the ID token (signature, issuer, audience, expiry,
/// nonce) and signs the mapped user in.
pub async fn callback(
    State(studio): State<crate::State>,
    ClientIp(ip): ClientIp,
    Query(params): Query<CallbackParams>,
    headers: HeaderMap,
) -> StudioResult<Response> {
    let oidc = configured(&studio)?;
    let flow = read_flow(&headers).ok_or_else(|| {
        refused("this sign-in was not started here, or took longer than 10 minutes; start again")
    })?;
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or_default();
        tracing::info!(%error, %detail, "OIDC provider refused the sign-in");
        return Err(refused(&format!("the provider answered {error}")));
    }
    let state = params.state.unwrap_or_default();
    if !bool::from(state.as_bytes().ct_eq(flow.state.as_bytes())) {
        return Err(refused("the state does not match this browser's sign-in"));
    }
    let code = params
        .code
        .ok_or_else(|| refused("the provider sent no code"))?;
    let redirect = redirect_uri(&studio, &headers)?;
    let client = oidc.client(oidc.metadata(false).await?, &redirect)?;
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| refused("the provider has no token endpoint"))?;
    let tokens = request
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            tracing::info!(error = %e, "OIDC code exchange failed");
            refused("the provider did not accept the code")
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| refused("the provider sent no ID token"))?;
    let nonce = Nonce::new(flow.nonce.clone());
    let verify = |client: &Client, md: &CoreProviderMetadata| {
        // Whatever the provider signs with, except `none`; RS256 alone by default.
        let algs: Vec<CoreJwsSigningAlgorithm> = md
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| **a != CoreJwsSigningAlgorithm::None)
            .cloned()
            .collect();
        id_token
            .claims(&client.id_token_verifier().set_allowed_algs(algs), &nonce)
            .cloned()
    };
    let md = oidc.metadata(false).await?;
    let claims = match verify(&client, &md) {
        Ok(claims) => claims,
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
            // Perhaps a rotated key: fetch the keys once more before refusing.
            let md = oidc.metadata(true).await?;
            let client = oidc.client(md.clone(), &redirect)?;
            verify(&client, &md).map_err(|e| {
                tracing::info!(error = %e, "OIDC ID token refused");
                refused("the ID token did not verify")
            })?
        }
        Err(e) => {
            tracing::info!(error = %e, "OIDC ID token refused");
            return Err(refused("the ID token did not verify"));
        }
    };
    // The token verified above, so its payload can be read for the roles claim, which
    // may be any JSON the provider puts there.
    let payload = payload_of(&id_token.to_string()).unwrap_or(Value::Null);
    let role = mapped_role(&payload, &oidc.settings.roles_claim).ok_or_else(|| {
        StudioError::from(ApiError::Forbidden(format!(
            "your account has no studio role: its {} claim names none of viewer, editor, publisher, admin",
            oidc.settings.roles_claim
        )))
    })?;
    let identity = OidcIdentity {
        subject: format!("{} {}", oidc.settings.issuer, claims.subject().as_str()),
        login_hint: claims
            .preferred_username()
            .map(|u| u.as_str().to_owned())
            .or_else(|| claims.email().map(|e| e.as_str().to_owned())),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        role,
    };
    let account = studio.store.oidc_user(identity).await?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let session = studio
        .store
        .start_session(account.id, &ip.to_string(), agent)
        .await?;
    tracing::info!(login = %account.login, role = %role, "signed in through OIDC");
    let mut response = Redirect::to(&flow.next).into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        studio.session_cookie(&headers, &session.token, session.expires_at),
    );
    h.append(header::SET_COOKIE, flow_cookie(&studio, &headers, "", 0));
    Ok(response)
}

/// The JSON payload of a compact JWS.
fn payload_of(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// The strongest studio role named by the claim at the dotted `path` (an array of strings, or
/// one string of names separated by spaces or commas); `None` when it names none.
fn mapped_role(claims: &Value, path: &str) -> Option<StudioRole> {
    let mut at = claims;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        at = at.get(key)?;
    }
    let names: Vec<String> = match at {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::String(s) => s
            .split(|c: char| c.is_whitespace() || c == ',')
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    names
        .iter()
        .filter_map(|n| n.trim().to_ascii_lowercase().parse::<StudioRole>().ok())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_strongest_named_role_wins_at_any_depth() {
        let claims = json!({
            "roles": ["viewer", "Publisher", "other"],
            "realm_access": { "roles": ["offline_access", "editor"] },
            "groups": "viewer admin",
            "none": ["owner"],
        });
        assert_eq!(mapped_role(&claims, "roles"), Some(StudioRole::Publisher));
        assert_eq!(
            mapped_role(&claims, "realm_access.roles"),
            Some(StudioRole::Editor)
        );
        assert_eq!(mapped_role(&claims, "groups"), Some(StudioRole::Admin));
        assert_eq!(mapped_role(&claims, "none"), None);
        assert_eq!(mapped_role(&claims, "missing.path"), None);
        assert_eq!(mapped_role(&json!({ "roles": 3 }), "roles"), None);
    }

    #[test]
    fn a_payload_is_read_from_the_middle_part() {
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"a"}"#);
        assert_eq!(
            payload_of(&format!("x.{body}.y")),
            Some(json!({ "sub": "a" }))
        );
        assert_eq!(payload_of("garbage"), None);
    }
}
