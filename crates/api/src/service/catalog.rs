//! Categories, tools and sources: shared entities that roles point to. Each write is one
//! transaction of its own, guarded by the item's version like roles, recording who made it
//! (`updated_by`, and the audit log).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{category, source, tool};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Deserialize;

use super::Store;
use super::audit;
use super::content::{MAX_TEXT, MAX_TITLE, check_slug, check_text, check_url, is_slug};
use super::publishing;
use crate::auth::{
    Permit,
    permit::{Delete, Write},
};
use crate::error::{ApiError, ApiResult};

/// Most categories that may exist: the public `categories` list returns them all, so its size
/// (and the cost of a query over it) must be bounded.
pub const MAX_CATEGORIES: usize = 100;
/// Most tools that may exist (bounds the public `tools` list).
pub const MAX_TOOLS: usize = 500;
/// Most sources that may exist (bounds the public `sources` list).
pub const MAX_SOURCES: usize = 500;

/// A category as editors give it.
#[derive(Debug, Clone, Deserialize)]
pub struct CategoryContent {
    /// URL key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One sentence on what the category holds.
    pub description: String,
}

/// A tool as editors give it.
#[derive(Debug, Clone, Deserialize)]
pub struct ToolContent {
    /// URL key.
    pub slug: String,
    /// Product name.
    pub name: String,
    /// Maker.
    pub vendor: String,
    /// Product page (http or https).
    pub url: String,
    /// What it does, in one sentence.
    pub description: String,
}

/// A research source as editors give it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceContent {
    /// Stable key.
    pub slug: String,
    /// Title of the work.
    pub title: String,
    /// Publisher or venue.
    pub publisher: String,
    /// Where to read it (http or https).
    pub url: String,
    /// Publication date.
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
}

/// A partial update of a category.
#[derive(Debug, Clone, Default)]
pub struct CategoryPatch {
    /// New slug.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
}

/// A partial update of a tool.
#[derive(Debug, Clone, Default)]
pub struct ToolPatch {
    /// New slug.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New vendor.
    pub vendor: Option<String>,
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
}

/// A partial update of a source.
#[derive(Debug, Clone, Default)]
pub struct SourcePatch {
    /// New slug.
    pub slug: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New publisher.
    pub publisher: Option<String>,
    /// New URL.
    pub url: Option<String>,
    /// New date (`Some(None)` clears it).
    pub published_on: Option<Option<NaiveDate>>,
}

impl CategoryContent {
    fn validate(&self) -> ApiResult<()> {
        check_slug("input.slug", &self.slug)?;
        check_text("input.name", &self.name, MAX_TITLE)?;
        check_text("input.description", &self.description, MAX_TEXT)
    }
}

impl ToolContent {
    fn validate(&self) -> ApiResult<()> {
        check_slug("input.slug", &self.slug)?;
        check_text("input.name", &self.name, MAX_TITLE)?;
        check_text("input.vendor", &self.vendor, MAX_TITLE)?;
        check_url("input.url", &self.url)?;
        check_text("input.description", &self.description, MAX_TEXT)
    }
}

impl SourceContent {
    fn validate(&self) -> ApiResult<()> {
        check_slug("input.slug", &self.slug)?;
        check_text("input.title", &self.title, 500)?;
        check_text("input.publisher", &self.publisher, 300)?;
        check_url("input.url", &self.url)
    }
}

/// The row of `E` with `slug`; a string that cannot be a slug is not looked up.
async fn find_by_slug<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    slug: &str,
    what: &str,
) -> ApiResult<E::Model> {
    one_by_slug::<E>(db, column, slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no {what} with slug {slug:?}")))
}

/// Fails with a field error when another row of `E` already has `slug`. Two writers racing
/// past this check meet the unique constraint, which `ApiError::from` reports the same way.
async fn ensure_free<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    slug: &str,
    what: &str,
) -> ApiResult<()> {
    if E::find().filter(column.eq(slug)).one(db).await?.is_some() {
        return Err(ApiError::bad_input(
            "input.slug",
            format!("a {what} with slug {slug:?} already exists"),
        ));
    }
    Ok(())
}

