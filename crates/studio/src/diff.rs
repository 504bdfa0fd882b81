//! What changed between two versions of a role's content, field by field: list items matched
//! by their key (tool, target) or position, texts compared word by word.

use entity::content::ToolLinkContent;
use entity::{Exposure, RoleContent, TaskType};
use similar::{ChangeTag, TextDiff};

/// A run of words: kept, removed or added.
pub struct Piece {
    /// `same`, `del` or `ins`.
    pub tag: &'static str,
    /// The words (with their spacing).
    pub text: String,
}

/// One changed field or list item.
pub struct Change {
    /// Where: `Summary`, `Task 3`, `Tool chatgpt (affecting)`.
    pub field: String,
    /// The change, as word runs (`del` is the old side, `ins` the new).
    pub pieces: Vec<Piece>,
}

/// Word-level diff of two texts.
fn words(old: &str, new: &str) -> Vec<Piece> {
    TextDiff::from_words(old, new)
        .iter_all_changes()
        .fold(Vec::<Piece>::new(), |mut out, c| {
            let tag = match c.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Delete => "del",
                ChangeTag::Insert => "ins",
            };
            match out.last_mut() {
                Some(last) if last.tag == tag => last.text.push_str(c.value()),
                _ => out.push(Piece {
                    tag,
                    text: c.value().to_owned(),
                }),
            }
            out
        })
}

fn replaced(old: &str, new: &str) -> Vec<Piece> {
    let mut v = Vec::new();
    if !old.is_empty() {
        v.push(Piece {
            tag: "del",
            text: old.to_owned(),
        });
    }
    if !new.is_empty() {
        v.push(Piece {
            tag: "ins",
            text: new.to_owned(),
        });
    }
    v
}

fn exposure(e: Option<Exposure>) -> &'static str {
    match e {
        Some(Exposure::E0) => "E0",
        Some(Exposure::E1) => "E1",
        Some(Exposure::E2) => "E2",
        None => "unlabelled",
    }
}

fn task_type(t: Option<TaskType>) -> &'static str {
    match t {
        Some(TaskType::Core) => "core",
        Some(TaskType::Supplemental) => "supplemental",
        None => "no type",
    }
}

fn text(out: &mut Vec<Change>, field: &str, a: &str, b: &str) {
    if a != b {
        out.push(Change {
            field: field.to_owned(),
            pieces: words(a, b),
        });
    }
}

