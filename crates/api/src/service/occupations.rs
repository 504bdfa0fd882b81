//! Role pages started from O*NET occupations of the reference data, one at a time or all at
//! once (`jobrisk import-occupation`).

use std::collections::HashSet;

use entity::role;
use sea_orm::{EntityTrait, QuerySelect};

use super::Store;
use crate::auth::Permit;
use crate::auth::permit::Write;
use crate::error::{ApiError, ApiResult};
use crate::reference::{Data, Occupation};

/// What importing every occupation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Drafts created.
    pub created: usize,
    /// Occupations skipped because a role already has their code.
    pub skipped: usize,
}

/// What happened to one occupation of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A draft was created under this slug.
    Created(String),
    /// A role already had the occupation's code.
    Skipped,
}

/// A URL key from a title: lower-case words of letters and digits joined by dashes.
pub fn slug_of(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    // Titles run to about 130 characters; a slug keeps whole words within the limit.
    while slug.len() > 80 {
        match slug.rfind('-') {
            Some(at) => slug.truncate(at),
            None => slug.truncate(80),
        }
    }
    slug
}

impl Store {
    /// Creates a DRAFT role from `occupation` under `slug` in category `category`. Errors
    /// name the arguments (`slug`, `categorySlug`), not the draft's input fields.
    pub async fn create_role_from_occupation(
        &self,
        permit: &Permit<Write>,
        occupation: &Occupation,
        slug: &str,
        category: &str,
    ) -> ApiResult<role::Model> {
        self.create_role(permit, occupation.draft(slug, category))
            .await
            .map_err(|e| match e {
                ApiError::BadInput { field, message } => ApiError::BadInput {
                    field: match field.as_str() {
                        "input.slug" => "slug".into(),
                        "input.category" => "categorySlug".into(),
                        _ => field,
                    },
                    message,
                },
                other => other,
            })
    }

    /// Creates a DRAFT in `category` for every occupation no role has the code of, one
    /// transaction each, so an interrupted import keeps what it did and a second run goes on
    /// where it stopped. Slugs come from titles (with the code when the title's is taken).
    /// `progress` sees each occupation as it is done. Stops at the first failure.
    pub async fn import_all_occupations(
        &self,
        permit: &Permit<Write>,
        data: &Data,
        category: &str,
        mut progress: impl FnMut(&Occupation, &Imported),
    ) -> ApiResult<ImportReport> {
        let rows: Vec<(String, Option<String>)> = role::Entity::find()
            .select_only()
            .column(role::Column::Slug)
            .column(role::Column::OnetSocCode)
            .into_tuple()
            .all(self.db())
            .await?;
        let mut slugs: HashSet<String> = rows.iter().map(|(s, _)| s.clone()).collect();
        let coded: HashSet<String> = rows.into_iter().filter_map(|(_, c)| c).collect();
        let mut report = ImportReport::default();
        for occupation in &data.occupations {
            if coded.contains(&occupation.code) {
                report.skipped += 1;
                progress(occupation, &Imported::Skipped);
                continue;
            }
            let mut slug = slug_of(&occupation.title);
            if slug.is_empty() || slugs.contains(&slug) {
                slug = format!("{slug}-{}", slug_of(&occupation.code))
                    .trim_start_matches('-')
                    .to_owned();
            }
            self.create_role_from_occupation(permit, occupation, &slug, category)
                .await
                .map_err(|e| match e {
                    ApiError::BadInput { field, message } => ApiError::BadInput {
                        field,
                        message: format!("{message} (occupation {})", occupation.code),
                    },
                    other => other,
                })?;
            slugs.insert(slug.clone());
            report.created += 1;
            progress(occupation, &Imported::Created(slug));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::slug_of;

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slug_of("Software Developers"), "software-developers");
        assert_eq!(
            slug_of("Computer & Information Systems Managers"),
            "computer-information-systems-managers"
        );
        assert_eq!(slug_of("15-1252.00"), "15-1252-00");
        let long = slug_of(&"Word ".repeat(40));
        assert!(long.len() <= 80 && !long.ends_with('-'), "{long}");
    }
}
