//! Studio accounts: users with a role and an Argon2id hash, their sessions (only a SHA-256 of
//! each token is kept), one-time setup and reset links (hashed the same way), the login
//! attempts the throttle counts, each user's private edit buffers, and who has which role open
//! (the editor's heartbeat: advisory, never a lock).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Id,
    HasUnpublishedChanges,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoleRevisions {
    Table,
    Editor,
    RoleId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Login,
    Name,
    Role,
    PasswordHash,
    OidcSubject,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StudioSessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserTokens {
    Table,
    TokenHash,
    Purpose,
    UserId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LoginAttempts {
    Table,
    Id,
    Login,
    Ip,
    AttemptedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EditBuffers {
    Table,
    UserId,
    RoleId,
    BaseVersion,
    Form,
    SavedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum StudioPresence {
    Table,
    UserId,
    RoleId,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(string_len(Users::Login, 100).unique_key())
                    .col(string_len(Users::Name, 200))
                    .col(string_len(Users::Role, 16))
                    .col(string_null(Users::PasswordHash))
                    .col(string_len_null(Users::OidcSubject, 500).unique_key())
                    .col(boolean(Users::Disabled).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StudioSessions::Table)
                    .col(pk_auto(StudioSessions::Id))
                    .col(string_len(StudioSessions::TokenHash, 64).unique_key())
                    .col(integer(StudioSessions::UserId))
                    .col(timestamp_with_time_zone(StudioSessions::CreatedAt))
                    .col(timestamp_with_time_zone(StudioSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(StudioSessions::ExpiresAt))
                    .col(string_len_null(StudioSessions::Ip, 64))
                    .col(string_len_null(StudioSessions::UserAgent, 300))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_studio_sessions_user")
                            .from(StudioSessions::Table, StudioSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_studio_sessions_user")
                    .table(StudioSessions::Table)
                    .col(StudioSessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(string_len(UserTokens::TokenHash, 64).primary_key())
                    .col(string_len(UserTokens::Purpose, 16))
                    .col(integer_null(UserTokens::UserId))
                    .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                    .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_tokens_user")
                            .from(UserTokens::Table, UserTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(pk_auto(LoginAttempts::Id))
                    .col(string_len(LoginAttempts::Login, 100))
                    .col(string_len(LoginAttempts::Ip, 64))
                    .col(timestamp_with_time_zone(LoginAttempts::AttemptedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_login_attempts_login", LoginAttempts::Login),
            ("idx_login_attempts_ip", LoginAttempts::Ip),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LoginAttempts::Table)
                        .col(column)
                        .col(LoginAttempts::AttemptedAt)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(EditBuffers::Table)
                    .col(integer(EditBuffers::UserId))
                    .col(integer(EditBuffers::RoleId))
                    .col(integer(EditBuffers::BaseVersion))
                    .col(text(EditBuffers::Form))
                    .col(timestamp_with_time_zone(EditBuffers::SavedAt))
                    .primary_key(
                        Index::create()
                            .col(EditBuffers::UserId)
                            .col(EditBuffers::RoleId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_edit_buffers_user")
                            .from(EditBuffers::Table, EditBuffers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_edit_buffers_role")
                            .from(EditBuffers::Table, EditBuffers::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StudioPresence::Table)
                    .col(integer(StudioPresence::UserId))
                    .col(integer(StudioPresence::RoleId))
                    .col(timestamp_with_time_zone(StudioPresence::SeenAt))
                    .primary_key(
                        Index::create()
                            .col(StudioPresence::RoleId)
                            .col(StudioPresence::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_studio_presence_user")
                            .from(StudioPresence::Table, StudioPresence::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_studio_presence_role")
                            .from(StudioPresence::Table, StudioPresence::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The dashboard's queues on a large catalog: "my drafts" (roles a user saved),
        // "recent revisions" (newest first) and "unpublished changes" (few of many roles).
        manager
            .create_index(
                Index::create()
                    .name("idx_role_revisions_editor")
                    .table(RoleRevisions::Table)
                    .col(RoleRevisions::Editor)
                    .col(RoleRevisions::RoleId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_revisions_created_at")
                    .table(RoleRevisions::Table)
                    .col(RoleRevisions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_roles_unpublished_changes")
                    .table(Roles::Table)
                    .col(Roles::HasUnpublishedChanges)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_roles_unpublished_changes", "roles"),
            ("idx_role_revisions_created_at", "role_revisions"),
            ("idx_role_revisions_editor", "role_revisions"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(StudioPresence::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EditBuffers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LoginAttempts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UserTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StudioSessions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
