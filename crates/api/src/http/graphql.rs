//! `/graphql` per the GraphQL-over-HTTP specification: GET and POST, the media type negotiated
//! from `Accept`, and the status codes each media type calls for.
//!
//! Every request goes through the same steps, cheapest first, and is refused at the first that
//! fails: token, rate limit (without a verified token), document size, bracket nesting and parse
//! (both skipped for a text that parsed before),
//! cost analysis, method (no mutations over GET), rate limit (mutations), then execution under a
//! time limit and serialization under a size limit. Nothing reaches the database before the analysis passed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensions, ServerError, Variables};
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde::Serialize;

use super::AppState;
use super::graphiql;
use super::limits::{CappedWriter, MAX_BRACKET_NESTING, bracket_nesting};
use super::negotiate::{Accepted, Media, negotiate};
use super::params::{self, Malformed, Params};
use super::persisted::Refusal;
use super::rate_limit::{Refused, client_ip};
use crate::auth::Caller;
use crate::cache::{self, Collector, Entry, Lookup};
use crate::error::ApiError;
use crate::graphql::context::Written;
use crate::graphql::loaders::DbLoader;
use crate::metrics::Limiter;

/// GET /graphql: a query in the URL, or GraphiQL for a browser asking for HTML.
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let accepted = negotiate(&headers);
    let raw = remembering(
        &state,
        &headers,
        b'G',
        &[uri.query().unwrap_or_default().as_bytes()],
    );
    if let Some(raw) = &raw
        && let Some(response) = remembered(&state, peer.ip(), &headers, accepted, raw).await
    {
        return response;
    }
    match params::from_get(uri.query()) {
        Ok(Some(params)) => {
            handle(
                &state,
                peer.ip(),
                &headers,
                accepted,
                Method::GET,
                params,
                raw,
            )
            .await
        }
        Ok(None) if state.settings.graphiql && accepted == Accepted::Html => graphiql::page(),
        Ok(None) => malformed(
            &state,
            accepted,
            Malformed {
                status: StatusCode::BAD_REQUEST,
                field: "query",
                message: "GET /graphql needs a query parameter (URL-encoded GraphQL document)"
                    .into(),
            },
        ),
        Err(m) => malformed(&state, accepted, m),
    }
}

/// POST /graphql: a JSON body.
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let accepted = negotiate(&headers);
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let m = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Malformed {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    field: "body",
                    message: "the request body is larger than JOBRISK_MAX_BODY_BYTES".into(),
                }
            } else {
                Malformed {
                    status: StatusCode::BAD_REQUEST,
                    field: "body",
                    message: "the request body could not be read".into(),
                }
            };
            return malformed(&state, accepted, m);
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map_or(&b""[..], |v| v.as_bytes());
    let raw = remembering(&state, &headers, b'P', &[content_type, b"\0", &body]);
    if let Some(raw) = &raw
        && let Some(response) = remembered(&state, peer.ip(), &headers, accepted, raw).await
    {
        return response;
    }
    match params::from_post(&headers, &body) {
        Ok(params) => {
            handle(
                &state,
                peer.ip(),
                &headers,
                accepted,
                Method::POST,
                params,
                raw,
            )
            .await
        }
        Err(m) => malformed(&state, accepted, m),
    }
}

/// An answer on its way out.
#[derive(Clone)]
struct Answer {
    status: StatusCode,
    media: Media,
    body: Bytes,
    retry_after: Option<u64>,
    allow_post_only: bool,
    /// The first error's code, or "ok": the `outcome` label of the request metric.
    outcome: &'static str,
    /// The operation's name, from the document when the request did not name it.
    operation: Option<String>,
    /// `X-Cache` for anonymous queries: whether the response cache answered.
    cache: Option<&'static str>,
    /// How HTTP caches (browsers, CDNs) may keep it.
    http: HttpCaching,
}

