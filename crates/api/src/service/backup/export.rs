//! `jobrisk export`: the whole content as one JSON document, written role by role.

use std::collections::HashMap;
use std::io::Write;

use entity::{
    RoleStatus, ToolLinkKind, category, role, role_review, role_revision, role_snapshot, source,
    tool,
};
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IsolationLevel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Serialize;

use super::{
    CategoryRecord, FORMAT, PublishedRecord, ReviewRecord, RevisionRecord, RoleRecord,
    SourceRecord, Timestamp, ToolRecord, VERSION,
};
use crate::error::{ApiError, ApiResult};
use crate::service::Store;
use crate::service::content::{
    FaqContent, MigrationPathContent, RoleContent, TaskContent, ToolLinkContent,
};
use crate::service::editing::load_content;
use crate::service::publishing::{Body, Card};

/// Roles read per query: memory stays bounded by this, not by the number of roles.
const PAGE: u64 = 100;

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExportReport {
    /// Categories written.
    pub categories: usize,
    /// Tools written.
    pub tools: usize,
    /// Sources written.
    pub sources: usize,
    /// Roles written.
    pub roles: usize,
    /// Revisions written, over all roles.
    pub revisions: usize,
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("writing the export: {e}"))
}

/// Writes JSON items of the document, each pretty-printed and indented under its member.
struct Out<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, text: &str) -> ApiResult<()> {
        self.out.write_all(text.as_bytes()).map_err(io)
    }

    fn open(&mut self, member: &str) -> ApiResult<()> {
        self.first = true;
        self.raw(&format!(",\n  \"{member}\": ["))
    }

    fn item<T: Serialize>(&mut self, item: &T) -> ApiResult<()> {
        let text = serde_json::to_string_pretty(item)
            .map_err(|e| ApiError::Internal(format!("serializing the export: {e}")))?;
        self.raw(if self.first { "\n" } else { ",\n" })?;
        self.first = false;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.raw("\n")?;
            }
            self.raw("    ")?;
            self.raw(line)?;
        }
        Ok(())
    }

    fn close(&mut self) -> ApiResult<()> {
        self.raw(if self.first { "]" } else { "\n  ]" })
    }
}

impl Store {
    /// Writes every category, tool, source and role to `out` as one document of the backup
    /// format, from one consistent snapshot of the database, a page of roles at a time.
    pub async fn export_content<W: Write>(&self, out: W) -> ApiResult<ExportReport> {
        let db = self.db();
        let backend = db.get_database_backend();
        // Read-only at one point in time, so that writes during a long export cannot leave a
        // role pointing at a tool the file lacks. (SQLite reads in a transaction already see
        // one snapshot in WAL mode; it takes no isolation level.)
        let txn = if backend == DbBackend::Postgres {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        } else {
            db.begin().await?
        };
        let mut report = ExportReport::default();
        let mut out = Out { out, first: true };
        out.raw(&format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"version\": {VERSION}"
        ))?;

        let mut categories = category::Entity::find().all(&txn).await?;
        categories.sort_by(|a, b| a.slug.cmp(&b.slug));
        out.open("categories")?;
        for c in categories {
            out.item(&CategoryRecord {
                slug: c.slug,
                name: c.name,
                description: c.description,
                version: c.version,
                created_at: Timestamp::new(c.created_at),
                updated_at: Timestamp::new(c.updated_at),
                updated_by: c.updated_by,
            })?;
            report.categories += 1;
        }
        out.close()?;

        let mut tools = tool::Entity::find().all(&txn).await?;
        tools.sort_by(|a, b| a.slug.cmp(&b.slug));
        out.open("tools")?;
        for t in tools {
            out.item(&ToolRecord {
                slug: t.slug,
                name: t.name,
                vendor: t.vendor,
                url: t.url,
                description: t.description,
                version: t.version,
                created_at: Timestamp::new(t.created_at),
                updated_at: Timestamp::new(t.updated_at),
                updated_by: t.updated_by,
            })?;
            report.tools += 1;
        }
        out.close()?;

        let mut sources = source::Entity::find().all(&txn).await?;
        sources.sort_by(|a, b| a.slug.cmp(&b.slug));
        out.open("sources")?;
        for s in sources {
            out.item(&SourceRecord {
                slug: s.slug,
                title: s.title,
                publisher: s.publisher,
                url: s.url,
                published_on: s.published_on,
                version: s.version,
                created_at: Timestamp::new(s.created_at),
                updated_at: Timestamp::new(s.updated_at),
                updated_by: s.updated_by,
            })?;
            report.sources += 1;
        }
        out.close()?;

        out.open("roles")?;
        let mut after: Option<String> = None;
        loop {
            let page = roles_after(&txn, backend, after.as_deref()).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.slug.clone());
            for r in page {
                let record = role_record(&txn, r).await?;
                report.revisions += record.revisions.len();
                out.item(&record)?;
                report.roles += 1;
            }
        }
        out.close()?;
        out.raw("\n}\n")?;
        out.out.flush().map_err(io)?;
        txn.commit().await?;
        Ok(report)
    }
}

