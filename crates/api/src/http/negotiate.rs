//! Media types of GraphQL over HTTP: which one an answer uses, chosen from `Accept`.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT;

/// `application/graphql-response+json`: status codes say whether the request was valid.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
/// `application/json`: the legacy media type, answered with 200 for every well-formed request.
pub const JSON: &str = "application/json; charset=utf-8";

/// The media type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/json`.
    Json,
    /// `application/graphql-response+json`.
    GraphqlResponse,
}

impl Media {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => JSON,
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
        }
    }
}

/// What the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// One of ours.
    Media(Media),
    /// `text/html` preferred over ours: a browser (GET shows GraphiQL).
    Html,
    /// None of ours: 406.
    Nothing,
}

/// Chooses from `Accept` by quality; JSON when `Accept` is absent, empty or `*/*`, and
/// `application/graphql-response+json` when it ties with `application/json`.
pub fn negotiate(headers: &HeaderMap) -> Accepted {
    let mut any_header = false;
    // (quality, preference) of each candidate; higher wins.
    let mut best: Option<((u16, u8), Accepted)> = None;
    for value in headers.get_all(ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for range in value.split(',') {
            let mut parts = range.split(';');
            let kind = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            if kind.is_empty() {
                continue;
            }
            any_header = true;
            let mut quality = 1000u16;
            for param in parts {
                if let Some((k, v)) = param.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    quality = parse_quality(v.trim());
                }
            }
            if quality == 0 {
                continue;
            }
            let candidate = match kind.as_str() {
                "application/graphql-response+json" => (3, Accepted::Media(Media::GraphqlResponse)),
                "application/json" => (2, Accepted::Media(Media::Json)),
                "text/html" => (4, Accepted::Html),
                "application/*" | "*/*" => (1, Accepted::Media(Media::Json)),
                _ => continue,
            };
            let key = (quality, candidate.0);
            if best.is_none_or(|(k, _)| key > k) {
                best = Some((key, candidate.1));
            }
        }
    }
    match best {
        Some((_, accepted)) => accepted,
        None if any_header => Accepted::Nothing,
        None => Accepted::Media(Media::Json),
    }
}

/// A `q` value in thousandths; malformed values count as 1 (the default), per RFC 9110's
/// leniency for clients.
fn parse_quality(v: &str) -> u16 {
    match v.parse::<f32>() {
        Ok(q) if (0.0..=1.0).contains(&q) => (q * 1000.0).round() as u16,
        _ => 1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> Accepted {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(v).expect("header"));
        negotiate(&h)
    }

    #[test]
    fn chooses_by_quality_and_defaults_to_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Accepted::Media(Media::Json));
        assert_eq!(accept("*/*"), Accepted::Media(Media::Json));
        assert_eq!(accept("application/json"), Accepted::Media(Media::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Accepted::Media(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Accepted::Media(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Accepted::Media(Media::Json)
        );
        assert_eq!(
            accept("text/html,application/xhtml+xml,*/*;q=0.8"),
            Accepted::Html
        );
        assert_eq!(accept("text/plain"), Accepted::Nothing);
        assert_eq!(accept("application/json;q=0"), Accepted::Nothing);
    }
}
