//! Editors over HTTP: authentication, permissions, lost-update protection, revisions,
//! previews and validation, on SQLite and PostgreSQL.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{Backend, JWT_SECRET as SECRET, TestApp, first_error};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwt")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    encode(&Header::new(alg), claims, key).expect("sign")
}

fn hs(claims: Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET.as_bytes()),
        &claims,
    )
}

fn claims(scope: &str) -> Value {
    json!({ "sub": "alice", "scope": scope, "exp": now() + 600 })
}

/// A token that may do everything.
pub(crate) fn admin() -> String {
    hs(json!({ "sub": "admin", "roles": ["admin"], "exp": now() + 600 }))
}

fn hs_env() -> Vec<(&'static str, String)> {
    vec![("JOBRISK_JWT_SECRET", SECRET.to_owned())]
}

async fn spawn(backend: Backend, env: Vec<(&'static str, String)>) -> TestApp {
    TestApp::spawn_configured(backend, env).await
}

const UPDATE_TITLE: &str = r#"
mutation($v: Int!, $title: String!) {
  updateRole(slug: "backend-developer", expectedVersion: $v, input: { title: $title }) { title version }
}"#;

const STATE: &str = r#"{ role(slug: "backend-developer", preview: true) { title version revisions { version editor summary } } }"#;

/// Title, version and revision count of backend-developer, read with an admin token.
async fn state(app: &TestApp) -> (String, i64, usize) {
    let r = app.query_as(Some(&admin()), STATE, json!({})).await;
    let role = &r["data"]["role"];
    (
        role["title"].as_str().expect("title").to_owned(),
        role["version"].as_i64().expect("version"),
        role["revisions"].as_array().expect("revisions").len(),
    )
}

crate::on_both!(spawn_with_jwt =>
    bad_tokens_are_refused_and_nothing_is_written,
    twenty_concurrent_saves_of_one_version_yield_one_success,
    drafts_are_invisible_without_a_token,
    restoring_a_revision_round_trips,
    invalid_input_is_refused_naming_the_field_and_nothing_is_stored,
    shared_entities_in_use_cannot_be_deleted,
    catalog_updates_validate_and_keep_links_across_renames,
);

// These configure keys of their own.
crate::on_both!(backend =>
    hs_rs_confusion_and_asymmetric_keys,
    issuer_and_audience_are_enforced_when_configured,
    without_a_key_reads_work_and_writes_are_refused,
    jwks_keys_are_fetched_and_unknown_kids_refused,
);

async fn bad_tokens_are_refused_and_nothing_is_written(app: TestApp) {
    let before = state(&app).await;
    let vars = json!({ "v": before.1, "title": "Hacked" });

    // No token at all.
    let r = app.query(UPDATE_TITLE, vars.clone()).await;
    assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r}");

    let expired = hs(json!({ "sub": "alice", "scope": "content:write", "exp": now() - 3600 }));
    let wrong_signature = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(b"another-secret-that-is-also-long-enough-000000"),
        &claims("content:write"),
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims("content:write").to_string());
    let alg_none = format!("{header}.{payload}.");
    let no_exp = hs(json!({ "sub": "alice", "scope": "content:write" }));
    let tampered = {
        let valid = hs(claims("content:read"));
        let parts: Vec<&str> = valid.split('.').collect();
        let upgraded = URL_SAFE_NO_PAD.encode(claims("content:write content:publish").to_string());
        format!("{}.{upgraded}.{}", parts[0], parts[2])
    };
    for (what, token) in [
        ("expired", expired),
        ("wrong signature", wrong_signature),
        ("alg none", alg_none),
        ("no exp", no_exp),
        ("tampered claims", tampered),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let r = app.query_as(Some(&token), UPDATE_TITLE, vars.clone()).await;
        assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{what}: {r}");
        // A bad token is refused even for reads: never treated as anonymous.
        let read = app
            .query_as(Some(&token), "{ roles { totalCount } }", json!({}))
            .await;
        assert_eq!(
            first_error(&read).0,
            "UNAUTHENTICATED",
            "{what} read: {read}"
        );
    }

    // Valid token, missing scope.
    let reader = hs(claims("content:read"));
    let r = app
        .query_as(Some(&reader), UPDATE_TITLE, vars.clone())
        .await;
    assert_eq!(first_error(&r).0, "FORBIDDEN", "{r}");
    let writer = hs(claims("content:write"));
    let publish = r#"mutation($v: Int!) { publishRole(slug: "backend-developer", expectedVersion: $v) { status } }"#;
    let r = app
        .query_as(Some(&writer), publish, json!({ "v": before.1 }))
        .await;
    assert_eq!(first_error(&r).0, "FORBIDDEN", "{r}");

    assert_eq!(state(&app).await, before, "nothing was written");

    // And the right token works.
    let r = app.query_as(Some(&writer), UPDATE_TITLE, vars).await;
    assert_eq!(r["data"]["updateRole"]["title"], "Hacked", "{r}");
}

