//! End-to-end tests: the real server over real HTTP on SQLite and PostgreSQL.

mod helpers;

mod audit;
mod authorization;
mod backup;
mod batching;
mod cache;
mod concurrency;
mod drafts;
mod editing;
mod errors;
mod hardening;
mod jwks;
mod lists;
mod oidc;
#[path = "../support/oidc_provider.rs"]
mod oidc_provider;
mod page;
mod process;
mod reference;
mod related;
mod reviews;
mod schedules;
mod statements;
mod studio;
mod studio_catalog;
mod visibility;
mod webhooks;
