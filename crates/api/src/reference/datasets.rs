//! Where each shipped data set comes from and on what terms it may be shown (also in
//! `data/reference/README.md`).

/// A shipped data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "ReferenceDatasetId")]
pub enum DatasetId {
    /// Eloundou, Manning, Mishkin, Rock, "GPTs are GPTs" (Science, 2024).
    Eloundou2024,
    /// Tomlinson, Jaffe, Wang, Counts, Suri, "Working with AI" (2025).
    Microsoft2025,
}

/// A data set's source, licence and attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// Which one.
    pub id: DatasetId,
    /// Short name.
    pub name: &'static str,
    /// How to cite it.
    pub citation: &'static str,
    /// Where the paper is.
    pub url: &'static str,
    /// Where the data was taken from.
    pub data_url: &'static str,
    /// Year of publication.
    pub year: i32,
    /// SPDX licence of the data.
    pub licence: &'static str,
    /// The attribution the licence asks for, to show beside the values.
    pub attribution: &'static str,
}

/// Every shipped data set.
pub const DATASETS: [Dataset; 2] = [
    Dataset {
        id: DatasetId::Eloundou2024,
        name: "GPTs are GPTs",
        citation: "Eloundou, T., Manning, S., Mishkin, P., Rock, D. (2024). GPTs are GPTs: \
                   Labor market impact potential of LLMs. Science 384(6702). arXiv:2303.10130.",
        url: "https://arxiv.org/abs/2303.10130",
        data_url: "https://github.com/openai/GPTs-are-GPTs",
        year: 2024,
        licence: "MIT",
        attribution: "Exposure labels and occupation indices: Copyright (c) 2024 OpenAI, MIT \
                      licence. Task statements include information from the O*NET Database by \
                      the U.S. Department of Labor, Employment and Training Administration \
                      (USDOL/ETA), used under the CC BY 4.0 licence.",
    },
    Dataset {
        id: DatasetId::Microsoft2025,
        name: "Working with AI",
        citation: "Tomlinson, K., Jaffe, S., Wang, W., Counts, S., Suri, S. (2025). Working with \
                   AI: Measuring the Occupational Implications of Generative AI. \
                   arXiv:2507.07935.",
        url: "https://arxiv.org/abs/2507.07935",
        data_url: "https://github.com/microsoft/working-with-ai",
        year: 2025,
        licence: "CC-BY-4.0",
        attribution: "AI applicability scores: Tomlinson et al. (2025), Microsoft, CC BY 4.0. \
                      The score measures how much of an occupation's work observed AI-assistant \
                      conversations cover; it is not a probability of replacement.",
    },
];

impl DatasetId {
    /// The data set's source and terms.
    pub fn dataset(self) -> &'static Dataset {
        match self {
            Self::Eloundou2024 => &DATASETS[0],
            Self::Microsoft2025 => &DATASETS[1],
        }
    }
}
