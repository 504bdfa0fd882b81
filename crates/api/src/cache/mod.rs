//! The response cache: anonymous query answers, kept by what was asked and dropped by what
//! they read.
//!
//! Each answer is stored with the tags of everything it read ([`tags`]). A write does not look
//! for the answers it affects: it stamps its tags with the next value of a write clock, and an
//! answer is fresh while none of its tags was stamped after it began computing. A lookup costs
//! one map read per tag; a write costs one map write per tag, whatever the cache holds.

pub mod tags;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use moka::future::Cache;
use sha2::{Digest, Sha256};

use axum::http::HeaderValue;

pub use tags::{Collector, Tag, TagSet};

/// The PostgreSQL channel on which writes announce the tags they changed.
pub const CHANNEL: &str = "jobrisk_cache";

/// A notification that stands for every tag (a write that changed too much to list).
pub const EVERYTHING: &str = "*";

/// Longest payload sent; PostgreSQL refuses notifications of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7000;

/// Tags with a stamp at most; beyond it the stamps are forgotten and everything cached before
/// is dropped (a flush), so that a stream of writes cannot grow the map without bound.
const MAX_STAMPS: usize = 200_000;

/// What a cached answer is kept by: a SHA-256 of the operation, the normalised document and
/// the variables.
pub type Key = [u8; 32];

/// A cached answer.
#[derive(Debug)]
pub struct Entry {
    /// The serialized answer.
    pub body: Bytes,
    /// What it read.
    pub tags: TagSet,
    /// Its entity tag, quoted (`"..."`), for `ETag` and `If-None-Match`.
    pub etag: String,
    /// The headers HTTP caches get with it, made once rather than per hit: `ETag`
    /// (`W/"..."`), `Surrogate-Key` and `Cache-Tag`.
    pub headers: EntryHeaders,
    /// The write clock when it began computing.
    born: u64,
}

impl Entry {
    /// An answer that is not kept (no response cache), with its entity tag.
    pub fn new(body: Bytes, tags: TagSet) -> Self {
        Self::born_at(body, tags, 0)
    }

    fn born_at(body: Bytes, tags: TagSet, born: u64) -> Self {
        // The serializer's buffer grows by doubling: kept as it is, an answer would hold up to
        // twice its size, unseen by the weigher.
        let body = Bytes::copy_from_slice(&body);
        let etag = etag_of(&body);
        let names = tags::joined(&tags, " ");
        let headers = EntryHeaders {
            etag: HeaderValue::from_str(&format!("W/{etag}")).ok(),
            surrogate_key: HeaderValue::from_str(&names).ok(),
            cache_tag: HeaderValue::from_str(&names.replace(' ', ",")).ok(),
        };
        Self {
            etag,
            headers,
            body,
            tags,
            born,
        }
    }
}

/// An answer's headers for HTTP caches, ready to send.
#[derive(Debug, Clone)]
pub struct EntryHeaders {
    /// `ETag`: weak, since compression changes the bytes on the wire, not the answer.
    pub etag: Option<HeaderValue>,
    /// `Surrogate-Key` (Fastly, Varnish xkey): the tags, space-separated.
    pub surrogate_key: Option<HeaderValue>,
    /// `Cache-Tag` (Cloudflare): the tags, comma-separated.
    pub cache_tag: Option<HeaderValue>,
}

/// How a lookup was answered.
#[derive(Debug)]
pub enum Lookup<E> {
    /// From the cache.
    Hit(Arc<Entry>),
    /// Computed for this lookup, or by a concurrent one for the same key that it waited for.
    Miss(Arc<Entry>),
    /// The computation gave an answer that is not cached (an error); waiters share it.
    Uncached(Arc<E>),
}

/// What a raw request was found to ask: its key and its operation's name.
#[derive(Debug, Clone)]
pub struct Remembered {
    /// The key its answer is kept under.
    pub key: Key,
    /// The operation it names (for metrics).
    pub operation: Option<Arc<str>>,
}

