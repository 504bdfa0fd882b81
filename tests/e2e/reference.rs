//! The shipped research data through the API and the CLI: occupations, benchmarks beside the
//! score, and role pages started from an occupation, checked against the published files.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_bad_input, first_error, token};
use crate::on_both;

on_both!(spawn_with_jwt =>
    a_role_from_an_occupation_has_the_published_exposure_and_benchmarks,
    starting_from_an_occupation_refuses_what_it_cannot_do,
    occupations_are_searched_and_paged_with_cursors,
);
on_both!(spawn_empty_with_jwt => importing_every_occupation_gives_drafts_equal_to_the_published_indices);

/// `occ_level.csv`: code -> [GPT-4 alpha, beta, gamma, human alpha, beta, gamma].
fn published() -> HashMap<String, [f64; 6]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference/eloundou/occ_level.csv");
    let mut reader = csv::Reader::from_path(path).expect("occ_level.csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let mut v = [0.0; 6];
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = r[i + 2].parse().expect("number");
            }
            (r[0].to_owned(), v)
        })
        .collect()
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

const PAGE: &str = "query($slug: String!) { role(slug: $slug) { title onetSocCode \
    risk { taskExposure { alpha beta gamma } } \
    benchmarks { source { id name licence attribution url } measure labeller value percentile occupationCode occupationTitle } } }";

async fn a_role_from_an_occupation_has_the_published_exposure_and_benchmarks(app: TestApp) {
    let editor = token("editor", Some("content:write content:publish"));
    let created = app
        .query_as(
            Some(&editor),
            "mutation { createRoleFromOccupation(code: \"15-1252.00\", slug: \"software-developers\", categorySlug: \"technology\") { slug title status version onetSocCode tasks { text exposure taskType } risk { taskExposure { alpha beta gamma } } } }",
            json!({}),
        )
        .await;
    let role = &created["data"]["createRoleFromOccupation"];
    assert_eq!(role["status"], "DRAFT", "{created:#}");
    assert_eq!(role["title"], "Software Developers");
    assert_eq!(role["onetSocCode"], "15-1252.00");
    let tasks = role["tasks"].as_array().expect("tasks");
    // The 19 tasks "GPTs are GPTs" labels for the occupation (O*NET gives them no type).
    assert_eq!(tasks.len(), 19, "{tasks:?}");
    assert!(tasks.iter().all(|t| t["exposure"].is_string()));
    let want = published()["15-1252.00"];
    let exposure = &role["risk"]["taskExposure"];
    assert!(close(&exposure["alpha"], want[3]), "{exposure}");
    assert!(close(&exposure["beta"], want[4]), "{exposure}");
    assert!(close(&exposure["gamma"], want[5]), "{exposure}");
    assert!((exposure["beta"].as_f64().expect("beta") - 0.45).abs() < 0.005);

    // Drafts stay private; published, the page shows the benchmarks to everyone.
    let hidden = app
        .data(PAGE, json!({ "slug": "software-developers" }))
        .await;
    assert!(hidden["role"].is_null(), "{hidden}");
    let version = role["version"].as_i64().expect("version");
    let published_role = app
        .query_as(
            Some(&editor),
            "mutation($v: Int!) { publishRole(slug: \"software-developers\", expectedVersion: $v) { status } }",
            json!({ "v": version }),
        )
        .await;
    assert_eq!(
        published_role["data"]["publishRole"]["status"], "PUBLISHED",
        "{published_role:#}"
    );
    let page = app
        .data(PAGE, json!({ "slug": "software-developers" }))
        .await;
    let benchmarks = page["role"]["benchmarks"].as_array().expect("benchmarks");
    assert_eq!(benchmarks.len(), 7, "{benchmarks:#?}");
    let find = |measure: &str, labeller: Value| {
        benchmarks
            .iter()
            .find(|b| b["measure"] == measure && b["labeller"] == labeller)
            .unwrap_or_else(|| panic!("{measure} {labeller}: {benchmarks:#?}"))
    };
    for (i, measure) in ["ALPHA", "BETA", "GAMMA"].into_iter().enumerate() {
        let human = find(measure, json!("HUMAN"));
        assert!(close(&human["value"], want[3 + i]), "{human}");
        let gpt4 = find(measure, json!("GPT4"));
        assert!(close(&gpt4["value"], want[i]), "{gpt4}");
        assert_eq!(human["source"]["id"], "ELOUNDOU_2024");
        assert_eq!(human["source"]["licence"], "MIT");
    }
    let microsoft = find("AI_APPLICABILITY", Value::Null);
    assert_eq!(microsoft["occupationCode"], "15-1252");
    assert_eq!(microsoft["source"]["licence"], "CC-BY-4.0");
    assert!(
        microsoft["source"]["attribution"]
            .as_str()
            .is_some_and(|a| a.contains("CC BY 4.0"))
    );
    for b in benchmarks {
        let p = b["percentile"].as_f64().expect("percentile");
        assert!(p > 0.0 && p <= 100.0, "{b}");
    }
    // Software developers' GPT-4 beta (0.87) is in the top tenth of occupations.
    assert!(find("BETA", json!("GPT4"))["percentile"].as_f64() > Some(90.0));

    // A demo role with a code has benchmarks; its value is the same occupation's.
    let backend = app.data(PAGE, json!({ "slug": "backend-developer" })).await;
    assert_eq!(backend["role"]["onetSocCode"], "15-1252.00");
    assert_eq!(backend["role"]["benchmarks"], page["role"]["benchmarks"]);
}

