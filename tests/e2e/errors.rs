//! Hostile and broken input: every failure is a coded error, never a panic, a hang or a leak
//! of SQL, file paths or driver messages.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_bad_input, assert_every_error_coded, first_error};
use crate::on_both;

/// Text that must never reach a client. (`select` alone would match GraphQL's own "expected
/// selection"; SQL always has a space after it.)
const FORBIDDEN: [&str; 11] = [
    "SELECT ",
    "select ",
    "role_faqs",
    "sqlx",
    "sqlite",
    "SQLite",
    "postgres",
    "Postgres",
    "panicked",
    ".rs",
    "DbErr",
];

fn assert_no_leak(text: &str) {
    for word in FORBIDDEN {
        assert!(!text.contains(word), "{word:?} reached the client: {text}");
    }
}

/// Parses a GraphQL response body, checking it leaks nothing and every error has a code.
fn coded(status: u16, body: &str) -> Value {
    assert_no_leak(body);
    let response: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("JSON ({e}), status {status}: {body}"));
    assert_every_error_coded(&response);
    response
}

/// A role query nested `depth` migration paths deep.
fn nested_query(depth: usize) -> String {
    let mut query = String::from(r#"{ role(slug: "backend-developer") { "#);
    for _ in 0..depth {
        query.push_str("migrationPaths { target { ");
    }
    query.push_str("slug");
    for _ in 0..depth {
        query.push_str(" } }");
    }
    query.push_str(" } }");
    query
}

on_both!(
    nul_characters_in_text_arguments_are_not_internal_errors,
    malformed_json_is_refused_without_detail_and_the_server_stays_up,
    malformed_json_gets_a_coded_graphql_error,
    requests_that_are_not_graphql_get_bad_user_input,
    syntax_errors_and_unknown_fields_are_bad_user_input,
    queries_deeper_than_the_limit_are_refused_quickly,
    queries_above_the_complexity_limit_are_refused,
    oversized_bodies_are_refused_and_the_server_stays_up,
    oversized_search_is_bad_user_input,
    database_failures_answer_internal_error_without_detail,
    a_missing_table_under_a_list_answers_internal_error_without_detail,
);

const MALFORMED: [&str; 5] = [
    "{not json",
    r#"{"query": "{ roles { totalCount } }""#,
    r#"{"query": 42}"#,
    "\u{0}\u{1}binary",
    r#"{"query": "{ roles { totalCount } }", "variables": "x"}"#,
];

async fn malformed_json_is_refused_without_detail_and_the_server_stays_up(app: TestApp) {
    for body in MALFORMED {
        let (status, text) = app.post_raw(Some("application/json"), body).await;
        assert!(
            (400..500).contains(&status),
            "{body:?}: status {status}: {text}"
        );
        assert_no_leak(&text);
    }
    assert_eq!(app.health().await, 200);
    let data = app.data("{ roles { totalCount } }", json!({})).await;
    assert_eq!(data["roles"]["totalCount"], 44);
}

/// The GraphQL-over-HTTP answer to a body that is not a GraphQL request: a 400 whose body is a
/// GraphQL response with a coded error, like every other error this API gives.
async fn malformed_json_gets_a_coded_graphql_error(app: TestApp) {
    for body in MALFORMED {
        let (status, text) = app.post_raw(Some("application/json"), body).await;
        assert_eq!(status, 400, "{body:?}");
        assert!(!text.contains("Error("), "Rust Debug output: {text}");
        let response = coded(status, &text);
        assert_eq!(
            first_error(&response).0,
            "BAD_USER_INPUT",
            "{body:?}: {text}"
        );
    }
}

async fn requests_that_are_not_graphql_get_bad_user_input(app: TestApp) {
    for body in [
        r#"{"hello": "world"}"#,
        r#"{"query": ""}"#,
        r#"{"query": "hello world"}"#,
        r#"{"query": "<html><body>hi</body></html>"}"#,
        r#"{"query": "DROP TABLE roles;"}"#,
    ] {
        let (status, text) = app.post_raw(Some("application/json"), body).await;
        let response = coded(status, &text);
        assert_bad_input(&response, None);
        assert!(response["data"].is_null(), "{text}");
    }
    // A plain-text body is not a request either; it is refused, leaking nothing.
    let (status, text) = app.post_raw(Some("text/plain"), "roles please").await;
    assert!((400..500).contains(&status) || text.contains("BAD_USER_INPUT"));
    assert_no_leak(&text);
    // An unknown operation name, and variables of the wrong type.
    let (status, text) = app
        .post_raw(
            Some("application/json"),
            json!({ "query": "query A { roles { totalCount } }", "operationName": "B" })
                .to_string(),
        )
        .await;
    assert_bad_input(&coded(status, &text), None);
    let (status, text) = app
        .query_text(
            "query($f: Int) { roles(first: $f) { totalCount } }",
            json!({ "f": "twenty" }),
        )
        .await;
    assert_bad_input(&coded(status, &text), None);
    assert_eq!(app.health().await, 200);
}

async fn syntax_errors_and_unknown_fields_are_bad_user_input(app: TestApp) {
    for query in [
        "{ roles { totalCount }",
        "{ roles { nodes { slug } } } }",
        "{ roles(first: ) { totalCount } }",
        "query { role(slug: \"backend-developer\") { title",
        "{ roles { nope } }",
        "{ nope }",
        "{ role(slug: \"backend-developer\") { title password } }",
        "{ role { title } }",
        "{ roles(last: 5) { totalCount } }",
        "{ __type(name: \"Role\") { fields { nope } } }",
        "mutation { deleteEverything }",
        "subscription { roles { totalCount } }",
    ] {
        let (status, text) = app.query_text(query, json!({})).await;
        let response = coded(status, &text);
        assert_bad_input(&response, None);
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{query}: {text}"
        );
    }
}