/// Fails with a field error when `E` already holds `cap` rows.
async fn ensure_room<E: EntityTrait>(
    db: &impl ConnectionTrait,
    cap: usize,
    what: &str,
) -> ApiResult<()>
where
    E::Model: Sync,
{
    if E::find().count(db).await? >= cap as u64 {
        return Err(ApiError::bad_input(
            "input",
            format!("at most {cap} {what} may exist; delete unused ones first"),
        ));
    }
    Ok(())
}

/// Fails with CONFLICT while `count` rows still use the entity.
fn ensure_unused(what: &str, slug: &str, count: u64, by: &str) -> ApiResult<()> {
    if count > 0 {
        return Err(ApiError::Conflict {
            message: format!("{what} {slug:?} is still used by {count} {by}; change those first"),
            current_version: None,
        });
    }
    Ok(())
}

/// CONFLICT unless the editor last read `current`.
fn ensure_version(what: &str, slug: &str, current: i32, expected: i32) -> ApiResult<()> {
    if current != expected {
        return Err(ApiError::Conflict {
            message: format!(
                "the {what} {slug:?} changed since version {expected}: it is now at version {current}; reload and apply your change again"
            ),
            current_version: Some(current),
        });
    }
    Ok(())
}

fn fill_category(
    mut m: category::ActiveModel,
    c: CategoryContent,
    now: DateTime<Utc>,
) -> category::ActiveModel {
    m.slug = Set(c.slug);
    m.name = Set(c.name);
    m.description = Set(c.description);
    m.updated_at = Set(now);
    m
}

fn merge_category(current: &category::Model, p: CategoryPatch) -> CategoryContent {
    CategoryContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    }
}

/// Working copies and published pages in the category (a published page may still be in a
/// category its working copy has left).
async fn category_users(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    let working = entity::role::Entity::find()
        .filter(entity::role::Column::CategoryId.eq(id))
        .count(db)
        .await?;
    Ok(working + publishing::snapshots_in_category(db, id).await?)
}

fn fill_tool(mut m: tool::ActiveModel, t: ToolContent, now: DateTime<Utc>) -> tool::ActiveModel {
    m.slug = Set(t.slug);
    m.name = Set(t.name);
    m.vendor = Set(t.vendor);
    m.url = Set(t.url);
    m.description = Set(t.description);
    m.updated_at = Set(now);
    m
}

fn merge_tool(current: &tool::Model, p: ToolPatch) -> ToolContent {
    ToolContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        vendor: p.vendor.unwrap_or_else(|| current.vendor.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    }
}

/// Links from working copies and from published pages.
async fn tool_users(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    let working = entity::role_tool::Entity::find()
        .filter(entity::role_tool::Column::ToolId.eq(id))
        .count(db)
        .await?;
    Ok(working + publishing::snapshots_using_tool(db, id).await?)
}

fn fill_source(
    mut m: source::ActiveModel,
    s: SourceContent,
    now: DateTime<Utc>,
) -> source::ActiveModel {
    m.slug = Set(s.slug);
    m.title = Set(s.title);
    m.publisher = Set(s.publisher);
    m.url = Set(s.url);
    m.published_on = Set(s.published_on);
    m.updated_at = Set(now);
    m
}

fn merge_source(current: &source::Model, p: SourcePatch) -> SourceContent {
    SourceContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        title: p.title.unwrap_or_else(|| current.title.clone()),
        publisher: p.publisher.unwrap_or_else(|| current.publisher.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        published_on: p.published_on.unwrap_or(current.published_on),
    }
}

/// Citations from working copies and from published pages.
async fn source_users(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    let working = entity::role_source::Entity::find()
        .filter(entity::role_source::Column::SourceId.eq(id))
        .count(db)
        .await?;
    Ok(working + publishing::snapshots_using_source(db, id).await?)
}

