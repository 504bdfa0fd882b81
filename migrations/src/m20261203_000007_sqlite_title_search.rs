//! A full-text index of published titles alone, on SQLite. A ranked search looks for title
//! matches first; FTS5 keeps one index for all columns of a table, so a match limited to the
//! title column still read every posting of its words in summaries and bodies (half of 100k
//! pages mention "data"), and bm25 scanned them again for its weights. PostgreSQL has had its
//! title-only `title_search` since snapshots began.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // rowid is the role id; the tokenizer is the whole-document index's.
        db.execute_unprepared(
            "CREATE VIRTUAL TABLE role_snapshot_titles_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 0')",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO role_snapshot_titles_fts (rowid, title) SELECT role_id, title FROM role_snapshots",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS role_snapshot_titles_fts")
            .await?;
        Ok(())
    }
}
