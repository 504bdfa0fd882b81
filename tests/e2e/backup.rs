//! Backup and restore (`jobrisk export`, `jobrisk import`), through the real binary: files
//! that round-trip byte for byte across SQLite and PostgreSQL, and bad files that change nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::helpers::{Backend, FreshDatabase, TestApp, token};
use crate::on_both;

/// Runs `jobrisk ARGS` against the database at `url`.
async fn jobrisk(url: &str, args: Vec<String>) -> Output {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jobrisk"))
            .args(args)
            .env("DATABASE_URL", url)
            .env("JOBRISK_LOG", "warn")
            .output()
            .expect("run jobrisk")
    })
    .await
    .expect("jobrisk ran")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `jobrisk export` of the database at `url`: the file's bytes.
async fn export(url: &str) -> Vec<u8> {
    let out = jobrisk(url, vec!["export".into()]).await;
    assert!(out.status.success(), "export failed: {}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
    out.stdout
}

/// `jobrisk import FILE` into the database at `url`: (succeeded, stdout, stderr).
async fn import(url: &str, file: &Path) -> (bool, String, String) {
    let out = jobrisk(url, vec!["import".into(), file.display().to_string()]).await;
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// A file of its own in the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(name: &str, bytes: &[u8]) -> Self {
        let dir = std::env::temp_dir().join("jobrisk-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!(
            "{}-{}-{name}.json",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::write(&path, bytes).expect("write temp file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Content in every state: the demo set, drafts from occupations, an unpublished change on a
/// published page, an archived role, a review and a changed review interval.
async fn varied_content(app: &TestApp) {
    let admin = token(
        "editor@example.com",
        Some("content:write content:publish content:delete"),
    );
    let out = jobrisk(
        app.database_url(),
        ["import-occupation", "--all", "--category", "technology"]
            .map(String::from)
            .to_vec(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let edit = app
        .query_as(
            Some(&admin),
            "mutation { updateRole(slug: \"backend-developer\", expectedVersion: 1, input: { summary: \"Changed after publishing, not yet live.\" }) { version hasUnpublishedChanges } }",
            json!({}),
        )
        .await;
    assert_eq!(
        edit["data"]["updateRole"]["hasUnpublishedChanges"], true,
        "{edit:#}"
    );
    let reviewed = app
        .query_as(
            Some(&admin),
            "mutation { markRoleReviewed(slug: \"backend-developer\", expectedVersion: 2) { reviewedAt } }",
            json!({}),
        )
        .await;
    assert!(
        reviewed["data"]["markRoleReviewed"]["reviewedAt"].is_string(),
        "{reviewed:#}"
    );
    let interval = app
        .query_as(
            Some(&admin),
            "mutation { setRoleReviewInterval(slug: \"backend-developer\", expectedVersion: 2, days: 30) { reviewIntervalDays } }",
            json!({}),
        )
        .await;
    assert_eq!(
        interval["data"]["setRoleReviewInterval"]["reviewIntervalDays"], 30,
        "{interval:#}"
    );
    let roles = app
        .query_as(
            Some(&admin),
            "{ roles(first: 3, filter: { status: PUBLISHED }) { nodes { slug version } } }",
            json!({}),
        )
        .await;
    let victim = roles["data"]["roles"]["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["slug"] != "backend-developer"))
        .cloned()
        .expect("another published role");
    let archived = app
        .query_as(
            Some(&admin),
            "mutation($slug: String!, $v: Int!) { archiveRole(slug: $slug, expectedVersion: $v) { status } }",
            json!({ "slug": victim["slug"], "v": victim["version"] }),
        )
        .await;
    assert_eq!(
        archived["data"]["archiveRole"]["status"], "ARCHIVED",
        "{archived:#}"
    );
}

const PAGE: &str = "query($slug: String!) { role(slug: $slug) { title summary risk { score level taskExposure { alpha beta gamma } } tasksAtRisk { text exposure } toolsAffecting { tool { slug } impact } migrationPaths { target { slug } rationale } sources { title } } }";

/// Export from SQLite, import into a fresh PostgreSQL database, export, import into a fresh
/// SQLite database, export: the same bytes each time. Then the file goes back into the
/// database it came from: every item updated, nothing changed, the live page the same.
#[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_round_trips_sqlite_postgres_sqlite_byte_for_byte() {
    let app = TestApp::spawn_with_jwt(Backend::Sqlite).await;
    varied_content(&app).await;
    let page_before = app.data(PAGE, json!({ "slug": "backend-developer" })).await;

    let first = export(app.database_url()).await;
    let document: Value = serde_json::from_slice(&first).expect("the export is JSON");
    assert_eq!(document["format"], "jobrisk-content");
    assert_eq!(document["version"], 1);
    let roles = document["roles"].as_array().expect("roles");
    assert!(
        roles.len() > 923,
        "demo roles and 923 occupations: {}",
        roles.len()
    );
    let statuses: std::collections::BTreeSet<&str> = roles
        .iter()
        .filter_map(|r| r["workingCopy"]["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["ARCHIVED", "DRAFT", "PUBLISHED"].into_iter().collect(),
        "every status is in the file"
    );
    let backend = roles
        .iter()
        .find(|r| r["workingCopy"]["slug"] == "backend-developer")
        .expect("backend-developer");
    assert_eq!(backend["hasUnpublishedChanges"], true);
    assert_ne!(
        backend["workingCopy"]["summary"], backend["published"]["content"]["summary"],
        "the working copy and the live page are both kept"
    );
    assert_eq!(backend["review"]["intervalDays"], 30);
    assert!(backend["revisions"].as_array().map_or(0, Vec::len) >= 2);
    let file = TempFile::with("sqlite", &first);

    let postgres = FreshDatabase::create(Backend::Postgres).await;
    let (ok, stdout, stderr) = import(&postgres.url, &file.0).await;
    assert!(ok, "import into PostgreSQL: {stderr}");
    assert!(
        stdout.contains(&format!("roles: {} created, 0 updated", roles.len())),
        "{stdout}"
    );
    let second = export(&postgres.url).await;
    assert!(
        first == second,
        "SQLite -> PostgreSQL changed the export:\n{}",
        first_difference(&first, &second)
    );

    let file = TempFile::with("postgres", &second);
    let sqlite = FreshDatabase::create(Backend::Sqlite).await;
    let (ok, _, stderr) = import(&sqlite.url, &file.0).await;
    assert!(ok, "import into SQLite: {stderr}");
    let third = export(&sqlite.url).await;
    assert!(
        first == third,
        "PostgreSQL -> SQLite changed the export:\n{}",
        first_difference(&first, &third)
    );

    // Into the database it came from: an upsert of everything, which changes nothing.
    let (ok, stdout, stderr) = import(app.database_url(), &file.0).await;
    assert!(ok, "import into its own database: {stderr}");
    assert!(
        stdout.contains(&format!("roles: 0 created, {} updated", roles.len())),
        "{stdout}"
    );
    assert!(first == export(app.database_url()).await);
    let page_after = app.data(PAGE, json!({ "slug": "backend-developer" })).await;
    assert_eq!(page_before, page_after);
}

/// The line where two exports first differ, for a readable failure.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (text(a), text(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} and {} bytes)",
        a.len(),
        b.len()
    )
}

on_both!(
    spawn_with_jwt => bad_files_are_refused_with_their_json_path_and_change_nothing,
    an_import_creates_what_is_missing_and_updates_what_exists,
    the_export_follows_the_committed_json_schema
);

async fn bad_files_are_refused_with_their_json_path_and_change_nothing(app: TestApp) {
    let url = app.database_url().to_owned();
    let before = export(&url).await;
    let mut document: Value = serde_json::from_slice(&before).expect("JSON");
    let last = document["roles"].as_array().map_or(0, Vec::len) - 1;
    // Every role's slug changed, so an import that went through would show in the export.
    for role in document["roles"].as_array_mut().expect("roles") {
        role["workingCopy"]["title"] = json!("Overwritten by a bad import");
    }

    let truncated = TempFile::with("truncated", &before[..before.len() * 3 / 4]);
    let (ok, _, stderr) = import(&url, &truncated.0).await;
    assert!(!ok, "a truncated file is refused");
    assert!(
        stderr.contains("$.roles["),
        "names where the file ends: {stderr}"
    );
    assert!(stderr.contains("EOF"), "{stderr}");

    // The last role is read after every other one was written: all of it is rolled back.
    let mut wrong_type = document.clone();
    wrong_type["roles"][last]["workingCopy"]["factors"]["repetitiveness"]["score"] = json!("high");
    let file = TempFile::with(
        "wrong-type",
        &serde_json::to_vec(&wrong_type).expect("json"),
    );
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "$.roles[{last}].workingCopy.factors.repetitiveness.score"
        )),
        "{stderr}"
    );

    let mut out_of_range = document.clone();
    out_of_range["roles"][last]["workingCopy"]["factors"]["humanJudgment"]["score"] = json!(11);
    let file = TempFile::with("range", &serde_json::to_vec(&out_of_range).expect("json"));
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!("$.roles[{last}].workingCopy.factors")),
        "{stderr}"
    );

    let mut unknown_tool = document.clone();
    unknown_tool["roles"][last]["workingCopy"]["toolsAffecting"] =
        json!([{ "tool": "no-such-tool", "note": "x" }]);
    let file = TempFile::with("tool", &serde_json::to_vec(&unknown_tool).expect("json"));
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "$.roles[{last}].workingCopy.toolsAffecting[0].tool"
        )),
        "{stderr}"
    );

    let mut extra = document.clone();
    extra["roles"][0]["surprise"] = json!(true);
    let file = TempFile::with("extra", &serde_json::to_vec(&extra).expect("json"));
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(
        stderr.contains("$.roles[0]") && stderr.contains("surprise"),
        "{stderr}"
    );

    let mut newer = document.clone();
    newer["version"] = json!(2);
    let file = TempFile::with("version", &serde_json::to_vec(&newer).expect("json"));
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(
        stderr.contains("$.version") && stderr.contains("version 2"),
        "{stderr}"
    );

    let mut twice = document.clone();
    let copy = twice["roles"][0].clone();
    twice["roles"]
        .as_array_mut()
        .expect("roles")
        .insert(1, copy);
    let file = TempFile::with("twice", &serde_json::to_vec(&twice).expect("json"));
    let (ok, _, stderr) = import(&url, &file.0).await;
    assert!(!ok);
    assert!(stderr.contains("$.roles[1].workingCopy.slug"), "{stderr}");

    let (ok, _, stderr) = import(&url, Path::new("/nonexistent/content.json")).await;
    assert!(!ok);
    assert!(stderr.contains("cannot open"), "{stderr}");

    assert!(
        before == export(&url).await,
        "a refused import changed nothing"
    );
}

