//! The editable content of a role page, as editors and the demo data give it, and its
//! validation. Parsed once here, so every write path checks the same rules.

pub use entity::content::{
    FactorContent, FactorsContent, FaqContent, MigrationPathContent, RoleContent, TaskContent,
    ToolLinkContent,
};
use entity::{Exposure, TaskType};

use crate::error::{ApiError, ApiResult};

/// Longest slug, in characters.
pub const MAX_SLUG: usize = 100;
/// Longest title or name.
pub const MAX_TITLE: usize = 200;
/// Longest paragraph (summary, context, explanation, answer).
pub const MAX_TEXT: usize = 5_000;
/// Longest short text (task, skill, note, question).
pub const MAX_SHORT_TEXT: usize = 1_000;
/// Most items in one ordered list.
pub const MAX_ITEMS: usize = 50;

/// Whether `slug` matches `^[a-z0-9]+(-[a-z0-9]+)*$` within the length bound. Lookups by a
/// string that is not a slug answer "not found" without asking the database.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Checks `^[a-z0-9]+(-[a-z0-9]+)*$` and the length bound.
pub fn check_slug(field: &str, slug: &str) -> ApiResult<()> {
    if is_slug(slug) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            field,
            format!(
                "must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be at most {MAX_SLUG} characters, got {slug:?}"
            ),
        ))
    }
}

/// Checks a required text: not blank, at most `max` characters.
pub fn check_text(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    // PostgreSQL cannot store NUL in text; refuse it here with the field named.
    if text.contains('\0') {
        return Err(ApiError::bad_input(
            field,
            "must not contain NUL characters",
        ));
    }
    let len = text.chars().count();
    if len > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters, got {len}"),
        ));
    }
    Ok(())
}

/// Checks an http(s) URL.
pub fn check_url(field: &str, url: &str) -> ApiResult<()> {
    check_text(field, url, 2048)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| ApiError::bad_input(field, "must be an http or https URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        return Err(ApiError::bad_input(
            field,
            "must be an http or https URL with a host",
        ));
    }
    Ok(())
}

fn check_list<T>(field: &str, items: &[T]) -> ApiResult<()> {
    if items.len() > MAX_ITEMS {
        return Err(ApiError::bad_input(
            field,
            format!("must have at most {MAX_ITEMS} items, got {}", items.len()),
        ));
    }
    Ok(())
}

fn check_unique<'a>(field: &str, keys: impl Iterator<Item = &'a str>, what: &str) -> ApiResult<()> {
    let mut seen = std::collections::HashSet::new();
    for (i, key) in keys.enumerate() {
        if !seen.insert(key) {
            return Err(ApiError::bad_input(
                format!("{field}[{i}]"),
                format!("{what} {key:?} appears more than once"),
            ));
        }
    }
    Ok(())
}

/// The rules of role content (the content itself is a model of the `entity` crate, stored
/// whole in revisions).
pub trait ContentRules {
    /// Validates everything that needs no database: formats, lengths, bounds, duplicates.
    /// `prefix` names the input in messages (e.g. `input`).
    fn validate(&self, prefix: &str) -> ApiResult<()>;
    /// The scoring crate's view of this content.
    fn evidence(&self) -> scoring::Evidence;
    /// Scores the content; a scoring error becomes a field error under `prefix`.
    fn assess(&self, prefix: &str) -> ApiResult<scoring::Assessment>;
}

