//! Latency of the public page and list queries over real HTTP, on a seeded SQLite database
//! (or `BENCH_DATABASE_URL`). Run: `cargo bench --bench page`. Prints medians and p90s.

use std::time::{Duration, Instant};

use api::{Application, Config};
use serde_json::{Value, json};

const PAGE: &str = r#"query($slug: String!) { role(slug: $slug) {
  slug title summary industryContext category { slug name }
  risk { score level modelVersion coverage contributions { evidence points }
         factors { kind score explanation } taskExposure { alpha beta gamma } }
  tasksAtRisk { text exposure } toolsAffecting { tool { name vendor url } impact }
  toolsToMaster { tool { name } note } protectiveSkills
  migrationPaths { target { slug title } rationale } faqs { question answer }
  sources { title publisher url publishedOn } relatedRoles(first: 5) { slug title risk { score } }
  updatedAt publishedAt } }"#;

const LIST: &str = r#"{ roles(first: 50) { totalCount nodes { slug title category { name }
  risk { score level } tasks { text exposure } toolsAffecting { tool { name } } } } }"#;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn measure(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    n: usize,
) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(n);
    let mut size = 0;
    for _ in 0..n {
        let start = Instant::now();
        let bytes = client
            .post(url)
            .json(body)
            .send()
            .await
            .expect("request")
            .bytes()
            .await
            .expect("body");
        times.push(start.elapsed());
        size = bytes.len();
    }
    times.sort();
    (times, size)
}

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join(format!("jobrisk-bench-{}.db", std::process::id()));
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", path.display()));
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "JOBRISK_LISTEN" => Some("127.0.0.1:0".into()),
        // The read path itself, not the response cache.
        "JOBRISK_CACHE_MAX_BYTES" => Some("0".into()),
        _ => None,
    })
    .expect("config");
    let db = api::db::connect(&url).await.expect("connect");
    api::db::migrate(&db).await.expect("migrate");
    let _ = api::seed::seed_if_empty(&db).await.expect("seed");
    let app = Application::with_database(&config, db).await.expect("bind");
    let endpoint = format!("http://{}/graphql", app.local_addr().expect("addr"));
    tokio::spawn(app.run_forever());
    let client = reqwest::Client::new();

    let page = json!({ "query": PAGE, "variables": { "slug": "backend-developer" } });
    let list = json!({ "query": LIST });
    measure(&client, &endpoint, &page, 20).await; // warm-up
    let n = 300;
    for (name, body) in [
        ("full page (backend-developer)", &page),
        ("roles(first: 50) nested", &list),
    ] {
        let (times, size) = measure(&client, &endpoint, body, n).await;
        println!(
            "{name}: n={n} median={:.2?} p90={:.2?} response={size} bytes",
            percentile(&times, 0.5),
            percentile(&times, 0.9)
        );
    }
    let _ = std::fs::remove_file(&path);
}
