//! The catalog roles link to (categories, tools, sources): lists with search and pages, and
//! forms that write through the same services and permits as the catalog mutations, with the
//! version the form was opened at.

use api::ApiError;
use api::auth::Permission;
use api::auth::permit::{Delete, Read, Write};
use api::service::Store;
use api::service::accounts::SessionUser;
use api::service::catalog::{
    CategoryContent, CategoryPatch, SourceContent, SourcePatch, ToolContent, ToolPatch,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{category, source, tool};
use serde::Deserialize;

use super::common::{expected_version, form_field, form_status};
use super::html;
use crate::error::StudioResult;
use crate::form::Fields;
use crate::session::Signed;
use crate::view::Chrome;

/// Rows per page of a list.
const PAGE_SIZE: usize = 50;

/// One kind of catalog item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Categories of roles.
    Category,
    /// AI tools.
    Tool,
    /// Research sources.
    Source,
}

/// A kind of catalog item as a type, so that one generic handler serves each kind's routes.
pub trait CatalogKind {
    /// The kind the routes serve.
    const KIND: Kind;
}

/// The routes of categories.
pub struct Categories;
/// The routes of tools.
pub struct Tools;
/// The routes of sources.
pub struct Sources;

impl CatalogKind for Categories {
    const KIND: Kind = Kind::Category;
}
impl CatalogKind for Tools {
    const KIND: Kind = Kind::Tool;
}
impl CatalogKind for Sources {
    const KIND: Kind = Kind::Source;
}

/// A form field of a kind. Names are the API's input fields, so a service error
/// (`input.name`) lands on its field.
struct Spec {
    name: &'static str,
    label: &'static str,
    /// `text`, `url`, `date` or `textarea`.
    input: &'static str,
    required: bool,
    hint: &'static str,
}

const SLUG_HINT: &str = "Lowercase letters, digits and single hyphens, e.g. data-science.";

/// The name of a category or a tool (a source has a title instead).
const NAME_FIELD: Spec = Spec {
    name: "name",
    label: "Name",
    input: "text",
    required: true,
    hint: "",
};

/// The slug of a category or a tool, which their public URLs use (a source's is only a key).
const URL_SLUG_FIELD: Spec = Spec {
    name: "slug",
    label: "Slug (URL)",
    input: "text",
    required: true,
    hint: SLUG_HINT,
};

const CATEGORY_FIELDS: &[Spec] = &[
    NAME_FIELD,
    URL_SLUG_FIELD,
    Spec {
        name: "description",
        label: "Description",
        input: "textarea",
        required: true,
        hint: "One sentence on what the category holds.",
    },
];

const TOOL_FIELDS: &[Spec] = &[
    NAME_FIELD,
    URL_SLUG_FIELD,
    Spec {
        name: "vendor",
        label: "Vendor",
        input: "text",
        required: true,
        hint: "",
    },
    Spec {
        name: "url",
        label: "Product page",
        input: "url",
        required: true,
        hint: "An http or https URL.",
    },
    Spec {
        name: "description",
        label: "Description",
        input: "textarea",
        required: true,
        hint: "What it does, in one sentence.",
    },
];

const SOURCE_FIELDS: &[Spec] = &[
    Spec {
        name: "title",
        label: "Title",
        input: "text",
        required: true,
        hint: "",
    },
    Spec {
        name: "slug",
        label: "Slug (key)",
        input: "text",
        required: true,
        hint: SLUG_HINT,
    },
    Spec {
        name: "publisher",
        label: "Publisher or venue",
        input: "text",
        required: true,
        hint: "",
    },
    Spec {
        name: "url",
        label: "Where to read it",
        input: "url",
        required: true,
        hint: "An http or https URL.",
    },
    Spec {
        name: "publishedOn",
        label: "Published on",
        input: "date",
        required: false,
        hint: "Optional; YYYY-MM-DD.",
    },
];

impl Kind {
    /// The URL segment under `/studio`.
    fn path(self) -> &'static str {
        match self {
            Self::Category => "categories",
            Self::Tool => "tools",
            Self::Source => "sources",
        }
    }

    fn one(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Tool => "tool",
            Self::Source => "source",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Self::Category => "Categories",
            Self::Tool => "Tools",
            Self::Source => "Sources",
        }
    }

    fn fields(self) -> &'static [Spec] {
        match self {
            Self::Category => CATEGORY_FIELDS,
            Self::Tool => TOOL_FIELDS,
            Self::Source => SOURCE_FIELDS,
        }
    }

    /// The list's headings after the first (the item's name, which links to its form).
    fn columns(self) -> [&'static str; 2] {
        match self {
            Self::Category => ["Slug", "Description"],
            Self::Tool => ["Vendor", "Slug"],
            Self::Source => ["Publisher", "Published"],
        }
    }

    fn label_heading(self) -> &'static str {
        match self {
            Self::Source => "Title",
            _ => "Name",
        }
    }
}

