//! Writers racing each other get coded answers, never INTERNAL, and leave the database
//! consistent: duplicate creates, and deletes racing a new link to what they delete.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error, token};
use crate::on_both;

/// How many editors create the same thing at once.
const EDITORS: usize = 12;

on_both!(spawn_with_jwt =>
    concurrent_duplicate_creates_give_one_success_and_field_errors,
    a_delete_racing_a_new_link_gets_a_coded_answer_and_keeps_links_whole,
);

/// A new role page (Backend Developer's content under another slug), as `createRole` input.
fn role_input(slug: &str) -> Value {
    let page = api::seed::demo_roles()
        .expect("demo roles")
        .into_iter()
        .find(|r| r.slug == "backend-developer")
        .expect("backend page");
    let mut input = serde_json::to_value(&page).expect("content as JSON");
    let fields = input.as_object_mut().expect("an object");
    fields.remove("status");
    let category = fields.remove("category").expect("a category");
    fields.insert("categorySlug".into(), category);
    fields.insert("slug".into(), json!(slug));
    fields.insert("migrationPaths".into(), json!([]));
    input
}

async fn concurrent_duplicate_creates_give_one_success_and_field_errors(app: TestApp) {
    let editor = token("editor", Some("content:write"));
    let creates = [
        (
            "createCategory",
            "CategoryInput",
            json!({ "slug": "twin-category", "name": "Twin", "description": "Made twice at once." }),
        ),
        (
            "createTool",
            "ToolInput",
            json!({ "slug": "twin-tool", "name": "Twin", "vendor": "Twins", "url": "https://example.com/twin", "description": "Made twice at once." }),
        ),
        (
            "createSource",
            "SourceInput",
            json!({ "slug": "twin-source", "title": "Twin", "publisher": "Twins", "url": "https://example.com/twin" }),
        ),
        ("createRole", "RoleInput", role_input("twin-role")),
    ];
    for (mutation, input_type, input) in creates {
        let query =
            format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ slug }} }}");
        let answers = join_all(
            (0..EDITORS).map(|_| app.query_as(Some(&editor), &query, json!({ "input": input }))),
        )
        .await;
        let created = answers
            .iter()
            .filter(|r| r["data"][mutation]["slug"].is_string())
            .count();
        assert_eq!(created, 1, "{mutation}: {answers:#?}");
        for r in answers.iter().filter(|r| r.get("errors").is_some()) {
            let (code, error) = first_error(r);
            assert_eq!(code, "BAD_USER_INPUT", "{mutation}: {r:#}");
            assert_eq!(
                error["extensions"]["field"], "input.slug",
                "{mutation}: {r:#}"
            );
            let message = error["message"].as_str().expect("message");
            assert!(message.starts_with("input.slug:"), "{message}");
        }
    }
}

/// Runs `delete` and `link` at once; returns the codes of the ones that failed.
async fn race(app: &TestApp, delete: (&str, Value), link: (&str, Value)) -> Vec<String> {
    let admin = token("admin", Some("content:write content:delete"));
    let (a, b) = futures::join!(
        app.query_as(Some(&admin), delete.0, delete.1),
        app.query_as(Some(&admin), link.0, link.1)
    );
    [a, b]
        .iter()
        .filter(|r| r.get("errors").is_some())
        .map(|r| first_error(r).0.to_owned())
        .collect()
}

async fn a_delete_racing_a_new_link_gets_a_coded_answer_and_keeps_links_whole(app: TestApp) {
    let admin = token("admin", Some("content:write content:delete"));
    let version = |r: &Value, m: &str| r["data"][m]["version"].as_i64().expect("a version");
    let mut codes = Vec::new();
    for round in 0..6 {
        // A tool deleted while a page starts linking to it.
        let slug = format!("racer-{round}");
        let r = app
            .query_as(
                Some(&admin),
                "mutation($s: String!) { createTool(input: { slug: $s, name: \"Racer\", vendor: \"R\", url: \"https://example.com/r\", description: \"Raced.\" }) { version } }",
                json!({ "s": slug }),
            )
            .await;
        let tool_version = version(&r, "createTool");
        let page = app
            .data(
                "{ role(slug: \"backend-developer\") { version toolsAffecting { tool { slug } impact } } }",
                json!({}),
            )
            .await;
        let role_version = page["role"]["version"].as_i64().expect("version");
        let mut links: Vec<Value> = page["role"]["toolsAffecting"]
            .as_array()
            .expect("links")
            .iter()
            .map(|l| json!({ "tool": l["tool"]["slug"], "note": l["impact"] }))
            .collect();
        links.truncate(5);
        links.push(json!({ "tool": slug, "note": "Raced in." }));
        codes.extend(
            race(
                &app,
                (
                    "mutation($s: String!, $v: Int!) { deleteTool(slug: $s, expectedVersion: $v) { slug } }",
                    json!({ "s": slug, "v": tool_version }),
                ),
                (
                    "mutation($v: Int!, $links: [ToolLinkInput!]!) { updateRole(slug: \"backend-developer\", expectedVersion: $v, input: { toolsAffecting: $links }) { version } }",
                    json!({ "v": role_version, "links": links }),
                ),
            )
            .await,
        );
        // A category deleted while a page is created in it.
        let category = format!("racing-{round}");
        let r = app
            .query_as(
                Some(&admin),
                "mutation($s: String!) { createCategory(input: { slug: $s, name: \"Racing\", description: \"Raced.\" }) { version } }",
                json!({ "s": category }),
            )
            .await;
        let category_version = version(&r, "createCategory");
        let mut input = role_input(&format!("racing-role-{round}"));
        input["categorySlug"] = json!(category);
        codes.extend(
            race(
                &app,
                (
                    "mutation($s: String!, $v: Int!) { deleteCategory(slug: $s, expectedVersion: $v) { slug } }",
                    json!({ "s": category, "v": category_version }),
                ),
                (
                    "mutation($input: RoleInput!) { createRole(input: $input) { slug } }",
                    json!({ "input": input }),
                ),
            )
            .await,
        );
    }
    for code in &codes {
        assert!(
            matches!(code.as_str(), "CONFLICT" | "BAD_USER_INPUT"),
            "a racing write answered {code}: {codes:?}"
        );
    }
    // Whoever won, no link points at nothing and every role has its category.
    let dangling = app
        .sql_strings(
            "SELECT CAST(COUNT(*) AS TEXT) FROM role_tools WHERE tool_id NOT IN (SELECT id FROM tools)",
        )
        .await;
    assert_eq!(dangling, ["0"]);
    let orphans = app
        .sql_strings(
            "SELECT CAST(COUNT(*) AS TEXT) FROM roles WHERE category_id NOT IN (SELECT id FROM categories)",
        )
        .await;
    assert_eq!(orphans, ["0"]);
    eprintln!("[{:?}] racing writes answered {codes:?}", app.backend);
}
