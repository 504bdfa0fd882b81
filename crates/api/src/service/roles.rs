//! Writing roles: every write validates, recomputes the score through `scoring` and replaces
//! the ordered child lists, inside the caller's transaction (crate-only: editors reach these
//! through the permit-taking methods of `editing`, the demo loader directly).

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    Contributions, Level, RoleStatus, ToolLinkKind, category, role, role_faq, role_migration_path,
    role_skill, role_source, role_task, role_tool, source, tool,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::content::{ContentRules, RoleContent};
use crate::error::{ApiError, ApiResult};

/// Converts the scoring crate's level to the stored one.
pub fn level_of(level: scoring::Level) -> Level {
    match level {
        scoring::Level::Low => Level::Low,
        scoring::Level::Moderate => Level::Moderate,
        scoring::Level::High => Level::High,
        scoring::Level::VeryHigh => Level::VeryHigh,
    }
}

/// Looks up ids by slug for one entity, failing with the field of the first unknown slug.
async fn ids_by_slug<E, C>(
    db: &C,
    slug_col: E::Column,
    slugs: &[&str],
    field: impl Fn(usize) -> String,
    what: &str,
) -> ApiResult<HashMap<String, i32>>
where
    E: EntityTrait,
    C: ConnectionTrait,
    E::Model: SlugId,
{
    if slugs.is_empty() {
        return Ok(HashMap::new());
    }
    let found: HashMap<String, i32> = E::find()
        .filter(slug_col.is_in(slugs.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.slug().to_owned(), m.id()))
        .collect();
    for (i, slug) in slugs.iter().enumerate() {
        if !found.contains_key(*slug) {
            return Err(ApiError::bad_input(
                field(i),
                format!("no {what} with slug {slug:?}"),
            ));
        }
    }
    Ok(found)
}

/// Models addressed by slug.
pub trait SlugId {
    /// The model's slug.
    fn slug(&self) -> &str;
    /// The model's id.
    fn id(&self) -> i32;
}

macro_rules! slug_id {
    ($($m:path),*) => {$(
        impl SlugId for $m {
            fn slug(&self) -> &str { &self.slug }
            fn id(&self) -> i32 { self.id }
        }
    )*};
}
slug_id!(tool::Model, source::Model, role::Model, category::Model);

/// The folded text `filter.search` matches against.
pub fn search_text(title: &str, summary: &str) -> String {
    format!("{}\n{}", title.to_lowercase(), summary.to_lowercase())
}

/// Resolves the category slug of `content`.
pub(crate) async fn category_id(
    db: &impl ConnectionTrait,
    content: &RoleContent,
    prefix: &str,
) -> ApiResult<i32> {
    let ids = ids_by_slug::<category::Entity, _>(
        db,
        category::Column::Slug,
        &[content.category.as_str()],
        |_| format!("{prefix}.category"),
        "category",
    )
    .await?;
    Ok(ids[&content.category])
}

/// Fills the content and score columns of `model` from `content`.
pub(crate) fn apply_content(
    model: &mut role::ActiveModel,
    content: &RoleContent,
    category_id: i32,
    assessment: &scoring::Assessment,
) {
    let exposure = assessment.task_exposure;
    model.slug = Set(content.slug.clone());
    model.title = Set(content.title.clone());
    model.summary = Set(content.summary.clone());
    model.industry_context = Set(content.industry_context.clone());
    model.search_text = Set(search_text(&content.title, &content.summary));
    model.category_id = Set(category_id);
    model.onet_soc_code = Set(content.onet_soc_code.clone());
    model.repetitiveness = Set(content.factors.repetitiveness.score);
    model.repetitiveness_explanation = Set(content.factors.repetitiveness.explanation.clone());
    model.ai_adoption = Set(content.factors.ai_adoption.score);
    model.ai_adoption_explanation = Set(content.factors.ai_adoption.explanation.clone());
    model.human_judgment = Set(content.factors.human_judgment.score);
    model.human_judgment_explanation = Set(content.factors.human_judgment.explanation.clone());
    model.score = Set(i32::from(assessment.score));
    model.level = Set(level_of(assessment.level));
    model.exact_score = Set(assessment.exact_score);
    model.coverage = Set(assessment.coverage);
    model.task_alpha = Set(exposure.map(|e| e.alpha));
    model.task_beta = Set(exposure.map(|e| e.beta));
    model.task_gamma = Set(exposure.map(|e| e.gamma));
    model.contributions = Set(Contributions(assessment.contributions.clone()));
    model.model_version = Set(assessment.model_version.clone());
}

/// Creates a role with all its children. Migration paths are written only when `with_paths`
/// (the demo loader writes them in a second pass, once every target exists).
pub(crate) async fn create_role(
    db: &impl ConnectionTrait,
    content: &RoleContent,
    with_paths: bool,
) -> ApiResult<role::Model> {
    content.validate("input")?;
    let assessment = content.assess("input")?;
    let category_id = category_id(db, content, "input").await?;
    if role::Entity::find()
        .filter(role::Column::Slug.eq(&content.slug))
        .one(db)
        .await?
        .is_some()
    {
        return Err(ApiError::bad_input(
            "input.slug",
            format!("a role with slug {:?} already exists", content.slug),
        ));
    }
    let now = Utc::now();
    let mut model = role::ActiveModel {
        status: Set(content.status),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set((content.status == RoleStatus::Published).then_some(now)),
        ..Default::default()
    };
    apply_content(&mut model, content, category_id, &assessment);
    let role = model.insert(db).await?;
    super::reviews::start(db, role.id, now).await?;
    replace_children(db, role.id, content, "input").await?;
    if with_paths {
        replace_migration_paths(db, role.id, content, "input").await?;
    }
    Ok(role)
}

