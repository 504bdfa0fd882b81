//! Published snapshots: the one place that renders a working copy into the live page, and the
//! reads of live pages.
//!
//! Publishing a role renders its working copy (the editable tables) into one `role_snapshots`
//! row: the role and its category as `card`, every section with its tools and sources resolved
//! as `body`, plus the columns lists filter and sort on. Anonymous reads serve only snapshots,
//! so editing a published role changes nothing public until it is published again. A catalog
//! item (category, tool, source) has no drafts: writing one patches the copies embedded in the
//! snapshots that show it, in the same transaction ([`refresh_category`] and friends).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use entity::{
    RoleStatus, ToolLinkKind, category, role, role_revision, role_snapshot, role_snapshot_source,
    role_snapshot_tool, role_task, source, tool,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, TransactionTrait, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::content::{ContentRules, RoleContent};
use super::reads::{self, PeersOf};
use crate::cache::{Tag, TagSet};
use crate::error::{ApiError, ApiResult};

/// The role and its category as published: what lists and cards show.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Card {
    /// The role row as it was published (its `version` is the published version).
    pub role: role::Model,
    /// Its category.
    pub category: category::Model,
}

/// A tool link on a published page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BodyTool {
    /// Which list the link is on.
    pub kind: ToolLinkKind,
    /// The tool.
    pub tool: tool::Model,
    /// Impact (affecting) or why to learn it (to master).
    pub note: String,
}

/// A migration path on a published page; its target is resolved when read, so a path to a
/// role that is not published (any more) is left out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BodyPath {
    /// The target role's id.
    pub target: i32,
    /// Why the move makes sense.
    pub rationale: String,
}

/// A question and answer on a published page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BodyFaq {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Every section of a published page, in page order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Body {
    /// Tasks.
    pub tasks: Vec<role_task::Model>,
    /// Tool links of both kinds.
    pub tools: Vec<BodyTool>,
    /// Protective skills.
    pub skills: Vec<String>,
    /// Migration paths.
    pub paths: Vec<BodyPath>,
    /// FAQs.
    pub faqs: Vec<BodyFaq>,
    /// Cited sources.
    pub sources: Vec<source::Model>,
}

/// A published page as read: the card always, the body when the request asked for a section.
#[derive(Clone, Debug)]
pub struct Page {
    /// Role and category.
    pub card: Card,
    /// The sections, when read.
    pub body: Option<Sections>,
}

fn corrupt(what: &str, e: serde_json::Error) -> ApiError {
    ApiError::Internal(format!("snapshot {what} does not parse: {e}"))
}

impl Page {
    fn parse(card: &str, body: Option<String>) -> ApiResult<Self> {
        let card: Card = serde_json::from_str(card).map_err(|e| corrupt("card", e))?;
        let body = body.filter(|raw| !raw.is_empty()).map(Sections::new);
        Ok(Self { card, body })
    }
}

/// Where each section sits in a stored body, found in one pass that copies nothing.
#[derive(Deserialize)]
struct Spans<'a> {
    #[serde(borrow, default)]
    tasks: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tools: Option<&'a RawValue>,
    #[serde(borrow, default)]
    skills: Option<&'a RawValue>,
    #[serde(borrow, default)]
    paths: Option<&'a RawValue>,
    #[serde(borrow, default)]
    faqs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sources: Option<&'a RawValue>,
}

/// A published page's sections as stored, each parsed the first time a field reads it: a list
/// of twenty cards with their tasks does not pay for twenty pages of FAQs and sources.
#[derive(Clone, Debug, Default)]
pub struct Sections {
    raw: String,
    /// Byte ranges of tasks, tools, skills, paths, faqs and sources in `raw`.
    spans: OnceLock<[Option<Range<usize>>; 6]>,
    tasks: OnceLock<Vec<role_task::Model>>,
    tools: OnceLock<Vec<BodyTool>>,
    skills: OnceLock<Vec<String>>,
    paths: OnceLock<Vec<BodyPath>>,
    faqs: OnceLock<Vec<BodyFaq>>,
    sources: OnceLock<Vec<source::Model>>,
}

impl Sections {
    /// Sections over a stored body (`{"tasks": [...], ...}`).
    pub fn new(raw: String) -> Self {
        Self {
            raw,
            ..Self::default()
        }
    }

