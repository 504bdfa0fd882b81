//! Webhooks: a real HTTP receiver on loopback, signatures checked by this file's own
//! implementation of the Standard Webhooks specification (not the product's), retries,
//! rolled-back writes, two servers on one database, a crash between commit and delivery, and
//! the addresses webhooks may not point at.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Backend, JWT_SECRET, TestApp, token};
use crate::on_both;
use crate::process::{Server, seeded};

/// What the receiver answers, request by request; 204 once the script is done.
#[derive(Clone, Debug)]
enum Answer {
    Status(u16),
    Sleep(Duration),
}

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

#[derive(Default)]
struct Inner {
    script: Mutex<VecDeque<Answer>>,
    got: Mutex<Vec<Received>>,
}

/// An HTTP server on loopback that records every POST.
struct Receiver {
    addr: SocketAddr,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: String) -> StatusCode {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    if let Ok(mut got) = inner.got.lock() {
        got.push(Received { headers, body });
    }
    let next = inner.script.lock().ok().and_then(|mut s| s.pop_front());
    match next {
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
        Some(Answer::Sleep(d)) => {
            tokio::time::sleep(d).await;
            StatusCode::OK
        }
        None => StatusCode::NO_CONTENT,
    }
}

impl Receiver {
    async fn start(script: Vec<Answer>) -> Self {
        Self::on(
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind"),
            script,
        )
    }

    fn on(listener: tokio::net::TcpListener, script: Vec<Answer>) -> Self {
        let addr = listener.local_addr().expect("address");
        let inner = Arc::new(Inner {
            script: Mutex::new(script.into()),
            got: Mutex::default(),
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, inner, task }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn got(&self) -> Vec<Received> {
        self.inner.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Waits up to `timeout` for `n` requests; returns what came.
    async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if self.got().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.got()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The Standard Webhooks check, written from the specification: the key is the base64 after
/// `whsec_`, the signed content `id.timestamp.body`, the header a space-separated list of
/// `v1,<base64 HMAC-SHA256>`, and the timestamp within five minutes of now.
fn verify(secret: &str, received: &Received) -> bool {
    let (Some(id), Some(timestamp), Some(signatures)) = (
        received.headers.get("webhook-id"),
        received.headers.get("webhook-timestamp"),
        received.headers.get("webhook-signature"),
    ) else {
        return false;
    };
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if (now - seconds).abs() > 300 {
        return false;
    }
    let Some(key) = secret
        .strip_prefix("whsec_")
        .and_then(|k| STANDARD.decode(k).ok())
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

fn admin() -> String {
    token(
        "admin@example.com",
        Some("content:read content:write content:publish content:delete"),
    )
}

const CREATE: &str = r#"mutation($url: String!, $events: [String!]!) {
  createWebhook(url: $url, events: $events, description: "test receiver") { secret webhook { id url events } }
}"#;

const PREVIEW: &str = r#"query($slug: String!) { role(slug: $slug, preview: true) { version } }"#;

const UPDATE: &str = r#"mutation($slug: String!, $v: Int!, $summary: String!) {
  updateRole(slug: $slug, expectedVersion: $v, input: { summary: $summary }) { version }
}"#;

const PUBLISH: &str = r#"mutation($slug: String!, $v: Int!) {
  publishRole(slug: $slug, expectedVersion: $v) { version publishedVersion }
}"#;

const DELIVERIES: &str = r#"query($id: ID!) {
  webhookDeliveries(webhookId: $id, first: 10) { nodes { id eventId eventType subject status attempts lastStatusCode lastError } }
}"#;

/// Registers `url` for `events` as an admin: (webhook id, secret).
async fn register(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let made = app
        .query_as(
            Some(&admin()),
            CREATE,
            json!({ "url": url, "events": events }),
        )
        .await;
    let created = &made["data"]["createWebhook"];
    let secret = created["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{made:#}"));
    let id = created["webhook"]["id"].as_str().expect("id");
    (id.to_owned(), secret.to_owned())
}

