//! Published research shipped in the binary: the task labels and occupation indices of
//! "GPTs are GPTs" (Eloundou et al.) and the AI-applicability scores of "Working with AI"
//! (Tomlinson et al.), from `data/reference/`. Read-only, the same on every database; parsed on
//! first use, so a server that never asks for it never pays for it.

mod datasets;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use entity::content::{FactorContent, FactorsContent, RoleContent, TaskContent};
use entity::enums::{Exposure, RoleStatus, TaskType};
use scoring::ExposureLabel;
use scoring::onet::Rater;

pub use datasets::{DATASETS, Dataset, DatasetId};

use crate::error::{ApiError, ApiResult};

const TASK_LABELS: &str = include_str!("../../../../data/reference/eloundou/task_labels.tsv");
const OCC_LEVEL: &str = include_str!("../../../../data/reference/eloundou/occ_level.csv");
const APPLICABILITY: &str =
    include_str!("../../../../data/reference/microsoft/ai_applicability.csv");

/// Most benchmarks one occupation has: six "GPTs are GPTs" indices and one "Working with AI"
/// score.
pub const BENCHMARKS_MAX: usize = 7;

/// What a benchmark measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "BenchmarkMeasure")]
pub enum Measure {
    /// Eloundou et al.'s alpha: the share of tasks directly exposed (E1).
    Alpha,
    /// Eloundou et al.'s beta: E1 plus half of E2.
    Beta,
    /// Eloundou et al.'s gamma: E1 plus E2.
    Gamma,
    /// Tomlinson et al.'s AI applicability score.
    AiApplicability,
}

/// Whose labels an Eloundou index comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "BenchmarkLabeller")]
pub enum Labeller {
    /// The paper's human annotators.
    Human,
    /// GPT-4.
    #[graphql(name = "GPT4")]
    Gpt4,
}

/// One published value for one occupation, placed among the data set's occupations.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// The data set it comes from.
    pub dataset: DatasetId,
    /// What it measures.
    pub measure: Measure,
    /// Whose labels (Eloundou's indices only).
    pub labeller: Option<Labeller>,
    /// The value as published, 0 to 1.
    pub value: f64,
    /// Percentile rank among the data set's occupations, 0 to 100: the share with a lower
    /// value plus half the share with an equal one.
    pub percentile: f64,
    /// The occupation's code in the data set (O*NET-SOC, or six-digit SOC for Microsoft's).
    pub code: String,
    /// The occupation's title in the data set.
    pub title: String,
}

/// One O*NET task of an occupation with both raters' labels.
#[derive(Debug, Clone, PartialEq)]
pub struct OccupationTask {
    /// The task statement (O*NET).
    pub text: String,
    /// Core, supplemental, or not stated.
    pub task_type: Option<TaskType>,
    /// The human annotators' label.
    pub human: Exposure,
    /// GPT-4's label.
    pub gpt4: Exposure,
}

/// An O*NET occupation of the "GPTs are GPTs" data.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupation {
    /// O*NET-SOC code, e.g. `15-1252.00`.
    pub code: String,
    /// Title.
    pub title: String,
    /// Its labelled tasks, in the file's order.
    pub tasks: Vec<OccupationTask>,
    /// Every published value for it, Eloundou's first.
    pub benchmarks: Vec<Benchmark>,
}

