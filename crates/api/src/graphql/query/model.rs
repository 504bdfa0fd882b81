//! The scoring model itself, so a page can explain how scores are made.

use async_graphql::{Object, SimpleObject};

use crate::graphql::types::enums::RiskLevel;
use crate::service::roles::level_of;

/// What every page's footer says about the scores.
pub const DISCLAIMER: &str = "Scores are estimates computed from published research on AI \
    exposure (task labels in the method of Eloundou et al.) and editors' factor ratings. They \
    describe how much of a job's work current AI can do or speed up; they are not predictions \
    of job loss.";

/// Scoring model queries.
#[derive(Default)]
pub struct ModelQuery;

/// How scores are computed: the model version, its weights and level bands.
#[derive(SimpleObject, Clone, Debug)]
pub struct ScoringModel {
    /// Version string stored with every score (`risk.modelVersion`).
    pub version: String,
    /// Weight of repetitiveness in the factor index.
    pub repetitiveness_weight: f64,
    /// Weight of AI adoption in the factor index.
    pub ai_adoption_weight: f64,
    /// Weight of the lack of human judgment in the factor index.
    pub human_judgment_weight: f64,
    /// Weight of the task index when labelled tasks cover all of a role's work; it shrinks in
    /// proportion to coverage.
    pub max_task_weight: f64,
    /// The level bands, lowest first.
    pub levels: Vec<LevelBand>,
    /// The disclaimer pages show with scores.
    pub disclaimer: String,
}

/// A level and its inclusive score range.
#[derive(SimpleObject, Clone, Debug)]
pub struct LevelBand {
    /// The level.
    pub level: RiskLevel,
    /// Lowest score of the band.
    pub min_score: i32,
    /// Highest score of the band.
    pub max_score: i32,
}

#[Object]
impl ModelQuery {
    /// The scoring model that computes every `risk`, with its weights and level bands.
    async fn scoring_model(&self) -> ScoringModel {
        ScoringModel {
            version: scoring::MODEL_VERSION.to_owned(),
            repetitiveness_weight: scoring::W_REPETITIVENESS,
            ai_adoption_weight: scoring::W_ADOPTION,
            human_judgment_weight: scoring::W_JUDGMENT,
            max_task_weight: scoring::LAMBDA_MAX,
            levels: scoring::Level::BANDS
                .iter()
                .map(|&(level, lo, hi)| LevelBand {
                    level: level_of(level).into(),
                    min_score: i32::from(lo),
                    max_score: i32::from(hi),
                })
                .collect(),
            disclaimer: DISCLAIMER.to_owned(),
        }
    }
}
