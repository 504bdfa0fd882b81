//! Revision history of role pages: a full content snapshot per successful write.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RoleRevisions {
    Table,
    Id,
    RoleId,
    Version,
    Snapshot,
    Editor,
    Summary,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoleRevisions::Table)
                    .col(pk_auto(RoleRevisions::Id))
                    .col(integer(RoleRevisions::RoleId))
                    .col(integer(RoleRevisions::Version))
                    .col(text(RoleRevisions::Snapshot))
                    .col(string_len(RoleRevisions::Editor, 200))
                    .col(string_len(RoleRevisions::Summary, 500))
                    .col(timestamp_with_time_zone(RoleRevisions::CreatedAt))
                    .index(
                        Index::create()
                            .name("uq_role_revisions_version")
                            .col(RoleRevisions::RoleId)
                            .col(RoleRevisions::Version)
                            .unique(),
                    )
                    // History belongs to the page: deleting a role deletes its history.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_revisions_role")
                            .from(RoleRevisions::Table, RoleRevisions::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleRevisions::Table).to_owned())
            .await
    }
}