impl Occupation {
    /// A draft role page started from this occupation: its tasks with their human labels and
    /// types (so the task exposure equals the published one), everything an editor writes left
    /// as a stated gap, and middle factors until they are scored.
    pub fn draft(&self, slug: &str, category: &str) -> RoleContent {
        let to_write = |what: &str| {
            format!(
                "To write: {what} for {} (O*NET-SOC {}). Started from the occupation's O*NET tasks \
                 with the exposure labels of Eloundou et al. (2024).",
                self.title, self.code
            )
        };
        let factor = |what: &str| FactorContent {
            score: 5,
            explanation: format!("Not assessed yet: {what}."),
        };
        RoleContent {
            slug: slug.to_owned(),
            title: self.title.clone(),
            category: category.to_owned(),
            onet_soc_code: Some(self.code.clone()),
            status: RoleStatus::Draft,
            summary: to_write("the summary"),
            industry_context: to_write("the industry context"),
            factors: FactorsContent {
                repetitiveness: factor("how repetitive the work is"),
                ai_adoption: factor("how widely AI tools are used in the role"),
                human_judgment: factor("how much the work rests on human judgment"),
            },
            tasks: self
                .tasks
                .iter()
                .map(|t| TaskContent {
                    text: t.text.clone(),
                    exposure: Some(t.human),
                    task_type: t.task_type,
                    time_share: None,
                })
                .collect(),
            tools_affecting: Vec::new(),
            tools_to_master: Vec::new(),
            protective_skills: Vec::new(),
            migration_paths: Vec::new(),
            faqs: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// The parsed reference data.
#[derive(Debug)]
pub struct Data {
    /// Every occupation, ordered by code.
    pub occupations: Vec<Occupation>,
    by_code: HashMap<String, usize>,
    /// "Working with AI"'s scores by six-digit SOC code.
    applicability: HashMap<String, Benchmark>,
}

impl Data {
    /// The occupation with O*NET-SOC code `code`.
    pub fn occupation(&self, code: &str) -> Option<&Occupation> {
        self.index(code).map(|i| &self.occupations[i])
    }

    /// Where the occupation with code `code` is in [`Data::occupations`].
    pub fn index(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The occupation with code `code`, or a field error naming `field` (BAD_USER_INPUT).
    pub fn require(&self, field: &str, code: &str) -> ApiResult<&Occupation> {
        self.occupation(code).ok_or_else(|| {
            ApiError::bad_input(
                field,
                format!(
                    "no occupation has O*NET-SOC code {code:?} in the reference data (codes look like 15-1252.00)"
                ),
            )
        })
    }

    /// The published values for a role with O*NET-SOC code `code`: its occupation's, or, for a
    /// code the "GPTs are GPTs" data lacks, "Working with AI"'s score of its six-digit SOC code.
    pub fn benchmarks(&self, code: &str) -> Vec<Benchmark> {
        match self.occupation(code) {
            Some(o) => o.benchmarks.clone(),
            None => code
                .get(..7)
                .and_then(|soc| self.applicability.get(soc))
                .cloned()
                .into_iter()
                .collect(),
        }
    }

    /// Indices (in [`Data::occupations`], so by code) of the occupations whose code starts with
    /// `search` or whose title contains every word of it, case-insensitively.
    pub fn search<'a>(&'a self, search: &str) -> impl Iterator<Item = usize> + 'a {
        let needle = search.trim().to_lowercase();
        let words: Vec<String> = needle.split_whitespace().map(str::to_owned).collect();
        self.occupations
            .iter()
            .enumerate()
            .filter_map(move |(i, o)| {
                let hit = words.is_empty() || o.code.starts_with(&needle) || {
                    let title = o.title.to_lowercase();
                    words.iter().all(|w| title.contains(w.as_str()))
                };
                hit.then_some(i)
            })
    }
}

/// The reference data, parsed on first use and then shared (cheap to clone).
#[derive(Clone, Default)]
pub struct Reference(Arc<OnceLock<Result<Arc<Data>, String>>>);

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reference")
    }
}

impl Reference {
    /// The data, parsed now if no one asked before.
    pub fn data(&self) -> ApiResult<Arc<Data>> {
        // Requests arriving together wait for one parse. The files are compiled in, so a
        // failure (a damaged checkout) would fail the same way again: it is kept too.
        self.0
            .get_or_init(|| {
                parse().map(Arc::new).map_err(|e| match e {
                    ApiError::Internal(detail) => detail,
                    other => other.to_string(),
                })
            })
            .clone()
            .map_err(ApiError::Internal)
    }
}

