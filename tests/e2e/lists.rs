//! Lists: `roles` paging, filters and orders, and the catalog (`categories`, `tools`, `sources`).
//!
//! Expected results are computed from the unfiltered list (or straight from the database), so the
//! tests check the API against the data rather than against numbers copied from the demo set.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_bad_input, first_error};
use crate::on_both;

/// Published roles in the demo set.
const DEMO_ROLES: usize = 44;

const LIST_QUERY: &str = r#"
query List($first: Int, $after: String, $filter: RoleFilter, $orderBy: RoleOrder) {
  roles(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node { id slug title summary updatedAt status category { slug } risk { score level } }
    }
    nodes { slug }
  }
}"#;

/// A role as the list shows it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    updated_at: String,
    category: String,
    score: i64,
    level: String,
}

impl Row {
    fn from_node(node: &Value) -> Self {
        let text = |v: &Value| v.as_str().expect("string field").to_owned();
        Self {
            id: text(&node["id"]).parse().expect("numeric id"),
            slug: text(&node["slug"]),
            title: text(&node["title"]),
            summary: text(&node["summary"]),
            updated_at: text(&node["updatedAt"]),
            category: text(&node["category"]["slug"]),
            score: node["risk"]["score"].as_i64().expect("score"),
            level: text(&node["risk"]["level"]),
        }
    }
}

/// One `roles` request; returns the connection (panics on errors).
async fn page(
    app: &TestApp,
    first: Option<i64>,
    after: Option<&str>,
    filter: &Value,
    order: &Value,
) -> Value {
    let data = app
        .data(
            LIST_QUERY,
            json!({ "first": first, "after": after, "filter": filter, "orderBy": order }),
        )
        .await;
    data["roles"].clone()
}

fn rows(connection: &Value) -> Vec<Row> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| Row::from_node(&e["node"]))
        .collect()
}

fn slugs(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.slug.clone()).collect()
}

/// Everything matching `filter` in one request of 100.
async fn all(app: &TestApp, filter: &Value, order: &Value) -> (Vec<Row>, i64) {
    let connection = page(app, Some(100), None, filter, order).await;
    assert_eq!(
        connection["pageInfo"]["hasNextPage"], false,
        "fits one page"
    );
    let rows = rows(&connection);
    let total = connection["totalCount"].as_i64().expect("totalCount");
    assert_eq!(rows.len() as i64, total, "one page holds every match");
    (rows, total)
}

