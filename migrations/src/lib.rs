//! Database migrations for jobrisk. The same migrations run on SQLite and PostgreSQL; landed
//! migrations are never edited, each has `up` and `down`, and names say what they do.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_catalog;
mod m20261124_000002_create_roles;
mod m20261124_000003_create_role_revisions;
mod m20261203_000004_catalog_versions_audit_typed_json;
mod m20261203_000005_published_snapshots;
mod m20261203_000006_related_roles_below_index;
mod m20261203_000007_sqlite_title_search;
mod m20261204_000008_role_reviews;
mod m20261204_000009_webhooks;
mod m20261204_000010_role_schedules;
mod m20261205_000011_studio_accounts;
mod m20261205_000012_studio_list_indexes;
mod m20261205_000013_editor_search_and_queues;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_catalog::Migration),
            Box::new(m20261124_000002_create_roles::Migration),
            Box::new(m20261124_000003_create_role_revisions::Migration),
            Box::new(m20261203_000004_catalog_versions_audit_typed_json::Migration),
            Box::new(m20261203_000005_published_snapshots::Migration),
            Box::new(m20261203_000006_related_roles_below_index::Migration),
            Box::new(m20261203_000007_sqlite_title_search::Migration),
            Box::new(m20261204_000008_role_reviews::Migration),
            Box::new(m20261204_000009_webhooks::Migration),
            Box::new(m20261204_000010_role_schedules::Migration),
            Box::new(m20261205_000011_studio_accounts::Migration),
            Box::new(m20261205_000012_studio_list_indexes::Migration),
            Box::new(m20261205_000013_editor_search_and_queues::Migration),
        ]
    }
}