/// What an answer tells HTTP caches.
#[derive(Clone, Default)]
struct HttpCaching {
    /// `Cache-Control`; `no-store` when unset.
    control: Option<HeaderValue>,
    /// The entity tag (anonymous answers that succeeded), compared with `If-None-Match`.
    etag: Option<String>,
    /// `ETag`, `Surrogate-Key` and `Cache-Tag` (CDN purges), as the cache entry made them.
    headers: Option<cache::EntryHeaders>,
}

/// `Cache-Control` of answers for a token's holder: never kept by any cache.
const PRIVATE: HeaderValue = HeaderValue::from_static("private, no-store");

impl Answer {
    /// The HTTP response; `304 Not Modified` without a body when `request` already holds this
    /// answer (`If-None-Match` names its entity tag).
    fn into_response(self, request: &HeaderMap) -> Response {
        let not_modified = self
            .http
            .etag
            .as_deref()
            .is_some_and(|etag| matches_etag(request, etag));
        let mut response = if not_modified {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let mut r = Response::new(Body::from(self.body));
            *r.status_mut() = self.status;
            r
        };
        let h = response.headers_mut();
        // A 304 carries what a cache needs to refresh its copy (Cache-Control, ETag, Vary) and
        // no representation metadata (RFC 9110, 15.4.5): the stored copy keeps its type and
        // purge tags.
        if !not_modified {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.media.content_type()),
            );
        }
        // The answer depends on the media type asked for and on the token; compression adds
        // Accept-Encoding.
        h.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Authorization"),
        );
        h.insert(
            header::CACHE_CONTROL,
            self.http
                .control
                .unwrap_or(HeaderValue::from_static("no-store")),
        );
        if let Some(headers) = self.http.headers {
            if let Some(etag) = headers.etag {
                h.insert(header::ETAG, etag);
            }
            if !not_modified {
                if let Some(v) = headers.surrogate_key {
                    h.insert("surrogate-key", v);
                }
                if let Some(v) = headers.cache_tag {
                    h.insert("cache-tag", v);
                }
            }
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.allow_post_only {
            h.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if let Some(cache) = self.cache {
            h.insert("x-cache", HeaderValue::from_static(cache));
        }
        response
    }
}

/// `{"errors": [...]}`, the body of a request refused before execution.
#[derive(Serialize)]
struct ErrorsOnly<'a> {
    errors: &'a [ServerError],
}

fn coded(e: &ApiError) -> ServerError {
    let mut error = ServerError::new(e.to_string(), None);
    error.extensions = e.extend().extensions;
    error
}

fn code_of(error: &ServerError) -> &'static str {
    match error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|v| match v {
            async_graphql::Value::String(s) => Some(s.as_str()),
            _ => None,
        }) {
        Some("BAD_USER_INPUT") => "BAD_USER_INPUT",
        Some("UNAUTHENTICATED") => "UNAUTHENTICATED",
        Some("FORBIDDEN") => "FORBIDDEN",
        Some("NOT_FOUND") => "NOT_FOUND",
        Some("CONFLICT") => "CONFLICT",
        Some("RATE_LIMITED") => "RATE_LIMITED",
        Some("SERVICE_UNAVAILABLE") => "SERVICE_UNAVAILABLE",
        Some("PERSISTED_QUERY_NOT_FOUND") => "PERSISTED_QUERY_NOT_FOUND",
        _ => "INTERNAL",
    }
}

fn errors_answer(status: StatusCode, media: Media, errors: &[ServerError]) -> Answer {
    let body = serde_json::to_vec(&ErrorsOnly { errors }).unwrap_or_default();
    Answer {
        status,
        media,
        body: body.into(),
        retry_after: None,
        allow_post_only: false,
        outcome: errors.first().map_or("INTERNAL", code_of),
        operation: None,
        cache: None,
        http: HttpCaching::default(),
    }
}

