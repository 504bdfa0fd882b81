//! The role page and its sections.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ToolLinkKind, role, role_review, role_task, role_tool, source};

use super::catalog::{Category, Source, Tool};
use super::enums::{ExposureLabel, RoleStatus, TaskType};
use super::loader;
use super::reference::Benchmark;
use super::revision::Revision;
use super::risk::Risk;
use crate::auth::permit::Read;
use crate::cache::Tag;
use crate::error::{ApiError, ApiResult, GqlResult, ResultExt};
use crate::graphql::context;
use crate::graphql::loaders::{
    CategoryById, FaqsOf, PathsOf, PeersOf, ReviewOf, RoleById, ScheduleOf, SkillsOf, SourcesOf,
    TasksOf, ToolById, ToolLinksOf,
};
use crate::service::publishing::{self, Card, LinkRequest, Page, Sections};
use crate::service::reviews;

/// Default number of related roles.
pub const RELATED_DEFAULT: i32 = 5;
/// Largest number of related roles.
pub const RELATED_MAX: i32 = 50;
/// Default number of revisions listed.
pub const REVISIONS_DEFAULT: i32 = 20;
/// Largest number of revisions listed.
pub const REVISIONS_MAX: i32 = 100;

/// A job's AI risk page: a published snapshot or an editor's working copy.
#[derive(Clone, Debug)]
pub struct Role(Arc<Inner>);

/// A task of the role, with its exposure evidence.
#[derive(SimpleObject, Clone, Debug)]
pub struct Task {
    /// The task, in plain words.
    pub text: String,
    /// Exposure label; null when not labelled.
    pub exposure: Option<ExposureLabel>,
    /// Core or supplemental; null when untyped.
    pub task_type: Option<TaskType>,
    /// Share of working time, when the editor gave one.
    pub time_share: Option<f64>,
}

/// What an AI tool does to this role.
#[derive(SimpleObject, Clone, Debug)]
pub struct ToolImpact {
    /// The tool.
    pub tool: Tool,
    /// Its effect on the role's work.
    pub impact: String,
}

/// A tool worth learning for this role.
#[derive(SimpleObject, Clone, Debug)]
pub struct ToolToMaster {
    /// The tool.
    pub tool: Tool,
    /// Why and how to learn it.
    pub note: String,
}

/// A move from this role to another one.
#[derive(SimpleObject, Clone, Debug)]
pub struct MigrationPath {
    /// The role to move to.
    pub target: Role,
    /// Why the move makes sense.
    pub rationale: String,
}

/// A question and its answer.
#[derive(SimpleObject, Clone, Debug)]
pub struct Faq {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Where a role's content comes from.
#[derive(Debug)]
enum Content {
    /// The working copy (editors' previews and mutation results); sections load through the
    /// request's DataLoader.
    Working(Box<role::Model>),
    /// A published snapshot (every anonymous read): sections come with it.
    Published(Box<Card>, Box<OnceLock<Sections>>),
}

#[derive(Debug)]
struct Inner {
    content: Content,
    /// Nearest published peers, when the request's look-ahead fetched them.
    related: OnceLock<Vec<Role>>,
    /// Published migration-path targets by id, when the look-ahead fetched them.
    targets: OnceLock<HashMap<i32, Role>>,
}

impl Role {
    /// A working copy.
    pub fn working(model: role::Model) -> Self {
        Self::new(Content::Working(Box::new(model)))
    }

    /// A published page.
    pub fn published(page: Page) -> Self {
        let body = OnceLock::new();
        if let Some(b) = page.body {
            let _ = body.set(b);
        }
        Self::new(Content::Published(Box::new(page.card), Box::new(body)))
    }

    fn new(content: Content) -> Self {
        Self(Arc::new(Inner {
            content,
            related: OnceLock::new(),
            targets: OnceLock::new(),
        }))
    }

    /// The role row (of the working copy, or as published).
    pub fn row(&self) -> &role::Model {
        match &self.0.content {
            Content::Working(m) => m,
            Content::Published(card, _) => &card.role,
        }
    }

    /// Whether this is a published snapshot.
    pub fn is_published(&self) -> bool {
        matches!(self.0.content, Content::Published(..))
    }

