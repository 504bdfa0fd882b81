//! Business rules, testable without HTTP. The only layer that queries the database
//! (`clippy.toml` forbids `Entity::find` elsewhere) and the only one that opens write
//! transactions; writes take a permit, reads of roles a visibility.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod buffers;
pub mod catalog;
pub mod content;
pub mod editing;
pub mod listing;
pub mod occupations;
pub mod outbox;
pub mod publishing;
pub mod reads;
pub mod reviews;
pub mod roles;
pub mod schedules;
pub mod store;
pub mod visibility;
pub mod webhooks;
pub mod working;

pub use store::Store;
pub use visibility::Visibility;
