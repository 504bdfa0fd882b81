//! The editor studio through HTTP, as a browser would call it (no browser: `tests/studio`
//! drives Chromium): the first admin's setup link, sign-in and its throttle, the cookie's
//! attributes, CSRF and origin refusals, the same permissions as the API's mutations, and a
//! preview that equals the saved score.

use api::service::Store;
use api::service::accounts::{NewUser, StudioRole};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER, SET_COOKIE};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

/// A browser-like client of one server: no redirects followed, the session cookie kept.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookie: Option<String>,
}

/// An answer: status, headers and body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookie: None,
        }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.app.addr)
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        let mut r = self.http.get(self.app.url(path));
        if let Some(c) = &self.cookie {
            r = r.header("cookie", c);
        }
        answer(r.send().await.expect("GET")).await
    }

    /// A form POST as a page of the studio sends it (same origin).
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let origin = self.origin();
        self.post_with(
            path,
            fields,
            &[("origin", &origin), ("sec-fetch-site", "same-origin")],
        )
        .await
    }

    pub(crate) async fn post_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut r = self
            .http
            .post(self.app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = &self.cookie {
            r = r.header("cookie", c);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let a = answer(r.send().await.expect("POST")).await;
        if let Some(set) = a.headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().to_owned();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        a
    }

    async fn sign_in(&mut self, login: &str, password: &str) -> Answer {
        self.post("/studio/login", &[("login", login), ("password", password)])
            .await
    }

    /// The CSRF token of the signed-in session, read off a page.
    async fn csrf(&self) -> String {
        let page = self.get("/studio").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        field_value(&page.body, "csrf").expect("a csrf field")
    }
}

async fn answer(r: reqwest::Response) -> Answer {
    Answer {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.text().await.expect("body"),
    }
}

/// The `value` of the first input named `name` on a page.
pub(crate) fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(
        rest[..rest.find('"')?]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

/// The text of the element with `id` (up to its first `<`).
fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    Some(
        rest[start..start + rest[start..].find('<')?]
            .trim()
            .to_owned(),
    )
}

async fn add_user(app: &TestApp, login: &str, role: StudioRole) {
    Store::new(app.db.clone())
        .create_user(NewUser {
            login: login.into(),
            name: None,
            role,
            password: Some(SecretString::from(PASSWORD)),
        })
        .await
        .expect("user");
}

pub(crate) async fn signed_in<'a>(
    app: &'a TestApp,
    login: &str,
    role: StudioRole,
) -> (Browser<'a>, String) {
    add_user(app, login, role).await;
    let mut b = Browser::new(app);
    let a = b.sign_in(login, PASSWORD).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let csrf = b.csrf().await;
    (b, csrf)
}