    /// The published page's sections, read now if the look-ahead did not ask for them.
    async fn body(&self, ctx: &Context<'_>) -> ApiResult<Option<&Sections>> {
        let Content::Published(card, body) = &self.0.content else {
            return Ok(None);
        };
        if let Some(b) = body.get() {
            return Ok(Some(b));
        }
        let page = publishing::by_slug(context::store(ctx)?.db(), &card.role.slug, true).await?;
        let fetched = page.and_then(|p| p.body).unwrap_or_default();
        Ok(Some(body.get_or_init(|| fetched)))
    }

    /// Records the peers the look-ahead fetched.
    pub(crate) fn set_related(&self, peers: Vec<Role>) {
        let _ = self.0.related.set(peers);
    }

    /// Records the migration-path targets the look-ahead fetched.
    pub(crate) fn set_targets(&self, targets: HashMap<i32, Role>) {
        let _ = self.0.targets.set(targets);
    }

    /// Migration-path target ids of a published page (the look-ahead's batch needs them).
    pub(crate) fn path_targets(&self) -> Vec<i32> {
        match &self.0.content {
            Content::Published(_, body) => body
                .get()
                .and_then(|b| b.paths().ok())
                .map(|paths| paths.iter().map(|p| p.target).collect())
                .unwrap_or_default(),
            Content::Working(_) => Vec::new(),
        }
    }

    async fn tool_links(
        &self,
        ctx: &Context<'_>,
        kind: ToolLinkKind,
    ) -> ApiResult<Vec<(Tool, String)>> {
        if let Some(body) = self.body(ctx).await? {
            return Ok(body
                .tools()?
                .iter()
                .filter(|l| l.kind == kind)
                .map(|l| (Tool(l.tool.clone()), l.note.clone()))
                .collect());
        }
        let loader = loader(ctx)?;
        let links: Vec<role_tool::Model> = loader
            .load_one(ToolLinksOf(self.row().id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.kind == kind)
            .collect();
        let tools = loader
            .load_many(links.iter().map(|l| ToolById(l.tool_id)))
            .await?;
        Ok(links
            .into_iter()
            .filter_map(|l| {
                tools
                    .get(&ToolById(l.tool_id))
                    .map(|t| (Tool(t.clone()), l.note))
            })
            .collect())
    }

    async fn all_tasks(&self, ctx: &Context<'_>) -> ApiResult<Vec<Task>> {
        let task = |t: &role_task::Model| Task {
            text: t.text.clone(),
            exposure: t.exposure.map(Into::into),
            task_type: t.task_type.map(Into::into),
            time_share: t.time_share,
        };
        if let Some(body) = self.body(ctx).await? {
            return Ok(body.tasks()?.iter().map(task).collect());
        }
        Ok(loader(ctx)?
            .load_one(TasksOf(self.row().id))
            .await?
            .unwrap_or_default()
            .iter()
            .map(task)
            .collect())
    }

    /// Published targets of this role's migration paths by id: prefetched, or read now.
    async fn targets(&self, ctx: &Context<'_>, ids: Vec<i32>) -> ApiResult<HashMap<i32, Role>> {
        if let Some(t) = self.0.targets.get() {
            return Ok(t.clone());
        }
        if self.is_published() {
            let links = publishing::links(
                context::store(ctx)?.db(),
                &LinkRequest {
                    targets: ids,
                    targets_body: true,
                    ..LinkRequest::default()
                },
            )
            .await?;
            return Ok(links
                .targets
                .into_iter()
                .map(|(id, p)| (id, Role::published(p)))
                .collect());
        }
        let found = loader(ctx)?
            .load_many(ids.into_iter().map(RoleById))
            .await?;
        Ok(found
            .into_iter()
            .map(|(k, p)| (k.0, Role::published(p)))
            .collect())
    }

    /// The sources the page cites, in order: from the published body, or loaded in a batch.
    async fn cited(&self, ctx: &Context<'_>) -> ApiResult<Vec<source::Model>> {
        if let Some(body) = self.body(ctx).await? {
            return Ok(body.sources()?.to_vec());
        }
        let sources = loader(ctx)?.load_one(SourcesOf(self.row().id)).await?;
        Ok(sources.unwrap_or_default())
    }

    /// The role's review dates, for editors (any token with content:read); `None` for anyone
    /// else, so public answers, which the response cache keeps, never hold them.
    async fn review(&self, ctx: &Context<'_>) -> GqlResult<Option<role_review::Model>> {
        if context::permit::<Read>(ctx).is_err() {
            return Ok(None);
        }
        loader(ctx)
            .gql()?
            .load_one(ReviewOf(self.row().id))
            .await
            .gql()
    }
}

/// A job's AI risk page: every section of the page, plus editorial state.
#[Object]
impl Role {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.row().id.to_string())
    }

