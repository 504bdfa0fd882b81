//! `jobrisk import`: a backup file loaded in one transaction, upserting by slug.
//!
//! The file is read three times as a stream, never held whole: the first pass checks every
//! item and writes the catalog, the second each role's row (so that every role a migration path
//! names exists), the third each role's children, revisions, review and live page. Any
//! problem, at any depth, rolls everything back and is reported with its JSON path.

use std::fmt;
use std::io::BufReader;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use entity::{category, role, role_review, role_revision, source, tool};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use tokio::sync::mpsc;

use super::{CategoryRecord, FORMAT, RoleRecord, SourceRecord, ToolRecord, VERSION};
use crate::auth::Permit;
use crate::auth::permit::Delete;
use crate::cache::TagSet;
use crate::error::{ApiError, ApiResult};
use crate::service::content::{
    ContentRules, MAX_TEXT, MAX_TITLE, check_slug, check_text, check_url,
};
use crate::service::store::WriteTxn;
use crate::service::{Store, audit, publishing, reviews, roles};

/// Members of the document, each required once, in the order the export writes them.
const MEMBERS: &[&str] = &[
    "format",
    "version",
    "categories",
    "tools",
    "sources",
    "roles",
];

/// Items read from the file, handed from the parsing thread to the writer.
enum Item {
    Category(usize, CategoryRecord),
    Tool(usize, ToolRecord),
    Source(usize, SourceRecord),
    Role(usize, Box<RoleRecord>),
}

/// How many items of one kind an import created and updated.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KindReport {
    /// Items whose slug was new to the database.
    pub created: usize,
    /// Items whose slug existed, now replaced by the file's.
    pub updated: usize,
}

impl fmt::Display for KindReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} created, {} updated", self.created, self.updated)
    }
}

/// What an import changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Categories.
    pub categories: KindReport,
    /// Tools.
    pub tools: KindReport,
    /// Sources.
    pub sources: KindReport,
    /// Roles.
    pub roles: KindReport,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "categories: {}", self.categories)?;
        writeln!(f, "tools: {}", self.tools)?;
        writeln!(f, "sources: {}", self.sources)?;
        write!(f, "roles: {}", self.roles)
    }
}

/// A refused import: the JSON path of the problem and what is wrong there.
pub type ImportError = ApiError;

/// `$` for the document, `$.roles[3].workingCopy` below it.
fn json_path(path: &serde_path_to_error::Path) -> String {
    let inner = path.to_string();
    if inner == "." {
        "$".to_owned()
    } else {
        format!("$.{inner}")
    }
}

/// Parses `file` on a blocking thread, sending each item to the returned receiver; the handle
/// ends with the first problem found (with its path), or `Ok` at the end of a valid document.
fn parse(file: PathBuf) -> (mpsc::Receiver<Item>, tokio::task::JoinHandle<ApiResult<()>>) {
    let (tx, rx) = mpsc::channel(32);
    let handle = tokio::task::spawn_blocking(move || {
        let opened = std::fs::File::open(&file).map_err(|e| {
            ApiError::bad_input("file", format!("cannot open {}: {e}", file.display()))
        })?;
        let mut json =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, opened));
        let mut track = serde_path_to_error::Track::new();
        let result = Document { tx: &tx }.deserialize(serde_path_to_error::Deserializer::new(
            &mut json, &mut track,
        ));
        match result {
            Ok(()) => json
                .end()
                .map_err(|e| ApiError::bad_input("$", format!("after the document: {e}"))),
            Err(e) => Err(ApiError::bad_input(json_path(&track.path()), e.to_string())),
        }
    });
    (rx, handle)
}