/// Every difference from `old` to `new`.
pub fn changes(old: &RoleContent, new: &RoleContent) -> Vec<Change> {
    let mut out = Vec::new();
    text(&mut out, "Title", &old.title, &new.title);
    text(&mut out, "Slug", &old.slug, &new.slug);
    text(&mut out, "Category", &old.category, &new.category);
    text(
        &mut out,
        "O*NET-SOC code",
        old.onet_soc_code.as_deref().unwrap_or_default(),
        new.onet_soc_code.as_deref().unwrap_or_default(),
    );
    text(&mut out, "Summary", &old.summary, &new.summary);
    text(
        &mut out,
        "Industry context",
        &old.industry_context,
        &new.industry_context,
    );
    for (name, a, b) in [
        (
            "Repetitiveness",
            &old.factors.repetitiveness,
            &new.factors.repetitiveness,
        ),
        (
            "AI adoption",
            &old.factors.ai_adoption,
            &new.factors.ai_adoption,
        ),
        (
            "Human judgment",
            &old.factors.human_judgment,
            &new.factors.human_judgment,
        ),
    ] {
        text(
            &mut out,
            &format!("{name} score"),
            &a.score.to_string(),
            &b.score.to_string(),
        );
        text(
            &mut out,
            &format!("{name} explanation"),
            &a.explanation,
            &b.explanation,
        );
    }
    for i in 0..old.tasks.len().max(new.tasks.len()) {
        let field = format!("Task {}", i + 1);
        match (old.tasks.get(i), new.tasks.get(i)) {
            (Some(a), Some(b)) => {
                text(&mut out, &field, &a.text, &b.text);
                text(
                    &mut out,
                    &format!("{field} exposure"),
                    exposure(a.exposure),
                    exposure(b.exposure),
                );
                text(
                    &mut out,
                    &format!("{field} type"),
                    task_type(a.task_type),
                    task_type(b.task_type),
                );
                let share = |s: Option<f64>| s.map(|s| s.to_string()).unwrap_or_default();
                text(
                    &mut out,
                    &format!("{field} time share"),
                    &share(a.time_share),
                    &share(b.time_share),
                );
            }
            (Some(a), None) => out.push(Change {
                field: format!("{field} (removed)"),
                pieces: replaced(&a.text, ""),
            }),
            (None, Some(b)) => out.push(Change {
                field: format!("{field} (added)"),
                pieces: replaced("", &b.text),
            }),
            (None, None) => {}
        }
    }
    let mut links = |kind: &str, a: &[ToolLinkContent], b: &[ToolLinkContent]| {
        for l in a {
            match b.iter().find(|x| x.tool == l.tool) {
                Some(n) if n.note != l.note => out.push(Change {
                    field: format!("Tool {} ({kind})", l.tool),
                    pieces: words(&l.note, &n.note),
                }),
                Some(_) => {}
                None => out.push(Change {
                    field: format!("Tool {} ({kind}, removed)", l.tool),
                    pieces: replaced(&l.note, ""),
                }),
            }
        }
        for n in b.iter().filter(|n| !a.iter().any(|l| l.tool == n.tool)) {
            out.push(Change {
                field: format!("Tool {} ({kind}, added)", n.tool),
                pieces: replaced("", &n.note),
            });
        }
        fn order(v: &[ToolLinkContent]) -> Vec<&str> {
            v.iter().map(|l| l.tool.as_str()).collect()
        }
        let (before, after) = (order(a), order(b));
        let same_tools = before.len() == after.len() && before.iter().all(|t| after.contains(t));
        if same_tools && before != after {
            out.push(Change {
                field: format!("Tools {kind} (order)"),
                pieces: replaced(&before.join(", "), &after.join(", ")),
            });
        }
    };
    links("affecting", &old.tools_affecting, &new.tools_affecting);
    links("to master", &old.tools_to_master, &new.tools_to_master);
    let mut set = |field: &str, a: &[String], b: &[String]| {
        let removed: Vec<&str> = a
            .iter()
            .filter(|x| !b.contains(x))
            .map(String::as_str)
            .collect();
        let added: Vec<&str> = b
            .iter()
            .filter(|x| !a.contains(x))
            .map(String::as_str)
            .collect();
        if !removed.is_empty() || !added.is_empty() {
            out.push(Change {
                field: field.to_owned(),
                pieces: replaced(&removed.join(", "), &added.join(", ")),
            });
        } else if a != b {
            // The same items in another order: pages list them in the stored order.
            out.push(Change {
                field: format!("{field} (order)"),
                pieces: replaced(&a.join(", "), &b.join(", ")),
            });
        }
    };
    set(
        "Protective skills",
        &old.protective_skills,
        &new.protective_skills,
    );
    set("Sources", &old.sources, &new.sources);
    let targets = |c: &RoleContent| {
        c.migration_paths
            .iter()
            .map(|p| p.target.clone())
            .collect::<Vec<_>>()
    };
    set("Migration paths", &targets(old), &targets(new));
    for p in &new.migration_paths {
        if let Some(o) = old.migration_paths.iter().find(|o| o.target == p.target)
            && o.rationale != p.rationale
        {
            out.push(Change {
                field: format!("Migration path to {}", p.target),
                pieces: words(&o.rationale, &p.rationale),
            });
        }
    }
    for i in 0..old.faqs.len().max(new.faqs.len()) {
        let field = format!("Question {}", i + 1);
        match (old.faqs.get(i), new.faqs.get(i)) {
            (Some(a), Some(b)) => {
                if a.question != b.question {
                    out.push(Change {
                        field: field.clone(),
                        pieces: words(&a.question, &b.question),
                    });
                }
                if a.answer != b.answer {
                    out.push(Change {
                        field: format!("{field} answer"),
                        pieces: words(&a.answer, &b.answer),
                    });
                }
            }
            (Some(a), None) => out.push(Change {
                field: format!("{field} (removed)"),
                pieces: replaced(&a.question, ""),
            }),
            (None, Some(b)) => out.push(Change {
                field: format!("{field} (added)"),
                pieces: replaced("", &b.question),
            }),
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(summary: &str, exposure: &str) -> RoleContent {
        serde_json::from_value(serde_json::json!({
            "slug": "x", "title": "X", "category": "c", "summary": summary, "industryContext": "i",
            "factors": {
                "repetitiveness": {"score": 5, "explanation": "r"},
                "aiAdoption": {"score": 5, "explanation": "a"},
                "humanJudgment": {"score": 5, "explanation": "h"}
            },
            "tasks": [{"text": "write code", "exposure": exposure}],
            "toolsAffecting": [{"tool": "copilot", "note": "writes code"}]
        }))
        .expect("content")
    }

    #[test]
    fn texts_differ_by_words_and_labels_by_value() {
        let old = content("AI drafts most of the code.", "E1");
        let mut new = content("AI drafts some of the code.", "E2");
        new.tools_affecting.push(ToolLinkContent {
            tool: "cursor".into(),
            note: "edits".into(),
        });
        let c = changes(&old, &new);
        let summary = c.iter().find(|c| c.field == "Summary").expect("summary");
        let del: Vec<&str> = summary
            .pieces
            .iter()
            .filter(|p| p.tag == "del")
            .map(|p| p.text.as_str())
            .collect();
        let ins: Vec<&str> = summary
            .pieces
            .iter()
            .filter(|p| p.tag == "ins")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!((del, ins), (vec!["most"], vec!["some"]));
        let label = c
            .iter()
            .find(|c| c.field == "Task 1 exposure")
            .expect("label");
        assert_eq!(
            label
                .pieces
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>(),
            ["E1", "E2"]
        );
        assert!(
            c.iter()
                .any(|c| c.field == "Tool cursor (affecting, added)")
        );
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn a_new_order_is_a_change() {
        let mut old = content("s", "E1");
        old.sources = vec!["a".into(), "b".into()];
        old.tools_affecting.push(ToolLinkContent {
            tool: "cursor".into(),
            note: "edits".into(),
        });
        let mut new = old.clone();
        new.sources.reverse();
        new.tools_affecting.reverse();
        let fields: Vec<String> = changes(&old, &new).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["Tools affecting (order)", "Sources (order)"]);
    }
}
