//! Business rules, testable without HTTP: every function takes a connection or transaction.

pub mod catalog;
pub mod content;
pub mod editing;
pub mod listing;
pub mod roles;
