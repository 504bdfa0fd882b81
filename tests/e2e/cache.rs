//! The response cache: anonymous answers come back from memory (`X-Cache: HIT`) until a write
//! changes what they read, and only those answers are dropped. Editors are never cached.

use serde_json::{Value, json};

use crate::editing::admin;
use crate::helpers::{Backend, JWT_SECRET, TestApp};
use crate::on_both;

const PAGE: &str = r#"query Page($slug: String!) {
  role(slug: $slug) { slug title summary category { slug } risk { score } }
}"#;

const CATEGORY_LIST: &str = r#"query List($category: String!) {
  roles(first: 50, filter: { categorySlug: $category }) { nodes { slug title } }
}"#;

const SEARCH: &str = r#"query Search($q: String!) {
  roles(first: 50, filter: { search: $q }) { nodes { slug title } }
}"#;

const PREVIEW: &str = r#"query Preview($slug: String!) {
  role(slug: $slug, preview: true) { slug summary version status }
}"#;

const UPDATE: &str = r#"mutation($slug: String!, $v: Int!, $summary: String!) {
  updateRole(slug: $slug, expectedVersion: $v, input: { summary: $summary }) { version }
}"#;

const PUBLISH: &str = r#"mutation($slug: String!, $v: Int!) {
  publishRole(slug: $slug, expectedVersion: $v) { version }
}"#;

/// Posts a query, anonymously or with `token`; returns the `X-Cache` header and the answer.
async fn ask(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (Option<String>, Value) {
    let mut request = app
        .client()
        .post(app.graphql_url())
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    assert_eq!(response.status(), 200);
    let cache = response
        .headers()
        .get("x-cache")
        .map(|v| v.to_str().expect("ASCII header").to_owned());
    let body: Value = response.json().await.expect("JSON answer");
    assert!(body.get("errors").is_none(), "{body:#}");
    (cache, body)
}

async fn x_cache(app: &TestApp, query: &str, variables: Value) -> String {
    ask(app, None, query, variables).await.0.unwrap_or_default()
}

/// An editor's write that must succeed; returns `data`.
async fn edit(app: &TestApp, query: &str, variables: Value) -> Value {
    let (cache, body) = ask(app, Some(&admin()), query, variables).await;
    assert_eq!(cache, None, "editors' requests are not cached");
    body["data"].clone()
}

async fn version(app: &TestApp, slug: &str) -> i64 {
    let (_, body) = ask(app, Some(&admin()), PREVIEW, json!({ "slug": slug })).await;
    body["data"]["role"]["version"].as_i64().expect("version")
}

async fn a_publish_drops_exactly_the_answers_it_changes(app: TestApp) {
    let a = json!({ "slug": "backend-developer" });
    let b = json!({ "slug": "accountant" });
    let finance = json!({ "category": "finance" });
    let technology = json!({ "category": "technology" });
    let search = json!({ "q": "developer" });
    for (query, variables) in [
        (PAGE, &a),
        (PAGE, &b),
        (CATEGORY_LIST, &finance),
        (CATEGORY_LIST, &technology),
        (SEARCH, &search),
    ] {
        assert_eq!(
            x_cache(&app, query, variables.clone()).await,
            "MISS",
            "{variables}"
        );
        assert_eq!(
            x_cache(&app, query, variables.clone()).await,
            "HIT",
            "{variables}"
        );
    }
    // Layout, comments and the order of variables do not make another question.
    let relaid = PAGE.replace('\n', " \n # a comment\n ").replace(' ', "  ");
    assert_eq!(x_cache(&app, &relaid, a.clone()).await, "HIT");

    // A draft change to a published page changes nothing public: still served from memory.
    let v = version(&app, "backend-developer").await;
    edit(
        &app,
        UPDATE,
        json!({ "slug": "backend-developer", "v": v, "summary": "Cached no more." }),
    )
    .await;
    let (cache, page) = ask(&app, None, PAGE, a.clone()).await;
    assert_eq!(cache.as_deref(), Some("HIT"));
    assert_ne!(page["data"]["role"]["summary"], "Cached no more.");

    // Publishing it drops its page, its category's lists and searches; nothing else.
    edit(
        &app,
        PUBLISH,
        json!({ "slug": "backend-developer", "v": v + 1 }),
    )
    .await;
    let (cache, page) = ask(&app, None, PAGE, a.clone()).await;
    assert_eq!(cache.as_deref(), Some("MISS"));
    assert_eq!(page["data"]["role"]["summary"], "Cached no more.");
    assert_eq!(
        x_cache(&app, CATEGORY_LIST, technology.clone()).await,
        "MISS"
    );
    assert_eq!(x_cache(&app, SEARCH, search.clone()).await, "MISS");
    assert_eq!(
        x_cache(&app, PAGE, b.clone()).await,
        "HIT",
        "another category's page"
    );
    assert_eq!(
        x_cache(&app, CATEGORY_LIST, finance.clone()).await,
        "HIT",
        "another category's list"
    );

    let metrics = app
        .client()
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /metrics:\n{metrics}"))
    };
    assert!(value("jobrisk_cache_hits_total") >= 9.0);
    assert!(value("jobrisk_cache_misses_total") >= 8.0);
    assert!(value("jobrisk_cache_bytes") > 0.0);
}

