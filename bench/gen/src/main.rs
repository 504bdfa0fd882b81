//! Synthetic content for `bench/run`: migrates an empty database, fills it with `BENCH_ROLES`
//! roles through `api::seed::synthetic` (the service layer's write path, in batches), and
//! writes the lists the load scripts pick requests from into `BENCH_OUT`:
//!
//! - `slugs.txt`: published role slugs, in a fixed shuffled order (page reads, editor writes);
//! - `categories.txt`: `id slug` of every category (list requests).
//!
//! Run by `bench/run`; by hand:
//! `BENCH_DATABASE_URL='sqlite:///tmp/x.db?mode=rwc' BENCH_ROLES=1000 BENCH_OUT=/tmp/x cargo run --release -p bench-gen`.

use std::time::Instant;

use sea_orm::{ConnectionTrait, Statement};

/// Reads an environment variable, or the default when it is unset.
fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Every value of the first column of `sql`, as strings.
async fn column(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<Vec<String>> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get_by_index::<String>(0)?))
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        anyhow::bail!(
            "set BENCH_DATABASE_URL (an empty database), BENCH_ROLES (default 1000), \
             BENCH_SEED (default 1) and BENCH_OUT (default bench/.data); normally run by bench/run"
        );
    };
    let roles: usize = env_or("BENCH_ROLES", "1000").parse()?;
    let seed: u64 = env_or("BENCH_SEED", "1").parse()?;
    let out = std::path::PathBuf::from(env_or("BENCH_OUT", "bench/.data"));
    std::fs::create_dir_all(&out)?;

    let started = Instant::now();
    let db = api::db::connect(&url).await?;
    api::db::migrate(&db).await?;
    let report = api::seed::synthetic(&db, roles, seed).await?;
    let elapsed = started.elapsed();

    // Shuffled once with a fixed seed so that consecutive requests hit unrelated rows, the same
    // on every database generated with the same settings.
    // Sorted here, not by the database: collations (and, with concurrent writers, ids) differ.
    let mut slugs = column(&db, "SELECT slug FROM roles WHERE status = 'PUBLISHED'").await?;
    slugs.sort();
    let mut state = seed ^ 0x5eed;
    for i in (1..slugs.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        slugs.swap(i, (state >> 33) as usize % (i + 1));
    }
    std::fs::write(out.join("slugs.txt"), slugs.join("\n") + "\n")?;
    let categories = column(
        &db,
        "SELECT CAST(id AS TEXT) || ' ' || slug FROM categories ORDER BY id",
    )
    .await?;
    std::fs::write(out.join("categories.txt"), categories.join("\n") + "\n")?;

    println!(
        "gen: {} roles ({} published), {} categories, {} tools, {} sources in {:.1}s",
        report.roles,
        slugs.len(),
        report.categories,
        report.tools,
        report.sources,
        elapsed.as_secs_f64()
    );
    Ok(())
}