/// A GraphQL request error (the document cannot run): 200 under `application/json`, 400 under
/// `application/graphql-response+json`, never with `data`.
fn request_error(media: Media, errors: &[ServerError]) -> Answer {
    let status = match media {
        Media::Json => StatusCode::OK,
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
    };
    errors_answer(status, media, errors)
}

fn rate_limited(state: &AppState, media: Media, refused: Refused, limiter: Limiter) -> Answer {
    state.metrics.rate_limited(limiter);
    let e = ApiError::RateLimited {
        retry_after_secs: refused.retry_after_secs,
    };
    Answer {
        retry_after: Some(refused.retry_after_secs),
        ..errors_answer(StatusCode::TOO_MANY_REQUESTS, media, &[coded(&e)])
    }
}

fn media_for(accepted: Accepted) -> Media {
    match accepted {
        Accepted::Media(media) => media,
        Accepted::Html | Accepted::Nothing => Media::Json,
    }
}

fn malformed(state: &AppState, accepted: Accepted, m: Malformed) -> Response {
    let media = media_for(accepted);
    let answer = errors_answer(
        m.status,
        media,
        &[coded(&ApiError::bad_input(m.field, m.message))],
    );
    state.metrics.request(None, answer.outcome, None);
    answer.into_response(&HeaderMap::new())
}

/// The raw request as the response cache remembers it (a method byte, then `parts`), for an
/// anonymous request to a server with a response cache; `None` otherwise.
fn remembering(
    state: &AppState,
    headers: &HeaderMap,
    method: u8,
    parts: &[&[u8]],
) -> Option<Bytes> {
    if state.cache.is_none() || headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let mut raw = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    raw.push(method);
    for part in parts {
        raw.extend_from_slice(part);
    }
    Some(Bytes::from(raw))
}

/// A fresh cached answer for an exact anonymous request seen before, without decoding it
/// again; `None` sends the request down the whole path. The client's rate limit is checked
/// as on that path, once.
async fn remembered(
    state: &AppState,
    peer: IpAddr,
    headers: &HeaderMap,
    accepted: Accepted,
    raw: &[u8],
) -> Option<Response> {
    let cache = state.cache.as_ref()?;
    if accepted == Accepted::Nothing {
        return None;
    }
    let started = Instant::now();
    let known = cache.request_key(raw).await?;
    let entry = cache.peek_fresh(&known.key).await?;
    let media = media_for(accepted);
    let answer = limit_anonymous(state, peer, headers, media).unwrap_or_else(|| {
        cache.count_hit();
        Answer {
            operation: known.operation.as_deref().map(str::to_owned),
            ..cached(state, media, &entry, "HIT")
        }
    });
    state.metrics.request(
        answer.operation.as_deref(),
        answer.outcome,
        Some(started.elapsed().as_secs_f64()),
    );
    Some(answer.into_response(headers))
}

/// The 429 for a request without a verified token whose client is over its limit; counts the
/// request against the limit either way.
fn limit_anonymous(
    state: &AppState,
    peer: IpAddr,
    headers: &HeaderMap,
    media: Media,
) -> Option<Answer> {
    let client = client_ip(peer, headers, &state.settings.trusted_proxies);
    let refused = state.rate_limits.check_anonymous(client).err()?;
    Some(rate_limited(state, media, refused, Limiter::ClientIp))
}

async fn handle(
    state: &AppState,
    peer: IpAddr,
    headers: &HeaderMap,
    accepted: Accepted,
    method: Method,
    params: Params,
    raw: Option<Bytes>,
) -> Response {
    let started = Instant::now();
    let requested = params.operation_name.clone();
    let answer = if accepted == Accepted::Nothing {
        errors_answer(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            &[coded(&ApiError::bad_input(
                "accept",
                "answers are application/graphql-response+json or application/json; accept one of them",
            ))],
        )
    } else {
        run(
            state,
            peer,
            headers,
            media_for(accepted),
            method,
            params,
            raw,
        )
        .await
    };
    state.metrics.request(
        answer.operation.as_deref().or(requested.as_deref()),
        answer.outcome,
        Some(started.elapsed().as_secs_f64()),
    );
    answer.into_response(headers)
}

