//! `relatedRoles`: other published roles of the same category, nearest in score first.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_bad_input};
use crate::on_both;

/// A role as `relatedRoles` lists it.
#[derive(Debug, Clone, PartialEq)]
struct Peer {
    slug: String,
    category: String,
    score: i64,
    status: String,
}

fn peer(node: &Value) -> Peer {
    Peer {
        slug: node["slug"].as_str().expect("slug").to_owned(),
        category: node["category"]["slug"]
            .as_str()
            .expect("category")
            .to_owned(),
        score: node["risk"]["score"].as_i64().expect("score"),
        status: node["status"].as_str().expect("status").to_owned(),
    }
}

fn peers(list: &Value) -> Vec<Peer> {
    list.as_array()
        .expect("a list of roles")
        .iter()
        .map(peer)
        .collect()
}

const RELATED_QUERY: &str = r#"
query Related($slug: String!, $first: Int) {
  role(slug: $slug) {
    slug category { slug } risk { score } status
    relatedRoles(first: $first) { slug category { slug } risk { score } status }
  }
}"#;

/// Every published role, by slug.
async fn published(app: &TestApp) -> BTreeMap<String, Peer> {
    let data = app
        .data(
            "{ roles(first: 100) { nodes { slug category { slug } risk { score } status } } }",
            json!({}),
        )
        .await;
    peers(&data["roles"]["nodes"])
        .into_iter()
        .map(|p| (p.slug.clone(), p))
        .collect()
}

/// Checks one role's related list against the whole published set.
fn check_related(role: &Peer, related: &[Peer], all: &BTreeMap<String, Peer>, first: usize) {
    let same_category = all
        .values()
        .filter(|p| p.category == role.category && p.slug != role.slug)
        .count();
    assert_eq!(
        related.len(),
        first.min(same_category),
        "{}: {related:?}",
        role.slug
    );
    for p in related {
        assert_ne!(p.slug, role.slug, "a role is not related to itself");
        assert_eq!(p.category, role.category, "{} -> {}", role.slug, p.slug);
        assert_eq!(p.status, "PUBLISHED");
        assert_eq!(all.get(&p.slug), Some(p), "{} is a published role", p.slug);
    }
    let distances: Vec<i64> = related
        .iter()
        .map(|p| (p.score - role.score).abs())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "{}: nearest in score first, got distances {distances:?}",
        role.slug
    );
    // Nothing closer was left out: every omitted peer is at least as far as the last shown.
    if let Some(last) = distances.last() {
        for p in all.values() {
            let shown = related.iter().any(|r| r.slug == p.slug);
            if p.category == role.category && p.slug != role.slug && !shown {
                assert!(
                    (p.score - role.score).abs() >= *last,
                    "{}: {} (distance {}) was skipped for one at distance {last}",
                    role.slug,
                    p.slug,
                    (p.score - role.score).abs()
                );
            }
        }
    }
}

on_both!(
    related_roles_are_the_nearest_published_peers_in_the_same_category,
    related_roles_respect_first_and_default_to_five,
    related_roles_leave_out_unpublished_peers,
    related_roles_first_above_50_or_negative_is_bad_user_input,
    related_roles_in_a_list_match_each_role_asked_alone,
    related_lists_of_different_lengths_in_one_request_agree,
);

async fn related_roles_are_the_nearest_published_peers_in_the_same_category(app: TestApp) {
    let all = published(&app).await;
    for slug in all.keys() {
        let data = app
            .data(RELATED_QUERY, json!({ "slug": slug, "first": 50 }))
            .await;
        let role = peer(&data["role"]);
        let related = peers(&data["role"]["relatedRoles"]);
        check_related(&role, &related, &all, 50);
    }
}

