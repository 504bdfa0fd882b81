//! What an editor's form needs about one role: its working copy, its published content and
//! the catalog to pick from, read with a read permit; and the preview, which is the save's
//! own validation and scoring without the write, so a previewed score is the saved one.

use entity::{RoleContent, category, role, role_revision, role_schedule, source, tool};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

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

impl Store {
    /// The titles of the roles among `slugs` that exist (a preview names migration targets).
    pub async fn role_titles(
        &self,
        _reader: &Permit<Read>,
        slugs: &[String],
    ) -> ApiResult<std::collections::HashMap<String, String>> {
        if slugs.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let rows: Vec<(String, String)> = role::Entity::find()
            .select_only()
            .column(role::Column::Slug)
            .column(role::Column::Title)
            .filter(role::Column::Slug.is_in(slugs.iter().cloned()))
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows.into_iter().collect())
    }
}

/// The score `content` would be saved with, after the same checks a save runs before it
/// touches the database; an error names the field (`input.tasks[2].timeShare`).
pub fn preview(content: &RoleContent) -> ApiResult<scoring::Assessment> {
    content.validate("input")?;
    content.assess("input")
}

/// A revision as the dashboard lists it (no snapshot: that is the heavy part).
#[derive(Debug, Clone)]
pub struct RecentRevision {
    /// The role's slug.
    pub slug: String,
    /// The role's title now.
    pub title: String,
    /// The version the revision made.
    pub version: i32,
    /// Who saved it.
    pub editor: String,
    /// Their summary.
    pub summary: String,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Whether it was a publish.
    pub published: bool,
}

/// An action planned for a role, as the dashboard lists it.
#[derive(Debug, Clone)]
pub struct PlannedAction {
    /// The role's slug.
    pub slug: String,
    /// The role's title.
    pub title: String,
    /// `publish` or `unpublish`.
    pub action: String,
    /// When it runs.
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// Who planned it.
    pub by: String,
}

/// Title and slug of `ids`, by id.
async fn titles(
    db: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> ApiResult<std::collections::HashMap<i32, (String, String)>> {
    let rows: Vec<(i32, String, String)> = role::Entity::find()
        .select_only()
        .columns([role::Column::Id, role::Column::Slug, role::Column::Title])
        .filter(role::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, s, t)| (id, (s, t))).collect())
}

impl Store {
    /// The newest `limit` revisions of any role, newest first.
    pub async fn recent_revisions(
        &self,
        _reader: &Permit<Read>,
        limit: u64,
    ) -> ApiResult<Vec<RecentRevision>> {
        type Row = (
            i32,
            i32,
            String,
            String,
            chrono::DateTime<chrono::Utc>,
            bool,
        );
        let rows: Vec<Row> = role_revision::Entity::find()
            .select_only()
            .columns([
                role_revision::Column::RoleId,
                role_revision::Column::Version,
                role_revision::Column::Editor,
                role_revision::Column::Summary,
                role_revision::Column::CreatedAt,
                role_revision::Column::Published,
            ])
            .order_by_desc(role_revision::Column::CreatedAt)
            .order_by_desc(role_revision::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?;
        let names = titles(self.db(), rows.iter().map(|r| r.0)).await?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(role_id, version, editor, summary, created_at, published)| {
                    let (slug, title) = names.get(&role_id)?.clone();
                    Some(RecentRevision {
                        slug,
                        title,
                        version,
                        editor,
                        summary,
                        created_at,
                        published,
                    })
                },
            )
            .collect())
    }

    /// The next `limit` planned actions, soonest first, and how many there are.
    pub async fn planned_actions(
        &self,
        _reader: &Permit<Read>,
        limit: u64,
    ) -> ApiResult<(Vec<PlannedAction>, u64)> {
        let total = role_schedule::Entity::find().count(self.db()).await?;
        let rows = role_schedule::Entity::find()
            .order_by_asc(role_schedule::Column::DueAt)
            .order_by_asc(role_schedule::Column::RoleId)
            .limit(limit)
            .all(self.db())
            .await?;
        let names = titles(self.db(), rows.iter().map(|r| r.role_id)).await?;
        let planned = rows
            .into_iter()
            .filter_map(|r| {
                let (slug, title) = names.get(&r.role_id)?.clone();
                Some(PlannedAction {
                    slug,
                    title,
                    action: r.action,
                    due_at: r.due_at,
                    by: r.scheduled_by,
                })
            })
            .collect();
        Ok((planned, total))
    }
}
