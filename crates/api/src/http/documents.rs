//! Parsed GraphQL documents, kept by their text: frontends send the same few queries over and
//! over, and parsing one (pest, a character at a time) cost more than any other single step of
//! serving a page once its SQL was down to two statements (bench/PROFILE.md).

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Bytes of query text the cache keeps at most; documents count by their text's length, which
/// grows with their parsed size.
const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// Documents that parsed, by their exact text.
#[derive(Clone)]
pub struct Documents(Cache<String, Arc<ExecutableDocument>>);

impl Default for Documents {
    fn default() -> Self {
        Self::new(MAX_TEXT_BYTES)
    }
}

impl Documents {
    /// A cache holding at most `max_bytes` of query text (`0` keeps nothing).
    pub fn new(max_bytes: u64) -> Self {
        Self(
            Cache::builder()
                .max_capacity(max_bytes)
                // Entry overhead beside the text, so that a flood of one-character queries is
                // bounded too.
                .weigher(|text: &String, _| u32::try_from(text.len() + 256).unwrap_or(u32::MAX))
                .build(),
        )
    }

    /// The parsed document of `text`, if it parsed before.
    pub fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        self.0.get(text)
    }

    /// Keeps `document` as the parse of `text`.
    pub fn insert(&self, text: &str, document: Arc<ExecutableDocument>) {
        self.0.insert(text.to_owned(), document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_parsed_and_stays_within_its_bound() {
        let documents = Documents::new(4096);
        let text = "{ roles { totalCount } }";
        let parsed = async_graphql::parser::parse_query(text).expect("parses");
        documents.insert(text, Arc::new(parsed));
        assert!(documents.get(text).is_some());
        assert!(documents.get("{ roles { nodes { slug } } }").is_none());
        for i in 0..200 {
            let text = format!("{{ a{i}: roles {{ totalCount }} }}");
            let parsed = async_graphql::parser::parse_query(&text).expect("parses");
            documents.insert(&text, Arc::new(parsed));
        }
        documents.0.run_pending_tasks();
        assert!(
            documents.0.weighted_size() <= 4096,
            "{}",
            documents.0.weighted_size()
        );
    }
}
