//! `jobrisk import-occupation`: draft role pages from O*NET occupations of the reference data.

use std::collections::BTreeSet;
use std::io::IsTerminal;

use anyhow::bail;
use api::auth::permit::Write;
use api::auth::{Caller, Permission, Principal};
use api::config::{DatabaseArgs, LogArgs};
use api::reference::Reference;
use api::service::Store;
use api::service::occupations::Imported;
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::ExposeSecret;

use crate::detail;

/// The command's arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// O*NET-SOC code of the occupation, e.g. 15-1252.00 (not with --all).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    code: Option<String>,
    /// URL key of the new page (with CODE).
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    slug: Option<String>,
    /// Every occupation that no role has the code of yet, slugs made from titles.
    #[arg(long)]
    all: bool,
    /// Slug of the existing category the drafts go into.
    #[arg(long)]
    category: String,
    /// Who the revisions name as their author.
    #[arg(long, default_value = "import-occupation")]
    actor: String,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// Runs the command.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = api::db::connect(args.database.url().expose_secret())
        .await
        .map_err(detail)?;
    api::db::migrate(&db).await.map_err(detail)?;
    let store = Store::new(db);
    // The operator runs this with the database's credentials: the same permit an editor's
    // token would give, so the write goes through the same path and leaves the same revision.
    let permit = Caller::Authenticated(Principal {
        sub: args.actor.clone(),
        permissions: BTreeSet::from([Permission::Read, Permission::Write]),
    })
    .permit::<Write>()
    .map_err(detail)?;
    let data = Reference::default().data().map_err(detail)?;

    if !args.all {
        let (Some(code), Some(slug)) = (&args.code, &args.slug) else {
            bail!("give CODE and --slug, or --all");
        };
        let occupation = data.require("code", code).map_err(detail)?;
        let role = store
            .create_role_from_occupation(&permit, occupation, slug, &args.category)
            .await
            .map_err(detail)?;
        println!(
            "created draft {} ({}, {} tasks) from {}",
            role.slug,
            role.title,
            occupation.tasks.len(),
            occupation.code
        );
        return Ok(());
    }

    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(data.occupations.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} occupations, {eta} left {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let result = store
        .import_all_occupations(&permit, &data, &args.category, |occupation, outcome| {
            bar.inc(1);
            if let Imported::Created(slug) = outcome {
                bar.set_message(slug.clone());
            } else {
                bar.set_message(format!("{} has a role", occupation.code));
            }
        })
        .await;
    bar.finish_and_clear();
    let report = result.map_err(detail)?;
    println!(
        "created {} drafts in {}; skipped {} occupations that already have a role; {} in the reference data",
        report.created,
        args.category,
        report.skipped,
        data.occupations.len()
    );
    Ok(())
}
