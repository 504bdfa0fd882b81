//! `jobrisk exposure`: occupation indices from a task-label file, through the scoring crate.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use scoring::onet::{Rater, parse_task_labels};

/// Reads the whole file, computes every occupation, then prints: a malformed line fails the
/// command before anything reaches stdout.
pub fn run(labels: &Path, rater: Rater) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(labels)
        .with_context(|| format!("cannot read {}", labels.display()))?;
    let occupations =
        parse_task_labels(&text, rater).with_context(|| format!("{}", labels.display()))?;

    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["onet_soc_code", "title", "tasks", "alpha", "beta", "gamma"])?;
    for occ in &occupations {
        let e = scoring::task_exposure(&occ.tasks)
            .with_context(|| format!("occupation {}", occ.code))?
            .with_context(|| format!("occupation {} has no labelled task", occ.code))?;
        out.write_record([
            occ.code.clone(),
            occ.title.clone(),
            occ.tasks.len().to_string(),
            format!("{:.12}", e.alpha),
            format!("{:.12}", e.beta),
            format!("{:.12}", e.gamma),
        ])?;
    }
    let bytes = out.into_inner().context("cannot finish the CSV")?;
    std::io::stdout()
        .lock()
        .write_all(&bytes)
        .context("cannot write to stdout")?;
    Ok(())
}
