//! Database connection and migration.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::error::ApiResult;

/// How long a request waits for a database connection before it is answered with 503: short,
/// so that an unreachable database fails requests fast instead of piling them up.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A callback that sees the SQL of every statement the server runs (tests count them).
pub type StatementHook = Arc<dyn Fn(&str) + Send + Sync>;

/// Connects to `url` (SQLite or PostgreSQL) with pool settings fit for the API.
pub async fn connect(url: &str) -> ApiResult<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
        .connect_timeout(ACQUIRE_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false);
    // Write-ahead logging: readers never wait for a write's commit nor a commit for readers.
    // With the rollback journal sqlx leaves by default, each commit waited for every open read
    // to finish, and under load a save could run out of its busy timeout and fail.
    options.map_sqlx_sqlite_opts(|o| o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal));
    if !url.contains("plan_cache_mode") {
        // Every read is a prepared statement whose plan does not depend on its values (an
        // index per shape). Left to choose, PostgreSQL keeps planning the page's links afresh
        // on every call once a table is large (each custom plan looks cheaper than the generic
        // one), which the 100k-role profile showed as a third of its CPU. A URL that sets
        // `options=-c plan_cache_mode=...` keeps its own choice.
        options.map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_generic_plan")]));
    }
    Ok(Database::connect(options).await?)
}

/// Counts every statement on `counter`, and shows it to `hook` when there is one.
///
/// The callback lives in the pool handle: clones of `db` made afterwards share it.
pub fn instrument(
    db: &mut DatabaseConnection,
    counter: prometheus::IntCounter,
    hook: Option<StatementHook>,
) {
    db.set_metric_callback(move |info| {
        counter.inc();
        if let Some(hook) = &hook {
            hook(&info.statement.sql);
        }
    });
}

/// Key of the PostgreSQL advisory lock that instances starting at once take in turn to migrate.
const MIGRATION_LOCK: i64 = 0x6a6f_6272_6973_6b00; // "jobrisk\0"

/// Applies all pending migrations.
///
/// On PostgreSQL, instances starting at once take turns through an advisory lock held on one
/// connection of the pool (released with the session, so a crash cannot leave it held): the
/// migrator itself does not lock, and two of them racing would both try to create each table.
pub async fn migrate(db: &DatabaseConnection) -> ApiResult<()> {
    use sea_orm::sqlx;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        Migrator::up(db, None).await?;
        backfill(db).await?;
        return Ok(());
    }
    let internal = |e: sqlx::Error| crate::ApiError::Internal(format!("migration lock: {e}"));
    let mut lock = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(internal)?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock)
        .await
        .map_err(internal)?;
    let result = match Migrator::up(db, None).await {
        Ok(()) => backfill(db).await,
        Err(e) => Err(e.into()),
    };
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock)
        .await
        .map_err(internal)?;
    result
}

/// Renders snapshots for roles published before snapshots existed (a no-op once done).
async fn backfill(db: &DatabaseConnection) -> ApiResult<()> {
    let started = crate::service::reviews::backfill(db).await?;
    if started > 0 {
        tracing::info!(
            started,
            "added review dates to roles made before reviews existed"
        );
    }
    let rendered = crate::service::publishing::backfill(db).await?;
    if rendered > 0 {
        tracing::info!(
            rendered,
            "rendered published snapshots of roles published before them"
        );
    }
    Ok(())
}

/// How many migrations are not applied yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> ApiResult<usize> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
