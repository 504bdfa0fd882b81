//! The risk section of a page: the score and the evidence that explains it.

use async_graphql::{ComplexObject, SimpleObject};
use entity::role;

use super::enums::{EvidenceKind, FactorKind, RiskLevel};

/// A role's AI risk: a 0-100 estimate computed from its evidence, never typed in.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Risk {
    /// Score 0-100: how much of the role's work current AI can already do or speed up.
    pub score: i32,
    /// Band of the score.
    pub level: RiskLevel,
    /// The model (formula and weights) that computed this score.
    pub model_version: String,
    /// Share (0-1) of the role's task weight covered by labelled tasks.
    pub coverage: f64,
    /// The editor's factors, each scored 1-10 with an explanation.
    pub factors: Vec<Factor>,
    /// Task-exposure indices of the labelled tasks; null when no task is labelled.
    pub task_exposure: Option<TaskExposure>,
    #[graphql(skip)]
    stored_contributions: Vec<scoring::Contribution>,
}

#[ComplexObject]
impl Risk {
    /// Points each piece of evidence adds; they sum exactly to `score`.
    async fn contributions(&self) -> Vec<Contribution> {
        self.stored_contributions
            .iter()
            .map(|c| Contribution {
                evidence: match c.kind {
                    scoring::EvidenceKind::TaskExposure => EvidenceKind::TaskExposure,
                    scoring::EvidenceKind::Repetitiveness => EvidenceKind::Repetitiveness,
                    scoring::EvidenceKind::AiAdoption => EvidenceKind::AiAdoption,
                    scoring::EvidenceKind::HumanJudgment => EvidenceKind::HumanJudgment,
                },
                points: i32::from(c.points),
                exact: c.exact,
            })
            .collect()
    }
}

/// One factor of the risk breakdown.
#[derive(SimpleObject, Clone, Debug)]
pub struct Factor {
    /// Which factor.
    pub kind: FactorKind,
    /// Score 1-10.
    pub score: i32,
    /// Why the role scores this.
    pub explanation: String,
    /// True when a higher score raises the risk (repetitiveness, AI adoption), false when it
    /// lowers it (human judgment).
    pub raises_risk: bool,
}

/// Share of the score that one piece of evidence contributes.
#[derive(SimpleObject, Clone, Debug)]
pub struct Contribution {
    /// Which evidence.
    pub evidence: EvidenceKind,
    /// Integer points; all contributions add up to the score.
    pub points: i32,
    /// Unrounded points.
    pub exact: f64,
}

/// Task-exposure indices (0-1) in the method of Eloundou et al.
#[derive(SimpleObject, Clone, Debug)]
pub struct TaskExposure {
    /// Weighted share of directly exposed (E1) work.
    pub alpha: f64,
    /// E1 plus half of E2; the index the score uses.
    pub beta: f64,
    /// E1 plus E2; exposure with full tooling.
    pub gamma: f64,
}

impl From<&role::Model> for Risk {
    fn from(r: &role::Model) -> Self {
        let factors = vec![
            Factor {
                kind: FactorKind::Repetitiveness,
                score: r.repetitiveness,
                explanation: r.repetitiveness_explanation.clone(),
                raises_risk: true,
            },
            Factor {
                kind: FactorKind::AiAdoption,
                score: r.ai_adoption,
                explanation: r.ai_adoption_explanation.clone(),
                raises_risk: true,
            },
            Factor {
                kind: FactorKind::HumanJudgment,
                score: r.human_judgment,
                explanation: r.human_judgment_explanation.clone(),
                raises_risk: false,
            },
        ];
        let task_exposure = match (r.task_alpha, r.task_beta, r.task_gamma) {
            (Some(alpha), Some(beta), Some(gamma)) => Some(TaskExposure { alpha, beta, gamma }),
            _ => None,
        };
        Self {
            score: r.score,
            level: r.level.into(),
            model_version: r.model_version.clone(),
            coverage: r.coverage,
            factors,
            task_exposure,
            stored_contributions: r.contributions.0.clone(),
        }
    }
}
