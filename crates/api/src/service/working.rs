//! What an editor's form needs about one role: its working copy, its published content and
//! the catalog to pick from, read with a read permit; and the preview, which is the save's
//! own validation and scoring without the write, so a previewed score is the saved one.

use entity::{RoleContent, category, role, role_revision, source, tool};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Store;
use super::content::ContentRules;
use super::editing::{find_role, load_content};
use crate::auth::Permit;
use crate::auth::permit::Read;
use crate::error::ApiResult;

/// One role as an editor opens it.
#[derive(Debug, Clone)]
pub struct EditorView {
    /// The row (version, status, score of the working copy).
    pub role: role::Model,
    /// The working copy.
    pub working: RoleContent,
    /// The live page's content, when the role is published.
    pub published: Option<RoleContent>,
}

/// A catalog entry to pick: slug and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// URL key.
    pub slug: String,
    /// What editors read.
    pub name: String,
}

/// What a role's links may point at.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Categories.
    pub categories: Vec<Choice>,
    /// Tools.
    pub tools: Vec<Choice>,
    /// Sources.
    pub sources: Vec<Choice>,
}

impl Store {
    /// The role `slug` with its working copy and published content.
    pub async fn editor_view(&self, _reader: &Permit<Read>, slug: &str) -> ApiResult<EditorView> {
        let role = find_role(self.db(), slug).await?;
        let working = load_content(self.db(), &role).await?;
        let published = match role.published_version {
            Some(v) => role_revision::Entity::find()
                .filter(role_revision::Column::RoleId.eq(role.id))
                .filter(role_revision::Column::Version.eq(v))
                .one(self.db())
                .await?
                .map(|r| r.snapshot),
            None => None,
        };
        Ok(EditorView {
            role,
            working,
            published,
        })
    }

    /// Every category, tool and source, by name.
    pub async fn catalog_choices(&self, _reader: &Permit<Read>) -> ApiResult<Catalog> {
        let categories = category::Entity::find()
            .order_by_asc(category::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(|c| Choice {
                slug: c.slug,
                name: c.name,
            })
            .collect();
        let tools = tool::Entity::find()
            .order_by_asc(tool::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(|t| Choice {
                slug: t.slug,
                name: t.name,
            })
            .collect();
        let sources = source::Entity::find()
            .order_by_asc(source::Column::Slug)
            .all(self.db())
            .await?
            .into_iter()
            .map(|s| Choice {
                name: s.title,
                slug: s.slug,
            })
            .collect();
        Ok(Catalog {
            categories,
            tools,
            sources,
        })
    }
}

/// The score `content` would be saved with, after the same checks a save runs before it
/// touches the database; an error names the field (`input.tasks[2].timeShare`).
pub fn preview(content: &RoleContent) -> ApiResult<scoring::Assessment> {
    content.validate("input")?;
    content.assess("input")
}
