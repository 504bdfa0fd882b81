//! `jobrisk export` and `jobrisk import`: the whole content as one JSON file and back.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use api::auth::permit::Delete;
use api::auth::{Caller, Permission, Principal};
use api::config::{DatabaseArgs, LogArgs};
use api::service::Store;
use secrecy::ExposeSecret;

use crate::detail;

/// `jobrisk export`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// `jobrisk import`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file `jobrisk export` wrote.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Who the audit log names as the importer.
    #[arg(long, default_value = "import")]
    actor: String,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

async fn store(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let db = api::db::connect(database.url().expose_secret())
        .await
        .map_err(detail)?;
    api::db::migrate(&db).await.map_err(detail)?;
    Ok(Store::new(db))
}

/// Writes the content to stdout; the counts go to stderr.
pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let store = store(&args.database).await?;
    let stdout = std::io::stdout().lock();
    let report = store
        .export_content(std::io::BufWriter::with_capacity(1 << 16, stdout))
        .await
        .map_err(detail)?;
    let mut stderr = std::io::stderr();
    writeln!(
        stderr,
        "exported {} categories, {} tools, {} sources, {} roles ({} revisions)",
        report.categories, report.tools, report.sources, report.roles, report.revisions
    )?;
    Ok(())
}

/// Loads a file in one transaction and prints what it created and updated.
pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let store = store(&args.database).await?;
    // A restore replaces roles whole, revisions included: the permission that deletes.
    let permit = Caller::Authenticated(Principal {
        sub: args.actor.clone(),
        permissions: BTreeSet::from([Permission::Read, Permission::Write, Permission::Delete]),
    })
    .permit::<Delete>()
    .map_err(detail)?;
    let report = store
        .import_content(&permit, &args.file)
        .await
        .map_err(detail)?;
    println!("imported {}:\n{report}", args.file.display());
    Ok(())
}