async fn drafts_and_editors_are_never_cached(app: TestApp) {
    let create = r#"mutation($input: RoleInput!) { createRole(input: $input) { slug version } }"#;
    let input = json!({
        "slug": "quill-role",
        "title": "Quill Role",
        "categorySlug": "technology",
        "summary": "A draft.",
        "industryContext": "None yet.",
        "factors": {
            "repetitiveness": { "score": 5, "explanation": "Some." },
            "aiAdoption": { "score": 5, "explanation": "Some." },
            "humanJudgment": { "score": 5, "explanation": "Some." }
        },
        "tasks": [{ "text": "Write", "exposure": "E1", "taskType": "CORE" }]
    });
    let created = edit(&app, create, json!({ "input": input })).await;
    let draft = json!({ "slug": "quill-role" });
    // The editor sees the draft, uncached, every time; the public sees nothing at its address.
    for _ in 0..2 {
        let (cache, body) = ask(&app, Some(&admin()), PREVIEW, draft.clone()).await;
        assert_eq!(cache, None);
        assert_eq!(body["data"]["role"]["status"], "DRAFT");
    }
    for expected in ["MISS", "HIT"] {
        let (cache, body) = ask(&app, None, PAGE, draft.clone()).await;
        assert_eq!(cache.as_deref(), Some(expected));
        assert_eq!(body["data"]["role"], Value::Null);
    }
    // An editor's request for the public page neither reads nor fills the cache.
    let (cache, _) = ask(
        &app,
        Some(&admin()),
        PAGE,
        json!({ "slug": "backend-developer" }),
    )
    .await;
    assert_eq!(cache, None);
    assert_eq!(
        x_cache(&app, PAGE, json!({ "slug": "backend-developer" })).await,
        "MISS"
    );
    // Publishing at the address drops the empty answer.
    let v = created["createRole"]["version"].as_i64().expect("version");
    edit(&app, PUBLISH, json!({ "slug": "quill-role", "v": v })).await;
    let (cache, body) = ask(&app, None, PAGE, draft.clone()).await;
    assert_eq!(cache.as_deref(), Some("MISS"));
    assert_eq!(body["data"]["role"]["title"], "Quill Role");
}

async fn a_hundred_concurrent_misses_execute_once(app: TestApp) {
    let variables = json!({ "slug": "data-scientist" });
    // One execution alone, uncached (an editor's), to know what it costs.
    app.take_statements();
    ask(&app, Some(&admin()), PAGE, variables.clone()).await;
    let one = app.take_statements().len();
    assert!(one > 0);
    let mut requests = Vec::new();
    for _ in 0..100 {
        let app_client = app.client().clone();
        let url = app.graphql_url();
        let variables = variables.clone();
        requests.push(tokio::spawn(async move {
            let response = app_client
                .post(url)
                .json(&json!({ "query": PAGE, "variables": variables }))
                .send()
                .await
                .expect("request sent");
            let cache = response.headers().get("x-cache").cloned();
            let body: Value = response.json().await.expect("JSON");
            (cache, body)
        }));
    }
    let mut bodies = Vec::new();
    for request in requests {
        let (cache, body) = request.await.expect("task");
        assert!(cache.is_some());
        bodies.push(body);
    }
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every reader got the same page"
    );
    assert_eq!(bodies[0]["data"]["role"]["slug"], "data-scientist");
    assert_eq!(
        app.take_statements().len(),
        one,
        "100 concurrent requests for one uncached page ran its statements once"
    );
}

