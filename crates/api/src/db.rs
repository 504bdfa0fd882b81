//! Database connection and migration.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::error::ApiResult;

/// Connects to `url` (SQLite or PostgreSQL) with pool settings fit for the API.
pub async fn connect(url: &str) -> ApiResult<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Ok(Database::connect(options).await?)
}

/// Applies all pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> ApiResult<()> {
    Migrator::up(db, None).await?;
    Ok(())
}
