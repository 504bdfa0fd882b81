//! Automatic persisted queries (Apollo's protocol): a client sends the SHA-256 of its document
//! in `extensions.persistedQuery`; the server answers from the document it keeps under that hash,
//! or with `PersistedQueryNotFound`, after which the client sends the document once with its
//! hash. Short GET URLs for CDNs, and small request bodies.

use std::sync::Arc;

use moka::sync::Cache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Bytes of documents kept at most; beyond it the least used are forgotten (clients send them
/// again when asked).
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// Why a persisted query was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is not known (yet): the client is to send the document with it.
    NotFound,
    /// The request is malformed: an unsupported version, a hash that is not 64 hex digits, or
    /// a document whose hash is another.
    Bad(String),
}

/// Documents by the SHA-256 of their text.
#[derive(Clone)]
pub struct PersistedQueries(Cache<String, Arc<str>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self(
            Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|_: &String, text: &Arc<str>| {
                    u32::try_from(text.len() + 128).unwrap_or(u32::MAX)
                })
                .build(),
        )
    }
}

impl PersistedQueries {
    /// The document of a request: `query` itself when the request does not use persisted
    /// queries; else the document kept under its hash (when `query` is empty), or `query` once
    /// it is checked against the hash and kept. `query` must already be within the size limit.
    pub fn resolve(
        &self,
        query: String,
        extensions: &Map<String, Value>,
    ) -> Result<String, Refusal> {
        let Some(persisted) = extensions.get("persistedQuery") else {
            return Ok(query);
        };
        let version = persisted.get("version").and_then(Value::as_i64);
        if version != Some(1) {
            return Err(Refusal::Bad(
                "extensions.persistedQuery.version must be 1 (the only version of the protocol)"
                    .into(),
            ));
        }
        let hash = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                Refusal::Bad(
                    "extensions.persistedQuery.sha256Hash must be the SHA-256 of the query, 64 hex digits".into(),
                )
            })?
            .to_ascii_lowercase();
        if query.is_empty() {
            return self
                .0
                .get(&hash)
                .map(|text| text.to_string())
                .ok_or(Refusal::NotFound);
        }
        if sha256_hex(&query) != hash {
            return Err(Refusal::Bad(
                "provided sha does not match query: extensions.persistedQuery.sha256Hash must be the SHA-256 of the query's UTF-8 text".into(),
            ));
        }
        self.0.insert(hash, Arc::from(query.as_str()));
        Ok(query)
    }
}

/// The lower-case hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ext(hash: &str) -> Map<String, Value> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn a_hash_is_unknown_until_its_query_is_sent_with_it() {
        let store = PersistedQueries::default();
        let query = "{ roles { totalCount } }";
        let hash = sha256_hex(query);
        assert_eq!(
            store.resolve(String::new(), &ext(&hash)),
            Err(Refusal::NotFound)
        );
        assert_eq!(
            store.resolve(query.into(), &ext(&hash)).as_deref(),
            Ok(query)
        );
        assert_eq!(
            store.resolve(String::new(), &ext(&hash)).as_deref(),
            Ok(query)
        );
        assert_eq!(
            store
                .resolve(String::new(), &ext(&hash.to_uppercase()))
                .as_deref(),
            Ok(query)
        );
    }

    #[test]
    fn a_wrong_hash_version_or_shape_is_refused_and_nothing_is_kept() {
        let store = PersistedQueries::default();
        let query = "{ roles { totalCount } }";
        let other = sha256_hex("{ __typename }");
        assert!(matches!(
            store.resolve(query.into(), &ext(&other)),
            Err(Refusal::Bad(_))
        ));
        assert_eq!(
            store.resolve(String::new(), &ext(&other)),
            Err(Refusal::NotFound)
        );
        assert!(matches!(
            store.resolve(query.into(), &ext("abc")),
            Err(Refusal::Bad(_))
        ));
        let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256_hex(query) } });
        let v2 = v2.as_object().cloned().unwrap_or_default();
        assert!(matches!(
            store.resolve(query.into(), &v2),
            Err(Refusal::Bad(_))
        ));
        assert_eq!(
            store.resolve(query.into(), &Map::new()).as_deref(),
            Ok(query)
        );
    }
}