/// Generates, for one kind of catalog item, the insert the seed shares and the three writes
/// editors make through the [`Store`]: the same rules for every kind, written once.
macro_rules! catalog_kind {
    (
        $module:ident, $what:literal, $plural:literal, $used_by:literal,
        cap: $cap:expr,
        content: $content:ty, patch: $patch:ty,
        fill: $fill:ident, merge: $merge:ident, users: $users:ident, refresh: $refresh:path,
        insert: $insert:ident, create: $create:ident, update: $update:ident,
        delete: $delete:ident $(,)?
    ) => {
        /// Inserts a validated item as `actor` inside the caller's transaction (the seed and
        /// the create mutation share it).
        pub(crate) async fn $insert(
            db: &impl ConnectionTrait,
            content: &$content,
            actor: &str,
        ) -> ApiResult<$module::Model> {
            content.validate()?;
            ensure_free::<$module::Entity>(db, $module::Column::Slug, &content.slug, $what)
                .await?;
            ensure_room::<$module::Entity>(db, $cap, $plural).await?;
            let now = Utc::now();
            let row = $module::ActiveModel {
                created_at: Set(now),
                version: Set(1),
                updated_by: Set(Some(actor.to_owned())),
                ..Default::default()
            };
            Ok($fill(row, content.clone(), now).insert(db).await?)
        }

        impl Store {
            #[doc = concat!("Creates a ", $what, " at version 1.")]
            pub async fn $create(
                &self,
                permit: &Permit<Write>,
                content: $content,
            ) -> ApiResult<$module::Model> {
                let txn = self.begin().await?;
                let row = $insert(&*txn, &content, permit.actor()).await?;
                // A new item shows in catalog answers, and a lookup of its slug finds it.
                txn.touch([crate::cache::Tag::Catalog].into_iter().collect());
                audit::record(&*txn, permit.actor(), concat!($what, ".created"), &row.slug, row.version)
                    .await?;
                txn.emit(crate::events::Event {
                    kind: crate::events::EventType::CatalogChanged,
                    subject: format!("{}:{}", $what, row.slug),
                    version: Some(row.version),
                    published_version: None,
                });
                txn.commit().await?;
                Ok(row)
            }

            #[doc = concat!("Changes the ", $what, " `slug` at `expected_version`; slug changes keep links (roles point at ids).")]
            pub async fn $update(
                &self,
                permit: &Permit<Write>,
                slug: &str,
                expected_version: i32,
                patch: $patch,
            ) -> ApiResult<$module::Model> {
                let txn = self.begin().await?;
                let current =
                    find_by_slug::<$module::Entity>(&*txn, $module::Column::Slug, slug, $what)
                        .await?;
                ensure_version($what, slug, current.version, expected_version)?;
                let merged = $merge(&current, patch);
                merged.validate()?;
                if merged.slug != current.slug {
                    ensure_free::<$module::Entity>(&*txn, $module::Column::Slug, &merged.slug, $what)
                        .await?;
                }
                let id = current.id;
                let mut row = $fill(current.into(), merged, Utc::now());
                row.version = Set(expected_version + 1);
                row.updated_by = Set(Some(permit.actor().to_owned()));
                // The version in the filter makes a concurrent writer that read the same
                // version lose here rather than overwrite.
                let written = $module::Entity::update_many()
                    .set(row)
                    .filter($module::Column::Id.eq(id))
                    .filter($module::Column::Version.eq(expected_version))
                    .exec(&*txn)
                    .await?;
                let updated = $module::Entity::find_by_id(id)
                    .one(&*txn)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no {} with slug {slug:?}", $what)))?;
                if written.rows_affected == 0 {
                    ensure_version($what, slug, updated.version, expected_version)?;
                }
                // No drafts for catalog items: published pages show the change at once.
                txn.touch($refresh(&*txn, &updated).await?);
                audit::record(&*txn, permit.actor(), concat!($what, ".updated"), &updated.slug, updated.version)
                    .await?;
                txn.emit(crate::events::Event {
                    kind: crate::events::EventType::CatalogChanged,
                    subject: format!("{}:{}", $what, updated.slug),
                    version: Some(updated.version),
                    published_version: None,
                });
                txn.commit().await?;
                Ok(updated)
            }

            #[doc = concat!("Deletes the ", $what, " `slug` at `expected_version`; refused with CONFLICT while in use.")]
            pub async fn $delete(
                &self,
                permit: &Permit<Delete>,
                slug: &str,
                expected_version: i32,
            ) -> ApiResult<$module::Model> {
                let txn = self.begin().await?;
                let current =
                    find_by_slug::<$module::Entity>(&*txn, $module::Column::Slug, slug, $what)
                        .await?;
                ensure_version($what, slug, current.version, expected_version)?;
                ensure_unused($what, slug, $users(&*txn, current.id).await?, $used_by)?;
                // A link made meanwhile by a concurrent write is caught by the foreign key
                // (RESTRICT), which `ApiError::from` turns into CONFLICT.
                let deleted = $module::Entity::delete_many()
                    .filter($module::Column::Id.eq(current.id))
                    .filter($module::Column::Version.eq(expected_version))
                    .exec(&*txn)
                    .await?;
                if deleted.rows_affected == 0 {
                    return Err(ApiError::Conflict {
                        message: format!("the {} {slug:?} changed meanwhile; reload and try again", $what),
                        current_version: None,
                    });
                }
                txn.touch([crate::cache::Tag::Catalog].into_iter().collect());
                audit::record(&*txn, permit.actor(), concat!($what, ".deleted"), &current.slug, current.version)
                    .await?;
                txn.emit(crate::events::Event {
                    kind: crate::events::EventType::CatalogChanged,
                    subject: format!("{}:{}", $what, current.slug),
                    version: Some(current.version),
                    published_version: None,
                });
                txn.commit().await?;
                Ok(current)
            }
        }
    };
}

