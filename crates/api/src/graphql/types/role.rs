//! The role page and its sections.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ToolLinkKind, role, role_tool};

use super::catalog::{Category, Source, Tool};
use super::enums::{ExposureLabel, RoleStatus, TaskType};
use super::loader;
use super::revision::Revision;
use super::risk::Risk;
use crate::error::{ApiError, ApiResult, GqlResult, ResultExt};
use crate::graphql::loaders::{
    CategoryById, FaqsOf, PathsOf, PeersOf, RoleById, SkillsOf, SourcesOf, TasksOf, ToolById,
    ToolLinksOf,
};

/// Default number of related roles.
pub const RELATED_DEFAULT: i32 = 5;
/// Largest number of related roles.
pub const RELATED_MAX: i32 = 50;
/// Default number of revisions listed.
pub const REVISIONS_DEFAULT: i32 = 20;
/// Largest number of revisions listed.
pub const REVISIONS_MAX: i32 = 100;

/// A job's AI risk page.
#[derive(Clone, Debug)]
pub struct Role(pub role::Model);

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

impl Role {
    async fn tool_links(
        &self,
        ctx: &Context<'_>,
        kind: ToolLinkKind,
    ) -> ApiResult<Vec<(Tool, String)>> {
        let loader = loader(ctx)?;
        let links: Vec<role_tool::Model> = loader
            .load_one(ToolLinksOf(self.0.id))
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
        Ok(loader(ctx)?
            .load_one(TasksOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|t| Task {
                text: t.text,
                exposure: t.exposure.map(Into::into),
                task_type: t.task_type.map(Into::into),
                time_share: t.time_share,
            })
            .collect())
    }
}

/// A job's AI risk page: every section of the page, plus editorial state.
#[Object]
impl Role {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// URL key of the page.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Job title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// One paragraph on how exposed the role is, and why.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// One paragraph on how the industry is shifting.
    async fn industry_context(&self) -> &str {
        &self.0.industry_context
    }

    /// O*NET-SOC code of the closest occupation, when one fits.
    async fn onet_soc_code(&self) -> Option<&str> {
        self.0.onet_soc_code.as_deref()
    }

    /// The role's category.
    async fn category(&self, ctx: &Context<'_>) -> GqlResult<Category> {
        let c = loader(ctx)
            .gql()?
            .load_one(CategoryById(self.0.category_id))
            .await
            .gql()?;
        c.map(Category)
            .ok_or_else(|| ApiError::Internal("role without category".into()))
            .gql()
    }

    /// The risk score, its level and the evidence behind it.
    async fn risk(&self) -> Risk {
        Risk::from(&self.0)
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
        let skills = loader(ctx)
            .gql()?
            .load_one(SkillsOf(self.0.id))
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
        let loader = loader(ctx).gql()?;
        let paths = loader
            .load_one(PathsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default();
        let targets = loader
            .load_many(paths.iter().map(|p| RoleById(p.target_role_id)))
            .await
            .gql()?;
        Ok(paths
            .into_iter()
            .filter_map(|p| {
                targets
                    .get(&RoleById(p.target_role_id))
                    .map(|t| MigrationPath {
                        target: Role(t.clone()),
                        rationale: p.rationale,
                    })
            })
            .collect())
    }

    /// Frequently asked questions, in page order.
    async fn faqs(&self, ctx: &Context<'_>) -> GqlResult<Vec<Faq>> {
        let faqs = loader(ctx).gql()?.load_one(FaqsOf(self.0.id)).await.gql()?;
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
        let sources = loader(ctx)
            .gql()?
            .load_one(SourcesOf(self.0.id))
            .await
            .gql()?;
        Ok(sources
            .unwrap_or_default()
            .into_iter()
            .map(Source)
            .collect())
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
        let key = PeersOf {
            role_id: self.0.id,
            category_id: self.0.category_id,
            score: self.0.score,
            first: first as u32,
        };
        let mut peers = loader(ctx)
            .gql()?
            .load_one(key)
            .await
            .gql()?
            .unwrap_or_default();
        peers.sort_by(|a, b| {
            (a.score - self.0.score)
                .abs()
                .cmp(&(b.score - self.0.score).abs())
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(peers.into_iter().take(first as usize).map(Role).collect())
    }

    /// Editorial state; public readers only ever see PUBLISHED.
    async fn status(&self) -> RoleStatus {
        self.0.status.into()
    }

    /// Content version, raised by every write; editors send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
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
            .revisions(&reader, self.0.id, first as u64)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Revision::from).collect())
    }

    /// When the page was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the page last changed ("last updated" in the footer).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When the page was last published; null while never published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}