async fn queries_deeper_than_the_limit_are_refused_quickly(app: TestApp) {
    // The full page query needs depth 6; two levels of paths still pass.
    let shallow = app.data(&nested_query(2), json!({})).await;
    assert!(shallow["role"]["migrationPaths"].is_array());
    for depth in [15, 100] {
        let query = nested_query(depth);
        let request = app
            .client()
            .post(app.graphql_url())
            .json(&json!({ "query": query }))
            .timeout(Duration::from_secs(10));
        let started = std::time::Instant::now();
        let response = request.send().await.expect("answered in time");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let response = coded(status, &text);
        assert_bad_input(&response, None);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "depth {depth} took {:?}",
            started.elapsed()
        );
        assert!(response["data"].is_null(), "{text}");
    }
    assert_eq!(app.health().await, 200);
}

async fn queries_above_the_complexity_limit_are_refused(app: TestApp) {
    // 700 aliased lists of three fields each: shallow, small on the wire, but 2,100 fields.
    let mut query = String::from("{");
    for i in 0..700 {
        query.push_str(&format!(" a{i}: roles(first: 100) {{ nodes {{ slug }} }}"));
    }
    query.push('}');
    let (status, text) = app.query_text(&query, json!({})).await;
    let response = coded(status, &text);
    assert_bad_input(&response, None);
    assert_eq!(app.health().await, 200);
}

async fn oversized_bodies_are_refused_and_the_server_stays_up(app: TestApp) {
    let padding = "x".repeat(2 * 1024 * 1024);
    let in_variables = json!({
        "query": "query($pad: String) { roles { totalCount } }",
        "variables": { "pad": padding },
    });
    // A long query text (rather than variables) is refused the same way.
    let in_query = json!({
        "query": format!("{{ roles {{ totalCount }} }} #{padding}"),
    });
    for body in [in_variables, in_query] {
        if let Some((status, text)) = send_large(&app, body.to_string()).await {
            assert_no_leak(&text);
            if status == 200 {
                // An error inside a GraphQL response would do too, as long as it is coded.
                let response = coded(status, &text);
                assert!(response["errors"].is_array(), "a 2 MB body was executed");
            } else {
                assert_eq!(status, 413, "{text}");
            }
        }
        check_still_serving(&app).await;
    }
}

/// Posts a large body; `None` when the server refused it by closing the connection before the
/// client finished sending (also a rejection).
async fn send_large(app: &TestApp, body: String) -> Option<(u16, String)> {
    // A client of its own: the server may close the connection mid-upload, and a pooled
    // connection in that state must not be handed to the next request.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let response = client
        .post(app.graphql_url())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .timeout(Duration::from_secs(20))
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            Some((status, response.text().await.unwrap_or_default()))
        }
        Err(e) => {
            assert!(
                !e.is_timeout(),
                "a large body must not hang the server: {e}"
            );
            None
        }
    }
}

async fn check_still_serving(app: &TestApp) {
    assert_eq!(app.health().await, 200);
    let data = app.data("{ roles { totalCount } }", json!({})).await;
    assert_eq!(data["roles"]["totalCount"], 44, "still serving");
}

