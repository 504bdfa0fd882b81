//! Mutations of categories, tools and sources. Writes to an existing item take
//! `expectedVersion` like roles; deletes are refused with CONFLICT while roles use the item.

use async_graphql::{Context, Object};

use crate::auth::permit::{Delete, Write};
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::{permit, writer};
use crate::graphql::types::catalog::{Category, Source, Tool};
use crate::graphql::types::inputs::{
    CategoryInput, CategoryPatchInput, SourceInput, SourcePatchInput, ToolInput, ToolPatchInput,
};

/// Catalog mutations.
#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates a category. Needs `content:write`.
    async fn create_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new category.")] input: CategoryInput,
    ) -> GqlResult<Category> {
        let permit = permit::<Write>(ctx).gql()?;
        let row = writer(ctx)
            .gql()?
            .create_category(&permit, input.into())
            .await;
        row.map(Category).gql()
    }

    /// Changes a category; omitted fields stay. Needs `content:write`.
    async fn update_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the category.")] slug: String,
        #[graphql(desc = "The `version` you last read; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
        #[graphql(desc = "The changes.")] input: CategoryPatchInput,
    ) -> GqlResult<Category> {
        let permit = permit::<Write>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store
            .update_category(&permit, &slug, expected_version, input.into())
            .await;
        row.map(Category).gql()
    }

    /// Deletes a category no role uses. Needs `content:delete`.
    async fn delete_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the category.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Category> {
        let permit = permit::<Delete>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store
            .delete_category(&permit, &slug, expected_version)
            .await;
        row.map(Category).gql()
    }

    /// Creates an AI tool. Needs `content:write`.
    async fn create_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new tool.")] input: ToolInput,
    ) -> GqlResult<Tool> {
        let permit = permit::<Write>(ctx).gql()?;
        let row = writer(ctx).gql()?.create_tool(&permit, input.into()).await;
        row.map(Tool).gql()
    }

    /// Changes a tool; omitted fields stay. Needs `content:write`.
    async fn update_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the tool.")] slug: String,
        #[graphql(desc = "The `version` you last read; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
        #[graphql(desc = "The changes.")] input: ToolPatchInput,
    ) -> GqlResult<Tool> {
        let permit = permit::<Write>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store
            .update_tool(&permit, &slug, expected_version, input.into())
            .await;
        row.map(Tool).gql()
    }

    /// Deletes a tool no role links to. Needs `content:delete`.
    async fn delete_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the tool.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Tool> {
        let permit = permit::<Delete>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store.delete_tool(&permit, &slug, expected_version).await;
        row.map(Tool).gql()
    }

    /// Creates a research source. Needs `content:write`.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new source.")] input: SourceInput,
    ) -> GqlResult<Source> {
        let permit = permit::<Write>(ctx).gql()?;
        let row = writer(ctx)
            .gql()?
            .create_source(&permit, input.into())
            .await;
        row.map(Source).gql()
    }

    /// Changes a source; omitted fields stay. Needs `content:write`.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the source.")] slug: String,
        #[graphql(desc = "The `version` you last read; a newer one on the server is a CONFLICT.")]
        expected_version: i32,
        #[graphql(desc = "The changes.")] input: SourcePatchInput,
    ) -> GqlResult<Source> {
        let permit = permit::<Write>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store
            .update_source(&permit, &slug, expected_version, input.into())
            .await;
        row.map(Source).gql()
    }

    /// Deletes a source no role cites. Needs `content:delete`.
    async fn delete_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the source.")] slug: String,
        #[graphql(desc = "The `version` you last read.")] expected_version: i32,
    ) -> GqlResult<Source> {
        let permit = permit::<Delete>(ctx).gql()?;
        let store = writer(ctx).gql()?;
        let row = store.delete_source(&permit, &slug, expected_version).await;
        row.map(Source).gql()
    }
}