/// Replaces tasks, tool links, skills, FAQs and citations of a role with those of `content`.
pub(crate) async fn replace_children(
    db: &impl ConnectionTrait,
    role_id: i32,
    content: &RoleContent,
    prefix: &str,
) -> ApiResult<()> {
    let tool_slugs = content.tool_slugs();
    let affecting = content.tools_affecting.len();
    let tools = ids_by_slug::<tool::Entity, _>(
        db,
        tool::Column::Slug,
        &tool_slugs,
        |i| {
            if i < affecting {
                format!("{prefix}.toolsAffecting[{i}].tool")
            } else {
                format!("{prefix}.toolsToMaster[{}].tool", i - affecting)
            }
        },
        "tool",
    )
    .await?;
    let source_slugs: Vec<&str> = content.sources.iter().map(String::as_str).collect();
    let sources = ids_by_slug::<source::Entity, _>(
        db,
        source::Column::Slug,
        &source_slugs,
        |i| format!("{prefix}.sources[{i}]"),
        "source",
    )
    .await?;

    role_task::Entity::delete_many()
        .filter(role_task::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    role_tool::Entity::delete_many()
        .filter(role_tool::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    role_skill::Entity::delete_many()
        .filter(role_skill::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    role_faq::Entity::delete_many()
        .filter(role_faq::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    role_source::Entity::delete_many()
        .filter(role_source::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;

    let position = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
    if !content.tasks.is_empty() {
        role_task::Entity::insert_many(content.tasks.iter().enumerate().map(|(i, t)| {
            role_task::ActiveModel {
                role_id: Set(role_id),
                position: Set(position(i)),
                text: Set(t.text.clone()),
                exposure: Set(t.exposure),
                time_share: Set(t.time_share),
                task_type: Set(t.task_type),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    let links = content
        .tools_affecting
        .iter()
        .enumerate()
        .map(|(i, l)| (ToolLinkKind::Affecting, i, l))
        .chain(
            content
                .tools_to_master
                .iter()
                .enumerate()
                .map(|(i, l)| (ToolLinkKind::ToMaster, i, l)),
        );
    let links: Vec<role_tool::ActiveModel> = links
        .map(|(kind, i, l)| role_tool::ActiveModel {
            role_id: Set(role_id),
            kind: Set(kind),
            position: Set(position(i)),
            tool_id: Set(tools[&l.tool]),
            note: Set(l.note.clone()),
            ..Default::default()
        })
        .collect();
    if !links.is_empty() {
        role_tool::Entity::insert_many(links).exec(db).await?;
    }
    if !content.protective_skills.is_empty() {
        role_skill::Entity::insert_many(content.protective_skills.iter().enumerate().map(
            |(i, s)| role_skill::ActiveModel {
                role_id: Set(role_id),
                position: Set(position(i)),
                text: Set(s.clone()),
                ..Default::default()
            },
        ))
        .exec(db)
        .await?;
    }
    if !content.faqs.is_empty() {
        role_faq::Entity::insert_many(content.faqs.iter().enumerate().map(|(i, f)| {
            role_faq::ActiveModel {
                role_id: Set(role_id),
                position: Set(position(i)),
                question: Set(f.question.clone()),
                answer: Set(f.answer.clone()),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    if !content.sources.is_empty() {
        role_source::Entity::insert_many(content.sources.iter().enumerate().map(|(i, s)| {
            role_source::ActiveModel {
                role_id: Set(role_id),
                position: Set(position(i)),
                source_id: Set(sources[s]),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Replaces a role's migration paths; every target must be an existing role other than itself.
pub(crate) async fn replace_migration_paths(
    db: &impl ConnectionTrait,
    role_id: i32,
    content: &RoleContent,
    prefix: &str,
) -> ApiResult<()> {
    let slugs: Vec<&str> = content
        .migration_paths
        .iter()
        .map(|p| p.target.as_str())
        .collect();
    let targets = ids_by_slug::<role::Entity, _>(
        db,
        role::Column::Slug,
        &slugs,
        |i| format!("{prefix}.migrationPaths[{i}].target"),
        "role",
    )
    .await?;
    role_migration_path::Entity::delete_many()
        .filter(role_migration_path::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    if content.migration_paths.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(content.migration_paths.len());
    for (i, p) in content.migration_paths.iter().enumerate() {
        let target = targets[&p.target];
        if target == role_id {
            return Err(ApiError::bad_input(
                format!("{prefix}.migrationPaths[{i}].target"),
                "a role cannot migrate to itself",
            ));
        }
        rows.push(role_migration_path::ActiveModel {
            role_id: Set(role_id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            target_role_id: Set(target),
            rationale: Set(p.rationale.clone()),
            ..Default::default()
        });
    }
    role_migration_path::Entity::insert_many(rows)
        .exec(db)
        .await?;
    Ok(())
}
