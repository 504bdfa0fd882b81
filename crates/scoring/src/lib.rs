//! The jobrisk AI-risk model: how much of a role's work current AI can already do or speed up,
//! as an explainable 0-100 score. Pure and synchronous: no I/O, no database, no clock.
//!
//! # Evidence
//!
//! 1. **Task exposure** (strongest). Each task may carry an exposure label in the rubric of
//!    Eloundou et al., "GPTs are GPTs" (2023/2024): `E0` not exposed, `E1` directly exposed,
//!    `E2` exposed through software built on a model. A task's weight is its share of working
//!    time when *every* task gives one, otherwise 2 for a core task and 1 for a supplemental or
//!    untyped task. Over the labelled tasks the role's indices are weighted means of task values:
//!    alpha (E1 = 1), beta (E1 = 1, E2 = 0.5), gamma (E1 = E2 = 1). With the same labels and
//!    weights these equal the published occupation indices exactly. *Coverage* is the labelled
//!    tasks' share of the total task weight.
//! 2. **Factors** (weaker): repetitiveness `r`, AI adoption `a` and human judgment `j`, integers
//!    1-10, normalised to `(x - 1) / 9`.
//!
//! # Formula (model [`MODEL_VERSION`])
//!
//! ```text
//! T     = 100 * beta                                   task index
//! F     = 100 * (0.25 r + 0.45 a + 0.30 (1 - j))       factor index
//! λ     = 0.6 * coverage          (1 when there are no factors)
//! score = round(λ T + (1 - λ) F)
//! ```
//!
//! Why these weights: AI adoption gets the largest factor weight because in published data it
//! tracks LLM exposure closely, while judgment-heavy cognitive work is often *more* exposed, so
//! human judgment is a weaker protector than intuition says; repetitiveness sits in between.
//! Factors are editors' 1-10 estimates, tasks are rubric labels, so tasks dominate (λ up to 0.6)
//! when they cover the role's work, and the score falls back to factors as coverage drops.
//! The score is monotone increasing in repetitiveness and adoption and decreasing in judgment.
//!
//! Contributions split the score by evidence (tasks, each factor); they are rounded with the
//! largest-remainder method so that the displayed integers add up exactly to the integer score.
//! Levels: LOW 0-24, MODERATE 25-49, HIGH 50-74, VERY_HIGH 75-100.

mod error;
pub mod onet;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use error::ScoringError;

/// Identifies the formula and weights that produced a score; stored beside every score so that
/// a change of weights is visible and scores can be recomputed in bulk.
pub const MODEL_VERSION: &str =
    "risk-v1 (T=100*beta; F=0.25r+0.45a+0.30(1-j); lambda=0.6*coverage)";

/// Weight of repetitiveness in the factor index (the three factor weights sum to 1).
pub const W_REPETITIVENESS: f64 = 0.25;
/// Weight of AI adoption in the factor index.
pub const W_ADOPTION: f64 = 0.45;
/// Weight of the lack of human judgment in the factor index.
pub const W_JUDGMENT: f64 = 0.30;
/// Weight of the task index at full coverage when factors are also present.
pub const LAMBDA_MAX: f64 = 0.6;

/// An exposure label in the rubric of Eloundou et al.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExposureLabel {
    /// Not exposed.
    E0,
    /// Directly exposed: a language model alone halves the task's time at equal quality.
    E1,
    /// Exposed through software built on a language model.
    E2,
}

impl ExposureLabel {
    /// Task value for the alpha index (E1 only).
    pub fn alpha(self) -> f64 {
        match self {
            Self::E1 => 1.0,
            Self::E0 | Self::E2 => 0.0,
        }
    }

    /// Task value for the beta index (E1 full, E2 half).
    pub fn beta(self) -> f64 {
        match self {
            Self::E0 => 0.0,
            Self::E1 => 1.0,
            Self::E2 => 0.5,
        }
    }

    /// Task value for the gamma index (E1 and E2 full).
    pub fn gamma(self) -> f64 {
        match self {
            Self::E0 => 0.0,
            Self::E1 | Self::E2 => 1.0,
        }
    }

    /// The label as written in the rubric.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::E0 => "E0",
            Self::E1 => "E1",
            Self::E2 => "E2",
        }
    }
}