async fn hs_rs_confusion_and_asymmetric_keys(backend: Backend) {
    let dir = std::env::temp_dir();
    let cases = [
        ("rsa_public.pem", "rsa_private.pem", Algorithm::RS256),
        ("ec_public.pem", "ec_private.pem", Algorithm::ES256),
        ("ed_public.pem", "ed_private.pem", Algorithm::EdDSA),
    ];
    for (public, private, alg) in cases {
        let path = dir.join(format!(
            "jobrisk-{}-{backend:?}-{public}",
            std::process::id()
        ));
        std::fs::write(&path, fixture(public)).expect("write key");
        let app = spawn(
            backend,
            vec![("JOBRISK_JWT_PUBLIC_KEY", path.display().to_string())],
        )
        .await;
        let key = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&fixture(private)),
            Algorithm::ES256 => EncodingKey::from_ec_pem(&fixture(private)),
            _ => EncodingKey::from_ed_pem(&fixture(private)),
        }
        .expect("private key");
        let before = state_with(&app, &sign(alg, &key, &claims("content:read"))).await;
        let vars = json!({ "v": before, "title": "Confused" });

        // HS/RS confusion: an HMAC token keyed with the public key must not verify.
        let confused = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&fixture(public)),
            &claims("content:write"),
        );
        let r = app
            .query_as(Some(&confused), UPDATE_TITLE, vars.clone())
            .await;
        assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{alg:?}: {r}");

        let good = sign(alg, &key, &claims("content:write"));
        let r = app.query_as(Some(&good), UPDATE_TITLE, vars).await;
        assert_eq!(r["data"]["updateRole"]["title"], "Confused", "{alg:?}: {r}");
        let _ = std::fs::remove_file(&path);
    }
}

async fn state_with(app: &TestApp, token: &str) -> i64 {
    let r = app.query_as(Some(token), STATE, json!({})).await;
    r["data"]["role"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{r}"))
}

async fn issuer_and_audience_are_enforced_when_configured(backend: Backend) {
    let mut env = hs_env();
    env.push(("JOBRISK_JWT_ISSUER", "https://id.example".into()));
    env.push(("JOBRISK_JWT_AUDIENCE", "jobrisk".into()));
    let app = spawn(backend, env).await;
    let base = |iss: &str, aud: &str| {
        hs(
            json!({ "sub": "alice", "scope": "content:write", "exp": now() + 600, "iss": iss, "aud": aud }),
        )
    };
    let version = state_with(&app, &base("https://id.example", "jobrisk")).await;
    let vars = json!({ "v": version, "title": "Audited" });
    for (what, token) in [
        ("wrong issuer", base("https://evil.example", "jobrisk")),
        ("wrong audience", base("https://id.example", "other")),
        (
            "no issuer",
            hs(
                json!({ "sub": "a", "scope": "content:write", "exp": now() + 600, "aud": "jobrisk" }),
            ),
        ),
        (
            "no audience",
            hs(
                json!({ "sub": "a", "scope": "content:write", "exp": now() + 600, "iss": "https://id.example" }),
            ),
        ),
    ] {
        let r = app.query_as(Some(&token), UPDATE_TITLE, vars.clone()).await;
        assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{what}: {r}");
    }
    let r = app
        .query_as(
            Some(&base("https://id.example", "jobrisk")),
            UPDATE_TITLE,
            vars,
        )
        .await;
    assert_eq!(r["data"]["updateRole"]["title"], "Audited", "{r}");
}

async fn without_a_key_reads_work_and_writes_are_refused(backend: Backend) {
    let app = spawn(backend, vec![]).await;
    let r = app.query("{ roles { totalCount } }", json!({})).await;
    assert!(r["data"]["roles"]["totalCount"].as_i64().expect("count") > 40);
    let r = app
        .query(UPDATE_TITLE, json!({ "v": 1, "title": "x" }))
        .await;
    let (code, error) = first_error(&r);
    assert_eq!(code, "UNAUTHENTICATED");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("JOBRISK_JWT_SECRET"),
        "{r}"
    );
}

