//! Drafts of published pages: editing a live page changes only the working copy until
//! `publishRole` renders it; anonymous readers never see a draft, anywhere.

use serde_json::{Value, json};

use crate::editing::admin;
use crate::helpers::{Backend, TestApp, first_error, strings_under};
use crate::on_both;

const SLUG: &str = "backend-developer";

/// Everything public about a page, read anonymously.
const PUBLIC_PAGE: &str = r#"
query Page($slug: String!) {
  role(slug: $slug) {
    slug title summary status version publishedVersion publishedAt updatedAt
    category { slug name }
    risk { score level }
    tasks { text exposure }
    toolsAffecting { tool { slug name } impact }
    protectiveSkills
    sources { slug title }
    migrationPaths { target { slug title } }
    relatedRoles(first: 50) { slug title }
  }
}"#;

/// The working copy, read by an editor.
const PREVIEW: &str = r#"
query Preview($slug: String!) {
  role(slug: $slug, preview: true) {
    slug title status version publishedVersion publishedAt hasUnpublishedChanges
    risk { score }
    tasks { text }
    revisions(first: 100) { version summary content }
  }
}"#;

/// What anonymous lists, searches and catalog pages show.
const PUBLIC_LISTS: &str = r#"
query Lists($search: String) {
  roles(first: 100) { totalCount nodes { slug title risk { score } tasks { text } } }
  found: roles(first: 100, filter: { search: $search }) { totalCount nodes { slug title } }
  category(slug: "technology") { roles(first: 100) { totalCount nodes { slug title risk { score } } } }
  tool(slug: "github-copilot") { roles(first: 100) { totalCount nodes { slug title } } }
}"#;

const UPDATE: &str = r#"
mutation($slug: String!, $v: Int!, $input: RolePatchInput!) {
  updateRole(slug: $slug, expectedVersion: $v, input: $input) {
    slug title status version publishedVersion hasUnpublishedChanges
  }
}"#;

const PUBLISH: &str = r#"
mutation($slug: String!, $v: Int!) {
  publishRole(slug: $slug, expectedVersion: $v) { slug status version publishedVersion publishedAt hasUnpublishedChanges }
}"#;

const UNPUBLISH: &str = r#"
mutation($slug: String!, $v: Int!) {
  unpublishRole(slug: $slug, expectedVersion: $v) { status version publishedVersion }
}"#;

const DISCARD: &str = r#"
mutation($slug: String!, $v: Int!) {
  discardRoleChanges(slug: $slug, expectedVersion: $v) {
    slug title status version publishedVersion hasUnpublishedChanges
  }
}"#;

/// An editor's request that must succeed; returns `data`.
async fn edit(app: &TestApp, query: &str, variables: Value) -> Value {
    let r = app.query_as(Some(&admin()), query, variables).await;
    assert!(r.get("errors").is_none(), "{query}: {r:#}");
    r["data"].clone()
}

async fn public_page(app: &TestApp, slug: &str) -> Value {
    app.data(PUBLIC_PAGE, json!({ "slug": slug })).await["role"].clone()
}

async fn preview(app: &TestApp, slug: &str) -> Value {
    edit(app, PREVIEW, json!({ "slug": slug })).await["role"].clone()
}

async fn public_lists(app: &TestApp, search: &str) -> Value {
    app.data(PUBLIC_LISTS, json!({ "search": search })).await
}

/// Asserts no anonymous read finds `word` (a word only a draft has), by search or in any text.
async fn assert_no_public_trace(app: &TestApp, word: &str) {
    let lists = public_lists(app, word).await;
    assert_eq!(
        lists["found"]["totalCount"], 0,
        "search {word:?}: {lists:#}"
    );
    let text = lists.to_string().to_lowercase();
    assert!(
        !text.contains(&word.to_lowercase()),
        "{word:?} in {lists:#}"
    );
    for query in [
        "{ roles(first: 100) { nodes { title summary tasks { text } protectiveSkills \
           faqs { question answer } migrationPaths { target { title } } } } }",
        "{ roles(first: 100) { nodes { relatedRoles(first: 50) { title } } } }",
    ] {
        let page = app.data(query, json!({})).await;
        assert!(
            !page
                .to_string()
                .to_lowercase()
                .contains(&word.to_lowercase()),
            "{word:?} shown publicly"
        );
    }
}

fn version(role: &Value) -> i64 {
    role["version"].as_i64().expect("version")
}

