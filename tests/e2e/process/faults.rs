//! Faults: SIGTERM under load, kill -9 in the middle of a large write, and the database going
//! away and coming back under load.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use super::{Server, seeded};
use crate::hardening::PAGE;
use crate::helpers::Backend;
use crate::on_both;

const SECRET: &str = "test-secret-test-secret-test-secret-42";

fn token() -> String {
    let config = api::Config::from_lookup(|k| (k == "JOBRISK_JWT_SECRET").then(|| SECRET.into()))
        .expect("config");
    api::auth::token::issue(
        &config.auth,
        "fault-tester",
        "content:write content:publish",
        Duration::from_secs(3600),
    )
    .expect("token")
}

async fn page(client: &reqwest::Client, server: &Server) -> Result<(u16, Value), String> {
    let response = client
        .post(server.graphql_url())
        .json(&json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.json().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

on_both!(backend =>
    sigterm_lets_requests_in_flight_finish_and_exits_0,
    sigterm_exits_after_the_grace_period_even_with_requests_in_flight,
    kill_9_in_the_middle_of_a_large_update_leaves_the_old_or_the_new_role,
);

async fn sigterm_lets_requests_in_flight_finish_and_exits_0(backend: Backend) {
    let db = seeded(backend).await;
    // A long batching window makes each page request take a few seconds (one window per
    // nesting level), so requests are surely running when the signal arrives.
    let mut server = Server::start(&db.url, &[("JOBRISK_BATCH_WINDOW_MS", "500".into())]);
    let client = reqwest::Client::new();
    let warm = Arc::new(tokio::sync::Barrier::new(17));
    let in_flight: Vec<_> = (0..16)
        .map(|_| {
            // Each on a connection of its own, opened before the signal.
            let client = reqwest::Client::new();
            let url = server.graphql_url();
            let warm = Arc::clone(&warm);
            tokio::spawn(async move {
                client
                    .post(&url)
                    .json(&json!({ "query": "{ __typename }" }))
                    .send()
                    .await?;
                warm.wait().await;
                let r = client
                    .post(url)
                    .json(&json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }))
                    .send()
                    .await?;
                let status = r.status().as_u16();
                let body: Value = r.json().await?;
                Ok::<_, reqwest::Error>((status, body))
            })
        })
        .collect();
    warm.wait().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.signal("TERM");
    for request in in_flight {
        let (status, body) = request
            .await
            .expect("task")
            .expect("a request in flight at SIGTERM is answered");
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["role"]["title"], "Backend Developer");
    }
    let exit = server
        .wait_exit(Duration::from_secs(19))
        .expect("exits after the requests finish, within the 20 s grace period");
    assert!(exit.success(), "exit status {exit:?}");
    // It stopped accepting: a new connection is refused.
    assert!(page(&client, &server).await.is_err());
    // Logs are JSON lines, each request's lines carry its request id.
    let log = server.log.lock().expect("log").clone();
    for line in &log {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(log.iter().any(|l| l.contains("shutting down")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("\"request_id\"")), "{log:?}");
}

async fn sigterm_exits_after_the_grace_period_even_with_requests_in_flight(backend: Backend) {
    let db = seeded(backend).await;
    // Each nesting level of the page waits 4 s: the request outlives a 1 s grace period.
    let mut server = Server::start(
        &db.url,
        &[
            ("JOBRISK_BATCH_WINDOW_MS", "4000".into()),
            ("JOBRISK_SHUTDOWN_GRACE_SECS", "1".into()),
        ],
    );
    let client = reqwest::Client::new();
    let url = server.graphql_url();
    let slow = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    server.signal("TERM");
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits once the grace period is over");
    let took = signalled.elapsed();
    assert!(exit.success(), "exit status {exit:?}");
    assert!(
        took < Duration::from_secs(4),
        "exited after {took:?}, grace is 1 s"
    );
    let _ = slow.await;
}

/// A full content for the update: title and 50 tasks, each marked with `mark`.
fn content(mark: &str) -> Value {
    let tasks: Vec<Value> = (0..50)
        .map(|i| json!({ "text": format!("{mark} task {i}: {}", "x".repeat(400)), "exposure": "E1", "taskType": "CORE" }))
        .collect();
    let faqs: Vec<Value> = (0..50)
        .map(|i| json!({ "question": format!("{mark} question {i}?"), "answer": format!("{mark} {}", "y".repeat(2000)) }))
        .collect();
    json!({ "title": format!("Version {mark}"), "tasks": tasks, "faqs": faqs })
}