async fn version(app: &TestApp, slug: &str) -> i64 {
    let read = app
        .query_as(Some(&admin()), PREVIEW, json!({ "slug": slug }))
        .await;
    read["data"]["role"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{read:#}"))
}

async fn publish(app: &TestApp, slug: &str) -> Value {
    let v = version(app, slug).await;
    let published = app
        .query_as(Some(&admin()), PUBLISH, json!({ "slug": slug, "v": v }))
        .await;
    assert!(
        published["data"]["publishRole"]["version"].is_number(),
        "{published:#}"
    );
    published["data"]["publishRole"].clone()
}

async fn deliveries(app: &TestApp, id: &str) -> Vec<Value> {
    let read = app
        .query_as(Some(&admin()), DELIVERIES, json!({ "id": id }))
        .await;
    read["data"]["webhookDeliveries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{read:#}"))
}

fn webhook_env() -> Vec<(&'static str, String)> {
    vec![
        ("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned()),
        ("JOBRISK_WEBHOOK_ALLOW_PRIVATE", "true".to_owned()),
        ("JOBRISK_WEBHOOK_TIMEOUT_SECS", "1".to_owned()),
    ]
}

on_both!(
    backend => a_publish_reaches_the_receiver_once_signed_with_its_cache_tags,
    failed_attempts_are_retried_after_500s_and_timeouts,
    a_write_that_is_rolled_back_sends_nothing,
    webhooks_refuse_internal_addresses_and_need_admins,
    an_event_committed_before_a_crash_is_delivered_once_after_restart,
    a_delivery_is_given_up_after_the_retry_time_and_redirects_are_not_followed
);

async fn a_publish_reaches_the_receiver_once_signed_with_its_cache_tags(backend: Backend) {
    let app = TestApp::spawn_configured(backend, webhook_env()).await;
    let receiver = Receiver::start(Vec::new()).await;
    let (id, secret) = register(&app, &receiver.url(), &["role.published"]).await;
    let started = Instant::now();
    let published = publish(&app, "backend-developer").await;
    let got = receiver.wait_for(1, Duration::from_secs(2)).await;
    assert_eq!(got.len(), 1, "one event within 2 s of the publish");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    let event = &got[0];
    assert!(verify(&secret, event), "the signature verifies: {event:?}");
    assert!(!verify(
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        event
    ));
    let body: Value = serde_json::from_str(&event.body).expect("a JSON body");
    assert_eq!(body["type"], "role.published");
    assert_eq!(body["data"]["slug"], "backend-developer");
    assert_eq!(body["data"]["version"], published["version"]);
    assert_eq!(
        body["data"]["publishedVersion"],
        published["publishedVersion"]
    );
    let tags: Vec<&str> = body["data"]["cacheTags"]
        .as_array()
        .expect("cacheTags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(tags.contains(&"slug-backend-developer"), "{tags:?}");
    assert!(tags.iter().any(|t| t.starts_with("role-")), "{tags:?}");
    assert_eq!(event.headers["content-type"], "application/json");

    // Nothing more comes (an edit is role.updated, which this webhook did not ask for).
    let v = version(&app, "backend-developer").await;
    let edit = app
        .query_as(
            Some(&admin()),
            UPDATE,
            json!({ "slug": "backend-developer", "v": v, "summary": "Edited after publishing." }),
        )
        .await;
    assert!(
        edit["data"]["updateRole"]["version"].is_number(),
        "{edit:#}"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(receiver.got().len(), 1, "exactly one event");
    let listed = deliveries(&app, &id).await;
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["status"], "DELIVERED");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["lastStatusCode"], 204);
    assert_eq!(listed[0]["eventId"], event.headers["webhook-id"].as_str());
}

async fn failed_attempts_are_retried_after_500s_and_timeouts(backend: Backend) {
    let app = TestApp::spawn_configured(backend, webhook_env()).await;
    // A 500, then an answer slower than JOBRISK_WEBHOOK_TIMEOUT_SECS=1, then 204.
    let receiver = Receiver::start(vec![
        Answer::Status(500),
        Answer::Sleep(Duration::from_secs(3)),
    ])
    .await;
    let (id, secret) = register(&app, &receiver.url(), &["role.published"]).await;
    publish(&app, "backend-developer").await;
    // Backoff: about 1 s after the 500, about 2 s after the timeout (each a fifth either way).
    let got = receiver.wait_for(3, Duration::from_secs(12)).await;
    assert_eq!(got.len(), 3, "three attempts");
    let first = &got[0].headers["webhook-id"];
    assert!(
        got.iter()
            .all(|r| &r.headers["webhook-id"] == first && verify(&secret, r)),
        "every attempt carries the same id and a valid signature"
    );
    let started = Instant::now();
    let mut listed = deliveries(&app, &id).await;
    while listed[0]["status"] != "DELIVERED" && started.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        listed = deliveries(&app, &id).await;
    }
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["status"], "DELIVERED", "{listed:#?}");
    assert_eq!(listed[0]["attempts"], 3);

    // A delivery can be sent again on request, with the same id.
    let again = app
        .query_as(
            Some(&admin()),
            "mutation($id: ID!) { redeliverWebhookEvent(deliveryId: $id) { id eventId status } }",
            json!({ "id": listed[0]["id"] }),
        )
        .await;
    assert_eq!(
        again["data"]["redeliverWebhookEvent"]["eventId"], listed[0]["eventId"],
        "{again:#}"
    );
    let got = receiver.wait_for(4, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 4);
    assert_eq!(&got[3].headers["webhook-id"], first);
}