/// An item as pages show it, whatever its kind.
struct Item {
    slug: String,
    /// Name or title.
    label: String,
    version: i32,
    updated_at: DateTime<Utc>,
    updated_by: Option<String>,
    /// The form's values, in the order of [`Kind::fields`].
    values: Vec<String>,
    /// The list's cells after the label, in the order of [`Kind::columns`].
    cells: [String; 2],
}

impl From<category::Model> for Item {
    fn from(c: category::Model) -> Self {
        Self {
            values: vec![c.name.clone(), c.slug.clone(), c.description.clone()],
            cells: [c.slug.clone(), c.description],
            slug: c.slug,
            label: c.name,
            version: c.version,
            updated_at: c.updated_at,
            updated_by: c.updated_by,
        }
    }
}

impl From<tool::Model> for Item {
    fn from(t: tool::Model) -> Self {
        Self {
            values: vec![
                t.name.clone(),
                t.slug.clone(),
                t.vendor.clone(),
                t.url,
                t.description,
            ],
            cells: [t.vendor, t.slug.clone()],
            slug: t.slug,
            label: t.name,
            version: t.version,
            updated_at: t.updated_at,
            updated_by: t.updated_by,
        }
    }
}

impl From<source::Model> for Item {
    fn from(s: source::Model) -> Self {
        let date = s.published_on.map(|d| d.to_string()).unwrap_or_default();
        Self {
            values: vec![
                s.title.clone(),
                s.slug.clone(),
                s.publisher.clone(),
                s.url,
                date.clone(),
            ],
            cells: [s.publisher, date],
            slug: s.slug,
            label: s.title,
            version: s.version,
            updated_at: s.updated_at,
            updated_by: s.updated_by,
        }
    }
}

/// Every item of `kind`, in the API's order (by name or title). The kinds are capped at a
/// few hundred items, so searching and paging them here is cheap.
async fn items(store: &Store, kind: Kind) -> Result<Vec<Item>, ApiError> {
    Ok(match kind {
        Kind::Category => store
            .categories()
            .await?
            .into_iter()
            .map(Item::from)
            .collect(),
        Kind::Tool => store.tools().await?.into_iter().map(Item::from).collect(),
        Kind::Source => store.sources().await?.into_iter().map(Item::from).collect(),
    })
}

async fn item(store: &Store, kind: Kind, slug: &str) -> Result<Item, ApiError> {
    let found = match kind {
        Kind::Category => store.category(slug).await?.map(Item::from),
        Kind::Tool => store.tool(slug).await?.map(Item::from),
        // The services read a source by id only; there are at most a few hundred.
        Kind::Source => store
            .sources()
            .await?
            .into_iter()
            .find(|s| s.slug == slug)
            .map(Item::from),
    };
    found.ok_or_else(|| ApiError::NotFound(format!("no {} with slug {slug:?}", kind.one())))
}

/// A sent field, trimmed (`None` when the form did not carry it).
fn sent(fields: &Fields, name: &str) -> Option<String> {
    fields.get(name).map(|v| v.trim().to_owned())
}

/// `publishedOn` as sent: `None` when absent, `Some(None)` when emptied.
fn date(fields: &Fields) -> Result<Option<Option<NaiveDate>>, ApiError> {
    match sent(fields, "publishedOn") {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(Some(None)),
        Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map(|d| Some(Some(d)))
            .map_err(|_| ApiError::bad_input("input.publishedOn", "must be a date YYYY-MM-DD")),
    }
}

/// An item's form as the update services take it. A create reads the same fields, with empty
/// text for what the form does not carry, so both read the form in one place.
enum ItemForm {
    Category(CategoryPatch),
    Tool(ToolPatch),
    Source(SourcePatch),
}