/// The top-level object: members in [`MEMBERS`] order, items sent as they are read.
struct Document<'a> {
    tx: &'a mpsc::Sender<Item>,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a jobrisk content document (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Members in any order (tools that rewrite JSON often sort keys), each once.
        let mut seen = [false; MEMBERS.len()];
        while let Some(key) = map.next_key::<String>()? {
            let Some(at) = MEMBERS.iter().position(|m| *m == key) else {
                return Err(de::Error::unknown_field(&key, MEMBERS));
            };
            if seen[at] {
                return Err(de::Error::custom(format!("member {key:?} is given twice")));
            }
            seen[at] = true;
            match key.as_str() {
                // Checked inside the value, so that the error's path names the member.
                "format" => map.next_value::<Format>().map(|_| ())?,
                "version" => map.next_value::<Version>().map(|_| ())?,
                "categories" => map.next_value_seed(Items::new(self.tx, Item::Category))?,
                "tools" => map.next_value_seed(Items::new(self.tx, Item::Tool))?,
                "sources" => map.next_value_seed(Items::new(self.tx, Item::Source))?,
                _ => map.next_value_seed(Items::new(self.tx, |i, r| Item::Role(i, Box::new(r))))?,
            }
        }
        match seen.iter().position(|s| !s) {
            Some(missing) => Err(de::Error::missing_field(MEMBERS[missing])),
            None => Ok(()),
        }
    }
}

/// `format`, which must be [`FORMAT`].
struct Format;

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let format = String::deserialize(d)?;
        if format != FORMAT {
            return Err(de::Error::custom(format!(
                "format is {format:?}, not {FORMAT:?}: this is not a jobrisk content file"
            )));
        }
        Ok(Self)
    }
}

/// `version`, which must be [`VERSION`].
struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let version = u32::deserialize(d)?;
        if version != VERSION {
            return Err(de::Error::custom(format!(
                "format version {version} is not one this jobrisk reads (it reads {VERSION})"
            )));
        }
        Ok(Self)
    }
}

/// One member's array, each item sent on as soon as it is read.
struct Items<'a, T, F> {
    tx: &'a mpsc::Sender<Item>,
    wrap: F,
    item: PhantomData<T>,
}

impl<'a, T, F: Fn(usize, T) -> Item> Items<'a, T, F> {
    fn new(tx: &'a mpsc::Sender<Item>, wrap: F) -> Self {
        Self {
            tx,
            wrap,
            item: PhantomData,
        }
    }
}

impl<'de, T: DeserializeOwned, F: Fn(usize, T) -> Item> DeserializeSeed<'de> for Items<'_, T, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned, F: Fn(usize, T) -> Item> Visitor<'de> for Items<'_, T, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(item) = seq.next_element::<T>()? {
            // The writer stopped (it found a problem of its own and reports that one).
            if self.tx.blocking_send((self.wrap)(index, item)).is_err() {
                return Err(de::Error::custom("import stopped"));
            }
            index += 1;
        }
        Ok(())
    }
}

/// Items must come sorted by slug, each once: what the export writes, and what lets a reader
/// catch a slug given twice without remembering every slug it read.
struct Order {
    last: Option<String>,
}

impl Order {
    fn check(&mut self, path: &str, slug: &str, what: &str) -> ApiResult<()> {
        if let Some(last) = &self.last
            && slug <= last.as_str()
        {
            return Err(ApiError::bad_input(
                path,
                format!(
                    "{what} must come in ascending slug order, each once: {slug:?} follows {last:?}"
                ),
            ));
        }
        self.last = Some(slug.to_owned());
        Ok(())
    }
}

/// Counts of each kind in one pass, to check that the second pass read the same file.
#[derive(Default, PartialEq, Eq, Debug)]
struct Seen {
    categories: usize,
    tools: usize,
    sources: usize,
    roles: usize,
}