async fn oversized_search_is_bad_user_input(app: TestApp) {
    let query = "query($s: String) { roles(filter: { search: $s }) { totalCount } }";
    let at_limit = app.data(query, json!({ "s": "q".repeat(200) })).await;
    assert_eq!(at_limit["roles"]["totalCount"], 0);
    // Characters, not bytes: 200 multi-byte characters are still within the limit.
    let wide = app.data(query, json!({ "s": "é".repeat(200) })).await;
    assert_eq!(wide["roles"]["totalCount"], 0);
    for long in ["q".repeat(201), "%".repeat(10_000), "é".repeat(201)] {
        let (status, text) = app.query_text(query, json!({ "s": long })).await;
        let response = coded(status, &text);
        assert_bad_input(&response, Some("filter.search"));
    }
}

/// The statement that breaks a child table on this backend.
fn drop_table(backend: Backend, table: &str) -> String {
    match backend {
        Backend::Sqlite => format!("DROP TABLE {table}"),
        Backend::Postgres => format!("DROP TABLE {table} CASCADE"),
    }
}

async fn database_failures_answer_internal_error_without_detail(app: TestApp) {
    // Published pages carry their sections: a corrupt one breaks exactly the fields that read
    // sections (and editors' previews, which read the working tables, break with a table).
    app.sql("UPDATE role_snapshots SET body = '{\"broken' ")
        .await;
    app.sql(&drop_table(app.backend, "role_faqs")).await;
    for query in [
        r#"{ role(slug: "backend-developer") { faqs { question } } }"#,
        "{ roles(first: 5) { nodes { slug faqs { question answer } } } }",
        r#"{ role(slug: "backend-developer") { migrationPaths { target { faqs { question } } } } }"#,
    ] {
        let (status, text) = app.query_text(query, json!({})).await;
        let response = coded(status, &text);
        let (code, error) = first_error(&response);
        assert_eq!(code, "INTERNAL", "{text}");
        assert_eq!(error["message"], "internal error", "{text}");
        for error in response["errors"].as_array().expect("errors") {
            assert_eq!(error["message"], "internal error");
        }
    }
    // Fields that do not touch the broken table still work, in the same request even.
    let (status, text) = app
        .query_text(
            r#"{ role(slug: "backend-developer") { title } broken: role(slug: "lawyer") { faqs { question } } }"#,
            json!({}),
        )
        .await;
    let response = coded(status, &text);
    assert_eq!(response["data"]["role"]["title"], "Backend Developer");
    assert_eq!(first_error(&response).0, "INTERNAL");
    assert_eq!(app.health().await, 200);
}

async fn a_missing_table_under_a_list_answers_internal_error_without_detail(app: TestApp) {
    app.sql("ALTER TABLE role_snapshots RENAME TO roles_gone")
        .await;
    for query in [
        "{ roles { totalCount nodes { slug } } }",
        r#"{ role(slug: "backend-developer") { title } }"#,
        r#"{ category(slug: "technology") { roles { totalCount } } }"#,
        r#"{ roles(filter: { search: "x%" }, orderBy: { field: SCORE }) { totalCount } }"#,
    ] {
        let (status, text) = app.query_text(query, json!({})).await;
        assert!(!text.contains("roles_gone"), "{text}");
        let response = coded(status, &text);
        let (code, error) = first_error(&response);
        assert_eq!(code, "INTERNAL", "{query}: {text}");
        assert_eq!(error["message"], "internal error", "{text}");
    }
    // Unrelated queries keep working.
    let data = app.data("{ categories { slug } }", json!({})).await;
    assert!(!data["categories"].as_array().expect("list").is_empty());
    assert_eq!(app.health().await, 200);
}

/// A NUL character is valid in a GraphQL string, but PostgreSQL refuses it in text parameters:
/// the API must answer it as bad input (or as "nothing matches"), not as a server failure.
async fn nul_characters_in_text_arguments_are_not_internal_errors(app: TestApp) {
    let nul = "back\u{0}end";
    for query in [
        "query($s: String!) { role(slug: $s) { slug } }",
        "query($s: String) { roles(filter: { search: $s }) { totalCount } }",
        "query($s: String) { roles(filter: { categorySlug: $s }) { totalCount } }",
        "query($s: String!) { category(slug: $s) { slug } }",
        "query($s: String!) { tool(slug: $s) { slug } }",
        "query($s: String) { roles(after: $s) { totalCount } }",
    ] {
        let (status, text) = app.query_text(query, json!({ "s": nul })).await;
        assert_no_leak(&text);
        let response: Value = serde_json::from_str(&text).expect("JSON");
        if response.get("errors").is_some() {
            assert_every_error_coded(&response);
            assert_eq!(
                first_error(&response).0,
                "BAD_USER_INPUT",
                "{query}: status {status}: {text}"
            );
        }
    }
}
