//! Indexes for the studio's PostgreSQL search and dashboard queues at 100k roles (issue 14's
//! benchmark). An editor's search is a substring LIKE on `search_text`, which a B-tree cannot
//! serve: on PostgreSQL a `pg_trgm` GIN index can. `pg_trgm` ships with PostgreSQL and is a
//! trusted extension from PostgreSQL 13, so a database owner may create it; where that is
//! refused (an older server, a role without CREATE, a build without contrib) the migration
//! notes it and goes on, and search still works, reading every row as before.
//! The dashboard's "unpublished changes" queue is ordered by `updated_at`, and "my drafts"
//! finds roles by the editor of a revision: both get an index on both databases.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    HasUnpublishedChanges,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleRevisions {
    Table,
    Editor,
    RoleId,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleReviews {
    Table,
    DueAt,
    RoleId,
}

const UNPUBLISHED: &str = "idx_roles_unpublished_updated_at";
const EDITOR: &str = "idx_role_revisions_editor";
const DUE: &str = "idx_role_reviews_due_at_role";
const TRIGRAM: &str = "idx_roles_search_text_trgm";

/// Creates `pg_trgm` when this database user may, else leaves a notice.
const EXTENSION: &str = "DO $$ BEGIN \
    CREATE EXTENSION IF NOT EXISTS pg_trgm; \
  EXCEPTION WHEN OTHERS THEN \
    RAISE NOTICE 'pg_trgm is not available (%): editors'' search reads every role', SQLERRM; \
  END $$";

/// The trigram index, only where the extension exists (its operator class comes with it).
const TRIGRAM_INDEX: &str = "DO $$ BEGIN \
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
      CREATE INDEX IF NOT EXISTS idx_roles_search_text_trgm ON roles \
        USING gin (search_text gin_trgm_ops); \
    END IF; \
  END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(UNPUBLISHED)
                    .table(Roles::Table)
                    .col(Roles::HasUnpublishedChanges)
                    .col(Roles::UpdatedAt)
                    .col(Roles::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(EDITOR)
                    .table(RoleRevisions::Table)
                    .col(RoleRevisions::Editor)
                    .col(RoleRevisions::RoleId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // The review queue's subquery reads role ids by due date from the index alone.
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table(RoleReviews::Table)
                    .col(RoleReviews::DueAt)
                    .col(RoleReviews::RoleId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared(EXTENSION).await?;
            db.execute_unprepared(TRIGRAM_INDEX).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            // The extension stays: other schemas may use it.
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {TRIGRAM}"))
                .await?;
        }
        manager
            .drop_index(Index::drop().name(DUE).table(RoleReviews::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(EDITOR)
                    .table(RoleRevisions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(UNPUBLISHED)
                    .table(Roles::Table)
                    .to_owned(),
            )
            .await
    }
}
