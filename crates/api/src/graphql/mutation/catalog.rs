//! Mutations of categories, tools and sources (need `content:write`; deletes need
//! `content:delete` and are refused with CONFLICT while roles use the item).

use async_graphql::{Context, Object};

use crate::auth::Permission;
use crate::error::{ApiError, GqlResult, ResultExt};
use crate::graphql::context::{editing, require};
use crate::graphql::types::catalog::{Category, Source, Tool};
use crate::graphql::types::inputs::{
    CategoryInput, CategoryPatchInput, SourceInput, SourcePatchInput, ToolInput, ToolPatchInput,
};
use crate::service::catalog::{self, CategoryContent, SourceContent, ToolContent};

/// Catalog mutations.
#[derive(Default)]
pub struct CatalogMutation;

/// Runs `f` in one transaction on the editing service's connection.
macro_rules! in_txn {
    ($ctx:expr, $perm:expr, |$txn:ident| $body:expr) => {{
        require($ctx, $perm).gql()?;
        let (_gate, $txn) = editing($ctx).gql()?.begin().await.gql()?;
        let out = $body.await.gql()?;
        $txn.commit().await.map_err(ApiError::from).gql()?;
        out
    }};
}

#[Object]
impl CatalogMutation {
    /// Creates a category.
    async fn create_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new category.")] input: CategoryInput,
    ) -> GqlResult<Category> {
        let content: CategoryContent = input.into();
        Ok(Category(in_txn!(ctx, Permission::Write, |txn| {
            catalog::create_category(&txn, &content)
        })))
    }

    /// Changes a category; omitted fields stay.
    async fn update_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the category.")] slug: String,
        #[graphql(desc = "The changes.")] input: CategoryPatchInput,
    ) -> GqlResult<Category> {
        Ok(Category(in_txn!(ctx, Permission::Write, |txn| {
            catalog::update_category(&txn, &slug, input.into())
        })))
    }

    /// Deletes a category no role uses.
    async fn delete_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the category.")] slug: String,
    ) -> GqlResult<Category> {
        Ok(Category(in_txn!(ctx, Permission::Delete, |txn| {
            catalog::delete_category(&txn, &slug)
        })))
    }

    /// Creates an AI tool.
    async fn create_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new tool.")] input: ToolInput,
    ) -> GqlResult<Tool> {
        let content: ToolContent = input.into();
        Ok(Tool(in_txn!(ctx, Permission::Write, |txn| {
            catalog::create_tool(&txn, &content)
        })))
    }

    /// Changes a tool; omitted fields stay.
    async fn update_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the tool.")] slug: String,
        #[graphql(desc = "The changes.")] input: ToolPatchInput,
    ) -> GqlResult<Tool> {
        Ok(Tool(in_txn!(ctx, Permission::Write, |txn| {
            catalog::update_tool(&txn, &slug, input.into())
        })))
    }

    /// Deletes a tool no role links to.
    async fn delete_tool(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the tool.")] slug: String,
    ) -> GqlResult<Tool> {
        Ok(Tool(in_txn!(ctx, Permission::Delete, |txn| {
            catalog::delete_tool(&txn, &slug)
        })))
    }

    /// Creates a research source.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new source.")] input: SourceInput,
    ) -> GqlResult<Source> {
        let content: SourceContent = input.into();
        Ok(Source(in_txn!(ctx, Permission::Write, |txn| {
            catalog::create_source(&txn, &content)
        })))
    }

    /// Changes a source; omitted fields stay.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the source.")] slug: String,
        #[graphql(desc = "The changes.")] input: SourcePatchInput,
    ) -> GqlResult<Source> {
        Ok(Source(in_txn!(ctx, Permission::Write, |txn| {
            catalog::update_source(&txn, &slug, input.into())
        })))
    }

    /// Deletes a source no role cites.
    async fn delete_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug of the source.")] slug: String,
    ) -> GqlResult<Source> {
        Ok(Source(in_txn!(ctx, Permission::Delete, |txn| {
            catalog::delete_source(&txn, &slug)
        })))
    }
}
