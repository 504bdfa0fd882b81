//! Catalog items get a version (lost-update protection like roles) and who wrote them last; an
//! audit log keeps who deleted what after it is gone; on PostgreSQL the JSON columns become
//! `jsonb` so they are read as typed values (SQLite keeps JSON as text either way).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261124_000001_create_catalog::{Categories, Sources, Tools};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Catalog {
    Version,
    UpdatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    Actor,
    Action,
    Subject,
    Version,
}

fn catalog_tables() -> [DynIden; 3] {
    [
        Categories::Table.into_iden(),
        Tools::Table.into_iden(),
        Sources::Table.into_iden(),
    ]
}

/// `(table, column)` pairs that hold JSON documents.
const JSON_COLUMNS: [(&str, &str); 2] =
    [("roles", "contributions"), ("role_revisions", "snapshot")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one column at a time.
        for table in catalog_tables() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(integer(Catalog::Version).default(1))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(Catalog::UpdatedBy, 200))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(string_len(AuditEvents::Actor, 200))
                    .col(string_len(AuditEvents::Action, 50))
                    .col(string_len(AuditEvents::Subject, 100))
                    .col(integer(AuditEvents::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_occurred_at")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for (table, column) in JSON_COLUMNS {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb"
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for (table, column) in JSON_COLUMNS {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING {column}::text"
                    ))
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await?;
        for table in catalog_tables() {
            for column in [Catalog::UpdatedBy, Catalog::Version] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .drop_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
