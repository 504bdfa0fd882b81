//! The GraphQL-over-HTTP request parameters, read from a GET query string or a POST JSON body,
//! with the status each malformed request gets.

use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

/// A well-formed GraphQL-over-HTTP request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    /// The document.
    pub query: String,
    /// Which operation of the document to run.
    pub operation_name: Option<String>,
    /// Variable values.
    pub variables: Map<String, Value>,
    /// Protocol extensions (kept for persisted queries and tracing).
    pub extensions: Map<String, Value>,
}

/// Why a request is not a GraphQL-over-HTTP request: the status and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// 400, 413 or 415.
    pub status: StatusCode,
    /// The field the message is about (`body`, `query`, `variables`...).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Malformed {
    fn new(status: StatusCode, field: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            field,
            message: message.into(),
        }
    }
}

/// Reads a POST body, which must be `application/json` (UTF-8).
pub fn from_post(headers: &HeaderMap, body: &[u8]) -> Result<Params, Malformed> {
    let Some(content_type) = headers.get(header::CONTENT_TYPE) else {
        return Err(Malformed::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            "send the request as JSON with Content-Type: application/json",
        ));
    };
    let content_type = content_type
        .to_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    let utf8 = parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim() == "charset" => {
            matches!(v.trim().trim_matches('"'), "utf-8" | "utf8")
        }
        _ => true,
    });
    if essence != "application/json" || !utf8 {
        return Err(Malformed::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            format!("unsupported Content-Type {content_type:?}: send application/json (UTF-8)"),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Malformed::new(
            StatusCode::BAD_REQUEST,
            "body",
            "the body is empty: send JSON like {\"query\": \"...\", \"variables\": {...}}",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Malformed::new(
            StatusCode::BAD_REQUEST,
            "body",
            format!(
                "the body is not valid JSON ({}): send JSON like {{\"query\": \"...\", \"variables\": {{...}}}}",
                json_error_kind(&e)
            ),
        )
    })?;
    let Value::Object(mut object) = value else {
        let message = if value.is_array() {
            "batched requests (a JSON array) are not supported: send one request per HTTP request"
        } else {
            "the body must be a JSON object like {\"query\": \"...\", \"variables\": {...}}"
        };
        return Err(Malformed::new(StatusCode::BAD_REQUEST, "body", message));
    };
    let query = match object.remove("query") {
        Some(Value::String(q)) => q,
        // A persisted query's hash alone (the server may know the document).
        None | Some(Value::Null) if persisted(object.get("extensions")) => String::new(),
        None | Some(Value::Null) => {
            return Err(Malformed::new(
                StatusCode::BAD_REQUEST,
                "query",
                "the request has no query: send {\"query\": \"...\"}",
            ));
        }
        Some(_) => {
            return Err(Malformed::new(
                StatusCode::BAD_REQUEST,
                "query",
                "query must be a string holding a GraphQL document",
            ));
        }
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(Malformed::new(
                StatusCode::BAD_REQUEST,
                "operationName",
                "operationName must be a string or null",
            ));
        }
    };
    Ok(Params {
        query,
        operation_name,
        variables: object_or_null(object.remove("variables"), "variables")?,
        extensions: object_or_null(object.remove("extensions"), "extensions")?,
    })
}

/// Whether `extensions` asks for a persisted query.
fn persisted(extensions: Option<&Value>) -> bool {
    extensions.is_some_and(|e| e.get("persistedQuery").is_some())
}