impl ItemForm {
    fn read(kind: Kind, f: &Fields) -> Result<Self, ApiError> {
        Ok(match kind {
            Kind::Category => Self::Category(CategoryPatch {
                slug: sent(f, "slug"),
                name: sent(f, "name"),
                description: sent(f, "description"),
            }),
            Kind::Tool => Self::Tool(ToolPatch {
                slug: sent(f, "slug"),
                name: sent(f, "name"),
                vendor: sent(f, "vendor"),
                url: sent(f, "url"),
                description: sent(f, "description"),
            }),
            Kind::Source => Self::Source(SourcePatch {
                slug: sent(f, "slug"),
                title: sent(f, "title"),
                publisher: sent(f, "publisher"),
                url: sent(f, "url"),
                published_on: date(f)?,
            }),
        })
    }
}

/// Writes the form as `create{Kind}` would, or, with `at` (the item's slug and the version its
/// form was opened at), as `update{Kind}` would: fields the form does not carry stay. The
/// written item's slug and version.
async fn write_item(
    store: &Store,
    permit: &api::auth::Permit<Write>,
    kind: Kind,
    at: Option<(&str, i32)>,
    f: &Fields,
) -> Result<(String, i32), ApiError> {
    let row = match (ItemForm::read(kind, f)?, at) {
        (ItemForm::Category(p), Some((slug, expected))) => {
            Item::from(store.update_category(permit, slug, expected, p).await?)
        }
        (ItemForm::Tool(p), Some((slug, expected))) => {
            Item::from(store.update_tool(permit, slug, expected, p).await?)
        }
        (ItemForm::Source(p), Some((slug, expected))) => {
            Item::from(store.update_source(permit, slug, expected, p).await?)
        }
        (ItemForm::Category(p), None) => {
            let new = CategoryContent {
                slug: p.slug.unwrap_or_default(),
                name: p.name.unwrap_or_default(),
                description: p.description.unwrap_or_default(),
            };
            Item::from(store.create_category(permit, new).await?)
        }
        (ItemForm::Tool(p), None) => {
            let new = ToolContent {
                slug: p.slug.unwrap_or_default(),
                name: p.name.unwrap_or_default(),
                vendor: p.vendor.unwrap_or_default(),
                url: p.url.unwrap_or_default(),
                description: p.description.unwrap_or_default(),
            };
            Item::from(store.create_tool(permit, new).await?)
        }
        (ItemForm::Source(p), None) => {
            let new = SourceContent {
                slug: p.slug.unwrap_or_default(),
                title: p.title.unwrap_or_default(),
                publisher: p.publisher.unwrap_or_default(),
                url: p.url.unwrap_or_default(),
                published_on: p.published_on.flatten(),
            };
            Item::from(store.create_source(permit, new).await?)
        }
    };
    Ok((row.slug, row.version))
}

async fn delete_item(
    store: &Store,
    permit: &api::auth::Permit<Delete>,
    kind: Kind,
    slug: &str,
    expected: i32,
) -> Result<(), ApiError> {
    match kind {
        Kind::Category => drop(store.delete_category(permit, slug, expected).await?),
        Kind::Tool => drop(store.delete_tool(permit, slug, expected).await?),
        Kind::Source => drop(store.delete_source(permit, slug, expected).await?),
    }
    Ok(())
}

/// A row of a list.
pub struct Row {
    href: String,
    label: String,
    cells: [String; 2],
    version: i32,
    updated: String,
}

#[derive(Template)]
#[template(path = "catalog_list.html")]
struct ListPage {
    chrome: Chrome,
    path: &'static str,
    one: &'static str,
    label_heading: &'static str,
    columns: [&'static str; 2],
    rows: Vec<Row>,
    q: String,
    /// "74 tools", or "3 of 74 tools match".
    summary: String,
    prev: Option<String>,
    next: Option<String>,
    can_write: bool,
    flash: Option<String>,
}

/// The list's URL parameters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    deleted: Option<String>,
}

fn list_query(q: &str, page: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        s.append_pair("q", q);
    }
    s.append_pair("page", &page.to_string());
    s.finish()
}

