//! `TestApp`: the real server on a real, fresh database, driven over HTTP as a frontend would.
//!
//! Every database test runs twice, on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`), each
//! run on its own fresh database: see [`on_both!`]. Without `TEST_POSTGRES_URL` the PostgreSQL
//! runs are compiled as ignored (`cfg(test_postgres_url)`, set by `build.rs`), so the summary
//! says they did not run; one run anyway (`--ignored`) fails instead of passing.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use api::{Application, Config};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database on `TEST_POSTGRES_URL`.
    Postgres,
}

/// A running server on its own database.
pub struct TestApp {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// A direct connection to the same database, to check what was (not) written.
    pub db: DatabaseConnection,
    /// Which database this is.
    pub backend: Backend,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    /// SQL the server ran, when spawned with [`TestApp::spawn_counting`].
    statements: Arc<Mutex<Vec<String>>>,
    /// Dropped after the server (fields drop after `Drop::drop`), removing the database.
    _fresh: FreshDatabase,
}

/// Sends the server's warnings and errors to the test's captured output, so a test that fails
/// on an `INTERNAL` answer shows what the server logged behind it.
fn show_server_errors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .with_test_writer()
            .try_init();
    });
}

/// A fresh, empty database of its own, removed when dropped.
pub struct FreshDatabase {
    /// Its URL.
    pub url: String,
    cleanup: Option<Cleanup>,
}

impl FreshDatabase {
    /// A new SQLite file, or a new PostgreSQL database on `TEST_POSTGRES_URL` (a panic when it
    /// is not set or not reachable).
    pub async fn create(backend: Backend) -> Self {
        let name = unique_name();
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("jobrisk-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                let path = dir.join(format!("{name}.db"));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Cleanup::SqliteFile(path),
                )
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = Database::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to TEST_POSTGRES_URL={admin_url}: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                (
                    with_database(&admin_url, &name),
                    Cleanup::PostgresDatabase { admin_url, name },
                )
            }
        };
        Self {
            url,
            cleanup: Some(cleanup),
        }
    }
}

