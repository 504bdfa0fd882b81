//! How fast hostile requests are refused and how much memory they cost, on 2000 published
//! roles. Run: `cargo bench --bench hostile` (SQLite), or with
//! `BENCH_DATABASE_URL=postgres://.../db` on an empty PostgreSQL database.
//!
//! Prints, from one run: the median and p90 latency of refusing each list bomb of issue 7,
//! of a full page for comparison, and the peak resident memory of the process (server and
//! client) while 20 bombs arrive at once, ten times over.

use std::time::{Duration, Instant};

use api::{Application, Config};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const PAGE: &str = r#"query($slug: String!) { role(slug: $slug) {
  title summary industryContext category { slug name }
  risk { score level modelVersion coverage contributions { evidence points }
         factors { kind score explanation raisesRisk } taskExposure { alpha beta gamma } }
  tasksAtRisk { text exposure } toolsAffecting { tool { name vendor url } impact }
  toolsToMaster { tool { name } note } protectiveSkills
  migrationPaths { target { slug title } rationale } faqs { question answer }
  sources { title publisher url publishedOn } relatedRoles(first: 5) { slug title risk { score level } }
  updatedAt publishedAt } }"#;

const BOMB: &str = "{ a: roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) { slug title summary industryContext } } } } }";
const BIGGER_BOMB: &str = "{ a: roles(first: 100) { nodes { relatedRoles(first: 50) { relatedRoles(first: 50) { relatedRoles(first: 50) { slug title summary industryContext } } } } } }";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_owned))
        })
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Copies the published demo roles until there are at least `target` published roles.
async fn grow(db: &sea_orm::DatabaseConnection, target: usize) {
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DbBackend::Postgres => {
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'roles' ORDER BY ordinal_position"
        }
        _ => "SELECT name FROM pragma_table_info('roles')",
    };
    let columns: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .expect("columns")
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .filter(|c| c != "id")
        .collect();
    let count = |db: &sea_orm::DatabaseConnection| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT COUNT(*) FROM roles WHERE status = 'PUBLISHED'",
                ))
                .await
                .expect("count")
                .expect("a row");
            row.try_get_by_index::<i64>(0).expect("count") as usize
        }
    };
    let mut copy = 0;
    while count(db).await < target {
        copy += 1;
        let select: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "slug" => format!("slug || '-copy-{copy}'"),
                "title" => format!("title || ' {copy}'"),
                "search_text" => format!("search_text || ' {copy}'"),
                other => other.to_owned(),
            })
            .collect();
        let sql = format!(
            "INSERT INTO roles ({}) SELECT {} FROM roles WHERE status = 'PUBLISHED' AND slug NOT LIKE '%-copy-%'",
            columns.join(", "),
            select.join(", ")
        );
        db.execute_unprepared(&sql).await.expect("copy roles");
    }
}

async fn measure(client: &reqwest::Client, url: &str, body: &Value, n: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let answer: Value = client
            .post(url)
            .json(body)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON");
        times.push(start.elapsed());
        assert!(answer.get("data").is_some() || answer.get("errors").is_some());
    }
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let path =
        std::env::temp_dir().join(format!("jobrisk-bench-hostile-{}.db", std::process::id()));
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", path.display()));
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "JOBRISK_LISTEN" => Some("127.0.0.1:0".into()),
        "JOBRISK_RATE_LIMIT_RPS" => Some("0".into()),
        _ => None,
    })
    .expect("config");
    let db = api::db::connect(&url).await.expect("connect");
    api::db::migrate(&db).await.expect("migrate");
    let _ = api::seed::seed_if_empty(&db).await.expect("seed");
    grow(&db, 2000).await;
    let app = Application::with_database(&config, db).await.expect("bind");
    let endpoint = format!("http://{}/graphql", app.local_addr().expect("addr"));
    tokio::spawn(app.run_forever());
    let client = reqwest::Client::new();
    let roles: Value = client
        .post(&endpoint)
        .json(&json!({ "query": "{ roles { totalCount } }" }))
        .send()
        .await
        .expect("count")
        .json()
        .await
        .expect("JSON");
    println!("published roles: {}", roles["data"]["roles"]["totalCount"]);

    let page = json!({ "query": PAGE, "variables": { "slug": "backend-developer" } });
    measure(&client, &endpoint, &page, 20).await; // warm-up
    let n = 300;
    for (name, body) in [
        ("full page (for comparison)", &page),
        (
            "bomb: roles(100) > relatedRoles(50) > relatedRoles(50)",
            &json!({ "query": BOMB }),
        ),
        ("bomb, one level deeper", &json!({ "query": BIGGER_BOMB })),
    ] {
        let times = measure(&client, &endpoint, body, n).await;
        println!(
            "{name}: n={n} median={:.2?} p90={:.2?} max={:.2?}",
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            times[times.len() - 1]
        );
    }
    let before = memory_kb("VmHWM");
    let started = Instant::now();
    for _ in 0..10 {
        let bombs = (0..20).map(|i| {
            let client = client.clone();
            let endpoint = endpoint.clone();
            async move {
                let bomb = if i % 2 == 0 { BOMB } else { BIGGER_BOMB };
                client
                    .post(&endpoint)
                    .json(&json!({ "query": bomb }))
                    .send()
                    .await
                    .expect("request")
                    .bytes()
                    .await
                    .expect("body")
                    .len()
            }
        });
        let sizes: Vec<usize> = futures::future::join_all(bombs).await;
        assert!(
            sizes.iter().all(|&s| s < 2_000),
            "bombs are refused: {sizes:?}"
        );
    }
    println!(
        "200 bombs, 20 at a time: {:.2?} in all; peak resident memory {} MB before, {} MB after (server and client in one process)",
        started.elapsed(),
        before / 1024,
        memory_kb("VmHWM") / 1024
    );
    let _ = std::fs::remove_file(&path);
}
