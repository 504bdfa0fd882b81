//! Keys fetched from a JWKS URL, without ever making a request wait for the network when its
//! key is cached.
//!
//! Requests read the key set through a lock held only long enough to clone an `Arc`; a fetch
//! builds a whole new set and swaps it in. Fetches are single flight: one at a time, behind a
//! mutex that only fetchers take. A token naming an unknown `kid` causes a fetch at most once
//! per minimum interval (`JOBRISK_JWT_JWKS_MIN_REFRESH_SECS`), so made-up kids cannot flood the
//! key server; keys older than the TTL keep being served while a background fetch replaces them.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::Mutex;

use crate::error::{ApiError, ApiResult};

type Keys = HashMap<Option<String>, (DecodingKey, Algorithm)>;

#[derive(Default)]
struct KeySet {
    keys: Keys,
    fetched_at: Option<Instant>,
}

struct Inner {
    url: String,
    client: reqwest::Client,
    ttl: Duration,
    min_refresh: Duration,
    current: RwLock<Arc<KeySet>>,
    /// Taken only by fetchers; holds when the last fetch ended, so requests that queued behind a
    /// fetch are served by it rather than fetching again.
    fetching: Arc<Mutex<Option<Instant>>>,
}

/// A cache of the verification keys published at a JWKS URL.
pub struct JwksCache {
    inner: Arc<Inner>,
}

impl JwksCache {
    /// A cache that fetches lazily, on the first token; keys are refreshed after `ttl`, and an
    /// unknown `kid` causes a fetch at most once per `min_refresh`.
    pub fn new(url: String, ttl: Duration, min_refresh: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                url,
                client,
                ttl,
                min_refresh,
                current: RwLock::default(),
                fetching: Arc::default(),
            }),
        }
    }

    /// The key (and its algorithm, fixed by the JWK, not the token) for `kid`.
    pub async fn key_for(&self, kid: Option<&str>) -> ApiResult<(DecodingKey, Algorithm)> {
        let wanted = kid.map(str::to_owned);
        let set = self.inner.snapshot();
        if let Some(found) = lookup(&set.keys, &wanted) {
            if set.fetched_at.is_none_or(|t| t.elapsed() >= self.inner.ttl) {
                self.refresh_in_background();
            }
            return Ok(found);
        }
        // Unknown kid: wait for one fetch, ours or the one already in flight.
        let mut last_fetch = self.inner.fetching.lock().await;
        if let Some(found) = lookup(&self.inner.snapshot().keys, &wanted) {
            return Ok(found);
        }
        if last_fetch.is_none_or(|t| t.elapsed() >= self.inner.min_refresh) {
            self.inner.fetch_and_swap().await;
            *last_fetch = Some(Instant::now());
        }
        drop(last_fetch);
        lookup(&self.inner.snapshot().keys, &wanted)
            .ok_or_else(|| ApiError::Unauthenticated("the token's signing key is not known".into()))
    }

    /// Starts a fetch unless one is in flight or one ended less than `min_refresh` ago (so a
    /// key server that is down is not asked on every request).
    fn refresh_in_background(&self) {
        let Ok(mut last_fetch) = Arc::clone(&self.inner.fetching).try_lock_owned() else {
            return;
        };
        if last_fetch.is_some_and(|t| t.elapsed() < self.inner.min_refresh) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            inner.fetch_and_swap().await;
            *last_fetch = Some(Instant::now());
        });
    }
}

impl Inner {
    fn snapshot(&self) -> Arc<KeySet> {
        // A panic elsewhere cannot leave a half-written set: sets are replaced whole.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Fetches the set and swaps it in; on failure the old keys stay.
    async fn fetch_and_swap(&self) {
        match self.fetch().await {
            Ok(keys) => {
                let set = Arc::new(KeySet {
                    keys,
                    fetched_at: Some(Instant::now()),
                });
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = set;
            }
            Err(e) => tracing::warn!(error = %e, url = %self.url, "JWKS refresh failed"),
        }
    }

    async fn fetch(&self) -> Result<Keys, String> {
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            // Asymmetric keys only: a symmetric JWK would let anyone who can read the JWKS sign.
            let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS384)) => Algorithm::RS384,
                (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS512)) => Algorithm::RS512,
                (AlgorithmParameters::RSA(_), _) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(p), _) if p.curve == EllipticCurve::P256 => {
                    Algorithm::ES256
                }
                (AlgorithmParameters::EllipticCurve(p), _) if p.curve == EllipticCurve::P384 => {
                    Algorithm::ES384
                }
                (AlgorithmParameters::OctetKeyPair(_), _) => Algorithm::EdDSA,
                _ => continue,
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(jwk.common.key_id.clone(), (key, algorithm));
            }
        }
        Ok(keys)
    }
}