fn exposure(label: ExposureLabel) -> Exposure {
    match label {
        ExposureLabel::E0 => Exposure::E0,
        ExposureLabel::E1 => Exposure::E1,
        ExposureLabel::E2 => Exposure::E2,
    }
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> ApiError {
    // Only a build from a damaged checkout gets here: the files are compiled in.
    ApiError::Internal(format!("reference data {what}: {detail}"))
}

/// Percentile ranks of `values` among themselves (0 to 100, ties sharing the middle rank).
fn percentiles(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x < v) as f64;
            let equal = sorted.partition_point(|x| x <= v) as f64 - below;
            (below + equal / 2.0) / n * 100.0
        })
        .collect()
}

/// One row of occ_level.csv: code, title, then GPT-4's alpha, beta, gamma and the humans'.
type OccRow = (String, String, [f64; 6]);

fn label(text: &str) -> Option<Exposure> {
    text.trim().parse::<ExposureLabel>().ok().map(exposure)
}

/// The tasks of task_labels.tsv by occupation, in order of first appearance: code, title and
/// tasks (the scoring crate's parser keeps labels only; the page needs each task's text).
fn parse_tasks() -> ApiResult<Vec<(String, String, Vec<OccupationTask>)>> {
    let mut lines = TASK_LABELS.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, l)| l.trim_end_matches('\r').split('\t').collect())
        .unwrap_or_default();
    let column = |name: &str| {
        header
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| corrupt("task_labels.tsv", format!("no column {name:?}")))
    };
    let (code, text, kind, title, human, gpt4) = (
        column("O*NET-SOC Code")?,
        column("Task")?,
        column("Task Type")?,
        column("Title")?,
        column(Rater::Human.column())?,
        column(Rater::Gpt4.column())?,
    );
    let mut out: Vec<(String, String, Vec<OccupationTask>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |c: usize| {
            fields
                .get(c)
                .copied()
                .ok_or_else(|| corrupt("task_labels.tsv", format!("line {} is short", i + 1)))
        };
        let task = OccupationTask {
            text: field(text)?.trim().to_owned(),
            task_type: match field(kind)?.trim() {
                "Core" => Some(TaskType::Core),
                "Supplemental" => Some(TaskType::Supplemental),
                _ => None,
            },
            human: label(field(human)?)
                .ok_or_else(|| corrupt("task_labels.tsv", format!("line {}: label", i + 1)))?,
            gpt4: label(field(gpt4)?)
                .ok_or_else(|| corrupt("task_labels.tsv", format!("line {}: label", i + 1)))?,
        };
        let key = field(code)?.trim();
        let index = match at.get(key) {
            Some(&index) => index,
            None => {
                at.insert(key.to_owned(), out.len());
                out.push((key.to_owned(), field(title)?.trim().to_owned(), Vec::new()));
                out.len() - 1
            }
        };
        out[index].2.push(task);
    }
    Ok(out)
}