/// Whether `If-None-Match` in `request` names `etag` (or is `*`); weak tags compare by their
/// value, as RFC 9110 asks for this header.
fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

async fn run(
    state: &AppState,
    peer: IpAddr,
    headers: &HeaderMap,
    media: Media,
    method: Method,
    params: Params,
    raw: Option<Bytes>,
) -> Answer {
    let settings = &state.settings;
    // A header that is not visible ASCII cannot be a bearer token: let it fail verification.
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let caller = state.auth.caller(authorization).await;
    // Every request without a verified token counts against its client's limit, before any
    // other work (a made-up token must not be a way around it); editors are limited per token
    // subject on mutations.
    if !matches!(caller, Ok(Caller::Authenticated(_)))
        && let Some(refused) = limit_anonymous(state, peer, headers, media)
    {
        return refused;
    }
    let caller = match caller {
        Ok(caller) => caller,
        // A token that does not verify is refused outright, never served as anonymous.
        Err(e) => return errors_answer(StatusCode::UNAUTHORIZED, media, &[coded(&e)]),
    };
    let refuse =
        |message: String| request_error(media, &[coded(&ApiError::bad_input("query", message))]);
    if params.query.len() > settings.max_query_bytes {
        return refuse(format!(
            "the query is {} bytes, more than the limit of {} (JOBRISK_MAX_QUERY_BYTES)",
            params.query.len(),
            settings.max_query_bytes
        ));
    }
    let mut params = params;
    params.query = match state
        .persisted
        .resolve(std::mem::take(&mut params.query), &params.extensions)
    {
        Ok(query) => query,
        Err(Refusal::NotFound) => {
            // The message and code Apollo's clients look for before sending the document.
            let mut error = ServerError::new("PersistedQueryNotFound", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "PERSISTED_QUERY_NOT_FOUND");
            return request_error(media, &[error]);
        }
        Err(Refusal::Bad(message)) => return refuse(message),
    };
    let anonymous = matches!(caller, Caller::Anonymous { .. });
    let key = (anonymous && state.cache.is_some()).then(|| {
        cache::key_of(
            params.operation_name.as_deref(),
            &params.query,
            &params.variables,
        )
    });
    // A fresh answer to the same question is served before parsing and analysis: it was kept
    // only after they passed, for exactly this operation, document and variables.
    if let Some((cache, key)) = state.cache.as_ref().zip(key.as_ref()) {
        if let Some(raw) = raw {
            cache
                .remember_request(raw, *key, params.operation_name.as_deref())
                .await;
        }
        if let Some(entry) = cache.get_fresh(key).await {
            return Answer {
                operation: params.operation_name,
                ..cached(state, media, &entry, "HIT")
            };
        }
    }
    let document = match state.documents.get(&params.query) {
        Some(document) => ExecutableDocument::clone(&document),
        None => {
            let nesting = bracket_nesting(&params.query);
            if nesting > MAX_BRACKET_NESTING {
                return refuse(format!(
                    "the query nests brackets more than {MAX_BRACKET_NESTING} levels deep"
                ));
            }
            match async_graphql::parser::parse_query(&params.query) {
                Ok(document) => {
                    state
                        .documents
                        .insert(&params.query, Arc::new(document.clone()));
                    document
                }
                Err(e) => {
                    let mut error: ServerError = e.into();
                    error
                        .extensions
                        .get_or_insert_with(Default::default)
                        .set("code", "BAD_USER_INPUT");
                    return request_error(media, &[error]);
                }
            }
        }
    };
    let variables = Variables::from_json(serde_json::Value::Object(params.variables));
    let analysis = match state.cost.check(
        &document,
        params.operation_name.as_deref(),
        &variables,
        &settings.limits,
    ) {
        Ok(analysis) => analysis,
        Err(refusal) => return refuse(refusal.0),
    };
    // The schema would answer `__schema` with a silent null; say why instead.
    if !settings.introspection && analysis.introspection_depth > 0 {
        return refuse(
            "introspection is turned off on this server (JOBRISK_INTROSPECTION=off); use the published schema.graphql".into(),
        );
    }
    if method == Method::GET && analysis.operation_type != OperationType::Query {
        return Answer {
            allow_post_only: true,
            ..errors_answer(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                &[coded(&ApiError::bad_input(
                    "query",
                    "only queries may be sent with GET; send mutations with POST",
                ))],
            )
        };
    }
    if analysis.operation_type == OperationType::Mutation
        && let Caller::Authenticated(principal) = &caller
        && let Err(refused) = state.rate_limits.check_write(&principal.sub)
    {
        return rate_limited(state, media, refused, Limiter::Subject);
    }
    let run = Run {
        state,
        caller,
        mutation: analysis.operation_type == OperationType::Mutation,
        media,
        query: params.query,
        variables,
        operation_name: params.operation_name,
        document,
    };
    let public = anonymous && analysis.operation_type == OperationType::Query;
    if !public {
        let answer = run.execute(None).await;
        return Answer {
            operation: analysis.operation_name,
            http: HttpCaching {
                control: (!anonymous)
                    .then_some(PRIVATE)
                    .or(answer.http.control.clone()),
                ..answer.http.clone()
            },
            ..answer
        };
    }
    let answer = match state.cache.as_ref().zip(key) {
        // Anonymous queries: the same question gets the same answer until a write changes
        // what it read.
        Some((cache, key)) => {
            let lookup = cache
                .get_or_compute(key, || {
                    let collector = Collector::default();
                    let execution = run.execute(Some(collector.clone()));
                    async move {
                        let answer = execution.await;
                        if answer.status == StatusCode::OK && answer.outcome == "ok" {
                            Ok((answer.body, collector.tags()))
                        } else {
                            Err(answer)
                        }
                    }
                })
                .await;
            match lookup {
                Lookup::Hit(entry) => cached(state, media, &entry, "HIT"),
                Lookup::Miss(entry) => cached(state, media, &entry, "MISS"),
                Lookup::Uncached(answer) => Answer {
                    cache: Some("MISS"),
                    ..Answer::clone(&answer)
                },
            }
        }
        // No response cache: HTTP caches still get an entity tag and the answer's tags.
        None => {
            let collector = Collector::default();
            let answer = run.execute(Some(collector.clone())).await;
            if answer.status == StatusCode::OK && answer.outcome == "ok" {
                let entry = Entry::new(answer.body, collector.tags());
                cached(state, media, &entry, "MISS")
            } else {
                Answer {
                    cache: Some("MISS"),
                    ..answer
                }
            }
        }
    };
    Answer {
        operation: analysis.operation_name,
        ..answer
    }
}

