//! Reads of role pages: one role by slug, and the batched reads behind the GraphQL loaders
//! (one statement per kind of field per batch). Role rows are only ever read through
//! [`visibility::roles`](super::visibility::roles).

use entity::{
    category, role, role_faq, role_migration_path, role_skill, role_source, role_task, role_tool,
    source, tool,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::Store;
use super::content::is_slug;
use super::visibility::{self, Visibility};
use crate::error::ApiResult;

impl Store {
    /// The role with `slug`, if `visibility` shows it.
    pub async fn role(
        &self,
        visibility: &Visibility,
        slug: &str,
    ) -> ApiResult<Option<role::Model>> {
        if !is_slug(slug) {
            return Ok(None);
        }
        Ok(visibility::roles(visibility)
            .filter(role::Column::Slug.eq(slug))
            .one(self.db())
            .await?)
    }
}

/// The roles among `ids` that `visibility` shows.
pub async fn roles_by_id(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    ids: Vec<i32>,
) -> Result<Vec<role::Model>, DbErr> {
    visibility::roles(visibility)
        .filter(role::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// The roles of the categories `ids` that `visibility` shows, by score.
pub async fn roles_in_categories(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    ids: Vec<i32>,
) -> Result<Vec<role::Model>, DbErr> {
    visibility::roles(visibility)
        .filter(role::Column::CategoryId.is_in(ids))
        .order_by_asc(role::Column::Score)
        .order_by_asc(role::Column::Id)
        .all(db)
        .await
}

/// The categories with these ids.
pub async fn categories_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .filter(category::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// The tools with these ids.
pub async fn tools_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<Vec<tool::Model>, DbErr> {
    tool::Entity::find()
        .filter(tool::Column::Id.is_in(ids))
        .all(db)
        .await
}

macro_rules! children {
    ($($(#[$doc:meta])* $name:ident => $entity:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub async fn $name(
            db: &impl ConnectionTrait,
            role_ids: Vec<i32>,
        ) -> Result<Vec<$entity::Model>, DbErr> {
            $entity::Entity::find()
                .filter($entity::Column::RoleId.is_in(role_ids))
                .order_by_asc($entity::Column::RoleId)
                .order_by_asc($entity::Column::Position)
                .all(db)
                .await
        }
    )*};
}

children! {
    /// The tasks of these roles, in page order.
    tasks_of => role_task,
    /// The tool links (both kinds) of these roles, in page order.
    tool_links_of => role_tool,
    /// The protective skills of these roles, in page order.
    skills_of => role_skill,
    /// The migration paths of these roles, in page order.
    paths_of => role_migration_path,
    /// The FAQs of these roles, in page order.
    faqs_of => role_faq,
}

/// The citations of these roles with their sources, in page order.
pub async fn citations_of(
    db: &impl ConnectionTrait,
    role_ids: Vec<i32>,
) -> Result<Vec<(role_source::Model, Option<source::Model>)>, DbErr> {
    role_source::Entity::find()
        .filter(role_source::Column::RoleId.is_in(role_ids))
        .order_by_asc(role_source::Column::RoleId)
        .order_by_asc(role_source::Column::Position)
        .find_also_related(source::Entity)
        .all(db)
        .await
}