/// Reads a GET query string: `query`, `operationName`, and `variables` and `extensions` as
/// URL-encoded JSON. `Ok(None)` when there is no `query` parameter at all.
pub fn from_get(raw_query: Option<&str>) -> Result<Option<Params>, Malformed> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = None;
    let mut extensions = None;
    for (key, value) in form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        let (slot, field) = match key.as_ref() {
            "query" => (&mut query, "query"),
            "operationName" => (&mut operation_name, "operationName"),
            "variables" => (&mut variables, "variables"),
            "extensions" => (&mut extensions, "extensions"),
            _ => continue,
        };
        if slot.is_some() {
            return Err(Malformed::new(
                StatusCode::BAD_REQUEST,
                field,
                format!("{field} is given more than once"),
            ));
        }
        *slot = Some(value.into_owned());
    }
    let hash_only = extensions
        .as_deref()
        .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
        .is_some_and(|e| persisted(Some(&e)));
    let query = query.or_else(|| hash_only.then(String::new));
    let Some(query) = query else {
        if operation_name.is_some() || variables.is_some() || extensions.is_some() {
            return Err(Malformed::new(
                StatusCode::BAD_REQUEST,
                "query",
                "the request has no query parameter",
            ));
        }
        return Ok(None);
    };
    let json =
        |raw: Option<String>, field: &'static str| -> Result<Map<String, Value>, Malformed> {
            match raw.filter(|r| !r.is_empty()) {
                None => Ok(Map::new()),
                Some(raw) => {
                    let value: Value = serde_json::from_str(&raw).map_err(|e| {
                        Malformed::new(
                            StatusCode::BAD_REQUEST,
                            field,
                            format!("{field} must be URL-encoded JSON ({})", json_error_kind(&e)),
                        )
                    })?;
                    object_or_null(Some(value), field)
                }
            }
        };
    Ok(Some(Params {
        query,
        operation_name: operation_name.filter(|n| !n.is_empty()),
        variables: json(variables, "variables")?,
        extensions: json(extensions, "extensions")?,
    }))
}

fn object_or_null(
    value: Option<Value>,
    field: &'static str,
) -> Result<Map<String, Value>, Malformed> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(Malformed::new(
            StatusCode::BAD_REQUEST,
            field,
            format!("{field} must be a JSON object or null"),
        )),
    }
}

/// What kind of JSON error, without echoing the input back.
fn json_error_kind(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "unreadable",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "unexpected end",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        h
    }

    #[test]
    fn post_bodies_are_checked_field_by_field() {
        let ok = from_post(
            &json_headers(),
            br#"{"query":"{ a }","operationName":null,"variables":{"x":1},"extensions":null}"#,
        )
        .expect("valid");
        assert_eq!(ok.query, "{ a }");
        assert_eq!(ok.variables["x"], 1);
        for (body, field) in [
            (&b"{\"notquery\":1}"[..], "query"),
            (b"{\"query\":0}", "query"),
            (b"{\"query\":\"{a}\",\"variables\":\"x\"}", "variables"),
            (b"{\"query\":\"{a}\",\"variables\":[1]}", "variables"),
            (b"{\"query\":\"{a}\",\"extensions\":false}", "extensions"),
            (b"{\"query\":\"{a}\",\"operationName\":{}}", "operationName"),
            (b"[{\"query\":\"{a}\"}]", "body"),
            (b"{ \"not a JSON", "body"),
            (b"", "body"),
        ] {
            let err = from_post(&json_headers(), body).expect_err("malformed");
            assert_eq!(
                (err.status, err.field),
                (StatusCode::BAD_REQUEST, field),
                "{body:?}"
            );
        }
    }

    #[test]
    fn post_needs_a_json_content_type() {
        let err = from_post(&HeaderMap::new(), b"{\"query\":\"{a}\"}").expect_err("no type");
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=latin1"),
        );
        assert_eq!(
            from_post(&h, b"{}").expect_err("latin1").status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(
            from_post(&h, b"{}").expect_err("text").status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn get_reads_url_encoded_json() {
        let p = from_get(Some(
            "query=query%20T(%24n%3A%20String!)%20%7B%20__typename%20%7D&variables=%7B%22n%22%3A%22x%22%7D",
        ))
        .expect("valid")
        .expect("has a query");
        assert_eq!(p.variables["n"], "x");
        assert_eq!(from_get(None).expect("no query"), None);
        assert_eq!(
            from_get(Some("query=a&query=b")).expect_err("twice").field,
            "query"
        );
        assert_eq!(
            from_get(Some("query=a&variables=%5B%5D"))
                .expect_err("array")
                .field,
            "variables"
        );
    }
}