async fn twenty_concurrent_saves_of_one_version_yield_one_success(app: TestApp) {
    let (_, version, revisions) = state(&app).await;
    let token = hs(claims("content:write"));
    let app = std::sync::Arc::new(app);
    let mut handles = Vec::new();
    for i in 0..20 {
        let (app, token) = (app.clone(), token.clone());
        handles.push(tokio::spawn(async move {
            app.query_as(
                Some(&token),
                UPDATE_TITLE,
                json!({ "v": version, "title": format!("Editor {i}") }),
            )
            .await
        }));
    }
    let (mut ok, mut conflicts) = (0, 0);
    for h in handles {
        let r = h.await.expect("task");
        if r["data"]["updateRole"].is_object() {
            ok += 1;
        } else {
            let (code, error) = first_error(&r);
            assert_eq!(code, "CONFLICT", "{r}");
            assert_eq!(
                error["extensions"]["currentVersion"],
                json!(version + 1),
                "{r}"
            );
            conflicts += 1;
        }
    }
    assert_eq!((ok, conflicts), (1, 19));
    let (_, after_version, after_revisions) = state(&app).await;
    assert_eq!(after_version, version + 1);
    assert_eq!(after_revisions, revisions + 1);
}

const CREATE: &str = r#"
mutation($input: RoleInput!) { createRole(input: $input) { slug status version risk { score level } } }"#;

fn new_role(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Prompt Engineer",
        "categorySlug": "technology",
        "summary": "Writes and tests prompts for language-model products.",
        "industryContext": "Model vendors ship better defaults every quarter.",
        "factors": {
            "repetitiveness": { "score": 6, "explanation": "Many prompts follow templates." },
            "aiAdoption": { "score": 9, "explanation": "The job exists because of AI." },
            "humanJudgment": { "score": 5, "explanation": "Evaluating outputs needs taste." }
        },
        "tasks": [
            { "text": "Draft prompt variants", "exposure": "E1", "taskType": "CORE" },
            { "text": "Design evaluation sets with domain experts", "exposure": "E0", "taskType": "CORE" }
        ],
        "toolsAffecting": [{ "tool": "chatgpt", "note": "Drafts prompt variants." }],
        "migrationPaths": [{ "target": "machine-learning-engineer", "rationale": "Evaluation skills transfer." }],
        "sources": ["eloundou-gpts-are-gpts"]
    })
}

