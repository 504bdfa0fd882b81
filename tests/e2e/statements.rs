//! Statements per request, counted by the server's own `jobrisk_db_statements_total` metric:
//! the public read path takes a small, constant number of SQL statements, whatever the page
//! size or the size of each page's sections.

use serde_json::{Value, json};

use crate::helpers::{TestApp, strings_under};
use crate::on_both;

/// The README's page query ("The page query" section), read from the README itself.
fn readme_page_query() -> String {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## The page query")
        .nth(1)
        .expect("README has a page query section");
    let block = section
        .split("```graphql")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a graphql block");
    assert!(block.contains("relatedRoles(first: 5)"), "{block}");
    block.to_owned()
}

/// Public nested fields of a role, one of each kind the read path loads (card, sections,
/// nested roles), within the cost limit at `first: 100`.
const NODE: &str = "slug category { name } tasksAtRisk { text } \
    toolsAffecting { tool { name } } \
    migrationPaths { target { slug title } } \
    relatedRoles(first: 3) { slug }";

fn list_query() -> String {
    format!("query($first: Int) {{ roles(first: $first) {{ totalCount nodes {{ {NODE} }} }} }}")
}

fn category_query() -> String {
    format!(
        "query($first: Int) {{ category(slug: \"technology\") {{ name \
         roles(first: $first) {{ totalCount nodes {{ {NODE} }} }} }} }}"
    )
}

fn tool_query() -> String {
    format!(
        "query($first: Int) {{ tool(slug: \"github-copilot\") {{ name \
         roles(first: $first) {{ totalCount nodes {{ {NODE} }} }} }} }}"
    )
}

/// The server's statement counter.
async fn statements_so_far(app: &TestApp) -> u64 {
    let text = app
        .client()
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix("jobrisk_db_statements_total "))
        .unwrap_or_else(|| panic!("no statement counter in\n{text}"))
        .trim()
        .parse()
        .expect("a count")
}

/// Runs `query` (which must succeed) and returns its data and the statements it took.
async fn counted(app: &TestApp, query: &str, variables: Value) -> (Value, u64) {
    let before = statements_so_far(app).await;
    let data = app.data(query, variables).await;
    let after = statements_so_far(app).await;
    (data, after - before)
}

on_both!(
    the_metric_counts_only_what_requests_run,
    the_readme_page_query_takes_at_most_two_statements,
    a_list_with_every_nested_field_takes_at_most_three_statements_for_1_20_or_100,
    category_and_tool_role_lists_take_at_most_three_statements,
);

async fn the_metric_counts_only_what_requests_run(app: TestApp) {
    let a = statements_so_far(&app).await;
    let b = statements_so_far(&app).await;
    assert_eq!(a, b, "reading the metric runs no SQL");
    let (_, n) = counted(&app, "{ __typename }", json!({})).await;
    assert_eq!(n, 0, "a query without fields from the database runs none");
    let (_, n) = counted(&app, "{ roles(first: 1) { totalCount } }", json!({})).await;
    assert!(n >= 1, "a list runs SQL and the metric sees it");
}

async fn the_readme_page_query_takes_at_most_two_statements(app: TestApp) {
    let query = readme_page_query();
    let slugs = app
        .data("{ roles(first: 100) { nodes { slug } } }", json!({}))
        .await;
    let slugs = strings_under(&slugs, "slug");
    assert!(slugs.len() > 40);
    let mut most = 0;
    for slug in &slugs {
        let (data, n) = counted(&app, &query, json!({ "slug": slug })).await;
        assert!(data["role"]["title"].is_string(), "{slug}");
        assert!(n <= 2, "{slug}: the page query took {n} statements");
        most = most.max(n);
    }
    // The page really has nested roles to read (so two statements are earned, not skipped).
    let (data, n) = counted(&app, &query, json!({ "slug": "backend-developer" })).await;
    assert!(
        !data["role"]["relatedRoles"]
            .as_array()
            .expect("related")
            .is_empty()
    );
    assert!(
        !data["role"]["migrationPaths"]
            .as_array()
            .expect("paths")
            .is_empty()
    );
    assert!(
        !data["role"]["tasksAtRisk"]
            .as_array()
            .expect("tasks")
            .is_empty()
    );
    eprintln!(
        "[{:?}] README page query: {n} statements (at most {most} over every page)",
        app.backend
    );
    let (data, n) = counted(&app, &query, json!({ "slug": "no-such-role" })).await;
    assert_eq!(data["role"], Value::Null);
    assert!(n <= 1, "an unknown slug took {n} statements");
}

async fn a_list_with_every_nested_field_takes_at_most_three_statements_for_1_20_or_100(
    app: TestApp,
) {
    let query = list_query();
    let mut counts = Vec::new();
    for first in [1, 20, 100] {
        let (data, n) = counted(&app, &query, json!({ "first": first })).await;
        let nodes = data["roles"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first.min(44), "first: {first}");
        assert!(n <= 3, "roles(first: {first}) took {n} statements");
        counts.push(n);
    }
    assert_eq!(
        counts[0], counts[2],
        "first 1 and 100 take the same: {counts:?}"
    );
    eprintln!(
        "[{:?}] roles(first: 1|20|100): {counts:?} statements",
        app.backend
    );
    // The 100 list had nested content at every level to load.
    let (data, _) = counted(&app, &query, json!({ "first": 100 })).await;
    let nodes = data["roles"]["nodes"].as_array().expect("nodes");
    assert!(
        nodes
            .iter()
            .any(|n| !n["tasksAtRisk"].as_array().expect("tasks").is_empty())
    );
    assert!(
        nodes
            .iter()
            .filter(|n| !n["relatedRoles"].as_array().expect("related").is_empty())
            .count()
            > 30
    );
    assert!(strings_under(&data, "title").len() > nodes.len());
}

async fn category_and_tool_role_lists_take_at_most_three_statements(app: TestApp) {
    for (what, query) in [("category", category_query()), ("tool", tool_query())] {
        let mut counts = Vec::new();
        for first in [1, 20, 100] {
            let (data, n) = counted(&app, &query, json!({ "first": first })).await;
            let nodes = data[what]["roles"]["nodes"].as_array().expect("nodes");
            assert!(!nodes.is_empty(), "{what} first {first}: {data:#}");
            assert!(n <= 3, "{what}.roles(first: {first}) took {n} statements");
            counts.push(n);
        }
        assert_eq!(counts[0], counts[2], "{what}: {counts:?}");
        eprintln!(
            "[{:?}] {what}.roles(first: 1|20|100): {counts:?} statements",
            app.backend
        );
    }
}
