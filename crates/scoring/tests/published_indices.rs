//! Recomputes all 923 x 6 published "GPTs are GPTs" occupation indices from the task labels.

use std::collections::HashMap;
use std::path::PathBuf;

use scoring::onet::{Rater, parse_task_labels};
use scoring::task_exposure;

fn reference(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/reference/eloundou")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `occ_level.csv` rows by code: [dv alpha, beta, gamma, human alpha, beta, gamma].
fn published() -> HashMap<String, [f64; 6]> {
    let text = reference("occ_level.csv");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with("O*NET-SOC Code,Title,dv_rating_alpha"),
        "{header}"
    );
    lines
        .map(|line| {
            // Titles may contain quoted commas; the six numbers are always the last fields.
            let fields: Vec<&str> = line.rsplitn(7, ',').collect();
            let code = line.split(',').next().expect("code").to_owned();
            let mut values = [0.0; 6];
            for (i, v) in fields[..6].iter().rev().enumerate() {
                values[i] = v.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
            }
            (code, values)
        })
        .collect()
}

fn check(rater: Rater, offset: usize) {
    let published = published();
    let occupations =
        parse_task_labels(&reference("task_labels.tsv"), rater).expect("reference file parses");
    assert_eq!(occupations.len(), 923);
    assert_eq!(published.len(), 923);
    let mut checked = 0;
    for occ in &occupations {
        let want = published
            .get(&occ.code)
            .unwrap_or_else(|| panic!("{} not published", occ.code));
        let got = task_exposure(&occ.tasks)
            .expect("valid tasks")
            .expect("every occupation has labelled tasks");
        for (name, g, w) in [
            ("alpha", got.alpha, want[offset]),
            ("beta", got.beta, want[offset + 1]),
            ("gamma", got.gamma, want[offset + 2]),
        ] {
            assert!(
                (g - w).abs() < 1e-9,
                "{} {rater:?} {name}: got {g}, published {w}",
                occ.code
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 923 * 3);
}

#[test]
fn gpt4_labels_reproduce_published_dv_ratings() {
    check(Rater::Gpt4, 0);
}

#[test]
fn human_labels_reproduce_published_human_ratings() {
    check(Rater::Human, 3);
}