async fn drafts_are_invisible_without_a_token(app: TestApp) {
    let token = hs(claims("content:write"));
    let r = app
        .query_as(
            Some(&token),
            CREATE,
            json!({ "input": new_role("prompt-engineer") }),
        )
        .await;
    assert_eq!(r["data"]["createRole"]["status"], "DRAFT", "{r}");
    assert!(r["data"]["createRole"]["risk"]["score"].is_number());

    let anon = app
        .query(r#"{ role(slug: "prompt-engineer") { title } }"#, json!({}))
        .await;
    assert_eq!(anon["data"]["role"], Value::Null, "{anon}");
    let preview = r#"{ role(slug: "prompt-engineer", preview: true) { title status } }"#;
    assert_eq!(
        first_error(&app.query(preview, json!({})).await).0,
        "UNAUTHENTICATED"
    );
    let seen = app.query_as(Some(&token), preview, json!({})).await;
    assert_eq!(seen["data"]["role"]["status"], "DRAFT", "{seen}");

    let drafts = r#"{ roles(filter: { status: DRAFT }) { totalCount nodes { slug } } }"#;
    assert_eq!(
        first_error(&app.query(drafts, json!({})).await).0,
        "UNAUTHENTICATED"
    );
    let listed = app.query_as(Some(&token), drafts, json!({})).await;
    assert_eq!(listed["data"]["roles"]["totalCount"], 1, "{listed}");
    let search = app
        .query(
            r#"{ roles(filter: { search: "prompt" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(search["data"]["roles"]["totalCount"], 0, "{search}");

    // Publishing makes it public.
    let publisher = hs(claims("content:publish"));
    let r = app
        .query_as(Some(&publisher), r#"mutation { publishRole(slug: "prompt-engineer", expectedVersion: 1) { status version publishedAt } }"#, json!({}))
        .await;
    assert_eq!(r["data"]["publishRole"]["status"], "PUBLISHED", "{r}");
    let anon = app
        .query(r#"{ role(slug: "prompt-engineer") { title } }"#, json!({}))
        .await;
    assert_eq!(anon["data"]["role"]["title"], "Prompt Engineer");
}

async fn restoring_a_revision_round_trips(app: TestApp) {
    let token = hs(claims("content:write"));
    let (title, v1, revisions) = state(&app).await;
    let r = app
        .query_as(
            Some(&token),
            UPDATE_TITLE,
            json!({ "v": v1, "title": "Renamed" }),
        )
        .await;
    assert_eq!(r["data"]["updateRole"]["version"], json!(v1 + 1), "{r}");
    let restore = r#"mutation($rev: Int!, $v: Int!) {
        restoreRoleRevision(slug: "backend-developer", revision: $rev, expectedVersion: $v) { title version }
    }"#;
    let r = app
        .query_as(Some(&token), restore, json!({ "rev": v1, "v": v1 + 1 }))
        .await;
    assert_eq!(
        r["data"]["restoreRoleRevision"]["title"],
        json!(title),
        "{r}"
    );
    let r2 = app.query_as(Some(&token), STATE, json!({})).await;
    let revs = r2["data"]["role"]["revisions"]
        .as_array()
        .expect("revisions");
    assert_eq!(revs.len(), revisions + 2);
    assert_eq!(revs[0]["summary"], json!(format!("restored revision {v1}")));
    assert_eq!(revs[0]["editor"], "alice");
    let missing = app
        .query_as(Some(&token), restore, json!({ "rev": 999, "v": v1 + 2 }))
        .await;
    assert_eq!(first_error(&missing).0, "BAD_USER_INPUT", "{missing}");
}

async fn invalid_input_is_refused_naming_the_field_and_nothing_is_stored(app: TestApp) {
    let token = hs(claims("content:write"));
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut v = new_role("Bad Slug");
    cases.push(("input.slug", v.clone()));
    v = new_role("ok-one");
    v["factors"]["aiAdoption"]["score"] = json!(11);
    cases.push(("input.factors.aiAdoption.score", v.clone()));
    v = new_role("ok-two");
    v["migrationPaths"] = json!([{ "target": "ok-two", "rationale": "loop" }]);
    cases.push(("input.migrationPaths[0].target", v.clone()));
    v = new_role("ok-three");
    v["migrationPaths"] = json!([{ "target": "no-such-role", "rationale": "?" }]);
    cases.push(("input.migrationPaths[0].target", v.clone()));
    v = new_role("ok-four");
    v["categorySlug"] = json!("no-such-category");
    cases.push(("input.category", v.clone()));
    v = new_role("ok-five");
    v["toolsAffecting"] =
        json!([{ "tool": "chatgpt", "note": "a" }, { "tool": "chatgpt", "note": "b" }]);
    cases.push(("input.toolsAffecting[1]", v.clone()));
    v = new_role("ok-six");
    v["summary"] = json!("x".repeat(5001));
    cases.push(("input.summary", v.clone()));
    v = new_role("backend-developer");
    cases.push(("input.slug", v.clone()));
    for (field, input) in cases {
        let r = app
            .query_as(Some(&token), CREATE, json!({ "input": input }))
            .await;
        let (code, error) = first_error(&r);
        assert_eq!(code, "BAD_USER_INPUT", "{field}: {r}");
        assert_eq!(error["extensions"]["field"], field, "{r}");
    }
    let bad_tool = r#"mutation { createTool(input: { slug: "evil", name: "Evil", vendor: "X", url: "javascript:alert(1)", description: "d" }) { slug } }"#;
    let r = app.query_as(Some(&token), bad_tool, json!({})).await;
    assert_eq!(first_error(&r).1["extensions"]["field"], "input.url", "{r}");

    let drafts = app
        .query_as(
            Some(&token),
            r#"{ roles(filter: { status: DRAFT }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        drafts["data"]["roles"]["totalCount"], 0,
        "nothing partial stored: {drafts}"
    );
    let tools = app
        .query(r#"{ tool(slug: "evil") { slug } }"#, json!({}))
        .await;
    assert_eq!(tools["data"]["tool"], Value::Null);
}

async fn shared_entities_in_use_cannot_be_deleted(app: TestApp) {
    let token = admin();
    for m in [
        r#"mutation { deleteCategory(slug: "technology", expectedVersion: 1) { slug } }"#,
        r#"mutation { deleteTool(slug: "github-copilot", expectedVersion: 1) { slug } }"#,
        r#"mutation { deleteSource(slug: "eloundou-gpts-are-gpts", expectedVersion: 1) { slug } }"#,
        r#"mutation { deleteRole(slug: "cloud-architect", expectedVersion: 1) { slug } }"#,
    ] {
        let r = app.query_as(Some(&token), m, json!({})).await;
        assert_eq!(first_error(&r).0, "CONFLICT", "{m}: {r}");
    }
    let r = app
        .query_as(Some(&token), r#"mutation { createCategory(input: { slug: "empty", name: "Empty", description: "Nothing yet." }) { slug } }"#, json!({}))
        .await;
    assert_eq!(r["data"]["createCategory"]["slug"], "empty", "{r}");
    let r = app
        .query_as(
            Some(&token),
            r#"mutation { deleteCategory(slug: "empty", expectedVersion: 1) { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["deleteCategory"]["name"], "Empty", "{r}");
    let still = app
        .query(r#"{ category(slug: "technology") { name } }"#, json!({}))
        .await;
    assert_eq!(still["data"]["category"]["name"], "Technology");
}

async fn jwks_keys_are_fetched_and_unknown_kids_refused(backend: Backend) {
    use jsonwebtoken::jwk::{Jwk, JwkSet};
    let private = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).expect("key");
    let mut jwk = Jwk::from_encoding_key(&private, Algorithm::RS256).expect("jwk");
    jwk.common.key_id = Some("key-1".into());
    let set = serde_json::to_value(JwkSet { keys: vec![jwk] }).expect("jwks json");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || async move { axum::Json(set) }),
        );
        let _ = axum::serve(listener, app).await;
    });
    let app = spawn(
        backend,
        vec![("JOBRISK_JWT_JWKS_URL", format!("http://{addr}/jwks.json"))],
    )
    .await;
    let with_kid = |kid: &str, scope: &str| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        encode(&header, &claims(scope), &private).expect("sign")
    };
    let version = state_with(&app, &with_kid("key-1", "content:read")).await;
    let r = app
        .query_as(
            Some(&with_kid("key-2", "content:write")),
            UPDATE_TITLE,
            json!({ "v": version, "title": "K" }),
        )
        .await;
    assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r}");
    let r = app
        .query_as(
            Some(&with_kid("key-1", "content:write")),
            UPDATE_TITLE,
            json!({ "v": version, "title": "K" }),
        )
        .await;
    assert_eq!(r["data"]["updateRole"]["title"], "K", "{r}");
    server.abort();
}

