//! Queries for role pages.

use async_graphql::{Context, Object};

use crate::cache::Tag;
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::{read, store, visibility};
use crate::graphql::prefetch::{Selection, prefetch};
use crate::graphql::types::connection::{RoleConnection, RoleFilter, RoleOrder, role_connection};
use crate::graphql::types::role::Role;
use crate::service::Visibility;
use crate::service::listing::Filter;
use crate::service::publishing;

/// Role page queries.
#[derive(Default)]
pub struct RoleQuery;

#[Object]
impl RoleQuery {
    /// One role page by slug, with every section, as published; null when no published role has
    /// the slug. With `preview: true`, editors get the working copy instead (drafts included).
    async fn role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the page.")] slug: String,
        #[graphql(
            desc = "Editors only (token with content:read): also find drafts and archived roles.",
            default = false
        )]
        preview: bool,
    ) -> GqlResult<Option<Role>> {
        let store = store(ctx).gql()?;
        if let Visibility::Editor(_) = visibility(ctx, preview).gql()? {
            let found = store
                .role(&visibility(ctx, preview).gql()?, &slug)
                .await
                .gql()?;
            return Ok(found.map(Role::working));
        }
        // An address that finds nothing is cached too, until something is published there.
        read(ctx, [Tag::Slug(slug.clone())]);
        let selection = Selection::of(&ctx.look_ahead());
        let Some(page) = publishing::by_slug(store.db(), &slug, selection.needs_body())
            .await
            .gql()?
        else {
            return Ok(None);
        };
        let role = Role::published(page);
        read(ctx, [Tag::Role(role.row().id)]);
        prefetch(store, std::slice::from_ref(&role), selection)
            .await
            .gql()?;
        Ok(Some(role))
    }

    /// Published roles, filtered, ordered and paged with cursors. Editors may filter by status.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last role already seen (an `endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "Which roles to list.")] filter: Option<RoleFilter>,
        #[graphql(desc = "Order (default: title ascending).")] order_by: Option<RoleOrder>,
    ) -> GqlResult<RoleConnection> {
        let public = filter.unwrap_or_default();
        role_connection(
            ctx,
            Filter::default(),
            Some(&public),
            first,
            after,
            order_by,
        )
        .await
        .gql()
    }
}
