//! Studio sign-in through OpenID Connect, against a provider the test runs on loopback: the
//! code flow with PKCE signs the mapped user in (the roles claim read by a dotted path, the
//! role following the provider on each sign-in); a wrong state, a wrong nonce, a missing flow
//! cookie and an account with no studio role are refused without a session.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::oidc_provider::{CLIENT_ID, CLIENT_SECRET, NextUser, Provider};
use crate::on_both;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `name=value` of each cookie the answer sets, by name.
fn cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let pair = v.split(';').next().unwrap_or_default().to_owned();
            (pair, v.to_owned())
        })
}

/// Where a sign-in stands after the provider answered: the callback URL (relative to the
/// studio) and the flow cookie.
struct Started {
    callback: String,
    flow_cookie: String,
}

async fn start(app: &TestApp, http: &reqwest::Client) -> Started {
    let r = http
        .get(app.url("/studio/oidc/login?next=/studio/roles"))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (flow_cookie, attributes) = cookie(&r, "jobrisk_oidc").expect("flow cookie");
    for attr in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/studio/oidc",
        "Max-Age=600",
    ] {
        assert!(attributes.contains(attr), "{attributes}");
    }
    let authorize = location(&r);
    for part in [
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{authorize}");
    }
    let r = http.get(&authorize).send().await.expect("authorize");
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let callback = location(&r);
    let prefix = format!("http://{}", app.addr);
    assert!(
        callback.starts_with(&format!("{prefix}/studio/oidc/callback?")),
        "{callback}"
    );
    Started {
        callback: callback[prefix.len()..].to_owned(),
        flow_cookie,
    }
}

async fn finish(
    app: &TestApp,
    http: &reqwest::Client,
    callback: &str,
    flow_cookie: &str,
) -> reqwest::Response {
    http.get(app.url(callback))
        .header(COOKIE, flow_cookie)
        .send()
        .await
        .expect("callback")
}

fn user(subject: &str, roles: serde_json::Value) -> NextUser {
    NextUser {
        subject: subject.to_owned(),
        claims: json!({
            "realm_access": { "roles": roles },
            "preferred_username": "grace",
            "name": "Grace Hopper",
        }),
        nonce_override: None,
    }
}

async fn spawn(backend: Backend, provider: &Provider) -> TestApp {
    TestApp::spawn_configured(
        backend,
        vec![
            ("JOBRISK_OIDC_ISSUER", provider.issuer.clone()),
            ("JOBRISK_OIDC_CLIENT_ID", CLIENT_ID.into()),
            ("JOBRISK_OIDC_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("JOBRISK_OIDC_ROLES_CLAIM", "realm_access.roles".into()),
            ("JOBRISK_LOCAL_LOGIN", "off".into()),
        ],
    )
    .await
}

on_both!(backend => single_sign_on_signs_the_mapped_user_in);
async fn single_sign_on_signs_the_mapped_user_in(backend: Backend) {
    let provider = Provider::start().await;
    let app = spawn(backend, &provider).await;
    let http = client();

    // With passwords off, the login page offers only single sign-on, and refuses a password.
    let page = http
        .get(app.url("/studio/login"))
        .send()
        .await
        .expect("page");
    let html = page.text().await.expect("body");
    assert!(html.contains("id=\"sso\""), "{html}");
    assert!(!html.contains("type=\"password\""), "{html}");

    provider.sign_in_next(user(
        "u-1",
        json!(["offline_access", "publisher", "viewer"]),
    ));
    let s = start(&app, &http).await;
    let r = finish(&app, &http, &s.callback, &s.flow_cookie).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    assert_eq!(location(&r), "/studio/roles");
    let (session, _) = cookie(&r, "jobrisk_session").expect("session cookie");
    let (cleared, attrs) = cookie(&r, "jobrisk_oidc").expect("flow cookie cleared");
    assert_eq!(cleared, "jobrisk_oidc=");
    assert!(attrs.contains("Max-Age=0"), "{attrs}");

    let page = http
        .get(app.url("/studio/roles"))
        .header(COOKIE, &session)
        .send()
        .await
        .expect("roles");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("body").contains("Grace Hopper"));
    // One user, the provider's subject, a publisher, no password.
    let users = app
        .sql_strings(
            "SELECT login || ' ' || role || ' ' || COALESCE(password_hash, 'none') || ' ' || oidc_subject FROM users",
        )
        .await;
    assert_eq!(
        users,
        [format!("grace publisher none {} u-1", provider.issuer)]
    );

    // The code was used once: the same callback again is refused by the provider.
    let again = finish(&app, &http, &s.callback, &s.flow_cookie).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie(&again, "jobrisk_session").is_none());
    assert!(
        again
            .text()
            .await
            .expect("body")
            .contains("did not accept the code")
    );
    assert!(
        provider
            .refusals()
            .contains(&"unknown or used code".to_owned())
    );

    // The provider is the source of the role: signing in again as a viewer makes the same user
    // a viewer, who may no longer publish.
    provider.sign_in_next(user("u-1", json!(["viewer"])));
    let s = start(&app, &http).await;
    let r = finish(&app, &http, &s.callback, &s.flow_cookie).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let users = app
        .sql_strings("SELECT login || ' ' || role FROM users")
        .await;
    assert_eq!(
        users,
        ["grace viewer"],
        "one user per subject, now a viewer"
    );

    // Passwords are off.
    let r = http
        .post(app.url("/studio/login"))
        .header("origin", format!("http://{}", app.addr))
        .form(&[("login", "grace"), ("password", "whatever it is")])
        .send()
        .await
        .expect("password login");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

on_both!(backend => a_wrong_state_or_nonce_or_no_studio_role_is_refused);
async fn a_wrong_state_or_nonce_or_no_studio_role_is_refused(backend: Backend) {
    let provider = Provider::start().await;
    let app = spawn(backend, &provider).await;
    let http = client();

    // A state that is not this browser's (a login CSRF): refused before the code is used.
    provider.sign_in_next(user("u-2", json!(["editor"])));
    let s = start(&app, &http).await;
    let other = start(&app, &http).await;
    let r = finish(&app, &http, &s.callback, &other.flow_cookie).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.expect("body").contains("state"));
    // No flow cookie at all (it expired, or the callback was opened elsewhere).
    let r = http
        .get(app.url(&s.callback))
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie(&r, "jobrisk_session").is_none());

    // An ID token whose nonce is not the one this sign-in sent (a replayed token).
    provider.sign_in_next(NextUser {
        nonce_override: Some("someone-elses-nonce".into()),
        ..user("u-2", json!(["editor"]))
    });
    let s = start(&app, &http).await;
    let r = finish(&app, &http, &s.callback, &s.flow_cookie).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie(&r, "jobrisk_session").is_none());
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("ID token did not verify")
    );

    // A verified account whose roles name no studio role.
    provider.sign_in_next(user("u-3", json!(["offline_access", "owner"])));
    let s = start(&app, &http).await;
    let r = finish(&app, &http, &s.callback, &s.flow_cookie).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(cookie(&r, "jobrisk_session").is_none());
    assert!(r.text().await.expect("body").contains("no studio role"));

    // A provider error comes back as a refusal, not a session.
    let r = http
        .get(app.url("/studio/oidc/callback?error=access_denied&state=x"))
        .header(COOKIE, &s.flow_cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let users = app.sql_strings("SELECT login FROM users").await;
    assert!(users.is_empty(), "no one was signed up: {users:?}");
}
