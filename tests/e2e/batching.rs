//! Batched loading: nested fields cost a fixed number of SQL statements per request, whatever
//! the number of roles in the list.

use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both;
use crate::page::PAGE_QUERY;

const NESTED_LIST: &str = r#"
query Nested($first: Int) {
  roles(first: $first) {
    totalCount
    nodes {
      slug
      category { name }
      tasks { text }
      toolsAffecting { tool { name } }
      sources { title }
      migrationPaths { target { title } }
      relatedRoles { slug }
    }
  }
}"#;

/// Runs `query` and returns the statements the server ran for it.
async fn statements_for(app: &TestApp, query: &str, variables: serde_json::Value) -> Vec<String> {
    app.take_statements();
    let data = app.data(query, variables).await;
    assert!(!data.is_null());
    app.take_statements()
}

/// The most statements a list with every nested field may take, for any number of roles.
///
/// Whole batches take 10: one count, one page, then one per kind of nested field (category,
/// tasks, tool links, tools, sources, paths, path targets, related roles). A batch split on a
/// loaded machine costs one more (runs of 20 lists of 50 roles with every core spinning took at
/// most 12), so twice that leaves room for ten splits, while loading any one nested field per
/// role instead of per batch takes 50 or more at `first: 50`.
const LIST_STATEMENTS_AT_MOST: usize = 20;

/// The most statements a full page may take, whichever role it shows.
///
/// Whole batches take 11: the role, then one per section kind. Three more allow for split
/// batches; loading tools, sources, FAQs or related roles one at a time takes at least four
/// more (pages have 4 to 7 of each). Per-item loading of the other sections shows at scale in
/// the list test.
const PAGE_STATEMENTS_AT_MOST: usize = 14;

on_both!(spawn_counting =>
    a_list_with_nested_fields_takes_the_same_statements_for_5_or_50_roles,
    a_full_page_takes_a_fixed_number_of_statements,
);

async fn a_list_with_nested_fields_takes_the_same_statements_for_5_or_50_roles(app: TestApp) {
    // One bound for every length, so no run is compared with another: the count does not
    // grow with the list, and a split batch on a loaded machine cannot fail the test.
    for first in [1, 5, 50] {
        let statements = statements_for(&app, NESTED_LIST, json!({ "first": first })).await;
        eprintln!(
            "[{:?}] roles(first: {first}) with nested fields: {} SQL statements",
            app.backend,
            statements.len()
        );
        assert!(
            statements.len() <= LIST_STATEMENTS_AT_MOST,
            "roles(first: {first}) ran {} statements, more than {LIST_STATEMENTS_AT_MOST}:\n{}",
            statements.len(),
            statements.join("\n")
        );
    }
    // The 50-role list really had many roles with nested rows to load.
    let data = app.data(NESTED_LIST, json!({ "first": 50 })).await;
    let nodes = data["roles"]["nodes"].as_array().expect("nodes");
    assert!(nodes.len() > 40, "{} roles", nodes.len());
    assert!(
        nodes
            .iter()
            .all(|n| !n["tasks"].as_array().expect("tasks").is_empty())
    );
}

async fn a_full_page_takes_a_fixed_number_of_statements(app: TestApp) {
    let backend = statements_for(&app, PAGE_QUERY, json!({ "slug": "backend-developer" })).await;
    let lawyer = statements_for(&app, PAGE_QUERY, json!({ "slug": "lawyer" })).await;
    eprintln!(
        "[{:?}] full page query: {} SQL statements (lawyer: {})",
        app.backend,
        backend.len(),
        lawyer.len()
    );
    // The role, then one statement per section kind (category, tasks, tool links, tools,
    // skills, paths, path targets, FAQs, sources, related roles), whatever the section sizes.
    for statements in [&backend, &lawyer] {
        assert!(
            statements.len() <= PAGE_STATEMENTS_AT_MOST,
            "{} statements, more than {PAGE_STATEMENTS_AT_MOST}: {statements:#?}",
            statements.len()
        );
    }
    // An unknown slug stops after the first statement.
    let unknown = statements_for(&app, PAGE_QUERY, json!({ "slug": "no-such-role" })).await;
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
}
