//! Queries for categories, tools and sources.

use async_graphql::{Context, ID, Object};

use crate::cache::Tag;
use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::context::{read, store};
use crate::graphql::types::catalog::{Category, Source, Tool};

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Every category, by name.
    async fn categories(&self, ctx: &Context<'_>) -> GqlResult<Vec<Category>> {
        read(ctx, [Tag::Catalog]);
        let rows = store(ctx).gql()?.categories().await.gql()?;
        Ok(rows.into_iter().map(Category).collect())
    }

    /// One category by slug; null when unknown.
    async fn category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the category.")] slug: String,
    ) -> GqlResult<Option<Category>> {
        read(ctx, [Tag::Catalog]);
        let row = store(ctx).gql()?.category(&slug).await.gql()?;
        Ok(row.map(Category))
    }

    /// Every AI tool, by name.
    async fn tools(&self, ctx: &Context<'_>) -> GqlResult<Vec<Tool>> {
        read(ctx, [Tag::Catalog]);
        let rows = store(ctx).gql()?.tools().await.gql()?;
        Ok(rows.into_iter().map(Tool).collect())
    }

    /// One tool by slug; null when unknown.
    async fn tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "URL key of the tool.")] slug: String,
    ) -> GqlResult<Option<Tool>> {
        read(ctx, [Tag::Catalog]);
        let row = store(ctx).gql()?.tool(&slug).await.gql()?;
        Ok(row.map(Tool))
    }

    /// Every research source, by title.
    async fn sources(&self, ctx: &Context<'_>) -> GqlResult<Vec<Source>> {
        read(ctx, [Tag::Catalog]);
        let rows = store(ctx).gql()?.sources().await.gql()?;
        Ok(rows.into_iter().map(Source).collect())
    }

    /// One research source by id; null when unknown.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's id.")] id: ID,
    ) -> GqlResult<Option<Source>> {
        read(ctx, [Tag::Catalog]);
        let id: i32 = id
            .parse()
            .map_err(|_| ApiError::bad_input("id", "must be the id of a source (an integer)"))
            .gql()?;
        let row = store(ctx).gql()?.source(id).await.gql()?;
        Ok(row.map(Source))
    }
}
