//! GraphQL enums, mirrored from the stored ones.

use async_graphql::Enum;

/// Risk band of a 0-100 score.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RiskLevel {
    /// Score 0-24.
    Low,
    /// Score 25-49.
    Moderate,
    /// Score 50-74.
    High,
    /// Score 75-100.
    VeryHigh,
}

impl From<entity::Level> for RiskLevel {
    fn from(l: entity::Level) -> Self {
        match l {
            entity::Level::Low => Self::Low,
            entity::Level::Moderate => Self::Moderate,
            entity::Level::High => Self::High,
            entity::Level::VeryHigh => Self::VeryHigh,
        }
    }
}

impl From<RiskLevel> for entity::Level {
    fn from(l: RiskLevel) -> Self {
        match l {
            RiskLevel::Low => Self::Low,
            RiskLevel::Moderate => Self::Moderate,
            RiskLevel::High => Self::High,
            RiskLevel::VeryHigh => Self::VeryHigh,
        }
    }
}

/// Editorial state of a role page.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RoleStatus {
    /// Being written; visible to editors only.
    Draft,
    /// Live for everyone.
    Published,
    /// Withdrawn; visible to editors only.
    Archived,
}

impl From<entity::RoleStatus> for RoleStatus {
    fn from(s: entity::RoleStatus) -> Self {
        match s {
            entity::RoleStatus::Draft => Self::Draft,
            entity::RoleStatus::Published => Self::Published,
            entity::RoleStatus::Archived => Self::Archived,
        }
    }
}

impl From<RoleStatus> for entity::RoleStatus {
    fn from(s: RoleStatus) -> Self {
        match s {
            RoleStatus::Draft => Self::Draft,
            RoleStatus::Published => Self::Published,
            RoleStatus::Archived => Self::Archived,
        }
    }
}

/// Exposure label of a task, in the rubric of Eloundou et al. ("GPTs are GPTs").
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExposureLabel {
    /// Not exposed: no time saved by a language model.
    E0,
    /// Directly exposed: a language model alone halves the task's time at equal quality.
    E1,
    /// Exposed through software built on a language model.
    E2,
}

impl From<entity::Exposure> for ExposureLabel {
    fn from(e: entity::Exposure) -> Self {
        match e {
            entity::Exposure::E0 => Self::E0,
            entity::Exposure::E1 => Self::E1,
            entity::Exposure::E2 => Self::E2,
        }
    }
}

impl From<ExposureLabel> for entity::Exposure {
    fn from(e: ExposureLabel) -> Self {
        match e {
            ExposureLabel::E0 => Self::E0,
            ExposureLabel::E1 => Self::E1,
            ExposureLabel::E2 => Self::E2,
        }
    }
}

/// Whether a task is core to the role or supplemental.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TaskType {
    /// Core task (weight 2 without time shares).
    Core,
    /// Supplemental task (weight 1 without time shares).
    Supplemental,
}

impl From<entity::TaskType> for TaskType {
    fn from(t: entity::TaskType) -> Self {
        match t {
            entity::TaskType::Core => Self::Core,
            entity::TaskType::Supplemental => Self::Supplemental,
        }
    }
}

impl From<TaskType> for entity::TaskType {
    fn from(t: TaskType) -> Self {
        match t {
            TaskType::Core => Self::Core,
            TaskType::Supplemental => Self::Supplemental,
        }
    }
}

/// One of the three editor-scored factors.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FactorKind {
    /// How predictable the work is; raises risk.
    Repetitiveness,
    /// How widely AI tools are already used; raises risk.
    AiAdoption,
    /// How much the work needs human judgment; lowers risk.
    HumanJudgment,
}

/// A piece of evidence the score is split into.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EvidenceKind {
    /// The task-exposure index.
    TaskExposure,
    /// The repetitiveness factor.
    Repetitiveness,
    /// The AI-adoption factor.
    AiAdoption,
    /// The human-judgment factor (points added by a lack of judgment-heavy work).
    HumanJudgment,
}

/// Sort key of a role list.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RoleOrderField {
    /// By title.
    Title,
    /// By risk score.
    Score,
    /// By time of last update.
    UpdatedAt,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}
