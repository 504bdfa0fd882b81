//! Published snapshots: publishing renders a role's working copy into one denormalized row that
//! every anonymous read serves, so editors can draft changes to a live page. The snapshot's
//! links to tools and sources are rows of their own (for `tool.roles` and so that a tool a live
//! page shows cannot be deleted), and its search document is indexed for ranked full-text
//! search: FTS5 on SQLite, a `tsvector` with a GIN index on PostgreSQL.
//!
//! Existing published roles are rendered into snapshots by the server right after migrating
//! (`api::service::publishing::backfill`): rendering is Rust code shared with `publishRole`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261124_000001_create_catalog::{Categories, Sources, Tools};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    PublishedVersion,
    HasUnpublishedChanges,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleRevisions {
    Table,
    Published,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSnapshots {
    Table,
    RoleId,
    Slug,
    CategoryId,
    Title,
    Score,
    Level,
    Version,
    UpdatedAt,
    PublishedAt,
    Card,
    Body,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSnapshotTools {
    Table,
    Id,
    RoleId,
    ToolId,
    Kind,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSnapshotSources {
    Table,
    Id,
    RoleId,
    SourceId,
}

fn owned_by_snapshot<T: IntoIden + 'static>(table: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("role_id"))
        .to(RoleSnapshots::Table, RoleSnapshots::RoleId)
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .add_column(integer_null(Roles::PublishedVersion))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .add_column(boolean(Roles::HasUnpublishedChanges).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RoleRevisions::Table)
                    .add_column(boolean(RoleRevisions::Published).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleSnapshots::Table)
                    .col(integer(RoleSnapshots::RoleId).primary_key())
                    .col(string_len(RoleSnapshots::Slug, 100))
                    .col(integer(RoleSnapshots::CategoryId))
                    .col(string_len(RoleSnapshots::Title, 200))
                    .col(integer(RoleSnapshots::Score))
                    .col(string_len(RoleSnapshots::Level, 16))
                    .col(integer(RoleSnapshots::Version))
                    .col(timestamp_with_time_zone(RoleSnapshots::UpdatedAt))
                    .col(timestamp_with_time_zone(RoleSnapshots::PublishedAt))
                    .col(text(RoleSnapshots::Card))
                    .col(text(RoleSnapshots::Body))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_snapshots_role")
                            .from(RoleSnapshots::Table, RoleSnapshots::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_snapshots_category")
                            .from(RoleSnapshots::Table, RoleSnapshots::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_role_snapshots_slug")
                    .table(RoleSnapshots::Table)
                    .col(RoleSnapshots::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Keyset pagination over every public ordering, and nearest peers in score within a
        // category (read up and down from a score, title and id break ties).
        for (name, cols) in [
            (
                "ix_role_snapshots_category_score",
                vec![
                    RoleSnapshots::CategoryId,
                    RoleSnapshots::Score,
                    RoleSnapshots::Title,
                    RoleSnapshots::RoleId,
                ],
            ),
            (
                "ix_role_snapshots_category_score_id",
                vec![
                    RoleSnapshots::CategoryId,
                    RoleSnapshots::Score,
                    RoleSnapshots::RoleId,
                ],
            ),
            (
                "ix_role_snapshots_category_updated_at",
                vec![
                    RoleSnapshots::CategoryId,
                    RoleSnapshots::UpdatedAt,
                    RoleSnapshots::RoleId,
                ],
            ),
            (
                "ix_role_snapshots_category_title",
                vec![
                    RoleSnapshots::CategoryId,
                    RoleSnapshots::Title,
                    RoleSnapshots::RoleId,
                ],
            ),
            (
                "ix_role_snapshots_title",
                vec![RoleSnapshots::Title, RoleSnapshots::RoleId],
            ),
            (
                "ix_role_snapshots_score",
                vec![RoleSnapshots::Score, RoleSnapshots::RoleId],
            ),
            (
                "ix_role_snapshots_updated_at",
                vec![RoleSnapshots::UpdatedAt, RoleSnapshots::RoleId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(RoleSnapshots::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RoleSnapshotTools::Table)
                    .col(pk_auto(RoleSnapshotTools::Id))
                    .col(integer(RoleSnapshotTools::RoleId))
                    .col(integer(RoleSnapshotTools::ToolId))
                    .col(string_len(RoleSnapshotTools::Kind, 16))
                    .foreign_key(&mut owned_by_snapshot(
                        RoleSnapshotTools::Table,
                        "fk_role_snapshot_tools_role",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_snapshot_tools_tool")
                            .from(RoleSnapshotTools::Table, RoleSnapshotTools::ToolId)
                            .to(Tools::Table, Tools::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleSnapshotSources::Table)
                    .col(pk_auto(RoleSnapshotSources::Id))
                    .col(integer(RoleSnapshotSources::RoleId))
                    .col(integer(RoleSnapshotSources::SourceId))
                    .foreign_key(&mut owned_by_snapshot(
                        RoleSnapshotSources::Table,
                        "fk_role_snapshot_sources_role",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_snapshot_sources_source")
                            .from(RoleSnapshotSources::Table, RoleSnapshotSources::SourceId)
                            .to(Sources::Table, Sources::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "ix_role_snapshot_tools_tool",
                RoleSnapshotTools::Table.into_iden(),
                vec![
                    RoleSnapshotTools::ToolId.into_iden(),
                    RoleSnapshotTools::Kind.into_iden(),
                    RoleSnapshotTools::RoleId.into_iden(),
                ],
            ),
            (
                "ix_role_snapshot_tools_role",
                RoleSnapshotTools::Table.into_iden(),
                vec![RoleSnapshotTools::RoleId.into_iden()],
            ),
            (
                "ix_role_snapshot_sources_source",
                RoleSnapshotSources::Table.into_iden(),
                vec![
                    RoleSnapshotSources::SourceId.into_iden(),
                    RoleSnapshotSources::RoleId.into_iden(),
                ],
            ),
            (
                "ix_role_snapshot_sources_role",
                RoleSnapshotSources::Table.into_iden(),
                vec![RoleSnapshotSources::RoleId.into_iden()],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                // Filled by the server from text it folds itself (see `publishing`), with the
                // 'simple' configuration: no stemming or stop words, so a prefix typed by a
                // reader matches the word as written, in any language.
                db.execute_unprepared(
                    "ALTER TABLE role_snapshots ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_role_snapshots_search ON role_snapshots USING GIN (search)",
                )
                .await?;
                // Titles alone too: a ranked search puts title matches first, and finds them
                // without reading every match of the whole document.
                db.execute_unprepared(
                    "ALTER TABLE role_snapshots ADD COLUMN title_search tsvector NOT NULL DEFAULT ''::tsvector",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_role_snapshots_title_search ON role_snapshots USING GIN (title_search)",
                )
                .await?;
            }
            _ => {
                // rowid is the role id. Diacritics are kept (only case is folded), as search
                // folded before.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE role_snapshots_fts USING fts5(title, summary, body, tokenize = 'unicode61 remove_diacritics 0')",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS role_snapshots_fts")
                .await?;
        }
        for table in [
            RoleSnapshotSources::Table.into_iden(),
            RoleSnapshotTools::Table.into_iden(),
            RoleSnapshots::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(RoleRevisions::Table)
                    .drop_column(RoleRevisions::Published)
                    .to_owned(),
            )
            .await?;
        for column in [Roles::HasUnpublishedChanges, Roles::PublishedVersion] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Roles::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
