//! Nested roles of published pages, read ahead: one statement per level of nesting for a whole
//! request, decided from the query's selection (async-graphql's look-ahead) before any nested
//! resolver runs. The README's page query is two statements (the page, then its related roles
//! and migration targets together); a list of 100 pages with the same fields is one more than
//! the list, whatever its length. No DataLoader window: nothing waits for a timer.

use std::collections::HashMap;

use async_graphql::{Lookahead, SelectionField, Value};

use crate::error::ApiResult;
use crate::graphql::types::role::{RELATED_DEFAULT, RELATED_MAX, Role};
use crate::service::Store;
use crate::service::publishing::{self, LinkRequest};
use crate::service::reads::PeersOf;

/// Fields of `Role` that need a published page's sections (its `body`).
const BODY_FIELDS: [&str; 8] = [
    "tasks",
    "tasksAtRisk",
    "toolsAffecting",
    "toolsToMaster",
    "protectiveSkills",
    "migrationPaths",
    "faqs",
    "sources",
];

/// Deepest nesting of roles in roles read ahead; deeper ones (which the depth limit makes rare)
/// are read by their own resolvers.
const MAX_LEVELS: usize = 16;

/// A selection of `Role` fields: the merged selection sets of every field that returns the
/// roles (aliases and fragments included).
#[derive(Clone, Default)]
pub struct Selection<'a>(Vec<SelectionField<'a>>);

impl<'a> Selection<'a> {
    /// The selection under `lookahead`.
    pub fn of(lookahead: &Lookahead<'a>) -> Self {
        Self(lookahead.selection_fields())
    }

    /// The union of several selections.
    pub fn merge(parts: impl IntoIterator<Item = Selection<'a>>) -> Self {
        Self(parts.into_iter().flat_map(|p| p.0).collect())
    }

    fn lookahead(&self) -> Option<Lookahead<'a>> {
        Lookahead::try_from(self.0.as_slice()).ok()
    }

    /// The selection of field `name` within this one.
    pub fn field(&self, name: &str) -> Self {
        self.lookahead()
            .map(|l| Self::of(&l.field(name)))
            .unwrap_or_default()
    }

    /// Whether anything is selected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the roles selected here need their sections.
    pub fn needs_body(&self) -> bool {
        self.lookahead()
            .is_some_and(|l| BODY_FIELDS.iter().any(|f| l.field(f).exists()))
    }

    /// The largest valid `first` among these `relatedRoles` fields.
    fn related_first(&self) -> u32 {
        self.0
            .iter()
            .map(|f| {
                f.arguments()
                    .ok()
                    .and_then(|args| {
                        args.into_iter()
                            .find(|(name, _)| name.as_str() == "first")
                            .map(|(_, v)| v)
                    })
                    .map_or(Some(i64::from(RELATED_DEFAULT)), |v| match v {
                        Value::Number(n) => n.as_i64(),
                        _ => None,
                    })
                    .filter(|n| (0..=i64::from(RELATED_MAX)).contains(n))
                    .unwrap_or(0) as u32
            })
            .max()
            .unwrap_or(0)
    }
}

/// Reads ahead the related roles and migration targets that `selection` asks of `roots` (all
/// published pages) and of the roles nested in them, level by level.
pub async fn prefetch(store: &Store, roots: &[Role], selection: Selection<'_>) -> ApiResult<()> {
    let mut level: Vec<(Vec<Role>, Selection<'_>)> = vec![(roots.to_vec(), selection)];
    for _ in 0..MAX_LEVELS {
        let mut request = LinkRequest::default();
        let mut plans = Vec::new();
        for (roles, selection) in &level {
            let related = selection.field("relatedRoles");
            let first = if related.is_empty() {
                0
            } else {
                related.related_first()
            };
            let targets = selection.field("migrationPaths").field("target");
            if first == 0 && targets.is_empty() {
                continue;
            }
            request.peers_body |= first > 0 && related.needs_body();
            request.targets_body |= !targets.is_empty() && targets.needs_body();
            for role in roles.iter().filter(|r| r.is_published()) {
                let row = role.row();
                if first > 0 {
                    request.peers.push(PeersOf {
                        role_id: row.id,
                        category_id: row.category_id,
                        score: row.score,
                        first,
                    });
                }
                if !targets.is_empty() {
                    request.targets.extend(role.path_targets());
                }
            }
            plans.push((roles, first, related, targets));
        }
        if plans.is_empty() {
            return Ok(());
        }
        request.targets.sort_unstable();
        request.targets.dedup();
        let publishing::Links { peers, targets } = publishing::links(store.db(), &request).await?;
        // One shared role per target, however many pages link to it.
        let target_roles: HashMap<i32, Role> = targets
            .into_iter()
            .map(|(id, page)| (id, Role::published(page)))
            .collect();
        let mut next = Vec::new();
        for (roles, first, related, targets) in plans {
            let mut related_children = Vec::new();
            let mut target_children = Vec::new();
            for role in roles.iter().filter(|r| r.is_published()) {
                let row = role.row();
                if first > 0 {
                    let mine = peers.get(&row.id).cloned().unwrap_or_default();
                    let peers: Vec<Role> = publishing::nearest(mine, row.score, first as usize)
                        .into_iter()
                        .map(Role::published)
                        .collect();
                    related_children.extend(peers.iter().cloned());
                    role.set_related(peers);
                }
                if !targets.is_empty() {
                    let found: HashMap<i32, Role> = role
                        .path_targets()
                        .into_iter()
                        .filter_map(|id| target_roles.get(&id).map(|r| (id, r.clone())))
                        .collect();
                    target_children.extend(found.values().cloned());
                    role.set_targets(found);
                }
            }
            if !related_children.is_empty() {
                next.push((related_children, related));
            }
            if !target_children.is_empty() {
                next.push((target_children, targets));
            }
        }
        level = next;
        if level.is_empty() {
            return Ok(());
        }
    }
    Ok(())
}
