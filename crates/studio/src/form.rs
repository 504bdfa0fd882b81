//! The role form: URL-encoded fields to [`RoleContent`] and back. Names follow the API's
//! input paths (`tasks[2].timeShare`), so an error from the services (`input.tasks[2].timeShare`)
//! lands on its field. Lists are read by index until a gap; parsing never panics on hostile
//! input (huge indices are refused, not allocated).

use std::collections::BTreeMap;

use entity::content::{
    FactorContent, FactorsContent, FaqContent, MigrationPathContent, TaskContent, ToolLinkContent,
};
use entity::{Exposure, RoleContent, TaskType};

use api::ApiError;

/// Most items of one list a form may carry (the content rules allow fewer).
const MAX_INDEX: usize = 1000;

/// A submitted form's fields (the last value of a name wins, except for repeated `sources`).
#[derive(Debug, Default, Clone)]
pub struct Fields {
    values: BTreeMap<String, String>,
    sources: Vec<String>,
}

impl Fields {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Self {
        let mut fields = Self::default();
        for (k, v) in form_urlencoded::parse(body) {
            if k == "sources" {
                fields.sources.push(v.into_owned());
            } else {
                fields.values.insert(k.into_owned(), v.into_owned());
            }
        }
        fields
    }

    /// The value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The whole number in `name`, else a field error with `message`: versions and revisions
    /// come from hidden fields, so a missing one means a stale or hand-made form.
    pub fn number(&self, name: &str, message: &str) -> Result<i32, ApiError> {
        self.get(name)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| ApiError::bad_input(name, message))
    }

    /// The value of `name`, trimmed, or empty.
    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_owned()
    }

    /// Whether the form carries list `name` (its hidden `name.sent` field): a form without
    /// it leaves that list as it is, and one with it replaces the list (an empty list too).
    fn sent(&self, name: &str) -> bool {
        self.values.contains_key(&format!("{name}.sent"))
    }

    /// Indices present for list `prefix` (`tasks` finds `tasks[0].text`, `tasks[3].text`).
    fn indices(&self, prefix: &str) -> Result<Vec<usize>, ApiError> {
        let start = format!("{prefix}[");
        let mut found = std::collections::BTreeSet::new();
        for key in self.values.range(start.clone()..) {
            let Some(rest) = key.0.strip_prefix(&start) else {
                break;
            };
            let Some((index, _)) = rest.split_once(']') else {
                continue;
            };
            let index: usize = index.parse().map_err(|_| {
                ApiError::bad_input(format!("input.{prefix}"), "list indices must be numbers")
            })?;
            if index >= MAX_INDEX {
                return Err(ApiError::bad_input(
                    format!("input.{prefix}"),
                    format!("must have fewer than {MAX_INDEX} items"),
                ));
            }
            found.insert(index);
        }
        Ok(found.into_iter().collect())
    }

    /// The role content the form describes; what the form does not carry (status, O*NET code
    /// when absent) is taken from `base`, the working copy it was opened from.
    pub fn content(&self, base: &RoleContent) -> Result<RoleContent, ApiError> {
        let factor = |name: &str, base: &FactorContent| -> Result<FactorContent, ApiError> {
            let field = format!("factors.{name}.score");
            let score = match self.get(&field) {
                Some(raw) => raw.trim().parse().map_err(|_| {
                    ApiError::bad_input(format!("input.{field}"), "must be an integer from 1 to 10")
                })?,
                None => base.score,
            };
            Ok(FactorContent {
                score,
                explanation: self
                    .get(&format!("factors.{name}.explanation"))
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_else(|| base.explanation.clone()),
            })
        };
        let mut tasks = Vec::new();
        for i in self.indices("tasks")? {
            if !self.sent("tasks") {
                break;
            }
            let p = |f: &str| format!("tasks[{i}].{f}");
            let share = self.text(&p("timeShare"));
            tasks.push(TaskContent {
                text: self.text(&p("text")),
                exposure: match self.text(&p("exposure")).as_str() {
                    "E0" => Some(Exposure::E0),
                    "E1" => Some(Exposure::E1),
                    "E2" => Some(Exposure::E2),
                    "" => None,
                    _ => {
                        return Err(ApiError::bad_input(
                            format!("input.{}", p("exposure")),
                            "must be E0, E1, E2 or empty",
                        ));
                    }
                },
                task_type: match self.text(&p("taskType")).as_str() {
                    "CORE" => Some(TaskType::Core),
                    "SUPPLEMENTAL" => Some(TaskType::Supplemental),
                    "" => None,
                    _ => {
                        return Err(ApiError::bad_input(
                            format!("input.{}", p("taskType")),
                            "must be CORE, SUPPLEMENTAL or empty",
                        ));
                    }
                },
                time_share: if share.is_empty() {
                    None
                } else {
                    Some(share.parse().map_err(|_| {
                        ApiError::bad_input(
                            format!("input.{}", p("timeShare")),
                            "must be a number >= 0",
                        )
                    })?)
                },
            });
        }
        let links =
            |name: &str, base: &[ToolLinkContent]| -> Result<Vec<ToolLinkContent>, ApiError> {
                if !self.sent(name) {
                    return Ok(base.to_vec());
                }
                Ok(self
                    .indices(name)?
                    .into_iter()
                    .map(|i| ToolLinkContent {
                        tool: self.text(&format!("{name}[{i}].tool")),
                        note: self.text(&format!("{name}[{i}].note")),
                    })
                    .filter(|l| !(l.tool.is_empty() && l.note.is_empty()))
                    .collect())
            };
        let migration_paths = if !self.sent("migrationPaths") {
            base.migration_paths.clone()
        } else {
            self.indices("migrationPaths")?
                .into_iter()
                .map(|i| MigrationPathContent {
                    target: self.text(&format!("migrationPaths[{i}].target")),
                    rationale: self.text(&format!("migrationPaths[{i}].rationale")),
                })
                .filter(|p| !(p.target.is_empty() && p.rationale.is_empty()))
                .collect()
        };
        let faqs = if !self.sent("faqs") {
            base.faqs.clone()
        } else {
            self.indices("faqs")?
                .into_iter()
                .map(|i| FaqContent {
                    question: self.text(&format!("faqs[{i}].question")),
                    answer: self.text(&format!("faqs[{i}].answer")),
                })
                .filter(|f| !(f.question.is_empty() && f.answer.is_empty()))
                .collect()
        };
        let or_base = |name: &str, base: &str| {
            self.get(name)
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|| base.to_owned())
        };
        Ok(RoleContent {
            slug: or_base("slug", &base.slug),
            title: or_base("title", &base.title),
            category: or_base("category", &base.category),
            onet_soc_code: match self.get("onetSocCode") {
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().to_owned()),
                None => base.onet_soc_code.clone(),
            },
            status: base.status,
            summary: or_base("summary", &base.summary),
            industry_context: or_base("industryContext", &base.industry_context),
            factors: FactorsContent {
                repetitiveness: factor("repetitiveness", &base.factors.repetitiveness)?,
                ai_adoption: factor("aiAdoption", &base.factors.ai_adoption)?,
                human_judgment: factor("humanJudgment", &base.factors.human_judgment)?,
            },
            tasks: if self.sent("tasks") {
                tasks
            } else {
                base.tasks.clone()
            },
            tools_affecting: links("toolsAffecting", &base.tools_affecting)?,
            tools_to_master: links("toolsToMaster", &base.tools_to_master)?,
            protective_skills: match self.get("protectiveSkills") {
                Some(v) => v
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                None => base.protective_skills.clone(),
            },
            migration_paths,
            faqs,
            sources: if !self.sent("sources") {
                base.sources.clone()
            } else if self.sources.is_empty() {
                // Rows `sources[N]` keep the editor's order: the public page lists them so.
                self.indices("sources")?
                    .into_iter()
                    .map(|i| self.text(&format!("sources[{i}]")))
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                // Repeated `sources=` (a multi-select, an edit buffer kept before rows existed).
                self.sources.clone()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> RoleContent {
        serde_json::from_value(serde_json::json!({
            "slug": "x", "title": "X", "category": "c", "summary": "s", "industryContext": "i",
            "factors": {
                "repetitiveness": {"score": 5, "explanation": "r"},
                "aiAdoption": {"score": 5, "explanation": "a"},
                "humanJudgment": {"score": 5, "explanation": "h"}
            },
            "tasks": [{"text": "old"}]
        }))
        .expect("content")
    }

    #[test]
    fn a_form_becomes_content_in_index_order() {
        let body = b"title=New+title&tasks.sent=1&tasks[1].text=second&tasks[0].text=first&tasks[0].exposure=E1&tasks[0].timeShare=0.5&factors.aiAdoption.score=9&sources.sent=1&sources=a&sources=b";
        let c = Fields::parse(body).content(&base()).expect("content");
        assert_eq!(c.title, "New title");
        assert_eq!(c.tasks.len(), 2);
        assert_eq!(c.tasks[0].text, "first");
        assert_eq!(c.tasks[0].exposure, Some(Exposure::E1));
        assert_eq!(c.tasks[0].time_share, Some(0.5));
        assert_eq!(c.tasks[1].exposure, None);
        assert_eq!(c.factors.ai_adoption.score, 9);
        assert_eq!(c.factors.repetitiveness.score, 5);
        assert_eq!(c.sources, ["a", "b"]);
        assert_eq!(c.summary, "s");
    }

    #[test]
    fn source_rows_keep_the_order_they_were_sent_in() {
        let body = b"sources.sent=1&sources[1]=alpha&sources[0]=zeta&sources[2]=+&sources[3]=mid";
        let c = Fields::parse(body).content(&base()).expect("content");
        assert_eq!(c.sources, ["zeta", "alpha", "mid"]);
    }

    #[test]
    fn lists_the_form_does_not_carry_stay_as_they_are() {
        let kept = Fields::parse(b"title=T").content(&base()).expect("content");
        assert_eq!(kept.tasks.len(), 1);
        let emptied = Fields::parse(b"tasks.sent=1")
            .content(&base())
            .expect("content");
        assert!(emptied.tasks.is_empty());
    }

    #[test]
    fn hostile_forms_get_field_errors_not_panics() {
        for body in [
            &b"tasks.sent=1&tasks[99999999999999999999].text=x"[..],
            b"tasks.sent=1&tasks[5000].text=x",
            b"tasks.sent=1&tasks[x].text=x",
            b"tasks.sent=1&tasks[0].exposure=E9",
            b"tasks.sent=1&tasks[0].timeShare=lots",
            b"factors.aiAdoption.score=ten",
        ] {
            let err = Fields::parse(body).content(&base()).expect_err("refused");
            assert_eq!(err.code(), "BAD_USER_INPUT");
            assert!(err.to_string().starts_with("input."), "{err}");
        }
        let c = Fields::parse(b"%ZZ=%&&=&tasks[0]=x").content(&base());
        assert!(c.is_ok());
    }
}
