//! Batched loading of nested fields: one DataLoader per request, one SQL statement per kind of
//! field per batch, so a page of 50 roles with their categories, tasks and tools takes a fixed
//! number of statements, not one per role.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entity::{
    category, role_faq, role_migration_path, role_review, role_schedule, role_skill, role_task,
    role_tool, source, tool,
};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::service::publishing::{self, LinkRequest, Page};
use crate::service::reads;

/// Loader error: the database error, shared because every waiting field gets a copy.
#[derive(Clone, Debug)]
pub struct LoadError(pub Arc<sea_orm::DbErr>);

impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        if crate::error::is_unavailable(&e.0) {
            ApiError::Unavailable(format!("batch load failed: {}", e.0))
        } else {
            ApiError::Internal(format!("batch load failed: {}", e.0))
        }
    }
}

impl<T> crate::error::ResultExt<T> for Result<T, LoadError> {
    fn gql(self) -> crate::error::GqlResult<T> {
        use async_graphql::ErrorExtensions;
        self.map_err(|e| ApiError::from(e).extend())
    }
}

impl From<ApiError> for LoadError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Database(db) => Self(Arc::new(db)),
            other => Self(Arc::new(sea_orm::DbErr::Custom(other.to_string()))),
        }
    }
}

impl From<sea_orm::DbErr> for LoadError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self(Arc::new(e))
    }
}

/// Loads what is nested under editors' working copies for one request. Published pages carry
/// their sections, and their nested roles come in one statement per nesting level from the
/// look-ahead (`graphql::prefetch`), so the public path never waits for a batching window.
pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    /// A loader for one request.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Key: a category by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CategoryById(pub i32);
/// Key: a tool by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToolById(pub i32);
/// Key: a role's published page by id, if it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RoleById(pub i32);
/// Key: a role's tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TasksOf(pub i32);
/// Key: a role's tool links (both kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToolLinksOf(pub i32);
/// Key: a role's protective skills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillsOf(pub i32);
/// Key: a role's migration paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathsOf(pub i32);
/// Key: a role's FAQs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FaqsOf(pub i32);
/// Key: a role's cited sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourcesOf(pub i32);
/// Key: a role's review dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReviewOf(pub i32);
/// Key: a role's planned publish or unpublish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScheduleOf(pub i32);
pub use crate::service::reads::PeersOf;

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> i32) -> Vec<i32> {
    keys.iter().map(|k| id(*k)).collect()
}

/// Groups rows by owner, giving every requested key an entry (empty lists included).
fn group<K, M>(keys: &[K], rows: Vec<M>, key_of: impl Fn(&M) -> K) -> HashMap<K, Vec<M>>
where
    K: Copy + Eq + std::hash::Hash,
{
    let mut map: HashMap<K, Vec<M>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        if let Some(list) = map.get_mut(&key_of(&row)) {
            list.push(row);
        }
    }
    map
}

macro_rules! by_id {
    ($key:ident, $read:path, $value:ty) => {
        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let rows = $read(&self.db, ids(keys, |k| k.0)).await?;
                Ok(rows.into_iter().map(|m| ($key(m.id), m)).collect())
            }
        }
    };
}

by_id!(CategoryById, reads::categories_by_id, category::Model);
by_id!(ToolById, reads::tools_by_id, tool::Model);

impl Loader<RoleById> for DbLoader {
    type Value = Page;
    type Error = LoadError;

    async fn load(&self, keys: &[RoleById]) -> Result<HashMap<RoleById, Page>, LoadError> {
        let request = LinkRequest {
            targets: ids(keys, |k| k.0),
            targets_body: true,
            ..LinkRequest::default()
        };
        let links = publishing::links(&self.db, &request).await?;
        Ok(links
            .targets
            .into_iter()
            .map(|(id, page)| (RoleById(id), page))
            .collect())
    }
}

macro_rules! children {
    ($key:ident, $entity:ident, $read:path) => {
        impl Loader<$key> for DbLoader {
            type Value = Vec<$entity::Model>;
            type Error = LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<HashMap<$key, Vec<$entity::Model>>, LoadError> {
                let rows = $read(&self.db, ids(keys, |k| k.0)).await?;
                Ok(group(keys, rows, |m| $key(m.role_id)))
            }
        }
    };
}

children!(TasksOf, role_task, reads::tasks_of);
children!(ToolLinksOf, role_tool, reads::tool_links_of);
children!(SkillsOf, role_skill, reads::skills_of);
children!(PathsOf, role_migration_path, reads::paths_of);
children!(FaqsOf, role_faq, reads::faqs_of);

impl Loader<SourcesOf> for DbLoader {
    type Value = Vec<source::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SourcesOf],
    ) -> Result<HashMap<SourcesOf, Vec<source::Model>>, LoadError> {
        let citations = reads::citations_of(&self.db, ids(keys, |k| k.0)).await?;
        let mut map: HashMap<SourcesOf, Vec<source::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (citation, src) in citations {
            if let (Some(list), Some(src)) = (map.get_mut(&SourcesOf(citation.role_id)), src) {
                list.push(src);
            }
        }
        Ok(map)
    }
}

impl Loader<ReviewOf> for DbLoader {
    type Value = role_review::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ReviewOf],
    ) -> Result<HashMap<ReviewOf, role_review::Model>, LoadError> {
        let rows = crate::service::reviews::of_roles(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rows.into_iter().map(|(id, r)| (ReviewOf(id), r)).collect())
    }
}

impl Loader<PeersOf> for DbLoader {
    type Value = Vec<Page>;
    type Error = LoadError;

    async fn load(&self, keys: &[PeersOf]) -> Result<HashMap<PeersOf, Vec<Page>>, LoadError> {
        let request = LinkRequest {
            peers: keys.to_vec(),
            peers_body: true,
            ..LinkRequest::default()
        };
        let links = publishing::links(&self.db, &request).await?;
        // Several keys can name one role (different `first`): each gets all its rows, and the
        // resolver keeps the nearest `first`.
        Ok(keys
            .iter()
            .map(|key| {
                let peers = links.peers.get(&key.role_id).cloned().unwrap_or_default();
                (*key, peers)
            })
            .collect())
    }
}

impl Loader<ScheduleOf> for DbLoader {
    type Value = role_schedule::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ScheduleOf],
    ) -> Result<HashMap<ScheduleOf, role_schedule::Model>, LoadError> {
        let rows = crate::service::schedules::of_roles(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rows
            .into_iter()
            .map(|(id, r)| (ScheduleOf(id), r))
            .collect())
    }
}
