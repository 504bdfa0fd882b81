//! Queries for categories, tools and sources.

use async_graphql::{Context, ID, Object};
use entity::{category, source, tool};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::context::db as db_ctx;
use crate::graphql::types::catalog::{Category, Source, Tool};
use crate::service::content::is_slug;

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Every category, by name.
    async fn categories(&self, ctx: &Context<'_>) -> GqlResult<Vec<Category>> {
        let rows = category::Entity::find()
            .order_by_asc(category::Column::Name)
            .all(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(rows.into_iter().map(Category).collect())
    }

    /// One category by slug; null when unknown.
    async fn category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the category.")] slug: String,
    ) -> GqlResult<Option<Category>> {
        if !is_slug(&slug) {
            return Ok(None);
        }
        let row = category::Entity::find()
            .filter(category::Column::Slug.eq(slug))
            .one(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(row.map(Category))
    }

    /// Every AI tool, by name.
    async fn tools(&self, ctx: &Context<'_>) -> GqlResult<Vec<Tool>> {
        let rows = tool::Entity::find()
            .order_by_asc(tool::Column::Name)
            .all(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(rows.into_iter().map(Tool).collect())
    }

    /// One tool by slug; null when unknown.
    async fn tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the tool.")] slug: String,
    ) -> GqlResult<Option<Tool>> {
        if !is_slug(&slug) {
            return Ok(None);
        }
        let row = tool::Entity::find()
            .filter(tool::Column::Slug.eq(slug))
            .one(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(row.map(Tool))
    }

    /// Every research source, by title.
    async fn sources(&self, ctx: &Context<'_>) -> GqlResult<Vec<Source>> {
        let rows = source::Entity::find()
            .order_by_asc(source::Column::Title)
            .all(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(rows.into_iter().map(Source).collect())
    }

    /// One research source by id; null when unknown.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's id.")] id: ID,
    ) -> GqlResult<Option<Source>> {
        let id: i32 = id
            .parse()
            .map_err(|_| ApiError::bad_input("id", "must be the id of a source (an integer)"))
            .gql()?;
        let row = source::Entity::find_by_id(id)
            .one(db_ctx(ctx).gql()?)
            .await
            .map_err(ApiError::from)
            .gql()?;
        Ok(row.map(Source))
    }
}
