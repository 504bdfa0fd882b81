//! End-to-end tests: the real server over real HTTP on SQLite and PostgreSQL.

mod helpers;

mod page;
