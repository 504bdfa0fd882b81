//! Backup and restore: every category, tool, source and role (working copy, published
//! snapshot, review and revisions) as one JSON document, written and read as a stream.
//!
//! The format (`docs/content.schema.json`, printed by `jobrisk content-schema`) is keyed by
//! slugs, never by database ids, so a file moves between SQLite and PostgreSQL. Everything is
//! written in a fixed order (items by slug, fields by declaration, times to the microsecond, the
//! precision both databases keep), so exporting what an import wrote gives the same bytes.
//! Scores are not in the file: they are computed from the content on import, as on every save.

mod export;
mod import;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::content::RoleContent;
pub use export::ExportReport;
pub use import::{ImportError, ImportReport, KindReport};

/// The value of `format` in every file.
pub const FORMAT: &str = "jobrisk-content";

/// The version of the format this build writes and reads. A change that an older reader would
/// misread gets a new version.
pub const VERSION: u32 = 1;

/// A point in time: RFC 3339 in UTC, to the microsecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// The time, cut to the microsecond (what PostgreSQL keeps).
    pub fn new(at: DateTime<Utc>) -> Self {
        use chrono::Timelike;
        let micros = at.nanosecond() / 1000 * 1000;
        Self(at.with_nanosecond(micros).unwrap_or(at))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| Self::new(t.with_timezone(&Utc)))
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "{text:?} is not an RFC 3339 time such as 2026-01-31T12:00:00.000000Z: {e}"
                ))
            })
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, to the microsecond, e.g. 2026-01-31T12:00:00.000000Z",
        })
    }
}

/// A category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryRecord {
    /// URL key, the key of the upsert.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One paragraph.
    pub description: String,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

/// An AI tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolRecord {
    /// URL key, the key of the upsert.
    pub slug: String,
    /// Product name.
    pub name: String,
    /// Maker.
    pub vendor: String,
    /// Product page.
    pub url: String,
    /// One paragraph.
    pub description: String,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRecord {
    /// URL key, the key of the upsert.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Where to read it.
    pub url: String,
    /// Publication date (YYYY-MM-DD), when known.
    pub published_on: Option<NaiveDate>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

/// The live page of a published role, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishedRecord {
    /// The version that was published.
    pub version: i32,
    /// When that version was saved.
    pub updated_at: Timestamp,
    /// What the page shows (links to items that no longer exist left out).
    pub content: RoleContent,
}

/// When a role's content was last reviewed and when it is due again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewRecord {
    /// Last review, if any.
    pub reviewed_at: Option<Timestamp>,
    /// Who reviewed it.
    pub reviewed_by: Option<String>,
    /// Days between reviews (1-3650).
    pub interval_days: i32,
    /// When the next review is due.
    pub due_at: Timestamp,
}

/// One saved version of a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevisionRecord {
    /// The role's version this revision recorded.
    pub version: i32,
    /// When it was saved.
    pub created_at: Timestamp,
    /// Who saved it.
    pub editor: String,
    /// The editor's summary of the change.
    pub summary: String,
    /// Whether this version was published.
    pub published: bool,
    /// The whole content as saved.
    pub content: RoleContent,
}

/// A role: its working copy (whose `slug` is the key of the upsert and whose `status` is the
/// role's), its live page, its review and every revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleRecord {
    /// The current version of the working copy.
    pub version: i32,
    /// When the role was created.
    pub created_at: Timestamp,
    /// When the working copy last changed.
    pub updated_at: Timestamp,
    /// When it was first published, if ever.
    pub published_at: Option<Timestamp>,
    /// The version last published, if any (kept after archiving).
    pub published_version: Option<i32>,
    /// Whether the working copy differs from the live page.
    pub has_unpublished_changes: bool,
    /// The working copy, as editors see it.
    pub working_copy: RoleContent,
    /// The live page, for a published role.
    pub published: Option<PublishedRecord>,
    /// Evidence freshness.
    pub review: ReviewRecord,
    /// Every revision, oldest first.
    pub revisions: Vec<RevisionRecord>,
}

/// The whole file, as its JSON Schema describes it. Export and import stream it member by
/// member and item by item; this type exists for the schema.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(
    title = "jobrisk content",
    description = "Every category, tool, source and role of a jobrisk database, written by `jobrisk export` and read by `jobrisk import`. Members may come in any order; items are sorted by slug, each slug once."
)]
pub struct ContentFile {
    /// Always "jobrisk-content".
    #[schemars(regex(pattern = r"^jobrisk-content$"))]
    pub format: String,
    /// Format version; this build reads and writes 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// Categories.
    pub categories: Vec<CategoryRecord>,
    /// AI tools.
    pub tools: Vec<ToolRecord>,
    /// Cited sources.
    pub sources: Vec<SourceRecord>,
    /// Roles.
    pub roles: Vec<RoleRecord>,
}

/// The JSON Schema of the format, as committed in `docs/content.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ContentFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_microseconds_and_come_back_equal() {
        let at = DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456789Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("time");
        let text = serde_json::to_string(&Timestamp::new(at)).expect("serialize");
        assert_eq!(text, "\"2026-03-04T05:06:07.123456Z\"");
        let back: Timestamp = serde_json::from_str(&text).expect("parse");
        assert_eq!(serde_json::to_string(&back).expect("again"), text);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    #[test]
    fn the_committed_schema_is_current() {
        let committed = include_str!("../../../../../docs/content.schema.json");
        assert!(
            committed == json_schema(),
            "docs/content.schema.json is out of date: run `cargo run -q -- content-schema > docs/content.schema.json`"
        );
    }
}
