//! `TestApp`: the real server on a real, fresh database, driven over HTTP as a frontend would.
//!
//! Every database test runs twice, on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`), each
//! run on its own fresh database: see [`on_both!`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
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
    cleanup: Option<Cleanup>,
    server: tokio::task::JoinHandle<()>,
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

impl TestApp {
    /// The server on a fresh database with the demo content loaded.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let app = Self::spawn_empty(backend).await?;
        api::seed::seed(&app.db).await.expect("demo content loads");
        Some(app)
    }

    /// The server on a fresh, migrated, empty database; `None` for PostgreSQL when
    /// `TEST_POSTGRES_URL` is not set outside CI (in CI its absence is a failure).
    pub async fn spawn_empty(backend: Backend) -> Option<Self> {
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
                let admin_url = match std::env::var("TEST_POSTGRES_URL") {
                    Ok(url) if !url.is_empty() => url,
                    _ if std::env::var_os("CI").is_some() => {
                        panic!("CI must set TEST_POSTGRES_URL")
                    }
                    _ => {
                        eprintln!("TEST_POSTGRES_URL not set: skipping the PostgreSQL run");
                        return None;
                    }
                };
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to TEST_POSTGRES_URL");
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
        let config = Config::from_lookup(|key| match key {
            "DATABASE_URL" => Some(url.clone()),
            "JOBRISK_LISTEN" => Some("127.0.0.1:0".into()),
            _ => None,
        })
        .expect("test config");
        let db = api::db::connect(&url).await.expect("connect");
        api::db::migrate(&db).await.expect("migrate");
        let app = Application::with_database(&config, db.clone())
            .await
            .expect("bind");
        let addr = app.local_addr().expect("address");
        let server = tokio::spawn(async move {
            app.run_forever().await.expect("server runs");
        });
        Some(Self {
            addr,
            db,
            backend,
            client: reqwest::Client::new(),
            cleanup: Some(cleanup),
            server,
        })
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
        response.json().await.expect("JSON response")
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

/// The `extensions.code` of the first error, and the error itself.
pub fn first_error(response: &Value) -> (&str, &Value) {
    let error = &response["errors"][0];
    (
        error["extensions"]["code"].as_str().unwrap_or("<no code>"),
        error,
    )
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
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

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL, as `name::sqlite` and
/// `name::postgres`, each on a fresh database seeded with the demo content.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite always runs");
                super::$name(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await
                {
                    super::$name(app).await;
                }
            }
        }
    )*};
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