impl Store {
    /// Loads the backup file at `file` in one transaction: categories, tools, sources and roles
    /// upserted by slug, each role replaced whole (working copy, live page, review, revisions).
    /// Anything else in the database stays. Refused with the JSON path of the first problem,
    /// having changed nothing.
    pub async fn import_content(
        &self,
        permit: &Permit<Delete>,
        file: &Path,
    ) -> ApiResult<ImportReport> {
        let txn = self.begin().await?;
        let mut report = ImportReport::default();
        let mut tags = TagSet::new();

        // Pass 1 checks every item and writes the catalog, pass 2 the role rows (so that every
        // role a migration path names exists), pass 3 the rest of each role. Members may come
        // in any order, so each pass reads the whole file.
        let mut seen: Option<Seen> = None;
        for stage in [Stage::Catalog, Stage::RoleRows, Stage::RoleDetails] {
            let (mut rx, parsing) = parse(file.to_path_buf());
            let mut counted = Seen::default();
            let written = pass(&txn, stage, &mut rx, &mut report, &mut tags, &mut counted).await;
            drop(rx);
            let parsed = join(parsing).await;
            // A writer that stopped on an item stops the reader too ("import stopped"): its
            // own error is the one to report. A reader that stopped ends the writer cleanly.
            written?;
            parsed?;
            if seen.as_ref().is_some_and(|s| *s != counted) {
                return Err(ApiError::bad_input(
                    "file",
                    "the file changed while it was being imported",
                ));
            }
            seen = Some(counted);
        }

        // Roles not in the file may show a catalog item the file changed, and any page may
        // have been cached: every answer is dropped, here and on every server listening.
        txn.touch(tags);
        txn.touch_everything();
        let name = file.file_name().map_or_else(
            || "content".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        audit::record(&*txn, permit.actor(), "content.imported", &name, 0).await?;
        txn.commit().await?;
        Ok(report)
    }
}

async fn join(handle: tokio::task::JoinHandle<ApiResult<()>>) -> ApiResult<()> {
    handle
        .await
        .map_err(|e| ApiError::Internal(format!("the file reader stopped: {e}")))?
}

/// What one reading of the file writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Check every item; write categories, tools and sources.
    Catalog,
    /// Write each role's row.
    RoleRows,
    /// Write each role's children, revisions, review and live page.
    RoleDetails,
}

async fn pass(
    txn: &WriteTxn,
    stage: Stage,
    rx: &mut mpsc::Receiver<Item>,
    report: &mut ImportReport,
    tags: &mut TagSet,
    seen: &mut Seen,
) -> ApiResult<()> {
    let db = &**txn;
    let (mut categories, mut tools, mut sources, mut roles) = (
        Order { last: None },
        Order { last: None },
        Order { last: None },
        Order { last: None },
    );
    while let Some(item) = rx.recv().await {
        match &item {
            Item::Category(..) => seen.categories += 1,
            Item::Tool(..) => seen.tools += 1,
            Item::Source(..) => seen.sources += 1,
            Item::Role(..) => seen.roles += 1,
        }
        match item {
            Item::Category(..) | Item::Tool(..) | Item::Source(..) if stage != Stage::Catalog => {
                continue;
            }
            Item::Category(i, c) => {
                let p = format!("$.categories[{i}]");
                categories.check(&format!("{p}.slug"), &c.slug, "categories")?;
                check_slug(&format!("{p}.slug"), &c.slug)?;
                check_text(&format!("{p}.name"), &c.name, MAX_TITLE)?;
                check_text(&format!("{p}.description"), &c.description, MAX_TEXT)?;
                upsert_category(db, c, &mut report.categories, tags).await?;
            }
            Item::Tool(i, t) => {
                let p = format!("$.tools[{i}]");
                tools.check(&format!("{p}.slug"), &t.slug, "tools")?;
                check_slug(&format!("{p}.slug"), &t.slug)?;
                check_text(&format!("{p}.name"), &t.name, MAX_TITLE)?;
                check_text(&format!("{p}.vendor"), &t.vendor, MAX_TITLE)?;
                check_url(&format!("{p}.url"), &t.url)?;
                check_text(&format!("{p}.description"), &t.description, MAX_TEXT)?;
                upsert_tool(db, t, &mut report.tools, tags).await?;
            }
            Item::Source(i, s) => {
                let p = format!("$.sources[{i}]");
                sources.check(&format!("{p}.slug"), &s.slug, "sources")?;
                check_slug(&format!("{p}.slug"), &s.slug)?;
                check_text(&format!("{p}.title"), &s.title, 500)?;
                check_text(&format!("{p}.publisher"), &s.publisher, 300)?;
                check_url(&format!("{p}.url"), &s.url)?;
                upsert_source(db, s, &mut report.sources, tags).await?;
            }
            Item::Role(i, r) => {
                let p = format!("$.roles[{i}]");
                match stage {
                    Stage::Catalog => {
                        roles.check(
                            &format!("{p}.workingCopy.slug"),
                            &r.working_copy.slug,
                            "roles",
                        )?;
                        check_role(&p, &r)?;
                    }
                    Stage::RoleRows => upsert_role_row(db, &p, &r, &mut report.roles).await?,
                    Stage::RoleDetails => tags.extend(write_role_details(db, &p, &r).await?),
                }
            }
        }
    }
    Ok(())
}

