//! Editing mutations, one resolver group per file, merged into the Mutation root. Each is one
//! transaction and returns the changed object.

pub mod catalog;
pub mod roles;
pub mod webhooks;

use async_graphql::MergedObject;

/// The Mutation root.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    roles::RoleMutation,
    catalog::CatalogMutation,
    webhooks::WebhookMutation,
);
