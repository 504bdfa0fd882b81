//! Thousands of generated hostile requests against the real binary: every answer is a coded
//! error or valid data, nothing but the documented 503 is a 5xx, the process survives, and its
//! resident memory stays under a stated bound.

use std::time::Duration;

use futures::StreamExt;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use super::{Server, seeded};
use crate::hardening::{BIGGER_BOMB, BOMB, INTROSPECTION, PAGE};
use crate::helpers::Backend;
use crate::on_both;

/// Generated requests per database.
const CASES: usize = 2_500;
/// Peak resident memory the server may reach while it answers them, in MB.
const PEAK_RSS_MB: u64 = 200;

/// One generated request.
#[derive(Debug, Clone)]
enum Hostile {
    /// POST with this content type and raw body.
    Raw {
        content_type: Option<&'static str>,
        accept: Option<&'static str>,
        body: Vec<u8>,
    },
    /// POST of a JSON request.
    Json {
        accept: Option<&'static str>,
        body: Value,
    },
    /// GET with this query string.
    Get { query: String },
}

fn accept() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "application/json",
        "application/graphql-response+json",
        "*/*",
        "text/html",
        "text/plain",
        "application/graphql-response+json;q=0, application/json;q=0",
        ";;;,,,q=",
    ]))
}

/// A list bomb: `roles` with `depth` nested `relatedRoles`, each with a random `first`.
fn list_bomb() -> impl Strategy<Value = String> {
    (1usize..7, prop::collection::vec(-5i64..2000, 7), 1usize..30).prop_map(
        |(depth, firsts, aliases)| {
            let mut inner = String::from("slug title summary industryContext");
            for first in firsts.iter().take(depth) {
                inner = format!("relatedRoles(first: {first}) {{ {inner} }}");
            }
            let one = format!("roles(first: {}) {{ nodes {{ {inner} }} }}", firsts[0]);
            let all: String = (0..aliases).map(|i| format!("a{i}: {one} ")).collect();
            format!("{{ {all} }}")
        },
    )
}

fn document() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(PAGE.to_owned()),
        Just(BOMB.to_owned()),
        Just(BIGGER_BOMB.to_owned()),
        Just(INTROSPECTION.to_owned()),
        list_bomb(),
        // Deep nesting of selections, lists and objects.
        (1usize..5000).prop_map(|n| format!("{}{}", "{ a ".repeat(n), "}".repeat(n))),
        (1usize..5000).prop_map(|n| format!(
            "{{ role(slug: {}\"x\"{}) {{ title }} }}",
            "[".repeat(n),
            "]".repeat(n)
        )),
        (1usize..2000).prop_map(|n| format!(
            "{{ roles(filter: {}search: \"x\"{}) {{ totalCount }} }}",
            "{ f: ".repeat(n),
            "}".repeat(n)
        )),
        // Alias and field floods.
        (1usize..3000).prop_map(|n| {
            let body: String = (0..n).map(|i| format!("a{i}: __typename ")).collect();
            format!("{{ {body} }}")
        }),
        (1usize..3000).prop_map(|n| format!(
            "{{ role(slug: \"backend-developer\") {{ {} }} }}",
            "title ".repeat(n)
        )),
        // Fragment floods: each fragment spreads the next twice.
        (1usize..60).prop_map(|n| {
            let mut q = String::from("{ roles { nodes { ...F0 } } }\n");
            for i in 0..n {
                q.push_str(&format!(
                    "fragment F{i} on Role {{ ...F{} ...F{} }}\n",
                    i + 1,
                    i + 1
                ));
            }
            q + &format!("fragment F{n} on Role {{ slug }}\n")
        }),
        // Fragment cycles.
        Just(
            "{ roles { nodes { ...A } } } fragment A on Role { ...B } fragment B on Role { ...A }"
                .to_owned()
        ),
        // Huge strings and NUL bytes.
        (0usize..300_000)
            .prop_map(|n| format!("{{ role(slug: \"{}\") {{ title }} }}", "x".repeat(n))),
        "[\\PC\u{0}]{0,200}".prop_map(|s| format!("{{ role(slug: {s:?}) {{ title }} }}")),
        // Random text.
        "\\PC{0,300}",
        // Mutations without a token.
        Just(
            r#"mutation { deleteRole(slug: "backend-developer", expectedVersion: 1) { slug } }"#
                .to_owned()
        ),
    ]
}

fn variables() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({ "slug": "backend-developer" })),
        Just(json!({ "slug": 42 })),
        Just(json!({ "slug": null })),
        Just(json!({ "slug": ["a", "b"] })),
        Just(json!({ "slug": { "deep": { "er": [1, 2, { "x": null }] } } })),
        "\\PC{0,100}".prop_map(|s| json!({ "slug": s })),
        Just(json!("not an object")),
        Just(json!([1, 2, 3])),
        Just(Value::Null),
    ]
}

fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        // Random bytes under random content types.
        (
            prop::option::of(prop::sample::select(vec![
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/json; charset=latin1",
                "multipart/form-data; boundary=x",
            ])),
            accept(),
            prop::collection::vec(any::<u8>(), 0..2000),
        )
            .prop_map(|(content_type, accept, body)| Hostile::Raw {
                content_type,
                accept,
                body,
            }),
        // Broken JSON: a valid request cut short.
        (document(), 0usize..200, accept()).prop_map(|(q, cut, accept)| {
            let full = json!({ "query": q }).to_string().into_bytes();
            let cut = full.len().saturating_sub(cut + 1);
            Hostile::Raw {
                content_type: Some("application/json"),
                accept,
                body: full[..cut].to_vec(),
            }
        }),
        // Well-formed JSON with hostile documents and wrong variable types.
        (
            document(),
            variables(),
            accept(),
            prop::option::of("[A-Za-z]{1,10}")
        )
            .prop_map(|(q, v, accept, op)| Hostile::Json {
                accept,
                body: json!({ "query": q, "variables": v, "operationName": op }),
            }),
        // Wrong shapes.
        (any::<i64>(), accept()).prop_map(|(n, accept)| Hostile::Json {
            accept,
            body: json!({ "query": n }),
        }),
        (document(), accept()).prop_map(|(q, accept)| Hostile::Json {
            accept,
            body: json!([{ "query": q }, { "query": q }]),
        }),
        // GET with a hostile query string.
        // (URLs stay under what an HTTP client sends at all.)
        (document(), "\\PC{0,50}")
            .prop_filter("a URL a client can send", |(q, _)| q.len() < 6000)
            .prop_map(|(q, v)| {
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair("query", &q)
                    .append_pair("variables", &v)
                    .finish();
                Hostile::Get { query }
            }),
    ]
}

fn request(client: &reqwest::Client, server_url: &str, case: &Hostile) -> reqwest::RequestBuilder {
    let request = match case {
        Hostile::Raw {
            content_type,
            accept,
            body,
        } => {
            let mut r = client.post(server_url).body(body.clone());
            if let Some(t) = content_type {
                r = r.header("content-type", *t);
            }
            if let Some(a) = accept {
                r = r.header("accept", *a);
            }
            r
        }
        Hostile::Json { accept, body } => {
            let mut r = client.post(server_url).json(body);
            if let Some(a) = accept {
                r = r.header("accept", *a);
            }
            r
        }
        Hostile::Get { query } => client.get(format!("{server_url}?{query}")),
    };
    request.timeout(Duration::from_secs(30))
}

/// Sends `case`; returns a description of what is wrong with the answer, if anything.
async fn check(client: &reqwest::Client, server_url: &str, case: &Hostile) -> Option<String> {
    // A kept-alive connection the server closes after refusing an oversized body can race the
    // client's next request on it; like any HTTP client, send once more on a fresh connection.
    let response = match request(client, server_url, case).send().await {
        Ok(r) => r,
        Err(first) => match request(&reqwest::Client::new(), server_url, case)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return Some(format!("no answer: {first}; retried: {e}")),
        },
    };
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    // hyper refuses an oversized request line or head before any handler runs.
    if matches!(status, 414 | 431) {
        return None;
    }
    let body: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(_) => return Some(format!("status {status}, not JSON: {:.200}", text)),
    };
    let errors = body["errors"].as_array();
    let coded = errors.is_some_and(|errors| {
        !errors.is_empty() && errors.iter().all(|e| e["extensions"]["code"].is_string())
    });
    let codes: Vec<&str> = errors
        .map(|e| {
            e.iter()
                .filter_map(|e| e["extensions"]["code"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if codes.contains(&"INTERNAL") {
        return Some(format!("INTERNAL error: {:.300}", text));
    }
    if status >= 500 && !(status == 503 && codes.contains(&"SERVICE_UNAVAILABLE")) {
        return Some(format!("status {status}: {:.300}", text));
    }
    let has_data = body.get("data").is_some_and(|d| !d.is_null());
    if errors.is_some() && !coded {
        return Some(format!("uncoded error: {:.300}", text));
    }
    if !has_data && errors.is_none() {
        return Some(format!("neither data nor errors: {:.300}", text));
    }
    for word in ["SELECT", "sqlx", "sea_orm", "/src/", "panicked", "Error("] {
        if text.contains(word) {
            return Some(format!("{word:?} leaked: {:.300}", text));
        }
    }
    None
}

on_both!(backend => generated_hostile_requests_get_coded_answers_in_bounded_memory);

async fn generated_hostile_requests_get_coded_answers_in_bounded_memory(backend: Backend) {
    let db = seeded(backend).await;
    let mut server = Server::start(&db.url, &[]);
    // A fixed seed: a failure names its case and reproduces.
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = hostile();
    let cases: Vec<Hostile> = (0..CASES)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect();
    let client = reqwest::Client::new();
    let url = server.graphql_url();
    let failures: Vec<String> = futures::stream::iter(cases.iter())
        .map(|case| {
            let client = &client;
            let url = &url;
            async move {
                check(client, url, case).await.map(|f| {
                    let case: String = format!("{case:?}").chars().take(300).collect();
                    format!("{f}\n  case: {case}")
                })
            }
        })
        .buffer_unordered(8)
        .filter_map(|f| async move { f })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {CASES} answers were wrong, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Twenty list bombs at once.
    let bombs = futures::future::join_all((0..20).map(|i| {
        let client = &client;
        let url = &url;
        async move {
            let bomb = if i % 2 == 0 { BOMB } else { BIGGER_BOMB };
            let r = client
                .post(url)
                .json(&json!({ "query": bomb }))
                .send()
                .await
                .expect("answered");
            r.json::<Value>().await.expect("json")
        }
    }))
    .await;
    for answer in bombs {
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    assert!(server.is_running(), "the server survived");
    let peak_mb = server.memory_kb("VmHWM") / 1024;
    eprintln!(
        "[{backend:?}] peak resident memory after {CASES} hostile requests and 20 bombs: {peak_mb} MB"
    );
    assert!(
        peak_mb < PEAK_RSS_MB,
        "peak resident memory {peak_mb} MB, bound {PEAK_RSS_MB} MB"
    );
    // Still serving pages.
    let page: Value = client
        .post(&url)
        .json(&json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }))
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    assert_eq!(page["data"]["role"]["title"], "Backend Developer");
}
