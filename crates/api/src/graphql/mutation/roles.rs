//! Mutations of role pages. Writes to an existing role take `expectedVersion` (the `version`
//! the editor last read); a mismatch is CONFLICT with `extensions.currentVersion`.

use async_graphql::{Context, Object};
use entity::RoleStatus;

use crate::auth::Permission;
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::{editing, require};
use crate::graphql::types::inputs::{RoleInput, RolePatchInput};
use crate::graphql::types::role::Role;

/// Role mutations.
#[derive(Default)]
pub struct RoleMutation;

#[Object]
impl RoleMutation {
    /// Creates a role page as a DRAFT (needs `content:write`).
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new page.")] input: RoleInput,
    ) -> GqlResult<Role> {
        let editor = require(ctx, Permission::Write).gql()?;
        let role = editing(ctx)
            .gql()?
            .create_role(&editor.sub, input.into())
            .await
            .gql()?;
        Ok(Role(role))
    }

    /// Changes a role page; omitted fields stay, given lists are replaced whole (needs
    /// `content:write`).
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role to change.")] slug: String,
        #[graphql(desc = "The `version` you last read; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
        #[graphql(desc = "The changes.")] input: RolePatchInput,
    ) -> GqlResult<Role> {
        let editor = require(ctx, Permission::Write).gql()?;
        let role = editing(ctx)
            .gql()?
            .update_role(&editor.sub, &slug, expected_version, input.into())
            .await
            .gql()?;
        Ok(Role(role))
    }

    /// Publishes a role: visible to everyone (needs `content:publish`).
    async fn publish_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Published)
            .await
    }

    /// Takes a role back to DRAFT (needs `content:publish`).
    async fn unpublish_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Draft)
            .await
    }

    /// Archives a role: hidden from the public, kept for editors (needs `content:publish`).
    async fn archive_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Archived)
            .await
    }

    /// Deletes a role and its history; refused with CONFLICT while other roles link to it
    /// (needs `content:delete`). Returns the role as it was.
    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        require(ctx, Permission::Delete).gql()?;
        let role = editing(ctx)
            .gql()?
            .delete_role(&slug, expected_version)
            .await
            .gql()?;
        Ok(Role(role))
    }

    /// Restores the content of an earlier revision as a new revision; the status stays as it
    /// is (needs `content:write`).
    async fn restore_role_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The revision's `version` to restore.")] revision: i32,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        let editor = require(ctx, Permission::Write).gql()?;
        let role = editing(ctx)
            .gql()?
            .restore_revision(&editor.sub, &slug, expected_version, revision)
            .await
            .gql()?;
        Ok(Role(role))
    }
}

impl RoleMutation {
    async fn set_status(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        status: RoleStatus,
    ) -> GqlResult<Role> {
        let editor = require(ctx, Permission::Publish).gql()?;
        let role = editing(ctx)
            .gql()?
            .set_status(&editor.sub, &slug, expected_version, status)
            .await
            .gql()?;
        Ok(Role(role))
    }
}