/// The answer kept in `entry`, under `media`, with what HTTP caches need to keep it.
fn cached(state: &AppState, media: Media, entry: &Entry, how: &'static str) -> Answer {
    Answer {
        status: StatusCode::OK,
        media,
        body: entry.body.clone(),
        retry_after: None,
        allow_post_only: false,
        outcome: "ok",
        operation: None,
        cache: Some(how),
        http: HttpCaching {
            control: Some(state.settings.public_cache_control.clone()),
            etag: Some(entry.etag.clone()),
            headers: Some(entry.headers.clone()),
        },
    }
}

/// A request that passed every check, ready to execute.
struct Run<'a> {
    state: &'a AppState,
    caller: Caller,
    /// A mutation's result lists what its writes changed, as cache tags.
    mutation: bool,
    media: Media,
    query: String,
    variables: Variables,
    operation_name: Option<String>,
    document: ExecutableDocument,
}

impl Run<'_> {
    /// Executes the request under the time limit, recording what it read on `collector`.
    async fn execute(&self, collector: Option<Collector>) -> Answer {
        let state = self.state;
        let settings = &state.settings;
        let media = self.media;
        // Editors' previews load their sections through it; nested links always show what the
        // public sees.
        let loader = DataLoader::new(DbLoader::new(state.db.clone()), tokio::spawn)
            .delay(settings.batch_window);
        let mut request = async_graphql::Request::new(self.query.clone())
            .variables(self.variables.clone())
            .data(self.caller.clone())
            .data(loader);
        if let Some(collector) = collector {
            request = request.data(collector);
        }
        let written = self.mutation.then(Written::default);
        if let Some(written) = &written {
            request = request.data(written.clone());
        }
        request.operation_name = self.operation_name.clone();
        request.set_parsed_query(self.document.clone());
        let mut response =
            match tokio::time::timeout(settings.request_timeout, state.schema.execute(request))
                .await
            {
                Ok(response) => response,
                Err(_) => {
                    let e = ApiError::Unavailable(format!(
                        "request timed out after {:?}",
                        settings.request_timeout
                    ));
                    return errors_answer(StatusCode::SERVICE_UNAVAILABLE, media, &[coded(&e)]);
                }
            };
        // Purge scripts and CDNs drop exactly what the writes changed: the same names as the
        // `Surrogate-Key` of the answers that read it.
        if let Some(Written(changed)) = written {
            let tags = changed.tags();
            if !tags.is_empty() {
                let names = tags
                    .iter()
                    .map(|tag| async_graphql::Value::String(tag.to_string()))
                    .collect();
                response
                    .extensions
                    .insert("cacheTags".to_owned(), async_graphql::Value::List(names));
            }
        }
        finish(response, media, settings.max_response_bytes)
    }
}