/// A GET of the page query, as a browser or CDN sends it.
async fn get_page(app: &TestApp, slug: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let variables = json!({ "slug": slug }).to_string();
    let mut request = app
        .client()
        .get(app.graphql_url())
        .query(&[("query", PAGE), ("variables", variables.as_str())]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request sent")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default()
}

async fn http_caches_get_entity_tags_cache_control_and_purge_keys(app: TestApp) {
    let first = get_page(&app, "backend-developer", &[]).await;
    assert_eq!(first.status(), 200);
    let etag = header(&first, "etag");
    assert!(etag.starts_with("W/\"") && etag.len() == 36, "{etag}");
    assert_eq!(
        header(&first, "cache-control"),
        "public, max-age=0, stale-while-revalidate=60"
    );
    assert!(header(&first, "vary").contains("Authorization"));
    let keys = header(&first, "surrogate-key");
    let names: Vec<&str> = keys.split(' ').collect();
    assert!(names.contains(&"slug-backend-developer"), "{keys}");
    assert!(names.iter().any(|n| n.starts_with("role-")), "{keys}");
    assert_eq!(header(&first, "cache-tag"), keys.replace(' ', ","));

    // The same answer again: 304 without a body, for the tag alone, weak or in a list.
    let strong = etag.trim_start_matches("W/").to_owned();
    for value in [etag.clone(), strong, format!("\"other\", {etag}")] {
        let again = get_page(&app, "backend-developer", &[("if-none-match", &value)]).await;
        assert_eq!(again.status(), 304, "{value}");
        assert_eq!(header(&again, "etag"), etag);
        // What refreshes a stored copy, and no representation metadata (RFC 9110, 15.4.5).
        assert_eq!(
            header(&again, "cache-control"),
            header(&first, "cache-control")
        );
        assert!(header(&again, "vary").contains("Authorization"));
        for absent in ["content-type", "surrogate-key", "cache-tag"] {
            assert!(again.headers().get(absent).is_none(), "{absent} on a 304");
        }
        assert!(again.bytes().await.expect("body").is_empty());
    }
    // A token's holder is answered privately, never with a tag a shared cache could keep.
    let token = admin();
    let private = get_page(
        &app,
        "backend-developer",
        &[
            ("authorization", &format!("Bearer {token}")),
            ("if-none-match", &etag),
        ],
    )
    .await;
    assert_eq!(private.status(), 200);
    assert_eq!(header(&private, "cache-control"), "private, no-store");
    assert_eq!(header(&private, "etag"), "");
    assert_eq!(header(&private, "surrogate-key"), "");

    // After a publish the old tag no longer matches, and the publish's result names what a CDN
    // must purge: the page's own keys, not another page's.
    let other = get_page(&app, "accountant", &[]).await;
    let other_keys = header(&other, "surrogate-key");
    let v = version(&app, "backend-developer").await;
    let (_, draft) = ask(
        &app,
        Some(&token),
        UPDATE,
        json!({ "slug": "backend-developer", "v": v, "summary": "New tag." }),
    )
    .await;
    assert_eq!(
        draft["extensions"]["cacheTags"],
        Value::Null,
        "a draft changes nothing public: {draft:#}"
    );
    let (_, published) = ask(
        &app,
        Some(&token),
        PUBLISH,
        json!({ "slug": "backend-developer", "v": v + 1 }),
    )
    .await;
    let purged: Vec<&str> = published["extensions"]["cacheTags"]
        .as_array()
        .unwrap_or_else(|| panic!("cacheTags in {published:#}"))
        .iter()
        .map(|t| t.as_str().expect("a tag name"))
        .collect();
    for own in names
        .iter()
        .filter(|n| n.starts_with("role-") || n.starts_with("slug-"))
    {
        assert!(purged.contains(own), "{own} not in {purged:?}");
    }
    for theirs in other_keys
        .split(' ')
        .filter(|n| n.starts_with("role-") || n.starts_with("slug-"))
    {
        assert!(!purged.contains(&theirs), "{theirs} in {purged:?}");
    }
    let changed = get_page(&app, "backend-developer", &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(header(&changed, "etag"), etag);
}

/// Apollo's automatic persisted queries: hash first, the document once when asked, then the
/// hash alone, over POST and GET.
async fn persisted_queries_follow_apollos_protocol(app: TestApp) {
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(PAGE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let variables = json!({ "slug": "backend-developer" });
    let post = |body: Value| {
        let request = app.client().post(app.graphql_url()).json(&body);
        async move {
            let response = request.send().await.expect("request sent");
            response.json::<Value>().await.expect("JSON")
        }
    };
    let unknown = post(json!({ "variables": variables, "extensions": extensions })).await;
    assert_eq!(
        unknown["errors"][0]["message"], "PersistedQueryNotFound",
        "{unknown:#}"
    );
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } });
    let refused = post(json!({ "query": PAGE, "variables": variables, "extensions": wrong })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused:#}"
    );
    assert!(refused.get("data").is_none());
    let registered =
        post(json!({ "query": PAGE, "variables": variables, "extensions": extensions })).await;
    assert_eq!(
        registered["data"]["role"]["slug"], "backend-developer",
        "{registered:#}"
    );
    let by_hash = post(json!({ "variables": variables, "extensions": extensions })).await;
    assert_eq!(by_hash, registered);
    // GET with the hash alone: a short URL a CDN can cache.
    let response = app
        .client()
        .get(app.graphql_url())
        .query(&[
            ("variables", variables.to_string()),
            ("extensions", extensions.to_string()),
        ])
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    assert!(!header(&response, "etag").is_empty());
    assert_eq!(response.json::<Value>().await.expect("JSON"), registered);
}