async fn starting_from_an_occupation_refuses_what_it_cannot_do(app: TestApp) {
    let editor = token("editor", Some("content:write"));
    let create = |code: &str, slug: &str, category: &str| json!({ "code": code, "slug": slug, "category": category });
    let query = "mutation($code: String!, $slug: String!, $category: String!) { createRoleFromOccupation(code: $code, slug: $slug, categorySlug: $category) { slug } }";
    let anonymous = app
        .query_as(None, query, create("15-1252.00", "x", "technology"))
        .await;
    assert_eq!(
        first_error(&anonymous).0,
        "UNAUTHENTICATED",
        "{anonymous:#}"
    );
    let reader = token("reader", Some("content:read"));
    let forbidden = app
        .query_as(
            Some(&reader),
            query,
            create("15-1252.00", "x", "technology"),
        )
        .await;
    assert_eq!(first_error(&forbidden).0, "FORBIDDEN", "{forbidden:#}");
    for (variables, field) in [
        (create("99-9999.99", "x", "technology"), "code"),
        (create("not a code", "x", "technology"), "code"),
        (
            create("15-1252.00", "backend-developer", "technology"),
            "slug",
        ),
        (create("15-1252.00", "Bad Slug", "technology"), "slug"),
        (
            create("15-1252.00", "x", "no-such-category"),
            "categorySlug",
        ),
    ] {
        let r = app.query_as(Some(&editor), query, variables.clone()).await;
        assert_bad_input(&r, Some(field));
        assert!(r["data"].is_null() || r["data"]["createRoleFromOccupation"].is_null());
    }
    // Nothing was half-written by the refusals.
    let count = app
        .sql_strings("SELECT CAST(COUNT(*) AS TEXT) FROM roles WHERE slug = 'x'")
        .await;
    assert_eq!(count, ["0"]);
}

