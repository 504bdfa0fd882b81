//! Shared entities: categories, tools and research sources.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{category, source, tool};

use super::connection::{RoleConnection, RoleOrder, role_connection};
use crate::auth::permit::Read;
use crate::error::{GqlResult, ResultExt};
use crate::graphql::context::permit;
use crate::service::listing::Filter;

/// A category of roles, such as Technology.
#[derive(Clone, Debug)]
pub struct Category(pub category::Model);

/// A category of roles, such as Technology.
#[Object]
impl Category {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// URL key of the category page.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the category holds.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Raised by every write; editors send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the item last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who made the last change (a token's `sub`); null for items written before this was
    /// recorded. Editors only: needs a token with `content:read`.
    async fn updated_by(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        permit::<Read>(ctx).gql()?;
        Ok(self.0.updated_by.as_deref())
    }
    /// The category's published roles, as a connection ("Explore all ... jobs").
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last role already seen.")] after: Option<String>,
        #[graphql(desc = "Order (default: title ascending).")] order_by: Option<RoleOrder>,
    ) -> GqlResult<RoleConnection> {
        let filter = Filter {
            category_id: Some(self.0.id),
            ..Filter::default()
        };
        role_connection(ctx, filter, None, first, after, order_by)
            .await
            .gql()
    }
}

/// An AI tool, shared by the roles it affects.
#[derive(Clone, Debug)]
pub struct Tool(pub tool::Model);

/// An AI tool, shared by the roles it affects.
#[Object]
impl Tool {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// URL key of the tool.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Product name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Maker of the tool.
    async fn vendor(&self) -> &str {
        &self.0.vendor
    }
    /// Product page.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the tool does, in one sentence.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Raised by every write; editors send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the item last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who made the last change (a token's `sub`); null for items written before this was
    /// recorded. Editors only: needs a token with `content:read`.
    async fn updated_by(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        permit::<Read>(ctx).gql()?;
        Ok(self.0.updated_by.as_deref())
    }
    /// Published roles this tool affects, as a connection.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last role already seen.")] after: Option<String>,
        #[graphql(desc = "Order (default: title ascending).")] order_by: Option<RoleOrder>,
    ) -> GqlResult<RoleConnection> {
        let filter = Filter {
            tool_id: Some(self.0.id),
            ..Filter::default()
        };
        role_connection(ctx, filter, None, first, after, order_by)
            .await
            .gql()
    }
}

/// A research source that pages cite.
#[derive(Clone, Debug)]
pub struct Source(pub source::Model);

/// A research source that pages cite.
#[Object]
impl Source {
    /// Stable id; `source(id:)` takes it.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable key editors cite the source by.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Title of the work.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Publisher or venue.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }
    /// Where to read it.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// Publication date, when known.
    async fn published_on(&self) -> Option<NaiveDate> {
        self.0.published_on
    }
    /// Raised by every write; editors send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the item last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who made the last change (a token's `sub`); null for items written before this was
    /// recorded. Editors only: needs a token with `content:read`.
    async fn updated_by(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        permit::<Read>(ctx).gql()?;
        Ok(self.0.updated_by.as_deref())
    }
}