on_both!(spawn_caching =>
    persisted_queries_follow_apollos_protocol,
    http_caches_get_entity_tags_cache_control_and_purge_keys,
    a_publish_drops_exactly_the_answers_it_changes,
    drafts_and_editors_are_never_cached,
    a_hundred_concurrent_misses_execute_once,
);

/// Two servers on one PostgreSQL database: a publish through one reaches the other's cache
/// through `NOTIFY`, and only what the publish changed is dropped there.
async fn a_publish_through_one_server_reaches_the_others_cache(app: TestApp) {
    let other = app.sibling().await;
    let ask_other = |variables: Value| {
        let client = app.client().clone();
        let url = other.graphql_url();
        async move {
            let response = client
                .post(url)
                .json(&json!({ "query": PAGE, "variables": variables }))
                .send()
                .await
                .expect("request sent");
            let cache = response
                .headers()
                .get("x-cache")
                .map(|v| v.to_str().expect("ASCII").to_owned())
                .unwrap_or_default();
            let body: Value = response.json().await.expect("JSON");
            (cache, body["data"]["role"].clone())
        }
    };
    let a = json!({ "slug": "backend-developer" });
    let b = json!({ "slug": "accountant" });
    for variables in [&a, &b] {
        assert_eq!(ask_other(variables.clone()).await.0, "MISS");
        assert_eq!(ask_other(variables.clone()).await.0, "HIT");
    }
    let v = version(&app, "backend-developer").await;
    edit(
        &app,
        UPDATE,
        json!({ "slug": "backend-developer", "v": v, "summary": "Heard next door." }),
    )
    .await;
    edit(
        &app,
        PUBLISH,
        json!({ "slug": "backend-developer", "v": v + 1 }),
    )
    .await;
    // The documented bound: the notification arrives within milliseconds of the commit on a
    // healthy connection; allow a second on a loaded test machine.
    let started = std::time::Instant::now();
    loop {
        let (cache, page) = ask_other(a.clone()).await;
        if page["summary"] == "Heard next door." {
            assert_eq!(cache, "MISS");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the other server still served the old page after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        ask_other(b.clone()).await.0,
        "HIT",
        "an unrelated page stays cached next door"
    );
}

mod two_servers {
    use super::*;

    #[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_publish_through_one_server_reaches_the_others_cache_postgres() {
        super::a_publish_through_one_server_reaches_the_others_cache(
            TestApp::spawn_caching(crate::helpers::Backend::Postgres).await,
        )
        .await;
    }
}

