//! Who changed what: catalog items say who wrote them last, and deletions stay on record after
//! the thing deleted is gone.

use serde_json::json;

use crate::helpers::{TestApp, first_error, token};
use crate::on_both;

on_both!(spawn_with_jwt => a_deleted_role_leaves_a_record_of_who_deleted_it_and_when);

const AUDIT: &str = "{ auditEvents(first: 10) { occurredAt actor action subject version } }";

async fn a_deleted_role_leaves_a_record_of_who_deleted_it_and_when(app: TestApp) {
    let writer = token("wendy", Some("content:write"));
    let deleter = token("dora", Some("content:delete"));
    let created = app
        .query_as(
            Some(&writer),
            r#"mutation { createTool(input: { slug: "short-lived", name: "Short", vendor: "S", url: "https://example.com/s", description: "Gone soon." }) { version updatedBy } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        created["data"]["createTool"],
        json!({ "version": 1, "updatedBy": "wendy" }),
        "{created:#}"
    );
    let role = app
        .data(r#"{ role(slug: "journalist") { version } }"#, json!({}))
        .await;
    let version = role["role"]["version"].as_i64().expect("version");
    let id = app
        .sql_strings("SELECT CAST(id AS TEXT) FROM roles WHERE slug = 'journalist'")
        .await
        .remove(0);
    let history = format!("SELECT CAST(COUNT(*) AS TEXT) FROM role_revisions WHERE role_id = {id}");
    assert_ne!(
        app.sql_strings(&history).await,
        ["0"],
        "the page has history"
    );
    let deleted = app
        .query_as(
            Some(&deleter),
            "mutation($v: Int!) { deleteRole(slug: \"journalist\", expectedVersion: $v) { slug } }",
            json!({ "v": version }),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteRole"]["slug"], "journalist",
        "{deleted:#}"
    );
    assert_eq!(
        app.sql_strings(&history).await,
        ["0"],
        "the page's history went with it"
    );

    // The public cannot read the log; an editor can.
    let r = app.query(AUDIT, json!({})).await;
    assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r:#}");
    let reader = token("rita", Some("content:read"));
    let r = app.query_as(Some(&reader), AUDIT, json!({})).await;
    let events = r["data"]["auditEvents"].as_array().expect("events");
    assert_eq!(events[0]["action"], "role.deleted", "{r:#}");
    assert_eq!(events[0]["actor"], "dora");
    assert_eq!(events[0]["subject"], "journalist");
    assert_eq!(events[0]["version"], version);
    assert!(events[0]["occurredAt"].is_string());
    assert_eq!(events[1]["action"], "tool.created");
    assert_eq!(events[1]["actor"], "wendy");
}
