//! Categories, tools and sources: shared entities that roles point to.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{category, source, tool};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::Deserialize;

use super::content::{MAX_TEXT, MAX_TITLE, check_slug, check_text, check_url, is_slug};
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
    let found = if is_slug(slug) {
        E::find().filter(column.eq(slug)).one(db).await?
    } else {
        None
    };
    found.ok_or_else(|| ApiError::NotFound(format!("no {what} with slug {slug:?}")))
}

/// Fails with a field error when another row of `E` already has `slug`.
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

/// Inserts a category after validating it.
pub async fn create_category(
    db: &impl ConnectionTrait,
    c: &CategoryContent,
) -> ApiResult<category::Model> {
    c.validate()?;
    ensure_free::<category::Entity>(db, category::Column::Slug, &c.slug, "category").await?;
    ensure_room::<category::Entity>(db, MAX_CATEGORIES, "categories").await?;
    let now = Utc::now();
    let row = category::ActiveModel {
        created_at: Set(now),
        ..Default::default()
    };
    Ok(fill_category(row, c.clone(), now).insert(db).await?)
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

/// Updates a category; slug changes keep their links (roles point at ids).
pub async fn update_category(
    db: &impl ConnectionTrait,
    slug: &str,
    p: CategoryPatch,
) -> ApiResult<category::Model> {
    let current =
        find_by_slug::<category::Entity>(db, category::Column::Slug, slug, "category").await?;
    let merged = CategoryContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    };
    merged.validate()?;
    if merged.slug != current.slug {
        ensure_free::<category::Entity>(db, category::Column::Slug, &merged.slug, "category")
            .await?;
    }
    Ok(fill_category(current.into(), merged, Utc::now())
        .update(db)
        .await?)
}

/// Deletes an unused category.
pub async fn delete_category(db: &impl ConnectionTrait, slug: &str) -> ApiResult<category::Model> {
    let current =
        find_by_slug::<category::Entity>(db, category::Column::Slug, slug, "category").await?;
    let used = entity::role::Entity::find()
        .filter(entity::role::Column::CategoryId.eq(current.id))
        .count(db)
        .await?;
    ensure_unused("category", slug, used, "roles")?;
    category::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}

/// Inserts a tool after validating it.
pub async fn create_tool(db: &impl ConnectionTrait, t: &ToolContent) -> ApiResult<tool::Model> {
    t.validate()?;
    ensure_free::<tool::Entity>(db, tool::Column::Slug, &t.slug, "tool").await?;
    ensure_room::<tool::Entity>(db, MAX_TOOLS, "tools").await?;
    let now = Utc::now();
    let row = tool::ActiveModel {
        created_at: Set(now),
        ..Default::default()
    };
    Ok(fill_tool(row, t.clone(), now).insert(db).await?)
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

/// Updates a tool.
pub async fn update_tool(
    db: &impl ConnectionTrait,
    slug: &str,
    p: ToolPatch,
) -> ApiResult<tool::Model> {
    let current = find_by_slug::<tool::Entity>(db, tool::Column::Slug, slug, "tool").await?;
    let merged = ToolContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        vendor: p.vendor.unwrap_or_else(|| current.vendor.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    };
    merged.validate()?;
    if merged.slug != current.slug {
        ensure_free::<tool::Entity>(db, tool::Column::Slug, &merged.slug, "tool").await?;
    }
    Ok(fill_tool(current.into(), merged, Utc::now())
        .update(db)
        .await?)
}

/// Deletes a tool no role links to.
pub async fn delete_tool(db: &impl ConnectionTrait, slug: &str) -> ApiResult<tool::Model> {
    let current = find_by_slug::<tool::Entity>(db, tool::Column::Slug, slug, "tool").await?;
    let used = entity::role_tool::Entity::find()
        .filter(entity::role_tool::Column::ToolId.eq(current.id))
        .count(db)
        .await?;
    ensure_unused("tool", slug, used, "role links")?;
    tool::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}

/// Inserts a source after validating it.
pub async fn create_source(
    db: &impl ConnectionTrait,
    s: &SourceContent,
) -> ApiResult<source::Model> {
    s.validate()?;
    ensure_free::<source::Entity>(db, source::Column::Slug, &s.slug, "source").await?;
    ensure_room::<source::Entity>(db, MAX_SOURCES, "sources").await?;
    let now = Utc::now();
    let row = source::ActiveModel {
        created_at: Set(now),
        ..Default::default()
    };
    Ok(fill_source(row, s.clone(), now).insert(db).await?)
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

/// Updates a source.
pub async fn update_source(
    db: &impl ConnectionTrait,
    slug: &str,
    p: SourcePatch,
) -> ApiResult<source::Model> {
    let current = find_by_slug::<source::Entity>(db, source::Column::Slug, slug, "source").await?;
    let merged = SourceContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        title: p.title.unwrap_or_else(|| current.title.clone()),
        publisher: p.publisher.unwrap_or_else(|| current.publisher.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        published_on: p.published_on.unwrap_or(current.published_on),
    };
    merged.validate()?;
    if merged.slug != current.slug {
        ensure_free::<source::Entity>(db, source::Column::Slug, &merged.slug, "source").await?;
    }
    Ok(fill_source(current.into(), merged, Utc::now())
        .update(db)
        .await?)
}

/// Deletes a source no role cites.
pub async fn delete_source(db: &impl ConnectionTrait, slug: &str) -> ApiResult<source::Model> {
    let current = find_by_slug::<source::Entity>(db, source::Column::Slug, slug, "source").await?;
    let used = entity::role_source::Entity::find()
        .filter(entity::role_source::Column::SourceId.eq(current.id))
        .count(db)
        .await?;
    ensure_unused("source", slug, used, "role citations")?;
    source::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}