    fn spans(&self) -> ApiResult<&[Option<Range<usize>>; 6]> {
        if let Some(spans) = self.spans.get() {
            return Ok(spans);
        }
        if self.raw.is_empty() {
            return Ok(self.spans.get_or_init(Default::default));
        }
        let found: Spans = serde_json::from_str(&self.raw).map_err(|e| corrupt("body", e))?;
        let base = self.raw.as_ptr() as usize;
        let at = |v: Option<&RawValue>| {
            v.map(|v| {
                let start = v.get().as_ptr() as usize - base;
                start..start + v.get().len()
            })
        };
        Ok(self.spans.get_or_init(|| {
            [
                at(found.tasks),
                at(found.tools),
                at(found.skills),
                at(found.paths),
                at(found.faqs),
                at(found.sources),
            ]
        }))
    }

    fn section<'s, T: serde::de::DeserializeOwned>(
        &'s self,
        cell: &'s OnceLock<Vec<T>>,
        index: usize,
    ) -> ApiResult<&'s [T]> {
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let parsed = match &self.spans()?[index] {
            Some(range) => {
                serde_json::from_str(&self.raw[range.clone()]).map_err(|e| corrupt("body", e))?
            }
            None => Vec::new(),
        };
        Ok(cell.get_or_init(|| parsed))
    }

    /// Tasks.
    pub fn tasks(&self) -> ApiResult<&[role_task::Model]> {
        self.section(&self.tasks, 0)
    }

    /// Tool links of both kinds.
    pub fn tools(&self) -> ApiResult<&[BodyTool]> {
        self.section(&self.tools, 1)
    }

    /// Protective skills.
    pub fn skills(&self) -> ApiResult<&[String]> {
        self.section(&self.skills, 2)
    }

    /// Migration paths.
    pub fn paths(&self) -> ApiResult<&[BodyPath]> {
        self.section(&self.paths, 3)
    }

    /// FAQs.
    pub fn faqs(&self) -> ApiResult<&[BodyFaq]> {
        self.section(&self.faqs, 4)
    }

    /// Cited sources.
    pub fn sources(&self) -> ApiResult<&[source::Model]> {
        self.section(&self.sources, 5)
    }
}

fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("snapshot encoding: {e}")))
}

/// The folded text full-text search indexes: title; summary; tasks and skills.
fn search_document(card: &Card, body: &Body) -> (String, String, String) {
    let mut rest = String::new();
    for t in &body.tasks {
        rest.push_str(&t.text.to_lowercase());
        rest.push('\n');
    }
    for s in &body.skills {
        rest.push_str(&s.to_lowercase());
        rest.push('\n');
    }
    (
        card.role.title.to_lowercase(),
        card.role.summary.to_lowercase(),
        rest,
    )
}

/// Renders `role`'s working copy (as it stands in the transaction) into its published snapshot,
/// replacing the one before.
pub(crate) async fn render(db: &impl ConnectionTrait, role: &role::Model) -> ApiResult<TagSet> {
    let category = category::Entity::find_by_id(role.category_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("role without category".into()))?;
    let tasks = reads::tasks_of(db, vec![role.id]).await?;
    let links = reads::tool_links_of(db, vec![role.id]).await?;
    let tools: HashMap<i32, tool::Model> =
        reads::tools_by_id(db, links.iter().map(|l| l.tool_id).collect())
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
    let skills = reads::skills_of(db, vec![role.id]).await?;
    let paths = reads::paths_of(db, vec![role.id]).await?;
    let faqs = reads::faqs_of(db, vec![role.id]).await?;
    let citations = reads::citations_of(db, vec![role.id]).await?;
    let mut ordered_links = links;
    // Affecting first, then to-master, each in page order: the order the page shows them.
    ordered_links.sort_by_key(|l| (l.kind != ToolLinkKind::Affecting, l.position));
    let body = Body {
        tasks,
        tools: ordered_links
            .into_iter()
            .filter_map(|l| {
                tools.get(&l.tool_id).map(|t| BodyTool {
                    kind: l.kind,
                    tool: t.clone(),
                    note: l.note,
                })
            })
            .collect(),
        skills: skills.into_iter().map(|s| s.text).collect(),
        paths: paths
            .into_iter()
            .map(|p| BodyPath {
                target: p.target_role_id,
                rationale: p.rationale,
            })
            .collect(),
        faqs: faqs
            .into_iter()
            .map(|f| BodyFaq {
                question: f.question,
                answer: f.answer,
            })
            .collect(),
        sources: citations.into_iter().filter_map(|(_, s)| s).collect(),
    };
    store(db, role.clone(), category, body).await
}