async fn catalog_updates_validate_and_keep_links_across_renames(app: TestApp) {
    let token = hs(claims("content:write"));
    let rename = r#"mutation { updateTool(slug: "github-copilot", expectedVersion: 1, input: { slug: "copilot", name: "Copilot" }) { slug name vendor version updatedBy } }"#;
    let r = app.query_as(Some(&token), rename, json!({})).await;
    assert_eq!(
        r["data"]["updateTool"],
        json!({ "slug": "copilot", "name": "Copilot", "vendor": "GitHub (Microsoft)", "version": 2, "updatedBy": "alice" }),
        "{r}"
    );
    let page = app
        .query(
            r#"{ role(slug: "backend-developer") { toolsAffecting { tool { slug } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        page["data"]["role"]["toolsAffecting"][0]["tool"]["slug"], "copilot",
        "{page}"
    );

    for (mutation, code, field) in [
        (
            r#"mutation { updateTool(slug: "cursor", expectedVersion: 1, input: { url: "ftp://cursor" }) { slug } }"#,
            "BAD_USER_INPUT",
            Some("input.url"),
        ),
        (
            r#"mutation { updateTool(slug: "cursor", expectedVersion: 1, input: { slug: "copilot" }) { slug } }"#,
            "BAD_USER_INPUT",
            Some("input.slug"),
        ),
        (
            r#"mutation { updateCategory(slug: "technology", expectedVersion: 1, input: { name: "  " }) { slug } }"#,
            "BAD_USER_INPUT",
            Some("input.name"),
        ),
        (
            r#"mutation { updateCategory(slug: "no-such", expectedVersion: 1, input: { name: "X" }) { slug } }"#,
            "NOT_FOUND",
            None,
        ),
        (
            r#"mutation { updateSource(slug: "NOT A SLUG", expectedVersion: 1, input: { title: "X" }) { slug } }"#,
            "NOT_FOUND",
            None,
        ),
    ] {
        let r = app.query_as(Some(&token), mutation, json!({})).await;
        let (got, error) = first_error(&r);
        assert_eq!(got, code, "{mutation}: {r}");
        if let Some(field) = field {
            assert_eq!(error["extensions"]["field"], field, "{r}");
        }
    }
    let clear = r#"mutation { updateSource(slug: "eloundou-gpts-are-gpts", expectedVersion: 1, input: { publishedOn: null }) { publishedOn title } }"#;
    let r = app.query_as(Some(&token), clear, json!({})).await;
    assert_eq!(r["data"]["updateSource"]["publishedOn"], Value::Null, "{r}");
    assert_eq!(
        r["data"]["updateSource"]["title"],
        "GPTs are GPTs: Labor market impact potential of LLMs"
    );
    // The rename made version 2: an editor still holding version 1 loses, told the current one.
    let stale = r#"mutation { updateTool(slug: "copilot", expectedVersion: 1, input: { name: "Stale" }) { name } }"#;
    let r = app.query_as(Some(&token), stale, json!({})).await;
    let (code, error) = first_error(&r);
    assert_eq!(code, "CONFLICT", "{r}");
    assert_eq!(error["extensions"]["currentVersion"], 2, "{r}");
    let reader = hs(claims("content:read"));
    let r = app.query_as(Some(&reader), rename, json!({})).await;
    assert_eq!(first_error(&r).0, "FORBIDDEN", "{r}");
}
