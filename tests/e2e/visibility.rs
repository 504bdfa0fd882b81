//! Drafts and archived roles never reach the public: no field, list, count or related list.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_every_error_coded, first_error, strings_under};
use crate::on_both;
use crate::page::PAGE_QUERY;

/// Published demo roles hidden by SQL, and new roles created hidden through the API.
const DRAFTED: &str = "cloud-architect";
const ARCHIVED: &str = "devops-engineer";
const NEW_DRAFT: &str = "ghost-developer";
const NEW_ARCHIVED: &str = "phantom-developer";
const HIDDEN: [&str; 4] = [DRAFTED, ARCHIVED, NEW_DRAFT, NEW_ARCHIVED];
/// A tool only the hidden roles are linked to.
const GHOST_TOOL: &str = "ghost-tool";

/// Hides two published roles and adds two hidden copies of Backend Developer (same category,
/// score, level and wording, so every filter that finds the original would find them too),
/// linked to a tool no published role uses. Returns how many roles stay published.
async fn hide_roles(app: &TestApp) -> usize {
    for slug in [DRAFTED, ARCHIVED] {
        let before = app
            .data(
                "query($s: String!) { role(slug: $s) { slug } }",
                json!({ "s": slug }),
            )
            .await;
        assert_eq!(before["role"]["slug"], slug, "{slug} starts published");
    }
    let published_before = app.published_role_count().await;
    app.sql(&format!(
        "UPDATE roles SET status = 'DRAFT' WHERE slug = '{DRAFTED}'"
    ))
    .await;
    app.sql(&format!(
        "UPDATE roles SET status = 'ARCHIVED' WHERE slug = '{ARCHIVED}'"
    ))
    .await;
    app.republish_all().await;
    let admin = crate::editing::admin();
    let created = app
        .query_as(
            Some(&admin),
            "mutation($input: ToolInput!) { createTool(input: $input) { slug } }",
            json!({ "input": {
                "slug": GHOST_TOOL,
                "name": "Ghost Tool",
                "vendor": "Nobody",
                "url": "https://example.com/ghost",
                "description": "A tool only hidden pages mention.",
            } }),
        )
        .await;
    assert_eq!(
        created["data"]["createTool"]["slug"], GHOST_TOOL,
        "{created:#}"
    );
    let backend = api::seed::demo_roles()
        .expect("demo roles")
        .into_iter()
        .find(|r| r.slug == "backend-developer")
        .expect("backend page");
    for (slug, title, status) in [
        (NEW_DRAFT, "Ghost Zebra Developer", "DRAFT"),
        (NEW_ARCHIVED, "Phantom Zebra Developer", "ARCHIVED"),
    ] {
        let mut content = backend.clone();
        content.slug = slug.into();
        content.title = title.into();
        content.tools_affecting[0].tool = GHOST_TOOL.into();
        let mut input = serde_json::to_value(&content).expect("content as JSON");
        if let Some(fields) = input.as_object_mut() {
            fields.remove("status");
            let category = fields.remove("category").expect("a category");
            fields.insert("categorySlug".into(), category);
        }
        // Created as a draft, as every new page is; the archived one is archived after.
        let created = app
            .query_as(
                Some(&admin),
                "mutation($input: RoleInput!) { createRole(input: $input) { version } }",
                json!({ "input": input }),
            )
            .await;
        let version = &created["data"]["createRole"]["version"];
        assert!(version.is_i64(), "{created:#}");
        if status == "ARCHIVED" {
            let archived = app
                .query_as(
                    Some(&admin),
                    "mutation($s: String!, $v: Int!) { archiveRole(slug: $s, expectedVersion: $v) { status } }",
                    json!({ "s": slug, "v": version }),
                )
                .await;
            assert_eq!(
                archived["data"]["archiveRole"]["status"], status,
                "{archived:#}"
            );
        }
    }
    let statuses = app
        .sql_strings(&format!(
            "SELECT status FROM roles WHERE slug IN ('{NEW_DRAFT}', '{NEW_ARCHIVED}') \
             ORDER BY slug"
        ))
        .await;
    assert_eq!(statuses, ["DRAFT", "ARCHIVED"], "stored as given");
    let published = app.published_role_count().await;
    assert_eq!(published, published_before - 2);
    published
}

fn assert_none_hidden(response: &Value, context: &str) {
    let slugs: BTreeSet<String> = strings_under(response, "slug").into_iter().collect();
    for hidden in HIDDEN {
        assert!(!slugs.contains(hidden), "{hidden} leaked in {context}");
    }
    let titles = strings_under(response, "title");
    assert!(
        !titles.iter().any(|t| t.contains("Zebra")),
        "a hidden title leaked in {context}"
    );
}

fn node_slugs(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["slug"].as_str().expect("slug").to_owned())
        .collect()
}