on_both!(spawn_with_jwt =>
    editing_a_published_page_changes_only_the_preview_until_published,
    discarding_changes_goes_back_to_the_published_version_as_a_new_revision,
    editing_back_to_the_published_content_leaves_no_unpublished_changes,
    unpublishing_removes_the_page_from_every_public_read,
    a_renamed_slug_stays_private_until_published,
    catalog_changes_reach_published_pages_at_once,
    a_tool_only_a_published_page_still_shows_cannot_be_deleted,
    backfill_renders_missing_snapshots_of_published_roles,
    backfill_never_publishes_unpublished_changes,
);

async fn editing_a_published_page_changes_only_the_preview_until_published(app: TestApp) {
    let before = public_page(&app, SLUG).await;
    let lists_before = public_lists(&app, "backend").await;
    let draft = preview(&app, SLUG).await;
    let v = version(&draft);
    assert_eq!(before["publishedVersion"], v, "{before:#}");
    assert_eq!(draft["hasUnpublishedChanges"], false);
    assert_eq!(draft["publishedVersion"], v);

    let input = json!({
        "title": "Backend Quillwright",
        "tasks": [
            { "text": "Quillwright the payment services", "exposure": "E1", "taskType": "CORE" },
            { "text": "Review generated quillwork", "exposure": "E2", "taskType": "CORE" }
        ],
        "repetitiveness": { "score": 10, "explanation": "Everything is a template now." },
        "aiAdoption": { "score": 10, "explanation": "Every team uses assistants." },
    });
    let updated = edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": input }),
    )
    .await;
    let updated = &updated["updateRole"];
    assert_eq!(updated["status"], "PUBLISHED", "{updated:#}");
    assert_eq!(updated["version"], v + 1);
    assert_eq!(updated["publishedVersion"], v);
    assert_eq!(updated["hasUnpublishedChanges"], true);

    // The public sees exactly what it saw: page, lists, search, category and tool lists.
    assert_eq!(public_page(&app, SLUG).await, before);
    assert_eq!(public_lists(&app, "backend").await, lists_before);
    assert_no_public_trace(&app, "quillwright").await;
    assert_no_public_trace(&app, "quillwork").await;
    // An editor reading without preview gets the published page too, and is told it has
    // unpublished changes; the public may not ask.
    let seen = edit(
        &app,
        r#"{ role(slug: "backend-developer") { title version hasUnpublishedChanges publishedVersion } }"#,
        json!({}),
    )
    .await;
    assert_eq!(seen["role"]["title"], before["title"], "{seen:#}");
    assert_eq!(seen["role"]["hasUnpublishedChanges"], true, "{seen:#}");
    assert_eq!(seen["role"]["publishedVersion"], v);
    let anonymous = app
        .query(
            r#"{ role(slug: "backend-developer") { hasUnpublishedChanges } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        first_error(&anonymous).0,
        "UNAUTHENTICATED",
        "{anonymous:#}"
    );

    // The preview shows the draft.
    let draft = preview(&app, SLUG).await;
    assert_eq!(draft["title"], "Backend Quillwright");
    assert_eq!(draft["version"], v + 1);
    assert_eq!(draft["publishedVersion"], v);
    assert_eq!(draft["hasUnpublishedChanges"], true);
    assert_eq!(
        draft["tasks"][0]["text"],
        "Quillwright the payment services"
    );
    let draft_score = draft["risk"]["score"].as_i64().expect("score");
    assert_ne!(
        json!(draft_score),
        before["risk"]["score"],
        "the draft's evidence changes the score"
    );

    // Publishing makes it public at once, everywhere.
    let published = edit(&app, PUBLISH, json!({ "slug": SLUG, "v": v + 1 })).await;
    let published = &published["publishRole"];
    assert_eq!(published["version"], v + 2, "{published:#}");
    assert_eq!(published["publishedVersion"], v + 2);
    assert_eq!(published["hasUnpublishedChanges"], false);
    let after = public_page(&app, SLUG).await;
    assert_eq!(after["title"], "Backend Quillwright");
    assert_eq!(after["risk"]["score"], draft_score);
    assert_eq!(after["tasks"][1]["text"], "Review generated quillwork");
    assert_eq!(after["publishedVersion"], v + 2);
    assert_eq!(after["version"], v + 2);
    assert_ne!(after["publishedAt"], before["publishedAt"]);
    let lists = public_lists(&app, "quillwright").await;
    assert_eq!(strings_under(&lists["found"], "slug"), [SLUG], "{lists:#}");
    let in_category: Vec<String> = strings_under(&lists["category"], "title");
    assert!(in_category.contains(&"Backend Quillwright".to_owned()));
    assert!(
        strings_under(&lists["tool"], "title").contains(&"Backend Quillwright".to_owned()),
        "{lists:#}"
    );
    let draft = preview(&app, SLUG).await;
    assert_eq!(draft["hasUnpublishedChanges"], false);
    assert_eq!(draft["publishedVersion"], v + 2);

    // Revisions record which versions were published: the seeded one and this one.
    let published_versions = app
        .sql_strings(
            "SELECT CAST(r.version AS TEXT) FROM role_revisions r JOIN roles o ON o.id = r.role_id \
             WHERE o.slug = 'backend-developer' AND r.published ORDER BY r.version",
        )
        .await;
    assert_eq!(
        published_versions,
        [v.to_string(), (v + 2).to_string()],
        "published revisions"
    );
}