/// Renders the content of revision `version` of `role` (its published version) into the
/// published snapshot, whatever the working copy holds now: how a lost snapshot is rebuilt
/// without publishing drafts. Links to tools, sources and roles that no longer exist are left
/// out, as the page would show them.
pub(crate) async fn render_revision(
    db: &impl ConnectionTrait,
    role: &role::Model,
    version: i32,
) -> ApiResult<TagSet> {
    let revision = super::editing::revision(db, role.id, version)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "role {} lacks its published revision {version}",
                role.slug
            ))
        })?;
    render_content(db, role, version, &revision.snapshot, revision.created_at).await
}

/// Renders `content` as version `version` of `role`, last changed at `updated_at`, into the
/// published snapshot (a revision being rebuilt, or a backup being restored). Links to tools,
/// sources and roles that do not exist are left out, as the page would show them.
pub(crate) async fn render_content(
    db: &impl ConnectionTrait,
    role: &role::Model,
    version: i32,
    content: &RoleContent,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<TagSet> {
    let assessment = content.assess("revision")?;
    let category = category::Entity::find()
        .filter(category::Column::Slug.eq(&content.category))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(format!("revision of {} names no category", role.slug))
        })?;
    let mut active: role::ActiveModel = role.clone().into();
    super::roles::apply_content(&mut active, content, category.id, &assessment);
    let mut row = role.clone();
    {
        use sea_orm::TryIntoModel;
        if let Ok(m) = active.try_into_model() {
            row = m;
        }
    }
    row.version = version;
    row.updated_at = updated_at;
    let tool_slugs = content.tool_slugs();
    let tools: HashMap<String, tool::Model> = tool::Entity::find()
        .filter(tool::Column::Slug.is_in(tool_slugs))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.slug.clone(), t))
        .collect();
    let sources: HashMap<String, source::Model> = source::Entity::find()
        .filter(source::Column::Slug.is_in(content.sources.iter().map(String::as_str)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.slug.clone(), s))
        .collect();
    let targets: HashMap<String, i32> = role::Entity::find()
        .filter(role::Column::Slug.is_in(content.migration_paths.iter().map(|p| p.target.as_str())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.slug, r.id))
        .collect();
    let link = |kind: ToolLinkKind, l: &super::content::ToolLinkContent| {
        tools.get(&l.tool).map(|t| BodyTool {
            kind,
            tool: t.clone(),
            note: l.note.clone(),
        })
    };
    let body = Body {
        tasks: content
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| role_task::Model {
                id: 0,
                role_id: role.id,
                position: i32::try_from(i).unwrap_or(i32::MAX),
                text: t.text.clone(),
                exposure: t.exposure,
                time_share: t.time_share,
                task_type: t.task_type,
            })
            .collect(),
        tools: content
            .tools_affecting
            .iter()
            .filter_map(|l| link(ToolLinkKind::Affecting, l))
            .chain(
                content
                    .tools_to_master
                    .iter()
                    .filter_map(|l| link(ToolLinkKind::ToMaster, l)),
            )
            .collect(),
        skills: content.protective_skills.clone(),
        paths: content
            .migration_paths
            .iter()
            .filter_map(|p| {
                targets.get(&p.target).map(|id| BodyPath {
                    target: *id,
                    rationale: p.rationale.clone(),
                })
            })
            .collect(),
        faqs: content
            .faqs
            .iter()
            .map(|f| BodyFaq {
                question: f.question.clone(),
                answer: f.answer.clone(),
            })
            .collect(),
        sources: content
            .sources
            .iter()
            .filter_map(|s| sources.get(s).cloned())
            .collect(),
    };
    store(db, row, category, body).await
}

