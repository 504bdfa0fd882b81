//! A task of a role: evidence for the score.

use sea_orm::entity::prelude::*;

use crate::enums::{Exposure, TaskType};

/// A task row, ordered by `position` within its role.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "role_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub position: i32,
    pub text: String,
    pub exposure: Option<Exposure>,
    pub time_share: Option<f64>,
    pub task_type: Option<TaskType>,
}

/// Relations of a task.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
