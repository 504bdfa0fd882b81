//! The studio's catalog pages (categories, tools, sources) through HTTP: lists with search and
//! pages, saves that the API then shows, the same refusals as the catalog mutations, errors at
//! their field, and CSRF.

use api::service::accounts::StudioRole;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both;
use crate::studio::{field_value, role_token, signed_in};

/// The text of the tag that opens with `id="{id}"`, up to its closing `>`.
fn tag_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}: {html}"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

async fn count(app: &TestApp, table: &str) -> usize {
    app.sql_strings(&format!("SELECT slug FROM {table}"))
        .await
        .len()
}

on_both!(spawn => lists_show_the_catalog_with_search_and_pages);
async fn lists_show_the_catalog_with_search_and_pages(app: TestApp) {
    let (b, _) = signed_in(&app, "vi", StudioRole::Viewer).await;
    let home = b.get("/studio").await;
    for link in [
        "href=\"/studio/categories\"",
        "href=\"/studio/tools\"",
        "href=\"/studio/sources\"",
    ] {
        assert!(home.body.contains(link), "nav has {link}");
    }

    let categories = b.get("/studio/categories").await;
    assert_eq!(categories.status, StatusCode::OK, "{}", categories.body);
    let total = count(&app, "categories").await;
    assert!(
        categories.body.contains(&format!("{total} categories")),
        "{}",
        categories.body
    );
    assert!(categories.body.contains("<th scope=\"col\">Name</th>"));
    for (slug, name) in [("technology", "Technology"), ("finance", "Finance")] {
        assert!(
            categories
                .body
                .contains(&format!("<a href=\"/studio/categories/{slug}\">{name}</a>")),
            "{slug}"
        );
    }
    // Viewers read; nothing on the page offers them a write.
    assert!(!categories.body.contains("id=\"new-item\""));
    let found = b.get("/studio/categories?q=FIN").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains(">Finance</a>"), "{}", found.body);
    assert!(!found.body.contains(">Technology</a>"), "{}", found.body);
    assert!(
        found
            .body
            .contains(&format!("1 of {total} categories match")),
        "{}",
        found.body
    );
    assert!(
        found.body.contains("value=\"FIN\""),
        "the search stays in the form"
    );

    // More tools than a page: 50, then the rest, linked both ways.
    let tools = count(&app, "tools").await;
    assert!(tools > 50, "the demo has {tools} tools");
    let first = b.get("/studio/tools").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("<th scope=\"row\">").count(), 50);
    assert!(
        first
            .body
            .contains("id=\"next-page\" href=\"/studio/tools?page=2\""),
        "{}",
        first.body
    );
    assert!(!first.body.contains("id=\"prev-page\""));
    let second = b.get("/studio/tools?page=2").await;
    assert_eq!(
        second.body.matches("<th scope=\"row\">").count(),
        tools - 50
    );
    assert!(second.body.contains("id=\"prev-page\""));
    assert!(!second.body.contains("id=\"next-page\""));
    let copilot = b.get("/studio/tools?q=copilot").await;
    assert!(
        copilot
            .body
            .contains("<a href=\"/studio/tools/github-copilot\">GitHub Copilot</a>"),
        "{}",
        copilot.body
    );
    assert_eq!(
        b.get("/studio/tools?page=zero").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let sources = b.get("/studio/sources?q=gpts+are").await;
    assert_eq!(sources.status, StatusCode::OK);
    assert!(
        sources
            .body
            .contains("<a href=\"/studio/sources/eloundou-gpts-are-gpts\">"),
        "{}",
        sources.body
    );
    assert_eq!(sources.body.matches("<th scope=\"row\">").count(), 1);

    // A viewer's form is read-only and has no save or delete button.
    let form = b.get("/studio/sources/eloundou-gpts-are-gpts").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(tag_of(&form.body, "f-title").contains(" readonly"));
    assert!(!form.body.contains("id=\"save\""));
    assert!(!form.body.contains("id=\"delete\""));
    assert_eq!(
        field_value(&form.body, "publishedOn").as_deref(),
        Some("2024-06-20")
    );
    assert_eq!(
        b.get("/studio/sources/no-such-source").await.status,
        StatusCode::NOT_FOUND
    );
}

