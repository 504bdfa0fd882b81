//! Production hardening over HTTP: cost limits that count lists, GraphQL over HTTP, rate
//! limits, operators' endpoints and headers.

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_bad_input, first_error};
use crate::on_both;

/// The README's page query, with `relatedRoles(first: 5)`.
pub const PAGE: &str = r#"query Page($slug: String!) {
  role(slug: $slug) {
    title summary industryContext category { slug name }
    risk { score level modelVersion coverage contributions { evidence points }
           factors { kind score explanation raisesRisk } taskExposure { alpha beta gamma } }
    tasksAtRisk { text exposure }
    toolsAffecting { tool { name vendor url } impact }
    toolsToMaster { tool { name } note }
    protectiveSkills
    migrationPaths { target { slug title } rationale }
    faqs { question answer }
    sources { title publisher url publishedOn }
    relatedRoles(first: 5) { slug title risk { score level } }
    updatedAt publishedAt
  }
}"#;

/// `roles(first: 100)` with every public scalar of a role.
pub const ALL_SCALARS: &str = "{ roles(first: 100) { totalCount pageInfo { hasNextPage endCursor } \
  nodes { id slug title summary industryContext onetSocCode status version createdAt updatedAt publishedAt } } }";

/// The request of the issue that made the server allocate 6.3 GB.
pub const BOMB: &str = "{ a: roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) { slug title summary industryContext } } } } }";
/// The same, one level deeper (it ran into the 15 s timeout).
pub const BIGGER_BOMB: &str = "{ a: roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) { relatedRoles(first: 50) { slug title summary industryContext } } } } } }";

/// The exact document graphql-js's `getIntrospectionQuery()` sends (tests/fixtures).
pub const INTROSPECTION: &str = include_str!("../fixtures/introspection.graphql");

async fn post(app: &TestApp, accept: Option<&str>, body: Value) -> (StatusCode, HeaderMap, Value) {
    let mut request = app.client().post(app.graphql_url()).json(&body);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, headers, value)
}

async fn get(app: &TestApp, params: &[(&str, &str)], accept: Option<&str>) -> reqwest::Response {
    let mut request = app.client().get(app.graphql_url()).query(params);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request.send().await.expect("sent")
}

on_both!(
    spawn_counting => list_bombs_are_refused_before_any_sql,
    the_page_query_and_a_full_list_pass_the_default_limits,
);

on_both!(
    the_standard_introspection_query_passes,
    graphql_over_http_status_codes_and_media_types,
    get_runs_queries_and_refuses_mutations,
    operators_endpoints_answer,
    every_answer_carries_security_headers_and_a_request_id,
    cors_allows_anonymous_reads_from_anywhere_and_tokens_from_nowhere,
    the_worst_documents_are_refused_with_a_coded_error,
);

