//! Editors' writes to roles: one transaction each, opened here and never by a resolver, guarded
//! by the role's version (lost-update protection), recomputing the score and recording a
//! revision.
//!
//! Every write to an existing role starts its transaction with
//! `UPDATE roles SET version = version + 1 WHERE id = ? AND version = ?`: of concurrent writers
//! holding the same version exactly one matches the row, the others see zero rows and get
//! CONFLICT. Everything else in the write happens after, inside the same transaction, so a
//! failed validation rolls back the version bump too.

use chrono::Utc;
use entity::{
    RoleStatus, ToolLinkKind, category, role, role_faq, role_migration_path, role_revision,
    role_skill, role_source, role_task, role_tool, source, tool,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::Store;
use super::audit;
use super::content::{
    ContentRules, FactorContent, FactorsContent, FaqContent, MigrationPathContent, RoleContent,
    TaskContent, ToolLinkContent,
};
use super::publishing;
use super::roles::{
    apply_content, category_id, create_role, replace_children, replace_migration_paths,
};
use super::store::WriteTxn;
use crate::auth::Permit;
use crate::auth::permit::{Delete, Publish, Read, Write};
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, EventType};

/// A partial update: `None` leaves a field as it is; a given list replaces the whole list.
#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    /// New slug.
    pub slug: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New category slug.
    pub category: Option<String>,
    /// New O*NET-SOC code (`Some(None)` clears it).
    pub onet_soc_code: Option<Option<String>>,
    /// New summary.
    pub summary: Option<String>,
    /// New industry context.
    pub industry_context: Option<String>,
    /// New repetitiveness factor.
    pub repetitiveness: Option<FactorContent>,
    /// New AI-adoption factor.
    pub ai_adoption: Option<FactorContent>,
    /// New human-judgment factor.
    pub human_judgment: Option<FactorContent>,
    /// Replacement task list.
    pub tasks: Option<Vec<TaskContent>>,
    /// Replacement affecting-tool list.
    pub tools_affecting: Option<Vec<ToolLinkContent>>,
    /// Replacement to-master tool list.
    pub tools_to_master: Option<Vec<ToolLinkContent>>,
    /// Replacement skills.
    pub protective_skills: Option<Vec<String>>,
    /// Replacement migration paths.
    pub migration_paths: Option<Vec<MigrationPathContent>>,
    /// Replacement FAQs.
    pub faqs: Option<Vec<FaqContent>>,
    /// Replacement source slugs.
    pub sources: Option<Vec<String>>,
}

impl RolePatch {
    /// Applies the patch; returns the names of the fields it changed.
    pub fn apply(self, c: &mut RoleContent) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! set {
            ($($field:ident => $target:expr, $name:literal);* $(;)?) => {$(
                if let Some(v) = self.$field {
                    if $target != v {
                        $target = v;
                        changed.push($name);
                    }
                }
            )*};
        }
        set! {
            slug => c.slug, "slug";
            title => c.title, "title";
            category => c.category, "category";
            onet_soc_code => c.onet_soc_code, "onetSocCode";
            summary => c.summary, "summary";
            industry_context => c.industry_context, "industryContext";
            repetitiveness => c.factors.repetitiveness, "repetitiveness";
            ai_adoption => c.factors.ai_adoption, "aiAdoption";
            human_judgment => c.factors.human_judgment, "humanJudgment";
            tasks => c.tasks, "tasks";
            tools_affecting => c.tools_affecting, "toolsAffecting";
            tools_to_master => c.tools_to_master, "toolsToMaster";
            protective_skills => c.protective_skills, "protectiveSkills";
            migration_paths => c.migration_paths, "migrationPaths";
            faqs => c.faqs, "faqs";
            sources => c.sources, "sources";
        }
        changed
    }
}

/// Editors' writes to roles. Each opens its own transaction, reads what it compares inside it,
/// and takes the permit its action needs.
impl Store {
    /// Creates a role as a DRAFT, with revision 1.
    pub async fn create_role(
        &self,
        permit: &Permit<Write>,
        mut content: RoleContent,
    ) -> ApiResult<role::Model> {
        content.status = RoleStatus::Draft;
        let txn = self.begin().await?;
        let role = create_role(&*txn, &content, true).await?;
        record_revision(&*txn, &role, &content, permit.actor(), "created".into()).await?;
        txn.emit(Event {
            kind: EventType::RoleUpdated,
            subject: role.slug.clone(),
            version: Some(role.version),
            published_version: role.published_version,
        });
        txn.commit().await?;
        Ok(role)
    }