impl fmt::Display for ExposureLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExposureLabel {
    type Err = ScoringError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "E0" => Ok(Self::E0),
            "E1" => Ok(Self::E1),
            "E2" => Ok(Self::E2),
            other => Err(ScoringError::UnknownLabel {
                label: other.to_owned(),
            }),
        }
    }
}

/// Whether a task is core to the occupation or supplemental (O*NET's task type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskType {
    /// A core task: weight 2 when time shares are not given.
    Core,
    /// A supplemental task: weight 1 when time shares are not given.
    Supplemental,
}

/// One task of a role, as evidence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Task {
    /// Exposure label; an unlabelled task lowers coverage but not the indices.
    pub label: Option<ExposureLabel>,
    /// Core or supplemental; `None` is weighted like supplemental.
    pub task_type: Option<TaskType>,
    /// Share of working time, any non-negative scale; used only when every task has one.
    pub time_share: Option<f64>,
}

/// The three editor-scored factors, each an integer from 1 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Factors {
    /// How predictable and pattern-bound the work is (raises risk).
    pub repetitiveness: i32,
    /// How widely AI tools are already used in the role (raises risk).
    pub ai_adoption: i32,
    /// How much the work depends on human judgment (lowers risk).
    pub human_judgment: i32,
}

/// Everything the model scores for one role.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// The role's tasks, labelled or not.
    pub tasks: Vec<Task>,
    /// The editor's factors, if scored.
    pub factors: Option<Factors>,
}

/// The task-exposure indices of a set of labelled tasks, each in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TaskExposure {
    /// Weighted share of directly exposed (E1) work.
    pub alpha: f64,
    /// E1 plus half of E2: the index the score uses.
    pub beta: f64,
    /// E1 plus E2: the upper bound with full tooling.
    pub gamma: f64,
    /// How many tasks carried a label.
    pub labelled_tasks: usize,
    /// Labelled tasks' share of total task weight, 0..=1.
    pub coverage: f64,
}

/// Risk level bands of the integer score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// 0-24.
    Low,
    /// 25-49.
    Moderate,
    /// 50-74.
    High,
    /// 75-100.
    VeryHigh,
}

impl Level {
    /// Every level with its inclusive score range, lowest first.
    pub const BANDS: [(Level, u8, u8); 4] = [
        (Level::Low, 0, 24),
        (Level::Moderate, 25, 49),
        (Level::High, 50, 74),
        (Level::VeryHigh, 75, 100),
    ];

    /// The band an integer score falls in; scores above 100 count as very high.
    pub fn from_score(score: u8) -> Self {
        match score {
            0..=24 => Self::Low,
            25..=49 => Self::Moderate,
            50..=74 => Self::High,
            _ => Self::VeryHigh,
        }
    }

    /// Upper-case name, as the API and database spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Moderate => "MODERATE",
            Self::High => "HIGH",
            Self::VeryHigh => "VERY_HIGH",
        }
    }
}

impl FromStr for Level {
    type Err = ScoringError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "LOW" => Ok(Self::Low),
            "MODERATE" => Ok(Self::Moderate),
            "HIGH" => Ok(Self::High),
            "VERY_HIGH" => Ok(Self::VeryHigh),
            other => Err(ScoringError::UnknownLevel {
                level: other.to_owned(),
            }),
        }
    }
}

/// The pieces of evidence a score is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EvidenceKind {
    /// The task index, weighted by λ.
    TaskExposure,
    /// The repetitiveness factor.
    Repetitiveness,
    /// The AI-adoption factor.
    AiAdoption,
    /// The human-judgment factor: points added by the *lack* of judgment-heavy work.
    HumanJudgment,
}

impl EvidenceKind {
    /// Upper-case name, as the API and database spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskExposure => "TASK_EXPOSURE",
            Self::Repetitiveness => "REPETITIVENESS",
            Self::AiAdoption => "AI_ADOPTION",
            Self::HumanJudgment => "HUMAN_JUDGMENT",
        }
    }
}

/// One piece of evidence's share of the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Which evidence.
    pub kind: EvidenceKind,
    /// Integer points; the points of all contributions add up to the score.
    pub points: u8,
    /// Unrounded points.
    pub exact: f64,
}

