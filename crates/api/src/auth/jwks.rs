//! Keys fetched from a JWKS URL: cached, refreshed when a token names an unknown `kid` (at
//! most once per [`JWKS_MIN_REFRESH`](super::JWKS_MIN_REFRESH)) and after [`JWKS_TTL`](super::JWKS_TTL).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::RwLock;

use super::{JWKS_MIN_REFRESH, JWKS_TTL};
use crate::error::{ApiError, ApiResult};

#[derive(Default)]
struct State {
    keys: HashMap<Option<String>, (DecodingKey, Algorithm)>,
    fetched_at: Option<Instant>,
}

/// A cache of the verification keys published at a JWKS URL.
pub struct JwksCache {
    url: String,
    client: reqwest::Client,
    state: RwLock<State>,
}

impl JwksCache {
    /// A cache that fetches lazily, on the first token.
    pub fn new(url: String) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            url,
            client,
            state: RwLock::new(State::default()),
        }
    }

    /// The key (and its algorithm, fixed by the JWK, not the token) for `kid`.
    pub async fn key_for(&self, kid: Option<&str>) -> ApiResult<(DecodingKey, Algorithm)> {
        let wanted = kid.map(str::to_owned);
        {
            let state = self.state.read().await;
            let fresh = state.fetched_at.is_some_and(|t| t.elapsed() < JWKS_TTL);
            if fresh && let Some(found) = lookup(&state.keys, &wanted) {
                return Ok(found);
            }
        }
        let mut state = self.state.write().await;
        let may_refresh = state
            .fetched_at
            .is_none_or(|t| t.elapsed() >= JWKS_MIN_REFRESH);
        if may_refresh {
            match self.fetch().await {
                Ok(keys) => {
                    state.keys = keys;
                    state.fetched_at = Some(Instant::now());
                }
                Err(e) => tracing::warn!(error = %e, url = %self.url, "JWKS refresh failed"),
            }
        }
        lookup(&state.keys, &wanted)
            .ok_or_else(|| ApiError::Unauthenticated("the token's signing key is not known".into()))
    }

    async fn fetch(&self) -> Result<HashMap<Option<String>, (DecodingKey, Algorithm)>, String> {
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
fn lookup(
    keys: &HashMap<Option<String>, (DecodingKey, Algorithm)>,
    kid: &Option<String>,
) -> Option<(DecodingKey, Algorithm)> {
    match kid {
        Some(_) => keys.get(kid).cloned(),
        None if keys.len() == 1 => keys.values().next().cloned(),
        None => None,
    }
}
