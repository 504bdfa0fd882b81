//! Tokens verified with keys from a JWKS URL (a key server on loopback, in the test): a slow
//! key server never delays requests whose key is cached; the `Bearer` scheme in any case; `nbf`.

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, first_error};

/// Needs `content:read`, so it fails unless the token verifies.
const DRAFTS: &str = "{ roles(filter: { status: DRAFT }) { totalCount } }";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwt")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Ed25519 test key as a JWK with `kid`: the raw public key is the last 32 bytes of the
/// PEM's SubjectPublicKeyInfo.
fn jwk(kid: &str) -> Value {
    let body: String = fixture("ed_public.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).expect("PEM body is base64");
    let raw = &der[der.len() - 32..];
    json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(raw) })
}

/// A token signed with the Ed25519 test key, naming `kid`.
fn token(kid: &str) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_ed_pem(fixture("ed_private.pem").as_bytes()).expect("key");
    let claims = json!({ "sub": "alice", "scope": "content:read", "exp": now() + 600 });
    encode(&header, &claims, &key).expect("sign")
}

/// A JWKS server on loopback that can be made slow, counting its fetches.
struct KeyServer {
    url: String,
    keys: Arc<Mutex<Value>>,
    delay_ms: Arc<AtomicU64>,
    fetches: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl KeyServer {
    async fn start(kids: &[&str]) -> Self {
        let keys = Arc::new(Mutex::new(json!({
            "keys": kids.iter().map(|k| jwk(k)).collect::<Vec<_>>()
        })));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, d, f) = (keys.clone(), delay_ms.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (k, d, f) = (k.clone(), d.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(d.load(Ordering::SeqCst))).await;
                    let body = k.lock().expect("keys").to_string();
                    ([("content-type", "application/json")], body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the key server");
        let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("key server");
        });
        Self {
            url,
            keys,
            delay_ms,
            fetches,
            task,
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl Drop for KeyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Sends `DRAFTS` with `authorization`; the response and how long it took.
async fn drafts(client: &reqwest::Client, url: &str, authorization: &str) -> (Value, Duration) {
    let started = Instant::now();
    let response = client
        .post(url)
        .header("authorization", authorization)
        .json(&json!({ "query": DRAFTS }))
        .send()
        .await
        .expect("request sent");
    let body: Value = response.json().await.expect("JSON response");
    (body, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_key_server_never_delays_requests_whose_key_is_cached() {
    let keys = KeyServer::start(&["known"]).await;
    let app = TestApp::spawn_configured(
        Backend::Sqlite,
        vec![
            ("JOBRISK_JWT_JWKS_URL", keys.url.clone()),
            ("JOBRISK_JWT_JWKS_MIN_REFRESH_SECS", "1".into()),
        ],
    )
    .await;
    let (client, url) = (app.client().clone(), app.graphql_url());
    let known = format!("Bearer {}", token("known"));

    // Warm the cache (and the connection).
    for _ in 0..3 {
        let (r, _) = drafts(&client, &url, &known).await;
        assert!(r.get("errors").is_none(), "{r:#}");
    }
    assert_eq!(keys.fetches(), 1, "one fetch fills the cache");

    // Let the minimum interval pass, so an unknown kid may fetch again; then slow the server.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    keys.delay_ms.store(3000, Ordering::SeqCst);
    let unknown: Vec<_> = (0..2)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            let auth = format!("Bearer {}", token("unknown"));
            tokio::spawn(async move { drafts(&client, &url, &auth).await })
        })
        .collect();
    let waited = Instant::now();
    while keys.fetches() < 2 {
        assert!(
            waited.elapsed() < Duration::from_secs(5),
            "the unknown kid never reached the key server"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // The fetch is in flight for about 3 s: cached keys must not wait for it.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let (r, took) = drafts(&client, &url, &known).await;
        slowest = slowest.max(took);
        assert!(r.get("errors").is_none(), "{r:#}");
        assert!(
            took < Duration::from_millis(100),
            "a request with a cached key took {took:?} while the key server was slow"
        );
    }
    assert!(
        waited.elapsed() < Duration::from_secs(2),
        "the checks ran after the fetch: they prove nothing"
    );
    eprintln!("cached-key requests during a 3 s JWKS fetch: slowest {slowest:?}");

    for task in unknown {
        let (r, took) = task.await.expect("unknown-kid request");
        assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r:#}");
        assert!(
            took >= Duration::from_secs(2),
            "answered in {took:?}: it should have waited for the fetch"
        );
    }
    assert_eq!(
        keys.fetches(),
        2,
        "one fetch at a time for both unknown kids"
    );

    // Within the minimum interval an unknown kid fetches nothing and is refused at once.
    let (r, took) = drafts(&client, &url, &format!("Bearer {}", token("unknown"))).await;
    assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r:#}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(keys.fetches(), 2);

    // A key added to the set (rotation) is found after the interval.
    keys.delay_ms.store(0, Ordering::SeqCst);
    *keys.keys.lock().expect("keys") = json!({ "keys": [jwk("known"), jwk("rotated")] });
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (r, _) = drafts(&client, &url, &format!("Bearer {}", token("rotated"))).await;
    assert!(r.get("errors").is_none(), "{r:#}");
}

const SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

fn hs(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive_and_nbf_is_enforced() {
    let app = TestApp::spawn_configured(
        Backend::Sqlite,
        vec![("JOBRISK_JWT_SECRET", SECRET.to_owned())],
    )
    .await;
    let (client, url) = (app.client().clone(), app.graphql_url());
    let valid = hs(&json!({ "sub": "alice", "scope": "content:read", "exp": now() + 600 }));
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let (r, _) = drafts(&client, &url, &format!("{scheme} {valid}")).await;
        assert!(r.get("errors").is_none(), "{scheme}: {r:#}");
    }
    let (r, _) = drafts(&client, &url, &format!("Basic {valid}")).await;
    assert_eq!(first_error(&r).0, "UNAUTHENTICATED", "{r:#}");

    let early = hs(&json!({ "sub": "alice", "scope": "content:read",
                            "nbf": now() + 3600, "exp": now() + 7200 }));
    let (r, _) = drafts(&client, &url, &format!("Bearer {early}")).await;
    let (code, error) = first_error(&r);
    assert_eq!(code, "UNAUTHENTICATED", "{r:#}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid yet")),
        "{r:#}"
    );
    // Within the leeway (30 s) a slightly early clock is fine.
    let started = hs(&json!({ "sub": "alice", "scope": "content:read",
                              "nbf": now() + 5, "exp": now() + 600 }));
    let (r, _) = drafts(&client, &url, &format!("Bearer {started}")).await;
    assert!(r.get("errors").is_none(), "{r:#}");
}
