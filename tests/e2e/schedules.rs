//! Scheduled publishing: on time, once (also with two servers on one database), as the
//! scheduling editor, the working copy as it stands then, and after a restart when it came due
//! while no server ran.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::helpers::{Backend, JWT_SECRET, TestApp, token};
use crate::on_both;
use crate::process::{Server, seeded};

fn scheduler_token() -> String {
    token(
        "scheduler@example.com",
        Some("content:read content:write content:publish"),
    )
}

const STATE: &str = r#"query($slug: String!) {
  role(slug: $slug, preview: true) {
    version status summary hasUnpublishedChanges publishedVersion
    scheduled { action at by }
    revisions(first: 5) { version editor summary published }
  }
}"#;

const PUBLIC: &str = r#"query($slug: String!) { role(slug: $slug) { summary } }"#;

const SCHEDULE: &str = r#"mutation($slug: String!, $v: Int!, $at: DateTime!) {
  schedulePublish(slug: $slug, expectedVersion: $v, at: $at) { slug scheduled { action at by } }
}"#;

const UPDATE: &str = r#"mutation($slug: String!, $v: Int!, $summary: String!) {
  updateRole(slug: $slug, expectedVersion: $v, input: { summary: $summary }) { version }
}"#;

async fn state(app: &TestApp, slug: &str) -> Value {
    let read = app
        .query_as(Some(&scheduler_token()), STATE, json!({ "slug": slug }))
        .await;
    read["data"]["role"].clone()
}