/// The model's verdict on one role, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Integer score, 0..=100.
    pub score: u8,
    /// Band of the score.
    pub level: Level,
    /// Unrounded score.
    pub exact_score: f64,
    /// Labelled tasks' share of the role's task weight (0 with no labelled tasks).
    pub coverage: f64,
    /// Weight λ given to the task index in the blend.
    pub task_weight: f64,
    /// Task indices, when any labelled task carries weight.
    pub task_exposure: Option<TaskExposure>,
    /// Factor index F in 0..=100, when factors were given.
    pub factor_index: Option<f64>,
    /// Per-evidence points, adding up exactly to `score`.
    pub contributions: Vec<Contribution>,
    /// The model that produced this assessment.
    pub model_version: String,
}

/// Validates one factor, naming it on error.
fn normalise_factor(field: &'static str, value: i32) -> Result<f64, ScoringError> {
    if (1..=10).contains(&value) {
        Ok(f64::from(value - 1) / 9.0)
    } else {
        Err(ScoringError::FactorOutOfRange { field, value })
    }
}

/// Computes the task-exposure indices and coverage of a role's tasks.
///
/// Returns `Ok(None)` when no labelled task carries weight (no tasks, none labelled, or all
/// labelled tasks have a zero time share).
pub fn task_exposure(tasks: &[Task]) -> Result<Option<TaskExposure>, ScoringError> {
    for (index, task) in tasks.iter().enumerate() {
        if let Some(share) = task.time_share
            && !(share.is_finite() && share >= 0.0)
        {
            return Err(ScoringError::InvalidTimeShare {
                index,
                value: share,
            });
        }
    }
    let use_shares = !tasks.is_empty() && tasks.iter().all(|t| t.time_share.is_some());
    let weight = |task: &Task| -> f64 {
        match (use_shares, task.time_share, task.task_type) {
            (true, Some(share), _) => share,
            (_, _, Some(TaskType::Core)) => 2.0,
            _ => 1.0,
        }
    };
    let total: f64 = tasks.iter().map(weight).sum();
    if use_shares && total <= 0.0 {
        return Err(ScoringError::ZeroTotalShare);
    }
    let (mut w_sum, mut a, mut b, mut g, mut labelled) = (0.0, 0.0, 0.0, 0.0, 0usize);
    for task in tasks {
        if let Some(label) = task.label {
            let w = weight(task);
            w_sum += w;
            a += w * label.alpha();
            b += w * label.beta();
            g += w * label.gamma();
            labelled += 1;
        }
    }
    if w_sum <= 0.0 {
        return Ok(None);
    }
    Ok(Some(TaskExposure {
        alpha: a / w_sum,
        beta: b / w_sum,
        gamma: g / w_sum,
        labelled_tasks: labelled,
        coverage: w_sum / total,
    }))
}

/// Scores one role.
pub fn assess(evidence: &Evidence) -> Result<Assessment, ScoringError> {
    let exposure = task_exposure(&evidence.tasks)?;
    let factors = match evidence.factors {
        Some(f) => Some((
            normalise_factor("factors.repetitiveness", f.repetitiveness)?,
            normalise_factor("factors.aiAdoption", f.ai_adoption)?,
            normalise_factor("factors.humanJudgment", f.human_judgment)?,
        )),
        None => None,
    };
    let coverage = exposure.map_or(0.0, |e| e.coverage);
    let lambda = match (exposure, factors) {
        (None, None) => return Err(ScoringError::NoEvidence),
        (Some(_), None) => 1.0,
        (_, Some(_)) => LAMBDA_MAX * coverage,
    };

    let mut parts: Vec<(EvidenceKind, f64)> = Vec::with_capacity(4);
    if let Some(e) = exposure {
        parts.push((EvidenceKind::TaskExposure, lambda * 100.0 * e.beta));
    }
    let mut factor_index = None;
    if let Some((r, a, j)) = factors {
        let rest = (1.0 - lambda) * 100.0;
        parts.push((EvidenceKind::Repetitiveness, rest * W_REPETITIVENESS * r));
        parts.push((EvidenceKind::AiAdoption, rest * W_ADOPTION * a));
        parts.push((EvidenceKind::HumanJudgment, rest * W_JUDGMENT * (1.0 - j)));
        factor_index =
            Some(100.0 * (W_REPETITIVENESS * r + W_ADOPTION * a + W_JUDGMENT * (1.0 - j)));
    }
    let exact_score: f64 = parts.iter().map(|(_, p)| p).sum();
    // Float noise can push a 100-point score a hair above 100; inputs are already validated.
    let score = exact_score.round().clamp(0.0, 100.0) as u8;
    let points = largest_remainder(&parts.iter().map(|(_, p)| *p).collect::<Vec<_>>(), score);
    let contributions = parts
        .iter()
        .zip(points)
        .map(|(&(kind, exact), points)| Contribution {
            kind,
            points,
            exact,
        })
        .collect();

    Ok(Assessment {
        score,
        level: Level::from_score(score),
        exact_score,
        coverage,
        task_weight: lambda,
        task_exposure: exposure,
        factor_index,
        contributions,
        model_version: MODEL_VERSION.to_owned(),
    })
}

