//! Scheduled publishing: at most one pending publish or unpublish per role. The scheduler
//! deletes a row in the transaction that carries its action out, so an action runs once, on
//! one server, and a row left while every server was down runs when one comes back.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSchedules {
    Table,
    RoleId,
    Action,
    DueAt,
    ScheduledBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoleSchedules::Table)
                    .col(integer(RoleSchedules::RoleId).primary_key())
                    .col(string_len(RoleSchedules::Action, 16))
                    .col(timestamp_with_time_zone(RoleSchedules::DueAt))
                    .col(string(RoleSchedules::ScheduledBy))
                    .col(timestamp_with_time_zone(RoleSchedules::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_schedules_role")
                            .from(RoleSchedules::Table, RoleSchedules::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_schedules_due_at")
                    .table(RoleSchedules::Table)
                    .col(RoleSchedules::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleSchedules::Table).to_owned())
            .await
    }
}