/// Writes the snapshot of `role` (as published: its row, category and sections), replacing the
/// one before, with its links and search document.
async fn store(
    db: &impl ConnectionTrait,
    role: role::Model,
    category: category::Model,
    body: Body,
) -> ApiResult<TagSet> {
    let mut live = role;
    live.status = RoleStatus::Published;
    live.published_version = Some(live.version);
    live.has_unpublished_changes = false;
    let published_at = live.published_at.unwrap_or(live.updated_at);
    live.published_at = Some(published_at);
    let role = live.clone();
    let card = Card {
        role: live,
        category,
    };
    let taken = role_snapshot::Entity::find()
        .filter(role_snapshot::Column::Slug.eq(&role.slug))
        .filter(role_snapshot::Column::RoleId.ne(role.id))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(live_slug_taken(&role.slug));
    }
    let mut tags = withdraw(db, role.id).await?;
    tags.extend(published_tags(
        role.id,
        &card.role.slug,
        card.role.category_id,
        body.tools.iter().map(|t| t.tool.id),
    ));
    role_snapshot::ActiveModel {
        role_id: Set(role.id),
        slug: Set(card.role.slug.clone()),
        category_id: Set(card.role.category_id),
        title: Set(card.role.title.clone()),
        score: Set(card.role.score),
        level: Set(card.role.level),
        version: Set(card.role.version),
        updated_at: Set(card.role.updated_at),
        published_at: Set(published_at),
        card: Set(to_json(&card)?),
        body: Set(to_json(&body)?),
    }
    .insert(db)
    .await?;
    let tool_rows: Vec<role_snapshot_tool::ActiveModel> = body
        .tools
        .iter()
        .map(|t| role_snapshot_tool::ActiveModel {
            role_id: Set(role.id),
            tool_id: Set(t.tool.id),
            kind: Set(t.kind),
            ..Default::default()
        })
        .collect();
    if !tool_rows.is_empty() {
        role_snapshot_tool::Entity::insert_many(tool_rows)
            .exec(db)
            .await?;
    }
    let source_rows: Vec<role_snapshot_source::ActiveModel> = body
        .sources
        .iter()
        .map(|s| role_snapshot_source::ActiveModel {
            role_id: Set(role.id),
            source_id: Set(s.id),
            ..Default::default()
        })
        .collect();
    if !source_rows.is_empty() {
        role_snapshot_source::Entity::insert_many(source_rows)
            .exec(db)
            .await?;
    }
    index_search(db, role.id, search_document(&card, &body)).await?;
    Ok(tags)
}

/// What a published page at `slug` in `category_id`, linking `tools`, is shown in: its page, the
/// lookups of its address, the lists of its category and tools, and every unbounded list.
fn published_tags(
    role_id: i32,
    slug: &str,
    category_id: i32,
    tools: impl IntoIterator<Item = i32>,
) -> TagSet {
    let mut tags: TagSet = [
        Tag::Role(role_id),
        Tag::Slug(slug.to_owned()),
        Tag::Category(category_id),
        Tag::Roles,
    ]
    .into_iter()
    .collect();
    tags.extend(tools.into_iter().map(Tag::Tool));
    tags
}

/// Writes the search document of snapshot `role_id`.
async fn index_search(
    db: &impl ConnectionTrait,
    role_id: i32,
    (title, summary, rest): (String, String, String),
) -> ApiResult<()> {
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "UPDATE role_snapshots SET title_search = to_tsvector('simple', $1), search = \
             setweight(to_tsvector('simple', $1), 'A') || \
             setweight(to_tsvector('simple', $2), 'B') || \
             setweight(to_tsvector('simple', $3), 'C') WHERE role_id = $4",
            [title.into(), summary.into(), rest.into(), role_id.into()],
        ),
        _ => {
            // Titles also alone: ranked search finds title matches without reading every
            // posting of their words in summaries and bodies.
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO role_snapshot_titles_fts (rowid, title) VALUES (?, ?)",
                [role_id.into(), title.clone().into()],
            ))
            .await?;
            Statement::from_sql_and_values(
                backend,
                "INSERT INTO role_snapshots_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                [role_id.into(), title.into(), summary.into(), rest.into()],
            )
        }
    };
    db.execute_raw(statement).await?;
    Ok(())
}

/// The answer when another published page already lives at `slug`.
pub fn live_slug_taken(slug: &str) -> ApiError {
    ApiError::bad_input(
        "slug",
        format!(
            "{slug:?} is the address of another published page; rename this role or unpublish that one first"
        ),
    )
}