    /// URL key of the page.
    async fn slug(&self) -> &str {
        &self.row().slug
    }

    /// Job title.
    async fn title(&self) -> &str {
        &self.row().title
    }

    /// One paragraph on how exposed the role is, and why.
    async fn summary(&self) -> &str {
        &self.row().summary
    }

    /// One paragraph on how the industry is shifting.
    async fn industry_context(&self) -> &str {
        &self.row().industry_context
    }

    /// O*NET-SOC code of the closest occupation, when one fits.
    async fn onet_soc_code(&self) -> Option<&str> {
        self.row().onet_soc_code.as_deref()
    }

    /// The role's category.
    async fn category(&self, ctx: &Context<'_>) -> GqlResult<Category> {
        if let Content::Published(card, _) = &self.0.content {
            return Ok(Category(card.category.clone()));
        }
        let c = loader(ctx)
            .gql()?
            .load_one(CategoryById(self.row().category_id))
            .await
            .gql()?;
        c.map(Category)
            .ok_or_else(|| ApiError::Internal("role without category".into()))
            .gql()
    }

    /// The risk score, its level and the evidence behind it.
    async fn risk(&self) -> Risk {
        Risk::from(self.row())
    }

    /// Every task of the role, in page order, labelled or not: the score's task evidence.
    async fn tasks(&self, ctx: &Context<'_>) -> GqlResult<Vec<Task>> {
        self.all_tasks(ctx).await.gql()
    }

    /// The tasks AI exposes (labelled E1 or E2), in page order: the "Tasks at Risk" section.
    async fn tasks_at_risk(&self, ctx: &Context<'_>) -> GqlResult<Vec<Task>> {
        let tasks = self.all_tasks(ctx).await.gql()?;
        Ok(tasks
            .into_iter()
            .filter(|t| matches!(t.exposure, Some(ExposureLabel::E1 | ExposureLabel::E2)))
            .collect())
    }

    /// AI tools affecting this role, in page order, with what each does to it.
    async fn tools_affecting(&self, ctx: &Context<'_>) -> GqlResult<Vec<ToolImpact>> {
        let links = self.tool_links(ctx, ToolLinkKind::Affecting).await.gql()?;
        Ok(links
            .into_iter()
            .map(|(tool, impact)| ToolImpact { tool, impact })
            .collect())
    }

    /// AI tools worth mastering, in page order.
    async fn tools_to_master(&self, ctx: &Context<'_>) -> GqlResult<Vec<ToolToMaster>> {
        let links = self.tool_links(ctx, ToolLinkKind::ToMaster).await.gql()?;
        Ok(links
            .into_iter()
            .map(|(tool, note)| ToolToMaster { tool, note })
            .collect())
    }