on_both!(spawn => an_editors_save_shows_in_the_api);
async fn an_editors_save_shows_in_the_api(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let form = b.get("/studio/tools/github-copilot").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"save\""));
    assert!(!form.body.contains("id=\"delete\""), "deleting needs admin");
    let version = field_value(&form.body, "expectedVersion").expect("version");
    let saved = b
        .post(
            "/studio/tools/github-copilot",
            &[
                ("csrf", &csrf),
                ("expectedVersion", &version),
                ("name", "GitHub Copilot (edited)"),
                ("slug", "github-copilot"),
                ("vendor", "GitHub"),
                ("url", "https://github.com/features/copilot"),
                ("description", "Suggests code as you type."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.headers[LOCATION].to_str().expect("ascii").to_owned();
    let next: i64 = version.parse::<i64>().expect("int") + 1;
    assert_eq!(
        location,
        format!("/studio/tools/github-copilot?saved={next}")
    );
    assert!(b.get(&location).await.body.contains("Saved version"));
    let data = app
        .data(
            "{ tool(slug: \"github-copilot\") { name vendor description version } }",
            json!({}),
        )
        .await;
    assert_eq!(data["tool"]["name"], "GitHub Copilot (edited)");
    assert_eq!(data["tool"]["vendor"], "GitHub");
    assert_eq!(data["tool"]["version"], next);

    // The version the form was opened at guards the save: a stale form is refused with 409
    // and writes nothing.
    let stale = b
        .post(
            "/studio/tools/github-copilot",
            &[
                ("csrf", &csrf),
                ("expectedVersion", &version),
                ("name", "Lost update"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("id=\"form-error\""), "{}", stale.body);
    assert_eq!(
        field_value(&stale.body, "expectedVersion").as_deref(),
        Some(version.as_str())
    );
    let names = app
        .sql_strings("SELECT name FROM tools WHERE slug = 'github-copilot'")
        .await;
    assert_eq!(names, ["GitHub Copilot (edited)"]);

    // A source: a new slug and a date; fields the form leaves out stay as they were.
    let form = b.get("/studio/sources/onet-database").await;
    let version = field_value(&form.body, "expectedVersion").expect("version");
    let saved = b
        .post(
            "/studio/sources/onet-database",
            &[
                ("csrf", &csrf),
                ("expectedVersion", &version),
                ("slug", "onet-online"),
                ("publishedOn", "2025-01-31"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        saved.headers[LOCATION]
            .to_str()
            .expect("ascii")
            .starts_with("/studio/sources/onet-online?saved=")
    );
    let data = app
        .data("{ sources { slug title publishedOn } }", json!({}))
        .await;
    let onet = data["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["slug"] == "onet-online")
        .expect("renamed source");
    assert_eq!(onet["publishedOn"], "2025-01-31");
    assert_eq!(onet["title"], "O*NET OnLine occupation data");

    // A new category, through the "New" form.
    let new = b.get("/studio/categories/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("action=\"/studio/categories\""));
    let created = b
        .post(
            "/studio/categories",
            &[
                ("csrf", &csrf),
                ("name", "Logistics"),
                ("slug", "logistics"),
                ("description", "Roles that move goods."),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(
        created.headers[LOCATION].to_str().expect("ascii"),
        "/studio/categories/logistics?saved=1"
    );
    let data = app
        .data(
            "{ category(slug: \"logistics\") { name description version } }",
            json!({}),
        )
        .await;
    assert_eq!(data["category"]["name"], "Logistics");
    assert_eq!(data["category"]["version"], 1);
}

async fn category_version(app: &TestApp, slug: &str) -> String {
    app.sql_strings(&format!(
        "SELECT CAST(version AS TEXT) FROM categories WHERE slug = '{slug}'"
    ))
    .await
    .remove(0)
}

on_both!(spawn_with_jwt => catalog_writes_are_refused_exactly_where_the_mutations_are);
async fn catalog_writes_are_refused_exactly_where_the_mutations_are(app: TestApp) {
    let admin = role_token("admin");
    let create = |slug: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app
                .query_as(
                    Some(&admin),
                    "mutation($s: String!) { createCategory(input: {slug: $s, name: $s, description: \"Unused.\"}) { version } }",
                    json!({"s": slug}),
                )
                .await;
            assert!(r["errors"].is_null(), "{r}");
        }
    };
    for role in StudioRole::ALL {
        let (mut b, csrf) = signed_in(&app, &format!("user-{role}"), role).await;
        let token = role_token(role.as_str());
        // Save: the studio against updateCategory.
        let v = category_version(&app, "finance").await;
        let studio = b
            .post(
                "/studio/categories/finance",
                &[
                    ("csrf", &csrf),
                    ("expectedVersion", &v),
                    ("description", &format!("Edited by {role} in the studio.")),
                ],
            )
            .await;
        let v = category_version(&app, "finance").await;
        let api = app
            .query_as(
                Some(&token),
                "mutation($v: Int!, $d: String!) { updateCategory(slug: \"finance\", expectedVersion: $v, input: {description: $d}) { version } }",
                json!({"v": v.parse::<i64>().expect("int"), "d": format!("Edited by {role} through the API.")}),
            )
            .await;
        let studio_ok = studio.status == StatusCode::SEE_OTHER;
        assert_eq!(
            studio_ok,
            api["errors"].is_null(),
            "{role}: save: studio {} vs API {api}",
            studio.status
        );
        assert_eq!(studio_ok, role >= StudioRole::Editor, "{role}: save");
        if !studio_ok {
            assert_eq!(studio.status, StatusCode::FORBIDDEN, "{role}");
            assert_eq!(api["errors"][0]["extensions"]["code"], "FORBIDDEN");
        }
        // Create: the studio against createCategory.
        let studio = b
            .post(
                "/studio/categories",
                &[
                    ("csrf", &csrf),
                    ("name", "Made in the studio"),
                    ("slug", &format!("studio-{role}")),
                    ("description", "New."),
                ],
            )
            .await;
        let api = app
            .query_as(
                Some(&token),
                "mutation($s: String!) { createCategory(input: {slug: $s, name: $s, description: \"New.\"}) { version } }",
                json!({"s": format!("api-{role}")}),
            )
            .await;
        let studio_ok = studio.status == StatusCode::SEE_OTHER;
        assert_eq!(studio_ok, api["errors"].is_null(), "{role}: create: {api}");
        assert_eq!(studio_ok, role >= StudioRole::Editor, "{role}: create");
        assert_eq!(
            b.get("/studio/categories/new").await.status == StatusCode::OK,
            studio_ok,
            "{role}: the new form"
        );
        // Delete (of categories no role uses): the studio against deleteCategory.
        let (ours, theirs) = (
            format!("unused-studio-{role}"),
            format!("unused-api-{role}"),
        );
        create(ours.clone()).await;
        create(theirs.clone()).await;
        let page = b.get(&format!("/studio/categories/{ours}")).await;
        assert_eq!(
            page.body.contains("id=\"delete\""),
            role == StudioRole::Admin,
            "{role}: delete button"
        );
        let studio = b
            .post(
                &format!("/studio/categories/{ours}/delete"),
                &[("csrf", &csrf), ("expectedVersion", "1")],
            )
            .await;
        let api = app
            .query_as(
                Some(&token),
                "mutation($s: String!) { deleteCategory(slug: $s, expectedVersion: 1) { slug } }",
                json!({"s": theirs}),
            )
            .await;
        let studio_ok = studio.status == StatusCode::SEE_OTHER;
        assert_eq!(studio_ok, api["errors"].is_null(), "{role}: delete: {api}");
        assert_eq!(studio_ok, role == StudioRole::Admin, "{role}: delete");
        if !studio_ok {
            assert_eq!(studio.status, StatusCode::FORBIDDEN, "{role}");
        }
    }
    // A category roles use is not deleted: the form comes back with why.
    let (mut b, csrf) = signed_in(&app, "root", StudioRole::Admin).await;
    let v = category_version(&app, "technology").await;
    let refused = b
        .post(
            "/studio/categories/technology/delete",
            &[("csrf", &csrf), ("expectedVersion", &v)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("still used by"), "{}", refused.body);
    assert_eq!(count(&app, "categories WHERE slug = 'technology'").await, 1);
}

on_both!(spawn => bad_input_comes_back_at_its_field);
async fn bad_input_comes_back_at_its_field(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ed", StudioRole::Editor).await;
    let form = b.get("/studio/tools/cursor").await;
    let version = field_value(&form.body, "expectedVersion").expect("version");
    let cases = [
        ("name", "   ", "Name: must not be empty"),
        (
            "url",
            "ftp://example.com",
            "Product page: must be an http or https URL",
        ),
        ("slug", "Not A Slug", "Slug (URL): must match"),
        ("slug", "github-copilot", "already exists"),
    ];
    for (field, value, message) in cases {
        let a = b
            .post(
                "/studio/tools/cursor",
                &[
                    ("csrf", &csrf),
                    ("expectedVersion", &version),
                    (field, value),
                    ("vendor", "Kept as typed"),
                ],
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            a.body
        );
        let input = tag_of(&a.body, &format!("f-{field}"));
        assert!(input.contains("aria-invalid=\"true\""), "{input}");
        assert!(
            input.contains(&format!(
                "aria-describedby=\"f-{field}-hint f-{field}-error\""
            )) || input.contains(&format!("aria-describedby=\"f-{field}-error\"")),
            "{input}"
        );
        let error = tag_of(&a.body, &format!("f-{field}-error"));
        assert!(error.contains("role=\"alert\""), "{error}");
        assert!(a.body.contains(message), "{field}: {}", a.body);
        assert_eq!(
            field_value(&a.body, "vendor").as_deref(),
            Some("Kept as typed"),
            "the editor's values stay"
        );
        // Only the refused field is marked.
        assert!(!tag_of(&a.body, "f-description").contains("aria-invalid"));
    }
    let a = b
        .post(
            "/studio/sources/onet-database",
            &[
                ("csrf", &csrf),
                ("expectedVersion", "1"),
                ("publishedOn", "yesterday"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tag_of(&a.body, "f-publishedOn").contains("aria-invalid=\"true\""));
    let a = b
        .post(
            "/studio/categories",
            &[("csrf", &csrf), ("name", "No slug"), ("description", "x")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tag_of(&a.body, "f-slug").contains("aria-invalid=\"true\""));
    assert_eq!(field_value(&a.body, "name").as_deref(), Some("No slug"));
    let names = app
        .sql_strings("SELECT name FROM tools WHERE slug = 'cursor'")
        .await;
    assert_eq!(names, ["Cursor"], "nothing was written");
}

on_both!(spawn => catalog_writes_need_the_csrf_token_and_our_origin);
async fn catalog_writes_need_the_csrf_token_and_our_origin(app: TestApp) {
    let (mut b, csrf) = signed_in(&app, "ad", StudioRole::Admin).await;
    let form = b.get("/studio/categories/legal").await;
    let version = field_value(&form.body, "expectedVersion").expect("version");
    let edit = [
        ("csrf", csrf.as_str()),
        ("expectedVersion", &version),
        ("name", "Law"),
    ];
    let a = b.post("/studio/categories/legal", &edit[1..]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no token: {}", a.body);
    let forged = "x".repeat(43);
    let mut wrong = edit;
    wrong[0].1 = &forged;
    let a = b.post("/studio/categories/legal", &wrong).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "wrong token");
    let a = b
        .post_with(
            "/studio/categories/legal",
            &edit,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another site");
    let a = b
        .post(
            "/studio/categories",
            &[("slug", "x"), ("name", "X"), ("description", "X")],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "create without a token");
    let a = b
        .post(
            "/studio/categories/legal/delete",
            &[("expectedVersion", &version)],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "delete without a token");
    let names = app
        .sql_strings("SELECT name FROM categories WHERE slug IN ('legal', 'x')")
        .await;
    assert_eq!(names, ["Legal"], "nothing was written");
    let a = b.post("/studio/categories/legal", &edit).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
}