async fn occupations_are_searched_and_paged_with_cursors(app: TestApp) {
    let list = "query($s: String, $first: Int, $after: String) { occupations(search: $s, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { code title } } }";
    let all = app.data(list, json!({ "first": 100 })).await;
    assert_eq!(all["occupations"]["totalCount"], 923);
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .data(
                list,
                json!({ "s": "engineers", "first": 7, "after": after }),
            )
            .await;
        let connection = &page["occupations"];
        for node in connection["nodes"].as_array().expect("nodes") {
            assert!(
                node["title"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains("engineers")),
                "{node}"
            );
            seen.push(node["code"].as_str().expect("code").to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            assert_eq!(connection["totalCount"].as_u64(), Some(seen.len() as u64));
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert!(seen.len() > 7, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        seen, sorted,
        "pages follow each other by code, without repeats"
    );

    let one = app
        .data(
            "{ occupation(code: \"15-1252.00\") { code title tasks { text taskType humanExposure gpt4Exposure } benchmarks { value } } missing: occupation(code: \"00-0000.00\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(one["occupation"]["title"], "Software Developers");
    assert!(
        one["occupation"]["tasks"]
            .as_array()
            .is_some_and(|t| t.len() >= 10)
    );
    assert!(one["missing"].is_null());
    let prefix = app.data(list, json!({ "s": "15-125", "first": 20 })).await;
    assert!(
        prefix["occupations"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["code"].as_str().is_some_and(|c| c.starts_with("15-125")))
    );
    let bad = app.query(list, json!({ "after": "not-a-cursor" })).await;
    assert_bad_input(&bad, Some("after"));
    let big = app.query(list, json!({ "first": 1000 })).await;
    assert_eq!(first_error(&big).0, "BAD_USER_INPUT", "{big:#}");
    let datasets = app
        .data(
            "{ referenceDatasets { id licence attribution citation } }",
            json!({}),
        )
        .await;
    assert_eq!(
        datasets["referenceDatasets"].as_array().map(Vec::len),
        Some(2)
    );
}

async fn importing_every_occupation_gives_drafts_equal_to_the_published_indices(app: TestApp) {
    let admin = token("admin", Some("content:write"));
    let made = app
        .query_as(
            Some(&admin),
            "mutation { createCategory(input: { slug: \"occupations\", name: \"Occupations\", description: \"Every O*NET occupation.\" }) { slug } }",
            json!({}),
        )
        .await;
    assert_eq!(
        made["data"]["createCategory"]["slug"], "occupations",
        "{made:#}"
    );
    let import = |args: Vec<&'static str>| {
        let url = app.database_url().to_owned();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_jobrisk"))
                .arg("import-occupation")
                .args(args)
                .env("DATABASE_URL", url)
                .env("JOBRISK_LOG", "warn")
                .output()
                .expect("run jobrisk import-occupation")
        })
    };
    let out = import(vec!["--all", "--category", "occupations"])
        .await
        .expect("import ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("created 923 drafts"), "{stdout}");

    // Every draft, read back through the API as an editor, against occ_level.csv.
    let published = published();
    let mut seen = 0;
    let mut after: Option<String> = None;
    loop {
        let page = app
            .query_as(
                Some(&admin),
                "query($after: String) { roles(first: 100, after: $after, filter: { status: DRAFT }) { pageInfo { hasNextPage endCursor } nodes { onetSocCode risk { taskExposure { alpha beta gamma } } } } }",
                json!({ "after": after }),
            )
            .await;
        let connection = &page["data"]["roles"];
        for node in connection["nodes"].as_array().expect("nodes") {
            let code = node["onetSocCode"].as_str().expect("a code");
            let want = published[code];
            let got = &node["risk"]["taskExposure"];
            for (i, index) in ["alpha", "beta", "gamma"].into_iter().enumerate() {
                assert!(
                    close(&got[index], want[3 + i]),
                    "{code} {index}: {got} vs {want:?}"
                );
            }
            seen += 1;
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen, 923);

    // A second run finds nothing left to do.
    let again = import(vec!["--all", "--category", "occupations"])
        .await
        .expect("import ran");
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("created 0 drafts") && stdout.contains("skipped 923"),
        "{stdout}"
    );
    // One occupation by code, and a refusal that changes nothing.
    let one = import(vec![
        "15-1252.00",
        "--slug",
        "software-developers-2",
        "--category",
        "occupations",
    ])
    .await
    .expect("import ran");
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let unknown = import(vec!["15-1252.00", "--slug", "x", "--category", "nowhere"])
        .await
        .expect("import ran");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("category"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    let count = app
        .sql_strings("SELECT CAST(COUNT(*) AS TEXT) FROM roles")
        .await;
    assert_eq!(count, ["924"]);
}
