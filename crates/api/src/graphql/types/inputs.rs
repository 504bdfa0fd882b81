//! Input types of the editing mutations.

use async_graphql::{InputObject, MaybeUndefined};
use chrono::NaiveDate;

use super::enums::{ExposureLabel, TaskType};
use crate::service::catalog::{
    CategoryContent, CategoryPatch, SourceContent, SourcePatch, ToolContent, ToolPatch,
};
use crate::service::content::{
    FactorContent, FactorsContent, FaqContent, MigrationPathContent, RoleContent, TaskContent,
    ToolLinkContent,
};
use crate::service::editing::RolePatch;

/// A factor score with its explanation.
#[derive(InputObject, Clone, Debug)]
pub struct FactorInput {
    /// Integer 1-10.
    pub score: i32,
    /// Why the role scores this (at most 5000 characters).
    pub explanation: String,
}

impl From<FactorInput> for FactorContent {
    fn from(f: FactorInput) -> Self {
        Self {
            score: f.score,
            explanation: f.explanation,
        }
    }
}

/// The three factors of the risk breakdown.
#[derive(InputObject, Clone, Debug)]
pub struct FactorsInput {
    /// Repetitiveness (raises risk).
    pub repetitiveness: FactorInput,
    /// AI adoption (raises risk).
    pub ai_adoption: FactorInput,
    /// Human judgment (lowers risk).
    pub human_judgment: FactorInput,
}

/// A task of the role.
#[derive(InputObject, Clone, Debug)]
pub struct TaskInput {
    /// The task, in plain words (at most 1000 characters).
    pub text: String,
    /// Exposure label, when known.
    pub exposure: Option<ExposureLabel>,
    /// Core or supplemental.
    pub task_type: Option<TaskType>,
    /// Share of working time (>= 0); used only when every task has one.
    pub time_share: Option<f64>,
}

impl From<TaskInput> for TaskContent {
    fn from(t: TaskInput) -> Self {
        Self {
            text: t.text,
            exposure: t.exposure.map(Into::into),
            task_type: t.task_type.map(Into::into),
            time_share: t.time_share,
        }
    }
}

/// A link to a tool by slug with the role-specific text.
#[derive(InputObject, Clone, Debug)]
pub struct ToolLinkInput {
    /// Slug of an existing tool.
    pub tool: String,
    /// What the tool does to the role, or why to master it (at most 1000 characters).
    pub note: String,
}

impl From<ToolLinkInput> for ToolLinkContent {
    fn from(l: ToolLinkInput) -> Self {
        Self {
            tool: l.tool,
            note: l.note,
        }
    }
}

/// A migration path to another role by slug.
#[derive(InputObject, Clone, Debug)]
pub struct MigrationPathInput {
    /// Slug of an existing role other than this one.
    pub target: String,
    /// Why the move makes sense.
    pub rationale: String,
}

impl From<MigrationPathInput> for MigrationPathContent {
    fn from(p: MigrationPathInput) -> Self {
        Self {
            target: p.target,
            rationale: p.rationale,
        }
    }
}

/// A question and its answer.
#[derive(InputObject, Clone, Debug)]
pub struct FaqInput {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

impl From<FaqInput> for FaqContent {
    fn from(f: FaqInput) -> Self {
        Self {
            question: f.question,
            answer: f.answer,
        }
    }
}

fn map<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(Into::into).collect()
}

/// A new role page; it starts as a DRAFT. The score is computed, never given.
#[derive(InputObject, Clone, Debug)]
pub struct RoleInput {
    /// URL key: lower-case letters and digits in dash-separated words.
    pub slug: String,
    /// Job title.
    pub title: String,
    /// Slug of an existing category.
    pub category_slug: String,
    /// O*NET-SOC code such as 15-1252.00.
    pub onet_soc_code: Option<String>,
    /// One paragraph on the role's exposure.
    pub summary: String,
    /// One paragraph on the industry.
    pub industry_context: String,
    /// The three factors.
    pub factors: FactorsInput,
    /// Tasks, in page order.
    #[graphql(default)]
    pub tasks: Vec<TaskInput>,
    /// Tools affecting the role, in page order.
    #[graphql(default)]
    pub tools_affecting: Vec<ToolLinkInput>,
    /// Tools to master, in page order.
    #[graphql(default)]
    pub tools_to_master: Vec<ToolLinkInput>,
    /// Skills that protect people in the role.
    #[graphql(default)]
    pub protective_skills: Vec<String>,
    /// Migration paths, in page order.
    #[graphql(default)]
    pub migration_paths: Vec<MigrationPathInput>,
    /// FAQs, in page order.
    #[graphql(default)]
    pub faqs: Vec<FaqInput>,
    /// Slugs of cited sources, in page order.
    #[graphql(default)]
    pub sources: Vec<String>,
}

impl From<RoleInput> for RoleContent {
    fn from(i: RoleInput) -> Self {
        Self {
            slug: i.slug,
            title: i.title,
            category: i.category_slug,
            onet_soc_code: i.onet_soc_code,
            status: entity::RoleStatus::Draft,
            summary: i.summary,
            industry_context: i.industry_context,
            factors: FactorsContent {
                repetitiveness: i.factors.repetitiveness.into(),
                ai_adoption: i.factors.ai_adoption.into(),
                human_judgment: i.factors.human_judgment.into(),
            },
            tasks: map(i.tasks),
            tools_affecting: map(i.tools_affecting),
            tools_to_master: map(i.tools_to_master),
            protective_skills: i.protective_skills,
            migration_paths: map(i.migration_paths),
            faqs: map(i.faqs),
            sources: i.sources,
        }
    }
}

