//! Relay-style cursor connections of roles, and the list arguments.

use async_graphql::{Context, InputObject, SimpleObject};

use super::enums::{OrderDirection, RiskLevel, RoleOrderField, RoleStatus};
use super::role::Role;
use crate::cache::Tag;
use crate::error::ApiResult;
use crate::graphql::context::read;
use crate::graphql::prefetch::{Selection, prefetch};
use crate::service::listing::{self, Direction, Filter, OrderField, PageRequest};

/// A page of roles.
#[derive(SimpleObject, Clone, Debug)]
pub struct RoleConnection {
    /// The roles with their cursors.
    pub edges: Vec<RoleEdge>,
    /// The roles alone, for clients that need no cursors.
    pub nodes: Vec<Role>,
    /// Where this page sits.
    pub page_info: PageInfo,
    /// How many roles match the filter, across all pages.
    pub total_count: i64,
}

/// A role and the cursor to continue after it.
#[derive(SimpleObject, Clone, Debug)]
pub struct RoleEdge {
    /// Opaque cursor; pass it as `after` to get the roles that follow.
    pub cursor: String,
    /// The role.
    pub node: Role,
}

/// Paging state of a connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether more roles follow this page.
    pub has_next_page: bool,
    /// Whether roles precede this page (an `after` cursor was given).
    pub has_previous_page: bool,
    /// Cursor of the first role of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last role of the page; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Which roles to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct RoleFilter {
    /// Only roles of this category.
    pub category_slug: Option<String>,
    /// Only roles at this risk level.
    pub level: Option<RiskLevel>,
    /// Only roles scoring at least this (0-100).
    pub min_score: Option<i32>,
    /// Only roles scoring at most this (0-100).
    pub max_score: Option<i32>,
    /// Words to find (at most 200 characters): ranked full-text search of titles, summaries,
    /// tasks and skills, each word also matching as a prefix ("backe" finds Backend
    /// Developer); results come most relevant first unless `orderBy` is given. Punctuation only
    /// separates words. In editors' status-filtered lists: a case-insensitive substring of
    /// the title or summary.
    pub search: Option<String>,
    /// Only roles in this editorial state. Editors only (token with content:read); without a
    /// status, lists show published roles to everyone.
    pub status: Option<RoleStatus>,
    /// Only roles due for review (true: their review date has passed) or not due (false), in
    /// every status. Editors only (token with content:read).
    pub review_due: Option<bool>,
}

/// How to order a role list; ties are broken by id, so the order is total.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct RoleOrder {
    /// Sort key.
    pub field: RoleOrderField,
    /// Direction (default ascending).
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

/// Runs a list query and shapes it as a connection: published pages for everyone, working
/// copies when an editor filters by status.
pub async fn role_connection(
    ctx: &Context<'_>,
    mut filter: Filter,
    public_filter: Option<&RoleFilter>,
    first: Option<i32>,
    after: Option<String>,
    order: Option<RoleOrder>,
) -> ApiResult<RoleConnection> {
    let store = crate::graphql::context::store(ctx)?;
    // Asking for a status is what turns drafts into results: only editors may.
    let wants_status = public_filter.is_some_and(|f| f.status.is_some() || f.review_due.is_some());
    let visibility = crate::graphql::context::visibility(ctx, wants_status)?;
    if let Some(f) = public_filter {
        filter.level = f.level.map(Into::into);
        filter.min_score = f.min_score;
        filter.max_score = f.max_score;
        filter.search = f.search.clone();
        filter.status = f.status.map(Into::into);
        filter.review_due = f.review_due;
        // An unknown category (or a string that cannot be a slug) matches nothing rather than
        // failing: filters narrow, they do not validate references.
        match &f.category_slug {
            Some(slug) if crate::service::content::is_slug(slug) => {
                filter.category_slug = Some(slug.clone());
            }
            Some(_) => filter.category_id = Some(-1),
            None => {}
        }
    }
    let first = listing::check_arguments(first.map(i64::from), &filter)?;
    let searching = filter
        .search
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    let (field, direction) = match order {
        Some(o) => (
            match o.field {
                RoleOrderField::Title => OrderField::Title,
                RoleOrderField::Score => OrderField::Score,
                RoleOrderField::UpdatedAt => OrderField::UpdatedAt,
            },
            match o.direction {
                OrderDirection::Asc => Direction::Asc,
                OrderDirection::Desc => Direction::Desc,
            },
        ),
        // A search of published pages is ranked unless an order is given.
        None if searching && !visibility.is_editor() => (OrderField::Relevance, Direction::Asc),
        None => (OrderField::Title, Direction::Asc),
    };
    let request = PageRequest {
        first,
        after,
        field,
        direction,
    };
    let lookahead = ctx.look_ahead();
    let nodes = Selection::merge([
        Selection::of(&lookahead.field("nodes")),
        Selection::of(&lookahead.field("edges").field("node")),
    ]);
    let with_count = lookahead.field("totalCount").exists();
    let (items, page_info, total) = if visibility.is_editor() {
        let count = if with_count {
            listing::Count::Exact
        } else {
            listing::Count::Skip
        };
        let page = store
            .list_roles(&visibility, &filter, &request, count)
            .await?;
        let info = (page.has_next_page, page.has_previous_page);
        let items: Vec<(String, Role)> = page
            .items
            .into_iter()
            .map(|(c, r)| (c, Role::working(r)))
            .collect();
        (items, info, page.total_count)
    } else {
        let page = listing::list_published(
            store.db(),
            &filter,
            &request,
            nodes.needs_body(),
            with_count,
        )
        .await?;
        let info = (page.has_next_page, page.has_previous_page);
        let items: Vec<(String, Role)> = page
            .items
            .into_iter()
            .map(|(c, p)| (c, Role::published(p)))
            .collect();
        let roles: Vec<Role> = items.iter().map(|(_, r)| r.clone()).collect();
        read(ctx, list_tags(&filter, &roles));
        prefetch(store, &roles, nodes).await?;
        (items, info, page.total_count)
    };
    let edges: Vec<RoleEdge> = items
        .into_iter()
        .map(|(cursor, node)| RoleEdge { cursor, node })
        .collect();
    Ok(RoleConnection {
        nodes: edges.iter().map(|e| e.node.clone()).collect(),
        page_info: PageInfo {
            has_next_page: page_info.0,
            has_previous_page: page_info.1,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
        total_count: i64::try_from(total).unwrap_or(i64::MAX),
    })
}

/// What a list of published roles read: each role's page, and the set it was drawn from (a
/// category's or a tool's roles, or all of them), which a publish there changes.
fn list_tags(filter: &Filter, roles: &[Role]) -> Vec<Tag> {
    let mut tags: Vec<Tag> = roles.iter().map(|r| Tag::Role(r.row().id)).collect();
    let category = filter.category_id.or_else(|| {
        // Found by slug: every listed role is in it. An empty list (or an unknown slug) is
        // kept as a list of all roles and of the catalog, which a new category changes.
        filter
            .category_slug
            .as_ref()
            .and_then(|_| roles.first().map(|r| r.row().category_id))
    });
    match (category, filter.tool_id) {
        (None, None) => tags.extend([Tag::Roles, Tag::Catalog]),
        (category, tool) => {
            tags.extend(category.map(Tag::Category));
            tags.extend(tool.map(Tag::Tool));
        }
    }
    tags
}
