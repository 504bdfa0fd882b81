//! Categories, tools and sources: shared entities that roles point to.

use chrono::{NaiveDate, Utc};
use entity::{category, source, tool};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use super::content::{MAX_TEXT, MAX_TITLE, check_slug, check_text, check_url};
use crate::error::{ApiError, ApiResult};

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

/// Inserts a category after validating it.
pub async fn create_category(
    db: &impl ConnectionTrait,
    c: &CategoryContent,
) -> ApiResult<category::Model> {
    check_slug("input.slug", &c.slug)?;
    check_text("input.name", &c.name, MAX_TITLE)?;
    check_text("input.description", &c.description, MAX_TEXT)?;
    ensure_free(
        category::Entity::find()
            .filter(category::Column::Slug.eq(&c.slug))
            .one(db)
            .await?
            .is_some(),
        "category",
        &c.slug,
    )?;
    let now = Utc::now();
    Ok(category::ActiveModel {
        slug: Set(c.slug.clone()),
        name: Set(c.name.clone()),
        description: Set(c.description.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Inserts a tool after validating it.
pub async fn create_tool(db: &impl ConnectionTrait, t: &ToolContent) -> ApiResult<tool::Model> {
    check_slug("input.slug", &t.slug)?;
    check_text("input.name", &t.name, MAX_TITLE)?;
    check_text("input.vendor", &t.vendor, MAX_TITLE)?;
    check_url("input.url", &t.url)?;
    check_text("input.description", &t.description, MAX_TEXT)?;
    ensure_free(
        tool::Entity::find()
            .filter(tool::Column::Slug.eq(&t.slug))
            .one(db)
            .await?
            .is_some(),
        "tool",
        &t.slug,
    )?;
    let now = Utc::now();
    Ok(tool::ActiveModel {
        slug: Set(t.slug.clone()),
        name: Set(t.name.clone()),
        vendor: Set(t.vendor.clone()),
        url: Set(t.url.clone()),
        description: Set(t.description.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Inserts a source after validating it.
pub async fn create_source(
    db: &impl ConnectionTrait,
    s: &SourceContent,
) -> ApiResult<source::Model> {
    check_slug("input.slug", &s.slug)?;
    check_text("input.title", &s.title, 500)?;
    check_text("input.publisher", &s.publisher, 300)?;
    check_url("input.url", &s.url)?;
    ensure_free(
        source::Entity::find()
            .filter(source::Column::Slug.eq(&s.slug))
            .one(db)
            .await?
            .is_some(),
        "source",
        &s.slug,
    )?;
    let now = Utc::now();
    Ok(source::ActiveModel {
        slug: Set(s.slug.clone()),
        title: Set(s.title.clone()),
        publisher: Set(s.publisher.clone()),
        url: Set(s.url.clone()),
        published_on: Set(s.published_on),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

fn ensure_free(taken: bool, what: &str, slug: &str) -> ApiResult<()> {
    if taken {
        Err(ApiError::bad_input(
            "input.slug",
            format!("a {what} with slug {slug:?} already exists"),
        ))
    } else {
        Ok(())
    }
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

fn not_found(what: &str, slug: &str) -> ApiError {
    ApiError::NotFound(format!("no {what} with slug {slug:?}"))
}

fn in_use(what: &str, slug: &str, count: u64, by: &str) -> ApiError {
    ApiError::Conflict {
        message: format!("{what} {slug:?} is still used by {count} {by}; change those first"),
        current_version: None,
    }
}

/// Updates a category; slug changes keep their links (roles point at ids).
pub async fn update_category(
    db: &impl ConnectionTrait,
    slug: &str,
    p: CategoryPatch,
) -> ApiResult<category::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("category", slug));
    }
    let current = category::Entity::find()
        .filter(category::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("category", slug))?;
    let merged = CategoryContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    };
    check_slug("input.slug", &merged.slug)?;
    check_text("input.name", &merged.name, MAX_TITLE)?;
    check_text("input.description", &merged.description, MAX_TEXT)?;
    if merged.slug != current.slug {
        ensure_free(
            category::Entity::find()
                .filter(category::Column::Slug.eq(&merged.slug))
                .one(db)
                .await?
                .is_some(),
            "category",
            &merged.slug,
        )?;
    }
    let mut m: category::ActiveModel = current.into();
    m.slug = Set(merged.slug);
    m.name = Set(merged.name);
    m.description = Set(merged.description);
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

/// Deletes an unused category.
pub async fn delete_category(db: &impl ConnectionTrait, slug: &str) -> ApiResult<category::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("category", slug));
    }
    use sea_orm::PaginatorTrait;
    let current = category::Entity::find()
        .filter(category::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("category", slug))?;
    let used = entity::role::Entity::find()
        .filter(entity::role::Column::CategoryId.eq(current.id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(in_use("category", slug, used, "roles"));
    }
    category::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}

/// Updates a tool.
pub async fn update_tool(
    db: &impl ConnectionTrait,
    slug: &str,
    p: ToolPatch,
) -> ApiResult<tool::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("tool", slug));
    }
    let current = tool::Entity::find()
        .filter(tool::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("tool", slug))?;
    let merged = ToolContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        name: p.name.unwrap_or_else(|| current.name.clone()),
        vendor: p.vendor.unwrap_or_else(|| current.vendor.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        description: p.description.unwrap_or_else(|| current.description.clone()),
    };
    check_slug("input.slug", &merged.slug)?;
    check_text("input.name", &merged.name, MAX_TITLE)?;
    check_text("input.vendor", &merged.vendor, MAX_TITLE)?;
    check_url("input.url", &merged.url)?;
    check_text("input.description", &merged.description, MAX_TEXT)?;
    if merged.slug != current.slug {
        ensure_free(
            tool::Entity::find()
                .filter(tool::Column::Slug.eq(&merged.slug))
                .one(db)
                .await?
                .is_some(),
            "tool",
            &merged.slug,
        )?;
    }
    let mut m: tool::ActiveModel = current.into();
    m.slug = Set(merged.slug);
    m.name = Set(merged.name);
    m.vendor = Set(merged.vendor);
    m.url = Set(merged.url);
    m.description = Set(merged.description);
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

/// Deletes a tool no role links to.
pub async fn delete_tool(db: &impl ConnectionTrait, slug: &str) -> ApiResult<tool::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("tool", slug));
    }
    use sea_orm::PaginatorTrait;
    let current = tool::Entity::find()
        .filter(tool::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("tool", slug))?;
    let used = entity::role_tool::Entity::find()
        .filter(entity::role_tool::Column::ToolId.eq(current.id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(in_use("tool", slug, used, "role links"));
    }
    tool::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}

/// Updates a source.
pub async fn update_source(
    db: &impl ConnectionTrait,
    slug: &str,
    p: SourcePatch,
) -> ApiResult<source::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("source", slug));
    }
    let current = source::Entity::find()
        .filter(source::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("source", slug))?;
    let merged = SourceContent {
        slug: p.slug.unwrap_or_else(|| current.slug.clone()),
        title: p.title.unwrap_or_else(|| current.title.clone()),
        publisher: p.publisher.unwrap_or_else(|| current.publisher.clone()),
        url: p.url.unwrap_or_else(|| current.url.clone()),
        published_on: p.published_on.unwrap_or(current.published_on),
    };
    check_slug("input.slug", &merged.slug)?;
    check_text("input.title", &merged.title, 500)?;
    check_text("input.publisher", &merged.publisher, 300)?;
    check_url("input.url", &merged.url)?;
    if merged.slug != current.slug {
        ensure_free(
            source::Entity::find()
                .filter(source::Column::Slug.eq(&merged.slug))
                .one(db)
                .await?
                .is_some(),
            "source",
            &merged.slug,
        )?;
    }
    let mut m: source::ActiveModel = current.into();
    m.slug = Set(merged.slug);
    m.title = Set(merged.title);
    m.publisher = Set(merged.publisher);
    m.url = Set(merged.url);
    m.published_on = Set(merged.published_on);
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

/// Deletes a source no role cites.
pub async fn delete_source(db: &impl ConnectionTrait, slug: &str) -> ApiResult<source::Model> {
    if !super::content::is_slug(slug) {
        return Err(not_found("source", slug));
    }
    use sea_orm::PaginatorTrait;
    let current = source::Entity::find()
        .filter(source::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| not_found("source", slug))?;
    let used = entity::role_source::Entity::find()
        .filter(entity::role_source::Column::SourceId.eq(current.id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(in_use("source", slug, used, "role citations"));
    }
    source::Entity::delete_by_id(current.id).exec(db).await?;
    Ok(current)
}