/// `GET /studio/{categories,tools,sources}?q=&page=`: the items whose name, title or slug
/// contains `q` (any case), 50 a page.
pub async fn list<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Query(params): Query<ListParams>,
) -> StudioResult<Response> {
    let kind = K::KIND;
    user.caller().permit::<Read>()?;
    let page: usize = match params.page.trim() {
        "" => 1,
        p => p
            .parse()
            .ok()
            .filter(|&p| p >= 1)
            .ok_or_else(|| ApiError::bad_input("page", "must be a whole number from 1"))?,
    };
    let q = params.q.trim().to_owned();
    let all = items(&studio.store, kind).await?;
    let total = all.len();
    let needle = q.to_lowercase();
    let matching: Vec<Item> = all
        .into_iter()
        .filter(|i| {
            needle.is_empty()
                || i.label.to_lowercase().contains(&needle)
                || i.slug.contains(&needle)
        })
        .collect();
    let count = matching.len();
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let rows = matching
        .into_iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|i| Row {
            href: format!("/studio/{}/{}", kind.path(), i.slug),
            label: i.label,
            cells: i.cells,
            version: i.version,
            updated: i.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let plural = kind.path();
    let summary = if q.is_empty() {
        format!("{total} {plural}")
    } else {
        format!("{count} of {total} {plural} match “{q}”")
    };
    let caller = user.caller();
    Ok(html(&ListPage {
        chrome: studio.chrome(kind.heading(), Some(&user)),
        path: kind.path(),
        one: kind.one(),
        label_heading: kind.label_heading(),
        columns: kind.columns(),
        rows,
        summary,
        prev: (page > 1).then(|| list_query(&q, page - 1)),
        next: (start.saturating_add(PAGE_SIZE) < count).then(|| list_query(&q, page + 1)),
        q,
        can_write: caller.can(Permission::Write),
        flash: params
            .deleted
            .map(|slug| format!("Deleted the {} {slug}.", kind.one())),
    })?
    .into_response())
}

/// A field of the form as the template shows it.
pub struct FieldView {
    name: &'static str,
    label: &'static str,
    input: &'static str,
    required: bool,
    hint: &'static str,
    value: String,
    /// Why the last save refused this field.
    error: Option<String>,
}

impl FieldView {
    fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The ids of the hint and the error, for `aria-describedby` ("" when none).
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "catalog_form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    path: &'static str,
    one: &'static str,
    action: String,
    /// The slug the item is saved under (`None` for a new item).
    slug: Option<String>,
    version: Option<i32>,
    meta: Option<String>,
    fields: Vec<FieldView>,
    can_write: bool,
    can_delete: bool,
    flash: Option<String>,
    /// An error that is not about one field (a conflict, too many items).
    error: Option<String>,
}

/// The form of `kind` with `values` (in [`Kind::fields`] order), `error` placed at its field
/// when it names one.
fn form_page(
    studio: &crate::Studio,
    user: &SessionUser,
    kind: Kind,
    existing: Option<&Item>,
    values: Vec<String>,
    error: Option<&ApiError>,
) -> FormPage {
    let mut fields: Vec<FieldView> = kind
        .fields()
        .iter()
        .zip(values.into_iter().chain(std::iter::repeat(String::new())))
        .map(|(s, value)| FieldView {
            name: s.name,
            label: s.label,
            input: s.input,
            required: s.required,
            hint: s.hint,
            value,
            error: None,
        })
        .collect();
    let mut form_error = None;
    match error {
        Some(ApiError::BadInput { field, message }) => {
            let name = form_field(field);
            match fields.iter_mut().find(|f| f.name == name) {
                Some(f) => f.error = Some(format!("{}: {message}", f.label)),
                None => form_error = Some(format!("{name}: {message}")),
            }
        }
        Some(other) => form_error = Some(other.to_string()),
        None => {}
    }
    let caller = user.caller();
    let (heading, action, title) = match existing {
        Some(i) => (
            i.label.clone(),
            format!("/studio/{}/{}", kind.path(), i.slug),
            format!("Edit {} {}", kind.one(), i.label),
        ),
        None => (
            format!("New {}", kind.one()),
            format!("/studio/{}", kind.path()),
            format!("New {}", kind.one()),
        ),
    };
    FormPage {
        chrome: studio.chrome(title, Some(user)),
        heading,
        path: kind.path(),
        one: kind.one(),
        action,
        slug: existing.map(|i| i.slug.clone()),
        version: existing.map(|i| i.version),
        meta: existing.map(|i| {
            let by = i
                .updated_by
                .as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
            format!(
                "{} · version {} · last changed {} UTC{by}",
                capitalized(kind.one()),
                i.version,
                i.updated_at.format("%Y-%m-%d %H:%M")
            )
        }),
        fields,
        can_write: caller.can(Permission::Write),
        can_delete: existing.is_some() && caller.can(Permission::Delete),
        flash: None,
        error: form_error,
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The values the form sent, in [`Kind::fields`] order; a field it did not send shows
/// `base`'s value, as the save kept it.
fn sent_values(kind: Kind, fields: &Fields, base: Option<&Item>) -> Vec<String> {
    kind.fields()
        .iter()
        .enumerate()
        .map(|(n, s)| {
            fields
                .get(s.name)
                .map(str::to_owned)
                .or_else(|| base.and_then(|b| b.values.get(n).cloned()))
                .unwrap_or_default()
        })
        .collect()
}

/// The answer to [`write_item`]: the item's form at its new version (a redirect, so that
/// reloading does not send the form again), or the form as sent with the refusal on it.
async fn written_answer(
    studio: &crate::Studio,
    user: &SessionUser,
    kind: Kind,
    at: Option<(&str, i32)>,
    fields: &Fields,
    written: Result<(String, i32), ApiError>,
) -> StudioResult<Response> {
    let e = match written {
        Ok((slug, version)) => {
            let url = format!("/studio/{}/{slug}?saved={version}", kind.path());
            return Ok(Redirect::to(&url).into_response());
        }
        Err(e) => e,
    };
    let Some(status) = form_status(&e) else {
        return Err(e.into());
    };
    let current = match at {
        Some((slug, _)) => Some(item(&studio.store, kind, slug).await?),
        None => None,
    };
    let values = sent_values(kind, fields, current.as_ref());
    let mut page = form_page(studio, user, kind, current.as_ref(), values, Some(&e));
    if let Some((_, expected)) = at {
        // Resending must not overwrite what someone else saved meanwhile: the form keeps
        // the version it was opened at.
        page.version = Some(expected);
    }
    Ok((status, html(&page)?).into_response())
}

/// `?saved=N`, shown after a save.
#[derive(Debug, Default, Deserialize)]
pub struct FormParams {
    #[serde(default)]
    saved: Option<i32>,
}

/// `GET /studio/{kind}/new`: an empty form (editors and up, like the create mutation).
pub async fn new_page<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
) -> StudioResult<Response> {
    user.caller().permit::<Write>()?;
    let page = form_page(&studio, &user, K::KIND, None, Vec::new(), None);
    Ok(html(&page)?.into_response())
}

/// `POST /studio/{kind}`: creates the item as `create{Kind}` does, then opens its form.
pub async fn create<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let kind = K::KIND;
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let writer = user.caller().permit::<Write>()?;
    let written = write_item(&studio.store, &writer, kind, None, &fields).await;
    written_answer(&studio, &user, kind, None, &fields, written).await
}

/// `GET /studio/{kind}/{slug}`: the item's form (read-only without `content:write`).
pub async fn page<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    Query(params): Query<FormParams>,
) -> StudioResult<Response> {
    let kind = K::KIND;
    user.caller().permit::<Read>()?;
    let found = item(&studio.store, kind, &slug).await?;
    let values = found.values.clone();
    let mut page = form_page(&studio, &user, kind, Some(&found), values, None);
    page.flash = params.saved.map(|v| format!("Saved version {v}."));
    Ok(html(&page)?.into_response())
}

