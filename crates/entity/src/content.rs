//! The editable content of a role page, as editors write it: stored whole in every revision
//! (a typed JSON column), validated and scored by the api crate.

use schemars::JsonSchema;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::enums::{Exposure, RoleStatus, TaskType};

/// One factor: a 1-10 score with the editor's explanation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
pub struct FactorContent {
    /// 1-10.
    pub score: i32,
    /// Why the role scores this.
    pub explanation: String,
}

/// The three factors.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorsContent {
    /// Repetitiveness (raises risk).
    pub repetitiveness: FactorContent,
    /// AI adoption (raises risk).
    pub ai_adoption: FactorContent,
    /// Human judgment (lowers risk).
    pub human_judgment: FactorContent,
}

/// One task.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskContent {
    /// The task, in plain words.
    pub text: String,
    /// Exposure label, if labelled.
    #[serde(default)]
    pub exposure: Option<Exposure>,
    /// Core or supplemental.
    #[serde(default)]
    pub task_type: Option<TaskType>,
    /// Share of working time.
    #[serde(default)]
    pub time_share: Option<f64>,
}

/// A link to a tool by slug, with the role-specific text.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
pub struct ToolLinkContent {
    /// Tool slug.
    pub tool: String,
    /// Impact (affecting) or note (to master).
    #[serde(alias = "impact")]
    pub note: String,
}

/// A migration path to another role by slug.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
pub struct MigrationPathContent {
    /// Target role slug.
    pub target: String,
    /// Why the move makes sense.
    pub rationale: String,
}

/// A question and its answer.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
pub struct FaqContent {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Everything an editor writes for a role; the score is computed from it, never given.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, FromJsonQueryResult, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleContent {
    /// URL key.
    pub slug: String,
    /// Role title.
    pub title: String,
    /// Category slug.
    pub category: String,
    /// O*NET-SOC code, e.g. `15-1252.00`.
    #[serde(default)]
    pub onet_soc_code: Option<String>,
    /// Editorial state.
    #[serde(default = "published")]
    pub status: RoleStatus,
    /// One paragraph on the role's exposure.
    pub summary: String,
    /// One paragraph on the industry.
    pub industry_context: String,
    /// The three factors.
    pub factors: FactorsContent,
    /// Tasks, in page order.
    #[serde(default)]
    pub tasks: Vec<TaskContent>,
    /// Tools affecting the role.
    #[serde(default)]
    pub tools_affecting: Vec<ToolLinkContent>,
    /// Tools to master.
    #[serde(default)]
    pub tools_to_master: Vec<ToolLinkContent>,
    /// Protective skills.
    #[serde(default)]
    pub protective_skills: Vec<String>,
    /// Migration paths.
    #[serde(default)]
    pub migration_paths: Vec<MigrationPathContent>,
    /// FAQs.
    #[serde(default)]
    pub faqs: Vec<FaqContent>,
    /// Cited source slugs.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl RoleContent {
    /// Slugs of every linked tool, tools affecting the role first, in page order.
    pub fn tool_slugs(&self) -> Vec<&str> {
        self.tools_affecting
            .iter()
            .chain(&self.tools_to_master)
            .map(|l| l.tool.as_str())
            .collect()
    }
}

fn published() -> RoleStatus {
    RoleStatus::Published
}

/// A score's contributions as the scoring crate computed them (typed JSON column).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, FromJsonQueryResult)]
#[serde(transparent)]
pub struct Contributions(pub Vec<scoring::Contribution>);
