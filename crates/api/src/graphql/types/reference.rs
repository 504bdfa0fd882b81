//! Published research beside a role's score: occupations, their indices, and the data sets
//! they come from with their licences.

use async_graphql::{Object, SimpleObject};

use super::connection::PageInfo;
use super::enums::{ExposureLabel, TaskType};
use crate::reference::{self, Dataset, DatasetId, Labeller, Measure};

/// A shipped research data set: where it comes from and on what terms it may be shown.
#[derive(Clone, Copy, Debug)]
pub struct ReferenceDataset(pub &'static Dataset);

/// A shipped research data set: where it comes from and on what terms it may be shown.
#[Object]
impl ReferenceDataset {
    /// Which data set.
    async fn id(&self) -> DatasetId {
        self.0.id
    }

    /// Short name, e.g. "GPTs are GPTs".
    async fn name(&self) -> &'static str {
        self.0.name
    }

    /// How to cite it.
    async fn citation(&self) -> &'static str {
        self.0.citation
    }

    /// The paper.
    async fn url(&self) -> &'static str {
        self.0.url
    }

    /// Where the data was taken from.
    async fn data_url(&self) -> &'static str {
        self.0.data_url
    }

    /// Year of publication.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// SPDX identifier of the data's licence (MIT, CC-BY-4.0).
    async fn licence(&self) -> &'static str {
        self.0.licence
    }

    /// The attribution the licence asks for: show it beside the values.
    async fn attribution(&self) -> &'static str {
        self.0.attribution
    }
}

/// One published value for the role's occupation, placed among all occupations of its data set.
#[derive(Clone, Debug)]
pub struct Benchmark(pub reference::Benchmark);

/// One published value for the role's occupation, placed among all occupations of its data set.
#[Object]
impl Benchmark {
    /// Where the value comes from, with its licence and attribution.
    async fn source(&self) -> ReferenceDataset {
        ReferenceDataset(self.0.dataset.dataset())
    }

    /// What it measures.
    async fn measure(&self) -> Measure {
        self.0.measure
    }

    /// Whose task labels it rests on (the "GPTs are GPTs" indices); null otherwise.
    async fn labeller(&self) -> Option<Labeller> {
        self.0.labeller
    }

    /// The value as published, from 0 to 1.
    async fn value(&self) -> f64 {
        self.0.value
    }

    /// Percentile rank among every occupation of the data set, 0 to 100: the share with a
    /// lower value plus half the share with an equal one.
    async fn percentile(&self) -> f64 {
        self.0.percentile
    }

    /// The occupation's code in the data set: O*NET-SOC (15-1252.00), or the six-digit SOC code
    /// (15-1252) that "Working with AI" uses.
    async fn occupation_code(&self) -> &str {
        &self.0.code
    }

    /// The occupation's title in the data set.
    async fn occupation_title(&self) -> &str {
        &self.0.title
    }
}

/// An O*NET task of an occupation with its exposure labels.
#[derive(SimpleObject, Clone, Debug)]
pub struct OccupationTask {
    /// The task statement (O*NET).
    pub text: String,
    /// Core or supplemental; null when O*NET does not say.
    pub task_type: Option<TaskType>,
    /// The label of the paper's human annotators.
    pub human_exposure: ExposureLabel,
    /// GPT-4's label.
    pub gpt4_exposure: ExposureLabel,
}

/// An O*NET occupation of the reference data: what a role page can start from.
#[derive(Clone, Debug)]
pub struct Occupation(pub std::sync::Arc<reference::Data>, pub usize);

impl Occupation {
    fn get(&self) -> &reference::Occupation {
        &self.0.occupations[self.1]
    }
}

/// An O*NET occupation of the reference data: what a role page can start from.
#[Object]
impl Occupation {
    /// O*NET-SOC code, e.g. 15-1252.00.
    async fn code(&self) -> &str {
        &self.get().code
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.get().title
    }

    /// Its O*NET tasks with their labels, as "GPTs are GPTs" publishes them.
    async fn tasks(&self) -> Vec<OccupationTask> {
        self.get()
            .tasks
            .iter()
            .map(|t| OccupationTask {
                text: t.text.clone(),
                task_type: t.task_type.map(Into::into),
                human_exposure: t.human.into(),
                gpt4_exposure: t.gpt4.into(),
            })
            .collect()
    }

    /// Every published value for it.
    async fn benchmarks(&self) -> Vec<Benchmark> {
        self.get()
            .benchmarks
            .iter()
            .cloned()
            .map(Benchmark)
            .collect()
    }
}

/// A page of occupations.
#[derive(SimpleObject, Clone, Debug)]
pub struct OccupationConnection {
    /// The occupations with their cursors.
    pub edges: Vec<OccupationEdge>,
    /// The occupations alone.
    pub nodes: Vec<Occupation>,
    /// Where this page sits.
    pub page_info: PageInfo,
    /// How many occupations match, across all pages.
    pub total_count: i64,
}

/// An occupation and the cursor to continue after it.
#[derive(SimpleObject, Clone, Debug)]
pub struct OccupationEdge {
    /// Opaque cursor; pass it as `after` for the occupations that follow.
    pub cursor: String,
    /// The occupation.
    pub node: Occupation,
}