async fn related_roles_respect_first_and_default_to_five(app: TestApp) {
    let all = published(&app).await;
    let full = app
        .data(
            RELATED_QUERY,
            json!({ "slug": "backend-developer", "first": 50 }),
        )
        .await;
    let full = peers(&full["role"]["relatedRoles"]);
    assert!(full.len() > 5, "technology has more than six roles");
    let role = all["backend-developer"].clone();
    for first in [0, 1, 2, 5, 50] {
        let data = app
            .data(
                RELATED_QUERY,
                json!({ "slug": "backend-developer", "first": first }),
            )
            .await;
        let related = peers(&data["role"]["relatedRoles"]);
        check_related(&role, &related, &all, first);
        assert_eq!(related, full[..first.min(full.len())], "first: {first}");
    }
    let default = app
        .data(RELATED_QUERY, json!({ "slug": "backend-developer" }))
        .await;
    assert_eq!(peers(&default["role"]["relatedRoles"]), full[..5]);
}

async fn related_roles_leave_out_unpublished_peers(app: TestApp) {
    let before = app
        .data(
            RELATED_QUERY,
            json!({ "slug": "backend-developer", "first": 50 }),
        )
        .await;
    let before = peers(&before["role"]["relatedRoles"]);
    let nearest = before[0].slug.clone();
    app.sql(&format!(
        "UPDATE roles SET status = 'DRAFT' WHERE slug = '{nearest}'"
    ))
    .await;
    let farthest = before[before.len() - 1].slug.clone();
    app.sql(&format!(
        "UPDATE roles SET status = 'ARCHIVED' WHERE slug = '{farthest}'"
    ))
    .await;
    app.republish_all().await;
    let all = published(&app).await;
    let after = app
        .data(
            RELATED_QUERY,
            json!({ "slug": "backend-developer", "first": 50 }),
        )
        .await;
    let after = peers(&after["role"]["relatedRoles"]);
    let expected: Vec<Peer> = before
        .iter()
        .filter(|p| p.slug != nearest && p.slug != farthest)
        .cloned()
        .collect();
    assert_eq!(after, expected);
    check_related(&all["backend-developer"], &after, &all, 50);
}

async fn related_roles_first_above_50_or_negative_is_bad_user_input(app: TestApp) {
    for first in [51, 1000, -1] {
        let response = app
            .query(
                RELATED_QUERY,
                json!({ "slug": "backend-developer", "first": first }),
            )
            .await;
        assert_bad_input(&response, Some("first"));
        assert_eq!(
            response["errors"][0]["path"],
            json!(["role", "relatedRoles"]),
            "{response:#}"
        );
    }
}

/// The batched loader serves every role of a list at once; each must get its own peers.
async fn related_roles_in_a_list_match_each_role_asked_alone(app: TestApp) {
    let data = app
        .data(
            "{ roles(first: 100) { nodes { slug relatedRoles(first: 3) { slug } } } }",
            json!({}),
        )
        .await;
    let nodes = data["roles"]["nodes"].as_array().expect("nodes");
    assert!(nodes.len() > 40);
    for node in nodes {
        let alone = app
            .data(
                "query($s: String!) { role(slug: $s) { relatedRoles(first: 3) { slug } } }",
                json!({ "s": node["slug"] }),
            )
            .await;
        assert_eq!(
            node["relatedRoles"], alone["role"]["relatedRoles"],
            "{}",
            node["slug"]
        );
    }
}

async fn related_lists_of_different_lengths_in_one_request_agree(app: TestApp) {
    // Two lengths for one role share a batch: each is its own list, with no peer twice.
    let data = app
        .data(
            r#"{ role(slug: "backend-developer") { short: relatedRoles(first: 2) { slug } long: relatedRoles(first: 50) { slug } } }"#,
            json!({}),
        )
        .await;
    let slugs = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|r| r["slug"].as_str().expect("slug").to_owned())
            .collect()
    };
    let short = slugs(&data["role"]["short"]);
    let long = slugs(&data["role"]["long"]);
    assert_eq!(short.len(), 2);
    assert_eq!(
        short[..],
        long[..2],
        "the short list is the long one's start"
    );
    let mut unique = long.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), long.len(), "no peer twice: {long:?}");
}