    /// Applies a partial update.
    pub async fn update_role(
        &self,
        permit: &Permit<Write>,
        slug: &str,
        expected_version: i32,
        patch: RolePatch,
    ) -> ApiResult<role::Model> {
        self.write_existing(
            permit.actor(),
            slug,
            expected_version,
            Effect::Edit,
            |mut content| {
                let changed = patch.apply(&mut content);
                let summary = if changed.is_empty() {
                    "saved without changes".to_owned()
                } else {
                    format!("updated {}", changed.join(", "))
                };
                Ok((content, summary))
            },
        )
        .await
    }

    /// Moves a role to `status` (publish, unpublish, archive).
    pub async fn set_status(
        &self,
        permit: &Permit<Publish>,
        slug: &str,
        expected_version: i32,
        status: RoleStatus,
    ) -> ApiResult<role::Model> {
        let (verb, effect) = match status {
            RoleStatus::Published => ("published", Effect::Publish),
            RoleStatus::Draft => ("unpublished", Effect::Withdraw),
            RoleStatus::Archived => ("archived", Effect::Withdraw),
        };
        self.write_existing(
            permit.actor(),
            slug,
            expected_version,
            effect,
            |mut content| {
                content.status = status;
                Ok((content, verb.to_owned()))
            },
        )
        .await
    }

