//! The `jobrisk` command: serves the API and runs the operator's tasks.

mod exposure;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// jobrisk: a headless CMS and GraphQL content API for AI risk score pages about jobs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Recompute occupation exposure indices (alpha, beta, gamma) from a task-label file,
    /// printed as CSV.
    Exposure {
        /// Tab-separated file in the format of the "GPTs are GPTs" task labels.
        #[arg(long, value_name = "FILE")]
        labels: PathBuf,
        /// Whose labels to use.
        #[arg(long, value_enum, default_value_t = RaterArg::Human)]
        rater: RaterArg,
    },
}

/// The `--rater` choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RaterArg {
    /// Human annotators (`human_exposure_agg`).
    Human,
    /// GPT-4 (`gpt4_exposure`).
    Gpt4,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Exposure { labels, rater } => exposure::run(&labels, rater.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

impl From<RaterArg> for scoring::onet::Rater {
    fn from(r: RaterArg) -> Self {
        match r {
            RaterArg::Human => Self::Human,
            RaterArg::Gpt4 => Self::Gpt4,
        }
    }
}
