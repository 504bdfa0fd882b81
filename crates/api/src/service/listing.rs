//! Listing roles: filters, orders and keyset (cursor) pagination.
//!
//! Cursors encode the sort key and id of the last row (not an offset), so pages stay stable
//! while content changes and a deep page costs the same as the first. They are opaque to
//! clients: base64url of a small JSON document that also names the ordering it belongs to.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{
    Level, RoleStatus, ToolLinkKind, category, role, role_revision, role_schedule, role_tool,
};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::Store;
use super::publishing::{self, Page as Published, SqlText};
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
    /// By relevance to the search (best first); only with a search, on published pages.
    Relevance,
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
    /// Only the category with this slug (none when no category has it).
    pub category_slug: Option<String>,
    /// Only roles this tool affects.
    pub tool_id: Option<i32>,
    /// Only this level.
    pub level: Option<Level>,
    /// Score at least.
    pub min_score: Option<i32>,
    /// Score at most.
    pub max_score: Option<i32>,
    /// Words to find: ranked full-text search over published pages (each word also matches
    /// as a prefix); a case-insensitive substring of title or summary in editors' lists.
    pub search: Option<String>,
    /// Only this status (editors only; public reads see published roles whatever this says).
    pub status: Option<RoleStatus>,
    /// Only roles due for review (true) or not due (false); editors only.
    pub review_due: Option<bool>,
    /// Only roles whose working copy differs from their live page (true) or does not
    /// (false); editors only.
    pub unpublished_changes: Option<bool>,
    /// Only roles with a scheduled action (true) or without (false); editors only.
    pub scheduled: Option<bool>,
    /// Only roles with a revision saved by this subject (a studio login, a JWT `sub`);
    /// editors only.
    pub edited_by: Option<String>,
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

/// How far a list of working copies counts the roles its filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Every match (GraphQL's `totalCount`).
    Exact,
    /// Up to this many: a total of one more means "more than this". A person reading a list
    /// needs no exact figure past a few pages, and counting a common word's 12,000 matches
    /// among 100k roles on PostgreSQL read 10,000 heap pages (117 ms).
    UpTo(u64),
    /// Nothing counted: the total is 0 (a type-ahead shows no total).
    Skip,
}

/// One page of roles (working copies, or published pages).
#[derive(Debug, Clone)]
pub struct Page<T = role::Model> {
    /// The roles, in order, each with its cursor.
    pub items: Vec<(String, T)>,
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
    /// Rows before this one, for relevance order (ranks are floats: no stable keyset).
    #[serde(default)]
    o: Option<u64>,
}

fn encode(field: OrderField, direction: Direction, r: &role::Model) -> String {
    encode_at(field, direction, r, None)
}