async fn discarding_changes_goes_back_to_the_published_version_as_a_new_revision(app: TestApp) {
    let before = public_page(&app, SLUG).await;
    let start = preview(&app, SLUG).await;
    let v = version(&start);
    edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": { "title": "Backend Scrivener", "summary": "Scrivens." } }),
    )
    .await;
    // A restore is an edit too: still only the working copy.
    let restore = r#"mutation($v: Int!, $rev: Int!) {
        restoreRoleRevision(slug: "backend-developer", revision: $rev, expectedVersion: $v) { version status }
    }"#;
    let r = edit(&app, restore, json!({ "v": v + 1, "rev": v + 1 })).await;
    assert_eq!(r["restoreRoleRevision"]["status"], "PUBLISHED");
    assert_eq!(public_page(&app, SLUG).await, before);
    assert_no_public_trace(&app, "scrivener").await;

    let discarded = edit(&app, DISCARD, json!({ "slug": SLUG, "v": v + 2 })).await;
    let discarded = &discarded["discardRoleChanges"];
    assert_eq!(discarded["title"], before["title"], "{discarded:#}");
    assert_eq!(discarded["status"], "PUBLISHED");
    assert_eq!(discarded["version"], v + 3, "a new version");
    assert_eq!(discarded["publishedVersion"], v);
    assert_eq!(discarded["hasUnpublishedChanges"], false);
    let after = preview(&app, SLUG).await;
    let revisions = after["revisions"].as_array().expect("revisions");
    assert_eq!(revisions[0]["version"], v + 3);
    assert!(
        revisions[0]["summary"]
            .as_str()
            .expect("summary")
            .contains("discard"),
        "{:#}",
        revisions[0]
    );
    let published = revisions
        .iter()
        .find(|r| r["version"] == v)
        .expect("the published revision is listed");
    assert_eq!(
        revisions[0]["content"], published["content"],
        "the working copy equals the published version again"
    );
    assert_eq!(public_page(&app, SLUG).await, before);
    // Stale versions lose, and a role never published has nothing to go back to.
    let stale = app
        .query_as(Some(&admin()), DISCARD, json!({ "slug": SLUG, "v": v }))
        .await;
    assert_eq!(first_error(&stale).0, "CONFLICT", "{stale:#}");
    let create = r#"mutation($input: RoleInput!) { createRole(input: $input) { slug version } }"#;
    let mut input = json!({
        "slug": "quill-role",
        "title": "Quill Role",
        "categorySlug": "technology",
        "summary": "A draft.",
        "industryContext": "None yet.",
        "factors": {
            "repetitiveness": { "score": 5, "explanation": "Some." },
            "aiAdoption": { "score": 5, "explanation": "Some." },
            "humanJudgment": { "score": 5, "explanation": "Some." }
        },
        "tasks": [{ "text": "Write", "exposure": "E1", "taskType": "CORE" }]
    });
    let created = edit(&app, create, json!({ "input": input.take() })).await;
    let never = app
        .query_as(
            Some(&admin()),
            DISCARD,
            json!({ "slug": "quill-role", "v": created["createRole"]["version"] }),
        )
        .await;
    assert_eq!(first_error(&never).0, "BAD_USER_INPUT", "{never:#}");
}

async fn editing_back_to_the_published_content_leaves_no_unpublished_changes(app: TestApp) {
    let start = preview(&app, SLUG).await;
    let v = version(&start);
    let title = start["title"].clone();
    let r = edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": { "title": "Temp" } }),
    )
    .await;
    assert_eq!(r["updateRole"]["hasUnpublishedChanges"], true);
    let r = edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v + 1, "input": { "title": title } }),
    )
    .await;
    assert_eq!(r["updateRole"]["hasUnpublishedChanges"], false, "{r:#}");
    assert_eq!(r["updateRole"]["publishedVersion"], v);
}

