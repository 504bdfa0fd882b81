//! `jobrisk exposure` end to end: the built binary against the shipped reference data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reference(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/reference/eloundou")
        .join(file)
}

fn exposure(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jobrisk"))
        .arg("exposure")
        .args(args)
        .output()
        .expect("spawn jobrisk")
}

/// Published values by code: [dv alpha, beta, gamma, human alpha, beta, gamma].
fn published() -> HashMap<String, [f64; 6]> {
    let mut reader = csv::Reader::from_path(reference("occ_level.csv")).expect("occ_level.csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let mut v = [0.0; 6];
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = r[i + 2].parse().expect("number");
            }
            (r[0].to_owned(), v)
        })
        .collect()
}

fn assert_reproduces(rater: &str, offset: usize) {
    let labels = reference("task_labels.tsv");
    let out = exposure(&[
        "--labels",
        labels.to_str().expect("utf-8 path"),
        "--rater",
        rater,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let published = published();
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().expect("header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["onet_soc_code", "title", "tasks", "alpha", "beta", "gamma"]
    );
    let mut rows = 0;
    for record in reader.records() {
        let r = record.expect("record");
        let want = published[&r[0]];
        for (i, col) in [3, 4, 5].into_iter().enumerate() {
            assert!(
                r[col].split('.').nth(1).is_some_and(|d| d.len() >= 6),
                "{:?}",
                &r[col]
            );
            let got: f64 = r[col].parse().expect("number");
            assert!(
                (got - want[offset + i]).abs() < 1e-9,
                "{} {rater}: {got} vs {}",
                &r[0],
                want[offset + i]
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 923);
}

#[test]
fn gpt4_rater_reproduces_published_dv_ratings() {
    assert_reproduces("gpt4", 0);
}

#[test]
fn human_rater_is_the_default_and_reproduces_published_human_ratings() {
    assert_reproduces("human", 3);
    let labels = reference("task_labels.tsv");
    let default = exposure(&["--labels", labels.to_str().expect("utf-8 path")]);
    let human = exposure(&[
        "--labels",
        labels.to_str().expect("utf-8 path"),
        "--rater",
        "human",
    ]);
    assert_eq!(default.stdout, human.stdout);
}

#[test]
fn a_malformed_row_fails_with_its_line_number_and_prints_nothing() {
    let dir = std::env::temp_dir().join(format!("jobrisk-exposure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.tsv");
    std::fs::write(
        &file,
        "O*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure\n\
         1-1\t1\tWrite\tCore\tA\tE1\tE1\n\
         1-1\t2\tRead\tCore\tA\tE9\tE1\n",
    )
    .expect("write");
    let out = exposure(&["--labels", file.to_str().expect("utf-8 path")]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "printed half a file");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");

    let missing = exposure(&[
        "--labels",
        dir.join("nope.tsv").to_str().expect("utf-8 path"),
    ]);
    assert!(!missing.status.success());
    assert!(missing.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