/// `TEST_POSTGRES_URL`, or a panic: a PostgreSQL test that runs without a database must fail,
/// never pass having checked nothing. (Without the variable at build time these tests are
/// ignored, so this only fires for `--ignored` runs or a variable unset since the build.)
pub fn postgres_admin_url() -> String {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "TEST_POSTGRES_URL is not set: a PostgreSQL test cannot run without it \
             (e.g. TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    }
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "jobrisk_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The HS256 secret of [`TestApp::spawn_with_jwt`] servers, for signing editors' tokens.
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

impl TestApp {
    /// The server on a fresh database with the demo content loaded.
    pub async fn spawn(backend: Backend) -> Self {
        let app = Self::spawn_empty(backend).await;
        api::seed::seed(&app.db).await.expect("demo content loads");
        app
    }

    /// Like [`TestApp::spawn`], verifying editors' tokens signed with [`JWT_SECRET`].
    pub async fn spawn_with_jwt(backend: Backend) -> Self {
        Self::spawn_configured(backend, vec![("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned())]).await
    }

    /// Like [`TestApp::spawn`], but the server's connection records every SQL statement it
    /// runs (the test's own `db` does not), so tests can count statements per request.
    pub async fn spawn_counting(backend: Backend) -> Self {
        // A generous batching window (1 ms in production), so that batches split by a loaded
        // test machine stay rare and the tests' statement bounds can stay tight.
        let env = vec![("JOBRISK_BATCH_WINDOW_MS", "50".to_owned())];
        let app = Self::spawn_with(backend, true, env).await;
        api::seed::seed(&app.db).await.expect("demo content loads");
        app
    }

    /// Like [`TestApp::spawn_counting`], verifying editors' tokens, with the response cache on
    /// (8 MiB): for the cache tests, which change content only through the API.
    pub async fn spawn_caching(backend: Backend) -> Self {
        let env = vec![
            ("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned()),
            ("JOBRISK_CACHE_MAX_BYTES", (8 * 1024 * 1024).to_string()),
        ];
        let app = Self::spawn_with(backend, true, env).await;
        api::seed::seed(&app.db).await.expect("demo content loads");
        app
    }

    /// The server on a fresh, migrated, empty database.
    pub async fn spawn_empty(backend: Backend) -> Self {
        Self::spawn_with(backend, false, Vec::new()).await
    }

    /// Like [`TestApp::spawn_empty`], verifying editors' tokens signed with [`JWT_SECRET`].
    pub async fn spawn_empty_with_jwt(backend: Backend) -> Self {
        let env = vec![("JOBRISK_JWT_SECRET", JWT_SECRET.to_owned())];
        Self::spawn_with(backend, false, env).await
    }

    /// The URL of the server's database, for commands run beside it.
    pub fn database_url(&self) -> &str {
        &self._fresh.url
    }

    /// Like [`TestApp::spawn`], with extra configuration variables (e.g. the JWT key).
    pub async fn spawn_configured(backend: Backend, env: Vec<(&'static str, String)>) -> Self {
        let app = Self::spawn_with(backend, false, env).await;
        api::seed::seed(&app.db).await.expect("demo content loads");
        app
    }

    async fn spawn_with(
        backend: Backend,
        counting: bool,
        env: Vec<(&'static str, String)>,
    ) -> Self {
        show_server_errors();
        let fresh = FreshDatabase::create(backend).await;
        let url = fresh.url.clone();
        let config = Config::from_lookup(|key| {
            let given = env.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
            match key {
                "DATABASE_URL" => Some(url.clone()),
                "JOBRISK_LISTEN" => Some("127.0.0.1:0".into()),
                // Every test comes from 127.0.0.1 and some send hundreds of requests: rate
                // limits are off unless a test turns them on.
                "JOBRISK_RATE_LIMIT_RPS" | "JOBRISK_WRITE_RATE_LIMIT_RPS" => {
                    given.or_else(|| Some("0".into()))
                }
                // Many tests change content with SQL behind the server's back, which no cache
                // can hear of: the response cache is on only where a test turns it on (the
                // cache tests, which write only through the API).
                "JOBRISK_CACHE_MAX_BYTES" => given.or_else(|| Some("0".into())),
                _ => given,
            }
        })
        .expect("test config");
        let db = api::db::connect(&url).await.expect("connect");
        api::db::migrate(&db).await.expect("migrate");
        let statements: Arc<Mutex<Vec<String>>> = Arc::default();
        // The server's statement callback lives in its own clone of the pool handle, so the
        // test's `db` stays uncounted.
        let hook: Option<api::db::StatementHook> = counting.then(|| {
            let log = Arc::clone(&statements);
            Arc::new(move |sql: &str| {
                if let Ok(mut log) = log.lock() {
                    log.push(sql.to_owned());
                }
            }) as api::db::StatementHook
        });
        let app = Application::with_statement_hook(&config, db.clone(), hook)
            .await
            .expect("bind");
        let app = studio::mount(app, &config).await.expect("studio");
        let addr = app.local_addr().expect("address");
        let server = tokio::spawn(async move {
            app.run_forever().await.expect("server runs");
        });
        Self {
            addr,
            db,
            backend,
            client: reqwest::Client::new(),
            _fresh: fresh,
            server,
            statements,
        }
    }

    /// Takes the SQL statements the server ran since the last call (counting apps only).
    pub fn take_statements(&self) -> Vec<String> {
        std::mem::take(&mut *self.statements.lock().expect("statement log"))
    }

    /// The GraphQL endpoint.
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// Any path on the server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The raw HTTP client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Posts a GraphQL request as an anonymous reader; returns the whole JSON response.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        self.query_as(None, query, variables).await
    }

    /// Posts a GraphQL request with an optional bearer token.
    pub async fn query_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.client.post(self.graphql_url()).json(&json!({
            "query": query,
            "variables": variables,
        }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let answer: Value = response.json().await.expect("JSON response");
        // No request a test makes through here may meet an unexpected failure: a client error
        // has a code of its own. (Tests that break the database on purpose use `query_text`.)
        if let Some(errors) = answer["errors"].as_array() {
            assert!(
                errors.iter().all(|e| e["extensions"]["code"] != "INTERNAL"),
                "the server answered INTERNAL: {answer:#}"
            );
        }
        answer
    }

    /// Posts a query that must succeed; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.query(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }
}

impl TestApp {
    /// Posts a raw body to `/graphql`; returns the HTTP status and the body text.
    pub async fn post_raw(
        &self,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (u16, String) {
        let mut request = self.client.post(self.graphql_url()).body(body);
        if let Some(content_type) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Posts a GraphQL request; returns the HTTP status and the body text, unparsed.
    pub async fn query_text(&self, query: &str, variables: Value) -> (u16, String) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        self.post_raw(Some("application/json"), body).await
    }

    /// The status of `GET /healthz`.
    pub async fn health(&self) -> u16 {
        self.client
            .get(self.url("/healthz"))
            .send()
            .await
            .expect("health request sent")
            .status()
            .as_u16()
    }

    /// Runs SQL directly on the test's database (not through the API).
    pub async fn sql(&self, sql: &str) {
        self.db
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Recomputes every role's folded search text, as the write path does; tests that change
    /// titles or summaries with raw SQL call it afterwards.
    pub async fn refold_search_text(&self) {
        let backend = self.db.get_database_backend();
        let rows = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT id, title, summary FROM roles",
            ))
            .await
            .expect("read roles");
        for row in rows {
            let id: i32 = row.try_get_by_index(0).expect("id");
            let title: String = row.try_get_by_index(1).expect("title");
            let summary: String = row.try_get_by_index(2).expect("summary");
            let folded = api::service::roles::search_text(&title, &summary);
            self.db
                .execute_raw(sea_orm::Statement::from_sql_and_values(
                    backend,
                    match backend {
                        sea_orm::DbBackend::Postgres => {
                            "UPDATE roles SET search_text = $1 WHERE id = $2"
                        }
                        _ => "UPDATE roles SET search_text = ? WHERE id = ?",
                    },
                    [folded.into(), id.into()],
                ))
                .await
                .expect("update search text");
        }
        self.republish_all().await;
    }

    /// Renders every PUBLISHED role's working copy into its published snapshot again (and drops
    /// the snapshots of roles no longer PUBLISHED): tests that change roles with raw SQL call it
    /// so that the public pages show the change, as a publish would.
    pub async fn republish_all(&self) {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            self.sql("DELETE FROM role_snapshots_fts").await;
            self.sql("DELETE FROM role_snapshot_titles_fts").await;
        }
        self.sql("DELETE FROM role_snapshots").await;
        api::service::publishing::backfill(&self.db)
            .await
            .expect("render snapshots");
    }

    /// The first column of every row of a query, as text, run directly on the database.
    pub async fn sql_strings(&self, sql: &str) -> Vec<String> {
        let statement = sea_orm::Statement::from_string(self.db.get_database_backend(), sql);
        self.db
            .query_all_raw(statement)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
            .collect()
    }

    /// The number of published roles, counted directly in the database.
    pub async fn published_role_count(&self) -> usize {
        self.sql_strings("SELECT slug FROM roles WHERE status = 'PUBLISHED'")
            .await
            .len()
    }
}

/// Every string found under `key` anywhere in `value` (objects and arrays, recursively).
pub fn strings_under(value: &Value, key: &str) -> Vec<String> {
    fn walk(value: &Value, key: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == key
                        && let Some(s) = v.as_str()
                    {
                        out.push(s.to_owned());
                    }
                    walk(v, key, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, key, &mut out);
    out
}

/// Asserts the response failed with `BAD_USER_INPUT`, every error carries a code, and, when
/// `field` is given, the first error names it in `extensions.field` and in its message.
pub fn assert_bad_input(response: &Value, field: Option<&str>) {
    assert_every_error_coded(response);
    let (code, error) = first_error(response);
    assert_eq!(code, "BAD_USER_INPUT", "{response:#}");
    if let Some(field) = field {
        assert_eq!(error["extensions"]["field"], field, "{response:#}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains(field), "message names {field}: {message}");
    }
}

/// Asserts the response has errors and every one carries a string `extensions.code`.
pub fn assert_every_error_coded(response: &Value) {
    let errors = response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {response:#}"));
    assert!(!errors.is_empty(), "expected errors: {response:#}");
    for error in errors {
        assert!(
            error["extensions"]["code"].is_string(),
            "error without extensions.code: {error:#}"
        );
    }
}

/// The `extensions.code` of the first error, and the error itself.
pub fn first_error(response: &Value) -> (&str, &Value) {
    let error = &response["errors"][0];
    (
        error["extensions"]["code"].as_str().unwrap_or("<no code>"),
        error,
    )
}

/// A second server on a [`TestApp`]'s database (as another instance behind a load balancer).
pub struct Sibling {
    /// Where it listens.
    pub addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Sibling {
    /// Its `/graphql` URL.
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Starts another server on this app's database, verifying editors' tokens, with the
    /// response cache on.
    pub async fn sibling(&self) -> Sibling {
        let url = self._fresh.url.clone();
        let config = Config::from_lookup(|key| match key {
            "DATABASE_URL" => Some(url.clone()),
            "JOBRISK_LISTEN" => Some("127.0.0.1:0".into()),
            "JOBRISK_RATE_LIMIT_RPS" | "JOBRISK_WRITE_RATE_LIMIT_RPS" => Some("0".into()),
            "JOBRISK_JWT_SECRET" => Some(JWT_SECRET.into()),
            "JOBRISK_CACHE_MAX_BYTES" => Some((8 * 1024 * 1024).to_string()),
            _ => None,
        })
        .expect("test config");
        let db = api::db::connect(&url).await.expect("connect");
        let app = Application::with_database(&config, db).await.expect("bind");
        let addr = app.local_addr().expect("address");
        let server = tokio::spawn(async move {
            app.run_forever().await.expect("server runs");
        });
        Sibling { addr, server }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::SqliteFile(path)) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Some(Cleanup::PostgresDatabase { admin_url, name }) => {
                // Drop runs outside async: a short-lived runtime on its own thread.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
            None => {}
        }
    }
}

/// Runs each named test on SQLite and on PostgreSQL, as `name::sqlite` and `name::postgres`,
/// each on a fresh database of its own.
///
/// - `on_both!(a, b)`: `async fn a(app: TestApp)`, given a server seeded with the demo content
///   ([`TestApp::spawn`]);
/// - `on_both!(spawn_with_jwt => a, b)`: the same, spawned by another `TestApp` constructor
///   (`spawn_counting`, `spawn_with_jwt`, ...);
/// - `on_both!(backend => a, b)`: `async fn a(backend: Backend)`, for tests that set up their
///   own server or database.
///
/// Attributes before a name go on both generated tests. Without `TEST_POSTGRES_URL` at build
/// time `name::postgres` is ignored; `.ci/run` fails when any PostgreSQL test was ignored, so an
/// `#[ignore]` given here turns CI red as well.
#[macro_export]
macro_rules! on_both {
    (backend => $($(#[$attr:meta])* $name:ident),* $(,)?) => {$(
        mod $name {
            $(#[$attr])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }

            $(#[$attr])*
            #[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await;
            }
        }
    )*};
    ($spawn:ident => $($(#[$attr:meta])* $name:ident),* $(,)?) => {$(
        mod $name {
            $(#[$attr])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(
                    $crate::helpers::TestApp::$spawn($crate::helpers::Backend::Sqlite).await,
                )
                .await;
            }

            $(#[$attr])*
            #[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(
                    $crate::helpers::TestApp::$spawn($crate::helpers::Backend::Postgres).await,
                )
                .await;
            }
        }
    )*};
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        $crate::on_both!(spawn => $($(#[$attr])* $name),*);
    };
}

#[test]
fn postgres_urls_get_their_database_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "x"),
        "postgres://u@h:5432/x"
    );
}

/// An HS256 token for [`JWT_SECRET`] servers ([`TestApp::spawn_with_jwt`]), valid for ten
/// minutes, for `sub` with the space-separated `scope` (none when `None`).
pub fn token(sub: &str, scope: Option<&str>) -> String {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 600;
    let mut claims = json!({ "sub": sub, "exp": exp });
    if let Some(scope) = scope {
        claims["scope"] = json!(scope);
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign a test token")
}