/// Removes `role_id`'s published snapshot, if any: the page goes offline. Returns the cache
/// tags of what showed it (none when nothing was published).
pub(crate) async fn withdraw(db: &impl ConnectionTrait, role_id: i32) -> ApiResult<TagSet> {
    let old: Option<(String, i32)> = role_snapshot::Entity::find()
        .select_only()
        .column(role_snapshot::Column::Slug)
        .column(role_snapshot::Column::CategoryId)
        .filter(role_snapshot::Column::RoleId.eq(role_id))
        .into_tuple()
        .one(db)
        .await?;
    let tags = match old {
        Some((slug, category_id)) => {
            let tools: Vec<i32> = role_snapshot_tool::Entity::find()
                .select_only()
                .column(role_snapshot_tool::Column::ToolId)
                .filter(role_snapshot_tool::Column::RoleId.eq(role_id))
                .into_tuple()
                .all(db)
                .await?;
            published_tags(role_id, &slug, category_id, tools)
        }
        None => TagSet::new(),
    };
    // The search index is not a table with foreign keys: its rows go even without a snapshot
    // (so that one lost alone can be rendered again).
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        for table in ["role_snapshots_fts", "role_snapshot_titles_fts"] {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                format!("DELETE FROM {table} WHERE rowid = ?"),
                [role_id.into()],
            ))
            .await?;
        }
    }
    role_snapshot::Entity::delete_many()
        .filter(role_snapshot::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    Ok(tags)
}

/// Marks revision `version` of `role_id` as published.
pub(crate) async fn mark_published(
    db: &impl ConnectionTrait,
    role_id: i32,
    version: i32,
) -> ApiResult<()> {
    role_revision::Entity::update_many()
        .col_expr(role_revision::Column::Published, Expr::value(true))
        .filter(role_revision::Column::RoleId.eq(role_id))
        .filter(role_revision::Column::Version.eq(version))
        .exec(db)
        .await?;
    Ok(())
}

/// Snapshots that show a catalog item: read, patched in Rust, written back.
async fn patch_snapshots(
    db: &impl ConnectionTrait,
    role_ids: Vec<i32>,
    mut patch: impl FnMut(&mut Card, &mut Body),
) -> ApiResult<TagSet> {
    // The item itself, in catalog answers, and every page that shows it.
    let mut tags: TagSet = role_ids.iter().copied().map(Tag::Role).collect();
    tags.insert(Tag::Catalog);
    if role_ids.is_empty() {
        return Ok(tags);
    }
    let rows = role_snapshot::Entity::find()
        .filter(role_snapshot::Column::RoleId.is_in(role_ids))
        .all(db)
        .await?;
    for row in rows {
        let mut card: Card = serde_json::from_str(&row.card).map_err(|e| corrupt("card", e))?;
        let mut body: Body = serde_json::from_str(&row.body).map_err(|e| corrupt("body", e))?;
        patch(&mut card, &mut body);
        role_snapshot::Entity::update_many()
            .col_expr(role_snapshot::Column::Card, Expr::value(to_json(&card)?))
            .col_expr(role_snapshot::Column::Body, Expr::value(to_json(&body)?))
            .filter(role_snapshot::Column::RoleId.eq(row.role_id))
            .exec(db)
            .await?;
    }
    Ok(tags)
}

/// Shows the written `category` on every published page of it.
pub(crate) async fn refresh_category(
    db: &impl ConnectionTrait,
    category: &category::Model,
) -> ApiResult<TagSet> {
    let ids: Vec<i32> = role_snapshot::Entity::find()
        .select_only()
        .column(role_snapshot::Column::RoleId)
        .filter(role_snapshot::Column::CategoryId.eq(category.id))
        .into_tuple()
        .all(db)
        .await?;
    patch_snapshots(db, ids, |card, _| card.category = category.clone()).await
}

/// Shows the written `tool` on every published page that links it.
pub(crate) async fn refresh_tool(
    db: &impl ConnectionTrait,
    tool: &tool::Model,
) -> ApiResult<TagSet> {
    let ids: Vec<i32> = role_snapshot_tool::Entity::find()
        .select_only()
        .column(role_snapshot_tool::Column::RoleId)
        .filter(role_snapshot_tool::Column::ToolId.eq(tool.id))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    patch_snapshots(db, ids, |_, body| {
        for link in body.tools.iter_mut().filter(|l| l.tool.id == tool.id) {
            link.tool = tool.clone();
        }
    })
    .await
}

/// Shows the written `source` on every published page that cites it.
pub(crate) async fn refresh_source(
    db: &impl ConnectionTrait,
    source: &source::Model,
) -> ApiResult<TagSet> {
    let ids: Vec<i32> = role_snapshot_source::Entity::find()
        .select_only()
        .column(role_snapshot_source::Column::RoleId)
        .filter(role_snapshot_source::Column::SourceId.eq(source.id))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    patch_snapshots(db, ids, |_, body| {
        for s in body.sources.iter_mut().filter(|s| s.id == source.id) {
            *s = source.clone();
        }
    })
    .await
}

