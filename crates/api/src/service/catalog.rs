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