/// The next page of roles by slug, in byte order on both databases (PostgreSQL would otherwise
/// sort by its locale, where `a-b` and `ab` compare differently than on SQLite).
async fn roles_after(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    after: Option<&str>,
) -> ApiResult<Vec<role::Model>> {
    let mut query = role::Entity::find();
    if backend == DbBackend::Postgres {
        if let Some(after) = after {
            query = query.filter(Expr::cust_with_values(
                r#""roles"."slug" COLLATE "C" > $1"#,
                [after.to_owned()],
            ));
        }
        query = query.order_by(Expr::cust(r#""roles"."slug" COLLATE "C""#), Order::Asc);
    } else {
        if let Some(after) = after {
            query = query.filter(role::Column::Slug.gt(after));
        }
        query = query.order_by_asc(role::Column::Slug);
    }
    Ok(query.limit(PAGE).all(db).await?)
}

async fn role_record(db: &impl ConnectionTrait, r: role::Model) -> ApiResult<RoleRecord> {
    let working_copy = load_content(db, &r).await?;
    let published = match role_snapshot::Entity::find_by_id(r.id).one(db).await? {
        Some(snapshot) => Some(published_record(db, &snapshot).await?),
        None => None,
    };
    let review = role_review::Entity::find_by_id(r.id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("role {} has no review row", r.slug)))?;
    let revisions = role_revision::Entity::find()
        .filter(role_revision::Column::RoleId.eq(r.id))
        .order_by_asc(role_revision::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|v| RevisionRecord {
            version: v.version,
            created_at: Timestamp::new(v.created_at),
            editor: v.editor,
            summary: v.summary,
            published: v.published,
            content: v.snapshot,
        })
        .collect();
    Ok(RoleRecord {
        version: r.version,
        created_at: Timestamp::new(r.created_at),
        updated_at: Timestamp::new(r.updated_at),
        published_at: r.published_at.map(Timestamp::new),
        published_version: r.published_version,
        has_unpublished_changes: r.has_unpublished_changes,
        working_copy,
        published,
        review: ReviewRecord {
            reviewed_at: review.reviewed_at.map(Timestamp::new),
            reviewed_by: review.reviewed_by,
            interval_days: review.interval_days,
            due_at: Timestamp::new(review.due_at),
        },
        revisions,
    })
}

/// The content a published snapshot shows, by slugs.
async fn published_record(
    db: &impl ConnectionTrait,
    snapshot: &role_snapshot::Model,
) -> ApiResult<PublishedRecord> {
    let corrupt = |what: &str, e: serde_json::Error| {
        ApiError::Internal(format!(
            "the published {what} of {} does not parse: {e}",
            snapshot.slug
        ))
    };
    let card: Card = serde_json::from_str(&snapshot.card).map_err(|e| corrupt("card", e))?;
    let body: Body = serde_json::from_str(&snapshot.body).map_err(|e| corrupt("body", e))?;
    let targets: HashMap<i32, String> = role::Entity::find()
        .filter(role::Column::Id.is_in(body.paths.iter().map(|p| p.target)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let links = |kind: ToolLinkKind| -> Vec<ToolLinkContent> {
        body.tools
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| ToolLinkContent {
                tool: t.tool.slug.clone(),
                note: t.note.clone(),
            })
            .collect()
    };
    let r = &card.role;
    let content = RoleContent {
        slug: r.slug.clone(),
        title: r.title.clone(),
        category: card.category.slug.clone(),
        onet_soc_code: r.onet_soc_code.clone(),
        status: RoleStatus::Published,
        summary: r.summary.clone(),
        industry_context: r.industry_context.clone(),
        factors: crate::service::content::FactorsContent {
            repetitiveness: crate::service::content::FactorContent {
                score: r.repetitiveness,
                explanation: r.repetitiveness_explanation.clone(),
            },
            ai_adoption: crate::service::content::FactorContent {
                score: r.ai_adoption,
                explanation: r.ai_adoption_explanation.clone(),
            },
            human_judgment: crate::service::content::FactorContent {
                score: r.human_judgment,
                explanation: r.human_judgment_explanation.clone(),
            },
        },
        tasks: body
            .tasks
            .iter()
            .map(|t| TaskContent {
                text: t.text.clone(),
                exposure: t.exposure,
                task_type: t.task_type,
                time_share: t.time_share,
            })
            .collect(),
        tools_affecting: links(ToolLinkKind::Affecting),
        tools_to_master: links(ToolLinkKind::ToMaster),
        protective_skills: body.skills.clone(),
        migration_paths: body
            .paths
            .iter()
            .filter_map(|p| {
                targets.get(&p.target).map(|slug| MigrationPathContent {
                    target: slug.clone(),
                    rationale: p.rationale.clone(),
                })
            })
            .collect(),
        faqs: body
            .faqs
            .iter()
            .map(|f| FaqContent {
                question: f.question.clone(),
                answer: f.answer.clone(),
            })
            .collect(),
        sources: body.sources.iter().map(|s| s.slug.clone()).collect(),
    };
    Ok(PublishedRecord {
        version: snapshot.version,
        updated_at: Timestamp::new(snapshot.updated_at),
        content,
    })
}