/// Walks a list page by page with `after: endCursor`, checking each page's shape, and returns
/// the concatenation and the total count every page reported.
async fn walk(app: &TestApp, filter: &Value, order: &Value, size: i64) -> (Vec<Row>, i64) {
    let mut out: Vec<Row> = Vec::new();
    let mut after: Option<String> = None;
    let mut total: Option<i64> = None;
    for _ in 0..=200 {
        let connection = page(app, Some(size), after.as_deref(), filter, order).await;
        let page_rows = rows(&connection);
        let info = &connection["pageInfo"];
        let context = format!("size {size}, order {order}, filter {filter}, after {after:?}");
        let page_total = connection["totalCount"].as_i64().expect("totalCount");
        assert_eq!(*total.get_or_insert(page_total), page_total, "{context}");
        assert_eq!(info["hasPreviousPage"], after.is_some(), "{context}");
        let nodes: Vec<&str> = connection["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["slug"].as_str().expect("slug"))
            .collect();
        assert_eq!(nodes, slugs(&page_rows), "nodes mirror edges; {context}");
        let cursors: Vec<&Value> = connection["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| &e["cursor"])
            .collect();
        assert_eq!(
            info["startCursor"],
            cursors.first().copied().cloned().unwrap_or(Value::Null),
            "{context}"
        );
        assert_eq!(
            info["endCursor"],
            cursors.last().copied().cloned().unwrap_or(Value::Null),
            "{context}"
        );
        let has_next = info["hasNextPage"].as_bool().expect("hasNextPage");
        if has_next {
            assert_eq!(
                page_rows.len() as i64,
                size,
                "only the last page is short; {context}"
            );
        } else {
            assert!(page_rows.len() as i64 <= size, "{context}");
        }
        if after.is_some() {
            assert!(
                !page_rows.is_empty(),
                "hasNextPage promised a non-empty page; {context}"
            );
        }
        out.extend(page_rows);
        if !has_next {
            return (out, page_total);
        }
        after = Some(
            info["endCursor"]
                .as_str()
                .expect("a page with a next page has an endCursor")
                .to_owned(),
        );
    }
    panic!("paging never ended: size {size}, order {order}");
}

fn assert_no_duplicates(rows: &[Row], context: &str) {
    let mut seen = HashSet::new();
    for r in rows {
        assert!(seen.insert(&r.slug), "{} twice; {context}", r.slug);
    }
}

/// Every order the API offers, as `orderBy` values.
fn orders() -> Vec<Value> {
    let mut out = Vec::new();
    for field in ["TITLE", "SCORE", "UPDATED_AT"] {
        for direction in ["ASC", "DESC"] {
            out.push(json!({ "field": field, "direction": direction }));
        }
    }
    out
}

/// An RFC 3339 timestamp as a sortable key: the seconds part and the nanoseconds.
fn instant(raw: &str) -> (String, u32) {
    let utc = raw
        .strip_suffix("+00:00")
        .or_else(|| raw.strip_suffix('Z'))
        .unwrap_or_else(|| panic!("a UTC timestamp: {raw}"));
    let (seconds, fraction) = utc.split_once('.').unwrap_or((utc, ""));
    assert_eq!(seconds.len(), 19, "YYYY-MM-DDTHH:MM:SS: {raw}");
    let nanos = format!("{fraction:0<9}").parse().expect("fraction digits");
    (seconds.to_owned(), nanos)
}

/// Asserts `rows` are strictly ordered by (key, id) in the order's direction.
fn assert_sorted(rows: &[Row], order: &Value, backend: Backend) {
    let descending = order["direction"] == "DESC";
    for pair in rows.windows(2) {
        let (a, b) = if descending {
            (&pair[1], &pair[0])
        } else {
            (&pair[0], &pair[1])
        };
        let ascending = match order["field"].as_str().expect("field") {
            "SCORE" => (a.score, a.id) < (b.score, b.id),
            "UPDATED_AT" => (instant(&a.updated_at), a.id) < (instant(&b.updated_at), b.id),
            // PostgreSQL sorts text by the database's collation; the database order check
            // covers it there. SQLite compares bytes, as Rust does.
            "TITLE" if backend == Backend::Sqlite => (&a.title, a.id) < (&b.title, b.id),
            _ => true,
        };
        assert!(
            ascending,
            "{order}: {} ({}, {}, {}) then {} ({}, {}, {})",
            pair[0].slug,
            pair[0].title,
            pair[0].score,
            pair[0].updated_at,
            pair[1].slug,
            pair[1].title,
            pair[1].score,
            pair[1].updated_at
        );
    }
}

/// The published slugs in `order`, asked of the database directly.
async fn database_order(app: &TestApp, order: &Value) -> Vec<String> {
    let column = match order["field"].as_str().expect("field") {
        "TITLE" => "title",
        "SCORE" => "score",
        _ => "updated_at",
    };
    let direction = order["direction"].as_str().expect("direction");
    app.sql_strings(&format!(
        "SELECT slug FROM roles WHERE status = 'PUBLISHED' \
         ORDER BY {column} {direction}, id {direction}"
    ))
    .await
}

/// Pages of every size and order give exactly the single-request sequence, sorted by the key.
async fn check_round_trips(app: &TestApp, sizes: &[i64], expected_total: usize) {
    for order in orders() {
        let (everything, total) = all(app, &json!(null), &order).await;
        assert_eq!(total as usize, expected_total, "{order}");
        assert_no_duplicates(&everything, &format!("{order}"));
        assert_sorted(&everything, &order, app.backend);
        assert_eq!(
            slugs(&everything),
            database_order(app, &order).await,
            "{order} matches the database's order"
        );
        for &size in sizes {
            let (walked, walked_total) = walk(app, &json!(null), &order, size).await;
            assert_eq!(walked_total, total, "{order} size {size}");
            assert_eq!(
                slugs(&walked),
                slugs(&everything),
                "{order} in pages of {size}: same sequence as one request"
            );
        }
    }
}

on_both!(
    search_is_case_insensitive_beyond_ascii,
    pages_of_every_size_and_order_round_trip_without_duplicates_or_gaps,
    pages_round_trip_across_ties_in_the_sort_key,
    first_defaults_to_20_and_zero_gives_an_empty_page,
    category_filter_keeps_only_that_category_and_an_unknown_one_matches_nothing,
    level_filter_keeps_only_that_level,
    score_bounds_are_inclusive,
    search_matches_word_prefixes_over_title_summary_tasks_and_skills,
    search_prefixes_type_ahead_to_the_title_match_first,
    search_ranks_a_title_match_above_summary_only_matches,
    search_wildcards_match_literally,
    combined_filters_page_through_exactly_their_intersection,
    bad_list_arguments_are_bad_user_input_naming_the_argument,
    foreign_cursors_are_bad_user_input,
    categories_list_by_name_and_each_pages_through_its_roles,
    tools_list_the_published_roles_they_affect,
    sources_list_by_title_and_resolve_by_id,
);

on_both!(spawn_with_jwt => editors_status_filtered_search_keeps_substring_matching);

async fn pages_of_every_size_and_order_round_trip_without_duplicates_or_gaps(app: TestApp) {
    let published = app.published_role_count().await;
    assert_eq!(published, DEMO_ROLES, "the demo set");
    check_round_trips(&app, &[1, 7, 11, 20, 100], published).await;
}

/// Keyset paging must break ties by id: make half the roles share one update time and three
/// share one title, so page boundaries fall inside runs of equal keys.
async fn pages_round_trip_across_ties_in_the_sort_key(app: TestApp) {
    app.sql("UPDATE roles SET updated_at = (SELECT MIN(updated_at) FROM roles) WHERE id % 2 = 0")
        .await;
    app.sql(
        "UPDATE roles SET title = 'Analyst' \
         WHERE slug IN ('data-scientist', 'financial-analyst', 'cybersecurity-analyst')",
    )
    .await;
    app.republish_all().await;
    let (everything, _) = all(&app, &json!(null), &json!({ "field": "SCORE" })).await;
    let distinct: BTreeSet<i64> = everything.iter().map(|r| r.score).collect();
    assert!(
        distinct.len() < everything.len(),
        "the demo set has equal scores"
    );
    let (by_time, _) = all(&app, &json!(null), &json!({ "field": "UPDATED_AT" })).await;
    let distinct: BTreeSet<&str> = by_time.iter().map(|r| r.updated_at.as_str()).collect();
    assert!(distinct.len() <= DEMO_ROLES / 2 + 1, "{distinct:?}");
    check_round_trips(&app, &[1, 2, 3, 7], DEMO_ROLES).await;
}

async fn first_defaults_to_20_and_zero_gives_an_empty_page(app: TestApp) {
    let default = page(&app, None, None, &json!(null), &json!(null)).await;
    assert_eq!(rows(&default).len(), 20);
    assert_eq!(default["pageInfo"]["hasNextPage"], true);
    assert_eq!(default["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(default["totalCount"], DEMO_ROLES);
    // The default order is title ascending.
    let (everything, _) = all(&app, &json!(null), &json!({ "field": "TITLE" })).await;
    assert_eq!(slugs(&rows(&default)), slugs(&everything[..20]));

    let empty = page(&app, Some(0), None, &json!(null), &json!(null)).await;
    assert!(rows(&empty).is_empty());
    assert_eq!(empty["totalCount"], DEMO_ROLES);
    assert_eq!(empty["pageInfo"]["hasNextPage"], true);
    assert_eq!(empty["pageInfo"]["endCursor"], Value::Null);

    let exact = page(
        &app,
        Some(DEMO_ROLES as i64),
        None,
        &json!(null),
        &json!(null),
    )
    .await;
    assert_eq!(rows(&exact).len(), DEMO_ROLES);
    assert_eq!(exact["pageInfo"]["hasNextPage"], false);

    let max = page(&app, Some(100), None, &json!(null), &json!(null)).await;
    assert_eq!(rows(&max).len(), DEMO_ROLES, "first: 100 is allowed");
}

async fn category_filter_keeps_only_that_category_and_an_unknown_one_matches_nothing(app: TestApp) {
    let (everything, _) = all(&app, &json!(null), &json!(null)).await;
    let categories = app.data("{ categories { slug } }", json!({})).await;
    let mut seen = 0;
    for category in categories["categories"].as_array().expect("categories") {
        let slug = category["slug"].as_str().expect("slug");
        let (found, total) = all(&app, &json!({ "categorySlug": slug }), &json!(null)).await;
        assert!(
            found.iter().all(|r| r.category == slug),
            "{slug}: {found:?}"
        );
        let expected: Vec<&Row> = everything.iter().filter(|r| r.category == slug).collect();
        assert_eq!(
            slugs(&found),
            expected.iter().map(|r| r.slug.clone()).collect::<Vec<_>>(),
            "{slug}"
        );
        assert_eq!(total as usize, expected.len(), "{slug}");
        seen += found.len();
    }
    assert_eq!(seen, DEMO_ROLES, "every role is in one listed category");
    let technology = all(&app, &json!({ "categorySlug": "technology" }), &json!(null))
        .await
        .1;
    assert!(technology >= 6, "{technology} technology roles");

    let none = page(
        &app,
        None,
        None,
        &json!({ "categorySlug": "no-such-category" }),
        &json!(null),
    )
    .await;
    assert_eq!(none["totalCount"], 0);
    assert!(rows(&none).is_empty());
    assert_eq!(none["pageInfo"]["hasNextPage"], false);
    assert_eq!(none["pageInfo"]["endCursor"], Value::Null);
}

async fn level_filter_keeps_only_that_level(app: TestApp) {
    let (everything, _) = all(&app, &json!(null), &json!(null)).await;
    let mut seen = 0;
    for (level, low, high) in [
        ("LOW", 0, 24),
        ("MODERATE", 25, 49),
        ("HIGH", 50, 74),
        ("VERY_HIGH", 75, 100),
    ] {
        let (found, total) = all(&app, &json!({ "level": level }), &json!(null)).await;
        for r in &found {
            assert_eq!(r.level, level, "{}", r.slug);
            assert!(
                (low..=high).contains(&r.score),
                "{} scores {}",
                r.slug,
                r.score
            );
        }
        let expected: Vec<String> = everything
            .iter()
            .filter(|r| r.level == level)
            .map(|r| r.slug.clone())
            .collect();
        assert_eq!(slugs(&found), expected, "{level}");
        assert_eq!(total as usize, expected.len());
        seen += found.len();
    }
    assert_eq!(seen, DEMO_ROLES, "every role has one of the four levels");
    let moderate = all(&app, &json!({ "level": "MODERATE" }), &json!(null))
        .await
        .0;
    assert!(moderate.iter().any(|r| r.slug == "backend-developer"));
    let bad = app
        .query(LIST_QUERY, json!({ "filter": { "level": "EXTREME" } }))
        .await;
    assert_bad_input(&bad, None);
}

async fn score_bounds_are_inclusive(app: TestApp) {
    let (everything, _) = all(&app, &json!(null), &json!(null)).await;
    let scores: BTreeSet<i64> = everything.iter().map(|r| r.score).collect();
    assert!(scores.len() > 5, "{scores:?}");
    let matching = |lo: Option<i64>, hi: Option<i64>| -> Vec<String> {
        everything
            .iter()
            .filter(|r| lo.is_none_or(|lo| r.score >= lo) && hi.is_none_or(|hi| r.score <= hi))
            .map(|r| r.slug.clone())
            .collect()
    };
    for &s in &scores {
        for (lo, hi) in [(Some(s), None), (None, Some(s)), (Some(s), Some(s))] {
            let filter = json!({ "minScore": lo, "maxScore": hi });
            let (found, total) = all(&app, &filter, &json!(null)).await;
            let expected = matching(lo, hi);
            assert!(
                found.iter().any(|r| r.score == s),
                "{filter}: a role scoring exactly {s} is included"
            );
            assert_eq!(slugs(&found), expected, "{filter}");
            assert_eq!(total as usize, expected.len(), "{filter}");
        }
    }
    let (found, _) = all(
        &app,
        &json!({ "minScore": 0, "maxScore": 100 }),
        &json!(null),
    )
    .await;
    assert_eq!(found.len(), DEMO_ROLES);
    let lowest = *scores.first().expect("scores");
    if lowest > 0 {
        let (found, total) = all(&app, &json!({ "maxScore": lowest - 1 }), &json!(null)).await;
        assert!(
            found.is_empty() && total == 0,
            "nothing below the lowest score"
        );
    }
}

/// What full-text search indexes of a published page, fetched through the API.
#[derive(Debug, Clone)]
struct Indexed {
    slug: String,
    title: String,
    summary: String,
    /// Every task and protective skill.
    rest: String,
}

const INDEXED_QUERY: &str =
    "{ roles(first: 100) { nodes { slug title summary tasks { text } protectiveSkills } } }";

/// Every published page's indexed text, as the public sees it.
async fn indexed(app: &TestApp) -> Vec<Indexed> {
    let data = app.data(INDEXED_QUERY, json!({})).await;
    let nodes = data["roles"]["nodes"].as_array().expect("nodes");
    nodes
        .iter()
        .map(|n| {
            let text = |v: &Value| v.as_str().expect("string").to_owned();
            let mut rest: Vec<String> = n["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .map(|t| text(&t["text"]))
                .collect();
            rest.extend(
                n["protectiveSkills"]
                    .as_array()
                    .expect("skills")
                    .iter()
                    .map(text),
            );
            Indexed {
                slug: text(&n["slug"]),
                title: text(&n["title"]),
                summary: text(&n["summary"]),
                rest: rest.join("\n"),
            }
        })
        .collect()
}

/// The words of a text as search sees them: lowercase runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether every word of `needle` is a prefix of some word of `text`.
fn prefix_match(text: &str, needle: &str) -> bool {
    let have = words(text);
    let want = words(needle);
    !want.is_empty() && want.iter().all(|w| have.iter().any(|h| h.starts_with(w)))
}

/// The slugs a search must find: pages where every word of `needle` is a prefix of a word of
/// the title, summary, tasks or skills (the words may come from different fields).
fn search_expected(pages: &[Indexed], needle: &str) -> BTreeSet<String> {
    pages
        .iter()
        .filter(|p| prefix_match(&format!("{}\n{}\n{}", p.title, p.summary, p.rest), needle))
        .map(|p| p.slug.clone())
        .collect()
}

/// One search as the public asks it (relevance order): its slugs in order, and `totalCount`.
async fn search(app: &TestApp, needle: &str) -> (Vec<String>, i64) {
    let (found, total) = all(app, &json!({ "search": needle }), &json!(null)).await;
    (slugs(&found), total)
}

/// Asserts the search for `needle` finds exactly what the oracle says, and returns its order.
async fn assert_search(app: &TestApp, pages: &[Indexed], needle: &str) -> Vec<String> {
    let (found, total) = search(app, needle).await;
    let expected = search_expected(pages, needle);
    let set: BTreeSet<String> = found.iter().cloned().collect();
    assert_eq!(
        set.len(),
        found.len(),
        "search {needle:?} repeats a page: {found:?}"
    );
    assert_eq!(set, expected, "search {needle:?}");
    assert_eq!(
        total as usize,
        expected.len(),
        "search {needle:?} totalCount"
    );
    found
}

async fn search_matches_word_prefixes_over_title_summary_tasks_and_skills(app: TestApp) {
    let pages = indexed(&app).await;
    assert_eq!(pages.len(), DEMO_ROLES);
    let (mut from_summary, mut from_rest) = (0, 0);
    for needle in [
        "BACKEND",
        "backend",
        "bAcKeNd DeVeLoPeR",
        "  Developer  ",
        "developer backend",
        "NURSE",
        "judgment",
        "SPREADSHEET",
        "code",
        "cod",
        "data analy",
        "customer",
        "review",
        "patient care",
        "zzzz-not-in-any-page",
    ] {
        let found = assert_search(&app, &pages, needle).await;
        for slug in &found {
            let page = pages.iter().find(|p| &p.slug == slug).expect("a page");
            if !prefix_match(&page.title, needle) {
                if prefix_match(&page.summary, needle) {
                    from_summary += 1;
                } else if !prefix_match(&format!("{}\n{}", page.title, page.summary), needle) {
                    from_rest += 1;
                }
            }
        }
    }
    assert!(from_summary > 0, "some matches come from the summary alone");
    assert!(
        from_rest > 0,
        "some matches come from tasks or skills alone"
    );
    // Words match from their start, not anywhere inside: no substring scan.
    for inside in ["ackend", "eveloper", "urse"] {
        assert!(
            !found_in(&pages, inside).is_empty(),
            "{inside:?} is inside some word"
        );
        let (found, total) = search(&app, inside).await;
        let expected = search_expected(&pages, inside);
        assert_eq!(
            found.into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{inside:?}"
        );
        assert_eq!(total as usize, expected.len(), "{inside:?}");
    }
    let (found, _) = search(&app, "ackend").await;
    assert!(
        !found.contains(&"backend-developer".to_owned()),
        "\"ackend\" is inside a word, not a prefix: {found:?}"
    );
    // A search of published pages sees tasks: a task's unusual word finds its page alone.
    let task_word = pages
        .iter()
        .flat_map(|p| words(&p.rest).into_iter().map(move |w| (w, p.slug.clone())))
        .filter(|(w, _)| w.len() > 6)
        .find(|(w, _)| search_expected(&pages, w).len() == 1)
        .expect("some task or skill word is on one page only");
    let (found, _) = search(&app, &task_word.0).await;
    assert_eq!(
        found,
        std::slice::from_ref(&task_word.1),
        "search {:?}",
        task_word.0
    );
    for blank in ["", "   "] {
        let (found, _) = all(&app, &json!({ "search": blank }), &json!(null)).await;
        assert_eq!(
            found.len(),
            DEMO_ROLES,
            "a blank search {blank:?} filters nothing"
        );
    }
}

/// Pages where `needle` occurs as a substring (what the old search found).
fn found_in(pages: &[Indexed], needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    pages
        .iter()
        .filter(|p| {
            format!("{}\n{}\n{}", p.title, p.summary, p.rest)
                .to_lowercase()
                .contains(&needle)
        })
        .map(|p| p.slug.clone())
        .collect()
}

/// Type-ahead: every prefix of "backend" finds Backend Developer, and from "backe" on it comes
/// first (its title matches; other pages only mention backends in passing).
async fn search_prefixes_type_ahead_to_the_title_match_first(app: TestApp) {
    let pages = indexed(&app).await;
    for n in 1..="backend".len() {
        let needle = &"backend"[..n];
        let found = assert_search(&app, &pages, needle).await;
        assert!(
            found.contains(&"backend-developer".to_owned()),
            "{needle:?}: {found:?}"
        );
    }
    for needle in ["backe", "Backen", "backend", "backend dev", "BACKE DEVEL"] {
        let found = assert_search(&app, &pages, needle).await;
        assert_eq!(
            found.first().map(String::as_str),
            Some("backend-developer"),
            "{needle:?} ranks the title match first: {found:?}"
        );
    }
    // An explicit order replaces relevance, with the same matches.
    let ranked = search(&app, "backe").await.0;
    let (by_title, _) = all(
        &app,
        &json!({ "search": "backe" }),
        &json!({ "field": "TITLE" }),
    )
    .await;
    let mut sorted = ranked.clone();
    sorted.sort();
    let mut titled = slugs(&by_title);
    if app.backend == Backend::Sqlite {
        let titles: Vec<&String> = by_title.iter().map(|r| &r.title).collect();
        assert!(titles.windows(2).all(|w| w[0] <= w[1]), "{titles:?}");
    }
    titled.sort();
    assert_eq!(titled, sorted);
}

/// A word in one page's title ranks it above pages that have the word only in their summary,
/// even when their titles sort first (so a title order cannot pass for relevance).
async fn search_ranks_a_title_match_above_summary_only_matches(app: TestApp) {
    app.sql("UPDATE roles SET title = 'Zymurgist Translator' WHERE slug = 'translator'")
        .await;
    app.sql(
        "UPDATE roles SET summary = summary || ' Some brew like a zymurgist.' \
         WHERE slug IN ('accountant', 'backend-developer', 'lawyer')",
    )
    .await;
    app.republish_all().await;
    let pages = indexed(&app).await;
    for needle in ["zymurgist", "ZYMUR", "zym"] {
        let found = assert_search(&app, &pages, needle).await;
        assert_eq!(found.len(), 4, "{needle:?}: {found:?}");
        assert_eq!(
            found[0], "translator",
            "{needle:?}: title match first: {found:?}"
        );
        // Paging through a ranked search gives the same sequence.
        for size in [1, 3] {
            let (walked, total) =
                walk(&app, &json!({ "search": needle }), &json!(null), size).await;
            assert_eq!(total, 4);
            assert_eq!(slugs(&walked), found, "{needle:?} in pages of {size}");
        }
    }
    // With an order given, the order rules: by title the translator comes last.
    let (by_title, _) = all(
        &app,
        &json!({ "search": "zymurgist" }),
        &json!({ "field": "TITLE" }),
    )
    .await;
    assert_eq!(
        slugs(&by_title).last().map(String::as_str),
        Some("translator")
    );
}

/// Case-insensitive means beyond ASCII too: a page titled "Übersetzer" is found by
/// "übersetzer", "ÜBERSETZER", a prefix, and "Übersetzer" itself. Accents are kept on both
/// databases (as the substring search kept them): "ecole" is not "école".
async fn search_is_case_insensitive_beyond_ascii(app: TestApp) {
    app.sql("UPDATE roles SET title = 'Übersetzer / Traductrice ÉCOLE' WHERE slug = 'translator'")
        .await;
    app.republish_all().await;
    let pages = indexed(&app).await;
    for needle in [
        "Übersetzer",
        "übersetzer",
        "ÜBERSETZER",
        "übers",
        "ÜBERS",
        "ÉCOLE",
        "école",
        "Traductrice",
        "TRADUCTRICE übersetzer",
    ] {
        let found = assert_search(&app, &pages, needle).await;
        assert_eq!(found, ["translator"], "search {needle:?}");
    }
    for needle in ["ecole", "ubersetzer"] {
        let found = assert_search(&app, &pages, needle).await;
        assert!(
            !found.contains(&"translator".to_owned()),
            "{needle:?}: {found:?}"
        );
    }
}

/// Query syntax of FTS5, tsquery and LIKE is plain text: every string answers 200 without
/// errors, with exactly the oracle's word-prefix matches (nothing for punctuation alone).
async fn search_wildcards_match_literally(app: TestApp) {
    let pages = indexed(&app).await;
    let punctuation: String = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        .chars()
        .cycle()
        .take(200)
        .collect();
    let hostile = [
        "\"",
        "*",
        "OR",
        ":",
        "%",
        "_",
        "%%",
        "\\",
        "back*",
        "back%end",
        "back_nd",
        "\"unterminated",
        "\"backend developer\"",
        "a:b",
        "title:backend",
        "NEAR(",
        "NEAR(backend developer)",
        "-x",
        "-backend",
        "^",
        "^backend",
        "backend OR nurse",
        "backend AND nurse",
        "NOT backend",
        "backend & !nurse",
        "backend | nurse",
        "'",
        "''",
        "backend:*",
        "(",
        ")",
        "{}",
        punctuation.as_str(),
    ];
    let query = "query($s: String) { roles(first: 100, filter: { search: $s }) { totalCount nodes { slug } } }";
    for needle in hostile {
        let (status, body) = app.query_text(query, json!({ "s": needle })).await;
        assert_eq!(status, 200, "{needle:?}: {body}");
        let response: Value = serde_json::from_str(&body).expect("JSON");
        assert!(response.get("errors").is_none(), "{needle:?}: {response:#}");
        let found: BTreeSet<String> = crate::helpers::strings_under(&response["data"], "slug")
            .into_iter()
            .collect();
        let expected = search_expected(&pages, needle);
        assert_eq!(found, expected, "search {needle:?}");
        assert_eq!(
            response["data"]["roles"]["totalCount"],
            expected.len(),
            "{needle:?}"
        );
        if words(needle).is_empty() {
            assert!(found.is_empty(), "{needle:?} has no word: {found:?}");
        }
    }
    // OR is a word to find, not an operator: "backend OR nurse" is not the union.
    let union: BTreeSet<String> = search_expected(&pages, "backend")
        .union(&search_expected(&pages, "nurse"))
        .cloned()
        .collect();
    let (or, _) = search(&app, "backend OR nurse").await;
    assert_ne!(or.into_iter().collect::<BTreeSet<_>>(), union);
    // Now give two pages those characters and find exactly them by their words.
    app.sql("UPDATE roles SET title = 'Telemarketer (100% remote)' WHERE slug = 'telemarketer'")
        .await;
    app.sql(
        "UPDATE roles SET summary = 'Writes snake_case code and C:\\temp paths.' \
         WHERE slug = 'qa-engineer'",
    )
    .await;
    app.republish_all().await;
    let pages = indexed(&app).await;
    for (needle, must) in [
        ("100%", "telemarketer"),
        ("(100%", "telemarketer"),
        ("100% remote", "telemarketer"),
        ("snake_case", "qa-engineer"),
        ("snake case", "qa-engineer"),
        ("c:\\temp", "qa-engineer"),
    ] {
        let found = assert_search(&app, &pages, needle).await;
        assert!(found.contains(&must.to_owned()), "{needle:?}: {found:?}");
    }
}

/// Editors' lists filtered by status search the working copies' titles and summaries by
/// substring (case-insensitive), not by word prefix.
async fn editors_status_filtered_search_keeps_substring_matching(app: TestApp) {
    app.sql("UPDATE roles SET title = 'Übersetzer 100%_x' WHERE slug = 'translator'")
        .await;
    app.refold_search_text().await;
    let token = crate::editing::admin();
    let query = "query($s: String) { roles(first: 100, filter: { status: PUBLISHED, search: $s }) \
                 { totalCount nodes { slug } } }";
    for (needle, expected) in [
        ("ackend devel", vec!["backend-developer"]),
        ("BERSETZER", vec!["translator"]),
        ("0%_", vec!["translator"]),
        ("%", vec!["translator"]),
    ] {
        let response = app
            .query_as(Some(&token), query, json!({ "s": needle }))
            .await;
        assert!(response.get("errors").is_none(), "{response:#}");
        let found = crate::helpers::strings_under(&response["data"], "slug");
        assert_eq!(found, expected, "editor search {needle:?}");
        // The public search is by word prefix: none of these is the start of a word.
        let public = search(&app, needle).await.0;
        assert!(
            !public.contains(&expected[0].to_owned()),
            "public {needle:?}: {public:?}"
        );
    }
}

async fn combined_filters_page_through_exactly_their_intersection(app: TestApp) {
    let (everything, _) = all(&app, &json!(null), &json!(null)).await;
    let pages = indexed(&app).await;
    let tech: Vec<&Row> = everything
        .iter()
        .filter(|r| r.category == "technology")
        .collect();
    let mut tech_scores: Vec<i64> = tech.iter().map(|r| r.score).collect();
    tech_scores.sort_unstable();
    let (lo, hi) = (tech_scores[1], tech_scores[tech_scores.len() - 2]);
    let needle = "E";
    let filter = json!({
        "categorySlug": "technology",
        "minScore": lo,
        "maxScore": hi,
        "search": needle,
    });
    let matching = search_expected(&pages, needle);
    let mut expected: Vec<String> = tech
        .iter()
        .filter(|r| r.score >= lo && r.score <= hi)
        .filter(|r| matching.contains(&r.slug))
        .map(|r| r.slug.clone())
        .collect();
    expected.sort();
    assert!(
        expected.len() >= 3,
        "a meaningful intersection: {expected:?}"
    );
    assert!(
        expected.len() < tech.len(),
        "the filters narrow: {expected:?}"
    );
    // Every explicit order, and relevance (no orderBy).
    for order in orders().into_iter().chain([json!(null)]) {
        let (single, total) = all(&app, &filter, &order).await;
        let mut got = slugs(&single);
        got.sort();
        assert_eq!(got, expected, "{order}");
        assert_eq!(total as usize, expected.len(), "{order}");
        if !order.is_null() {
            assert_sorted(&single, &order, app.backend);
        }
        for size in [1, 2] {
            let (walked, walked_total) = walk(&app, &filter, &order, size).await;
            assert_eq!(walked_total, total);
            assert_eq!(slugs(&walked), slugs(&single), "{order} size {size}");
        }
    }
    // Filters combined with a level narrow further, and agree with the single filters.
    let (moderate_tech, _) = all(
        &app,
        &json!({ "categorySlug": "technology", "level": "MODERATE" }),
        &json!(null),
    )
    .await;
    let expected: Vec<String> = everything
        .iter()
        .filter(|r| r.category == "technology" && r.level == "MODERATE")
        .map(|r| r.slug.clone())
        .collect();
    assert_eq!(slugs(&moderate_tech), expected);
}

async fn bad_list_arguments_are_bad_user_input_naming_the_argument(app: TestApp) {
    let cases = [
        (json!({ "first": 101 }), Some("first")),
        (json!({ "first": 1_000_000 }), Some("first")),
        (json!({ "first": -1 }), Some("first")),
        (json!({ "after": "garbage" }), Some("after")),
        (json!({ "after": "" }), Some("after")),
        (json!({ "after": "eyJmIjoiVGl0bGUifQ" }), Some("after")),
        (json!({ "after": "x".repeat(1500) }), Some("after")),
        (
            json!({ "filter": { "minScore": 60, "maxScore": 40 } }),
            Some("filter.minScore"),
        ),
        (
            json!({ "filter": { "minScore": -1 } }),
            Some("filter.minScore"),
        ),
        (
            json!({ "filter": { "maxScore": 101 } }),
            Some("filter.maxScore"),
        ),
        (json!({ "first": "ten" }), None),
        (json!({ "orderBy": { "field": "SALARY" } }), None),
    ];
    let mut contract = Vec::new();
    for (variables, field) in cases {
        let response = app.query(LIST_QUERY, variables.clone()).await;
        assert!(response["data"].is_null(), "{variables}: {response:#}");
        assert_bad_input(&response, field);
        let error = &response["errors"][0];
        let shown = variables.to_string();
        contract.push(json!({
            "variables": if shown.len() > 80 { json!(format!("<{} bytes>", shown.len())) } else { variables },
            "code": error["extensions"]["code"],
            "field": error["extensions"]["field"],
            "message": error["message"],
        }));
    }
    // What clients see, message by message: a change here is a change of the contract.
    insta::assert_json_snapshot!("bad_list_arguments", contract);
    // The same rules hold for the connections under a category and a tool.
    for query in [
        r#"{ category(slug: "technology") { roles(first: 101) { totalCount } } }"#,
        r#"{ tool(slug: "github-copilot") { roles(first: 101) { totalCount } } }"#,
        r#"{ category(slug: "technology") { roles(first: -5) { totalCount } } }"#,
    ] {
        let response = app.query(query, json!({})).await;
        assert_bad_input(&response, Some("first"));
    }
    let response = app
        .query(
            r#"{ category(slug: "technology") { roles(after: "nope") { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_bad_input(&response, Some("after"));
}

async fn foreign_cursors_are_bad_user_input(app: TestApp) {
    let mut cursors: Vec<(Value, String)> = Vec::new();
    for order in orders() {
        let first = page(&app, Some(3), None, &json!(null), &order).await;
        let cursor = first["pageInfo"]["endCursor"]
            .as_str()
            .expect("cursor")
            .to_owned();
        // The cursor works with its own order.
        let next = page(&app, Some(3), Some(&cursor), &json!(null), &order).await;
        assert_eq!(rows(&next).len(), 3);
        cursors.push((order, cursor));
    }
    for (own, cursor) in &cursors {
        for order in orders().into_iter().filter(|o| o != own) {
            let response = app
                .query(
                    LIST_QUERY,
                    json!({ "first": 3, "after": cursor, "orderBy": order }),
                )
                .await;
            assert_bad_input(&response, Some("after"));
        }
    }
    // A cursor is opaque but not secret: tampering with it is refused, not executed.
    let mut tampered = cursors[0].1.clone();
    tampered.insert(3, '!');
    let response = app
        .query(LIST_QUERY, json!({ "first": 3, "after": tampered }))
        .await;
    assert_eq!(first_error(&response).0, "BAD_USER_INPUT");
}

async fn categories_list_by_name_and_each_pages_through_its_roles(app: TestApp) {
    let (everything, _) = all(&app, &json!(null), &json!(null)).await;
    let data = app
        .data("{ categories { id slug name description } }", json!({}))
        .await;
    let categories = data["categories"].as_array().expect("categories");
    assert!(categories.len() >= 8, "{categories:?}");
    let names: Vec<&str> = categories
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if app.backend == Backend::Sqlite {
        assert_eq!(names, sorted, "categories come by name");
    }
    let query = r#"
      query Category($slug: String!, $first: Int, $after: String) {
        category(slug: $slug) {
          slug name
          roles(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { slug category { slug } }
          }
        }
      }"#;
    for category in categories {
        let slug = category["slug"].as_str().expect("slug");
        assert!(!category["description"].as_str().expect("text").is_empty());
        let expected: Vec<String> = everything
            .iter()
            .filter(|r| r.category == slug)
            .map(|r| r.slug.clone())
            .collect();
        assert!(!expected.is_empty(), "{slug} has roles");
        let one = app.data(query, json!({ "slug": slug, "first": 100 })).await;
        assert_eq!(one["category"]["name"], category["name"]);
        let roles = &one["category"]["roles"];
        assert_eq!(roles["totalCount"], expected.len(), "{slug}");
        let got: Vec<String> = roles["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| {
                assert_eq!(n["category"]["slug"], slug);
                n["slug"].as_str().expect("slug").to_owned()
            })
            .collect();
        assert_eq!(got, expected, "{slug}: its roles, by title");
        // Paged two at a time, the same sequence.
        let mut walked = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = app
                .data(query, json!({ "slug": slug, "first": 2, "after": after }))
                .await;
            let roles = &data["category"]["roles"];
            walked.extend(
                roles["nodes"]
                    .as_array()
                    .expect("nodes")
                    .iter()
                    .map(|n| n["slug"].as_str().expect("slug").to_owned()),
            );
            assert!(walked.len() <= expected.len(), "{slug}: {walked:?}");
            if roles["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = roles["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(walked, expected, "{slug} in pages of 2");
    }
    let unknown = app
        .query(query, json!({ "slug": "no-such-category" }))
        .await;
    assert!(unknown.get("errors").is_none(), "{unknown:#}");
    assert_eq!(unknown["data"]["category"], Value::Null);
}

async fn tools_list_the_published_roles_they_affect(app: TestApp) {
    let data = app
        .data(
            "{ roles(first: 100) { nodes { slug toolsAffecting { tool { slug } } \
             toolsToMaster { tool { slug } } } } }",
            json!({}),
        )
        .await;
    let mut affected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut mastered: BTreeSet<String> = BTreeSet::new();
    for role in data["roles"]["nodes"].as_array().expect("nodes") {
        let slug = role["slug"].as_str().expect("slug");
        for link in role["toolsAffecting"].as_array().expect("tools") {
            affected
                .entry(link["tool"]["slug"].as_str().expect("slug").to_owned())
                .or_default()
                .insert(slug.to_owned());
        }
        for link in role["toolsToMaster"].as_array().expect("tools") {
            mastered.insert(link["tool"]["slug"].as_str().expect("slug").to_owned());
        }
    }
    let tools = app
        .data("{ tools { slug name vendor url description } }", json!({}))
        .await;
    let tools = tools["tools"].as_array().expect("tools");
    assert!(!tools.is_empty());
    let names: Vec<&str> = tools
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    if app.backend == Backend::Sqlite {
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "tools come by name");
    }
    let listed: BTreeSet<&str> = tools
        .iter()
        .map(|t| t["slug"].as_str().expect("slug"))
        .collect();
    for slug in affected.keys().chain(mastered.iter()) {
        assert!(listed.contains(slug.as_str()), "{slug} is listed");
    }
    let query = r#"
      query Tool($slug: String!) {
        tool(slug: $slug) { slug roles(first: 100) { totalCount nodes { slug } } }
      }"#;
    let mut with_roles = 0;
    for slug in &listed {
        let data = app.data(query, json!({ "slug": slug })).await;
        let roles = &data["tool"]["roles"];
        let got: BTreeSet<String> = roles["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["slug"].as_str().expect("slug").to_owned())
            .collect();
        let expected = affected.get(*slug).cloned().unwrap_or_default();
        assert_eq!(
            got, expected,
            "{slug}: the roles it affects (not those that should master it)"
        );
        assert_eq!(roles["totalCount"], expected.len(), "{slug}");
        with_roles += usize::from(!got.is_empty());
    }
    assert!(with_roles > 1, "several tools affect roles");
    let copilot = app.data(query, json!({ "slug": "github-copilot" })).await;
    assert!(
        strings_in(&copilot["tool"]["roles"]["nodes"]).contains(&"backend-developer".to_owned()),
        "{copilot:#}"
    );
    let unknown = app.query(query, json!({ "slug": "no-such-tool" })).await;
    assert!(unknown.get("errors").is_none(), "{unknown:#}");
    assert_eq!(unknown["data"]["tool"], Value::Null);
}

fn strings_in(nodes: &Value) -> Vec<String> {
    crate::helpers::strings_under(nodes, "slug")
}

async fn sources_list_by_title_and_resolve_by_id(app: TestApp) {
    let data = app
        .data(
            "{ sources { id slug title publisher url publishedOn } }",
            json!({}),
        )
        .await;
    let sources = data["sources"].as_array().expect("sources");
    assert!(!sources.is_empty());
    if app.backend == Backend::Sqlite {
        let titles: Vec<&str> = sources
            .iter()
            .map(|s| s["title"].as_str().expect("title"))
            .collect();
        let mut sorted = titles.clone();
        sorted.sort_unstable();
        assert_eq!(titles, sorted, "sources come by title");
    }
    let query =
        "query Source($id: ID!) { source(id: $id) { id slug title publisher url publishedOn } }";
    for source in sources {
        let one = app.data(query, json!({ "id": source["id"] })).await;
        assert_eq!(&one["source"], source);
    }
    for unknown in ["999999", "0", "-1"] {
        let response = app.query(query, json!({ "id": unknown })).await;
        assert!(response.get("errors").is_none(), "{unknown}: {response:#}");
        assert_eq!(response["data"]["source"], Value::Null, "{unknown}");
    }
    for bad in ["abc", "1.5", "", "99999999999"] {
        let response = app.query(query, json!({ "id": bad })).await;
        assert_bad_input(&response, Some("id"));
    }
    // A literal id works too, as a number or a string.
    let id = sources[0]["id"].as_str().expect("id");
    for literal in [format!("\"{id}\""), id.to_owned()] {
        let data = app
            .data(
                &format!("{{ source(id: {literal}) {{ slug }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(data["source"]["slug"], sources[0]["slug"]);
    }
}
