//! The GraphQL schema: types, loaders and resolver groups.

pub mod context;
pub mod cost;
pub mod loaders;
pub mod mutation;
pub mod prefetch;
pub mod query;
pub mod types;

pub use async_graphql::{Variables, parser};

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

use mutation::MutationRoot;
use query::QueryRoot;

use crate::service::Store;

/// The jobrisk schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema; the content store reaches resolvers as context data.
///
/// Depth and cost are not limited here: the HTTP layer checks every document with
/// [`cost::CostModel`] before it runs, which counts lists and treats introspection apart.
pub fn build_schema(db: Option<DatabaseConnection>, introspection: bool) -> AppSchema {
    schema_over(db.map(Store::new), introspection)
}

/// Builds the schema over `store` (the server's, whose writes invalidate its response cache).
pub fn schema_over(store: Option<Store>, introspection: bool) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_recursive_depth(cost::MAX_NESTING)
    .limit_directives(16)
    // Parsed on first use: a server that never shows research data never pays for it.
    .data(crate::reference::Reference::default());
    if !introspection {
        builder = builder.disable_introspection();
    }
    if let Some(store) = store {
        builder = builder.data(store);
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema.graphql` (with `@specifiedBy`, as introspection
/// reports it).
pub fn sdl() -> String {
    build_schema(None, true)
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