fn encode_at(
    field: OrderField,
    direction: Direction,
    r: &role::Model,
    offset: Option<u64>,
) -> String {
    let mut c = Cursor {
        f: field,
        d: direction,
        id: r.id,
        s: None,
        n: None,
        t: None,
        o: offset,
    };
    match field {
        OrderField::Relevance => {}
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
        OrderField::Relevance => c.o.is_some(),
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
    if let Some(slug) = &filter.category_slug {
        cond = cond.add(
            role::Column::CategoryId.in_subquery(
                Query::select()
                    .column(category::Column::Id)
                    .from(category::Entity)
                    .and_where(category::Column::Slug.eq(slug.as_str()))
                    .to_owned(),
            ),
        );
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
    if let Some(due) = filter.review_due
        && visibility.is_editor()
    {
        cond = cond.add(super::reviews::due_condition(due, chrono::Utc::now()));
    }
    if let Some(changes) = filter.unpublished_changes
        && visibility.is_editor()
    {
        cond = cond.add(role::Column::HasUnpublishedChanges.eq(changes));
    }
    if let Some(scheduled) = filter.scheduled
        && visibility.is_editor()
    {
        let planned = Query::select()
            .column(role_schedule::Column::RoleId)
            .from(role_schedule::Entity)
            .to_owned();
        cond = cond.add(if scheduled {
            role::Column::Id.in_subquery(planned)
        } else {
            role::Column::Id.not_in_subquery(planned)
        });
    }
    if let Some(editor) = &filter.edited_by
        && visibility.is_editor()
    {
        cond = cond.add(
            role::Column::Id.in_subquery(
                Query::select()
                    .column(role_revision::Column::RoleId)
                    .from(role_revision::Entity)
                    .and_where(role_revision::Column::Editor.eq(editor.as_str()))
                    .to_owned(),
            ),
        );
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
        OrderField::Relevance | OrderField::Title => role::Column::Title,
        OrderField::Score => role::Column::Score,
        OrderField::UpdatedAt => role::Column::UpdatedAt,
    };
    let (beyond, tie) = match (field, direction) {
        (OrderField::Relevance | OrderField::Title, Direction::Asc) => {
            (col.gt(c.s.clone()), role::Column::Id.gt(c.id))
        }
        (OrderField::Relevance | OrderField::Title, Direction::Desc) => {
            (col.lt(c.s.clone()), role::Column::Id.lt(c.id))
        }
        (OrderField::Score, Direction::Asc) => (col.gt(c.n), role::Column::Id.gt(c.id)),
        (OrderField::Score, Direction::Desc) => (col.lt(c.n), role::Column::Id.lt(c.id)),
        (OrderField::UpdatedAt, Direction::Asc) => (col.gt(c.t), role::Column::Id.gt(c.id)),
        (OrderField::UpdatedAt, Direction::Desc) => (col.lt(c.t), role::Column::Id.lt(c.id)),
    };
    let equal = match field {
        OrderField::Relevance | OrderField::Title => col.eq(c.s.clone()),
        OrderField::Score => col.eq(c.n),
        OrderField::UpdatedAt => col.eq(c.t),
    };
    Condition::any()
        .add(beyond)
        .add(Condition::all().add(equal).add(tie))
}

impl Filter {
    /// Whether the best plan for this filter depends on its values: how many roles a search
    /// word, a date or a score bound leaves differs by orders of magnitude.
    fn plan_depends_on_values(&self) -> bool {
        self.search.is_some()
            || self.review_due.is_some()
            || self.min_score.is_some()
            || self.max_score.is_some()
            || self.edited_by.is_some()
            || self.scheduled.is_some()
            || self.unpublished_changes.is_some()
    }
}

impl Store {
    /// Lists one page of roles visible to `visibility` (see [`list_roles`]), planned for the
    /// filter's values on PostgreSQL.
    pub async fn list_roles(
        &self,
        visibility: &Visibility,
        filter: &Filter,
        page: &PageRequest,
        count: Count,
    ) -> ApiResult<Page> {
        let db = self.db();
        if db.get_database_backend() != DbBackend::Postgres || !filter.plan_depends_on_values() {
            return list_roles(db, visibility, filter, page, count).await;
        }
        // The pool plans each statement once for any values (`db::connect`), right for the
        // public pages' fixed shapes but not for an editor's filter: planned blind, the review
        // queue's `due_at <= $1` walked all 100k roles by update time to find none due
        // (150-190 ms a dashboard). SET LOCAL ends with this read-only transaction.
        let txn = db.begin().await?;
        txn.execute_unprepared(
            "SET TRANSACTION READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan",
        )
        .await?;
        let listed = list_roles(&txn, visibility, filter, page, count).await?;
        txn.commit().await?;
        Ok(listed)
    }
}

/// Lists one page of roles visible to `visibility`, counting matches as far as `count` says;
/// callers go through [`Store::list_roles`], which picks how PostgreSQL plans it.
async fn list_roles(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &Filter,
    page: &PageRequest,
    count: Count,
) -> ApiResult<Page> {
    let cond = filter_condition(filter, visibility);
    let matching = visibility::roles(visibility).filter(cond.clone());
    let total_count = match count {
        Count::Exact => matching.count(db).await?,
        Count::UpTo(most) => matching
            .select_only()
            .column(role::Column::Id)
            .limit(most.saturating_add(1))
            .into_tuple::<i32>()
            .all(db)
            .await?
            .len() as u64,
        Count::Skip => 0,
    };
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
        OrderField::Relevance | OrderField::Title => role::Column::Title,
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

/// Most words of a search that count; the rest are ignored.
pub const MAX_SEARCH_WORDS: usize = 16;

/// The words of a search: case-folded runs of letters and digits. Everything else separates
/// words, so quotes, `*`, `:`, `%` or `OR` are text to find (or nothing), never query syntax.
pub fn search_words(search: &str) -> Vec<String> {
    search
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(str::to_owned)
        .collect()
}

/// The full-text query for `words`, every word required and matched as a prefix (type-ahead):
/// an FTS5 MATCH expression, or a PostgreSQL tsquery. Words hold only letters and digits, and
/// are quoted besides.
fn full_text_query(backend: sea_orm::DbBackend, words: &[String]) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => words
            .iter()
            .map(|w| format!("'{w}':*"))
            .collect::<Vec<_>>()
            .join(" & "),
        _ => words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// How many title matches, and how many other matches, a ranked search ranks: the answer's
/// relevance order covers at most twice this many pages (title matches first, the best of each
/// tier first); `orderBy` walks every match. Ranking reads each candidate's whole search
/// document, and at 100k roles a pool of 250 made a search cost several pages.
pub const RANKED_POOL: u32 = 50;

/// Appends the conditions of `filter` on published pages aliased `s` (after a `WHERE 1=1`).
fn published_conditions(sql: &mut SqlText, filter: &Filter, search: Option<&str>) {
    if let Some(id) = filter.category_id {
        sql.push(" AND s.category_id = ").bind(id);
    }
    if let Some(slug) = &filter.category_slug {
        sql.push(" AND s.category_id = (SELECT id FROM categories WHERE slug = ")
            .bind(slug.clone())
            .push(")");
    }
    if let Some(id) = filter.tool_id {
        sql.push(" AND s.role_id IN (SELECT role_id FROM role_snapshot_tools WHERE tool_id = ")
            .bind(id)
            .push(" AND kind = 'AFFECTING')");
    }
    if let Some(level) = filter.level {
        sql.push(" AND s.level = ").bind(level.to_value());
    }
    if let Some(v) = filter.min_score {
        sql.push(" AND s.score >= ").bind(v);
    }
    if let Some(v) = filter.max_score {
        sql.push(" AND s.score <= ").bind(v);
    }
    if let Some(q) = search {
        match sql.backend() {
            sea_orm::DbBackend::Postgres => {
                sql.push(" AND s.search @@ to_tsquery('simple', ")
                    .bind(q.to_owned())
                    .push(")");
            }
            _ => {
                sql.push(
                    " AND s.role_id IN (SELECT rowid FROM role_snapshots_fts WHERE role_snapshots_fts MATCH ",
                )
                .bind(q.to_owned())
                .push(")");
            }
        }
    }
}

/// One page of published pages (what anonymous readers list), in one statement: the page's
/// rows, with the count of all matches as a scalar subquery when `with_count`. A search orders
/// by relevance when `page.field` is [`OrderField::Relevance`]: FTS5's bm25 on SQLite,
/// `ts_rank` on PostgreSQL, with title weighing most, then summary, then tasks and skills.
pub async fn list_published(
    db: &impl ConnectionTrait,
    filter: &Filter,
    page: &PageRequest,
    with_body: bool,
    with_count: bool,
) -> ApiResult<Page<Published>> {
    let backend = db.get_database_backend();
    let words = filter
        .search
        .as_deref()
        .map(search_words)
        .unwrap_or_default();
    let searching = filter
        .search
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if searching && words.is_empty() {
        // Nothing a word index can find (only punctuation): no rows, and no scan for them.
        return Ok(Page {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: page.after.is_some(),
            total_count: 0,
        });
    }
    let query = (!words.is_empty()).then(|| full_text_query(backend, &words));
    let cursor = match &page.after {
        Some(raw) => Some(decode(raw, page.field, page.direction)?),
        None => None,
    };
    let relevance = page.field == OrderField::Relevance && query.is_some();
    let mut sql = SqlText::new(backend);
    // SQLite's rank for the matches outside titles, title matching weighing most.
    const BM25: &str = "bm25(role_snapshots_fts, 10.0, 4.0, 1.0)";
    if relevance {
        // The title matches first, from an index of titles alone, kept apart so that the other
        // matches are looked for (and ranked, which reads each whole search document) only
        // when the title matches cannot fill the requested page: a common word fills it from
        // titles alone.
        let title_q = query.clone().unwrap_or_default();
        match backend {
            sea_orm::DbBackend::Postgres => {
                sql.push("WITH t AS MATERIALIZED (SELECT s.role_id AS rid FROM role_snapshots s WHERE s.title_search @@ to_tsquery('simple', ")
                    .bind(title_q)
                    .push(")");
            }
            _ => {
                sql.push("WITH t AS MATERIALIZED (SELECT role_snapshot_titles_fts.rowid AS rid, bm25(role_snapshot_titles_fts) AS rank FROM role_snapshot_titles_fts JOIN role_snapshots s ON s.role_id = role_snapshot_titles_fts.rowid WHERE role_snapshot_titles_fts MATCH ")
                    .bind(title_q);
            }
        }
        published_conditions(&mut sql, filter, None);
        sql.push(&format!(" LIMIT {RANKED_POOL}) "));
    }
    sql.push("SELECT s.card, ")
        .push(if with_body { "s.body" } else { "'' AS body" });
    if with_count {
        sql.push(", (SELECT COUNT(*) FROM role_snapshots s WHERE 1=1");
        published_conditions(&mut sql, filter, query.as_deref());
        sql.push(") AS total");
    }
    sql.push(" FROM role_snapshots s");
    if relevance {
        // Ranking every match costs as much as the matches (half of 100k pages match "data"):
        // rank a bounded pool instead, the first title matches and the first matches anywhere,
        // title matches first.
        let q = query.clone().unwrap_or_default();
        // Rows this page needs. The count of title matches is computed once, and when it
        // reaches them the second arm's full-text match never runs.
        let needed = cursor.as_ref().and_then(|c| c.o).unwrap_or(0) + page.first + 1;
        match backend {
            sea_orm::DbBackend::Postgres => {
                // An init plan with a one-time filter: the arm's scan is not started.
                sql.push(" JOIN (SELECT rid, 0 AS tier FROM t UNION ALL SELECT * FROM (SELECT s.role_id AS rid, 1 AS tier FROM role_snapshots s WHERE s.search @@ to_tsquery('simple', ")
                    .bind(q)
                    .push(")");
                published_conditions(&mut sql, filter, None);
                sql.push(
                    " AND s.role_id NOT IN (SELECT rid FROM t) AND (SELECT COUNT(*) FROM t) < ",
                )
                .bind(needed as i64);
            }
            _ => {
                // SQLite opens a virtual table's query (FTS5 gathers a prefix's postings then)
                // before it tests a condition on the row, even one without columns: the count
                // gates a one-row table instead, the outer loop of a CROSS JOIN, which SQLite
                // never reorders. Other matches rank after every title match.
                sql.push(&format!(" JOIN (SELECT rid, rank FROM t UNION ALL SELECT * FROM (SELECT role_snapshots_fts.rowid AS rid, 1000000.0 + {BM25} AS rank FROM (SELECT 1 WHERE (SELECT COUNT(*) FROM t) < "))
                    .bind(needed as i64)
                    .push(") gate CROSS JOIN role_snapshots_fts JOIN role_snapshots s ON s.role_id = role_snapshots_fts.rowid WHERE role_snapshots_fts MATCH ")
                    .bind(q);
                published_conditions(&mut sql, filter, None);
                sql.push(" AND role_snapshots_fts.rowid NOT IN (SELECT rid FROM t)");
            }
        }
        sql.push(&format!(" LIMIT {RANKED_POOL}) b) f ON f.rid = s.role_id"));
    }
    sql.push(" WHERE 1=1");
    // With the pool joined, the search is already matched.
    let condition_query = if relevance { None } else { query.as_deref() };
    published_conditions(&mut sql, filter, condition_query);
    let (op, dir) = match page.direction {
        Direction::Asc => (">", "ASC"),
        Direction::Desc => ("<", "DESC"),
    };
    let mut offset = 0;
    if let Some(c) = &cursor {
        match page.field {
            OrderField::Relevance => offset = c.o.unwrap_or(0),
            OrderField::Title => {
                let key = c.s.clone().unwrap_or_default();
                sql.push(&format!(" AND (s.title {op} "))
                    .bind(key.clone())
                    .push(" OR (s.title = ")
                    .bind(key)
                    .push(&format!(" AND s.role_id {op} "))
                    .bind(c.id)
                    .push("))");
            }
            OrderField::Score => {
                let key = c.n.unwrap_or_default();
                sql.push(&format!(" AND (s.score {op} "))
                    .bind(key)
                    .push(" OR (s.score = ")
                    .bind(key)
                    .push(&format!(" AND s.role_id {op} "))
                    .bind(c.id)
                    .push("))");
            }
            OrderField::UpdatedAt => {
                let key = c.t.unwrap_or_default();
                sql.push(&format!(" AND (s.updated_at {op} "))
                    .bind(key)
                    .push(" OR (s.updated_at = ")
                    .bind(key)
                    .push(&format!(" AND s.role_id {op} "))
                    .bind(c.id)
                    .push("))");
            }
        }
    }
    match page.field {
        OrderField::Relevance if relevance => match backend {
            sea_orm::DbBackend::Postgres => {
                sql.push(" ORDER BY f.tier ASC, ts_rank(s.search, to_tsquery('simple', ")
                    .bind(query.clone().unwrap_or_default())
                    .push(")) DESC, s.title ASC, s.role_id ASC");
            }
            _ => {
                sql.push(" ORDER BY f.rank ASC, s.title ASC, s.role_id ASC");
            }
        },
        OrderField::Relevance | OrderField::Title => {
            sql.push(&format!(" ORDER BY s.title {dir}, s.role_id {dir}"));
        }
        OrderField::Score => {
            sql.push(&format!(" ORDER BY s.score {dir}, s.role_id {dir}"));
        }
        OrderField::UpdatedAt => {
            sql.push(&format!(" ORDER BY s.updated_at {dir}, s.role_id {dir}"));
        }
    }
    sql.push(" LIMIT ").bind((page.first + 1) as i64);
    if offset > 0 {
        sql.push(" OFFSET ").bind(offset as i64);
    }
    let rows = db.query_all_raw(sql.build()).await?;
    let mut total = None;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let (parsed, count) = publishing::page_of_row(row)?;
        total = total.or(count);
        items.push(parsed);
    }
    let has_next_page = items.len() as u64 > page.first;
    items.truncate(page.first as usize);
    let total_count = match (with_count, total) {
        (false, _) => 0,
        (true, Some(n)) => u64::try_from(n).unwrap_or(0),
        // No row to carry the count: past the end, or nothing matches.
        (true, None) if cursor.is_none() => 0,
        (true, None) => count_published(db, filter, query.as_deref()).await?,
    };
    Ok(Page {
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let at = (page.field == OrderField::Relevance).then_some(offset + i as u64 + 1);
                (encode_at(page.field, page.direction, &p.card.role, at), p)
            })
            .collect(),
        has_next_page,
        has_previous_page: page.after.is_some(),
        total_count,
    })
}

async fn count_published(
    db: &impl ConnectionTrait,
    filter: &Filter,
    query: Option<&str>,
) -> ApiResult<u64> {
    let mut sql = SqlText::new(db.get_database_backend());
    sql.push("SELECT COUNT(*) FROM role_snapshots s WHERE 1=1");
    published_conditions(&mut sql, filter, query);
    let row = db.query_one_raw(sql.build()).await?;
    let n: i64 = match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
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
            o: None,
        };
        let raw = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).expect("json"));
        assert!(decode(&raw, OrderField::Score, Direction::Asc).is_ok());
        let err = decode(&raw, OrderField::Title, Direction::Asc).expect_err("other order");
        assert!(err.to_string().contains("different orderBy"));
    }
}
