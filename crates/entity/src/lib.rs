//! SeaORM models, relations and query builders for jobrisk.
//!
//! Which rows a reader may see is decided in the api crate's service layer, the only code
//! allowed to start a query (see `clippy.toml`).

// SeaORM macros generate public items (Column, ActiveModel, PrimaryKey...) that cannot carry
// doc comments; models are documented at the struct, columns mirror the migrations.
#![allow(missing_docs)]

pub mod audit_event;
pub mod category;
pub mod content;
pub mod edit_buffer;
pub mod enums;
pub mod login_attempt;
pub mod role;
pub mod role_faq;
pub mod role_migration_path;
pub mod role_review;
pub mod role_revision;
pub mod role_schedule;
pub mod role_skill;
pub mod role_snapshot;
pub mod role_snapshot_source;
pub mod role_snapshot_tool;
pub mod role_source;
pub mod role_task;
pub mod role_tool;
pub mod source;
pub mod studio_presence;
pub mod studio_session;
pub mod tool;
pub mod user;
pub mod user_token;
pub mod webhook;
pub mod webhook_delivery;

pub use content::{Contributions, RoleContent};
pub use enums::{Exposure, Level, RoleStatus, TaskType, ToolLinkKind};