/// A write that fails changes nothing public, and drops nothing.
async fn a_write_that_fails_drops_nothing(app: TestApp) {
    let a = json!({ "slug": "backend-developer" });
    assert_eq!(x_cache(&app, PAGE, a.clone()).await, "MISS");
    let v = version(&app, "backend-developer").await;
    // A stale version: refused after nothing was written.
    let refused = app
        .query_as(
            Some(&admin()),
            PUBLISH,
            json!({ "slug": "backend-developer", "v": v - 1 }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "CONFLICT",
        "{refused:#}"
    );
    // A publish whose content breaks a rule, refused inside its transaction.
    let bad = app
        .query_as(
            Some(&admin()),
            UPDATE,
            json!({ "slug": "backend-developer", "v": v, "summary": "" }),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{bad:#}"
    );
    assert_eq!(x_cache(&app, PAGE, a).await, "HIT");
}

/// The listening connection is cut while another server publishes: the notification is lost,
/// yet the page is never served stale (the cache is passed by until listening resumes, and
/// emptied then), and caching resumes.
async fn a_lost_listening_connection_never_leaves_a_stale_page(app: TestApp) {
    let a = json!({ "slug": "backend-developer" });
    assert_eq!(x_cache(&app, PAGE, a.clone()).await, "MISS");
    assert_eq!(x_cache(&app, PAGE, a.clone()).await, "HIT");
    app.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .await;
    let other = app.sibling().await;
    let v = version(&app, "backend-developer").await;
    let publish_there = |query: &'static str, variables: Value| {
        let client = app.client().clone();
        let url = other.graphql_url();
        async move {
            let r: Value = client
                .post(url)
                .bearer_auth(admin())
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .expect("request sent")
                .json()
                .await
                .expect("JSON");
            assert!(r.get("errors").is_none(), "{r:#}");
        }
    };
    publish_there(
        UPDATE,
        json!({ "slug": "backend-developer", "v": v, "summary": "Missed no more." }),
    )
    .await;
    publish_there(PUBLISH, json!({ "slug": "backend-developer", "v": v + 1 })).await;
    let (_, page) = ask(&app, None, PAGE, a.clone()).await;
    assert_eq!(
        page["data"]["role"]["summary"], "Missed no more.",
        "served stale"
    );
    // Listening again within a few seconds, the cache keeps answers again.
    let started = std::time::Instant::now();
    loop {
        let (cache, page) = ask(&app, None, PAGE, a.clone()).await;
        assert_eq!(
            page["data"]["role"]["summary"], "Missed no more.",
            "served stale"
        );
        if cache.as_deref() == Some("HIT") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "caching did not resume"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

on_both!(spawn_caching => a_write_that_fails_drops_nothing);

mod lost_connection {
    use super::*;

    #[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lost_listening_connection_never_leaves_a_stale_page_postgres() {
        super::a_lost_listening_connection_never_leaves_a_stale_page(
            TestApp::spawn_caching(crate::helpers::Backend::Postgres).await,
        )
        .await;
    }
}

/// A repeated anonymous request is served without being decoded again (the cache remembers
/// where its answer is), yet it still counts against the client's rate limit, and a publish
/// still shows at once.
async fn repeated_requests_keep_rate_limits_and_freshness(backend: Backend) {
    let app = TestApp::spawn_configured(
        backend,
        vec![
            ("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned()),
            ("JOBRISK_CACHE_MAX_BYTES", (8 * 1024 * 1024).to_string()),
            ("JOBRISK_RATE_LIMIT_RPS", "1".to_owned()),
            ("JOBRISK_RATE_LIMIT_BURST", "4".to_owned()),
        ],
    )
    .await;
    let body = json!({ "query": PAGE, "variables": { "slug": "accountant" } });
    let mut seen = Vec::new();
    for _ in 0..6 {
        let response = app
            .client()
            .post(app.graphql_url())
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let cache = response
            .headers()
            .get("x-cache")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        seen.push((response.status().as_u16(), cache));
    }
    assert_eq!(
        seen[..4],
        [
            (200, Some("MISS".to_owned())),
            (200, Some("HIT".to_owned())),
            (200, Some("HIT".to_owned())),
            (200, Some("HIT".to_owned())),
        ],
        "{seen:?}"
    );
    assert!(
        seen[4..].iter().any(|(status, _)| *status == 429),
        "{seen:?}"
    );

    let v = version(&app, "accountant").await;
    let saved = edit(
        &app,
        UPDATE,
        json!({ "slug": "accountant", "v": v, "summary": "Remembered, then republished." }),
    )
    .await;
    let v = saved["updateRole"]["version"].as_i64().expect("version");
    edit(&app, PUBLISH, json!({ "slug": "accountant", "v": v })).await;
    // Wait for the rate limit to let two more requests through.
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let (cache, answer) = ask(&app, None, PAGE, json!({ "slug": "accountant" })).await;
    assert_eq!(cache.as_deref(), Some("MISS"));
    assert_eq!(
        answer["data"]["role"]["summary"],
        "Remembered, then republished."
    );
    let (cache, _) = ask(&app, None, PAGE, json!({ "slug": "accountant" })).await;
    assert_eq!(cache.as_deref(), Some("HIT"));
}

on_both!(backend => repeated_requests_keep_rate_limits_and_freshness);