fn parse() -> ApiResult<Data> {
    let mut indices: Vec<OccRow> = Vec::new();
    for row in csv::Reader::from_reader(OCC_LEVEL.as_bytes()).records() {
        let row = row.map_err(|e| corrupt("occ_level.csv", e))?;
        let number = |i: usize| -> ApiResult<f64> {
            row.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| corrupt("occ_level.csv", format!("column {i} of {row:?}")))
        };
        let mut values = [0.0; 6];
        for (i, v) in values.iter_mut().enumerate() {
            *v = number(i + 2)?;
        }
        indices.push((
            row.get(0).unwrap_or_default().to_owned(),
            row.get(1).unwrap_or_default().to_owned(),
            values,
        ));
    }
    let mut applicability: Vec<(String, String, f64)> = Vec::new();
    for row in csv::Reader::from_reader(APPLICABILITY.as_bytes()).records() {
        let row = row.map_err(|e| corrupt("ai_applicability.csv", e))?;
        let value = row
            .get(2)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| corrupt("ai_applicability.csv", format!("{row:?}")))?;
        applicability.push((
            row.get(0).unwrap_or_default().to_owned(),
            row.get(1).unwrap_or_default().to_owned(),
            value,
        ));
    }

    // Each measure's percentiles among its own data set.
    let columns: Vec<Vec<f64>> = (0..6)
        .map(|c| percentiles(&indices.iter().map(|r| r.2[c]).collect::<Vec<_>>()))
        .collect();
    let mut eloundou: HashMap<&str, Vec<Benchmark>> = HashMap::new();
    for (i, (code, title, values)) in indices.iter().enumerate() {
        let list = eloundou.entry(code.as_str()).or_default();
        // Human labels first: they are what a role's own task exposure uses.
        for (c, labeller, measure) in [
            (3, Labeller::Human, Measure::Alpha),
            (4, Labeller::Human, Measure::Beta),
            (5, Labeller::Human, Measure::Gamma),
            (0, Labeller::Gpt4, Measure::Alpha),
            (1, Labeller::Gpt4, Measure::Beta),
            (2, Labeller::Gpt4, Measure::Gamma),
        ] {
            list.push(Benchmark {
                dataset: DatasetId::Eloundou2024,
                measure,
                labeller: Some(labeller),
                value: values[c],
                percentile: columns[c][i],
                code: code.clone(),
                title: title.clone(),
            });
        }
    }
    let ranks = percentiles(&applicability.iter().map(|r| r.2).collect::<Vec<_>>());
    let microsoft: HashMap<String, Benchmark> = applicability
        .iter()
        .zip(ranks)
        .map(|((code, title, value), percentile)| {
            let benchmark = Benchmark {
                dataset: DatasetId::Microsoft2025,
                measure: Measure::AiApplicability,
                labeller: None,
                value: *value,
                percentile,
                code: code.clone(),
                title: title.clone(),
            };
            (code.clone(), benchmark)
        })
        .collect();

    let mut occupations: Vec<Occupation> = parse_tasks()?
        .into_iter()
        .map(|(code, title, tasks)| {
            let mut benchmarks = eloundou.remove(code.as_str()).unwrap_or_default();
            // Microsoft's scores are by six-digit SOC code: 15-1252.00 reads 15-1252.
            if let Some(b) = code.get(..7).and_then(|soc| microsoft.get(soc)) {
                benchmarks.push(b.clone());
            }
            Occupation {
                code,
                title,
                tasks,
                benchmarks,
            }
        })
        .collect();
    occupations.sort_by(|a, b| a.code.cmp(&b.code));
    let by_code = occupations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.code.clone(), i))
        .collect();
    Ok(Data {
        occupations,
        by_code,
        applicability: microsoft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occupation_is_loaded_with_its_indices() {
        let data = Reference::default().data().expect("reference data");
        assert_eq!(data.occupations.len(), 923);
        let developers = data.occupation("15-1252.00").expect("software developers");
        assert_eq!(developers.title, "Software Developers");
        let beta = developers
            .benchmarks
            .iter()
            .find(|b| b.measure == Measure::Beta && b.labeller == Some(Labeller::Human))
            .expect("human beta");
        assert!((beta.value - 0.45).abs() < 0.01, "{beta:?}");
        assert!(
            beta.percentile > 50.0 && beta.percentile <= 100.0,
            "{beta:?}"
        );
        let microsoft = developers
            .benchmarks
            .iter()
            .find(|b| b.dataset == DatasetId::Microsoft2025)
            .expect("Microsoft's score");
        assert_eq!(microsoft.code, "15-1252");
        assert!(developers.tasks.iter().all(|t| !t.text.is_empty()));
        assert!(data.occupations.iter().all(|o| o.benchmarks.len() >= 6));
    }

    #[test]
    fn percentiles_rank_ties_in_the_middle() {
        assert_eq!(percentiles(&[1.0, 2.0, 2.0, 3.0]), [12.5, 50.0, 50.0, 87.5]);
        assert_eq!(percentiles(&[5.0]), [50.0]);
    }

    #[test]
    fn search_matches_codes_and_every_word_of_titles() {
        let data = Reference::default().data().expect("reference data");
        let codes: Vec<&str> = data
            .search("15-1252")
            .map(|i| data.occupations[i].code.as_str())
            .collect();
        assert_eq!(codes, ["15-1252.00"]);
        assert!(
            data.search("software developers")
                .any(|i| data.occupations[i].code == "15-1252.00")
        );
        assert!(data.search("zzz-nothing").next().is_none());
        assert_eq!(data.search("  ").count(), 923);
    }
}
