//! When each role's evidence was last reviewed and when it is due again: a row per role, apart
//! from the content (a review changes no text and makes no version). `due_at` is kept with the
//! row (last review, or creation, plus the interval) so that the review queue is one indexed
//! comparison on both databases. Rows for existing roles are added by the server right after
//! migrating (`api::service::reviews::backfill`), due 180 days after each role was created.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleReviews {
    Table,
    RoleId,
    ReviewedAt,
    ReviewedBy,
    IntervalDays,
    DueAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoleReviews::Table)
                    .col(integer(RoleReviews::RoleId).primary_key())
                    .col(timestamp_with_time_zone_null(RoleReviews::ReviewedAt))
                    .col(string_null(RoleReviews::ReviewedBy))
                    .col(integer(RoleReviews::IntervalDays).default(180))
                    .col(timestamp_with_time_zone(RoleReviews::DueAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_reviews_role")
                            .from(RoleReviews::Table, RoleReviews::RoleId)
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
                    .name("idx_role_reviews_due_at")
                    .table(RoleReviews::Table)
                    .col(RoleReviews::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleReviews::Table).to_owned())
            .await
    }
}
