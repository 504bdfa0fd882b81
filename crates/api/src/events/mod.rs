//! Publishing events, the webhook worker that sends them signed (Standard Webhooks), and the
//! scheduler of planned publishes. Their queries live in the service layer
//! (`service::outbox`, `service::schedules`). Each worker is a struct with `run(shutdown)` that
//! `Application` spawns and stops on SIGTERM.

pub mod delivery;
pub mod scheduler;
pub mod signing;
pub mod ssrf;

use std::fmt;

/// What happened, as webhooks subscribe to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// A role's working copy went live.
    RolePublished,
    /// A role went back to DRAFT; its page is offline.
    RoleUnpublished,
    /// A role was archived; its page is offline.
    RoleArchived,
    /// A role was deleted.
    RoleDeleted,
    /// A role's working copy changed (created, edited, restored), not its live page.
    RoleUpdated,
    /// A category, tool or source was created, changed or deleted.
    CatalogChanged,
}

impl EventType {
    /// Every type, in the order the README lists them.
    pub const ALL: [EventType; 6] = [
        EventType::RolePublished,
        EventType::RoleUnpublished,
        EventType::RoleArchived,
        EventType::RoleDeleted,
        EventType::RoleUpdated,
        EventType::CatalogChanged,
    ];

    /// The name webhooks and payloads use, e.g. `role.published`.
    pub fn name(self) -> &'static str {
        match self {
            EventType::RolePublished => "role.published",
            EventType::RoleUnpublished => "role.unpublished",
            EventType::RoleArchived => "role.archived",
            EventType::RoleDeleted => "role.deleted",
            EventType::RoleUpdated => "role.updated",
            EventType::CatalogChanged => "catalog.changed",
        }
    }

    /// The type named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event a write emits, sent to every webhook subscribed to its type when (and only if)
/// the write commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventType,
    /// The role's slug, or the catalog item's kind and slug (`tool:chatgpt`).
    pub subject: String,
    /// The role's version after the write (catalog items: theirs).
    pub version: Option<i32>,
    /// The version live after the write, if any.
    pub published_version: Option<i32>,
}
