//! Reads task-level exposure labels in the tab-separated format of the "GPTs are GPTs" data
//! (`task_labels.tsv`), so published occupation indices can be recomputed through this crate.
//!
//! Parsing takes text, not a path: the caller does the I/O, the crate stays pure.

use std::collections::HashMap;

use crate::{ExposureLabel, ScoringError, Task, TaskType};

/// Whose labels to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rater {
    /// Human annotators (`human_exposure_agg`).
    #[default]
    Human,
    /// GPT-4 (`gpt4_exposure`).
    Gpt4,
}

impl Rater {
    /// The column holding this rater's labels.
    pub fn column(self) -> &'static str {
        match self {
            Self::Human => "human_exposure_agg",
            Self::Gpt4 => "gpt4_exposure",
        }
    }
}

/// One occupation's labelled tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupation {
    /// O*NET-SOC code, e.g. `15-1252.00`.
    pub code: String,
    /// Occupation title.
    pub title: String,
    /// Its tasks, in file order.
    pub tasks: Vec<Task>,
}

const CODE: &str = "O*NET-SOC Code";
const TYPE: &str = "Task Type";
const TITLE: &str = "Title";

/// Parses a whole label file; occupations come in order of first appearance.
///
/// Any malformed line fails the whole parse, with its 1-based line number, so a caller never
/// acts on half a file.
pub fn parse_task_labels(text: &str, rater: Rater) -> Result<Vec<Occupation>, ScoringError> {
    let mut lines = text.lines().enumerate();
    let header = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((i, l)) => break (i + 1, l),
            None => {
                return Err(ScoringError::MalformedLine {
                    line: 1,
                    reason: "the file is empty; expected a header line".into(),
                });
            }
        }
    };
    let columns: Vec<&str> = header.1.trim_end_matches('\r').split('\t').collect();
    let find = |name: &str| {
        columns
            .iter()
            .position(|c| c.trim() == name)
            .ok_or_else(|| ScoringError::MalformedLine {
                line: header.0,
                reason: format!("header has no column {name:?}"),
            })
    };
    let (code_col, type_col, title_col, label_col) = (
        find(CODE)?,
        find(TYPE)?,
        find(TITLE)?,
        find(rater.column())?,
    );

    let mut occupations: Vec<Occupation> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for (i, raw) in lines {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        if fields.len() != columns.len() {
            return Err(ScoringError::MalformedLine {
                line,
                reason: format!(
                    "expected {} tab-separated fields, found {}",
                    columns.len(),
                    fields.len()
                ),
            });
        }
        let code = fields[code_col].trim();
        if code.is_empty() {
            return Err(ScoringError::MalformedLine {
                line,
                reason: format!("{CODE:?} is empty"),
            });
        }
        let task_type = match fields[type_col].trim() {
            "" => None,
            "Core" => Some(TaskType::Core),
            "Supplemental" => Some(TaskType::Supplemental),
            other => {
                return Err(ScoringError::MalformedLine {
                    line,
                    reason: format!("{TYPE:?} must be Core, Supplemental or empty, got {other:?}"),
                });
            }
        };
        let label_text = fields[label_col].trim();
        let label =
            label_text
                .parse::<ExposureLabel>()
                .map_err(|_| ScoringError::MalformedLine {
                    line,
                    reason: format!(
                        "{:?} must be E0, E1 or E2, got {label_text:?}",
                        rater.column()
                    ),
                })?;
        let idx = *by_code.entry(code.to_owned()).or_insert_with(|| {
            occupations.push(Occupation {
                code: code.to_owned(),
                title: fields[title_col].trim().to_owned(),
                tasks: Vec::new(),
            });
            occupations.len() - 1
        });
        occupations[idx].tasks.push(Task {
            label: Some(label),
            task_type,
            time_share: None,
        });
    }
    Ok(occupations)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "O*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure";

    #[test]
    fn groups_tasks_by_occupation_in_order_of_first_appearance() {
        let text = format!(
            "{HEADER}\n2-1\t1\tx\tCore\tB\tE1\tE0\n1-1\t2\ty\t\tA\tE0\tE2\n2-1\t3\tz\tSupplemental\tB\tE2\tE2\n"
        );
        let occ = parse_task_labels(&text, Rater::Human).expect("valid");
        assert_eq!(occ.len(), 2);
        assert_eq!(occ[0].code, "2-1");
        assert_eq!(occ[0].tasks.len(), 2);
        assert_eq!(occ[0].tasks[1].task_type, Some(TaskType::Supplemental));
        assert_eq!(occ[1].tasks[0].task_type, None);
        let gpt = parse_task_labels(&text, Rater::Gpt4).expect("valid");
        assert_eq!(gpt[0].tasks[0].label, Some(ExposureLabel::E0));
    }

    #[test]
    fn columns_are_found_by_name_not_position() {
        let text = "gpt4_exposure\tTitle\tTask Type\tO*NET-SOC Code\thuman_exposure_agg\nE1\tA\tCore\t1-1\tE0\n";
        let occ = parse_task_labels(text, Rater::Gpt4).expect("valid");
        assert_eq!(occ[0].title, "A");
        assert_eq!(occ[0].tasks[0].label, Some(ExposureLabel::E1));
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let short = format!("{HEADER}\n1-1\t1\tx\tCore\tA\tE1\tE0\n1-1\t2\ty\tCore\n");
        let err = parse_task_labels(&short, Rater::Human).expect_err("short line");
        assert!(
            matches!(err, ScoringError::MalformedLine { line: 3, .. }),
            "{err}"
        );

        let bad_label = format!("{HEADER}\n1-1\t1\tx\tCore\tA\tE7\tE0\n");
        let err = parse_task_labels(&bad_label, Rater::Human).expect_err("bad label");
        assert_eq!(
            err.to_string(),
            "line 2: \"human_exposure_agg\" must be E0, E1 or E2, got \"E7\""
        );

        let bad_type = format!("{HEADER}\n1-1\t1\tx\tMain\tA\tE1\tE0\n");
        assert!(parse_task_labels(&bad_type, Rater::Human).is_err());
    }

    #[test]
    fn missing_column_and_empty_file_are_errors() {
        let err =
            parse_task_labels("Title\tTask Type\n", Rater::Human).expect_err("no code column");
        assert!(err.to_string().contains("O*NET-SOC Code"));
        assert!(parse_task_labels("", Rater::Human).is_err());
    }
}
