//! Evidence freshness: review dates recorded by reviews and publishes, the review queue, and
//! old sources flagged, for editors only.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_bad_input, first_error, token};
use crate::on_both;

on_both!(spawn_with_jwt =>
    reviews_are_recorded_and_the_queue_lists_what_is_due,
    old_sources_are_flagged_for_editors_only,
);

const REVIEW: &str = "query($slug: String!) { role(slug: $slug, preview: true) { version status reviewedAt reviewedBy reviewIntervalDays reviewDueAt reviewDue } }";

async fn review(app: &TestApp, editor: &str, slug: &str) -> Value {
    let r = app
        .query_as(Some(editor), REVIEW, json!({ "slug": slug }))
        .await;
    assert!(r.get("errors").is_none(), "{r:#}");
    r["data"]["role"].clone()
}

async fn queue(app: &TestApp, editor: &str, due: bool) -> Vec<String> {
    let r = app
        .query_as(
            Some(editor),
            "query($due: Boolean!) { roles(first: 100, filter: { reviewDue: $due }) { nodes { slug } } }",
            json!({ "due": due }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r:#}");
    r["data"]["roles"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["slug"].as_str().expect("slug").to_owned())
        .collect()
}

fn days_between(a: &Value, b: &Value) -> i64 {
    let parse = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a date")).expect("RFC 3339")
    };
    (parse(b) - parse(a)).num_days()
}

async fn reviews_are_recorded_and_the_queue_lists_what_is_due(app: TestApp) {
    let editor = token("editor", Some("content:read content:write content:publish"));
    // A role never reviewed is due 180 days after it was made.
    let before = review(&app, &editor, "accountant").await;
    assert_eq!(before["reviewIntervalDays"], 180, "{before}");
    assert_eq!(before["reviewDue"], false);
    assert!(before["reviewedAt"].is_null());
    assert!(queue(&app, &editor, true).await.is_empty());

    // The public never sees review dates, and cannot ask for the queue.
    let public = app
        .query(
            "{ role(slug: \"accountant\") { slug reviewedAt reviewDue reviewIntervalDays staleSources { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(public["data"]["role"]["slug"], "accountant", "{public:#}");
    for field in [
        "reviewedAt",
        "reviewDue",
        "reviewIntervalDays",
        "staleSources",
    ] {
        assert!(
            public["data"]["role"][field].is_null(),
            "{field}: {public:#}"
        );
    }
    let refused = app
        .query(
            "{ roles(filter: { reviewDue: true }) { nodes { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(first_error(&refused).0, "UNAUTHENTICATED", "{refused:#}");

    // A review of an older version is a conflict; of the current one, it is recorded.
    let version = before["version"].as_i64().expect("version");
    let mark = "mutation($v: Int!) { markRoleReviewed(slug: \"accountant\", expectedVersion: $v) { version } }";
    let stale = app
        .query_as(Some(&editor), mark, json!({ "v": version - 1 }))
        .await;
    assert_eq!(first_error(&stale).0, "CONFLICT", "{stale:#}");
    let marked = app
        .query_as(Some(&editor), mark, json!({ "v": version }))
        .await;
    assert_eq!(
        marked["data"]["markRoleReviewed"]["version"], version,
        "a review makes no version: {marked:#}"
    );
    let after = review(&app, &editor, "accountant").await;
    assert_eq!(after["reviewedBy"], "editor");
    assert_eq!(
        days_between(&after["reviewedAt"], &after["reviewDueAt"]),
        180
    );
    let reader = token("reader", Some("content:read"));
    let forbidden = app
        .query_as(Some(&reader), mark, json!({ "v": version }))
        .await;
    assert_eq!(first_error(&forbidden).0, "FORBIDDEN", "{forbidden:#}");

    // The interval is the editor's, within bounds.
    let interval = "mutation($v: Int!, $d: Int!) { setRoleReviewInterval(slug: \"accountant\", expectedVersion: $v, days: $d) { slug } }";
    for days in [0, -5, 3651] {
        let r = app
            .query_as(Some(&editor), interval, json!({ "v": version, "d": days }))
            .await;
        assert_bad_input(&r, Some("days"));
    }
    let set = app
        .query_as(Some(&editor), interval, json!({ "v": version, "d": 30 }))
        .await;
    assert!(set.get("errors").is_none(), "{set:#}");
    let after = review(&app, &editor, "accountant").await;
    assert_eq!(after["reviewIntervalDays"], 30);
    assert_eq!(
        days_between(&after["reviewedAt"], &after["reviewDueAt"]),
        30
    );

    // A review date in the past puts the role in the queue, and only that role.
    app.sql(
        "UPDATE role_reviews SET due_at = '2000-01-01 00:00:00+00:00' WHERE role_id = (SELECT id FROM roles WHERE slug = 'bookkeeper')",
    )
    .await;
    assert_eq!(queue(&app, &editor, true).await, ["bookkeeper"]);
    let not_due = queue(&app, &editor, false).await;
    assert!(
        !not_due.contains(&"bookkeeper".to_owned()) && not_due.contains(&"accountant".to_owned())
    );
    let due = review(&app, &editor, "bookkeeper").await;
    assert_eq!(due["reviewDue"], true, "{due}");

    // Publishing counts as a review.
    let version = due["version"].as_i64().expect("version");
    let saved = app
        .query_as(
            Some(&editor),
            "mutation($v: Int!) { updateRole(slug: \"bookkeeper\", expectedVersion: $v, input: { summary: \"Checked against this year's evidence.\" }) { version } }",
            json!({ "v": version }),
        )
        .await;
    let version = saved["data"]["updateRole"]["version"]
        .as_i64()
        .expect("version");
    let published = app
        .query_as(
            Some(&editor),
            "mutation($v: Int!) { publishRole(slug: \"bookkeeper\", expectedVersion: $v) { status } }",
            json!({ "v": version }),
        )
        .await;
    assert_eq!(
        published["data"]["publishRole"]["status"], "PUBLISHED",
        "{published:#}"
    );
    let after = review(&app, &editor, "bookkeeper").await;
    assert_eq!(after["reviewDue"], false, "{after}");
    assert_eq!(after["reviewedBy"], "editor");
    assert!(queue(&app, &editor, true).await.is_empty());
}

async fn old_sources_are_flagged_for_editors_only(app: TestApp) {
    let editor = token("editor", Some("content:read"));
    let r = app
        .query_as(
            Some(&editor),
            "{ roles(first: 100) { nodes { slug sources { title publishedOn } staleSources { title publishedOn } } } }",
            json!({}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r:#}");
    let today = chrono::Utc::now().date_naive();
    let mut flagged = 0;
    for role in r["data"]["roles"]["nodes"].as_array().expect("nodes") {
        let old = |s: &Value| {
            s["publishedOn"]
                .as_str()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| (today - d).num_days() > 730)
        };
        let want: Vec<&Value> = role["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .filter(|s| old(s))
            .collect();
        let got: Vec<&Value> = role["staleSources"]
            .as_array()
            .expect("stale")
            .iter()
            .collect();
        assert_eq!(got, want, "{}", role["slug"]);
        flagged += got.len();
    }
    assert!(
        flagged > 0,
        "the demo content cites sources older than two years"
    );
}
