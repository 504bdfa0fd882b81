//! Shared catalog entities: categories, tools and sources.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Categories {
    Table,
    Id,
    Slug,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Tools {
    Table,
    Id,
    Slug,
    Name,
    Vendor,
    Url,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Sources {
    Table,
    Id,
    Slug,
    Title,
    Publisher,
    Url,
    PublishedOn,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(pk_auto(Categories::Id))
                    .col(string_len(Categories::Slug, 100))
                    .col(string_len(Categories::Name, 200))
                    .col(text(Categories::Description))
                    .col(timestamp_with_time_zone(Categories::CreatedAt))
                    .col(timestamp_with_time_zone(Categories::UpdatedAt))
                    .index(
                        Index::create()
                            .name("uq_categories_slug")
                            .col(Categories::Slug)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tools::Table)
                    .col(pk_auto(Tools::Id))
                    .col(string_len(Tools::Slug, 100))
                    .col(string_len(Tools::Name, 200))
                    .col(string_len(Tools::Vendor, 200))
                    .col(string_len(Tools::Url, 2048))
                    .col(text(Tools::Description))
                    .col(timestamp_with_time_zone(Tools::CreatedAt))
                    .col(timestamp_with_time_zone(Tools::UpdatedAt))
                    .index(
                        Index::create()
                            .name("uq_tools_slug")
                            .col(Tools::Slug)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(pk_auto(Sources::Id))
                    .col(string_len(Sources::Slug, 100))
                    .col(string_len(Sources::Title, 500))
                    .col(string_len(Sources::Publisher, 300))
                    .col(string_len(Sources::Url, 2048))
                    .col(date_null(Sources::PublishedOn))
                    .col(timestamp_with_time_zone(Sources::CreatedAt))
                    .col(timestamp_with_time_zone(Sources::UpdatedAt))
                    .index(
                        Index::create()
                            .name("uq_sources_slug")
                            .col(Sources::Slug)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sources::Table.into_iden(),
            Tools::Table.into_iden(),
            Categories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