    /// Restores the content of revision `revision`, keeping the role's current status.
    pub async fn restore_revision(
        &self,
        permit: &Permit<Write>,
        slug: &str,
        expected_version: i32,
        revision: i32,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let current = find_role(&*txn, slug).await?;
        let missing = ApiError::bad_input(
            "revision",
            format!("role {slug:?} has no revision {revision}"),
        );
        let summary = format!("restored revision {revision}");
        let updated = write_revision_back(
            &txn,
            permit,
            current,
            expected_version,
            revision,
            missing,
            summary,
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Resets the working copy to the published version (as a new revision), dropping every
    /// unpublished change.
    pub async fn discard_role_changes(
        &self,
        permit: &Permit<Write>,
        slug: &str,
        expected_version: i32,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let current = find_role(&*txn, slug).await?;
        let Some(published) = current.published_version else {
            return Err(ApiError::bad_input(
                "slug",
                format!("role {slug:?} has no published version to go back to"),
            ));
        };
        let missing = ApiError::Internal(format!(
            "role {slug:?} lacks its published revision {published}"
        ));
        let summary = format!("discarded unpublished changes (back to version {published})");
        let updated = write_revision_back(
            &txn,
            permit,
            current,
            expected_version,
            published,
            missing,
            summary,
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Deletes a role and its history, leaving an audit record of who deleted it; refused
    /// while other roles link to it.
    pub async fn delete_role(
        &self,
        permit: &Permit<Delete>,
        slug: &str,
        expected_version: i32,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let current = find_role(&*txn, slug).await?;
        let linked = roles_linking_to(&*txn, current.id).await?;
        if !linked.is_empty() {
            return Err(ApiError::Conflict {
                message: format!(
                    "other roles have migration paths to {slug:?}: {}; remove those first",
                    linked.join(", ")
                ),
                current_version: None,
            });
        }
        // The snapshot row goes with the role (cascade); the search index is not a table with
        // foreign keys, so its entry goes here.
        txn.touch(publishing::withdraw(&*txn, current.id).await?);
        // A migration path made meanwhile by a concurrent write is caught by the foreign key
        // (RESTRICT), which `ApiError::from` turns into CONFLICT.
        let deleted = role::Entity::delete_many()
            .filter(role::Column::Id.eq(current.id))
            .filter(role::Column::Version.eq(expected_version))
            .exec(&*txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(version_conflict(&*txn, current.id, expected_version).await);
        }
        audit::record(
            &*txn,
            permit.actor(),
            "role.deleted",
            &current.slug,
            current.version,
        )
        .await?;
        txn.emit(Event {
            kind: EventType::RoleDeleted,
            subject: current.slug.clone(),
            version: Some(current.version),
            published_version: None,
        });
        txn.commit().await?;
        Ok(current)
    }

    /// The revision history of `role_id`, newest first; reading it needs `content:read`.
    pub async fn revisions(
        &self,
        _reader: &Permit<Read>,
        role_id: i32,
        first: u64,
    ) -> ApiResult<Vec<role_revision::Model>> {
        Ok(role_revision::Entity::find()
            .filter(role_revision::Column::RoleId.eq(role_id))
            .order_by_desc(role_revision::Column::Version)
            .limit(first)
            .all(self.db())
            .await?)
    }
}

/// Moves `current` to `status` as `actor` inside the caller's transaction, at its version as
/// it stands (the scheduler's publish: the working copy as it is at that time).
pub(in crate::service) async fn set_status_in(
    owner: &WriteTxn,
    actor: &str,
    current: role::Model,
    status: RoleStatus,
) -> ApiResult<Option<role::Model>> {
    let (verb, effect) = match status {
        RoleStatus::Published => ("published as scheduled", Effect::Publish),
        RoleStatus::Draft => ("unpublished as scheduled", Effect::Withdraw),
        RoleStatus::Archived => ("archived as scheduled", Effect::Withdraw),
    };
    let version = current.version;
    let updated = write(owner, actor, current, version, effect, |mut content| {
        content.status = status;
        Ok((content, verb.to_owned()))
    })
    .await?;
    Ok(Some(updated))
}

impl Store {
    /// One write to the existing role `slug` in a transaction of its own: the role is found
    /// inside it, then [`write`] applies `change`.
    async fn write_existing(
        &self,
        actor: &str,
        slug: &str,
        expected_version: i32,
        effect: Effect,
        change: impl FnOnce(RoleContent) -> ApiResult<(RoleContent, String)>,
    ) -> ApiResult<role::Model> {
        let txn = self.begin().await?;
        let current = find_role(&*txn, slug).await?;
        let updated = write(&txn, actor, current, expected_version, effect, change).await?;
        txn.commit().await?;
        Ok(updated)
    }
}

/// What a write does to the published page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Changes the working copy only; a published page stays as published.
    Edit,
    /// Renders the working copy into the published snapshot.
    Publish,
    /// Takes the published snapshot offline.
    Withdraw,
}

/// The shared write path for an existing role, inside the caller's transaction: the version
/// guard first, then the change, validation, scoring, the revision and the published snapshot.
async fn write(
    owner: &WriteTxn,
    actor: &str,
    current: role::Model,
    expected_version: i32,
    effect: Effect,
    change: impl FnOnce(RoleContent) -> ApiResult<(RoleContent, String)>,
) -> ApiResult<role::Model> {
    let txn: &DatabaseTransaction = owner;
    let now = Utc::now();
    let bumped = role::Entity::update_many()
        .col_expr(
            role::Column::Version,
            Expr::col(role::Column::Version).add(1),
        )
        .col_expr(role::Column::UpdatedAt, Expr::value(now))
        .filter(role::Column::Id.eq(current.id))
        .filter(role::Column::Version.eq(expected_version))
        .exec(txn)
        .await?;
    if bumped.rows_affected == 0 {
        return Err(version_conflict(txn, current.id, expected_version).await);
    }
    let before = load_content(txn, &current).await?;
    let (content, summary) = change(before)?;
    content.validate("input")?;
    let assessment = content.assess("input")?;
    let category = category_id(txn, &content, "input").await?;
    if content.slug != current.slug
        && role::Entity::find()
            .filter(role::Column::Slug.eq(&content.slug))
            .one(txn)
            .await?
            .is_some()
    {
        return Err(ApiError::bad_input(
            "input.slug",
            format!("a role with slug {:?} already exists", content.slug),
        ));
    }
    let mut model: role::ActiveModel = role::Entity::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no role with slug {:?}", current.slug)))?
        .into();
    apply_content(&mut model, &content, category, &assessment);
    model.status = Set(content.status);
    match effect {
        Effect::Publish => {
            model.published_at = Set(Some(now));
            model.published_version = Set(Some(expected_version + 1));
            model.has_unpublished_changes = Set(false);
        }
        Effect::Withdraw => {
            model.published_version = Set(None);
            model.has_unpublished_changes = Set(false);
        }
        Effect::Edit => {
            let differs = match current.published_version {
                Some(v) => revision(txn, current.id, v)
                    .await?
                    .map(|r| r.snapshot)
                    .is_none_or(|live| {
                        RoleContent {
                            status: content.status,
                            ..live
                        } != content
                    }),
                None => false,
            };
            model.has_unpublished_changes = Set(differs);
        }
    }
    let updated = model.update(txn).await?;
    replace_children(txn, current.id, &content, "input").await?;
    replace_migration_paths(txn, current.id, &content, "input").await?;
    record_revision(txn, &updated, &content, actor, summary).await?;
    match effect {
        Effect::Publish => {
            // Publishing is a review: the editor stood behind the page as it is.
            super::reviews::reviewed(txn, updated.id, actor, now).await?;
            publishing::mark_published(txn, updated.id, updated.version).await?;
            owner.touch(publishing::render(txn, &updated).await?);
        }
        Effect::Withdraw => owner.touch(publishing::withdraw(txn, updated.id).await?),
        Effect::Edit => {}
    }
    let kind = match (effect, updated.status) {
        (Effect::Publish, _) => EventType::RolePublished,
        (Effect::Withdraw, RoleStatus::Archived) => EventType::RoleArchived,
        (Effect::Withdraw, _) => EventType::RoleUnpublished,
        (Effect::Edit, _) => EventType::RoleUpdated,
    };
    owner.emit(Event {
        kind,
        subject: updated.slug.clone(),
        version: Some(updated.version),
        published_version: updated.published_version,
    });
    Ok(updated)
}

/// Revision `version` of role `id`, if stored.
pub(crate) async fn revision(
    db: &impl ConnectionTrait,
    id: i32,
    version: i32,
) -> ApiResult<Option<role_revision::Model>> {
    Ok(role_revision::Entity::find()
        .filter(role_revision::Column::RoleId.eq(id))
        .filter(role_revision::Column::Version.eq(version))
        .one(db)
        .await?)
}

/// Writes the content of revision `version` back as the working copy, keeping the status (a
/// new revision; `missing` when there is no such revision).
async fn write_revision_back(
    txn: &WriteTxn,
    permit: &Permit<Write>,
    current: role::Model,
    expected_version: i32,
    version: i32,
    missing: ApiError,
    summary: String,
) -> ApiResult<role::Model> {
    let stored = revision(&**txn, current.id, version)
        .await?
        .ok_or(missing)?;
    write(
        txn,
        permit.actor(),
        current,
        expected_version,
        Effect::Edit,
        move |content| {
            let restored = RoleContent {
                status: content.status,
                ..stored.snapshot
            };
            Ok((restored, summary))
        },
    )
    .await
}

pub(crate) async fn find_role(db: &impl ConnectionTrait, slug: &str) -> ApiResult<role::Model> {
    if !super::content::is_slug(slug) {
        return Err(ApiError::NotFound(format!("no role with slug {slug:?}")));
    }
    role::Entity::find()
        .filter(role::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no role with slug {slug:?}")))
}

pub(crate) async fn version_conflict(
    db: &impl ConnectionTrait,
    id: i32,
    expected: i32,
) -> ApiError {
    match role::Entity::find_by_id(id).one(db).await {
        Ok(Some(r)) => ApiError::Conflict {
            message: format!(
                "the role changed since version {expected}: it is now at version {}; reload and apply your change again",
                r.version
            ),
            current_version: Some(r.version),
        },
        Ok(None) => ApiError::NotFound("the role no longer exists".into()),
        Err(e) => ApiError::Database(e),
    }
}

/// Stores the revision for `role`'s current version.
pub(crate) async fn record_revision(
    db: &impl ConnectionTrait,
    role: &role::Model,
    content: &RoleContent,
    editor: &str,
    summary: String,
) -> ApiResult<()> {
    role_revision::ActiveModel {
        role_id: Set(role.id),
        version: Set(role.version),
        snapshot: Set(content.clone()),
        editor: Set(editor.chars().take(200).collect()),
        summary: Set(summary.chars().take(500).collect()),
        created_at: Set(Utc::now()),
        published: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Rebuilds a role's editable content from the database.
pub(crate) async fn load_content(
    db: &impl ConnectionTrait,
    r: &role::Model,
) -> ApiResult<RoleContent> {
    let category = category::Entity::find_by_id(r.category_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("role without category".into()))?;
    let tasks = role_task::Entity::find()
        .filter(role_task::Column::RoleId.eq(r.id))
        .order_by_asc(role_task::Column::Position)
        .all(db)
        .await?;
    let links = role_tool::Entity::find()
        .filter(role_tool::Column::RoleId.eq(r.id))
        .order_by_asc(role_tool::Column::Position)
        .find_also_related(tool::Entity)
        .all(db)
        .await?;
    let skills = role_skill::Entity::find()
        .filter(role_skill::Column::RoleId.eq(r.id))
        .order_by_asc(role_skill::Column::Position)
        .all(db)
        .await?;
    let paths = role_migration_path::Entity::find()
        .filter(role_migration_path::Column::RoleId.eq(r.id))
        .order_by_asc(role_migration_path::Column::Position)
        .all(db)
        .await?;
    let targets: std::collections::HashMap<i32, String> = role::Entity::find()
        .filter(role::Column::Id.is_in(paths.iter().map(|p| p.target_role_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let faqs = role_faq::Entity::find()
        .filter(role_faq::Column::RoleId.eq(r.id))
        .order_by_asc(role_faq::Column::Position)
        .all(db)
        .await?;
    let sources = role_source::Entity::find()
        .filter(role_source::Column::RoleId.eq(r.id))
        .order_by_asc(role_source::Column::Position)
        .find_also_related(source::Entity)
        .all(db)
        .await?;
    let link = |kind: ToolLinkKind| -> Vec<ToolLinkContent> {
        links
            .iter()
            .filter(|(l, _)| l.kind == kind)
            .filter_map(|(l, t)| {
                t.as_ref().map(|t| ToolLinkContent {
                    tool: t.slug.clone(),
                    note: l.note.clone(),
                })
            })
            .collect()
    };
    Ok(RoleContent {
        slug: r.slug.clone(),
        title: r.title.clone(),
        category: category.slug,
        onet_soc_code: r.onet_soc_code.clone(),
        status: r.status,
        summary: r.summary.clone(),
        industry_context: r.industry_context.clone(),
        factors: FactorsContent {
            repetitiveness: FactorContent {
                score: r.repetitiveness,
                explanation: r.repetitiveness_explanation.clone(),
            },
            ai_adoption: FactorContent {
                score: r.ai_adoption,
                explanation: r.ai_adoption_explanation.clone(),
            },
            human_judgment: FactorContent {
                score: r.human_judgment,
                explanation: r.human_judgment_explanation.clone(),
            },
        },
        tasks: tasks
            .into_iter()
            .map(|t| TaskContent {
                text: t.text,
                exposure: t.exposure,
                task_type: t.task_type,
                time_share: t.time_share,
            })
            .collect(),
        tools_affecting: link(ToolLinkKind::Affecting),
        tools_to_master: link(ToolLinkKind::ToMaster),
        protective_skills: skills.into_iter().map(|s| s.text).collect(),
        migration_paths: paths
            .into_iter()
            .filter_map(|p| {
                targets
                    .get(&p.target_role_id)
                    .map(|slug| MigrationPathContent {
                        target: slug.clone(),
                        rationale: p.rationale,
                    })
            })
            .collect(),
        faqs: faqs
            .into_iter()
            .map(|f| FaqContent {
                question: f.question,
                answer: f.answer,
            })
            .collect(),
        sources: sources
            .into_iter()
            .filter_map(|(_, s)| s.map(|s| s.slug))
            .collect(),
    })
}

/// Slugs of the roles whose migration paths point at role `id`.
async fn roles_linking_to(db: &impl ConnectionTrait, id: i32) -> Result<Vec<String>, DbErr> {
    let sources = role_migration_path::Entity::find()
        .filter(role_migration_path::Column::TargetRoleId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.role_id);
    Ok(role::Entity::find()
        .filter(role::Column::Id.is_in(sources))
        .order_by_asc(role::Column::Slug)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.slug)
        .collect())
}