async fn kill_9_in_the_middle_of_a_large_update_leaves_the_old_or_the_new_role(backend: Backend) {
    let db = seeded(backend).await;
    let env = [("JOBRISK_JWT_SECRET", SECRET.to_owned())];
    let client = reqwest::Client::new();
    let token = token();
    const UPDATE: &str = "mutation($v: Int!, $input: RolePatchInput!) {
        updateRole(slug: \"backend-developer\", expectedVersion: $v, input: $input) { version } }";
    const READ: &str = "{ role(slug: \"backend-developer\", preview: true) {
        title version tasks { text } faqs { question } revisions(first: 1) { version } } }";
    // How long one such update takes here, so the kills below land across the whole write.
    let full = {
        let server = Server::start(&db.url, &env);
        let v: Value = client
            .post(server.graphql_url())
            .bearer_auth(&token)
            .json(&json!({ "query": READ }))
            .send()
            .await
            .expect("read")
            .json()
            .await
            .expect("json");
        let version = v["data"]["role"]["version"].as_i64().expect("version");
        let started = Instant::now();
        let done: Value = client
            .post(server.graphql_url())
            .bearer_auth(&token)
            .json(&json!({ "query": UPDATE, "variables": { "v": version, "input": content("A") } }))
            .send()
            .await
            .expect("update")
            .json()
            .await
            .expect("json");
        assert!(done.get("errors").is_none(), "{done}");
        started.elapsed()
    };
    const ROUNDS: u32 = 12;
    let mut killed_before_answer = 0;
    let mut landed = 0;
    for round in 0..ROUNDS {
        let server = Server::start(&db.url, &env);
        let read = |server: &Server| {
            client
                .post(server.graphql_url())
                .bearer_auth(&token)
                .json(&json!({ "query": READ }))
                .send()
        };
        let before: Value = read(&server)
            .await
            .expect("read")
            .json()
            .await
            .expect("json");
        let version = before["data"]["role"]["version"].as_i64().expect("version");
        let mark = if round % 2 == 0 { "B" } else { "A" };
        let request = client
            .post(server.graphql_url())
            .bearer_auth(&token)
            .json(
                &json!({ "query": UPDATE, "variables": { "v": version, "input": content(mark) } }),
            )
            .send();
        let answered = tokio::select! {
            r = request => r.is_ok(),
            // From a tenth of the write's time to past its end.
            () = tokio::time::sleep(full * (round + 1) / 10) => false,
        };
        server.signal("KILL");
        drop(server);
        if !answered {
            killed_before_answer += 1;
        }
        let server = Server::start(&db.url, &env);
        let after: Value = read(&server)
            .await
            .expect("read")
            .json()
            .await
            .expect("json");
        let role = &after["data"]["role"];
        let title = role["title"].as_str().expect("title");
        let tasks: Vec<&str> = role["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter_map(|t| t["text"].as_str())
            .collect();
        let faqs: Vec<&str> = role["faqs"]
            .as_array()
            .expect("faqs")
            .iter()
            .filter_map(|f| f["question"].as_str())
            .collect();
        match title.strip_prefix("Version ") {
            // The new (or an earlier update's) content, whole.
            Some(m) => {
                assert_eq!(
                    tasks.len(),
                    50,
                    "round {round}: {title} with {} tasks",
                    tasks.len()
                );
                assert!(
                    tasks.iter().all(|t| t.starts_with(&format!("{m} task"))),
                    "round {round}: mixed tasks"
                );
                assert_eq!(faqs.len(), 50);
                assert!(
                    faqs.iter().all(|f| f.starts_with(m)),
                    "round {round}: mixed FAQs"
                );
            }
            // The seeded content, untouched.
            None => {
                assert_eq!(title, "Backend Developer", "round {round}");
                assert!(tasks.iter().all(|t| !t.contains(" task ")), "round {round}");
            }
        }
        // The revision history matches the version: no write without its revision.
        assert_eq!(
            role["revisions"][0]["version"], role["version"],
            "round {round}: {role}"
        );
        let v_after = role["version"].as_i64().expect("version");
        assert!(
            v_after == version || v_after == version + 1,
            "round {round}"
        );
        landed += usize::from(v_after == version + 1);
    }
    eprintln!(
        "[{backend:?}] an update takes {full:?}; kill -9 before the answer in {killed_before_answer} of {ROUNDS} rounds; the update was committed in {landed}"
    );
    let server = Server::start(&db.url, &env);
    let _ = client
        .post(server.graphql_url())
        .bearer_auth(&token)
        .json(&json!({ "query": READ }))
        .send()
        .await;
    let log = server.log.lock().expect("log").clone();
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|l| !l.contains(&token) && !l.contains(SECRET)),
        "a token or the secret reached the log"
    );
}