    /// Skills that protect people in this role, in page order.
    async fn protective_skills(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        if let Some(body) = self.body(ctx).await.gql()? {
            return Ok(body.skills().gql()?.to_vec());
        }
        let skills = loader(ctx)
            .gql()?
            .load_one(SkillsOf(self.row().id))
            .await
            .gql()?;
        Ok(skills
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.text)
            .collect())
    }

    /// Roles people can move to, in page order. Paths to roles the reader cannot see are left out.
    async fn migration_paths(&self, ctx: &Context<'_>) -> GqlResult<Vec<MigrationPath>> {
        let paths: Vec<(i32, String)> = match self.body(ctx).await.gql()? {
            Some(body) => body
                .paths()
                .gql()?
                .iter()
                .map(|p| (p.target, p.rationale.clone()))
                .collect(),
            None => loader(ctx)
                .gql()?
                .load_one(PathsOf(self.row().id))
                .await
                .gql()?
                .unwrap_or_default()
                .into_iter()
                .map(|p| (p.target_role_id, p.rationale))
                .collect(),
        };
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        // Targets that are not published are left out until they are.
        context::read(ctx, paths.iter().map(|p| Tag::Role(p.0)));
        let targets = self
            .targets(ctx, paths.iter().map(|p| p.0).collect())
            .await
            .gql()?;
        Ok(paths
            .into_iter()
            .filter_map(|(id, rationale)| {
                targets.get(&id).map(|t| MigrationPath {
                    target: t.clone(),
                    rationale,
                })
            })
            .collect())
    }

    /// Frequently asked questions, in page order.
    async fn faqs(&self, ctx: &Context<'_>) -> GqlResult<Vec<Faq>> {
        if let Some(body) = self.body(ctx).await.gql()? {
            return Ok(body
                .faqs()
                .gql()?
                .iter()
                .map(|f| Faq {
                    question: f.question.clone(),
                    answer: f.answer.clone(),
                })
                .collect());
        }
        let faqs = loader(ctx)
            .gql()?
            .load_one(FaqsOf(self.row().id))
            .await
            .gql()?;
        Ok(faqs
            .unwrap_or_default()
            .into_iter()
            .map(|f| Faq {
                question: f.question,
                answer: f.answer,
            })
            .collect())
    }

    /// Research sources the page cites, in page order.
    async fn sources(&self, ctx: &Context<'_>) -> GqlResult<Vec<Source>> {
        Ok(self
            .cited(ctx)
            .await
            .gql()?
            .into_iter()
            .map(Source)
            .collect())
    }

    /// Editors only (null for anyone else, and when nothing is planned): the publish or
    /// unpublish planned with `schedulePublish` or `scheduleUnpublish`.
    async fn scheduled(&self, ctx: &Context<'_>) -> GqlResult<Option<ScheduledAction>> {
        if context::permit::<Read>(ctx).is_err() {
            return Ok(None);
        }
        let row = loader(ctx)
            .gql()?
            .load_one(ScheduleOf(self.row().id))
            .await
            .gql()?;
        Ok(row.and_then(|r| {
            let action = match crate::service::schedules::Action::parse(&r.action)? {
                crate::service::schedules::Action::Publish => ScheduleAction::Publish,
                crate::service::schedules::Action::Unpublish => ScheduleAction::Unpublish,
            };
            Some(ScheduledAction {
                action,
                at: r.due_at,
                by: r.scheduled_by,
            })
        }))
    }

    /// Editors only (null for anyone else): when the role's content was last reviewed, by a
    /// `markRoleReviewed` or a publish; null when it never was.
    async fn reviewed_at(&self, ctx: &Context<'_>) -> GqlResult<Option<DateTime<Utc>>> {
        Ok(self.review(ctx).await?.and_then(|r| r.reviewed_at))
    }

    /// Editors only: who last reviewed it.
    async fn reviewed_by(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.review(ctx).await?.and_then(|r| r.reviewed_by))
    }

    /// Editors only: days the role may go between reviews (default 180;
    /// `setRoleReviewInterval`).
    async fn review_interval_days(&self, ctx: &Context<'_>) -> GqlResult<Option<i32>> {
        Ok(self.review(ctx).await?.map(|r| r.interval_days))
    }

    /// Editors only: when the next review is due (last review, or creation, plus the
    /// interval).
    async fn review_due_at(&self, ctx: &Context<'_>) -> GqlResult<Option<DateTime<Utc>>> {
        Ok(self.review(ctx).await?.map(|r| r.due_at))
    }

    /// Editors only: whether the review date has passed.
    async fn review_due(&self, ctx: &Context<'_>) -> GqlResult<Option<bool>> {
        Ok(self.review(ctx).await?.map(|r| r.due_at <= Utc::now()))
    }

    /// Editors only: the cited sources published longer ago than JOBRISK_SOURCE_MAX_AGE_DAYS
    /// (default 730), whose findings may have moved on; empty when none are.
    async fn stale_sources(&self, ctx: &Context<'_>) -> GqlResult<Option<Vec<Source>>> {
        if context::permit::<Read>(ctx).is_err() {
            return Ok(None);
        }
        let max_age = context::store(ctx).gql()?.source_max_age_days();
        let today = Utc::now().date_naive();
        let sources = self.cited(ctx).await.gql()?;
        Ok(Some(
            sources
                .into_iter()
                .filter(|s| reviews::is_stale(s.published_on, max_age, today))
                .map(Source)
                .collect(),
        ))
    }

    /// Published research values for the role's occupation (its O*NET-SOC code): the "GPTs are
    /// GPTs" indices by human and by GPT-4 labels and the "Working with AI" applicability score,
    /// each with its source, licence, attribution and percentile. Empty without a code.
    async fn benchmarks(&self, ctx: &Context<'_>) -> GqlResult<Vec<Benchmark>> {
        let Some(code) = self.row().onet_soc_code.as_deref() else {
            return Ok(Vec::new());
        };
        let data = context::reference(ctx).gql()?.data().gql()?;
        Ok(data.benchmarks(code).into_iter().map(Benchmark).collect())
    }

    /// Other published roles in the same category, nearest in score first.
    async fn related_roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 5, at most 50).")] first: Option<i32>,
    ) -> GqlResult<Vec<Role>> {
        let first = first.unwrap_or(RELATED_DEFAULT);
        if !(0..=RELATED_MAX).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("must be from 0 to {RELATED_MAX}, got {first}"),
            ))
            .gql();
        }
        let row = self.row();
        // Any publish in the category can change who the nearest peers are.
        context::read(ctx, [Tag::Category(row.category_id)]);
        if let Some(peers) = self.0.related.get() {
            let peers: Vec<Role> = peers.iter().take(first as usize).cloned().collect();
            context::read(ctx, peers.iter().map(|p| Tag::Role(p.row().id)));
            return Ok(peers);
        }
        let key = PeersOf {
            role_id: row.id,
            category_id: row.category_id,
            score: row.score,
            first: first as u32,
        };
        let peers = if self.is_published() {
            let mut links = publishing::links(
                context::store(ctx).gql()?.db(),
                &LinkRequest {
                    peers: vec![key],
                    peers_body: true,
                    ..LinkRequest::default()
                },
            )
            .await
            .gql()?;
            links.peers.remove(&row.id).unwrap_or_default()
        } else {
            loader(ctx)
                .gql()?
                .load_one(key)
                .await
                .gql()?
                .unwrap_or_default()
        };
        let peers: Vec<Role> = publishing::nearest(peers, row.score, first as usize)
            .into_iter()
            .map(Role::published)
            .collect();
        context::read(ctx, peers.iter().map(|p| Tag::Role(p.row().id)));
        Ok(peers)
    }

    /// Editorial state; public readers only ever see PUBLISHED.
    async fn status(&self) -> RoleStatus {
        self.row().status.into()
    }

    /// Whether the working copy has changes that are not published yet. Editors only: needs a
    /// token with `content:read`.
    async fn has_unpublished_changes(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let reader = context::permit::<crate::auth::permit::Read>(ctx).gql()?;
        match &self.0.content {
            Content::Working(m) => Ok(m.has_unpublished_changes),
            Content::Published(card, _) => Ok(context::store(ctx)
                .gql()?
                .working_copy(&reader, card.role.id)
                .await
                .gql()?
                .is_some_and(|m| m.has_unpublished_changes)),
        }
    }

    /// The version the public sees; null while the role is not published.
    async fn published_version(&self) -> Option<i32> {
        match &self.0.content {
            Content::Working(m) => m.published_version,
            Content::Published(card, _) => Some(card.role.version),
        }
    }

    /// Content version, raised by every write; editors send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.row().version
    }

    /// Revision history, newest first. Editors only: needs a token with `content:read`.
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, newest first (default 20, at most 100).")] first: Option<i32>,
    ) -> GqlResult<Vec<Revision>> {
        let reader = crate::graphql::context::permit::<crate::auth::permit::Read>(ctx).gql()?;
        let first = first.unwrap_or(REVISIONS_DEFAULT);
        if !(0..=REVISIONS_MAX).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("must be from 0 to {REVISIONS_MAX}, got {first}"),
            ))
            .gql();
        }
        let rows = crate::graphql::context::store(ctx)
            .gql()?
            .revisions(&reader, self.row().id, first as u64)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Revision::from).collect())
    }

    /// When the page was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row().created_at
    }

    /// When the page last changed ("last updated" in the footer).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row().updated_at
    }

    /// When the page was last published; null while never published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.row().published_at
    }
}

/// What a planned action does.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScheduleAction {
    /// Publish the working copy as it stands at that time.
    Publish,
    /// Take the page offline (back to DRAFT).
    Unpublish,
}

/// A publish or unpublish planned for a time.
#[derive(SimpleObject, Clone, Debug)]
pub struct ScheduledAction {
    /// What it does.
    pub action: ScheduleAction,
    /// When it runs (within a few seconds after).
    pub at: DateTime<Utc>,
    /// Who planned it: the revision it makes names them.
    pub by: String,
}
