//! Indexes for the studio's role lists at 100k roles (issue 14's benchmark). Editors list every
//! status, so the `(status, ...)` indexes of the public lists cannot order them: without these,
//! the first page sorted every row, and a count of "published, high" read every wide row.
//! On SQLite the title index also carries `search_text`, so an editor's substring search
//! filters index entries (a fraction of the table's bytes) and fetches only the matches;
//! PostgreSQL caps a B-tree entry at about 2.7 kB, so it gets the plain title index.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    Title,
    SearchText,
    Score,
    Level,
    Status,
    UpdatedAt,
}

/// The indexes both databases get: name and columns.
const COMMON: [(&str, &[Roles]); 4] = [
    ("idx_roles_score_id", &[Roles::Score, Roles::Id]),
    ("idx_roles_updated_at_id", &[Roles::UpdatedAt, Roles::Id]),
    (
        "idx_roles_status_level_score",
        &[Roles::Status, Roles::Level, Roles::Score, Roles::Id],
    ),
    (
        "idx_roles_level_score",
        &[Roles::Level, Roles::Score, Roles::Id],
    ),
];

const TITLE: &str = "idx_roles_title_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let title: &[Roles] = if manager.get_database_backend() == DbBackend::Sqlite {
            &[Roles::Title, Roles::Id, Roles::SearchText]
        } else {
            &[Roles::Title, Roles::Id]
        };
        for (name, cols) in COMMON.into_iter().chain([(TITLE, title)]) {
            let mut index = Index::create();
            index.name(name).table(Roles::Table).if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COMMON.iter().map(|(n, _)| *n).chain([TITLE]) {
            manager
                .drop_index(Index::drop().name(name).table(Roles::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