/// A TCP proxy in front of PostgreSQL that the test can cut (every connection dropped, new
/// ones closed at once, as when the database stops) and restore.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (accept_up, accept_links) = (Arc::clone(&up), Arc::clone(&links));
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if !accept_up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                if let Ok(mut links) = accept_links.lock() {
                    links.push(link);
                }
            }
        });
        Self { addr, up, links }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut links) = self.links.lock() {
            for link in links.drain(..) {
                link.abort();
            }
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[cfg_attr(not(test_postgres_url), ignore = "TEST_POSTGRES_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_going_away_under_load_gives_503s_then_recovers_without_losing_acknowledged_writes()
 {
    let db = seeded(Backend::Postgres).await;
    // postgres://user@HOST:PORT/name: the same database, through the proxy.
    let at = db.url.find('@').map_or("postgres://".len(), |i| i + 1);
    let slash = at + db.url[at..].find('/').expect("a database name");
    let upstream = tokio::net::lookup_host(&db.url[at..slash])
        .await
        .expect("PostgreSQL address")
        .next()
        .expect("an address");
    let proxy = Proxy::start(upstream).await;
    let through_proxy = format!("{}{}{}", &db.url[..at], proxy.addr, &db.url[slash..]);
    let server = Arc::new(Server::start(
        &through_proxy,
        &[("JOBRISK_JWT_SECRET", SECRET.to_owned())],
    ));
    let token = token();
    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    // (status, code, seconds) of every failed request.
    let failures: Arc<Mutex<Vec<(u16, String, f64)>>> = Arc::default();
    let mut workers = Vec::new();
    for worker in 0..6 {
        let (client, server, stop) = (client.clone(), Arc::clone(&server), Arc::clone(&stop));
        let (acknowledged, failures, token) = (
            Arc::clone(&acknowledged),
            Arc::clone(&failures),
            token.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let started = Instant::now();
                // Writers stop at 150 tools each: the catalog holds at most 500, and a fast
                // machine would otherwise reach that cap during the run (BAD_USER_INPUT).
                let writer = worker < 2 && i <= 150;
                let slug = format!("outage-tool-{worker}-{i}");
                let request = if writer {
                    client.post(server.graphql_url()).bearer_auth(&token).json(&json!({
                        "query": "mutation($i: ToolInput!) { createTool(input: $i) { slug } }",
                        "variables": { "i": { "slug": slug, "name": "Outage tool", "vendor": "Test",
                                               "url": "https://example.com", "description": "A tool." } }
                    }))
                } else {
                    client.post(server.graphql_url()).json(
                        &json!({ "query": PAGE, "variables": { "slug": "backend-developer" } }),
                    )
                };
                let Ok(response) = request.timeout(Duration::from_secs(20)).send().await else {
                    failures.lock().expect("lock").push((0, "no answer".into(), started.elapsed().as_secs_f64()));
                    continue;
                };
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                let seconds = started.elapsed().as_secs_f64();
                if status == 200 && body.get("errors").is_none() {
                    if writer {
                        acknowledged.lock().expect("lock").push(slug);
                    }
                } else {
                    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned();
                    failures.lock().expect("lock").push((status, code, seconds));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    let ready = |server: &Server| client.get(server.url("/readyz")).send();
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let during = ready(&server)
        .await
        .expect("readyz answers")
        .status()
        .as_u16();
    let health = client
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz")
        .status()
        .as_u16();
    proxy.restore();
    let restored = Instant::now();
    let mut recovered = None;
    while restored.elapsed() < Duration::from_secs(20) {
        if let Ok((200, body)) = page(&client, &server).await
            && body.get("errors").is_none()
        {
            recovered = Some(restored.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.expect("worker");
    }
    assert_eq!(during, 503, "/readyz during the outage");
    assert_eq!(health, 200, "/healthz does not depend on the database");
    let recovered = recovered.expect("recovers by itself within 20 s of the database returning");
    assert_eq!(ready(&server).await.expect("readyz").status().as_u16(), 200);
    let failures = failures.lock().expect("lock").clone();
    assert!(!failures.is_empty(), "the outage was noticed");
    for (status, code, seconds) in &failures {
        assert_eq!(
            (*status, code.as_str()),
            (503, "SERVICE_UNAVAILABLE"),
            "{failures:?}"
        );
        // Not a performance claim: a request that hung for the whole outage would take 5 s.
        assert!(*seconds < 4.5, "a failing request took {seconds:.1} s");
    }
    // Every acknowledged write is there.
    let check = sea_orm::Database::connect(&db.url).await.expect("connect");
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(!acknowledged.is_empty());
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    // The test reads the database itself, not through the service layer it is checking.
    #[allow(clippy::disallowed_methods)]
    let stored = entity::tool::Entity::find()
        .filter(entity::tool::Column::Slug.is_in(acknowledged.clone()))
        .all(&check)
        .await
        .expect("read tools");
    assert_eq!(stored.len(), acknowledged.len(), "acknowledged writes lost");
    eprintln!(
        "outage: {} failed requests, all 503 SERVICE_UNAVAILABLE, slowest {:.2} s; recovered {:?} after the database returned; {} acknowledged writes all present",
        failures.len(),
        failures.iter().map(|f| f.2).fold(0.0, f64::max),
        recovered,
        acknowledged.len()
    );
}
