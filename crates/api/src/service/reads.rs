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

/// For each request, its `first` nearest peers that `visibility` shows: same category, not the
/// role itself, ordered by distance in score, then title, then id. One statement for the whole
/// batch, and each request reads at most `2 * first` rows through the (category, status, score)
/// index, however large the category: the nearest `first` by that order are a prefix of the
/// peers at or above the score (ascending) merged with those below it (descending).
pub async fn nearest_peers(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    requests: &[PeersOf],
) -> Result<Vec<(i32, role::Model)>, DbErr> {
    use sea_orm::FromQueryResult;
    let requests: Vec<&PeersOf> = requests.iter().filter(|r| r.first > 0).collect();
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let status = match visibility {
        Visibility::Public => " AND status = 'PUBLISHED'",
        Visibility::Editor(_) => "",
    };
    // Only integers of our own rows are spliced in (no client text), so the statement is the
    // same on both databases without placeholders. Each branch sits in a subquery because
    // SQLite allows ORDER BY and LIMIT only on a whole compound select.
    let branches: Vec<String> = requests
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let (id, category, score, first) = (r.role_id, r.category_id, r.score, r.first);
            let base = format!(
                "SELECT {id} AS peer_of, roles.* FROM roles WHERE category_id = {category} AND id <> {id}{status}"
            );
            [
                format!(
                    "SELECT * FROM ({base} AND score >= {score} ORDER BY score ASC, title ASC, id ASC LIMIT {first}) AS up{i}"
                ),
                format!(
                    "SELECT * FROM ({base} AND score < {score} ORDER BY score DESC, title ASC, id ASC LIMIT {first}) AS down{i}"
                ),
            ]
        })
        .collect();
    let statement =
        sea_orm::Statement::from_string(db.get_database_backend(), branches.join(" UNION ALL "));
    let mut peers = Vec::new();
    for row in db.query_all_raw(statement).await? {
        let peer_of: i32 = row.try_get("", "peer_of")?;
        peers.push((peer_of, role::Model::from_query_result(&row, "")?));
    }
    Ok(peers)
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
