//! Queries for role pages.

use async_graphql::{Context, Object};
use entity::{Visibility, role};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};

use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::types::connection::{RoleConnection, RoleFilter, RoleOrder, role_connection};
use crate::graphql::types::role::Role;
use crate::service::listing::Filter;

/// Role page queries.
#[derive(Default)]
pub struct RoleQuery;

pub(crate) fn db<'a>(ctx: &Context<'a>) -> GqlResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::Internal("schema has no database".into()))
        .gql()
}

pub(crate) fn visibility(ctx: &Context<'_>) -> Visibility {
    ctx.data::<Visibility>()
        .copied()
        .unwrap_or(Visibility::Public)
}

#[Object]
impl RoleQuery {
    /// One role page by slug, with every section; null when no published role has the slug.
    async fn role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the page.")] slug: String,
    ) -> GqlResult<Option<Role>> {
        let found = role::visible(visibility(ctx))
            .filter(role::Column::Slug.eq(slug))
            .one(db(ctx)?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(found.map(Role))
    }

    /// Published roles, filtered, ordered and paged with cursors.
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
