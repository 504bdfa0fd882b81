//! End-to-end tests: the real server over real HTTP on SQLite and PostgreSQL.

mod helpers;

mod batching;
mod editing;
mod errors;
mod hardening;
mod jwks;
mod lists;
mod page;
mod process;
mod related;
mod visibility;