/// A token without `kid` matches only when the set holds exactly one key.
fn lookup(keys: &Keys, kid: &Option<String>) -> Option<(DecodingKey, Algorithm)> {
    match kid {
        Some(_) => keys.get(kid).cloned(),
        None if keys.len() == 1 => keys.values().next().cloned(),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use serde_json::{Value, json};

    use super::*;

    /// The Ed25519 public key of `tests/fixtures/jwt` as a JWK: the raw key is the last 32
    /// bytes of the SubjectPublicKeyInfo.
    fn jwk(kid: &str) -> Value {
        let der = STANDARD
            .decode("MCowBQYDK2VwAyEAhetjo531WUjX5dDzrLHQB0l3EMgzbHcEZzammZes8Zo=")
            .expect("base64");
        json!({ "kty": "OKP", "crv": "Ed25519", "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(&der[der.len() - 32..]) })
    }

    struct KeyServer {
        url: String,
        keys: Arc<std::sync::Mutex<Value>>,
        delay_ms: Arc<AtomicU64>,
        fetches: Arc<AtomicUsize>,
    }

    async fn key_server() -> KeyServer {
        let keys = Arc::new(std::sync::Mutex::new(json!({ "keys": [jwk("a")] })));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, d, f) = (keys.clone(), delay_ms.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let (k, d, f) = (k.clone(), d.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(d.load(Ordering::SeqCst))).await;
                    let body = k.lock().map(|k| k.to_string()).unwrap_or_default();
                    ([("content-type", "application/json")], body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        KeyServer {
            url,
            keys,
            delay_ms,
            fetches,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stale_keys_are_served_while_one_background_fetch_replaces_them() {
        let server = key_server().await;
        let ttl = Duration::from_millis(500);
        let cache = JwksCache::new(server.url.clone(), ttl, Duration::from_millis(200));
        cache.key_for(Some("a")).await.expect("first fetch");
        assert_eq!(server.fetches.load(Ordering::SeqCst), 1);

        server.delay_ms.store(1500, Ordering::SeqCst);
        *server.keys.lock().expect("keys") = json!({ "keys": [jwk("a"), jwk("b")] });
        tokio::time::sleep(ttl + Duration::from_millis(50)).await;
        for _ in 0..20 {
            let started = Instant::now();
            cache
                .key_for(Some("a"))
                .await
                .expect("stale key still served");
            assert!(started.elapsed() < Duration::from_millis(50));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            server.fetches.load(Ordering::SeqCst),
            2,
            "one background fetch, however many requests saw stale keys"
        );
        // The refreshed set arrives without anyone waiting for it (and is then fresh for a
        // while, so looking up "b" fetches nothing).
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let fetches = server.fetches.load(Ordering::SeqCst);
        cache
            .key_for(Some("b"))
            .await
            .expect("key from the refresh");
        assert_eq!(server.fetches.load(Ordering::SeqCst), fetches);
    }

    #[test]
    fn a_token_without_kid_matches_only_a_single_key() {
        let (key, alg) = (DecodingKey::from_secret(b"k"), Algorithm::EdDSA);
        let one: Keys = HashMap::from([(Some("a".to_owned()), (key.clone(), alg))]);
        assert!(lookup(&one, &None).is_some());
        let two: Keys = HashMap::from([
            (Some("a".to_owned()), (key.clone(), alg)),
            (Some("b".to_owned()), (key, alg)),
        ]);
        assert!(lookup(&two, &None).is_none());
        assert!(lookup(&two, &Some("b".to_owned())).is_some());
    }
}
