//! The scoring crate's one error type.

use thiserror::Error;

/// Invalid evidence or a malformed label file. Every message names the field and the rule.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScoringError {
    /// A factor outside 1..=10.
    #[error("{field}: must be an integer from 1 to 10, got {value}")]
    FactorOutOfRange {
        /// Field path, e.g. `factors.aiAdoption`.
        field: &'static str,
        /// The rejected value.
        value: i32,
    },
    /// A time share that is negative, NaN or infinite.
    #[error("tasks[{index}].timeShare: must be a finite number >= 0, got {value}")]
    InvalidTimeShare {
        /// Position of the task.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// Every task has a time share and they add up to zero.
    #[error("tasks.timeShare: time shares add up to zero; give at least one task a positive share")]
    ZeroTotalShare,
    /// A label other than E0, E1 or E2.
    #[error("exposure label: unknown label {label:?}, expected E0, E1 or E2")]
    UnknownLabel {
        /// The rejected label.
        label: String,
    },
    /// A level name other than the four bands.
    #[error("level: unknown level {level:?}, expected LOW, MODERATE, HIGH or VERY_HIGH")]
    UnknownLevel {
        /// The rejected level.
        level: String,
    },
    /// Neither a labelled task nor factors: there is nothing to score.
    #[error("evidence: a score needs factors or at least one labelled task; none was given")]
    NoEvidence,
    /// A line of a task-label file that cannot be read.
    #[error("line {line}: {reason}")]
    MalformedLine {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl ScoringError {
    /// The input path the error is about (e.g. `factors.aiAdoption`, `tasks[2].timeShare`),
    /// relative to the evidence, so callers can prefix it with their own input name.
    pub fn field(&self) -> String {
        match self {
            Self::FactorOutOfRange { field, .. } => (*field).to_owned(),
            Self::InvalidTimeShare { index, .. } => format!("tasks[{index}].timeShare"),
            Self::ZeroTotalShare => "tasks.timeShare".to_owned(),
            Self::UnknownLabel { .. } => "exposure label".to_owned(),
            Self::UnknownLevel { .. } => "level".to_owned(),
            Self::NoEvidence => "evidence".to_owned(),
            Self::MalformedLine { line, .. } => format!("line {line}"),
        }
    }

    /// The rule that was broken, without the field.
    pub fn rule(&self) -> String {
        match self {
            Self::FactorOutOfRange { value, .. } => {
                format!("must be an integer from 1 to 10, got {value}")
            }
            Self::InvalidTimeShare { value, .. } => {
                format!("must be a finite number >= 0, got {value}")
            }
            Self::ZeroTotalShare => {
                "time shares add up to zero; give at least one task a positive share".to_owned()
            }
            Self::UnknownLabel { label } => {
                format!("unknown label {label:?}, expected E0, E1 or E2")
            }
            Self::UnknownLevel { level } => {
                format!("unknown level {level:?}, expected LOW, MODERATE, HIGH or VERY_HIGH")
            }
            Self::NoEvidence => {
                "a score needs factors or at least one labelled task; none was given".to_owned()
            }
            Self::MalformedLine { reason, .. } => reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_and_rule_make_up_the_message() {
        let errors = [
            ScoringError::FactorOutOfRange {
                field: "factors.aiAdoption",
                value: 11,
            },
            ScoringError::InvalidTimeShare {
                index: 2,
                value: -1.0,
            },
            ScoringError::ZeroTotalShare,
            ScoringError::NoEvidence,
            ScoringError::MalformedLine {
                line: 3,
                reason: "missing column".into(),
            },
        ];
        for e in errors {
            assert_eq!(e.to_string(), format!("{}: {}", e.field(), e.rule()));
        }
    }
}
