//! The real `jobrisk serve` process on a fresh database, for the browser to talk to.
//!
//! Like `tests/e2e/process`, but standalone: test targets cannot share modules, and the e2e
//! helpers bring the whole in-process `TestApp` along. What is copied is small: a fresh SQLite
//! file or PostgreSQL database, the demo content, and the process with its JSON log lines.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

/// Which database a browser flow runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A fresh SQLite file in the temp dir.
    Sqlite,
    /// A fresh PostgreSQL database on `TEST_POSTGRES_URL`.
    Postgres,
}

/// What the server starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The demo content (`api::seed::seed`), and no studio users.
    Demo,
    /// Migrated and empty.
    Empty,
}

/// A `jobrisk serve` child process on its own fresh database, killed (and the database removed)
/// when dropped.
pub struct StudioServer {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The database it runs on.
    pub db: Db,
    log: Arc<Mutex<Vec<String>>>,
    /// Dropped after the process (fields drop after `Drop::drop`).
    fresh: FreshDatabase,
}

impl StudioServer {
    /// The server with the demo content on a fresh `db`.
    pub async fn start(db: Db) -> Self {
        Self::start_with(db, Content::Demo, &[]).await
    }

    /// The server on a fresh `db` holding `content`, with extra environment `env`.
    pub async fn start_with(db: Db, content: Content, env: &[(&str, String)]) -> Self {
        let fresh = FreshDatabase::create(db).await;
        let conn = api::db::connect(&fresh.url).await.expect("connect");
        api::db::migrate(&conn).await.expect("migrate");
        if content == Content::Demo {
            api::seed::seed(&conn).await.expect("demo content loads");
        }
        conn.close().await.ok();

        let mut command = Command::new(env!("CARGO_BIN_EXE_jobrisk"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", &fresh.url)
            .env("JOBRISK_LISTEN", "127.0.0.1:0")
            .env("JOBRISK_LOG_FORMAT", "json")
            .env("JOBRISK_LOG", "info,sqlx=warn")
            .env("JOBRISK_RATE_LIMIT_RPS", "0")
            .env("JOBRISK_WRITE_RATE_LIMIT_RPS", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start jobrisk serve");
        let stdout = child.stdout.take().expect("stdout");
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The JSON log is flattened (`flatten_event`): fields sit beside `message`.
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && let Some(addr) = v["addr"].as_str()
                    && let Ok(addr) = addr.parse::<SocketAddr>()
                {
                    let _ = tx.send(addr);
                }
                if let Ok(mut log) = lines.lock() {
                    log.push(line);
                }
            }
        });
        // Blocking is fine here: nothing else of the test runs yet.
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("jobrisk serve logs its address within 60 s");
        Self {
            child,
            addr,
            db,
            log,
            fresh,
        }
    }

    /// `http://127.0.0.1:PORT`, the origin every page and request must stay on.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Any path on the server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The URL of the server's database, for checking what was written.
    pub fn database_url(&self) -> &str {
        &self.fresh.url
    }

    /// Every log line so far (JSON, one object a line).
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// The first log line (parsed) that `predicate` accepts.
    pub fn find_log(&self, predicate: impl Fn(&Value) -> bool) -> Option<Value> {
        self.log_lines()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|v| predicate(v))
    }

    /// Like [`StudioServer::find_log`], waiting up to `timeout` for the line.
    pub async fn wait_log(
        &self,
        predicate: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        let started = Instant::now();
        loop {
            if let Some(v) = self.find_log(&predicate) {
                return Some(v);
            }
            if started.elapsed() > timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The one-time set-up URL the server logs while no studio user exists (its `url` field,
    /// on the line whose message names `/studio/setup?token=`), absolute. Waits up to 10 s.
    pub async fn setup_url(&self) -> String {
        let line = self
            .wait_log(
                |v| {
                    [
                        &v["message"],
                        &v["fields"]["message"],
                        &v["url"],
                        &v["fields"]["url"],
                    ]
                    .iter()
                    .any(|s| {
                        s.as_str()
                            .is_some_and(|s| s.contains("/studio/setup?token="))
                    })
                },
                Duration::from_secs(10),
            )
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no log line with /studio/setup?token= within 10 s; the log:\n{}",
                    self.log_lines().join("\n")
                )
            });
        let url = [&line["url"], &line["fields"]["url"]]
            .into_iter()
            .find_map(Value::as_str)
            .unwrap_or_else(|| panic!("the set-up line has no `url` field: {line}"));
        if url.starts_with('/') {
            self.url(url)
        } else {
            url.to_owned()
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for StudioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh, empty database of its own, removed when dropped.
struct FreshDatabase {
    url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl FreshDatabase {
    async fn create(db: Db) -> Self {
        let name = unique_name();
        let (url, cleanup) = match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join("jobrisk-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                let path = dir.join(format!("{name}.db"));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Cleanup::SqliteFile(path),
                )
            }
            Db::Postgres => {
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

/// `TEST_POSTGRES_URL`, or a panic: a PostgreSQL flow without a database must fail, never pass.
fn postgres_admin_url() -> String {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "TEST_POSTGRES_URL is not set: a PostgreSQL test cannot run without it \
             (e.g. TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "jobrisk_studio_{}_{}_{}",
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
