//! Demo content: the files under `data/demo/`, embedded in the binary so `jobrisk serve` and
//! `jobrisk seed` work from any directory, and loaded through the same service functions the
//! editing API uses.

use include_dir::{Dir, include_dir};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::service::catalog::{self, CategoryContent, SourceContent, ToolContent};
use crate::service::content::RoleContent;
use crate::service::{editing, publishing, roles};

/// The editor recorded on revisions the demo loader writes.
pub const SEED_EDITOR: &str = "jobrisk seed";

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../data/demo");

/// What a seed run loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Categories created.
    pub categories: usize,
    /// Tools created.
    pub tools: usize,
    /// Sources created.
    pub sources: usize,
    /// Roles created.
    pub roles: usize,
}

fn parse<T: DeserializeOwned>(file: &include_dir::File<'_>) -> ApiResult<T> {
    serde_json::from_slice(file.contents())
        .map_err(|e| ApiError::Internal(format!("demo file {}: {e}", file.path().display())))
}

/// Every JSON file directly under `dir` of the demo set, sorted by name.
fn files<'a>(dir: &str) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = DEMO
        .get_dir(dir)
        .map(|d| {
            d.files()
                .filter(|f| f.path().extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort_by_key(|f| f.path());
    files
}

/// The demo role pages, parsed.
pub fn demo_roles() -> ApiResult<Vec<RoleContent>> {
    files("roles").into_iter().map(parse).collect()
}

/// Loads the demo set into an empty database, in one transaction: all of it or nothing.
pub async fn seed(db: &DatabaseConnection) -> ApiResult<SeedReport> {
    if entity::category::Entity::find().count(db).await? > 0
        || entity::role::Entity::find().count(db).await? > 0
    {
        return Err(ApiError::Conflict {
            message:
                "the database already has content; demo content loads only into an empty database"
                    .into(),
            current_version: None,
        });
    }
    let categories_file = DEMO
        .get_file("categories.json")
        .ok_or_else(|| ApiError::Internal("demo set has no categories.json".into()))?;
    let categories: Vec<CategoryContent> = parse(categories_file)?;
    let mut tools: Vec<ToolContent> = Vec::new();
    for f in files("tools") {
        tools.extend(parse::<Vec<ToolContent>>(f)?);
    }
    let mut sources: Vec<SourceContent> = Vec::new();
    for f in files("sources") {
        sources.extend(parse::<Vec<SourceContent>>(f)?);
    }
    let role_pages = demo_roles()?;

    let txn = db.begin().await?;
    let mut report = SeedReport::default();
    for c in &categories {
        catalog::insert_category(&txn, c, SEED_EDITOR).await?;
        report.categories += 1;
    }
    for t in &tools {
        catalog::insert_tool(&txn, t, SEED_EDITOR)
            .await
            .map_err(|e| context(e, &t.slug))?;
        report.tools += 1;
    }
    for s in &sources {
        catalog::insert_source(&txn, s, SEED_EDITOR)
            .await
            .map_err(|e| context(e, &s.slug))?;
        report.sources += 1;
    }
    let mut created = Vec::with_capacity(role_pages.len());
    for page in &role_pages {
        let role = roles::create_role(&txn, page, false)
            .await
            .map_err(|e| context(e, &page.slug))?;
        created.push(role);
        report.roles += 1;
    }
    // Second pass: every migration target exists now.
    for (page, role) in role_pages.iter().zip(&created) {
        roles::replace_migration_paths(&txn, role.id, page, "input")
            .await
            .map_err(|e| context(e, &page.slug))?;
        editing::record_revision(
            &txn,
            role,
            page,
            SEED_EDITOR,
            "created from the demo content".into(),
        )
        .await?;
        publishing::publish_as_is(&txn, role).await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// Seeds only when the database has no content yet; returns whether it did.
pub async fn seed_if_empty(db: &DatabaseConnection) -> ApiResult<Option<SeedReport>> {
    if entity::category::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    seed(db).await.map(Some)
}

/// Roles written per transaction by [`synthetic`]: large enough that commits do not dominate,
/// small enough that a transaction's locks and memory stay modest.
const SYNTHETIC_BATCH: usize = 500;

/// Title prefixes that make derived roles read as distinct pages (and give searches and title
/// orderings a spread of values).
const QUALIFIERS: [&str; 12] = [
    "Senior",
    "Junior",
    "Lead",
    "Principal",
    "Associate",
    "Staff",
    "Regional",
    "Assistant",
    "Chief",
    "Trainee",
    "Remote",
    "Contract",
];

/// A small deterministic generator (SplitMix64): the same `seed` always gives the same content,
/// so two databases generated alike can be compared request for request.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Every tenth generation of copies is a draft, so lists and related roles skip some rows.
fn synthetic_is_draft(generation: usize) -> bool {
    generation % 10 == 9
}

/// The slug of copy `generation` of a demo slug (generation 0 is the demo role itself).
fn synthetic_slug(base: &str, generation: usize) -> String {
    if generation == 0 {
        base.to_owned()
    } else {
        format!("{base}-{generation}")
    }
}

/// Copy `generation` (>= 1) of a demo page: new slug and title, jittered factors and labels
/// (so scores spread), and migration paths to the nearest earlier published generation (which
/// exists already and is visible, so every page shows all its paths).
fn derive(page: &RoleContent, generation: usize, rng: &mut SplitMix) -> RoleContent {
    use entity::{Exposure, RoleStatus};
    let mut role = page.clone();
    role.slug = synthetic_slug(&page.slug, generation);
    let qualifier = QUALIFIERS[rng.below(QUALIFIERS.len() as u64) as usize];
    role.title = format!("{qualifier} {} {generation}", page.title);
    role.status = if synthetic_is_draft(generation) {
        RoleStatus::Draft
    } else {
        RoleStatus::Published
    };
    for factor in [
        &mut role.factors.repetitiveness,
        &mut role.factors.ai_adoption,
        &mut role.factors.human_judgment,
    ] {
        let jitter = rng.below(5) as i32 - 2;
        factor.score = (factor.score + jitter).clamp(1, 10);
    }
    for task in &mut role.tasks {
        if task.exposure.is_some() && rng.below(5) == 0 {
            task.exposure = Some(match rng.below(3) {
                0 => Exposure::E0,
                1 => Exposure::E1,
                _ => Exposure::E2,
            });
        }
    }
    let mut target_generation = generation - 1;
    while target_generation > 0 && synthetic_is_draft(target_generation) {
        target_generation -= 1;
    }
    for path in &mut role.migration_paths {
        path.target = synthetic_slug(&path.target, target_generation);
    }
    role
}

/// Loads the demo set into an empty database, then derives roles from the demo pages until
/// there are `roles` in all, for benchmarks: one role in ten is a draft, the rest published.
///
/// Writes go through the same service functions as the editing API (validation, scoring,
/// children, migration paths, a revision each), `SYNTHETIC_BATCH` roles per transaction, so
/// the database looks like one editors filled. The same `seed` gives the same content on any
/// database. Fewer `roles` than the demo set loads the demo set alone.
pub async fn synthetic(db: &DatabaseConnection, roles: usize, seed: u64) -> ApiResult<SeedReport> {
    let mut report = self::seed(db).await?;
    let pages = std::sync::Arc::new(demo_roles()?);
    let first = pages.len();
    if roles <= first {
        return Ok(report);
    }
    // Roles first, then their migration paths and revisions: with every role in place, batches
    // need no order and PostgreSQL can take several at once (100k roles in minutes, not a
    // quarter of an hour). SQLite has one writer, so more would only wait for the lock.
    let writers = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => SYNTHETIC_WRITERS,
        _ => 1,
    };
    for pass in [SyntheticPass::Roles, SyntheticPass::Paths] {
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(first));
        let mut tasks = tokio::task::JoinSet::<ApiResult<()>>::new();
        for _ in 0..writers {
            let (db, pages, next) = (db.clone(), pages.clone(), next.clone());
            tasks.spawn(async move {
                loop {
                    let start =
                        next.fetch_add(SYNTHETIC_BATCH, std::sync::atomic::Ordering::Relaxed);
                    if start >= roles {
                        return Ok(());
                    }
                    let end = roles.min(start + SYNTHETIC_BATCH);
                    synthetic_batch(&db, &pages, start..end, seed, pass).await?;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| ApiError::Internal(format!("synthetic content writer: {e}")))??;
        }
    }
    report.roles += roles - first;
    Ok(report)
}

/// Concurrent writers of [`synthetic`] on PostgreSQL: enough to keep two cores busy while each
/// waits for its round trips.
const SYNTHETIC_WRITERS: usize = 4;

/// The two passes of [`synthetic`].
#[derive(Debug, Clone, Copy)]
enum SyntheticPass {
    /// Each role with its children, without migration paths.
    Roles,
    /// Each role's migration paths (every target exists by now) and its first revision.
    Paths,
}

/// One transaction of [`synthetic`]: roles `range` (indexes past the demo set).
async fn synthetic_batch(
    db: &DatabaseConnection,
    pages: &[RoleContent],
    range: std::ops::Range<usize>,
    seed: u64,
    pass: SyntheticPass,
) -> ApiResult<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let txn = db.begin().await?;
    for i in range {
        // Seeded per role, so content does not depend on which writer wrote it.
        let mut rng = SplitMix(seed ^ (i as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
        let content = derive(&pages[i % pages.len()], i / pages.len(), &mut rng);
        match pass {
            SyntheticPass::Roles => {
                roles::create_role(&txn, &content, false)
                    .await
                    .map_err(|e| context(e, &content.slug))?;
            }
            SyntheticPass::Paths => {
                let role = entity::role::Entity::find()
                    .filter(entity::role::Column::Slug.eq(&content.slug))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| ApiError::Internal(format!("{} vanished", content.slug)))?;
                roles::replace_migration_paths(&txn, role.id, &content, "input")
                    .await
                    .map_err(|e| context(e, &content.slug))?;
                editing::record_revision(
                    &txn,
                    &role,
                    &content,
                    SEED_EDITOR,
                    "created as synthetic content".into(),
                )
                .await?;
                publishing::publish_as_is(&txn, &role).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Names the demo entry a validation error came from.
fn context(e: ApiError, slug: &str) -> ApiError {
    match e {
        ApiError::BadInput { field, message } => {
            ApiError::Internal(format!("demo content {slug:?}: {field}: {message}"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::content::ContentRules;

    #[test]
    fn every_demo_role_validates_and_scores() {
        let roles = demo_roles().expect("demo roles parse");
        assert!(roles.len() >= 41, "{} roles", roles.len());
        for r in &roles {
            r.validate("input")
                .unwrap_or_else(|e| panic!("{}: {e}", r.slug));
            r.assess("input")
                .unwrap_or_else(|e| panic!("{}: {e}", r.slug));
        }
        let backend = roles
            .iter()
            .find(|r| r.slug == "backend-developer")
            .expect("backend page");
        let a = backend.assess("input").expect("scores");
        assert_eq!(a.level, scoring::Level::Moderate, "score {}", a.score);
    }

    #[test]
    fn the_demo_set_spans_eight_categories_with_six_technology_roles() {
        let roles = demo_roles().expect("demo roles parse");
        let categories: std::collections::HashSet<&str> =
            roles.iter().map(|r| r.category.as_str()).collect();
        assert!(categories.len() >= 8, "{categories:?}");
        assert!(roles.iter().filter(|r| r.category == "technology").count() >= 6);
    }
}