async fn a_write_that_is_rolled_back_sends_nothing(backend: Backend) {
    let app = TestApp::spawn_configured(backend, webhook_env()).await;
    let receiver = Receiver::start(Vec::new()).await;
    let (id, _) = register(&app, &receiver.url(), &["role.updated", "role.published"]).await;
    let v = version(&app, "backend-developer").await;
    // Refused inside its transaction, after the version was bumped: rolled back.
    let bad = app
        .query_as(
            Some(&admin()),
            UPDATE,
            json!({ "slug": "backend-developer", "v": v, "summary": "" }),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{bad:#}"
    );
    let stale = app
        .query_as(
            Some(&admin()),
            PUBLISH,
            json!({ "slug": "backend-developer", "v": v - 1 }),
        )
        .await;
    assert_eq!(
        stale["errors"][0]["extensions"]["code"], "CONFLICT",
        "{stale:#}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.got().is_empty(), "nothing sent for refused writes");
    assert!(deliveries(&app, &id).await.is_empty());

    // The same write done right is sent, once.
    let good = app
        .query_as(
            Some(&admin()),
            UPDATE,
            json!({ "slug": "backend-developer", "v": v, "summary": "A summary that is fine." }),
        )
        .await;
    assert_eq!(good["data"]["updateRole"]["version"], v + 1, "{good:#}");
    let got = receiver.wait_for(1, Duration::from_secs(2)).await;
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(&got[0].body).expect("JSON");
    assert_eq!(body["type"], "role.updated");
    assert_eq!(body["data"]["version"], v + 1);
}

async fn webhooks_refuse_internal_addresses_and_need_admins(backend: Backend) {
    let app =
        TestApp::spawn_configured(backend, vec![("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned())])
            .await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/hook",
        "http://192.168.0.10/hook",
        "http://[::1]/hook",
        "ftp://example.com/hook",
        "file:///etc/passwd",
    ] {
        let refused = app
            .query_as(
                Some(&admin()),
                CREATE,
                json!({ "url": url, "events": ["role.published"] }),
            )
            .await;
        let error = &refused["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{url}: {refused:#}"
        );
        assert_eq!(error["extensions"]["field"], "url", "{url}");
    }
    let unknown = app
        .query_as(
            Some(&admin()),
            CREATE,
            json!({ "url": "https://hooks.example.com/x", "events": ["role.published", "role.exploded"] }),
        )
        .await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["field"], "events[1]",
        "{unknown:#}"
    );
    let editor = token(
        "editor@example.com",
        Some("content:read content:write content:publish"),
    );
    let forbidden = app
        .query_as(
            Some(&editor),
            CREATE,
            json!({ "url": "https://hooks.example.com/x", "events": ["role.published"] }),
        )
        .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden:#}"
    );
    let anonymous = app.query("{ webhooks { id } }", json!({})).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous:#}"
    );
    // A public address is fine; the secret is shown at creation only.
    let made = app
        .query_as(
            Some(&admin()),
            CREATE,
            json!({ "url": "https://hooks.example.com/x", "events": ["catalog.changed"] }),
        )
        .await;
    assert!(
        made["data"]["createWebhook"]["secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_")),
        "{made:#}"
    );
    let listed = app
        .query_as(Some(&admin()), "{ webhooks { url events } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["webhooks"],
        json!([{ "url": "https://hooks.example.com/x", "events": ["catalog.changed"] }])
    );
}

