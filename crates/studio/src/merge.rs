//! Three-way merge of role content (revisions are full snapshots): a field changed on one side
//! only is taken from that side; a field both sides changed differently is the editor's choice.

use entity::RoleContent;

/// Which side a two-sided field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The version saved meanwhile.
    Theirs,
    /// The editor's own.
    Yours,
}

/// The outcome of a merge.
pub struct Merge {
    /// Theirs with every change of yours that does not clash, and the chosen sides.
    pub merged: RoleContent,
    /// Fields both sides changed differently and no choice was made for.
    pub clashes: Vec<Clash>,
    /// Fields only one side changed, with that side.
    pub taken: Vec<(&'static str, Side)>,
}

/// A field both sides changed, differently.
pub struct Clash {
    /// Form key (`summary`, `tasks`).
    pub key: &'static str,
    /// What editors read.
    pub label: &'static str,
    /// The value saved meanwhile, shown as text.
    pub theirs: String,
    /// The editor's value, shown as text.
    pub yours: String,
}

fn show<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => "(none)".into(),
        Ok(other) => serde_json::to_string_pretty(&other).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

macro_rules! fields {
    ($($key:literal, $label:literal => $($path:ident).+;)*) => {
        /// The merge of `yours` into `theirs` over `base`, with `choose` deciding the fields
        /// both changed; `None` from `choose` leaves such a field in the returned clashes.
        pub fn merge(
            base: &RoleContent,
            theirs: &RoleContent,
            yours: &RoleContent,
            choose: impl Fn(&str) -> Option<Side>,
        ) -> Merge {
            let mut merged = theirs.clone();
            let mut clashes = Vec::new();
            let mut taken = Vec::new();
            $(
                let b = &base.$($path).+;
                let t = &theirs.$($path).+;
                let y = &yours.$($path).+;
                if y == t {
                    if t != b {
                        taken.push(($label, Side::Theirs));
                    }
                } else if y == b {
                    taken.push(($label, Side::Theirs));
                } else if t == b {
                    merged.$($path).+ = y.clone();
                    taken.push(($label, Side::Yours));
                } else {
                    match choose($key) {
                        Some(Side::Theirs) => {}
                        Some(Side::Yours) => merged.$($path).+ = y.clone(),
                        None => clashes.push(Clash { key: $key, label: $label, theirs: show(t), yours: show(y) }),
                    }
                }
            )*
            Merge { merged, clashes, taken }
        }
    };
}

fields! {
    "title", "Title" => title;
    "slug", "Slug" => slug;
    "category", "Category" => category;
    "onetSocCode", "O*NET-SOC code" => onet_soc_code;
    "summary", "Summary" => summary;
    "industryContext", "Industry context" => industry_context;
    "repetitiveness", "Repetitiveness" => factors.repetitiveness;
    "aiAdoption", "AI adoption" => factors.ai_adoption;
    "humanJudgment", "Human judgment" => factors.human_judgment;
    "tasks", "Tasks" => tasks;
    "toolsAffecting", "Tools affecting the role" => tools_affecting;
    "toolsToMaster", "Tools to master" => tools_to_master;
    "protectiveSkills", "Protective skills" => protective_skills;
    "migrationPaths", "Migration paths" => migration_paths;
    "faqs", "Questions and answers" => faqs;
    "sources", "Sources" => sources;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> RoleContent {
        serde_json::from_value(serde_json::json!({
            "slug": "x", "title": "X", "category": "c", "summary": "s", "industryContext": "i",
            "factors": {
                "repetitiveness": {"score": 5, "explanation": "r"},
                "aiAdoption": {"score": 5, "explanation": "a"},
                "humanJudgment": {"score": 5, "explanation": "h"}
            }
        }))
        .expect("content")
    }

    #[test]
    fn one_sided_changes_are_taken_and_two_sided_ones_chosen() {
        let base = content();
        let mut theirs = base.clone();
        theirs.title = "Their title".into();
        theirs.summary = "Their summary".into();
        let mut yours = base.clone();
        yours.industry_context = "My context".into();
        yours.summary = "My summary".into();
        yours.protective_skills = vec!["Listening".into()];
        let Merge {
            merged,
            clashes,
            taken,
        } = merge(&base, &theirs, &yours, |_| None);
        assert!(
            taken.contains(&("Title", Side::Theirs))
                && taken.contains(&("Industry context", Side::Yours))
        );
        assert_eq!(merged.title, "Their title");
        assert_eq!(merged.industry_context, "My context");
        assert_eq!(merged.protective_skills, ["Listening"]);
        assert_eq!(clashes.len(), 1);
        assert_eq!(
            (
                clashes[0].key,
                clashes[0].theirs.as_str(),
                clashes[0].yours.as_str()
            ),
            ("summary", "Their summary", "My summary")
        );
        let Merge {
            merged: mine,
            clashes: none,
            ..
        } = merge(&base, &theirs, &yours, |k| {
            (k == "summary").then_some(Side::Yours)
        });
        assert!(none.is_empty());
        assert_eq!(mine.summary, "My summary");
        assert_eq!(mine.title, "Their title", "no field is lost");
        let Merge {
            merged: same,
            clashes: none,
            ..
        } = merge(&base, &yours, &yours, |_| None);
        assert!(none.is_empty());
        assert_eq!(same, yours);
    }
}
