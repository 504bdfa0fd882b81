//! Read-only queries, one resolver group per file, merged into the Query root.

pub mod audit;
pub mod catalog;
pub mod model;
pub mod reference;
pub mod roles;
pub mod webhooks;

use async_graphql::MergedObject;

/// The Query root.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    roles::RoleQuery,
    catalog::CatalogQuery,
    model::ModelQuery,
    audit::AuditQuery,
    reference::ReferenceQuery,
    webhooks::WebhookQuery,
);
