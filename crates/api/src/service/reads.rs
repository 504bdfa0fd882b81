//! Reads of working copies: one role by slug, and the batched reads behind the loaders of
//! editors' previews (one statement per kind of field per batch); published pages are read in
//! `publishing`. Role rows are only ever read through
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

impl Store {
    /// The working copy of role `id`, for editors.
    pub async fn working_copy(
        &self,
        _reader: &crate::auth::Permit<crate::auth::permit::Read>,
        id: i32,
    ) -> ApiResult<Option<role::Model>> {
        Ok(role::Entity::find_by_id(id).one(self.db()).await?)
    }
}

/// A role asking for its `first` nearest peers in score within its category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PeersOf {
    /// The role.
    pub role_id: i32,
    /// Its category.
    pub category_id: i32,
    /// Its score.
    pub score: i32,
    /// How many peers.
    pub first: u32,
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
