//! SeaORM models, relations and query builders for jobrisk.
//!
//! The rule "public readers see published content" lives in one place, [`role::visible`], so no
//! resolver can forget it.

// SeaORM macros generate public items (Column, ActiveModel, PrimaryKey...) that cannot carry
// doc comments; models are documented at the struct, columns mirror the migrations.
#![allow(missing_docs)]

pub mod category;
pub mod enums;
pub mod role;
pub mod role_faq;
pub mod role_migration_path;
pub mod role_revision;
pub mod role_skill;
pub mod role_source;
pub mod role_task;
pub mod role_tool;
pub mod source;
pub mod tool;

pub use enums::{Exposure, Level, RoleStatus, TaskType, ToolLinkKind};
pub use role::Visibility;