on_both!(spawn => the_setup_link_creates_the_first_admin_once);
async fn the_setup_link_creates_the_first_admin_once(app: TestApp) {
    let store = Store::new(app.db.clone());
    let link = store
        .setup_link()
        .await
        .expect("link")
        .expect("no users yet");
    let mut b = Browser::new(&app);
    let path = format!("/studio/setup?token={}", link.token);
    assert_eq!(b.get(&path).await.status, StatusCode::OK);
    assert_eq!(
        b.get("/studio/setup?token=forged").await.status,
        StatusCode::UNAUTHORIZED
    );
    let mismatch = b
        .post(
            "/studio/setup",
            &[
                ("token", &link.token),
                ("login", "ada"),
                ("password", PASSWORD),
                ("confirm", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mismatch.body.contains("confirm: does not match"),
        "{}",
        mismatch.body
    );
    let created = b
        .post(
            "/studio/setup",
            &[
                ("token", &link.token),
                ("login", "Ada"),
                ("name", "Ada L."),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let cookie = created.headers[SET_COOKIE].to_str().expect("ascii");
    for attribute in ["Path=/studio", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    let home = b.get("/studio").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("Ada L.") && home.body.contains(">admin<"),
        "{}",
        home.body
    );
    // Used up: a second admin cannot be made with it.
    let again = b
        .post(
            "/studio/setup",
            &[
                ("token", &link.token),
                ("login", "eve"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(
        store.setup_link().await.expect("link").is_none(),
        "no setup link once a user exists"
    );
    // Only hashes are stored: the Argon2id hash, and the session's SHA-256, never its token.
    let hashes = app.sql_strings("SELECT password_hash FROM users").await;
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$v=19$"), "{hashes:?}");
    let token = b.cookie.clone().expect("cookie");
    let token = token.trim_start_matches("jobrisk_session=");
    let stored = app
        .sql_strings("SELECT token_hash FROM studio_sessions")
        .await;
    assert_eq!(stored.len(), 1);
    assert!(
        !stored.iter().any(|s| s.contains(token)),
        "the raw token is not stored"
    );
    assert_eq!(stored[0].len(), 64);
}

on_both!(spawn => sign_in_is_throttled_without_telling_which_logins_exist);
async fn sign_in_is_throttled_without_telling_which_logins_exist(app: TestApp) {
    add_user(&app, "ed", StudioRole::Editor).await;
    let mut b = Browser::new(&app);
    let unknown = b.sign_in("nobody", "wrong password!").await;
    let wrong = b.sign_in("ed", "wrong password!").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        text_of(&unknown.body, "login-error"),
        text_of(&wrong.body, "login-error"),
        "an unknown login reads like a wrong password"
    );
    for attempt in 2..=5 {
        let a = b.sign_in("ed", "wrong password!").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let sixth = b.sign_in("ed", "wrong password!").await;
    assert_eq!(
        sixth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        sixth.body
    );
    let retry: u64 = sixth.headers[RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Throttled, not locked: the limit is on this login from this address, and lifts by itself.
    let right = b.sign_in("ed", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    let user = app
        .sql_strings("SELECT CAST(disabled AS TEXT) FROM users")
        .await;
    assert!(user.iter().all(|d| d == "false" || d == "0"), "{user:?}");
}

on_both!(spawn => writes_from_other_sites_or_without_the_csrf_token_are_refused);
async fn writes_from_other_sites_or_without_the_csrf_token_are_refused(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let slug = "/studio/roles/backend-developer";
    let page = b.get(slug).await;
    let version = field_value(&page.body, "expectedVersion").expect("version");
    let edit = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("expectedVersion".to_owned(), version.clone()),
            ("title".to_owned(), "Backend Developer (edited)".to_owned()),
        ]
    };
    let no_token = edit("");
    let a = b.post(slug, &as_refs(&no_token)[1..]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no token: {}", a.body);
    let forged = edit(&"x".repeat(43));
    let a = b.post(slug, &as_refs(&forged)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "wrong token");
    let good = edit(&csrf);
    let a = b
        .post_with(slug, &as_refs(&good), &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another site");
    let a = b
        .post_with(slug, &as_refs(&good), &[("origin", "http://evil.example")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another origin");
    let title = app
        .sql_strings("SELECT title FROM roles WHERE slug = 'backend-developer'")
        .await;
    assert_eq!(title, ["Backend Developer"], "nothing was written");
    let a = b.post(slug, &as_refs(&good)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The cookie is not a credential for the API.
    let r = b
        .http
        .post(app.graphql_url())
        .header("cookie", b.cookie.clone().expect("cookie"))
        .json(&json!({"query": "mutation { publishRole(slug: \"backend-developer\", expectedVersion: 1) { version } }"}))
        .send()
        .await
        .expect("graphql");
    let body: Value = r.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    // Signing out ends the session on the server, not only in the browser.
    let cookie = b.cookie.clone();
    let a = b.post("/studio/logout", &[("csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    b.cookie = cookie;
    let a = b.get("/studio").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(
        a.headers[LOCATION]
            .to_str()
            .expect("ascii")
            .starts_with("/studio/login")
    );
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// A JWT with `roles: [role]` for the API.
pub(crate) fn role_token(role: &str) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 600;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": format!("jwt-{role}"), "exp": exp, "roles": [role]}),
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("token")
}

async fn version_of(app: &TestApp, slug: &str) -> String {
    app.sql_strings(&format!(
        "SELECT CAST(version AS TEXT) FROM roles WHERE slug = '{slug}'"
    ))
    .await
    .remove(0)
}

on_both!(spawn_with_jwt => each_studio_write_is_refused_exactly_where_its_mutation_is);
async fn each_studio_write_is_refused_exactly_where_its_mutation_is(app: TestApp) {
    let slug = "backend-developer";
    for role in StudioRole::ALL {
        let (mut b, csrf) = signed_in(&app, &format!("user-{role}"), role).await;
        let token = role_token(role.as_str());
        // Edit: the studio's save against updateRole.
        let v = version_of(&app, slug).await;
        let studio = b
            .post(
                &format!("/studio/roles/{slug}"),
                &[
                    ("csrf", &csrf),
                    ("expectedVersion", &v),
                    ("summary", &format!("Edited by {role} in the studio.")),
                ],
            )
            .await;
        let v = version_of(&app, slug).await;
        let api = app
            .query_as(
                Some(&token),
                "mutation($v: Int!, $s: String!) { updateRole(slug: \"backend-developer\", expectedVersion: $v, input: {summary: $s}) { version } }",
                json!({"v": v.parse::<i64>().expect("int"), "s": format!("Edited by {role} through the API.")}),
            )
            .await;
        let studio_ok = studio.status == StatusCode::SEE_OTHER;
        let api_ok = api["errors"].is_null();
        assert_eq!(
            studio_ok, api_ok,
            "{role}: edit: studio {} vs API {api}",
            studio.status
        );
        assert_eq!(studio_ok, role >= StudioRole::Editor, "{role}: edit");
        if !studio_ok {
            assert_eq!(studio.status, StatusCode::FORBIDDEN, "{role}");
        }
        // Publish: the studio's publish against publishRole.
        let v = version_of(&app, slug).await;
        let studio = b
            .post(
                &format!("/studio/roles/{slug}/publish"),
                &[("csrf", &csrf), ("expectedVersion", &v)],
            )
            .await;
        let v = version_of(&app, slug).await;
        let api = app
            .query_as(
                Some(&token),
                "mutation($v: Int!) { publishRole(slug: \"backend-developer\", expectedVersion: $v) { version } }",
                json!({"v": v.parse::<i64>().expect("int")}),
            )
            .await;
        let studio_ok = studio.status == StatusCode::SEE_OTHER;
        assert_eq!(
            studio_ok,
            api["errors"].is_null(),
            "{role}: publish: studio {} vs API {api}",
            studio.status
        );
        assert_eq!(studio_ok, role >= StudioRole::Publisher, "{role}: publish");
        // Everyone may read and preview.
        let page = b.get(&format!("/studio/roles/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        assert_eq!(
            page.body.contains("id=\"save\""),
            role >= StudioRole::Editor,
            "{role}: save button"
        );
        assert_eq!(
            page.body.contains("id=\"publish\""),
            role >= StudioRole::Publisher,
            "{role}: publish button"
        );
    }
    // A changed role counts from the next request; disabling ends the session.
    let (mut b, csrf) = signed_in(&app, "demoted", StudioRole::Publisher).await;
    let store = Store::new(app.db.clone());
    store
        .set_user_role("demoted", StudioRole::Viewer)
        .await
        .expect("role");
    let v = version_of(&app, slug).await;
    let a = b
        .post(
            &format!("/studio/roles/{slug}/publish"),
            &[("csrf", &csrf), ("expectedVersion", &v)],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    store
        .set_user_disabled("demoted", true)
        .await
        .expect("disable");
    assert_eq!(
        b.get("/studio").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

on_both!(spawn => the_preview_is_the_score_the_save_gives);
async fn the_preview_is_the_score_the_save_gives(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let before: u8 = text_of(&page.body, "score-value")
        .expect("score")
        .parse()
        .expect("number");
    // Relabel every task E1 (directly exposed): the score must move up.
    let tasks = app
        .sql_strings(&format!("SELECT text FROM role_tasks WHERE role_id = (SELECT id FROM roles WHERE slug = '{slug}') ORDER BY position"))
        .await;
    assert!(tasks.len() >= 3, "{tasks:?}");
    let version = field_value(&page.body, "expectedVersion").expect("version");
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("expectedVersion".into(), version),
        ("tasks.sent".into(), "1".into()),
    ];
    for (i, text) in tasks.iter().enumerate() {
        fields.push((format!("tasks[{i}].text"), text.clone()));
        fields.push((format!("tasks[{i}].exposure"), "E1".into()));
        fields.push((format!("tasks[{i}].taskType"), "CORE".into()));
        fields.push((format!("tasks[{i}].timeShare"), "1".into()));
    }
    let refs = as_refs(&fields);
    let preview = b.post(&format!("{path}/preview"), &refs).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let previewed: u8 = text_of(&preview.body, "score-value")
        .expect("score")
        .parse()
        .expect("number");
    assert!(previewed > before, "{before} -> {previewed}");
    assert!(
        preview
            .body
            .contains(&format!("{previewed}, +{}", previewed - before)),
        "{}",
        preview.body
    );
    // Nothing was written by the preview.
    assert_eq!(
        version_of(&app, slug).await,
        field_value(&page.body, "expectedVersion").expect("v")
    );
    let saved = b.post(&path, &refs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app
        .sql_strings(&format!(
            "SELECT CAST(score AS TEXT) FROM roles WHERE slug = '{slug}'"
        ))
        .await;
    assert_eq!(
        stored,
        [previewed.to_string()],
        "the saved score is the previewed one"
    );
    // A hostile form is a field error in the panel, not a crash.
    let bad = b
        .post(
            &format!("{path}/preview"),
            &[
                ("csrf", &csrf),
                ("tasks.sent", "1"),
                ("tasks[0].text", "x"),
                ("tasks[0].timeShare", "-1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.body.contains("input.tasks[0].timeShare"),
        "{}",
        bad.body
    );
    // A stale version is a conflict that keeps what the editor typed.
    let stale = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("expectedVersion", "1"),
                ("title", "Typed and kept"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("id=\"merge-clean\""), "{}", stale.body);
    assert!(stale.body.contains("Title (yours)"), "{}", stale.body);
}

on_both!(spawn_with_jwt => three_relabels_preview_what_update_role_returns);
/// Issue 14's check: three task relabels, one after another, each previewed by the studio and
/// then saved through `updateRole` with the same tasks: the API answers the previewed score.
async fn three_relabels_preview_what_update_role_returns(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let token = role_token("editor");
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let column = |sql: &str| {
        format!(
            "SELECT COALESCE(CAST({sql} AS TEXT), '') FROM role_tasks WHERE role_id = (SELECT id FROM roles WHERE slug = '{slug}') ORDER BY position"
        )
    };
    let texts = app.sql_strings(&column("text")).await;
    let types = app.sql_strings(&column("task_type")).await;
    let shares = app.sql_strings(&column("time_share")).await;
    let mut labels = app.sql_strings(&column("exposure")).await;
    assert!(texts.len() >= 3, "{texts:?}");
    let mut scores = Vec::new();
    for edit in 0..3 {
        labels[edit] = match labels[edit].as_str() {
            "E1" => "E0",
            "E2" => "E1",
            _ => "E2",
        }
        .to_string();
        let version = version_of(&app, slug).await;
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("expectedVersion".into(), version.clone()),
            ("tasks.sent".into(), "1".into()),
        ];
        let mut tasks = Vec::new();
        for i in 0..texts.len() {
            fields.push((format!("tasks[{i}].text"), texts[i].clone()));
            fields.push((format!("tasks[{i}].exposure"), labels[i].clone()));
            fields.push((format!("tasks[{i}].taskType"), types[i].clone()));
            fields.push((format!("tasks[{i}].timeShare"), shares[i].clone()));
            let mut task = json!({ "text": texts[i] });
            if !labels[i].is_empty() {
                task["exposure"] = json!(labels[i]);
            }
            if !types[i].is_empty() {
                task["taskType"] = json!(types[i]);
            }
            if let Ok(share) = shares[i].parse::<f64>() {
                task["timeShare"] = json!(share);
            }
            tasks.push(task);
        }
        let refs = as_refs(&fields);
        let preview = b.post(&format!("{path}/preview"), &refs).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let previewed: i64 = text_of(&preview.body, "score-value")
            .expect("score")
            .parse()
            .expect("number");
        let saved = app
            .query_as(
                Some(&token),
                "mutation($v: Int!, $tasks: [TaskInput!]!) { updateRole(slug: \"backend-developer\", expectedVersion: $v, input: {tasks: $tasks}) { risk { score } } }",
                json!({"v": version.parse::<i64>().expect("int"), "tasks": tasks}),
            )
            .await;
        assert!(saved["errors"].is_null(), "edit {edit}: {saved}");
        assert_eq!(
            saved["data"]["updateRole"]["risk"]["score"].as_i64(),
            Some(previewed),
            "edit {edit}: updateRole's score is the previewed one: {saved}"
        );
        scores.push(previewed);
    }
    assert!(
        scores.windows(2).any(|w| w[0] != w[1]),
        "the relabels moved the score: {scores:?}"
    );
}

on_both!(spawn => admins_manage_users_and_everyone_their_own_password);
async fn admins_manage_users_and_everyone_their_own_password(app: TestApp) {
    let (mut admin, csrf) = signed_in(&app, "root", StudioRole::Admin).await;
    let made = admin
        .post(
            "/studio/users",
            &[
                ("csrf", &csrf),
                ("login", "Newbie"),
                ("name", "New Bie"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let at = made
        .body
        .find("/studio/reset?token=")
        .expect("a one-time link");
    let rest = &made.body[at..];
    let link = &rest[..rest
        .find(|c: char| c == '<' || c.is_whitespace())
        .expect("end")];
    let duplicate = admin
        .post(
            "/studio/users",
            &[("csrf", &csrf), ("login", "newbie"), ("role", "editor")],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let bad_role = admin
        .post(
            "/studio/users",
            &[("csrf", &csrf), ("login", "x"), ("role", "root")],
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The new user chooses a password with the link, once.
    let mut newbie = Browser::new(&app);
    assert_eq!(newbie.get(link).await.status, StatusCode::OK);
    let token = link.trim_start_matches("/studio/reset?token=");
    let short = newbie
        .post(
            "/studio/reset",
            &[
                ("token", token),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = newbie
        .post(
            "/studio/reset",
            &[
                ("token", token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_eq!(
        newbie.get(link).await.status,
        StatusCode::UNAUTHORIZED,
        "used up"
    );
    // An editor may not manage users.
    let newbie_csrf = newbie.csrf().await;
    assert_eq!(
        newbie.get("/studio/users").await.status,
        StatusCode::FORBIDDEN
    );
    let a = newbie
        .post("/studio/users/root/disable", &[("csrf", &newbie_csrf)])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // Changing one's password needs the current one and ends one's other sessions.
    let mut other = Browser::new(&app);
    assert_eq!(
        other.sign_in("newbie", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let wrong = newbie
        .post(
            "/studio/account/password",
            &[
                ("csrf", &newbie_csrf),
                ("currentPassword", "not it at all"),
                ("newPassword", "another long passphrase"),
                ("confirm", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = newbie
        .post(
            "/studio/account/password",
            &[
                ("csrf", &newbie_csrf),
                ("currentPassword", PASSWORD),
                ("newPassword", "another long passphrase"),
                ("confirm", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        newbie.get("/studio").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other.get("/studio").await.status,
        StatusCode::SEE_OTHER,
        "the other one ended"
    );
    // The admin disables the user: their session ends at once.
    let a = admin
        .post("/studio/users/newbie/disable", &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(newbie.get("/studio").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        newbie
            .sign_in("newbie", "another long passphrase")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // An admin cannot lock themselves out.
    let a = admin
        .post("/studio/users/root/disable", &[("csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(spawn => changes_show_words_and_labels_and_can_be_discarded_or_scheduled);
async fn changes_show_words_and_labels_and_can_be_discarded_or_scheduled(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "pub", StudioRole::Publisher).await;
    let slug = "backend-developer";
    let changes = format!("/studio/roles/{slug}/changes");
    let page = b.get(&changes).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"no-changes\""), "{}", page.body);
    let summary = app
        .sql_strings(&format!("SELECT summary FROM roles WHERE slug = '{slug}'"))
        .await
        .remove(0);
    let v = version_of(&app, slug).await;
    let edited = format!("{summary} Reviewed twice.");
    let a = b
        .post(
            &format!("/studio/roles/{slug}"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("summary", &edited),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let page = b.get(&changes).await;
    assert!(
        page.body.contains("<th scope=\"row\">Summary</th>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<ins>Reviewed</ins>")
            || page.body.contains("<ins>Reviewed twice.</ins>")
            || page.body.contains("<ins> Reviewed"),
        "{}",
        page.body
    );
    assert_eq!(
        page.body.matches("<del>").count(),
        1,
        "only the legend: nothing was removed: {}",
        page.body
    );
    // Schedule, then cancel.
    let v = version_of(&app, slug).await;
    let at = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let bad = b
        .post(
            &format!("{changes}/../schedule"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("action", "PUBLISH"),
                ("at", "tomorrow"),
            ],
        )
        .await;
    assert_ne!(bad.status, StatusCode::SEE_OTHER);
    let a = b
        .post(
            &format!("/studio/roles/{slug}/schedule"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("action", "PUBLISH"),
                ("at", &at),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = b.get(&changes).await;
    assert!(
        text_of(&page.body, "schedule").is_some_and(|s| s.starts_with("Publish scheduled for")),
        "{}",
        page.body
    );
    let a = b
        .post(
            &format!("/studio/roles/{slug}/schedule/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(text_of(&b.get(&changes).await.body, "schedule").is_none());
    // Discard: the working copy is the live page again.
    let v = version_of(&app, slug).await;
    let a = b
        .post(
            &format!("/studio/roles/{slug}/discard"),
            &[("csrf", &csrf), ("expectedVersion", &v)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(b.get(&changes).await.body.contains("id=\"no-changes\""));
    assert_eq!(
        app.sql_strings(&format!("SELECT summary FROM roles WHERE slug = '{slug}'"))
            .await,
        [summary]
    );
}

on_both!(spawn => bulk_actions_report_each_role_and_keep_their_versions);
async fn bulk_actions_report_each_role_and_keep_their_versions(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "pub", StudioRole::Publisher).await;
    let list = b.get("/studio/roles?q=developer").await;
    assert_eq!(list.status, StatusCode::OK);
    let picks: Vec<String> = list
        .body
        .match_indices("name=\"pick\" value=\"")
        .map(|(at, m)| {
            let rest = &list.body[at + m.len()..];
            rest[..rest.find('"').expect("end")].to_owned()
        })
        .collect();
    assert!(picks.len() >= 2, "{}", list.body);
    // One of them changes meanwhile: its stale version is refused, the others go through.
    let (stale_slug, stale_version) = picks[0].rsplit_once(':').expect("slug:version");
    let a = b
        .post(
            &format!("/studio/roles/{stale_slug}"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", stale_version),
                ("title", "Renamed meanwhile"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let mut fields = vec![("csrf", csrf.as_str()), ("action", "unpublish")];
    fields.extend(picks.iter().map(|p| ("pick", p.as_str())));
    let done = b.post("/studio/bulk", &fields).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body.matches("Refused:").count(), 1, "{}", done.body);
    assert_eq!(
        done.body.matches("Done: unpublished").count(),
        picks.len() - 1,
        "{}",
        done.body
    );
    // Editors see no bulk form and cannot post one.
    let (mut ed, ed_csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    assert!(!ed.get("/studio/roles").await.body.contains("id=\"bulk\""));
    let refused = ed
        .post(
            "/studio/bulk",
            &[
                ("csrf", &ed_csrf),
                ("action", "archive"),
                ("pick", &picks[1]),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

on_both!(spawn => unsaved_changes_are_kept_privately_and_restored_exactly);
async fn unsaved_changes_are_kept_privately_and_restored_exactly(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let v = version_of(&app, slug).await;
    let revisions = || app.sql_strings("SELECT CAST(COUNT(*) AS TEXT) FROM role_revisions");
    let before = revisions().await;
    let kept = b
        .post(
            &format!("{path}/buffer"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("title", "Typed before the tab closed"),
                ("tasks.sent", "1"),
                ("tasks[0].text", "Only task"),
                ("tasks[0].exposure", "E2"),
            ],
        )
        .await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.body);
    assert_eq!(revisions().await, before, "a buffer is not a revision");
    assert_eq!(version_of(&app, slug).await, v);
    let stored = app.sql_strings("SELECT form FROM edit_buffers").await;
    assert!(!stored[0].contains(&csrf), "the CSRF token is not kept");
    // Others do not see it; the editor is offered it, and it restores exactly.
    let (other, _) = signed_in(&app, "other", StudioRole::Editor).await;
    assert!(!other.get(&path).await.body.contains("id=\"restore\""));
    let page = b.get(&path).await;
    assert!(page.body.contains("id=\"restore\""), "{}", page.body);
    assert!(
        page.body.contains(&format!("based on version {v}")),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Typed before the tab closed"),
        "the form is not swapped unasked"
    );
    let restored = b.get(&format!("{path}?restore=1")).await;
    assert!(
        restored
            .body
            .contains("value=\"Typed before the tab closed\"")
    );
    assert!(restored.body.contains("value=\"Only task\""));
    assert!(
        restored.body.contains("<option value=\"E2\" selected>"),
        "{}",
        restored.body
    );
    assert_eq!(
        field_value(&restored.body, "expectedVersion").as_deref(),
        Some(v.as_str())
    );
    // Saving drops the buffer.
    let saved = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("title", "Typed before the tab closed"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        app.sql_strings("SELECT form FROM edit_buffers")
            .await
            .is_empty()
    );
    // A viewer edits nothing, so keeps nothing.
    let (mut viewer, viewer_csrf) = signed_in(&app, "viewer", StudioRole::Viewer).await;
    let v = version_of(&app, slug).await;
    let refused = viewer
        .post(
            &format!("{path}/buffer"),
            &[
                ("csrf", &viewer_csrf),
                ("expectedVersion", &v),
                ("title", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

on_both!(spawn => history_compares_any_two_revisions_and_restores_one_field);
async fn history_compares_any_two_revisions_and_restores_one_field(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let original = app
        .sql_strings(&format!("SELECT summary FROM roles WHERE slug = '{slug}'"))
        .await
        .remove(0);
    let start = version_of(&app, slug).await;
    let v = start.clone();
    let a = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("summary", "A new summary."),
                ("title", "Backend Engineer"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let history = b.get(&format!("{path}/history")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains("<th scope=\"row\">Summary</th>"),
        "{}",
        history.body
    );
    assert!(history.body.contains("<th scope=\"row\">Title</th>"));
    assert!(
        history.body.contains("<td>ed</td>"),
        "the editor is named: {}",
        history.body
    );
    let same = b.get(&format!("{path}/history?a={start}&b={start}")).await;
    assert!(same.body.contains("id=\"no-changes\""));
    let missing = b.get(&format!("{path}/history?a=999")).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Take back only the summary: the title stays as edited.
    let v = version_of(&app, slug).await;
    let a = b
        .post(
            &format!("{path}/restore"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("revision", &start),
                ("field", "summary"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let row = app
        .sql_strings(&format!(
            "SELECT summary || '|' || title FROM roles WHERE slug = '{slug}'"
        ))
        .await
        .remove(0);
    assert_eq!(row, format!("{original}|Backend Engineer"));
    let a = b
        .post(
            &format!("{path}/restore"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("revision", &start),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "a stale version is refused");
    let v = version_of(&app, slug).await;
    let a = b
        .post(
            &format!("{path}/restore"),
            &[
                ("csrf", &csrf),
                ("expectedVersion", &v),
                ("revision", &start),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.sql_strings(&format!("SELECT title FROM roles WHERE slug = '{slug}'"))
            .await,
        ["Backend Developer"]
    );
    let (mut viewer, viewer_csrf) = signed_in(&app, "viewer", StudioRole::Viewer).await;
    assert!(
        !viewer
            .get(&format!("{path}/history"))
            .await
            .body
            .contains("name=\"revision\"")
    );
    let v = version_of(&app, slug).await;
    let a = viewer
        .post(
            &format!("{path}/restore"),
            &[
                ("csrf", &viewer_csrf),
                ("expectedVersion", &v),
                ("revision", &start),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

on_both!(spawn => a_lost_race_merges_without_losing_a_field);
async fn a_lost_race_merges_without_losing_a_field(app: TestApp) {
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let (mut ann, ann_csrf) = signed_in(&app, "ann", StudioRole::Editor).await;
    let (mut ben, ben_csrf) = signed_in(&app, "ben", StudioRole::Editor).await;
    let opened = version_of(&app, slug).await;
    let a = ben
        .post(
            &path,
            &[
                ("csrf", &ben_csrf),
                ("expectedVersion", &opened),
                ("title", "Ben's title"),
                ("summary", "Ben's summary."),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let theirs = version_of(&app, slug).await;
    let lost = ann
        .post(
            &path,
            &[
                ("csrf", &ann_csrf),
                ("expectedVersion", &opened),
                ("summary", "Ann's summary."),
                ("industryContext", "Ann's context."),
            ],
        )
        .await;
    assert_eq!(lost.status, StatusCode::CONFLICT, "{}", lost.body);
    assert!(
        lost.body.contains("data-field=\"summary\""),
        "{}",
        lost.body
    );
    assert_eq!(
        lost.body.matches("class=\"clash\"").count(),
        1,
        "only the summary clashes"
    );
    assert!(
        lost.body.contains("Title (theirs)") && lost.body.contains("Industry context (yours)"),
        "{}",
        lost.body
    );
    assert!(
        lost.body.contains("Ben&#39;s summary.")
            || lost.body.contains("Ben&#x27;s summary.")
            || lost.body.contains("Ben's summary."),
        "{}",
        lost.body
    );
    assert_eq!(version_of(&app, slug).await, theirs, "nothing written yet");
    let unchosen = ann
        .post(
            &format!("{path}/merge"),
            &[("csrf", &ann_csrf), ("expectedVersion", &theirs)],
        )
        .await;
    assert_eq!(unchosen.status, StatusCode::CONFLICT);
    assert!(unchosen.body.contains("id=\"merge-error\""));
    let merged = ann
        .post(
            &format!("{path}/merge"),
            &[
                ("csrf", &ann_csrf),
                ("expectedVersion", &theirs),
                ("choice.summary", "yours"),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let row = app
        .sql_strings(&format!("SELECT title || '|' || summary || '|' || industry_context FROM roles WHERE slug = '{slug}'"))
        .await
        .remove(0);
    assert_eq!(row, "Ben's title|Ann's summary.|Ann's context.");
    assert!(
        app.sql_strings("SELECT form FROM edit_buffers")
            .await
            .is_empty(),
        "the kept form goes once merged"
    );
}

/// The value of input `name`, wherever its `value` attribute sits in the tag.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag = &html[html[..at].rfind('<')?..];
    let tag = &tag[..tag.find('>')?];
    let start = tag.find(" value=\"")? + 8;
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

on_both!(spawn => the_form_keeps_list_order_previews_the_page_and_suggests_roles);
async fn the_form_keeps_list_order_previews_the_page_and_suggests_roles(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let slug = "backend-developer";
    let path = format!("/studio/roles/{slug}");
    let order_sql = format!(
        "SELECT s.slug FROM role_sources rs JOIN sources s ON s.id = rs.source_id \
         WHERE rs.role_id = (SELECT id FROM roles WHERE slug = '{slug}') ORDER BY rs.position"
    );
    let stored = app.sql_strings(&order_sql).await;
    assert!(stored.len() >= 2, "{stored:?}");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    // Sources are rows in their stored order (a multi-select would show catalog order).
    for (i, s) in stored.iter().enumerate() {
        assert_eq!(
            input_value(&page.body, &format!("sources[{i}]")).as_deref(),
            Some(s.as_str())
        );
    }
    assert!(page.body.contains("<datalist id=\"source-options\">"));
    assert!(page.body.contains("data-pick=\"/studio/pick/roles\""));
    assert!(page.body.contains("id=\"page-preview\""), "the Page tab");

    // The preview answers the score panel and, out of band, the page as it would read.
    let version = field_value(&page.body, "expectedVersion").expect("version");
    let reversed: Vec<String> = stored.iter().rev().cloned().collect();
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("expectedVersion".into(), version),
        ("title".into(), "Backend Engineer".into()),
        ("sources.sent".into(), "1".into()),
        ("faqs.sent".into(), "1".into()),
        (
            "faqs[0].question".into(),
            "Is <b>AI</b> taking over?".into(),
        ),
        ("faqs[0].answer".into(), "Parts of the work.".into()),
        ("migrationPaths.sent".into(), "1".into()),
        ("migrationPaths[0].target".into(), "data-scientist".into()),
        ("migrationPaths[0].rationale".into(), "Close skills.".into()),
        ("migrationPaths[1].target".into(), "no-such-role".into()),
        (
            "migrationPaths[1].rationale".into(),
            "Typed halfway.".into(),
        ),
    ];
    for (i, s) in reversed.iter().enumerate() {
        fields.push((format!("sources[{i}]"), s.clone()));
    }
    let preview = b.post(&format!("{path}/preview"), &as_refs(&fields)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let body = &preview.body;
    assert!(body.contains("id=\"score-value\""), "{body}");
    assert!(
        body.contains("<div id=\"page-preview\" hx-swap-oob=\"innerHTML\">"),
        "{body}"
    );
    assert!(body.contains("<h2 id=\"page-title\">Backend Engineer</h2>"));
    assert!(
        body.contains("Is &#60;b&#62;AI&#60;/b&#62; taking over?"),
        "escaped: {body}"
    );
    let title = app
        .sql_strings("SELECT title FROM roles WHERE slug = 'data-scientist'")
        .await
        .remove(0);
    assert!(
        body.contains(&format!("{title} (data-scientist)")),
        "{body}"
    );
    assert!(body.contains("no-such-role (no such role)"), "{body}");
    for section in [
        "Industry context",
        "Tasks at risk",
        "AI tools affecting the role",
        "Tools to master",
        "Protective skills",
        "Where to move",
        "Questions",
        "Sources",
        "Related roles",
    ] {
        assert!(body.contains(&format!("<h3>{section}</h3>")), "{section}");
    }

    // Saving keeps the new order, and the changes page says the order changed.
    fields.retain(|(k, _)| !k.starts_with("migrationPaths") && k != "title");
    let saved = b.post(&path, &as_refs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.sql_strings(&order_sql).await, reversed);
    let changes = b.get(&format!("{path}/changes")).await;
    assert!(changes.body.contains("Sources (order)"), "{}", changes.body);

    // The type-ahead: up to ten roles by title or summary, as escaped options.
    let pick = b.get("/studio/pick/roles?q=backend").await;
    assert_eq!(pick.status, StatusCode::OK);
    assert!(
        pick.body
            .contains("<option value=\"backend-developer\">Backend Developer</option>"),
        "{}",
        pick.body
    );
    let all = b.get("/studio/pick/roles?q=").await;
    let n = all.body.matches("<option").count();
    assert!((1..=10).contains(&n), "{n}");
    let huge = b
        .get(&format!("/studio/pick/roles?q={}", "a".repeat(5_000)))
        .await;
    assert!(
        huge.status.is_client_error(),
        "a huge query is refused: {}",
        huge.status
    );
    let anonymous = Browser::new(&app).get("/studio/pick/roles?q=back").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

on_both!(spawn => editor_lists_count_as_far_as_asked_and_plan_for_their_values);
/// The studio's lists count up to a bound (a total one past it reads "more than"), the
/// type-ahead counts nothing, and GraphQL's count is exact; each sees the same rows, also
/// through PostgreSQL's per-value planning of filtered lists.
async fn editor_lists_count_as_far_as_asked_and_plan_for_their_values(app: TestApp) {
    use api::auth::Caller;
    use api::auth::permit::Read;
    use api::service::Visibility;
    use api::service::listing::{Count, Direction, Filter, OrderField, PageRequest};

    let store = Store::new(app.db.clone());
    let visibility = Visibility::Editor(
        Caller::with_role("counter", "viewer")
            .permit::<Read>()
            .expect("a viewer reads"),
    );
    let page = PageRequest {
        first: 3,
        after: None,
        field: OrderField::Title,
        direction: Direction::Asc,
    };
    let filters = [
        Filter::default(),
        Filter {
            search: Some("E".into()),
            ..Filter::default()
        },
        Filter {
            review_due: Some(false),
            min_score: Some(1),
            ..Filter::default()
        },
    ];
    for filter in filters {
        let exact = store
            .list_roles(&visibility, &filter, &page, Count::Exact)
            .await
            .expect("exact");
        assert!(exact.total_count > 5, "{filter:?}: {}", exact.total_count);
        let slugs = |p: &api::service::listing::Page| -> Vec<String> {
            p.items.iter().map(|(_, r)| r.slug.clone()).collect()
        };
        for (count, expected) in [
            (Count::UpTo(5), 6),
            (Count::UpTo(1000), exact.total_count),
            (Count::Skip, 0),
        ] {
            let listed = store
                .list_roles(&visibility, &filter, &page, count)
                .await
                .expect("listed");
            assert_eq!(listed.total_count, expected, "{filter:?} {count:?}");
            assert_eq!(slugs(&listed), slugs(&exact), "{filter:?} {count:?}");
            assert_eq!(listed.has_next_page, exact.has_next_page);
        }
    }
}