/// How many published pages show tool `id` / cite source `id` (a delete is refused while any do).
pub(crate) async fn snapshots_using_tool(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(role_snapshot_tool::Entity::find()
        .filter(role_snapshot_tool::Column::ToolId.eq(id))
        .count(db)
        .await?)
}

/// How many published pages cite source `id`.
pub(crate) async fn snapshots_using_source(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(role_snapshot_source::Entity::find()
        .filter(role_snapshot_source::Column::SourceId.eq(id))
        .count(db)
        .await?)
}

/// How many published pages are in category `id`.
pub(crate) async fn snapshots_in_category(db: &impl ConnectionTrait, id: i32) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(role_snapshot::Entity::find()
        .filter(role_snapshot::Column::CategoryId.eq(id))
        .count(db)
        .await?)
}

/// Renders a snapshot for every PUBLISHED role that has none (run after migrating, in one
/// transaction; a no-op once done): the roles published before snapshots existed, from their
/// working copy (what the public saw), at its current version; and any whose snapshot was lost,
/// from their published revision.
pub async fn backfill(db: &sea_orm::DatabaseConnection) -> ApiResult<usize> {
    let txn = db.begin().await?;
    let missing = role::Entity::find()
        .filter(role::Column::Status.eq(RoleStatus::Published))
        .filter(
            role::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(role_snapshot::Column::RoleId)
                    .from(role_snapshot::Entity)
                    .to_owned(),
            ),
        )
        .order_by_asc(role::Column::Id)
        .all(&txn)
        .await?;
    for r in &missing {
        match r.published_version {
            // Published since snapshots exist: the published revision, never the working copy
            // (which may hold unpublished changes).
            Some(version) if version == r.version => render(&txn, r).await?,
            Some(version) => render_revision(&txn, r, version).await?,
            // Published before: the working copy is what the public saw.
            None => publish_as_is(&txn, r).await?,
        };
    }
    txn.commit().await?;
    Ok(missing.len())
}

/// Publishes `r` at its current version as it stands, once its children, migration paths and
/// revision are written: for the demo loader and [`backfill`], which write published roles
/// without going through `publishRole`.
pub(crate) async fn publish_as_is(db: &impl ConnectionTrait, r: &role::Model) -> ApiResult<TagSet> {
    if r.status != RoleStatus::Published {
        return Ok(TagSet::new());
    }
    role::Entity::update_many()
        .col_expr(role::Column::PublishedVersion, Expr::value(r.version))
        .col_expr(role::Column::HasUnpublishedChanges, Expr::value(false))
        .filter(role::Column::Id.eq(r.id))
        .exec(db)
        .await?;
    mark_published(db, r.id, r.version).await?;
    let mut live = r.clone();
    live.published_version = Some(r.version);
    render(db, &live).await
}

/// The published page with `slug`; its body only when `with_body`.
pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    with_body: bool,
) -> ApiResult<Option<Page>> {
    if !super::content::is_slug(slug) {
        return Ok(None);
    }
    let body = if with_body {
        Expr::col(role_snapshot::Column::Body)
    } else {
        Expr::val("")
    };
    let row: Option<(String, String)> = role_snapshot::Entity::find()
        .select_only()
        .column(role_snapshot::Column::Card)
        .expr_as(body, "body")
        .filter(role_snapshot::Column::Slug.eq(slug))
        .into_tuple()
        .one(db)
        .await?;
    row.map(|(card, body)| Page::parse(&card, Some(body)))
        .transpose()
}

/// What one batch of nested links asks for.
#[derive(Debug, Default)]
pub struct LinkRequest {
    /// Nearest peers, per role.
    pub peers: Vec<PeersOf>,
    /// Whether the peers' sections are needed.
    pub peers_body: bool,
    /// Migration-path targets (role ids).
    pub targets: Vec<i32>,
    /// Whether the targets' sections are needed.
    pub targets_body: bool,
}

/// Nested links answered by [`links`].
#[derive(Debug, Default)]
pub struct Links {
    /// Peers of each requesting role (unordered; at most `2 * first` each, see
    /// [`reads::nearest_peers`] for why the nearest `first` are among them).
    pub peers: HashMap<i32, Vec<Page>>,
    /// Published targets by id.
    pub targets: HashMap<i32, Page>,
}