/// Write stamps: the clock, the stamp of each tag, and the floor below which everything is stale.
#[derive(Debug, Default)]
struct Stamps {
    clock: AtomicU64,
    floor: AtomicU64,
    tags: RwLock<HashMap<Tag, u64>>,
}

impl Stamps {
    fn now(&self) -> u64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// Whether nothing an answer born at `born` read with `tags` has been written since.
    fn fresh(&self, born: u64, tags: &TagSet) -> bool {
        if born < self.floor.load(Ordering::SeqCst) {
            return false;
        }
        let Ok(stamps) = self.tags.read() else {
            return false;
        };
        tags.iter()
            .all(|tag| stamps.get(tag).is_none_or(|&stamp| stamp <= born))
    }

    fn stamp(&self, tags: &TagSet) {
        // A poisoned lock cannot record a stamp: drop everything instead.
        let Ok(mut stamps) = self.tags.write() else {
            self.flush();
            return;
        };
        let now = self.clock.fetch_add(1, Ordering::SeqCst) + 1;
        if stamps.len() + tags.len() > MAX_STAMPS {
            stamps.clear();
            self.floor.store(now, Ordering::SeqCst);
            return;
        }
        for tag in tags {
            stamps.insert(tag.clone(), now);
        }
    }

    fn flush(&self) {
        let now = self.clock.fetch_add(1, Ordering::SeqCst) + 1;
        self.floor.store(now, Ordering::SeqCst);
    }
}