/// Changes to a role: omitted fields stay as they are; a given list replaces the whole list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct RolePatchInput {
    /// New URL key.
    pub slug: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// Slug of the new category.
    pub category_slug: Option<String>,
    /// New O*NET-SOC code; null clears it.
    pub onet_soc_code: MaybeUndefined<String>,
    /// New summary.
    pub summary: Option<String>,
    /// New industry context.
    pub industry_context: Option<String>,
    /// New repetitiveness factor.
    pub repetitiveness: Option<FactorInput>,
    /// New AI-adoption factor.
    pub ai_adoption: Option<FactorInput>,
    /// New human-judgment factor.
    pub human_judgment: Option<FactorInput>,
    /// Replacement task list.
    pub tasks: Option<Vec<TaskInput>>,
    /// Replacement list of tools affecting the role.
    pub tools_affecting: Option<Vec<ToolLinkInput>>,
    /// Replacement list of tools to master.
    pub tools_to_master: Option<Vec<ToolLinkInput>>,
    /// Replacement skills.
    pub protective_skills: Option<Vec<String>>,
    /// Replacement migration paths.
    pub migration_paths: Option<Vec<MigrationPathInput>>,
    /// Replacement FAQs.
    pub faqs: Option<Vec<FaqInput>>,
    /// Replacement source slugs.
    pub sources: Option<Vec<String>>,
}

impl From<RolePatchInput> for RolePatch {
    fn from(i: RolePatchInput) -> Self {
        Self {
            slug: i.slug,
            title: i.title,
            category: i.category_slug,
            onet_soc_code: match i.onet_soc_code {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
            summary: i.summary,
            industry_context: i.industry_context,
            repetitiveness: i.repetitiveness.map(Into::into),
            ai_adoption: i.ai_adoption.map(Into::into),
            human_judgment: i.human_judgment.map(Into::into),
            tasks: i.tasks.map(map),
            tools_affecting: i.tools_affecting.map(map),
            tools_to_master: i.tools_to_master.map(map),
            protective_skills: i.protective_skills,
            migration_paths: i.migration_paths.map(map),
            faqs: i.faqs.map(map),
            sources: i.sources,
        }
    }
}

/// A new category.
#[derive(InputObject, Clone, Debug)]
pub struct CategoryInput {
    /// URL key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What the category holds.
    pub description: String,
}

impl From<CategoryInput> for CategoryContent {
    fn from(c: CategoryInput) -> Self {
        Self {
            slug: c.slug,
            name: c.name,
            description: c.description,
        }
    }
}

/// Changes to a category; omitted fields stay.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CategoryPatchInput {
    /// New URL key.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
}

impl From<CategoryPatchInput> for CategoryPatch {
    fn from(c: CategoryPatchInput) -> Self {
        Self {
            slug: c.slug,
            name: c.name,
            description: c.description,
        }
    }
}

/// A new AI tool.
#[derive(InputObject, Clone, Debug)]
pub struct ToolInput {
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

impl From<ToolInput> for ToolContent {
    fn from(t: ToolInput) -> Self {
        Self {
            slug: t.slug,
            name: t.name,
            vendor: t.vendor,
            url: t.url,
            description: t.description,
        }
    }
}

/// Changes to a tool; omitted fields stay.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ToolPatchInput {
    /// New URL key.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New vendor.
    pub vendor: Option<String>,
    /// New product page.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
}

impl From<ToolPatchInput> for ToolPatch {
    fn from(t: ToolPatchInput) -> Self {
        Self {
            slug: t.slug,
            name: t.name,
            vendor: t.vendor,
            url: t.url,
            description: t.description,
        }
    }
}

/// A new research source.
#[derive(InputObject, Clone, Debug)]
pub struct SourceInput {
    /// Stable key roles cite it by.
    pub slug: String,
    /// Title of the work.
    pub title: String,
    /// Publisher or venue.
    pub publisher: String,
    /// Where to read it (http or https).
    pub url: String,
    /// Publication date.
    pub published_on: Option<NaiveDate>,
}

impl From<SourceInput> for SourceContent {
    fn from(s: SourceInput) -> Self {
        Self {
            slug: s.slug,
            title: s.title,
            publisher: s.publisher,
            url: s.url,
            published_on: s.published_on,
        }
    }
}

/// Changes to a source; omitted fields stay.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SourcePatchInput {
    /// New key.
    pub slug: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New publisher.
    pub publisher: Option<String>,
    /// New URL.
    pub url: Option<String>,
    /// New publication date; null clears it.
    pub published_on: MaybeUndefined<NaiveDate>,
}

impl From<SourcePatchInput> for SourcePatch {
    fn from(s: SourcePatchInput) -> Self {
        Self {
            slug: s.slug,
            title: s.title,
            publisher: s.publisher,
            url: s.url,
            published_on: match s.published_on {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
        }
    }
}