async fn unpublishing_removes_the_page_from_every_public_read(app: TestApp) {
    // The role most others move to, so its absence shows in their migration paths.
    let data = app
        .data(
            "{ roles(first: 100) { nodes { slug category { slug } migrationPaths { target { slug } } } } }",
            json!({}),
        )
        .await;
    let nodes = data["roles"]["nodes"].as_array().expect("nodes");
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for n in nodes {
        for t in strings_under(&n["migrationPaths"], "slug") {
            *counts.entry(t).or_default() += 1;
        }
    }
    let (target, linked) = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(s, n)| (s.clone(), *n))
        .expect("some migration path");
    assert!(linked >= 1);
    let title = public_page(&app, &target).await["title"]
        .as_str()
        .expect("title")
        .to_owned();
    let category = nodes
        .iter()
        .find(|n| n["slug"] == target.as_str())
        .map(|n| n["category"]["slug"].as_str().expect("slug").to_owned())
        .expect("target listed");
    let peers_query = r#"query($c: String!) { category(slug: $c) { roles(first: 100) {
        nodes { slug relatedRoles(first: 50) { slug } } } } }"#;
    let peers = app.data(peers_query, json!({ "c": category })).await;
    assert!(
        strings_under(&peers, "slug")
            .iter()
            .filter(|s| **s == target)
            .count()
            > 1,
        "{target} is some peer's related role before: {peers:#}"
    );
    let total = app.data("{ roles { totalCount } }", json!({})).await["roles"]["totalCount"]
        .as_i64()
        .expect("count");

    let v = version(&preview(&app, &target).await);
    let r = edit(&app, UNPUBLISH, json!({ "slug": target, "v": v })).await;
    assert_eq!(r["unpublishRole"]["status"], "DRAFT");
    assert_eq!(r["unpublishRole"]["publishedVersion"], Value::Null);

    assert_eq!(public_page(&app, &target).await, Value::Null);
    let everything = app
        .data(
            r#"query($s: String) { roles(first: 100) { totalCount nodes { slug
                 migrationPaths { target { slug } } relatedRoles(first: 50) { slug } } }
               found: roles(first: 100, filter: { search: $s }) { nodes { slug } } }"#,
            json!({ "s": title }),
        )
        .await;
    assert_eq!(everything["roles"]["totalCount"], total - 1);
    assert!(
        !strings_under(&everything, "slug").contains(&target),
        "{target} still shown: {everything:#}"
    );
    let peers = app.data(peers_query, json!({ "c": category })).await;
    assert!(
        !strings_under(&peers, "slug").contains(&target),
        "{peers:#}"
    );
    let copilot = app
        .data(
            r#"{ tool(slug: "github-copilot") { roles(first: 100) { nodes { slug } } } }"#,
            json!({}),
        )
        .await;
    assert!(!strings_under(&copilot, "slug").contains(&target));
    // The editor still has it, and publishing brings it back.
    let draft = preview(&app, &target).await;
    assert_eq!(draft["status"], "DRAFT");
    edit(&app, PUBLISH, json!({ "slug": target, "v": v + 1 })).await;
    assert_eq!(public_page(&app, &target).await["slug"], target.as_str());
}