/// The cache of anonymous answers, shared by every request of one server.
#[derive(Clone)]
pub struct ResponseCache {
    entries: Cache<Key, Arc<Entry>>,
    /// Exact requests seen before (see [`ResponseCache::request_key`]).
    requests: Cache<Bytes, Remembered, foldhash::fast::RandomState>,
    stamps: Arc<Stamps>,
    /// False while writes of other servers could go unheard (PostgreSQL, not listening): the
    /// cache is then passed by.
    live: Arc<AtomicBool>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseCache")
    }
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` of answers (with their keys and tags), each for at
    /// most `ttl`.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        // A sixteenth of the bound remembers raw requests, the rest holds answers.
        let remembered = max_bytes / 16;
        let requests = Cache::builder()
            .max_capacity(remembered)
            .weigher(|raw: &Bytes, r: &Remembered| {
                let weight = raw.len() + r.operation.as_ref().map_or(0, |o| o.len()) + 160;
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            // A raw request is a kilobyte or more: SipHash over it showed in the profile of a
            // 304; foldhash is seeded per process too, so crafted requests cannot collide.
            .build_with_hasher(foldhash::fast::RandomState::default());
        // moka applies inserts and evictions in batches, so the entries may pass their
        // capacity until the next batch runs: with every page going through a 32 MiB cache
        // (bench/run's bounded scenario at 10k roles) that overshoot was 2-3 MB. An eighth of
        // the bound is left for it.
        let headroom = max_bytes / 8;
        let entries = Cache::builder()
            .max_capacity(max_bytes - remembered - headroom)
            .weigher(|_key: &Key, entry: &Arc<Entry>| {
                // The body, its tags and a fixed share for the key, the entity tag and moka's
                // own bookkeeping, so that many tiny answers are bounded too.
                // A tag in its set costs about 64 bytes with the tree's nodes, then its name in
                // the two purge headers;
                // 2 KiB covers the key, the entity tag and moka's bookkeeping. The body counts
                // a quarter more than its length: while answers are evicted all the time (10k
                // pages through 32 MiB), the allocator keeps freed memory and moka evicts a
                // little late, and counting the body once left the process 2-4 MB past its
                // baseline plus the bound (bench/RESULTS.md).
                let names = entry.headers.surrogate_key.as_ref().map_or(0, |v| v.len());
                let weight = entry.body.len() * 5 / 4 + entry.tags.len() * 64 + names * 2 + 2048;
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        Self {
            entries,
            requests,
            stamps: Arc::default(),
            live: Arc::new(AtomicBool::new(true)),
            hits: Arc::default(),
            misses: Arc::default(),
        }
    }

    /// What the exact request `raw` (a GET's query string, or a POST's content type and body,
    /// each with a prefix of its own) was found to ask before. A repeated request then skips
    /// decoding, normalising and hashing, which were a sixth of a cached answer's CPU (perf);
    /// the mapping never goes stale, since it holds no answer, only where one is kept.
    pub async fn request_key(&self, raw: &[u8]) -> Option<Remembered> {
        self.requests.get(raw).await
    }

    /// Remembers that `raw` asks what `key` names.
    pub async fn remember_request(&self, raw: Bytes, key: Key, operation: Option<&str>) {
        let remembered = Remembered {
            key,
            operation: operation.map(Arc::from),
        };
        self.requests.insert(raw, remembered).await;
    }

    /// The answer kept under `key` if it is fresh (counted as a hit); `None` counts nothing.
    /// A request checks here before any parsing or analysis: an answer is kept only for a
    /// request that passed them all, and the key holds everything they looked at.
    pub async fn get_fresh(&self, key: &Key) -> Option<Arc<Entry>> {
        let entry = self.peek_fresh(key).await?;
        self.count_hit();
        Some(entry)
    }

    /// The answer kept under `key` if it is fresh, counting nothing: the caller counts the hit
    /// ([`ResponseCache::count_hit`]) when it serves it.
    pub async fn peek_fresh(&self, key: &Key) -> Option<Arc<Entry>> {
        if !self.live.load(Ordering::SeqCst) {
            return None;
        }
        let entry = self.entries.get(key).await?;
        self.stamps.fresh(entry.born, &entry.tags).then_some(entry)
    }

    /// Counts an answer served from the cache.
    pub fn count_hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// The answer kept under `key` if it is fresh, else the one `compute` gives, kept when it is
    /// `Ok`. Concurrent lookups of one missing key run `compute` once and share its answer.
    pub async fn get_or_compute<E, F, Fut>(&self, key: Key, compute: F) -> Lookup<E>
    where
        E: Send + Sync + 'static,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(Bytes, TagSet), E>>,
    {
        if !self.live.load(Ordering::SeqCst) {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return self.compute_uncached(&compute).await;
        }
        if let Some(entry) = self.entries.get(&key).await {
            if self.stamps.fresh(entry.born, &entry.tags) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Lookup::Hit(entry);
            }
            self.entries.invalidate(&key).await;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        // A lookup that joins a computation begun before a write it must see computes again:
        // at most twice, then without the cache, so a stream of writes cannot hold it waiting.
        for _ in 0..2 {
            let ran = AtomicBool::new(false);
            let result = self
                .entries
                .try_get_with(key, async {
                    ran.store(true, Ordering::Relaxed);
                    let born = self.stamps.now();
                    let (body, tags) = compute().await?;
                    Ok(Arc::new(Entry::born_at(body, tags, born)))
                })
                .await;
            match result {
                // What this lookup computed read the database after it arrived: as fresh as
                // an uncached answer, even when a write landed meanwhile (later lookups will
                // not take it).
                Ok(entry) if ran.load(Ordering::Relaxed) => return Lookup::Miss(entry),
                Ok(entry) if self.stamps.fresh(entry.born, &entry.tags) => {
                    return Lookup::Miss(entry);
                }
                Ok(_) => self.entries.invalidate(&key).await,
                Err(e) => return Lookup::Uncached(e),
            }
        }
        self.compute_uncached(&compute).await
    }

    async fn compute_uncached<E, F, Fut>(&self, compute: &F) -> Lookup<E>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(Bytes, TagSet), E>>,
    {
        let born = self.stamps.now();
        match compute().await {
            Ok((body, tags)) => Lookup::Miss(Arc::new(Entry::born_at(body, tags, born))),
            Err(e) => Lookup::Uncached(Arc::new(e)),
        }
    }

    /// Whether answers are kept and served: false passes the cache by (while other servers'
    /// writes could go unheard), true drops everything kept before and serves again.
    pub fn set_live(&self, live: bool) {
        if live {
            self.flush();
        }
        self.live.store(live, Ordering::SeqCst);
    }

    /// Drops every answer that read one of `tags` (lazily: they are not served again).
    pub fn invalidate(&self, tags: &TagSet) {
        if !tags.is_empty() {
            self.stamps.stamp(tags);
        }
    }

    /// Drops every answer.
    pub fn flush(&self) {
        self.stamps.flush();
        self.entries.invalidate_all();
    }

    /// Answers served from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Lookups that did not find a fresh answer so far.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Bytes the cache holds by its own weighing (after pending evictions ran).
    pub async fn bytes(&self) -> u64 {
        self.entries.run_pending_tasks().await;
        self.requests.run_pending_tasks().await;
        self.entries.weighted_size() + self.requests.weighted_size()
    }
}

/// The payload announcing `tags` on [`CHANNEL`]: their names, space-separated, or `*` when
/// they do not fit.
pub fn notification(tags: &TagSet) -> String {
    let names = tags::joined(tags, " ");
    if names.len() > MAX_PAYLOAD {
        EVERYTHING.to_owned()
    } else {
        names
    }
}

/// Applies a notification from [`CHANNEL`]: its tags, or everything for `*` or a payload
/// that does not parse (dropping too much is safe; too little is not).
pub fn apply_notification(cache: &ResponseCache, payload: &str) {
    let tags: Option<TagSet> = payload
        .split_whitespace()
        .map(Tag::parse)
        .collect::<Option<TagSet>>();
    match tags {
        Some(tags) if payload != EVERYTHING && !tags.is_empty() => cache.invalidate(&tags),
        _ => cache.flush(),
    }
}

/// Hears the writes of every server on the PostgreSQL database behind `pool` for as long as
/// the process runs, reconnecting after a lost connection. The cache is passed by until the
/// first `LISTEN` and whenever the connection is lost, and flushed when hearing resumes, so a
/// missed notification never leaves a stale answer served. Returns once the first `LISTEN`
/// was tried, so that a server starts with its cache working when the database answers.
pub async fn listen(cache: ResponseCache, pool: sea_orm::sqlx::PgPool) {
    cache.set_live(false);
    let first = subscribe(&pool).await;
    tokio::spawn(async move {
        let mut listener = first;
        loop {
            if let Some(mut heard) = listener.take() {
                cache.set_live(true);
                loop {
                    match heard.try_recv().await {
                        Ok(Some(n)) => apply_notification(&cache, n.payload()),
                        // The connection was lost (sqlx would reconnect on the next call, but
                        // only a fresh LISTEN tells when hearing resumed).
                        Ok(None) => {
                            tracing::warn!("cache invalidations: connection lost, reconnecting");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "cache invalidations: listening failed");
                            break;
                        }
                    }
                }
                cache.set_live(false);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            listener = subscribe(&pool).await;
        }
    });
}

/// A connection listening on [`CHANNEL`], if one could be made.
async fn subscribe(pool: &sea_orm::sqlx::PgPool) -> Option<sea_orm::sqlx::postgres::PgListener> {
    let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(error = %e, "cache invalidations: cannot connect to listen");
            return None;
        }
    };
    match listener.listen(CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!(error = %e, "cache invalidations: LISTEN failed");
            None
        }
    }
}

/// The cache key of a request: its operation name, its document with insignificant characters
/// removed ([`normalise`]) and its variables with keys in order.
pub fn key_of(
    operation: Option<&str>,
    query: &str,
    variables: &serde_json::Map<String, serde_json::Value>,
) -> Key {
    let mut hasher = Sha256::new();
    hasher.update(operation.unwrap_or("").as_bytes());
    hasher.update([0]);
    hasher.update(normalise(query).as_bytes());
    hasher.update([0]);
    // serde_json's Value orders object keys (no preserve_order), so equal variables print equally.
    let value = serde_json::Value::Object(variables.clone());
    hasher.update(value.to_string().as_bytes());
    hasher.finalize().into()
}

/// `text`'s quoted entity tag: 128 bits of its SHA-256, in hex.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for byte in &digest[..16] {
        tag.push_str(&format!("{byte:02x}"));
    }
    tag.push('"');
    tag
}

/// A GraphQL document without what the language ignores: comments, commas and runs of
/// white space (kept as one space only between two names or numbers). Strings, block strings
/// included, are copied as they are. Two documents that differ only in layout normalise equally.
pub fn normalise(query: &str) -> String {
    // Bytes, not chars: everything the language ignores is ASCII, and a multi-byte character
    // is copied whole (its bytes are never dropped one by one), so the output stays UTF-8.
    // Decoding chars made this 5 % of a cached answer's CPU (perf, bench/RESULTS.md).
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let bytes = query.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') || b >= 0x80;
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut gap = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let rest = &bytes[i..];
        match b {
            b'#' => {
                i += rest
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .unwrap_or(rest.len());
                gap = true;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                gap = true;
            }
            _ if rest.starts_with(BOM) => {
                i += BOM.len();
                gap = true;
            }
            b'"' => {
                if gap && out.last().is_some_and(|&l| word(l)) {
                    out.push(b' ');
                }
                gap = false;
                if rest.starts_with(b"\"\"\"") {
                    // A block string ends at the first """ not escaped as \""".
                    let mut end = 3;
                    while end < rest.len() {
                        if rest[end..].starts_with(b"\\\"\"\"") {
                            end += 4;
                        } else if rest[end..].starts_with(b"\"\"\"") {
                            end += 3;
                            break;
                        } else {
                            end += 1;
                        }
                    }
                    let end = end.min(rest.len());
                    out.extend_from_slice(&rest[..end]);
                    i += end;
                } else {
                    let mut end = 1;
                    let mut escaped = false;
                    while let Some(&c) = rest.get(end) {
                        end += 1;
                        if escaped {
                            escaped = false;
                        } else if c == b'\\' {
                            escaped = true;
                        } else if c == b'"' || c == b'\n' {
                            break;
                        }
                    }
                    out.extend_from_slice(&rest[..end]);
                    i += end;
                }
            }
            _ => {
                if gap && word(b) && out.last().is_some_and(|&l| word(l)) {
                    out.push(b' ');
                }
                gap = false;
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    fn tags(list: &[Tag]) -> TagSet {
        list.iter().cloned().collect()
    }

    fn answer(body: &str, read: &[Tag]) -> Result<(Bytes, TagSet), ()> {
        Ok((Bytes::from(body.to_owned()), tags(read)))
    }

    #[test]
    fn layout_does_not_change_the_key_and_strings_are_kept() {
        let a =
            "query Page($slug: String!) {\n  role(slug: $slug) { title, summary } # the page\n}";
        let b = "query Page($slug:String!){role(slug:$slug){title summary}}";
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(
            normalise(b),
            "query Page($slug:String!){role(slug:$slug){title summary}}"
        );
        let s = r#"{ roles(filter: { search: "a,  b # c" }) { totalCount } }"#;
        assert!(normalise(s).contains(r#""a,  b # c""#));
        let block = "{ a(x: \"\"\" one, \\\"\"\" two \"\"\") }";
        assert!(normalise(block).contains("\"\"\" one, \\\"\"\" two \"\"\""));
        // Multi-byte characters stay whole, in strings, comments and (invalid) names alike.
        let text = "\u{feff}{ a(x: \"é, ü\") # ç, ß\n b ñ }";
        assert_eq!(normalise(text), "{a(x:\"é, ü\")b ñ}");
        // An unterminated string or block string is copied to the end, never past it.
        assert_eq!(normalise("{ a(x: \"open"), "{a(x:\"open");
        assert_eq!(
            normalise("{ a(x: \"\"\"open \\\"\"\""),
            "{a(x:\"\"\"open \\\"\"\""
        );
        let vars = serde_json::json!({"b": 1, "a": 2});
        let swapped = serde_json::json!({"a": 2, "b": 1});
        let map = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            key_of(Some("Page"), a, &map(vars.clone())),
            key_of(Some("Page"), b, &map(swapped))
        );
        assert_ne!(
            key_of(Some("Page"), a, &map(vars.clone())),
            key_of(None, a, &map(vars))
        );
    }

    #[tokio::test]
    async fn a_write_drops_exactly_the_answers_that_read_its_tags() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        let a = [1; 32];
        let b = [2; 32];
        let first = cache
            .get_or_compute(a, || async { answer("A", &[Tag::Role(1)]) })
            .await;
        assert!(matches!(first, Lookup::Miss(_)));
        cache
            .get_or_compute(b, || async { answer("B", &[Tag::Role(2)]) })
            .await;
        assert!(matches!(
            cache
                .get_or_compute(a, || async { answer("A2", &[]) })
                .await,
            Lookup::Hit(_)
        ));
        cache.invalidate(&tags(&[Tag::Role(1)]));
        match cache
            .get_or_compute(a, || async { answer("A2", &[Tag::Role(1)]) })
            .await
        {
            Lookup::Miss(entry) => assert_eq!(&entry.body[..], b"A2"),
            other => panic!("{other:?}"),
        }
        match cache
            .get_or_compute(b, || async { answer("B2", &[]) })
            .await
        {
            Lookup::Hit(entry) => assert_eq!(&entry.body[..], b"B"),
            other => panic!("{other:?}"),
        }
        cache.flush();
        assert!(matches!(
            cache
                .get_or_compute(b, || async { answer("B3", &[]) })
                .await,
            Lookup::Miss(_)
        ));
        assert_eq!((cache.hits(), cache.misses()), (2, 4));
    }

    #[tokio::test]
    async fn errors_are_shared_but_never_kept() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        let key = [3; 32];
        let failed = cache
            .get_or_compute(key, || async { Err::<(Bytes, TagSet), _>("down") })
            .await;
        assert!(matches!(failed, Lookup::Uncached(e) if *e == "down"));
        let next = cache
            .get_or_compute(key, || async {
                Ok::<_, &str>((Bytes::from_static(b"up"), TagSet::new()))
            })
            .await;
        assert!(matches!(next, Lookup::Miss(_)));
    }

    #[tokio::test]
    async fn concurrent_misses_of_one_key_compute_once() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let cache = cache.clone();
            let runs = runs.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_compute([4; 32], || {
                        let runs = runs.clone();
                        async move {
                            runs.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            answer("once", &[Tag::Roles])
                        }
                    })
                    .await
            }));
        }
        for task in tasks {
            let lookup = task.await.expect("task ran");
            assert!(!matches!(lookup, Lookup::Uncached(_)));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_lookup_after_a_write_does_not_take_a_computation_begun_before_it() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        let key = [5; 32];
        let slow = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_compute(key, || async {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        answer("old", &[Tag::Role(9)])
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        cache.invalidate(&tags(&[Tag::Role(9)]));
        match cache
            .get_or_compute(key, || async { answer("new", &[Tag::Role(9)]) })
            .await
        {
            Lookup::Miss(entry) => assert_eq!(&entry.body[..], b"new"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(slow.await.expect("task ran"), Lookup::Miss(_)));
    }

    #[tokio::test]
    async fn the_byte_bound_evicts() {
        let cache = ResponseCache::new(64 * 1024, Duration::from_secs(60));
        let body = "x".repeat(4000);
        for i in 0..200u8 {
            let body = body.clone();
            cache
                .get_or_compute([i; 32], move || {
                    let body = body.clone();
                    async move { answer(&body, &[]) }
                })
                .await;
        }
        assert!(cache.bytes().await <= 64 * 1024, "{}", cache.bytes().await);
    }

    #[test]
    fn etags_are_quoted_and_follow_the_body() {
        let a = etag_of(b"one");
        assert_eq!(a.len(), 34);
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_ne!(a, etag_of(b"two"));
    }
}
