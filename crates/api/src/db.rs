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

/// Applies all pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> ApiResult<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// How many migrations are not applied yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> ApiResult<usize> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