async fn an_import_creates_what_is_missing_and_updates_what_exists(app: TestApp) {
    let url = app.database_url().to_owned();
    let full: Value = serde_json::from_slice(&export(&url).await).expect("JSON");
    let admin = token(
        "editor@example.com",
        Some("content:write content:publish content:delete"),
    );
    let slug = full["roles"][0]["workingCopy"]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let version = full["roles"][0]["version"].as_i64().expect("version");
    // A change after the export is undone by importing the export.
    let edit = app
        .query_as(
            Some(&admin),
            "mutation($slug: String!, $v: Int!) { updateRole(slug: $slug, expectedVersion: $v, input: { title: \"Edited after the backup\" }) { version } }",
            json!({ "slug": slug, "v": version }),
        )
        .await;
    assert_eq!(
        edit["data"]["updateRole"]["version"],
        version + 1,
        "{edit:#}"
    );

    let empty = FreshDatabase::create(app.backend).await;
    let file = TempFile::with("full", &serde_json::to_vec(&full).expect("json"));
    let (ok, stdout, stderr) = import(&empty.url, &file.0).await;
    assert!(ok, "{stderr}");
    let roles = full["roles"].as_array().map_or(0, Vec::len);
    assert!(
        stdout.contains(&format!("roles: {roles} created, 0 updated")),
        "{stdout}"
    );

    let (ok, stdout, stderr) = import(&url, &file.0).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("roles: 0 created, {roles} updated")),
        "{stdout}"
    );
    let back: Value = serde_json::from_slice(&export(&url).await).expect("JSON");
    assert_eq!(back, full, "the import restored the role as backed up");
}

async fn the_export_follows_the_committed_json_schema(app: TestApp) {
    let schema: Value = serde_json::from_str(include_str!("../../docs/content.schema.json"))
        .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let document: Value = serde_json::from_slice(&export(app.database_url()).await).expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .take(5)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut wrong = document.clone();
    wrong["roles"][0]["workingCopy"]["factors"]["repetitiveness"]["score"] = json!("high");
    assert!(
        !validator.is_valid(&wrong),
        "the schema catches a wrong type"
    );
}