async fn a_renamed_slug_stays_private_until_published(app: TestApp) {
    let before = public_page(&app, SLUG).await;
    let v = version(&preview(&app, SLUG).await);
    edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": { "slug": "backend-engineer" } }),
    )
    .await;
    assert_eq!(public_page(&app, SLUG).await, before);
    assert_eq!(public_page(&app, "backend-engineer").await, Value::Null);
    let lists = public_lists(&app, "backend").await;
    assert!(strings_under(&lists, "slug").contains(&SLUG.to_owned()));
    assert!(!strings_under(&lists, "slug").contains(&"backend-engineer".to_owned()));
    // Migration paths of other pages still lead to the public slug.
    let draft = preview(&app, "backend-engineer").await;
    assert_eq!(draft["slug"], "backend-engineer");
    assert_eq!(draft["hasUnpublishedChanges"], true);

    // Another role cannot take over the live slug while the rename is a draft: either its
    // creation or its publication is refused, and the live page stays.
    let create = r#"mutation($input: RoleInput!) { createRole(input: $input) { slug version } }"#;
    let squatter = json!({
        "slug": SLUG,
        "title": "Squatter",
        "categorySlug": "technology",
        "summary": "Wants the slug.",
        "industryContext": "None.",
        "factors": {
            "repetitiveness": { "score": 5, "explanation": "Some." },
            "aiAdoption": { "score": 5, "explanation": "Some." },
            "humanJudgment": { "score": 5, "explanation": "Some." }
        },
        "tasks": [{ "text": "Squat", "exposure": "E1", "taskType": "CORE" }]
    });
    // The address is free among working copies (the rename took it), so the squatter is
    // created; it is its publication that must be refused.
    let created = app
        .query_as(Some(&admin()), create, json!({ "input": squatter }))
        .await;
    assert_eq!(created["data"]["createRole"]["slug"], SLUG, "{created:#}");
    {
        let published = app
            .query_as(Some(&admin()), PUBLISH, json!({ "slug": SLUG, "v": 1 }))
            .await;
        let (code, error) = first_error(&published);
        assert_eq!(
            code, "BAD_USER_INPUT",
            "publishing onto a live slug: {published:#}"
        );
        assert_eq!(error["extensions"]["field"], "slug", "{published:#}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains("another published page"), "{message}");
    }
    assert_eq!(public_page(&app, SLUG).await, before);

    // Publishing the rename moves the public page, once the squatter is out of its way.
    {
        let r = edit(
            &app,
            r#"mutation { deleteRole(slug: "backend-developer", expectedVersion: 1) { slug } }"#,
            json!({}),
        )
        .await;
        assert_eq!(r["deleteRole"]["slug"], SLUG);
    }
    edit(
        &app,
        PUBLISH,
        json!({ "slug": "backend-engineer", "v": v + 1 }),
    )
    .await;
    assert_eq!(public_page(&app, SLUG).await, Value::Null);
    let moved = public_page(&app, "backend-engineer").await;
    assert_eq!(moved["title"], before["title"]);
    assert_eq!(moved["slug"], "backend-engineer");
}

async fn catalog_changes_reach_published_pages_at_once(app: TestApp) {
    let before = public_page(&app, SLUG).await;
    assert!(
        strings_under(&before["toolsAffecting"], "slug").contains(&"github-copilot".to_owned())
    );
    let tool = r#"mutation { updateTool(slug: "github-copilot", expectedVersion: 1, input: { name: "Copilot Quasar" }) { name } }"#;
    edit(&app, tool, json!({})).await;
    let category = r#"mutation { updateCategory(slug: "technology", expectedVersion: 1, input: { name: "Quasar Technology" }) { name } }"#;
    edit(&app, category, json!({})).await;
    let source_slug = before["sources"][0]["slug"]
        .as_str()
        .expect("a source")
        .to_owned();
    let source = r#"mutation($s: String!) { updateSource(slug: $s, expectedVersion: 1, input: { title: "Quasar Source" }) { title } }"#;
    edit(&app, source, json!({ "s": source_slug })).await;

    let after = public_page(&app, SLUG).await;
    assert!(
        strings_under(&after["toolsAffecting"], "name").contains(&"Copilot Quasar".to_owned()),
        "{after:#}"
    );
    assert_eq!(after["category"]["name"], "Quasar Technology");
    assert_eq!(after["sources"][0]["title"], "Quasar Source");
    // Nothing else on the page moved, and the page is not marked as changed.
    let mut expected = before.clone();
    expected["category"]["name"] = json!("Quasar Technology");
    expected["sources"][0]["title"] = json!("Quasar Source");
    for link in expected["toolsAffecting"].as_array_mut().expect("tools") {
        if link["tool"]["slug"] == "github-copilot" {
            link["tool"]["name"] = json!("Copilot Quasar");
        }
    }
    assert_eq!(after, expected);
    assert_eq!(preview(&app, SLUG).await["hasUnpublishedChanges"], false);
    // Lists and the tool's and category's pages show the new names too.
    let lists = app
        .data(
            r#"{ roles(first: 100) { nodes { category { name } toolsAffecting { tool { slug name } } } }
                 category(slug: "technology") { roles(first: 100) { nodes { category { name } } } } }"#,
            json!({}),
        )
        .await;
    let text = lists.to_string();
    assert!(
        !text.contains("\"Technology\""),
        "old category name: {lists:#}"
    );
    assert!(
        !text.contains("\"GitHub Copilot\""),
        "old tool name: {lists:#}"
    );
    assert!(text.contains("Copilot Quasar"));
}

