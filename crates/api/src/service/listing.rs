//! Listing roles: filters, orders and keyset (cursor) pagination.
//!
//! Cursors encode the sort key and id of the last row (not an offset), so pages stay stable
//! while content changes and a deep page costs the same as the first. They are opaque to
//! clients: base64url of a small JSON document that also names the ordering it belongs to.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{Level, RoleStatus, ToolLinkKind, role, role_tool};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::visibility::{self, Visibility};
use crate::error::{ApiError, ApiResult};

/// Default page size.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page size; larger requests are refused, not clamped.
pub const MAX_PAGE: u64 = 100;
/// Longest search string.
pub const MAX_SEARCH: usize = 200;

/// Sort key of a role list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderField {
    /// By title.
    Title,
    /// By score.
    Score,
    /// By last update.
    UpdatedAt,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// Which roles to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this category.
    pub category_id: Option<i32>,
    /// Only roles this tool affects.
    pub tool_id: Option<i32>,
    /// Only this level.
    pub level: Option<Level>,
    /// Score at least.
    pub min_score: Option<i32>,
    /// Score at most.
    pub max_score: Option<i32>,
    /// Case-insensitive substring of title or summary.
    pub search: Option<String>,
    /// Only this status (editors only; public reads see published roles whatever this says).
    pub status: Option<RoleStatus>,
}

/// A page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Page size, 0..=[`MAX_PAGE`].
    pub first: u64,
    /// Opaque cursor of the last row seen.
    pub after: Option<String>,
    /// Sort key.
    pub field: OrderField,
    /// Sort direction.
    pub direction: Direction,
}

/// One page of roles.
#[derive(Debug, Clone)]
pub struct Page {
    /// The roles, in order, each with its cursor.
    pub items: Vec<(String, role::Model)>,
    /// Whether more rows follow.
    pub has_next_page: bool,
    /// Whether rows precede (a cursor was given).
    pub has_previous_page: bool,
    /// Rows matching the filter, ignoring paging.
    pub total_count: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    f: OrderField,
    d: Direction,
    id: i32,
    #[serde(default)]
    s: Option<String>,
    #[serde(default)]
    n: Option<i32>,
    #[serde(default)]
    t: Option<DateTime<Utc>>,
}

fn encode(field: OrderField, direction: Direction, r: &role::Model) -> String {
    let mut c = Cursor {
        f: field,
        d: direction,
        id: r.id,
        s: None,
        n: None,
        t: None,
    };
    match field {
        OrderField::Title => c.s = Some(r.title.clone()),
        OrderField::Score => c.n = Some(r.score),
        OrderField::UpdatedAt => c.t = Some(r.updated_at),
    }
    // Serialising a struct of plain fields cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap_or_default())
}

fn decode(raw: &str, field: OrderField, direction: Direction) -> ApiResult<Cursor> {
    let invalid = || ApiError::bad_input("after", "is not a cursor returned by this list");
    if raw.len() > 1024 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if c.f != field || c.d != direction {
        return Err(ApiError::bad_input(
            "after",
            "belongs to a different orderBy; start again without it",
        ));
    }
    let has_key = match field {
        OrderField::Title => c.s.is_some(),
        OrderField::Score => c.n.is_some(),
        OrderField::UpdatedAt => c.t.is_some(),
    };
    if has_key { Ok(c) } else { Err(invalid()) }
}