impl ContentRules for RoleContent {
    fn validate(&self, prefix: &str) -> ApiResult<()> {
        let f = |name: &str| format!("{prefix}.{name}");
        check_slug(&f("slug"), &self.slug)?;
        check_text(&f("title"), &self.title, MAX_TITLE)?;
        check_slug(&f("category"), &self.category)?;
        if let Some(code) = &self.onet_soc_code {
            let b = code.as_bytes();
            let ok = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| match i {
                    2 => *c == b'-',
                    7 => *c == b'.',
                    _ => c.is_ascii_digit(),
                });
            if !ok {
                return Err(ApiError::bad_input(
                    f("onetSocCode"),
                    "must look like 15-1252.00",
                ));
            }
        }
        check_text(&f("summary"), &self.summary, MAX_TEXT)?;
        check_text(&f("industryContext"), &self.industry_context, MAX_TEXT)?;
        for (name, factor) in [
            ("repetitiveness", &self.factors.repetitiveness),
            ("aiAdoption", &self.factors.ai_adoption),
            ("humanJudgment", &self.factors.human_judgment),
        ] {
            if !(1..=10).contains(&factor.score) {
                return Err(ApiError::bad_input(
                    f(&format!("factors.{name}.score")),
                    format!("must be an integer from 1 to 10, got {}", factor.score),
                ));
            }
            check_text(
                &f(&format!("factors.{name}.explanation")),
                &factor.explanation,
                MAX_TEXT,
            )?;
        }
        check_list(&f("tasks"), &self.tasks)?;
        for (i, task) in self.tasks.iter().enumerate() {
            check_text(&f(&format!("tasks[{i}].text")), &task.text, MAX_SHORT_TEXT)?;
            if let Some(share) = task.time_share
                && !(share.is_finite() && share >= 0.0)
            {
                return Err(ApiError::bad_input(
                    f(&format!("tasks[{i}].timeShare")),
                    format!("must be a finite number >= 0, got {share}"),
                ));
            }
        }
        for (name, links) in [
            ("toolsAffecting", &self.tools_affecting),
            ("toolsToMaster", &self.tools_to_master),
        ] {
            check_list(&f(name), links)?;
            for (i, link) in links.iter().enumerate() {
                check_slug(&f(&format!("{name}[{i}].tool")), &link.tool)?;
                check_text(&f(&format!("{name}[{i}].note")), &link.note, MAX_SHORT_TEXT)?;
            }
            check_unique(&f(name), links.iter().map(|l| l.tool.as_str()), "tool")?;
        }
        check_list(&f("protectiveSkills"), &self.protective_skills)?;
        for (i, skill) in self.protective_skills.iter().enumerate() {
            check_text(&f(&format!("protectiveSkills[{i}]")), skill, MAX_SHORT_TEXT)?;
        }
        check_list(&f("migrationPaths"), &self.migration_paths)?;
        for (i, path) in self.migration_paths.iter().enumerate() {
            let field = f(&format!("migrationPaths[{i}].target"));
            check_slug(&field, &path.target)?;
            if path.target == self.slug {
                return Err(ApiError::bad_input(
                    field,
                    "a role cannot migrate to itself",
                ));
            }
            check_text(
                &f(&format!("migrationPaths[{i}].rationale")),
                &path.rationale,
                MAX_TEXT,
            )?;
        }
        check_unique(
            &f("migrationPaths"),
            self.migration_paths.iter().map(|p| p.target.as_str()),
            "target",
        )?;
        check_list(&f("faqs"), &self.faqs)?;
        for (i, faq) in self.faqs.iter().enumerate() {
            check_text(
                &f(&format!("faqs[{i}].question")),
                &faq.question,
                MAX_SHORT_TEXT,
            )?;
            check_text(&f(&format!("faqs[{i}].answer")), &faq.answer, MAX_TEXT)?;
        }
        check_list(&f("sources"), &self.sources)?;
        for (i, source) in self.sources.iter().enumerate() {
            check_slug(&f(&format!("sources[{i}]")), source)?;
        }
        check_unique(
            &f("sources"),
            self.sources.iter().map(String::as_str),
            "source",
        )?;
        Ok(())
    }

    fn evidence(&self) -> scoring::Evidence {
        scoring::Evidence {
            tasks: self
                .tasks
                .iter()
                .map(|t| scoring::Task {
                    label: t.exposure.map(|e| match e {
                        Exposure::E0 => scoring::ExposureLabel::E0,
                        Exposure::E1 => scoring::ExposureLabel::E1,
                        Exposure::E2 => scoring::ExposureLabel::E2,
                    }),
                    task_type: t.task_type.map(|t| match t {
                        TaskType::Core => scoring::TaskType::Core,
                        TaskType::Supplemental => scoring::TaskType::Supplemental,
                    }),
                    time_share: t.time_share,
                })
                .collect(),
            factors: Some(scoring::Factors {
                repetitiveness: self.factors.repetitiveness.score,
                ai_adoption: self.factors.ai_adoption.score,
                human_judgment: self.factors.human_judgment.score,
            }),
        }
    }

    fn assess(&self, prefix: &str) -> ApiResult<scoring::Assessment> {
        scoring::assess(&self.evidence())
            .map_err(|e| ApiError::bad_input(format!("{prefix}.{}", e.field()), e.rule()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_url_rule() {
        for ok in ["backend-developer", "a", "web3-dev", "x1"] {
            assert!(check_slug("slug", ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "Backend", "a_b", "a b", "é"] {
            let err = check_slug("input.slug", bad).expect_err(bad);
            assert_eq!(err.code(), "BAD_USER_INPUT");
            assert!(err.to_string().starts_with("input.slug:"));
        }
    }

    #[test]
    fn urls_must_be_http_or_https_with_a_host() {
        assert!(check_url("url", "https://example.com/x").is_ok());
        for bad in [
            "ftp://x",
            "javascript:alert(1)",
            "https://",
            "http:// x",
            "example.com",
        ] {
            assert!(check_url("url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_are_bounded_and_not_blank() {
        assert!(check_text("t", "  ", 10).is_err());
        assert!(check_text("t", &"x".repeat(11), 10).is_err());
        assert!(check_text("t", "ok", 10).is_ok());
    }
}
