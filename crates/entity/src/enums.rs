//! Enumerations stored as short upper-case strings, readable in SQL on both databases.

use schemars::JsonSchema;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Editorial state of a role page.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleStatus {
    /// Being written; visible only to editors.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Live for everyone.
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    /// Withdrawn; visible only to editors.
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// Risk level band, mirroring `scoring::Level`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// 0-24.
    #[sea_orm(string_value = "LOW")]
    Low,
    /// 25-49.
    #[sea_orm(string_value = "MODERATE")]
    Moderate,
    /// 50-74.
    #[sea_orm(string_value = "HIGH")]
    High,
    /// 75-100.
    #[sea_orm(string_value = "VERY_HIGH")]
    VeryHigh,
}

/// Exposure label of a task (Eloundou et al. rubric).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(2))")]
pub enum Exposure {
    /// Not exposed.
    #[sea_orm(string_value = "E0")]
    E0,
    /// Directly exposed.
    #[sea_orm(string_value = "E1")]
    E1,
    /// Exposed through LLM-powered software.
    #[sea_orm(string_value = "E2")]
    E2,
}

/// O*NET task type.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskType {
    /// Core task.
    #[sea_orm(string_value = "CORE")]
    Core,
    /// Supplemental task.
    #[sea_orm(string_value = "SUPPLEMENTAL")]
    Supplemental,
}

/// How a tool relates to a role.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ToolLinkKind {
    /// A tool that changes the role's work.
    #[sea_orm(string_value = "AFFECTING")]
    Affecting,
    /// A tool people in the role should learn.
    #[sea_orm(string_value = "TO_MASTER")]
    ToMaster,
}