async fn a_tool_only_a_published_page_still_shows_cannot_be_deleted(app: TestApp) {
    let create = r#"mutation { createTool(input: { slug: "quillpen", name: "Quillpen", vendor: "Quill Inc.",
        url: "https://quillpen.example", description: "Writes code." }) { slug version } }"#;
    edit(&app, create, json!({})).await;
    let v = version(&preview(&app, SLUG).await);
    let links = |with: bool| {
        let mut l = vec![json!({ "tool": "github-copilot", "note": "Writes code." })];
        if with {
            l.push(json!({ "tool": "quillpen", "note": "Writes more code." }));
        }
        json!(l)
    };
    edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": { "toolsAffecting": links(true) } }),
    )
    .await;
    edit(&app, PUBLISH, json!({ "slug": SLUG, "v": v + 1 })).await;
    // The working copy drops it; the published page still shows it.
    edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v + 2, "input": { "toolsAffecting": links(false) } }),
    )
    .await;
    let page = public_page(&app, SLUG).await;
    assert!(strings_under(&page["toolsAffecting"], "slug").contains(&"quillpen".to_owned()));
    let delete = r#"mutation { deleteTool(slug: "quillpen", expectedVersion: 1) { slug } }"#;
    let r = app.query_as(Some(&admin()), delete, json!({})).await;
    assert_eq!(first_error(&r).0, "CONFLICT", "{r:#}");
    let page = public_page(&app, SLUG).await;
    assert_eq!(
        page["toolsAffecting"][1]["tool"]["name"], "Quillpen",
        "{page:#}"
    );
    let listed = app
        .data(
            r#"{ tool(slug: "quillpen") { roles { nodes { slug } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(strings_under(&listed, "slug"), [SLUG]);
    // Once the page is published without it, it can go.
    edit(&app, PUBLISH, json!({ "slug": SLUG, "v": v + 3 })).await;
    let r = edit(&app, delete, json!({})).await;
    assert_eq!(r["deleteTool"]["slug"], "quillpen");
    let page = public_page(&app, SLUG).await;
    assert!(!strings_under(&page, "slug").contains(&"quillpen".to_owned()));
}

/// Removes every published snapshot behind the server's back, as a database restored from
/// before snapshots existed would be.
async fn drop_snapshots(app: &TestApp) {
    if app.backend == Backend::Sqlite {
        app.sql("DELETE FROM role_snapshots_fts").await;
    }
    app.sql("DELETE FROM role_snapshot_tools").await;
    app.sql("DELETE FROM role_snapshot_sources").await;
    app.sql("DELETE FROM role_snapshots").await;
}

async fn backfill_renders_missing_snapshots_of_published_roles(app: TestApp) {
    let published = app.published_role_count().await;
    let before = public_page(&app, SLUG).await;
    let lists = public_lists(&app, "backend").await;
    drop_snapshots(&app).await;
    assert_eq!(
        public_page(&app, SLUG).await,
        Value::Null,
        "snapshots are gone"
    );
    let rendered = api::service::publishing::backfill(&app.db)
        .await
        .expect("backfill");
    assert_eq!(rendered, published);
    assert_eq!(public_page(&app, SLUG).await, before);
    assert_eq!(public_lists(&app, "backend").await, lists);
    // A second run finds nothing to do.
    assert_eq!(
        api::service::publishing::backfill(&app.db)
            .await
            .expect("backfill"),
        0
    );
    // Starting the server again (migrate) renders missing snapshots too.
    drop_snapshots(&app).await;
    api::db::migrate(&app.db).await.expect("migrate");
    assert_eq!(public_page(&app, SLUG).await, before);
}

/// A published role whose snapshot is missing and whose working copy has unpublished changes
/// comes back at its published version: a backfill (which runs at every start) must not
/// publish a draft.
async fn backfill_never_publishes_unpublished_changes(app: TestApp) {
    let before = public_page(&app, SLUG).await;
    let v = version(&preview(&app, SLUG).await);
    edit(
        &app,
        UPDATE,
        json!({ "slug": SLUG, "v": v, "input": { "title": "Backend Draftling" } }),
    )
    .await;
    drop_snapshots(&app).await;
    api::service::publishing::backfill(&app.db)
        .await
        .expect("backfill");
    let after = public_page(&app, SLUG).await;
    assert_eq!(after["title"], before["title"], "{after:#}");
    assert_no_public_trace(&app, "draftling").await;
    let draft = preview(&app, SLUG).await;
    assert_eq!(draft["hasUnpublishedChanges"], true);
    assert_eq!(draft["publishedVersion"], v);
}
