//! Queries of the shipped research data: occupations for editors picking a code, and the data
//! sets with their licences.

use async_graphql::{Context, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult, GqlResult, ResultExt};
use crate::graphql::context::reference;
use crate::graphql::types::connection::PageInfo;
use crate::graphql::types::reference::{
    Occupation, OccupationConnection, OccupationEdge, ReferenceDataset,
};
use crate::reference::DATASETS;
use crate::service::listing::{DEFAULT_PAGE, MAX_PAGE};

/// Longest occupation search accepted, in characters.
const MAX_SEARCH: usize = 200;

/// Reference data queries.
#[derive(Default)]
pub struct ReferenceQuery;

fn cursor(code: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("occupation:{code}"))
}

fn after_code(after: &str) -> ApiResult<String> {
    URL_SAFE_NO_PAD
        .decode(after)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("occupation:").map(str::to_owned))
        .ok_or_else(|| {
            ApiError::bad_input("after", "is not a cursor of this list (use an endCursor)")
        })
}

#[Object]
impl ReferenceQuery {
    /// One O*NET occupation of the reference data by its O*NET-SOC code (e.g. 15-1252.00), with
    /// its tasks, their exposure labels and its published indices; null when unknown.
    async fn occupation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "O*NET-SOC code, e.g. 15-1252.00.")] code: String,
    ) -> GqlResult<Option<Occupation>> {
        let data = reference(ctx).gql()?.data().gql()?;
        Ok(data.index(&code).map(|i| Occupation(data, i)))
    }

    /// The reference data's occupations by code, optionally searched, paged with cursors: what
    /// an editor picks a role's O*NET-SOC code from.
    async fn occupations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A code prefix (15-12) or words that must all be in the title \
                          (case-insensitive, at most 200 characters).")]
        search: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last occupation already seen (an `endCursor`).")]
        after: Option<String>,
    ) -> GqlResult<OccupationConnection> {
        let search = search.unwrap_or_default();
        if search.chars().count() > MAX_SEARCH {
            return Err(ApiError::bad_input(
                "search",
                format!("must be at most {MAX_SEARCH} characters"),
            ))
            .gql();
        }
        let first = match first {
            None => DEFAULT_PAGE as usize,
            Some(n) if (0..=MAX_PAGE as i32).contains(&n) => n as usize,
            Some(n) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("must be from 0 to {MAX_PAGE}, got {n}"),
                ))
                .gql();
            }
        };
        let after = after.as_deref().map(after_code).transpose().gql()?;
        let data = reference(ctx).gql()?.data().gql()?;
        let matching: Vec<usize> = data.search(&search).collect();
        let start = match &after {
            Some(code) => matching.partition_point(|&i| data.occupations[i].code <= *code),
            None => 0,
        };
        let page = &matching[start.min(matching.len())..];
        let edges: Vec<OccupationEdge> = page
            .iter()
            .take(first)
            .map(|&i| OccupationEdge {
                cursor: cursor(&data.occupations[i].code),
                node: Occupation(data.clone(), i),
            })
            .collect();
        Ok(OccupationConnection {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            page_info: PageInfo {
                has_next_page: page.len() > first,
                has_previous_page: start > 0,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: matching.len() as i64,
        })
    }

    /// The research data sets shipped with the server, with their sources, licences and the
    /// attribution to show beside their values.
    async fn reference_datasets(&self) -> Vec<ReferenceDataset> {
        DATASETS.iter().map(ReferenceDataset).collect()
    }
}