/// Published peers and migration-path targets for a whole batch, in one statement: each
/// request's peers read at most `2 * first` rows through the (category, score) index, however
/// large the category.
pub async fn links(db: &impl ConnectionTrait, request: &LinkRequest) -> ApiResult<Links> {
    let peers: Vec<&PeersOf> = request.peers.iter().filter(|r| r.first > 0).collect();
    if peers.is_empty() && request.targets.is_empty() {
        return Ok(Links::default());
    }
    // Values are bound, so the statement text depends only on the request's shape (how many
    // peers and targets): both drivers keep it prepared per connection instead of parsing and
    // planning a new text for every page. Each branch sits in a subquery because SQLite allows
    // ORDER BY and LIMIT only on a whole compound select.
    let column = |with: bool| if with { "body" } else { "'' AS body" };
    let mut sql = SqlText::new(db.get_database_backend());
    let peer_body = column(request.peers_body);
    for (i, r) in peers.iter().enumerate() {
        // Up: the (category, score, title, role_id) index serves the order as it stands. Down
        // (scores below, highest first, titles A-Z among equal scores):
        // ix_role_snapshots_category_score_below holds that mixed order, so no rows are sorted
        // however many of them share a score.
        for (name, op, dir) in [("up", ">=", "ASC"), ("down", "<", "DESC")] {
            if i > 0 || name == "down" {
                sql.push(" UNION ALL ");
            }
            // PostgreSQL types a bare parameter in a select list as text.
            sql.push("SELECT * FROM (SELECT CAST(")
                .bind(r.role_id)
                .push(&format!(
                    " AS INTEGER) AS peer_of, card, {peer_body} FROM role_snapshots WHERE "
                ));
            sql.push("category_id = ")
                .bind(r.category_id)
                .push(" AND role_id <> ")
                .bind(r.role_id)
                .push(&format!(" AND score {op} "))
                .bind(r.score)
                .push(&format!(
                    " ORDER BY score {dir}, title ASC, role_id ASC LIMIT "
                ))
                .bind(i64::from(r.first))
                .push(&format!(") AS {name}{i}"));
        }
    }
    if !request.targets.is_empty() {
        if !peers.is_empty() {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!(
            "SELECT -1 AS peer_of, card, {} FROM role_snapshots WHERE role_id IN (",
            column(request.targets_body)
        ));
        for (i, id) in request.targets.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*id);
        }
        sql.push(")");
    }
    let statement = sql.build();
    let mut out = Links::default();
    for row in db.query_all_raw(statement).await? {
        let peer_of: i32 = row.try_get_by_index(0)?;
        let card: String = row.try_get_by_index(1)?;
        let body: String = row.try_get_by_index(2)?;
        let page = Page::parse(&card, Some(body))?;
        if peer_of < 0 {
            out.targets.insert(page.card.role.id, page);
        } else {
            out.peers.entry(peer_of).or_default().push(page);
        }
    }
    Ok(out)
}

/// Orders `peers` of a role with `score` nearest first (then title, then id) and keeps `first`.
pub fn nearest(mut peers: Vec<Page>, score: i32, first: usize) -> Vec<Page> {
    peers.sort_by(|a, b| {
        let (a, b) = (&a.card.role, &b.card.role);
        (a.score - score)
            .abs()
            .cmp(&(b.score - score).abs())
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    peers.dedup_by_key(|p| p.card.role.id);
    peers.truncate(first);
    peers
}

/// A bound value and the placeholder syntax of the backend, for statements built as text.
pub(crate) struct SqlText {
    backend: DbBackend,
    /// The statement so far.
    pub text: String,
    values: Vec<Value>,
}

impl SqlText {
    /// An empty statement for `backend`.
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let n = self.values.len();
                self.text.push_str(&format!("${n}"));
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// The backend the statement is for.
    pub(crate) fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The finished statement.
    pub(crate) fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// One row of a published list.
pub(crate) fn page_of_row(row: &sea_orm::QueryResult) -> ApiResult<(Page, Option<i64>)> {
    let card: String = row.try_get_by_index(0)?;
    let body: String = row.try_get_by_index(1)?;
    let total: Option<i64> = row.try_get_by_index(2).ok();
    Ok((Page::parse(&card, Some(body))?, total))
}
