//! Mutations of role pages. Writes to an existing role take `expectedVersion` (the `version`
//! the editor last read); a mismatch is CONFLICT with `extensions.currentVersion`.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::RoleStatus;

use crate::auth::permit::{Delete, Publish, Write};
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::{permit, reference, writer};
use crate::graphql::types::inputs::{RoleInput, RolePatchInput};
use crate::graphql::types::role::Role;
use crate::service::schedules::Action;

/// Role mutations.
#[derive(Default)]
pub struct RoleMutation;

#[Object]
impl RoleMutation {
    /// Creates a role page as a DRAFT. Needs `content:write`.
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new page.")] input: RoleInput,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .create_role(&permit, input.into())
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Starts a role page from an O*NET occupation of the reference data: a DRAFT titled like
    /// the occupation, with its O*NET tasks, their human exposure labels and core/supplemental
    /// types (so its task exposure equals the published one), middle factors and texts still to
    /// write. Needs `content:write`.
    async fn create_role_from_occupation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "O*NET-SOC code of the occupation, e.g. 15-1252.00.")] code: String,
        #[graphql(desc = "URL key of the new page.")] slug: String,
        #[graphql(desc = "Slug of an existing category.")] category_slug: String,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let data = reference(ctx).gql()?.data().gql()?;
        let occupation = data.require("code", &code).gql()?;
        let role = writer(ctx)
            .gql()?
            .create_role_from_occupation(&permit, occupation, &slug, &category_slug)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Records that you reviewed the role's content as it stands at `expectedVersion` (its
    /// evidence still holds): it is due for review again after its interval. Changes no content
    /// and makes no version; publishing also counts as a review. Needs `content:write`.
    async fn mark_role_reviewed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you reviewed; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .mark_reviewed(&permit, &slug, expected_version)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Sets how many days the role may go between reviews (1 to 3650; new roles have 180). Its
    /// due date moves with it, counted from the last review. Needs `content:write`.
    async fn set_role_review_interval(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
        #[graphql(desc = "Days between reviews, 1 to 3650.")] days: i32,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .set_review_interval(&permit, &slug, expected_version, days)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Changes a role's working copy; omitted fields stay, given lists are replaced whole. A
    /// published page stays as published until `publishRole`. Needs `content:write`.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role to change.")] slug: String,
        #[graphql(desc = "The `version` you last read; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
        #[graphql(desc = "The changes.")] input: RolePatchInput,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .update_role(&permit, &slug, expected_version, input.into())
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Publishes a role's working copy: renders it into the page everyone sees, replacing the
    /// published one. Needs `content:publish`.
    async fn publish_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Published)
            .await
    }

    /// Takes a role back to DRAFT. Needs `content:publish`.
    async fn unpublish_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Draft)
            .await
    }

    /// Archives a role: hidden from the public, kept for editors. Needs `content:publish`.
    async fn archive_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        self.set_status(ctx, slug, expected_version, RoleStatus::Archived)
            .await
    }

    /// Deletes a role and its history (the audit log keeps who deleted it and when); refused
    /// with CONFLICT while other roles link to it. Returns the role as it was. Needs
    /// `content:delete`.
    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        let permit = permit::<Delete>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .delete_role(&permit, &slug, expected_version)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Restores the content of an earlier revision as a new revision; the status stays as it
    /// is. Needs `content:write`.
    async fn restore_role_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The revision's `version` to restore.")] revision: i32,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .restore_revision(&permit, &slug, expected_version, revision)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Drops the working copy's unpublished changes: the content goes back to the published
    /// version, as a new revision. Needs `content:write`.
    async fn discard_role_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role (its working copy's slug).")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Role> {
        let permit = permit::<Write>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .discard_role_changes(&permit, &slug, expected_version)
            .await
            .gql()?;
        Ok(Role::working(role))
    }

    /// Plans a publish of the role's working copy for `at`: the page then shows the working
    /// copy as it stands at that time, published as you (replacing any action planned before).
    /// Needs `content:publish`.
    async fn schedule_publish(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
        #[graphql(desc = "When to publish (RFC 3339, in the future).")] at: DateTime<Utc>,
    ) -> GqlResult<Role> {
        self.schedule(ctx, slug, expected_version, Action::Publish, at)
            .await
    }

    /// Plans an unpublish (back to DRAFT) for `at`, replacing any action planned before.
    /// Needs `content:publish`.
    async fn schedule_unpublish(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
        #[graphql(desc = "When to unpublish (RFC 3339, in the future).")] at: DateTime<Utc>,
    ) -> GqlResult<Role> {
        self.schedule(ctx, slug, expected_version, Action::Unpublish, at)
            .await
    }

    /// Drops the action planned for a role (NOT_FOUND when none is). Needs `content:publish`.
    async fn cancel_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the role.")] slug: String,
    ) -> GqlResult<Role> {
        let permit = permit::<Publish>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .cancel_schedule(&permit, &slug)
            .await
            .gql()?;
        Ok(Role::working(role))
    }
}

impl RoleMutation {
    async fn schedule(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        action: Action,
        at: DateTime<Utc>,
    ) -> GqlResult<Role> {
        let permit = permit::<Publish>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .schedule(&permit, &slug, expected_version, action, at)
            .await
            .gql()?;
        Ok(Role::working(role))
    }
    async fn set_status(
        &self,
        ctx: &Context<'_>,
        slug: String,
        expected_version: i32,
        status: RoleStatus,
    ) -> GqlResult<Role> {
        let permit = permit::<Publish>(ctx).gql()?;
        let role = writer(ctx)
            .gql()?
            .set_status(&permit, &slug, expected_version, status)
            .await
            .gql()?;
        Ok(Role::working(role))
    }
}