async fn list_bombs_are_refused_before_any_sql(app: TestApp) {
    for bomb in [BOMB, BIGGER_BOMB] {
        app.take_statements();
        let started = std::time::Instant::now();
        let (status, _, response) = post(&app, None, json!({ "query": bomb })).await;
        let elapsed = started.elapsed();
        assert_eq!(status, StatusCode::OK, "application/json answers 200");
        assert_bad_input(&response, Some("query"));
        let message = first_error(&response).1["message"].as_str().unwrap_or("");
        assert!(
            message.contains("costs") && message.contains("JOBRISK_MAX_COST"),
            "{message}"
        );
        assert!(response.get("data").is_none(), "{response}");
        assert_eq!(app.take_statements(), Vec::<String>::new(), "no SQL ran");
        // Not a performance claim (bench/ makes those): a refusal that took seconds would mean
        // the document ran.
        assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    }
    // Under application/graphql-response+json a refused document is a 400 without data.
    let (status, _, response) = post(
        &app,
        Some("application/graphql-response+json"),
        json!({ "query": BOMB }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(response.get("data").is_none());
}

async fn the_page_query_and_a_full_list_pass_the_default_limits(app: TestApp) {
    let (status, _, page) = post(
        &app,
        None,
        json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.get("errors").is_none(), "{page:#}");
    assert_eq!(page["data"]["role"]["title"], "Backend Developer");
    let (_, _, list) = post(&app, None, json!({ "query": ALL_SCALARS })).await;
    assert!(list.get("errors").is_none(), "{list:#}");
    assert_eq!(
        list["data"]["roles"]["nodes"].as_array().map(Vec::len),
        Some(44)
    );
}

async fn the_standard_introspection_query_passes(app: TestApp) {
    let (status, _, response) = post(
        &app,
        Some("application/graphql-response+json"),
        json!({ "query": INTROSPECTION, "operationName": "IntrospectionQuery" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert!(response.get("errors").is_none(), "{response:#}");
    let schema = &response["data"]["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(schema["mutationType"]["name"], "Mutation");
    // Every type of schema.graphql is in the live schema, and nothing else of ours is.
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let mut declared: Vec<String> = sdl
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            match words.next() {
                Some("type" | "input" | "enum" | "scalar" | "interface" | "union") => {
                    words.next().map(str::to_owned)
                }
                _ => None,
            }
        })
        .collect();
    declared.sort();
    let mut live: Vec<String> = schema["types"]
        .as_array()
        .expect("types")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .filter(|n| {
            !n.starts_with("__") && !["String", "Int", "Float", "Boolean", "ID"].contains(n)
        })
        .map(str::to_owned)
        .collect();
    live.sort();
    assert_eq!(declared, live);
    // An introspection bomb (lists of types inside lists of fields, exponentially) is refused.
    let bomb = "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }";
    let (_, _, response) = post(&app, None, json!({ "query": bomb })).await;
    assert_bad_input(&response, Some("query"));
}

async fn graphql_over_http_status_codes_and_media_types(app: TestApp) {
    let typename = json!({ "query": "{ __typename }" });
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json",
        ),
    ] {
        let (status, headers, body) = post(&app, accept, typename.clone()).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        let content_type = headers[header::CONTENT_TYPE].to_str().expect("ascii");
        assert!(
            content_type.starts_with(expected),
            "{accept:?}: {content_type}"
        );
        assert_eq!(body["data"]["__typename"], "Query");
    }
    // Validation failures: 200 with errors under application/json, 400 without data under
    // application/graphql-response+json.
    let unknown = json!({ "query": "{ noSuchField }" });
    let (status, _, body) = post(&app, Some("application/json"), unknown.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_bad_input(&body, None);
    let (status, _, body) = post(&app, Some("application/graphql-response+json"), unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.get("data").is_none(), "{body}");
    let parse_error = json!({ "query": "{" });
    let (status, _, body) =
        post(&app, Some("application/graphql-response+json"), parse_error).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.get("data").is_none());
    let coercion =
        json!({ "query": "query($id: ID!) { __typename }", "variables": { "id": null } });
    let (status, _, body) = post(&app, Some("application/graphql-response+json"), coercion).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Malformed requests.
    for (body, status) in [
        (json!({ "notquery": "{ __typename }" }), 400),
        (json!({ "query": 1 }), 400),
        (json!({ "query": "{ __typename }", "variables": "x" }), 400),
        (json!({ "query": "{ __typename }", "extensions": [1] }), 400),
        (json!([{ "query": "{ __typename }" }]), 400),
    ] {
        let (got, _, response) = post(&app, None, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body}");
        assert_bad_input(&response, None);
    }
    let no_type = app
        .client()
        .post(app.graphql_url())
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(no_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = app.post_raw(Some("text/plain"), "{ __typename }").await;
    assert_eq!(status, 415);
    let not_acceptable = app
        .client()
        .post(app.graphql_url())
        .header(header::ACCEPT, "text/csv")
        .json(&typename)
        .send()
        .await
        .expect("sent");
    assert_eq!(not_acceptable.status(), StatusCode::NOT_ACCEPTABLE);
}

async fn get_runs_queries_and_refuses_mutations(app: TestApp) {
    let response = get(
        &app,
        &[
            (
                "query",
                "query T($slug: String!) { role(slug: $slug) { title } }",
            ),
            ("variables", r#"{"slug":"backend-developer"}"#),
            ("operationName", "T"),
        ],
        Some("application/graphql-response+json"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["role"]["title"], "Backend Developer");
    let mutation = get(
        &app,
        &[(
            "query",
            r#"mutation { deleteTool(slug: "x", expectedVersion: 1) { slug } }"#,
        )],
        None,
    )
    .await;
    assert_eq!(mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(mutation.headers()[header::ALLOW], "POST");
    let bad_variables = get(
        &app,
        &[("query", "{ __typename }"), ("variables", "[1]")],
        None,
    )
    .await;
    assert_eq!(bad_variables.status(), StatusCode::BAD_REQUEST);
    // A browser gets GraphiQL, served by the binary itself.
    let page = get(&app, &[], Some("text/html,application/xhtml+xml,*/*;q=0.8")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("https://") && !html.contains("http://"),
        "{html}"
    );
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with(api::http::graphiql::ASSET_PREFIX))
        .collect();
    assert!(assets.len() >= 4, "{html}");
    for asset in assets {
        let response = app.client().get(app.url(asset)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
}

async fn operators_endpoints_answer(app: TestApp) {
    assert_eq!(app.health().await, 200);
    let ready = app
        .client()
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), StatusCode::OK);
    let _ = post(&app, None, json!({ "query": "query Probe { __typename }" })).await;
    let _ = post(&app, None, json!({ "query": "{ nope }" })).await;
    let metrics = app
        .client()
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert!(
        metrics.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let text = metrics.text().await.expect("text");
    for line in [
        r#"jobrisk_http_requests_total{operation="Probe",outcome="ok"} 1"#,
        r#"jobrisk_http_requests_total{operation="anonymous",outcome="BAD_USER_INPUT"} 1"#,
        "jobrisk_http_request_duration_seconds_bucket",
        "jobrisk_db_statements_total",
        r#"jobrisk_db_pool_connections{state="idle"}"#,
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    // Readiness fails when the schema is behind the code; health does not look at the database.
    app.sql(
        "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)",
    )
    .await;
    let not_ready = app
        .client()
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.health().await, 200);
}

async fn every_answer_carries_security_headers_and_a_request_id(app: TestApp) {
    let response = app
        .client()
        .post(app.graphql_url())
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("sent");
    let h = response.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(h.contains_key(header::CONTENT_SECURITY_POLICY));
    let generated = h["x-request-id"].to_str().expect("ascii");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let echoed = app
        .client()
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
}

async fn cors_allows_anonymous_reads_from_anywhere_and_tokens_from_nowhere(app: TestApp) {
    let preflight = |headers: &'static str| {
        app.client()
            .request(reqwest::Method::OPTIONS, app.graphql_url())
            .header("origin", "https://somewhere.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", headers)
            .send()
    };
    let anonymous = preflight("content-type").await.expect("sent");
    assert_eq!(anonymous.headers()["access-control-allow-origin"], "*");
    let allowed = anonymous.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ascii")
        .to_ascii_lowercase();
    assert!(!allowed.contains("authorization"), "{allowed}");
    assert!(
        !anonymous
            .headers()
            .contains_key("access-control-allow-credentials")
    );
}

async fn the_worst_documents_are_refused_with_a_coded_error(app: TestApp) {
    let many_aliases: String = (0..40)
        .map(|i| format!("a{i}: role(slug: \"x\") {{ a{i}: title }} "))
        .collect();
    let many_fields = format!("{{ role(slug: \"x\") {{ {} }} }}", "title ".repeat(3000));
    let fragment_flood = {
        let mut q = String::from("{ roles(first: 1) { nodes { ...F0 } } }\n");
        for i in 0..30 {
            q.push_str(&format!(
                "fragment F{i} on Role {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        q + "fragment F30 on Role { slug }\n"
    };
    let cycle =
        "{ roles { nodes { ...A } } } fragment A on Role { ...B } fragment B on Role { ...A }"
            .to_owned();
    let deep_selection = format!(
        "{{ role(slug: \"x\") {}{{ title }}{} }}",
        "{ migrationPaths { target ".repeat(30),
        " } }".repeat(30)
    );
    let deep_brackets = format!(
        "{{ role(slug: {}\"x\"{}) {{ title }} }}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let huge = format!("{{ role(slug: \"{}\") {{ title }} }}", "x".repeat(70_000));
    let root_fields: String = (0..25).map(|i| format!("r{i}: __typename ")).collect();
    for (name, query) in [
        ("aliases", format!("{{ {many_aliases} }}")),
        ("fields", many_fields),
        ("fragment flood", fragment_flood),
        ("fragment cycle", cycle),
        ("deep selection", deep_selection),
        ("deep brackets", deep_brackets),
        ("huge", huge),
        ("root fields", format!("{{ {root_fields} }}")),
    ] {
        let response = app
            .client()
            .post(app.graphql_url())
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("sent");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(
            status == StatusCode::OK || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{name}: {status}"
        );
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
        assert_bad_input(&body, None);
        assert!(
            body.get("data").is_none() || body["data"].is_null(),
            "{name}: {text}"
        );
    }
    assert_eq!(app.health().await, 200);
}

/// Rate limits and the response size limit, which need their own configuration.
mod configured {
    use super::*;

    crate::on_both!(backend =>
        anonymous_clients_are_limited_per_ip_and_spoofed_forwarding_is_ignored,
        behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit,
        answers_larger_than_the_limit_are_cut_off_with_a_coded_error,
        cors_lets_listed_origins_send_tokens,
        introspection_and_graphiql_can_be_turned_off
    );

    async fn introspection_and_graphiql_can_be_turned_off(backend: Backend) {
        let app = TestApp::spawn_configured(
            backend,
            vec![
                ("JOBRISK_INTROSPECTION", "off".into()),
                ("JOBRISK_GRAPHIQL", "off".into()),
            ],
        )
        .await;
        let (_, _, response) = post(&app, None, json!({ "query": INTROSPECTION })).await;
        assert!(response.get("errors").is_some(), "{response:#}");
        assert!(
            response["data"]["__schema"].is_null(),
            "introspection answered: {response}"
        );
        let page = get(&app, &[], Some("text/html")).await;
        assert_ne!(page.status(), StatusCode::OK);
        // Data queries still work.
        let (_, _, ok) = post(&app, None, json!({ "query": "{ roles { totalCount } }" })).await;
        assert_eq!(ok["data"]["roles"]["totalCount"], 44);
    }

    async fn anonymous_clients_are_limited_per_ip_and_spoofed_forwarding_is_ignored(
        backend: Backend,
    ) {
        let app = TestApp::spawn_configured(
            backend,
            vec![
                ("JOBRISK_RATE_LIMIT_RPS", "1".into()),
                ("JOBRISK_RATE_LIMIT_BURST", "3".into()),
            ],
        )
        .await;
        let send = |xff: &'static str| {
            app.client()
                .post(app.graphql_url())
                .header("x-forwarded-for", xff)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
        };
        for i in 0..3 {
            let r = send("198.51.100.1").await.expect("sent");
            assert_eq!(r.status(), StatusCode::OK, "request {i}");
        }
        // A different X-Forwarded-For from an untrusted peer is the same client.
        let limited = send("198.51.100.2").await.expect("sent");
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = limited.headers()[header::RETRY_AFTER]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!(retry >= 1);
        let body: Value = limited.json().await.expect("json");
        assert_eq!(first_error(&body).0, "RATE_LIMITED");
        // A made-up token is no way around the limit: of three sent at once, at most one can
        // find a token the bucket refilled meanwhile.
        let mut forged_limited = 0;
        for _ in 0..3 {
            let forged = app
                .client()
                .post(app.graphql_url())
                .bearer_auth("made.up.token")
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .expect("sent");
            match forged.status() {
                StatusCode::TOO_MANY_REQUESTS => forged_limited += 1,
                StatusCode::UNAUTHORIZED => {}
                other => panic!("a made-up token got {other}: {:?}", forged.text().await),
            }
        }
        assert!(forged_limited >= 2, "{forged_limited} of 3 limited");
        let limited_total = 1 + forged_limited;

        let metrics = app
            .client()
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text");
        assert!(
            metrics.contains(&format!(
                r#"jobrisk_rate_limited_total{{limiter="client_ip"}} {limited_total}"#
            )),
            "{metrics}"
        );
        // Operators' endpoints are never limited.
        assert_eq!(app.health().await, 200);
    }

    async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(backend: Backend) {
        let app = TestApp::spawn_configured(
            backend,
            vec![
                ("JOBRISK_RATE_LIMIT_RPS", "1".into()),
                ("JOBRISK_RATE_LIMIT_BURST", "1".into()),
                ("JOBRISK_TRUSTED_PROXIES", "127.0.0.0/8".into()),
            ],
        )
        .await;
        for (xff, expected) in [
            ("198.51.100.1", StatusCode::OK),
            ("198.51.100.1", StatusCode::TOO_MANY_REQUESTS),
            ("198.51.100.2", StatusCode::OK),
            // A client-written entry left of the real one does not help.
            ("10.9.9.9, 198.51.100.2", StatusCode::TOO_MANY_REQUESTS),
        ] {
            let r = app
                .client()
                .post(app.graphql_url())
                .header("x-forwarded-for", xff)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status(), expected, "{xff}");
        }
    }

    async fn answers_larger_than_the_limit_are_cut_off_with_a_coded_error(backend: Backend) {
        let app =
            TestApp::spawn_configured(backend, vec![("JOBRISK_MAX_RESPONSE_BYTES", "2000".into())])
                .await;
        let (status, _, body) = post(
            &app,
            None,
            json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_bad_input(&body, Some("query"));
        assert!(body["data"].is_null());
        let message = first_error(&body).1["message"].as_str().unwrap_or("");
        assert!(message.contains("JOBRISK_MAX_RESPONSE_BYTES"), "{message}");
        let (_, _, small) = post(&app, None, json!({ "query": "{ __typename }" })).await;
        assert_eq!(small["data"]["__typename"], "Query");
    }

    async fn cors_lets_listed_origins_send_tokens(backend: Backend) {
        let app = TestApp::spawn_configured(
            backend,
            vec![("JOBRISK_CORS_ORIGINS", "https://studio.example".into())],
        )
        .await;
        let preflight = |origin: &'static str| {
            app.client()
                .request(reqwest::Method::OPTIONS, app.graphql_url())
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type",
                )
                .send()
        };
        let listed = preflight("https://studio.example").await.expect("sent");
        assert_eq!(
            listed.headers()["access-control-allow-origin"],
            "https://studio.example"
        );
        assert_eq!(listed.headers()["access-control-allow-credentials"], "true");
        let other = preflight("https://evil.example").await.expect("sent");
        assert!(!other.headers().contains_key("access-control-allow-origin"));
    }
}

/// Several instances starting at once on one PostgreSQL all migrate it, in turn.
#[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_all_migrate_one_postgres_database() {
    let fresh = crate::helpers::FreshDatabase::create(Backend::Postgres).await;
    let runs = (0..4).map(|_| {
        let url = fresh.url.clone();
        tokio::spawn(async move {
            let db = api::db::connect(&url).await.expect("connect");
            api::db::migrate(&db).await
        })
    });
    for run in futures::future::join_all(runs).await {
        run.expect("task").expect("every instance migrates");
    }
    let db = api::db::connect(&fresh.url).await.expect("connect");
    assert_eq!(api::db::pending_migrations(&db).await.expect("status"), 0);
}