/// Rounds non-negative `parts` to integers that add up to `total` (Hamilton's method): floors
/// first, then one extra point to each of the largest remainders.
fn largest_remainder(parts: &[f64], total: u8) -> Vec<u8> {
    let mut points: Vec<u8> = parts.iter().map(|p| p.max(0.0).floor() as u8).collect();
    let assigned: u32 = points.iter().map(|&p| u32::from(p)).sum();
    let mut missing = u32::from(total).saturating_sub(assigned);
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&x, &y| {
        let rx = parts[x] - parts[x].floor();
        let ry = parts[y] - parts[y].floor();
        ry.total_cmp(&rx).then(x.cmp(&y))
    });
    for &i in order.iter().cycle().take(parts.len() * 2) {
        if missing == 0 {
            break;
        }
        points[i] += 1;
        missing -= 1;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(label: ExposureLabel, task_type: Option<TaskType>) -> Task {
        Task {
            label: Some(label),
            task_type,
            time_share: None,
        }
    }

    #[test]
    fn core_tasks_weigh_twice_supplemental_and_untyped_once() {
        let tasks = [
            labelled(ExposureLabel::E1, Some(TaskType::Core)),
            labelled(ExposureLabel::E0, Some(TaskType::Supplemental)),
            labelled(ExposureLabel::E2, None),
        ];
        let e = task_exposure(&tasks).expect("valid").expect("labelled");
        assert!((e.alpha - 2.0 / 4.0).abs() < 1e-12);
        assert!((e.beta - 2.5 / 4.0).abs() < 1e-12);
        assert!((e.gamma - 3.0 / 4.0).abs() < 1e-12);
        assert_eq!(e.coverage, 1.0);
    }

    #[test]
    fn time_shares_replace_type_weights_only_when_every_task_has_one() {
        let mut tasks = vec![
            Task {
                label: Some(ExposureLabel::E1),
                task_type: Some(TaskType::Core),
                time_share: Some(1.0),
            },
            Task {
                label: Some(ExposureLabel::E0),
                task_type: Some(TaskType::Supplemental),
                time_share: Some(3.0),
            },
        ];
        let with_shares = task_exposure(&tasks).expect("valid").expect("labelled");
        assert!((with_shares.alpha - 0.25).abs() < 1e-12);
        tasks[1].time_share = None;
        let by_type = task_exposure(&tasks).expect("valid").expect("labelled");
        assert!((by_type.alpha - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn unlabelled_tasks_lower_coverage_not_the_indices() {
        let tasks = [
            labelled(ExposureLabel::E1, Some(TaskType::Core)),
            Task {
                label: None,
                task_type: Some(TaskType::Core),
                time_share: None,
            },
        ];
        let e = task_exposure(&tasks).expect("valid").expect("labelled");
        assert_eq!(e.beta, 1.0);
        assert_eq!(e.coverage, 0.5);
        assert_eq!(e.labelled_tasks, 1);
    }

    #[test]
    fn no_labelled_task_gives_no_indices() {
        assert_eq!(task_exposure(&[]).expect("valid"), None);
        let unlabelled = [Task::default()];
        assert_eq!(task_exposure(&unlabelled).expect("valid"), None);
    }

    #[test]
    fn negative_or_non_finite_share_is_an_error_naming_the_task() {
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            let tasks = [Task {
                label: Some(ExposureLabel::E1),
                task_type: None,
                time_share: Some(bad),
            }];
            let err = task_exposure(&tasks).expect_err("invalid share");
            assert!(matches!(
                err,
                ScoringError::InvalidTimeShare { index: 0, .. }
            ));
            assert!(err.to_string().starts_with("tasks[0].timeShare"));
        }
    }

    #[test]
    fn all_zero_shares_is_an_error() {
        let tasks = [Task {
            label: Some(ExposureLabel::E1),
            task_type: None,
            time_share: Some(0.0),
        }];
        assert_eq!(task_exposure(&tasks), Err(ScoringError::ZeroTotalShare));
    }

    #[test]
    fn factor_outside_one_to_ten_is_an_error_naming_the_field() {
        let evidence = Evidence {
            tasks: vec![],
            factors: Some(Factors {
                repetitiveness: 5,
                ai_adoption: 11,
                human_judgment: 5,
            }),
        };
        let err = assess(&evidence).expect_err("out of range");
        assert_eq!(
            err,
            ScoringError::FactorOutOfRange {
                field: "factors.aiAdoption",
                value: 11
            }
        );
        assert!(err.to_string().contains("from 1 to 10"));
    }

    #[test]
    fn no_evidence_is_an_error() {
        assert_eq!(assess(&Evidence::default()), Err(ScoringError::NoEvidence));
    }

    #[test]
    fn unknown_label_is_an_error() {
        let err = "E3".parse::<ExposureLabel>().expect_err("unknown");
        assert!(err.to_string().contains("E3"));
        assert_eq!("E2".parse::<ExposureLabel>(), Ok(ExposureLabel::E2));
    }

    #[test]
    fn worked_example_backend_developer_shape() {
        // Beta 0.45 (the published human beta of Software Developers); factors r=6 a=8 j=8:
        // F = 100 * (0.25*5/9 + 0.45*7/9 + 0.30*2/9) = 55.56, score = 0.6*45 + 0.4*55.56 = 49.2.
        let tasks: Vec<Task> = std::iter::repeat_n(labelled(ExposureLabel::E2, None), 9)
            .chain(std::iter::once(labelled(ExposureLabel::E0, None)))
            .collect();
        let a = assess(&Evidence {
            tasks,
            factors: Some(Factors {
                repetitiveness: 6,
                ai_adoption: 8,
                human_judgment: 8,
            }),
        })
        .expect("valid");
        assert!((a.factor_index.expect("factors") - 55.555_555).abs() < 1e-3);
        assert_eq!(a.score, 49);
        assert_eq!(a.level, Level::Moderate);
        let sum: u32 = a.contributions.iter().map(|c| u32::from(c.points)).sum();
        assert_eq!(sum, 49);
    }

    #[test]
    fn factors_alone_score_the_factor_index() {
        let a = assess(&Evidence {
            tasks: vec![],
            factors: Some(Factors {
                repetitiveness: 10,
                ai_adoption: 10,
                human_judgment: 1,
            }),
        })
        .expect("valid");
        assert_eq!(a.score, 100);
        assert_eq!(a.task_weight, 0.0);
        assert_eq!(a.coverage, 0.0);
    }

    #[test]
    fn largest_remainder_adds_up() {
        assert_eq!(largest_remainder(&[10.4, 10.4, 10.2], 31), vec![11, 10, 10]);
        assert_eq!(largest_remainder(&[0.5, 0.5], 1), vec![1, 0]);
        assert_eq!(
            largest_remainder(&[33.3, 33.3, 33.4], 100),
            vec![33, 33, 34]
        );
    }

    #[test]
    fn bands_agree_with_from_score_and_weights_sum_to_one() {
        for (level, lo, hi) in Level::BANDS {
            assert_eq!(Level::from_score(lo), level);
            assert_eq!(Level::from_score(hi), level);
        }
        assert!((W_REPETITIVENESS + W_ADOPTION + W_JUDGMENT - 1.0).abs() < 1e-12);
    }

    #[test]
    fn levels_change_at_25_50_75() {
        assert_eq!(Level::from_score(24), Level::Low);
        assert_eq!(Level::from_score(25), Level::Moderate);
        assert_eq!(Level::from_score(49), Level::Moderate);
        assert_eq!(Level::from_score(50), Level::High);
        assert_eq!(Level::from_score(74), Level::High);
        assert_eq!(Level::from_score(75), Level::VeryHigh);
        assert_eq!(Level::from_score(100), Level::VeryHigh);
    }
}