/// The server is killed (SIGKILL) after the publish committed and before the receiver got
/// it (it is not listening yet); a new server sends it, once.
async fn an_event_committed_before_a_crash_is_delivered_once_after_restart(backend: Backend) {
    let fresh = seeded(backend).await;
    let port_holder = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = port_holder.local_addr().expect("addr").port();
    drop(port_holder);
    let url = format!("http://127.0.0.1:{port}/hook");
    // A one-second attempt limit keeps the lease of an attempt cut off by the kill short.
    let env = [
        ("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned()),
        ("JOBRISK_WEBHOOK_ALLOW_PRIVATE", "true".to_owned()),
        ("JOBRISK_WEBHOOK_TIMEOUT_SECS", "1".to_owned()),
    ];
    let client = reqwest::Client::new();
    let ask = |server: &Server, query: &'static str, variables: Value| {
        let request = client
            .post(server.graphql_url())
            .bearer_auth(admin())
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
    let first = Server::start(&fresh.url, &env);
    let made = ask(
        &first,
        CREATE,
        json!({ "url": url, "events": ["role.published"] }),
    )
    .await;
    let secret = made["data"]["createWebhook"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{made:#}"))
        .to_owned();
    let read = ask(&first, PREVIEW, json!({ "slug": "backend-developer" })).await;
    let v = read["data"]["role"]["version"].as_i64().expect("version");
    let published = ask(
        &first,
        PUBLISH,
        json!({ "slug": "backend-developer", "v": v }),
    )
    .await;
    assert!(
        published["data"]["publishRole"]["version"].is_number(),
        "{published:#}"
    );
    first.signal("KILL");

    let receiver = Receiver::on(
        tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the port is free again"),
        Vec::new(),
    );
    let second = Server::start(&fresh.url, &env);
    let got = receiver.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(got.len(), 1, "delivered after the restart");
    assert!(verify(&secret, &got[0]));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.got().len(), 1, "once");
    drop(second);
}

/// Two servers on one PostgreSQL database: one delivery, whichever sends it.
#[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_deliver_an_event_once() {
    let app = TestApp::spawn_configured(Backend::Postgres, webhook_env()).await;
    let _other = app.sibling().await;
    let receiver = Receiver::start(Vec::new()).await;
    let (_, secret) = register(&app, &receiver.url(), &["role.published", "role.updated"]).await;
    for _ in 0..5 {
        let v = version(&app, "backend-developer").await;
        let edit = app
            .query_as(
                Some(&admin()),
                UPDATE,
                json!({ "slug": "backend-developer", "v": v, "summary": format!("Edit at version {v}.") }),
            )
            .await;
        assert!(
            edit["data"]["updateRole"]["version"].is_number(),
            "{edit:#}"
        );
    }
    publish(&app, "backend-developer").await;
    // Deliveries of one role go one after another; on a loaded CI machine six of them,
    // claimed by two servers, have taken longer than 5 s. The wait ends as soon as all came.
    let got = receiver.wait_for(6, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_after = receiver.got();
    assert_eq!(got.len(), 6, "five edits and a publish");
    assert_eq!(got_after.len(), 6, "each once");
    let versions: Vec<i64> = got_after
        .iter()
        .map(|r| {
            assert!(verify(&secret, r));
            let body: Value = serde_json::from_str(&r.body).expect("JSON");
            body["data"]["version"].as_i64().expect("version")
        })
        .collect();
    let mut sorted = versions.clone();
    sorted.sort_unstable();
    assert_eq!(versions, sorted, "in order for one role");
}

/// An endpoint that only redirects: the redirect is not followed (it counts as a failed
/// attempt), and after JOBRISK_WEBHOOK_RETRY_SECS the delivery is marked FAILED.
async fn a_delivery_is_given_up_after_the_retry_time_and_redirects_are_not_followed(
    backend: Backend,
) {
    let mut env = webhook_env();
    env.push(("JOBRISK_WEBHOOK_RETRY_SECS", "2".to_owned()));
    let app = TestApp::spawn_configured(backend, env).await;
    let receiver = Receiver::start(vec![Answer::Status(307); 10]).await;
    let (id, _) = register(&app, &receiver.url(), &["role.published"]).await;
    publish(&app, "backend-developer").await;
    let started = Instant::now();
    let mut listed = deliveries(&app, &id).await;
    while listed.first().is_none_or(|d| d["status"] != "FAILED")
        && started.elapsed() < Duration::from_secs(8)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        listed = deliveries(&app, &id).await;
    }
    let delivery = &listed[0];
    assert_eq!(delivery["status"], "FAILED", "{listed:#?}");
    assert_eq!(delivery["lastStatusCode"], 307);
    assert!(
        delivery["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("307")),
        "{delivery:#}"
    );
    let attempts = delivery["attempts"].as_u64().expect("attempts") as usize;
    assert!((1..=3).contains(&attempts), "{delivery:#}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.got().len(),
        attempts,
        "no more attempts once failed"
    );
}
