//! The GraphQL schema: types, loaders and resolver groups.

pub mod context;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

use mutation::MutationRoot;
use query::QueryRoot;

use crate::service::editing::Editing;

/// The jobrisk schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest query accepted; the full page query needs 6.
pub const MAX_DEPTH: usize = 12;
/// Largest query complexity (fields counted once each) accepted.
pub const MAX_COMPLEXITY: usize = 2_000;

/// Builds the schema with its limits; the database reaches resolvers as context data.
pub fn build_schema(db: Option<DatabaseConnection>) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(16);
    if let Some(db) = db {
        builder = builder.data(Editing::new(db.clone())).data(db);
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None).sdl()
}