async fn edit(app: &TestApp, slug: &str, summary: &str) -> i64 {
    let v = state(app, slug).await["version"].as_i64().expect("version");
    let edited = app
        .query_as(
            Some(&scheduler_token()),
            UPDATE,
            json!({ "slug": slug, "v": v, "summary": summary }),
        )
        .await;
    edited["data"]["updateRole"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{edited:#}"))
}

/// Schedules a publish of `slug` 3 s ahead, edits the working copy once more before that, and
/// checks the page goes live with the later edit within 2 s of the time, once, as the
/// scheduling editor.
async fn publish_on_time_once(app: &TestApp, watchers: &[&TestApp]) {
    let slug = "backend-developer";
    let v = edit(app, slug, "Planned text, first draft.").await;
    let at = Utc::now() + chrono::Duration::seconds(3);
    let scheduled = app
        .query_as(
            Some(&scheduler_token()),
            SCHEDULE,
            json!({ "slug": slug, "v": v, "at": at.to_rfc3339() }),
        )
        .await;
    let plan = &scheduled["data"]["schedulePublish"]["scheduled"];
    assert_eq!(plan["action"], "PUBLISH", "{scheduled:#}");
    assert_eq!(plan["by"], "scheduler@example.com");
    let planned: DateTime<Utc> = plan["at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("at");
    assert!((planned - at).num_milliseconds().abs() < 1000);
    // Readers see nothing of the plan.
    let public = app
        .query(
            "query($slug: String!) { role(slug: $slug) { scheduled { at } } }",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(
        public["data"]["role"]["scheduled"],
        Value::Null,
        "{public:#}"
    );
    // The working copy changes again before the time: that text is what goes live.
    edit(app, slug, "Planned text, as it stands at the time.").await;

    let deadline = at + chrono::Duration::seconds(2);
    loop {
        let page = app.query(PUBLIC, json!({ "slug": slug })).await;
        if page["data"]["role"]["summary"] == "Planned text, as it stands at the time." {
            let now = Utc::now();
            assert!(now >= at, "not before its time");
            break;
        }
        assert!(Utc::now() < deadline, "published within 2 s of its time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give every server time to (not) run it again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for watcher in watchers {
        let after = state(watcher, slug).await;
        assert_eq!(after["status"], "PUBLISHED");
        assert_eq!(after["scheduled"], Value::Null, "the plan is done");
        let revisions = after["revisions"].as_array().expect("revisions");
        let scheduled_publishes: Vec<&Value> = revisions
            .iter()
            .filter(|r| r["summary"] == "published as scheduled")
            .collect();
        assert_eq!(scheduled_publishes.len(), 1, "once: {revisions:#?}");
        assert_eq!(scheduled_publishes[0]["editor"], "scheduler@example.com");
        assert_eq!(scheduled_publishes[0]["published"], true);
    }
}

on_both!(
    spawn_with_jwt => a_scheduled_publish_happens_on_time_once,
    schedules_are_checked_and_can_be_cancelled
);

async fn a_scheduled_publish_happens_on_time_once(app: TestApp) {
    publish_on_time_once(&app, &[&app]).await;
}

/// Two servers run schedulers on one database: the publish happens once.
#[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_publish_happens_once_with_two_servers() {
    let app = TestApp::spawn_with_jwt(Backend::Postgres).await;
    let _other = app.sibling().await;
    publish_on_time_once(&app, &[&app]).await;
}

async fn schedules_are_checked_and_can_be_cancelled(app: TestApp) {
    let slug = "backend-developer";
    let v = state(&app, slug).await["version"]
        .as_i64()
        .expect("version");
    let past = app
        .query_as(
            Some(&scheduler_token()),
            SCHEDULE,
            json!({ "slug": slug, "v": v, "at": (Utc::now() - chrono::Duration::seconds(5)).to_rfc3339() }),
        )
        .await;
    assert_eq!(past["errors"][0]["extensions"]["field"], "at", "{past:#}");
    let soon = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let stale = app
        .query_as(
            Some(&scheduler_token()),
            SCHEDULE,
            json!({ "slug": slug, "v": v - 1, "at": soon }),
        )
        .await;
    assert_eq!(
        stale["errors"][0]["extensions"]["code"], "CONFLICT",
        "{stale:#}"
    );
    let writer_only = token("writer@example.com", Some("content:read content:write"));
    let forbidden = app
        .query_as(
            Some(&writer_only),
            SCHEDULE,
            json!({ "slug": slug, "v": v, "at": soon }),
        )
        .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden:#}"
    );

    let v = edit(&app, slug, "Never goes live.").await;
    let planned = app
        .query_as(
            Some(&scheduler_token()),
            SCHEDULE,
            json!({ "slug": slug, "v": v, "at": soon }),
        )
        .await;
    assert!(
        planned["data"]["schedulePublish"]["scheduled"].is_object(),
        "{planned:#}"
    );
    let cancelled = app
        .query_as(
            Some(&scheduler_token()),
            "mutation($slug: String!) { cancelSchedule(slug: $slug) { scheduled { at } } }",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(
        cancelled["data"]["cancelSchedule"]["scheduled"],
        Value::Null,
        "{cancelled:#}"
    );
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let page = app.query(PUBLIC, json!({ "slug": slug })).await;
    assert_ne!(page["data"]["role"]["summary"], "Never goes live.");
    let again = app
        .query_as(
            Some(&scheduler_token()),
            "mutation($slug: String!) { cancelSchedule(slug: $slug) { slug } }",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{again:#}"
    );
}

on_both!(backend => a_publish_due_while_no_server_ran_happens_after_restart);

async fn a_publish_due_while_no_server_ran_happens_after_restart(backend: Backend) {
    let fresh = seeded(backend).await;
    let env = [("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned())];
    let client = reqwest::Client::new();
    let ask = |server: &Server, query: &'static str, variables: Value| {
        let request = client
            .post(server.graphql_url())
            .bearer_auth(scheduler_token())
            .json(&json!({ "query": query, "variables": variables }));
        async move {
            request
                .send()
                .await
                .expect("sent")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let slug = "backend-developer";
    let mut first = Server::start(&fresh.url, &env);
    let read = ask(&first, STATE, json!({ "slug": slug })).await;
    let v = read["data"]["role"]["version"].as_i64().expect("version");
    let edited = ask(
        &first,
        UPDATE,
        json!({ "slug": slug, "v": v, "summary": "Goes live after the restart." }),
    )
    .await;
    let v = edited["data"]["updateRole"]["version"]
        .as_i64()
        .expect("version");
    let at = Utc::now() + chrono::Duration::seconds(2);
    let planned = ask(
        &first,
        SCHEDULE,
        json!({ "slug": slug, "v": v, "at": at.to_rfc3339() }),
    )
    .await;
    assert!(
        planned["data"]["schedulePublish"]["scheduled"].is_object(),
        "{planned:#}"
    );
    first.signal("TERM");
    assert!(
        first.wait_exit(Duration::from_secs(10)).is_some(),
        "stopped"
    );
    // The time passes while no server runs.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let second = Server::start(&fresh.url, &env);
    let started = Instant::now();
    loop {
        let page = ask(&second, PUBLIC, json!({ "slug": slug })).await;
        if page["data"]["role"]["summary"] == "Goes live after the restart." {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "published soon after the restart: {page:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = ask(&second, STATE, json!({ "slug": slug })).await;
    let revisions = after["data"]["role"]["revisions"]
        .as_array()
        .expect("revisions");
    assert_eq!(
        revisions
            .iter()
            .filter(|r| r["summary"] == "published as scheduled")
            .count(),
        1
    );
}
