//! Roles (job pages) and their ordered children.
//!
//! ON DELETE policy: a role's own children cascade with it; anything shared (category, tool,
//! source, the target of another role's migration path) is RESTRICT, so deleting it while in use
//! fails instead of silently editing other pages.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261124_000001_create_catalog::{Categories, Sources, Tools};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    IndustryContext,
    SearchText,
    CategoryId,
    OnetSocCode,
    Repetitiveness,
    RepetitivenessExplanation,
    AiAdoption,
    AiAdoptionExplanation,
    HumanJudgment,
    HumanJudgmentExplanation,
    Score,
    Level,
    ExactScore,
    Coverage,
    TaskAlpha,
    TaskBeta,
    TaskGamma,
    Contributions,
    ModelVersion,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleTasks {
    Table,
    Id,
    RoleId,
    Position,
    Text,
    Exposure,
    TimeShare,
    TaskType,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleTools {
    Table,
    Id,
    RoleId,
    Kind,
    Position,
    ToolId,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSkills {
    Table,
    Id,
    RoleId,
    Position,
    Text,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleMigrationPaths {
    Table,
    Id,
    RoleId,
    Position,
    TargetRoleId,
    Rationale,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleFaqs {
    Table,
    Id,
    RoleId,
    Position,
    Question,
    Answer,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleSources {
    Table,
    Id,
    RoleId,
    Position,
    SourceId,
}

fn factor(col: Roles) -> ColumnDef {
    integer(col).check(Expr::col(col).between(1, 10)).take()
}

/// The foreign key from a child table to its role: children live and die with the role.
fn owned_by_role<T: IntoIden + 'static>(table: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("role_id"))
        .to(Roles::Table, Roles::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(pk_auto(Roles::Id))
                    .col(string_len(Roles::Slug, 100))
                    .col(string_len(Roles::Title, 200))
                    .col(text(Roles::Summary))
                    .col(text(Roles::IndustryContext))
                    // Lower-cased title and summary, folded in Rust: SQLite's lower() folds
                    // ASCII only, so searching a folded copy works alike on both databases.
                    .col(text(Roles::SearchText))
                    .col(integer(Roles::CategoryId))
                    .col(string_len_null(Roles::OnetSocCode, 10))
                    .col(factor(Roles::Repetitiveness))
                    .col(text(Roles::RepetitivenessExplanation))
                    .col(factor(Roles::AiAdoption))
                    .col(text(Roles::AiAdoptionExplanation))
                    .col(factor(Roles::HumanJudgment))
                    .col(text(Roles::HumanJudgmentExplanation))
                    .col(integer(Roles::Score).check(Expr::col(Roles::Score).between(0, 100)))
                    .col(
                        string_len(Roles::Level, 16).check(Expr::col(Roles::Level).is_in([
                            "LOW",
                            "MODERATE",
                            "HIGH",
                            "VERY_HIGH",
                        ])),
                    )
                    .col(double(Roles::ExactScore))
                    .col(double(Roles::Coverage))
                    .col(double_null(Roles::TaskAlpha))
                    .col(double_null(Roles::TaskBeta))
                    .col(double_null(Roles::TaskGamma))
                    .col(text(Roles::Contributions))
                    .col(string_len(Roles::ModelVersion, 200))
                    .col(
                        string_len(Roles::Status, 16).check(Expr::col(Roles::Status).is_in([
                            "DRAFT",
                            "PUBLISHED",
                            "ARCHIVED",
                        ])),
                    )
                    .col(integer(Roles::Version).check(Expr::col(Roles::Version).gte(1)))
                    .col(timestamp_with_time_zone(Roles::CreatedAt))
                    .col(timestamp_with_time_zone(Roles::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Roles::PublishedAt))
                    .index(
                        Index::create()
                            .name("uq_roles_slug")
                            .col(Roles::Slug)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roles_category")
                            .from(Roles::Table, Roles::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Keyset pagination: each public ordering is (status, key, id).
        for (name, key) in [
            ("ix_roles_status_title", Roles::Title),
            ("ix_roles_status_score", Roles::Score),
            ("ix_roles_status_updated_at", Roles::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Roles::Table)
                        .col(Roles::Status)
                        .col(key)
                        .col(Roles::Id)
                        .to_owned(),
                )
                .await?;
        }
        // Category pages and related roles: published roles of a category by score.
        manager
            .create_index(
                Index::create()
                    .name("ix_roles_category_status_score")
                    .table(Roles::Table)
                    .col(Roles::CategoryId)
                    .col(Roles::Status)
                    .col(Roles::Score)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleTasks::Table)
                    .col(pk_auto(RoleTasks::Id))
                    .col(integer(RoleTasks::RoleId))
                    .col(integer(RoleTasks::Position))
                    .col(text(RoleTasks::Text))
                    .col(
                        string_len_null(RoleTasks::Exposure, 2)
                            .check(Expr::col(RoleTasks::Exposure).is_in(["E0", "E1", "E2"])),
                    )
                    .col(
                        double_null(RoleTasks::TimeShare)
                            .check(Expr::col(RoleTasks::TimeShare).gte(0)),
                    )
                    .col(
                        string_len_null(RoleTasks::TaskType, 16)
                            .check(Expr::col(RoleTasks::TaskType).is_in(["CORE", "SUPPLEMENTAL"])),
                    )
                    .index(
                        Index::create()
                            .name("uq_role_tasks_position")
                            .col(RoleTasks::RoleId)
                            .col(RoleTasks::Position)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(RoleTasks::Table, "fk_role_tasks_role"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleTools::Table)
                    .col(pk_auto(RoleTools::Id))
                    .col(integer(RoleTools::RoleId))
                    .col(
                        string_len(RoleTools::Kind, 16)
                            .check(Expr::col(RoleTools::Kind).is_in(["AFFECTING", "TO_MASTER"])),
                    )
                    .col(integer(RoleTools::Position))
                    .col(integer(RoleTools::ToolId))
                    .col(text(RoleTools::Note))
                    .index(
                        Index::create()
                            .name("uq_role_tools_position")
                            .col(RoleTools::RoleId)
                            .col(RoleTools::Kind)
                            .col(RoleTools::Position)
                            .unique(),
                    )
                    .index(
                        Index::create()
                            .name("uq_role_tools_tool")
                            .col(RoleTools::RoleId)
                            .col(RoleTools::Kind)
                            .col(RoleTools::ToolId)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(RoleTools::Table, "fk_role_tools_role"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_tools_tool")
                            .from(RoleTools::Table, RoleTools::ToolId)
                            .to(Tools::Table, Tools::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_role_tools_tool")
                    .table(RoleTools::Table)
                    .col(RoleTools::ToolId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleSkills::Table)
                    .col(pk_auto(RoleSkills::Id))
                    .col(integer(RoleSkills::RoleId))
                    .col(integer(RoleSkills::Position))
                    .col(text(RoleSkills::Text))
                    .index(
                        Index::create()
                            .name("uq_role_skills_position")
                            .col(RoleSkills::RoleId)
                            .col(RoleSkills::Position)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(RoleSkills::Table, "fk_role_skills_role"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleMigrationPaths::Table)
                    .col(pk_auto(RoleMigrationPaths::Id))
                    .col(integer(RoleMigrationPaths::RoleId))
                    .col(integer(RoleMigrationPaths::Position))
                    .col(integer(RoleMigrationPaths::TargetRoleId))
                    .col(text(RoleMigrationPaths::Rationale))
                    .index(
                        Index::create()
                            .name("uq_role_migration_paths_position")
                            .col(RoleMigrationPaths::RoleId)
                            .col(RoleMigrationPaths::Position)
                            .unique(),
                    )
                    .index(
                        Index::create()
                            .name("uq_role_migration_paths_target")
                            .col(RoleMigrationPaths::RoleId)
                            .col(RoleMigrationPaths::TargetRoleId)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(
                        RoleMigrationPaths::Table,
                        "fk_role_migration_paths_role",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_migration_paths_target")
                            .from(RoleMigrationPaths::Table, RoleMigrationPaths::TargetRoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_role_migration_paths_target")
                    .table(RoleMigrationPaths::Table)
                    .col(RoleMigrationPaths::TargetRoleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleFaqs::Table)
                    .col(pk_auto(RoleFaqs::Id))
                    .col(integer(RoleFaqs::RoleId))
                    .col(integer(RoleFaqs::Position))
                    .col(text(RoleFaqs::Question))
                    .col(text(RoleFaqs::Answer))
                    .index(
                        Index::create()
                            .name("uq_role_faqs_position")
                            .col(RoleFaqs::RoleId)
                            .col(RoleFaqs::Position)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(RoleFaqs::Table, "fk_role_faqs_role"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleSources::Table)
                    .col(pk_auto(RoleSources::Id))
                    .col(integer(RoleSources::RoleId))
                    .col(integer(RoleSources::Position))
                    .col(integer(RoleSources::SourceId))
                    .index(
                        Index::create()
                            .name("uq_role_sources_position")
                            .col(RoleSources::RoleId)
                            .col(RoleSources::Position)
                            .unique(),
                    )
                    .index(
                        Index::create()
                            .name("uq_role_sources_source")
                            .col(RoleSources::RoleId)
                            .col(RoleSources::SourceId)
                            .unique(),
                    )
                    .foreign_key(&mut owned_by_role(
                        RoleSources::Table,
                        "fk_role_sources_role",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_sources_source")
                            .from(RoleSources::Table, RoleSources::SourceId)
                            .to(Sources::Table, Sources::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_role_sources_source")
                    .table(RoleSources::Table)
                    .col(RoleSources::SourceId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RoleSources::Table.into_iden(),
            RoleFaqs::Table.into_iden(),
            RoleMigrationPaths::Table.into_iden(),
            RoleSkills::Table.into_iden(),
            RoleTools::Table.into_iden(),
            RoleTasks::Table.into_iden(),
            Roles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
