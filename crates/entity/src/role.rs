//! A role: one job's AI risk page.

use sea_orm::entity::prelude::*;

use crate::content::Contributions;
use crate::enums::{Level, RoleStatus};

/// A role row; the score columns are written only from `scoring` output.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub industry_context: String,
    /// Lower-cased title and summary, for case-insensitive search on every database.
    pub search_text: String,
    pub category_id: i32,
    pub onet_soc_code: Option<String>,
    pub repetitiveness: i32,
    pub repetitiveness_explanation: String,
    pub ai_adoption: i32,
    pub ai_adoption_explanation: String,
    pub human_judgment: i32,
    pub human_judgment_explanation: String,
    pub score: i32,
    pub level: Level,
    pub exact_score: f64,
    pub coverage: f64,
    pub task_alpha: Option<f64>,
    pub task_beta: Option<f64>,
    pub task_gamma: Option<f64>,
    /// What each piece of evidence adds to the score, as the scoring crate computed it.
    #[sea_orm(column_type = "JsonBinary")]
    pub contributions: Contributions,
    pub model_version: String,
    pub status: RoleStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// The version live in the published snapshot; null while the role has none.
    #[serde(default)]
    pub published_version: Option<i32>,
    /// Whether the working copy differs from the published snapshot.
    #[serde(default)]
    pub has_unpublished_changes: bool,
}

/// Relations of a role.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The role's category.
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id"
    )]
    Category,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