/// Checks and normalises the list arguments, naming the argument on error.
pub fn check_arguments(first: Option<i64>, filter: &Filter) -> ApiResult<u64> {
    let first = match first {
        None => DEFAULT_PAGE,
        Some(n) if n < 0 => return Err(ApiError::bad_input("first", "must not be negative")),
        Some(n) if n as u64 > MAX_PAGE => {
            return Err(ApiError::bad_input(
                "first",
                format!("must be at most {MAX_PAGE}, got {n}"),
            ));
        }
        Some(n) => n as u64,
    };
    for (name, v) in [
        ("filter.minScore", filter.min_score),
        ("filter.maxScore", filter.max_score),
    ] {
        if let Some(v) = v
            && !(0..=100).contains(&v)
        {
            return Err(ApiError::bad_input(
                name,
                format!("must be from 0 to 100, got {v}"),
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (filter.min_score, filter.max_score)
        && lo > hi
    {
        return Err(ApiError::bad_input(
            "filter.minScore",
            "must not exceed filter.maxScore",
        ));
    }
    if let Some(s) = &filter.search
        && s.chars().any(char::is_control)
    {
        return Err(ApiError::bad_input(
            "filter.search",
            "must not contain control characters",
        ));
    }
    if let Some(s) = &filter.search
        && s.chars().count() > MAX_SEARCH
    {
        return Err(ApiError::bad_input(
            "filter.search",
            format!("must be at most {MAX_SEARCH} characters"),
        ));
    }
    Ok(first)
}

fn filter_condition(filter: &Filter, visibility: &Visibility) -> Condition {
    let mut cond = Condition::all();
    if let Some(id) = filter.category_id {
        cond = cond.add(role::Column::CategoryId.eq(id));
    }
    if let Some(id) = filter.tool_id {
        cond = cond.add(
            role::Column::Id.in_subquery(
                Query::select()
                    .column(role_tool::Column::RoleId)
                    .from(role_tool::Entity)
                    .and_where(role_tool::Column::ToolId.eq(id))
                    .and_where(role_tool::Column::Kind.eq(ToolLinkKind::Affecting))
                    .to_owned(),
            ),
        );
    }
    if let Some(level) = filter.level {
        cond = cond.add(role::Column::Level.eq(level));
    }
    if let Some(v) = filter.min_score {
        cond = cond.add(role::Column::Score.gte(v));
    }
    if let Some(v) = filter.max_score {
        cond = cond.add(role::Column::Score.lte(v));
    }
    if let Some(status) = filter.status
        && visibility.is_editor()
    {
        cond = cond.add(role::Column::Status.eq(status));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // LIKE is case-sensitive on PostgreSQL and ASCII-only case-insensitive on SQLite:
        // match the folded needle against the folded copy stored at write time, and escape
        // the user's wildcards so they match literally.
        let escaped = search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        cond = cond.add(
            Expr::col((role::Entity, role::Column::SearchText))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    cond
}

fn after_condition(c: &Cursor, field: OrderField, direction: Direction) -> Condition {
    let col = match field {
        OrderField::Title => role::Column::Title,
        OrderField::Score => role::Column::Score,
        OrderField::UpdatedAt => role::Column::UpdatedAt,
    };
    let (beyond, tie) = match (field, direction) {
        (OrderField::Title, Direction::Asc) => (col.gt(c.s.clone()), role::Column::Id.gt(c.id)),
        (OrderField::Title, Direction::Desc) => (col.lt(c.s.clone()), role::Column::Id.lt(c.id)),
        (OrderField::Score, Direction::Asc) => (col.gt(c.n), role::Column::Id.gt(c.id)),
        (OrderField::Score, Direction::Desc) => (col.lt(c.n), role::Column::Id.lt(c.id)),
        (OrderField::UpdatedAt, Direction::Asc) => (col.gt(c.t), role::Column::Id.gt(c.id)),
        (OrderField::UpdatedAt, Direction::Desc) => (col.lt(c.t), role::Column::Id.lt(c.id)),
    };
    let equal = match field {
        OrderField::Title => col.eq(c.s.clone()),
        OrderField::Score => col.eq(c.n),
        OrderField::UpdatedAt => col.eq(c.t),
    };
    Condition::any()
        .add(beyond)
        .add(Condition::all().add(equal).add(tie))
}

/// Lists one page of roles visible to `visibility`.
pub async fn list_roles(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &Filter,
    page: &PageRequest,
) -> ApiResult<Page> {
    let cond = filter_condition(filter, visibility);
    let total_count = visibility::roles(visibility)
        .filter(cond.clone())
        .count(db)
        .await?;
    let mut query = visibility::roles(visibility).filter(cond);
    if let Some(raw) = &page.after {
        let cursor = decode(raw, page.field, page.direction)?;
        query = query.filter(after_condition(&cursor, page.field, page.direction));
    }
    let order = match page.direction {
        Direction::Asc => Order::Asc,
        Direction::Desc => Order::Desc,
    };
    let col = match page.field {
        OrderField::Title => role::Column::Title,
        OrderField::Score => role::Column::Score,
        OrderField::UpdatedAt => role::Column::UpdatedAt,
    };
    let mut rows = query
        .order_by(col, order.clone())
        .order_by(role::Column::Id, order)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next_page = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| (encode(page.field, page.direction, &r), r))
            .collect(),
        has_next_page,
        has_previous_page: page.after.is_some(),
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_above_the_cap_or_negative_is_refused_naming_first() {
        let f = Filter::default();
        assert_eq!(check_arguments(None, &f).expect("default"), DEFAULT_PAGE);
        assert_eq!(check_arguments(Some(100), &f).expect("cap"), 100);
        for bad in [101, -1, i64::MAX] {
            let err = check_arguments(Some(bad), &f).expect_err("refused");
            assert!(matches!(err, ApiError::BadInput { ref field, .. } if field == "first"));
        }
    }

    #[test]
    fn garbage_and_foreign_cursors_are_bad_input() {
        for raw in ["", "!!!", "bm9wZQ", &"a".repeat(5000)] {
            assert!(
                decode(raw, OrderField::Title, Direction::Asc).is_err(),
                "{raw}"
            );
        }
        let c = Cursor {
            f: OrderField::Score,
            d: Direction::Asc,
            id: 1,
            s: None,
            n: Some(3),
            t: None,
        };
        let raw = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).expect("json"));
        assert!(decode(&raw, OrderField::Score, Direction::Asc).is_ok());
        let err = decode(&raw, OrderField::Title, Direction::Asc).expect_err("other order");
        assert!(err.to_string().contains("different orderBy"));
    }
}