on_both!(spawn_with_jwt =>
    hidden_roles_have_no_page,
    hidden_roles_are_in_no_list_count_or_filter,
    hidden_roles_are_in_no_category_tool_related_or_migration_list,
);

async fn hidden_roles_have_no_page(app: TestApp) {
    hide_roles(&app).await;
    for slug in HIDDEN {
        let response = app.query(PAGE_QUERY, json!({ "slug": slug })).await;
        assert!(response.get("errors").is_none(), "{slug}: {response:#}");
        assert_eq!(response["data"]["role"], Value::Null, "{slug}");
    }
    // Previewing is for editors: an anonymous reader, or one with a token that does not
    // verify, is refused and sees nothing of the hidden page.
    for slug in HIDDEN {
        for token in [None, Some("not-a-token")] {
            let response = app
                .query_as(
                    token,
                    "query($s: String!) { role(slug: $s, preview: true) { slug title status } }",
                    json!({ "s": slug }),
                )
                .await;
            assert_none_hidden(&response, &format!("preview of {slug}, token {token:?}"));
            assert_every_error_coded(&response);
            let code = first_error(&response).0;
            assert!(
                ["UNAUTHENTICATED", "FORBIDDEN"].contains(&code),
                "{slug}, token {token:?}: {response:#}"
            );
            assert!(
                response["data"].is_null() || response["data"]["role"].is_null(),
                "{response:#}"
            );
        }
    }
    // Revision history (which holds earlier, unpublished states) is for editors too.
    let response = app
        .query(
            r#"{ role(slug: "backend-developer") { slug revisions { __typename } } }"#,
            json!({}),
        )
        .await;
    assert_every_error_coded(&response);
    assert_eq!(first_error(&response).0, "UNAUTHENTICATED", "{response:#}");
    assert!(
        response["data"]["role"]["revisions"].is_null(),
        "no revisions for the public: {response:#}"
    );
    // The original they were copied from is still there.
    let data = app
        .data(PAGE_QUERY, json!({ "slug": "backend-developer" }))
        .await;
    assert_eq!(data["role"]["status"], "PUBLISHED");
    assert_none_hidden(&data, "the backend-developer page");
}

async fn hidden_roles_are_in_no_list_count_or_filter(app: TestApp) {
    let published = hide_roles(&app).await;
    let query = r#"
      query List($first: Int, $after: String, $filter: RoleFilter, $orderBy: RoleOrder) {
        roles(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { slug title status }
          edges { node { slug } }
        }
      }"#;
    let everything = app.data(query, json!({ "first": 100 })).await;
    assert_none_hidden(&everything, "roles");
    assert_eq!(everything["roles"]["totalCount"], published);
    assert_eq!(node_slugs(&everything["roles"]).len(), published);
    for status in strings_under(&everything, "status") {
        assert_eq!(status, "PUBLISHED");
    }
    // Every filter that matches the hidden roles' data, and the status filter the public
    // cannot use to reach other states.
    let backend = app
        .data(
            r#"{ role(slug: "backend-developer") { risk { score level } } }"#,
            json!({}),
        )
        .await;
    let score = &backend["role"]["risk"]["score"];
    let level = &backend["role"]["risk"]["level"];
    let filters = [
        json!({ "categorySlug": "technology" }),
        json!({ "level": level }),
        json!({ "minScore": score, "maxScore": score }),
        json!({ "minScore": score }),
        json!({ "maxScore": score }),
        json!({ "search": "zebra" }),
        json!({ "search": "Cloud Architect" }),
        json!({ "search": "devops" }),
        json!({ "search": "backend" }),
        json!({ "categorySlug": "technology", "level": level, "search": "developer" }),
    ];
    for filter in &filters {
        let response = app
            .data(query, json!({ "first": 100, "filter": filter }))
            .await;
        assert_none_hidden(&response, &format!("roles(filter: {filter})"));
        let connection = &response["roles"];
        assert_eq!(
            connection["totalCount"],
            node_slugs(connection).len(),
            "the count matches what is shown: {filter}"
        );
    }
    // Asking for a status is for editors: the public is refused, with or without a token
    // that does not verify, and sees none of the hidden roles in the answer.
    for status in ["DRAFT", "ARCHIVED", "PUBLISHED"] {
        for token in [None, Some("not-a-token")] {
            let variables = json!({ "first": 100, "filter": { "status": status } });
            let response = app.query_as(token, query, variables).await;
            assert_none_hidden(&response, &format!("status {status}, token {token:?}"));
            assert_every_error_coded(&response);
            let code = first_error(&response).0;
            assert!(
                ["UNAUTHENTICATED", "FORBIDDEN"].contains(&code),
                "status {status}, token {token:?}: {response:#}"
            );
            assert!(response["data"].is_null(), "{response:#}");
        }
    }
    let zebra = app
        .data(query, json!({ "filter": { "search": "zebra" } }))
        .await;
    assert_eq!(zebra["roles"]["totalCount"], 0);
    // Paging in every order never reaches them either.
    for field in ["TITLE", "SCORE", "UPDATED_AT"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let mut seen = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let response = app
                    .data(
                        query,
                        json!({ "first": 5, "after": after, "orderBy": order }),
                    )
                    .await;
                assert_none_hidden(&response, &format!("a page in {order}"));
                let connection = &response["roles"];
                assert_eq!(connection["totalCount"], published);
                seen.extend(node_slugs(connection));
                assert!(seen.len() <= published, "{order}: {seen:?}");
                if connection["pageInfo"]["hasNextPage"] == false {
                    break;
                }
                after = connection["pageInfo"]["endCursor"]
                    .as_str()
                    .map(str::to_owned);
            }
            assert_eq!(seen.len(), published, "{order}");
        }
    }
}

