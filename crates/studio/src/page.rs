//! The preview's "Page" tab: every section of the README's page query, rendered from the
//! form's content the way the public page would show it once published.

use std::collections::HashMap;

use api::service::working::Catalog;
use entity::{Exposure, RoleContent};
use scoring::Assessment;

use crate::view::level;

/// A labelled pair of texts (a tool and its note, a question and its answer).
pub struct Line {
    /// The name or question.
    pub head: String,
    /// The note or answer ("" when none).
    pub body: String,
}

/// The page as the public would see it.
pub struct PagePreview {
    /// Role title.
    pub title: String,
    /// Category name (its slug when the category is unknown).
    pub category: String,
    /// Summary.
    pub summary: String,
    /// Industry context.
    pub industry_context: String,
    /// Score.
    pub score: u8,
    /// Level in words.
    pub level: &'static str,
    /// Level CSS class.
    pub level_class: &'static str,
    /// Scoring model version.
    pub model_version: String,
    /// "78.5%".
    pub coverage: String,
    /// Alpha, beta, gamma as percentages, when any task is labelled.
    pub indices: Option<(String, String, String)>,
    /// Factors: name with score and direction, explanation.
    pub factors: Vec<Line>,
    /// Tasks at risk (E1, E2): text, label.
    pub tasks_at_risk: Vec<Line>,
    /// Tools affecting the role.
    pub tools_affecting: Vec<Line>,
    /// Tools to master.
    pub tools_to_master: Vec<Line>,
    /// Protective skills.
    pub skills: Vec<String>,
    /// Migration paths: target title (slug), rationale.
    pub paths: Vec<Line>,
    /// Questions and answers.
    pub faqs: Vec<Line>,
    /// Source titles.
    pub sources: Vec<String>,
}

impl PagePreview {
    /// The page of `content` scored as `assessment`; `titles` maps role slugs to titles for
    /// the migration paths.
    pub fn new(
        content: &RoleContent,
        assessment: &Assessment,
        catalog: &Catalog,
        titles: &HashMap<String, String>,
    ) -> Self {
        let name = |choices: &[api::service::working::Choice], slug: &str| {
            choices.iter().find(|c| c.slug == slug).map_or_else(
                || format!("{slug} (not in the catalog)"),
                |c| c.name.clone(),
            )
        };
        let tools = |links: &[entity::content::ToolLinkContent]| {
            links
                .iter()
                .map(|l| Line {
                    head: name(&catalog.tools, &l.tool),
                    body: l.note.clone(),
                })
                .collect()
        };
        let percent = |v: f64| format!("{:.1}%", v * 100.0);
        let (level, level_class) = level(assessment.level);
        let factor = |label: &str, f: &entity::content::FactorContent, raises: bool| Line {
            head: format!(
                "{label}: {} of 10 ({} the risk)",
                f.score,
                if raises { "raises" } else { "lowers" }
            ),
            body: f.explanation.clone(),
        };
        Self {
            title: content.title.clone(),
            category: name(&catalog.categories, &content.category),
            summary: content.summary.clone(),
            industry_context: content.industry_context.clone(),
            score: assessment.score,
            level,
            level_class,
            model_version: assessment.model_version.clone(),
            coverage: percent(assessment.coverage),
            indices: assessment
                .task_exposure
                .as_ref()
                .map(|t| (percent(t.alpha), percent(t.beta), percent(t.gamma))),
            factors: vec![
                factor("Repetitiveness", &content.factors.repetitiveness, true),
                factor("AI adoption", &content.factors.ai_adoption, true),
                factor("Human judgment", &content.factors.human_judgment, false),
            ],
            tasks_at_risk: content
                .tasks
                .iter()
                .filter_map(|t| match t.exposure {
                    Some(Exposure::E1) => Some(("E1: directly exposed", t)),
                    Some(Exposure::E2) => Some(("E2: exposed with LLM software", t)),
                    _ => None,
                })
                .map(|(label, t)| Line {
                    head: t.text.clone(),
                    body: label.to_owned(),
                })
                .collect(),
            tools_affecting: tools(&content.tools_affecting),
            tools_to_master: tools(&content.tools_to_master),
            skills: content.protective_skills.clone(),
            paths: content
                .migration_paths
                .iter()
                .map(|p| Line {
                    head: titles.get(&p.target).map_or_else(
                        || format!("{} (no such role)", p.target),
                        |t| format!("{t} ({})", p.target),
                    ),
                    body: p.rationale.clone(),
                })
                .collect(),
            faqs: content
                .faqs
                .iter()
                .map(|f| Line {
                    head: f.question.clone(),
                    body: f.answer.clone(),
                })
                .collect(),
            sources: content
                .sources
                .iter()
                .map(|s| name(&catalog.sources, s))
                .collect(),
        }
    }
}