/// The rules of a role record beyond its types.
fn check_role(p: &str, r: &RoleRecord) -> ApiResult<()> {
    r.working_copy.validate(&format!("{p}.workingCopy"))?;
    if r.version < 1 {
        return Err(ApiError::bad_input(
            format!("{p}.version"),
            "must be at least 1",
        ));
    }
    if let Some(published) = &r.published {
        let at = format!("{p}.published");
        published.content.validate(&format!("{at}.content"))?;
        if published.content.slug != r.working_copy.slug {
            return Err(ApiError::bad_input(
                format!("{at}.content.slug"),
                "a live page keeps its role's slug; it differs from workingCopy.slug",
            ));
        }
        if !(1..=r.version).contains(&published.version) {
            return Err(ApiError::bad_input(
                format!("{at}.version"),
                format!("must be between 1 and the role's version {}", r.version),
            ));
        }
    }
    if !(1..=reviews::MAX_INTERVAL_DAYS).contains(&r.review.interval_days) {
        return Err(ApiError::bad_input(
            format!("{p}.review.intervalDays"),
            format!("must be 1 to {} days", reviews::MAX_INTERVAL_DAYS),
        ));
    }
    let mut last = 0;
    for (i, revision) in r.revisions.iter().enumerate() {
        if revision.version <= last || revision.version > r.version {
            return Err(ApiError::bad_input(
                format!("{p}.revisions[{i}].version"),
                format!(
                    "revisions come oldest first, each version once, none past the role's version {}",
                    r.version
                ),
            ));
        }
        last = revision.version;
    }
    Ok(())
}

async fn upsert_category(
    db: &impl ConnectionTrait,
    c: CategoryRecord,
    report: &mut KindReport,
    tags: &mut TagSet,
) -> ApiResult<()> {
    let existing = category::Entity::find()
        .filter(category::Column::Slug.eq(&c.slug))
        .one(db)
        .await?;
    let exists = existing.is_some();
    let mut row: category::ActiveModel = existing.map(Into::into).unwrap_or_default();
    row.slug = Set(c.slug);
    row.name = Set(c.name);
    row.description = Set(c.description);
    row.version = Set(c.version);
    row.created_at = Set(c.created_at.0);
    row.updated_at = Set(c.updated_at.0);
    row.updated_by = Set(c.updated_by);
    if exists {
        let written = row.update(db).await?;
        // Pages of roles the file does not hold embed the category too.
        tags.extend(publishing::refresh_category(db, &written).await?);
        report.updated += 1;
    } else {
        row.insert(db).await?;
        report.created += 1;
    }
    Ok(())
}

async fn upsert_tool(
    db: &impl ConnectionTrait,
    t: ToolRecord,
    report: &mut KindReport,
    tags: &mut TagSet,
) -> ApiResult<()> {
    let existing = tool::Entity::find()
        .filter(tool::Column::Slug.eq(&t.slug))
        .one(db)
        .await?;
    let exists = existing.is_some();
    let mut row: tool::ActiveModel = existing.map(Into::into).unwrap_or_default();
    row.slug = Set(t.slug);
    row.name = Set(t.name);
    row.vendor = Set(t.vendor);
    row.url = Set(t.url);
    row.description = Set(t.description);
    row.version = Set(t.version);
    row.created_at = Set(t.created_at.0);
    row.updated_at = Set(t.updated_at.0);
    row.updated_by = Set(t.updated_by);
    if exists {
        let written = row.update(db).await?;
        tags.extend(publishing::refresh_tool(db, &written).await?);
        report.updated += 1;
    } else {
        row.insert(db).await?;
        report.created += 1;
    }
    Ok(())
}

