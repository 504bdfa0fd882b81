//! The dashboard and the role list: search, filters, sort and keyset pages of 50, all in the
//! URL, so a list can be bookmarked and shared.

use api::ApiError;
use api::auth::permit::Read;
use api::service::Visibility;
use api::service::listing::{self, Count, Direction, Filter, OrderField, PageRequest};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entity::{Level, RoleStatus, role};
use serde::Deserialize;

use super::html;
use crate::error::StudioResult;
use crate::session::Signed;
use crate::view::Chrome;

/// Rows per page of the list.
pub const PAGE: u64 = 50;

/// One role in a list.
pub struct Row {
    slug: String,
    title: String,
    status: &'static str,
    score: i32,
    level: &'static str,
    level_class: &'static str,
    version: i32,
    /// "unpublished changes" when the working copy is ahead of the live page.
    changes: bool,
    updated: String,
}

impl From<&role::Model> for Row {
    fn from(r: &role::Model) -> Self {
        let (level, level_class) = crate::view::level(match r.level {
            Level::Low => scoring::Level::Low,
            Level::Moderate => scoring::Level::Moderate,
            Level::High => scoring::Level::High,
            Level::VeryHigh => scoring::Level::VeryHigh,
        });
        Self {
            slug: r.slug.clone(),
            title: r.title.clone(),
            status: status_word(r.status),
            score: r.score,
            level,
            level_class,
            version: r.version,
            changes: r.has_unpublished_changes,
            updated: r.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

fn status_word(s: RoleStatus) -> &'static str {
    match s {
        RoleStatus::Draft => "Draft",
        RoleStatus::Published => "Published",
        RoleStatus::Archived => "Archived",
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    mine: Vec<Row>,
    mine_total: String,
    changes: Vec<Row>,
    changes_total: String,
    due: Vec<Row>,
    due_total: String,
    planned: Vec<PlannedRow>,
    planned_total: u64,
    revisions: Vec<RevisionRow>,
    can_review: bool,
    login: String,
}

/// A planned action on the dashboard.
pub struct PlannedRow {
    slug: String,
    title: String,
    action: String,
    at: String,
    by: String,
}

/// A recent revision on the dashboard.
pub struct RevisionRow {
    slug: String,
    title: String,
    version: i32,
    editor: String,
    summary: String,
    at: String,
    published: bool,
}

/// Rows per dashboard queue.
const QUEUE: u64 = 10;

/// How far lists and queues count their roles; past it they say "more than".
const COUNTED: u64 = 1000;

/// A total counted with [`Count::UpTo`]`(COUNTED)`, as shown.
fn counted(total: u64) -> String {
    if total > COUNTED {
        "more than 1,000".to_owned()
    } else {
        total.to_string()
    }
}

/// `GET /studio`: the signed-in user's drafts, unpublished changes, the review-due queue
/// (marked reviewed in place), planned actions and the newest revisions.
pub async fn dashboard(
    State(studio): State<crate::State>,
    Signed(user): Signed,
) -> StudioResult<Response> {
    let caller = user.caller();
    let reader = caller.permit::<Read>()?;
    let visibility = Visibility::Editor(caller.permit::<Read>()?);
    let page = |field, direction| PageRequest {
        first: QUEUE,
        after: None,
        field,
        direction,
    };
    let newest = page(OrderField::UpdatedAt, Direction::Desc);
    let mine = studio
        .store
        .list_roles(
            &visibility,
            &Filter {
                edited_by: Some(user.login.clone()),
                status: Some(RoleStatus::Draft),
                ..Filter::default()
            },
            &newest,
            Count::UpTo(COUNTED),
        )
        .await?;
    let changes = studio
        .store
        .list_roles(
            &visibility,
            &Filter {
                unpublished_changes: Some(true),
                ..Filter::default()
            },
            &newest,
            Count::UpTo(COUNTED),
        )
        .await?;
    let due = studio
        .store
        .list_roles(
            &visibility,
            &Filter {
                review_due: Some(true),
                ..Filter::default()
            },
            &page(OrderField::UpdatedAt, Direction::Asc),
            Count::UpTo(COUNTED),
        )
        .await?;
    let (planned, planned_total) = studio.store.planned_actions(&reader, QUEUE).await?;
    let revisions = studio.store.recent_revisions(&reader, QUEUE).await?;
    let rows = |p: &listing::Page| p.items.iter().map(|(_, r)| r.into()).collect();
    Ok(html(&Dashboard {
        chrome: studio.chrome("Dashboard", Some(&user)),
        mine: rows(&mine),
        mine_total: counted(mine.total_count),
        changes: rows(&changes),
        changes_total: counted(changes.total_count),
        due: rows(&due),
        due_total: counted(due.total_count),
        planned: planned
            .into_iter()
            .map(|p| PlannedRow {
                slug: p.slug,
                title: p.title,
                action: p.action,
                at: p.due_at.format("%Y-%m-%d %H:%M").to_string(),
                by: p.by,
            })
            .collect(),
        planned_total,
        revisions: revisions
            .into_iter()
            .map(|r| RevisionRow {
                slug: r.slug,
                title: r.title,
                version: r.version,
                editor: r.editor,
                summary: r.summary,
                at: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                published: r.published,
            })
            .collect(),
        can_review: caller.can(api::auth::Permission::Write),
        login: user.login.clone(),
    })?
    .into_response())
}

/// `POST /studio/roles/{slug}/reviewed`: marks the role reviewed at the version the queue
/// showed (an older one is a CONFLICT), as `markReviewed` does, and goes back to the queue.
pub async fn mark_reviewed(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    axum::extract::Path(slug): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StudioResult<Response> {
    let fields = crate::form::Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let permit = user.caller().permit::<api::auth::permit::Write>()?;
    let version = fields
        .get("expectedVersion")
        .and_then(|v| v.parse::<i32>().ok())
        .ok_or_else(|| ApiError::bad_input("expectedVersion", "must be a whole number"))?;
    studio.store.mark_reviewed(&permit, &slug, version).await?;
    Ok(axum::response::Redirect::to("/studio#due-heading").into_response())
}

/// The list's URL parameters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    review: String,
    #[serde(default)]
    changes: String,
    #[serde(default)]
    scheduled: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: Option<String>,
}

/// One `<option>` of a filter.
pub struct Opt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn options(choices: &[(&'static str, &'static str)], current: &str) -> Vec<Opt> {
    choices
        .iter()
        .map(|&(value, label)| Opt {
            value,
            label,
            selected: value == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RoleList {
    chrome: Chrome,
    status_opts: Vec<Opt>,
    level_opts: Vec<Opt>,
    sort_opts: Vec<Opt>,
    params: ListParams,
    rows: Vec<Row>,
    total: String,
    next: Option<String>,
    categories: Vec<api::service::working::Choice>,
    can_publish: bool,
}

/// One role's result in a bulk action.
pub struct BulkResult {
    slug: String,
    ok: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkPage {
    chrome: Chrome,
    results: Vec<BulkResult>,
}

/// Most roles one bulk action may change.
const MAX_BULK: usize = 200;

/// `POST /studio/bulk`: publish, unpublish or archive each selected role at the version
/// the list showed (`pick=slug:version`), one transaction each, with each one's result.
pub async fn bulk(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StudioResult<Response> {
    let picks: Vec<String> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "pick")
        .map(|(_, v)| v.into_owned())
        .collect();
    let fields = crate::form::Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let publisher = user.caller().permit::<api::auth::permit::Publish>()?;
    let (status, verb) = match fields.get("action").unwrap_or_default() {
        "publish" => (RoleStatus::Published, "published"),
        "unpublish" => (RoleStatus::Draft, "unpublished"),
        "archive" => (RoleStatus::Archived, "archived"),
        _ => {
            return Err(
                ApiError::bad_input("action", "must be publish, unpublish or archive").into(),
            );
        }
    };
    if picks.is_empty() {
        return Err(ApiError::bad_input("pick", "select at least one role").into());
    }
    if picks.len() > MAX_BULK {
        return Err(ApiError::bad_input(
            "pick",
            format!("select at most {MAX_BULK} roles at once"),
        )
        .into());
    }
    let mut results = Vec::with_capacity(picks.len());
    for pick in picks {
        let Some((slug, version)) = pick
            .rsplit_once(':')
            .and_then(|(s, v)| Some((s.to_owned(), v.parse::<i32>().ok()?)))
        else {
            results.push(BulkResult {
                slug: pick,
                ok: false,
                message: "not a role and version".into(),
            });
            continue;
        };
        match studio
            .store
            .set_status(&publisher, &slug, version, status)
            .await
        {
            Ok(role) => results.push(BulkResult {
                slug,
                ok: true,
                message: format!("{verb}, now version {}", role.version),
            }),
            Err(e) if e.code() != "INTERNAL" => results.push(BulkResult {
                slug,
                ok: false,
                message: e.to_string(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(html(&BulkPage {
        chrome: studio.chrome(format!("Bulk {verb}"), Some(&user)),
        results,
    })?
    .into_response())
}

/// A score bound of the list's URL: empty, or a whole number from 0 to 100.
fn score_bound(field: &str, value: &str) -> Result<Option<i32>, ApiError> {
    match value.trim() {
        "" => Ok(None),
        v => match v.parse::<i32>() {
            Ok(n) if (0..=100).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad_input(
                field,
                "must be a whole number from 0 to 100",
            )),
        },
    }
}

/// `GET /studio/roles`.
pub async fn list(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Query(params): Query<ListParams>,
) -> StudioResult<Response> {
    let caller = user.caller();
    let bad = |field: &str, rule: &str| ApiError::bad_input(field, rule);
    let filter = Filter {
        category_slug: Some(params.category.clone()).filter(|c| !c.is_empty()),
        level: match params.level.as_str() {
            "" => None,
            "LOW" => Some(Level::Low),
            "MODERATE" => Some(Level::Moderate),
            "HIGH" => Some(Level::High),
            "VERY_HIGH" => Some(Level::VeryHigh),
            _ => return Err(bad("level", "must be LOW, MODERATE, HIGH or VERY_HIGH").into()),
        },
        search: Some(params.q.trim().to_owned()).filter(|q| !q.is_empty()),
        status: match params.status.as_str() {
            "" => None,
            "DRAFT" => Some(RoleStatus::Draft),
            "PUBLISHED" => Some(RoleStatus::Published),
            "ARCHIVED" => Some(RoleStatus::Archived),
            _ => return Err(bad("status", "must be DRAFT, PUBLISHED or ARCHIVED").into()),
        },
        review_due: match params.review.as_str() {
            "" => None,
            "due" => Some(true),
            _ => return Err(bad("review", "must be due or empty").into()),
        },
        unpublished_changes: match params.changes.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(bad("changes", "must be yes, no or empty").into()),
        },
        scheduled: match params.scheduled.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(bad("scheduled", "must be yes, no or empty").into()),
        },
        min_score: score_bound("min", &params.min)?,
        max_score: score_bound("max", &params.max)?,
        ..Filter::default()
    };
    listing::check_arguments(Some(PAGE as i64), &filter)?;
    let (field, direction) = match params.sort.as_str() {
        "" | "title" => (OrderField::Title, Direction::Asc),
        "score" => (OrderField::Score, Direction::Desc),
        "updated" => (OrderField::UpdatedAt, Direction::Desc),
        _ => return Err(bad("sort", "must be title, score or updated").into()),
    };
    let page = studio
        .store
        .list_roles(
            &Visibility::Editor(caller.permit::<Read>()?),
            &filter,
            &PageRequest {
                first: PAGE,
                after: params.after.clone().filter(|a| !a.is_empty()),
                field,
                direction,
            },
            Count::UpTo(COUNTED),
        )
        .await?;
    let next = page
        .has_next_page
        .then(|| page.items.last().map(|(cursor, _)| cursor.clone()))
        .flatten()
        .map(|cursor| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &params.q)
                .append_pair("status", &params.status)
                .append_pair("category", &params.category)
                .append_pair("level", &params.level)
                .append_pair("review", &params.review)
                .append_pair("changes", &params.changes)
                .append_pair("scheduled", &params.scheduled)
                .append_pair("min", &params.min)
                .append_pair("max", &params.max)
                .append_pair("sort", &params.sort)
                .append_pair("after", &cursor)
                .finish()
        });
    let categories = studio
        .store
        .catalog_choices(&caller.permit::<Read>()?)
        .await?
        .categories;
    Ok(html(&RoleList {
        chrome: studio.chrome("Roles", Some(&user)),
        rows: page.items.iter().map(|(_, r)| r.into()).collect(),
        total: if page.total_count == 1 {
            "1 role".to_owned()
        } else {
            format!("{} roles", counted(page.total_count))
        },
        status_opts: options(
            &[
                ("DRAFT", "Draft"),
                ("PUBLISHED", "Published"),
                ("ARCHIVED", "Archived"),
            ],
            &params.status,
        ),
        level_opts: options(
            &[
                ("LOW", "Low"),
                ("MODERATE", "Moderate"),
                ("HIGH", "High"),
                ("VERY_HIGH", "Very high"),
            ],
            &params.level,
        ),
        sort_opts: options(
            &[
                ("title", "Title"),
                ("score", "Score (highest first)"),
                ("updated", "Last change"),
            ],
            if params.sort.is_empty() {
                "title"
            } else {
                &params.sort
            },
        ),
        next,
        params,
        categories,
        can_publish: caller.can(api::auth::Permission::Publish),
    })?
    .into_response())
}

/// The words a type-ahead has so far.
#[derive(Debug, Default, Deserialize)]
pub struct PickParams {
    #[serde(default)]
    q: String,
}

/// A type-ahead's suggestions, as the `<option>`s of its `<datalist>`.
#[derive(Template)]
#[template(
    source = "{% for c in choices %}<option value=\"{{ c.0 }}\">{{ c.1 }}</option>\n{% endfor %}",
    ext = "html"
)]
struct PickOptions {
    choices: Vec<(String, String)>,
}

/// Suggestions a type-ahead offers at once.
const PICKS: u64 = 10;

/// `GET /studio/pick/roles?q=...`: up to ten roles whose title or summary holds `q` (first by
/// title), for the migration path pickers.
pub async fn pick_roles(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Query(params): Query<PickParams>,
) -> StudioResult<Response> {
    let caller = user.caller();
    let q = params.q.trim();
    let filter = Filter {
        search: (!q.is_empty()).then(|| q.to_owned()),
        ..Filter::default()
    };
    listing::check_arguments(Some(PICKS as i64), &filter)?;
    let page = studio
        .store
        .list_roles(
            &Visibility::Editor(caller.permit::<Read>()?),
            &filter,
            &PageRequest {
                first: PICKS,
                after: None,
                field: OrderField::Title,
                direction: Direction::Asc,
            },
            Count::Skip,
        )
        .await?;
    Ok(html(&PickOptions {
        choices: page
            .items
            .into_iter()
            .map(|(_, r)| (r.slug, r.title))
            .collect(),
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::{COUNTED, counted};

    #[test]
    fn a_total_past_the_count_reads_more_than() {
        assert_eq!(counted(0), "0");
        assert_eq!(counted(COUNTED), "1000");
        assert_eq!(counted(COUNTED + 1), "more than 1,000");
    }
}