catalog_kind!(
    category, "category", "categories", "roles",
    cap: MAX_CATEGORIES,
    content: CategoryContent, patch: CategoryPatch,
    fill: fill_category, merge: merge_category, users: category_users, refresh: publishing::refresh_category,
    insert: insert_category, create: create_category, update: update_category,
    delete: delete_category,
);

catalog_kind!(
    tool, "tool", "tools", "role links",
    cap: MAX_TOOLS,
    content: ToolContent, patch: ToolPatch,
    fill: fill_tool, merge: merge_tool, users: tool_users, refresh: publishing::refresh_tool,
    insert: insert_tool, create: create_tool, update: update_tool,
    delete: delete_tool,
);

catalog_kind!(
    source, "source", "sources", "role citations",
    cap: MAX_SOURCES,
    content: SourceContent, patch: SourcePatch,
    fill: fill_source, merge: merge_source, users: source_users, refresh: publishing::refresh_source,
    insert: insert_source, create: create_source, update: update_source,
    delete: delete_source,
);

/// Every row of `E`, ordered by `column`.
async fn all_by<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
) -> ApiResult<Vec<E::Model>> {
    Ok(E::find().order_by_asc(column).all(db).await?)
}

/// The row of `E` whose `column` is `slug`, if any; a string that cannot be a slug is not
/// looked up.
async fn one_by_slug<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    slug: &str,
) -> ApiResult<Option<E::Model>> {
    if !is_slug(slug) {
        return Ok(None);
    }
    Ok(E::find().filter(column.eq(slug)).one(db).await?)
}

/// Reads of the catalog: it is public, so there is no visibility to decide.
impl Store {
    /// Every category, by name.
    pub async fn categories(&self) -> ApiResult<Vec<category::Model>> {
        all_by::<category::Entity>(self.db(), category::Column::Name).await
    }

    /// The category with `slug`, if any.
    pub async fn category(&self, slug: &str) -> ApiResult<Option<category::Model>> {
        one_by_slug::<category::Entity>(self.db(), category::Column::Slug, slug).await
    }

    /// Every tool, by name.
    pub async fn tools(&self) -> ApiResult<Vec<tool::Model>> {
        all_by::<tool::Entity>(self.db(), tool::Column::Name).await
    }

    /// The tool with `slug`, if any.
    pub async fn tool(&self, slug: &str) -> ApiResult<Option<tool::Model>> {
        one_by_slug::<tool::Entity>(self.db(), tool::Column::Slug, slug).await
    }

    /// Every source, by title.
    pub async fn sources(&self) -> ApiResult<Vec<source::Model>> {
        all_by::<source::Entity>(self.db(), source::Column::Title).await
    }

    /// The source with `id`, if any.
    pub async fn source(&self, id: i32) -> ApiResult<Option<source::Model>> {
        Ok(source::Entity::find_by_id(id).one(self.db()).await?)
    }
}