async fn upsert_source(
    db: &impl ConnectionTrait,
    s: SourceRecord,
    report: &mut KindReport,
    tags: &mut TagSet,
) -> ApiResult<()> {
    let existing = source::Entity::find()
        .filter(source::Column::Slug.eq(&s.slug))
        .one(db)
        .await?;
    let exists = existing.is_some();
    let mut row: source::ActiveModel = existing.map(Into::into).unwrap_or_default();
    row.slug = Set(s.slug);
    row.title = Set(s.title);
    row.publisher = Set(s.publisher);
    row.url = Set(s.url);
    row.published_on = Set(s.published_on);
    row.version = Set(s.version);
    row.created_at = Set(s.created_at.0);
    row.updated_at = Set(s.updated_at.0);
    row.updated_by = Set(s.updated_by);
    if exists {
        let written = row.update(db).await?;
        tags.extend(publishing::refresh_source(db, &written).await?);
        report.updated += 1;
    } else {
        row.insert(db).await?;
        report.created += 1;
    }
    Ok(())
}

/// Writes the role's row: the working copy's columns and score, its versions and times.
async fn upsert_role_row(
    db: &impl ConnectionTrait,
    p: &str,
    r: &RoleRecord,
    report: &mut KindReport,
) -> ApiResult<()> {
    let content = &r.working_copy;
    let prefix = format!("{p}.workingCopy");
    let assessment = content.assess(&prefix)?;
    let category_id = roles::category_id(db, content, &prefix).await?;
    let existing = role::Entity::find()
        .filter(role::Column::Slug.eq(&content.slug))
        .one(db)
        .await?;
    let exists = existing.is_some();
    let mut row: role::ActiveModel = existing.map(Into::into).unwrap_or_default();
    roles::apply_content(&mut row, content, category_id, &assessment);
    row.status = Set(content.status);
    row.version = Set(r.version);
    row.created_at = Set(r.created_at.0);
    row.updated_at = Set(r.updated_at.0);
    row.published_at = Set(r.published_at.map(|t| t.0));
    row.published_version = Set(r.published_version);
    row.has_unpublished_changes = Set(r.has_unpublished_changes);
    if exists {
        row.update(db).await?;
        report.updated += 1;
    } else {
        row.insert(db).await?;
        report.created += 1;
    }
    Ok(())
}

/// Writes a role's children, revisions, review and live page (its row exists).
async fn write_role_details(
    db: &impl ConnectionTrait,
    p: &str,
    r: &RoleRecord,
) -> ApiResult<TagSet> {
    let mut tags = TagSet::new();
    let prefix = format!("{p}.workingCopy");
    let row = role::Entity::find()
        .filter(role::Column::Slug.eq(&r.working_copy.slug))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(
                format!("{prefix}.slug"),
                "the file changed while it was being imported",
            )
        })?;
    roles::replace_children(db, row.id, &r.working_copy, &prefix).await?;
    roles::replace_migration_paths(db, row.id, &r.working_copy, &prefix).await?;
    write_revisions(db, row.id, r).await?;
    role_review::Entity::delete_by_id(row.id).exec(db).await?;
    role_review::ActiveModel {
        role_id: Set(row.id),
        reviewed_at: Set(r.review.reviewed_at.map(|t| t.0)),
        reviewed_by: Set(r.review.reviewed_by.clone()),
        interval_days: Set(r.review.interval_days),
        due_at: Set(r.review.due_at.0),
    }
    .insert(db)
    .await?;
    match &r.published {
        Some(published) => {
            roles::category_id(db, &published.content, &format!("{p}.published.content")).await?;
            tags.extend(
                publishing::render_content(
                    db,
                    &row,
                    published.version,
                    &published.content,
                    published.updated_at.0,
                )
                .await?,
            );
        }
        None => tags.extend(publishing::withdraw(db, row.id).await?),
    }
    Ok(tags)
}

/// Replaces the role's revisions with the file's.
async fn write_revisions(db: &impl ConnectionTrait, role_id: i32, r: &RoleRecord) -> ApiResult<()> {
    role_revision::Entity::delete_many()
        .filter(role_revision::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    // Seven columns a row: 100 rows stay far below SQLite's limit of bound values.
    for chunk in r.revisions.chunks(100) {
        role_revision::Entity::insert_many(chunk.iter().map(|v| role_revision::ActiveModel {
            role_id: Set(role_id),
            version: Set(v.version),
            snapshot: Set(v.content.clone()),
            editor: Set(v.editor.clone()),
            summary: Set(v.summary.clone()),
            created_at: Set(v.created_at.0),
            published: Set(v.published),
            ..Default::default()
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}