async fn hidden_roles_are_in_no_category_tool_related_or_migration_list(app: TestApp) {
    let published = hide_roles(&app).await;
    // Every public list, one request per category and tool: all of them in one request would
    // cost more than the server accepts (categories x roles x related roles).
    let roles = app
        .data(
            r#"{
              roles(first: 100) {
                nodes {
                  slug
                  migrationPaths { target { slug title } }
                  relatedRoles(first: 50) { slug title }
                }
              }
              categories { slug }
              tools { slug }
            }"#,
            json!({}),
        )
        .await;
    let mut categories = Vec::new();
    for c in roles["categories"].as_array().expect("categories") {
        let found = app
            .data(
                r#"query($s: String!) { category(slug: $s) { slug roles(first: 100) {
                     totalCount nodes { slug title relatedRoles(first: 50) { slug } } } } }"#,
                json!({ "s": c["slug"] }),
            )
            .await;
        categories.push(found["category"].clone());
    }
    let mut tools = Vec::new();
    for t in roles["tools"].as_array().expect("tools") {
        let found = app
            .data(
                r#"query($s: String!) { tool(slug: $s) { slug roles(first: 100) {
                     totalCount nodes { slug title } } } }"#,
                json!({ "s": t["slug"] }),
            )
            .await;
        tools.push(found["tool"].clone());
    }
    let sweep = json!({ "roles": roles["roles"], "categories": categories, "tools": tools });
    assert_none_hidden(&sweep, "the sweep over every public list");
    let mut in_categories = 0;
    for category in sweep["categories"].as_array().expect("categories") {
        let roles = &category["roles"];
        assert_eq!(roles["totalCount"], node_slugs(roles).len());
        in_categories += node_slugs(roles).len();
    }
    assert_eq!(in_categories, published, "category counts add up");
    for tool in sweep["tools"].as_array().expect("tools") {
        let roles = &tool["roles"];
        assert_eq!(roles["totalCount"], node_slugs(roles).len(), "{tool}");
    }
    let ghost = app
        .data(
            r#"query($s: String!) { tool(slug: $s) { roles { totalCount nodes { slug } } } }"#,
            json!({ "s": GHOST_TOOL }),
        )
        .await;
    assert_eq!(ghost["tool"]["roles"]["totalCount"], 0, "{ghost:#}");

    // Backend Developer: its migration paths led to the two hidden demo roles; its related
    // roles would start with its hidden copies (same category and score).
    let backend = app
        .data(
            r#"{ role(slug: "backend-developer") {
                   migrationPaths { target { slug } }
                   relatedRoles(first: 50) { slug }
                 }
                 category(slug: "technology") { roles(first: 100) { totalCount nodes { slug } } }
               }"#,
            json!({}),
        )
        .await;
    let targets = strings_under(&backend["role"]["migrationPaths"], "slug");
    assert_eq!(targets, ["machine-learning-engineer"], "{backend:#}");
    let related: BTreeSet<String> = strings_under(&backend["role"]["relatedRoles"], "slug")
        .into_iter()
        .collect();
    let technology: BTreeSet<String> = node_slugs(&backend["category"]["roles"])
        .into_iter()
        .filter(|s| s != "backend-developer")
        .collect();
    assert_eq!(related, technology, "every other published technology role");
    // Another technology role's related list, and a role whose only paths are to them.
    let devops_peer = app
        .data(
            r#"{ role(slug: "database-administrator") {
                   relatedRoles(first: 50) { slug } migrationPaths { target { slug } } } }"#,
            json!({}),
        )
        .await;
    assert_none_hidden(&devops_peer, "database-administrator");
    assert_eq!(
        strings_under(&devops_peer["role"]["migrationPaths"], "slug"),
        ["backend-developer"],
        "the path to cloud-architect is left out"
    );
}