/// Codes every error, chooses the status and serializes within the size limit.
fn finish(mut response: async_graphql::Response, media: Media, max_bytes: usize) -> Answer {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let ext = error.extensions.get_or_insert_with(Default::default);
        if error.path.is_empty() {
            // Parse, validation and variable errors: the request itself is wrong.
            ext.set("code", "BAD_USER_INPUT");
        } else {
            // A resolver error that bypassed ApiError: treat as internal, never show it.
            tracing::error!(message = %error.message, "uncoded resolver error");
            error.message = "internal error".to_owned();
            ext.set("code", "INTERNAL");
        }
    }
    // Execution never started: validation or variable coercion failed.
    let request_failed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    if request_failed {
        return request_error(media, &response.errors);
    }
    // The database could not be reached for part of the answer: say so with 503, so that load
    // balancers and clients retry instead of caching a broken page.
    let unavailable = response
        .errors
        .iter()
        .any(|e| code_of(e) == "SERVICE_UNAVAILABLE");
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let outcome = response.errors.first().map_or("ok", code_of);
    let mut writer = CappedWriter::new(max_bytes);
    if serde_json::to_writer(&mut writer, &response).is_err() {
        drop(writer);
        let e = ApiError::bad_input(
            "query",
            format!(
                "the answer is larger than {max_bytes} bytes (JOBRISK_MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages"
            ),
        );
        let body = serde_json::to_vec(&serde_json::json!({
            "data": null,
            "errors": [coded(&e)],
        }))
        .unwrap_or_default();
        return Answer {
            status: StatusCode::OK,
            media,
            body: body.into(),
            retry_after: None,
            allow_post_only: false,
            outcome: "BAD_USER_INPUT",
            operation: None,
            cache: None,
            http: HttpCaching::default(),
        };
    }
    Answer {
        status,
        media,
        body: writer.into_inner().into(),
        retry_after: None,
        allow_post_only: false,
        outcome,
        operation: None,
        cache: None,
        http: HttpCaching::default(),
    }
}