/// `POST /studio/{kind}/{slug}`: saves the form as `update{Kind}` does, if the item is still
/// at the version the form was opened at; else the form comes back with the editor's values.
pub async fn save<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let kind = K::KIND;
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let writer = user.caller().permit::<Write>()?;
    let at = Some((slug.as_str(), expected_version(&fields)?));
    let written = write_item(&studio.store, &writer, kind, at, &fields).await;
    written_answer(&studio, &user, kind, at, &fields, written).await
}

/// `POST /studio/{kind}/{slug}/delete`: deletes an item no role uses, as `delete{Kind}` does
/// (admins: `content:delete`).
pub async fn delete<K: CatalogKind>(
    State(studio): State<crate::State>,
    Signed(user): Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StudioResult<Response> {
    let kind = K::KIND;
    let fields = Fields::parse(&body);
    studio.check_write(&headers, &user, fields.get("csrf"))?;
    let deleter = user.caller().permit::<Delete>()?;
    let expected = expected_version(&fields)?;
    match delete_item(&studio.store, &deleter, kind, &slug, expected).await {
        Ok(()) => {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("deleted", &slug)
                .finish();
            Ok(Redirect::to(&format!("/studio/{}?{query}", kind.path())).into_response())
        }
        Err(e @ ApiError::Conflict { .. }) => {
            let current = item(&studio.store, kind, &slug).await?;
            let values = current.values.clone();
            let page = form_page(&studio, &user, kind, Some(&current), values, Some(&e));
            Ok((StatusCode::CONFLICT, html(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
