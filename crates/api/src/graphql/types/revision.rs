//! Revision history of a role page.

use async_graphql::{Json, SimpleObject};
use chrono::{DateTime, Utc};
use entity::role_revision;

/// A stored revision: the full content after one successful write.
#[derive(SimpleObject, Clone, Debug)]
pub struct Revision {
    /// The role's version after this write; pass it to `restoreRoleRevision`.
    pub version: i32,
    /// The `sub` of the editor who wrote it.
    pub editor: String,
    /// What the write changed.
    pub summary: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// The full content as editors write it (the `RoleInput` shape plus `status`), to compare
    /// versions.
    pub content: Json<entity::RoleContent>,
    /// Whether this version was published (rendered into the page the public saw).
    pub published: bool,
}

impl From<role_revision::Model> for Revision {
    fn from(r: role_revision::Model) -> Self {
        Self {
            version: r.version,
            editor: r.editor,
            summary: r.summary,
            created_at: r.created_at,
            content: Json(r.snapshot),
            published: r.published,
        }
    }
}
