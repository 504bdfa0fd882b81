//! The `jobrisk` command: serves the API and runs the operator's tasks.

mod backup;
mod exposure;
mod import_occupation;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use api::Application;
use api::config::{AuthArgs, DatabaseArgs, LimitArgs, LogArgs, LogFormat, ServeArgs};
use clap::{Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// jobrisk: a headless CMS and GraphQL content API for AI risk score pages about jobs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API (POST /graphql, GraphiQL on GET /graphql, GET /healthz).
    ///
    /// Without DATABASE_URL it uses ./jobrisk.db (SQLite), migrates it and loads the demo
    /// content when it is empty; with DATABASE_URL it only migrates. Every setting is an
    /// environment variable (or the option beside it); an invalid value stops the server with
    /// a message naming the variable.
    Serve(Box<ServeArgs>),
    /// Apply or roll back database migrations (DATABASE_URL, default ./jobrisk.db).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load the demo content into an empty database (DATABASE_URL, default ./jobrisk.db).
    Seed {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` is this output.
    Schema,
    /// Print what a GraphQL document read from stdin costs against the configured limits
    /// (JOBRISK_MAX_*), without running it.
    Cost {
        /// The operation to analyse, when the document has several.
        #[arg(long)]
        operation: Option<String>,
        /// Variables as JSON, e.g. '{"first": 50}'.
        #[arg(long, default_value = "{}")]
        variables: String,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a JWT signed with JOBRISK_JWT_SECRET (HS256), for local use and scripts.
    Token {
        /// Who the token is for (the `sub` claim, recorded on revisions).
        #[arg(long)]
        sub: String,
        /// Space-separated permissions: content:read content:write content:publish content:delete.
        #[arg(long, default_value = "content:write content:publish")]
        scope: String,
        /// How long the token is valid, e.g. 15m, 1h, 7d.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Start draft role pages from O*NET occupations of the shipped reference data: one by code
    /// (`CODE --slug S --category C`), or every occupation no role has yet (`--all --category C`,
    /// one transaction each, so it can be interrupted and run again).
    ImportOccupation(Box<import_occupation::Args>),
    /// Write every category, tool, source and role (working copy, live page, review and
    /// revisions) to stdout as one JSON document: `jobrisk export > content.json`.
    Export(Box<backup::ExportArgs>),
    /// Load a file written by `jobrisk export` in one transaction, upserting by slug; a file
    /// with any problem changes nothing and is reported with the JSON path of the problem.
    Import(Box<backup::ImportArgs>),
    /// Print the JSON Schema of the export format (docs/content.schema.json).
    ContentSchema,
    /// Manage editor studio accounts: create, list, set-role, disable, enable, reset-password.
    User(Box<user::UserArgs>),
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

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply pending migrations.
    Up,
    /// Roll back the last migration (or `--steps N`).
    Down {
        /// How many migrations to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// The `--rater` choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RaterArg {
    /// Human annotators (`human_exposure_agg`).
    Human,
    /// GPT-4 (`gpt4_exposure`).
    Gpt4,
}

impl From<RaterArg> for scoring::onet::Rater {
    fn from(r: RaterArg) -> Self {
        match r {
            RaterArg::Human => Self::Human,
            RaterArg::Gpt4 => Self::Gpt4,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Exposure { labels, rater } => exposure::run(&labels, rater.into()),
        Command::Schema => {
            print!("{}", api::graphql::sdl());
            Ok(())
        }
        Command::Cost {
            limits,
            operation,
            variables,
        } => cost(&limits, operation.as_deref(), &variables),
        Command::Token {
            auth,
            sub,
            scope,
            ttl,
        } => auth
            .settings()
            .map_err(api::ApiError::from)
            .and_then(|settings| api::auth::token::issue(&settings, &sub, &scope, ttl))
            .map(|token| println!("{token}"))
            .map_err(detail),
        Command::Serve(args) => {
            let log = args.log.clone();
            run_async(&log, serve(*args))
        }
        Command::Migrate {
            database,
            log,
            action,
        } => run_async(&log, migrate(database, action)),
        Command::Seed { database, log } => run_async(&log, seed(database)),
        Command::ImportOccupation(args) => {
            let log = args.log.clone();
            run_async(&log, import_occupation::run(*args))
        }
        Command::Export(args) => {
            let log = args.log.clone();
            run_async(&log, backup::export(*args))
        }
        Command::Import(args) => {
            let log = args.log.clone();
            run_async(&log, backup::import(*args))
        }
        Command::User(args) => {
            let log = args.log.clone();
            run_async(&log, user::run(*args))
        }
        Command::ContentSchema => {
            print!("{}", api::service::backup::json_schema());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Sets up logging, then runs `task` on a new async runtime.
fn run_async(
    log: &LogArgs,
    task: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&log.log)
        .map_err(|e| anyhow::anyhow!("JOBRISK_LOG: {e}, got {:?}", log.log))?;
    match log.log_format {
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init(),
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(task)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config().context("invalid configuration")?;
    let app = Application::build(&config).await.map_err(detail)?;
    let app = studio::mount(app, &config).await.map_err(detail)?;
    tracing::info!(addr = %app.local_addr().map_err(detail)?, "jobrisk listening; GraphQL at /graphql, the studio at /studio");
    app.run().await.context("server failed")
}

async fn migrate(database: DatabaseArgs, action: MigrateAction) -> anyhow::Result<()> {
    let db = api::db::connect(database.url().expose_secret())
        .await
        .map_err(detail)?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(&db).await? {
                println!("{:?}\t{}", m.status(), m.name());
            }
        }
    }
    Ok(())
}

async fn seed(database: DatabaseArgs) -> anyhow::Result<()> {
    let db = api::db::connect(database.url().expose_secret())
        .await
        .map_err(detail)?;
    api::db::migrate(&db).await.map_err(detail)?;
    let report = api::seed::seed(&db).await.map_err(detail)?;
    println!(
        "loaded {} categories, {} tools, {} sources, {} roles",
        report.categories, report.tools, report.sources, report.roles
    );
    Ok(())
}

/// `jobrisk cost`: the static analysis the server runs before every request.
fn cost(limits: &LimitArgs, operation: Option<&str>, variables: &str) -> anyhow::Result<()> {
    use std::io::Read;
    let limits = limits.limits();
    let mut document = String::new();
    std::io::stdin()
        .read_to_string(&mut document)
        .context("cannot read the document from stdin")?;
    let variables: serde_json::Value =
        serde_json::from_str(variables).context("--variables is not JSON")?;
    let doc = api::graphql::parser::parse_query(&document).context("not a GraphQL document")?;
    let model = api::graphql::cost::CostModel::from_sdl(&api::graphql::sdl())
        .map_err(|e| anyhow::anyhow!(e))?;
    let variables = api::graphql::Variables::from_json(variables);
    let analysis = model
        .analyze(&doc, operation, &variables)
        .map_err(|e| anyhow::anyhow!(e.0))?;
    let verdict = match model.check(&doc, operation, &variables, &limits) {
        Ok(_) => "accepted".to_owned(),
        Err(refusal) => format!("refused: {}", refusal.0),
    };
    println!(
        "cost {} (limit {}), depth {} (limit {}), introspection depth {}, aliases {} (limit {}), root fields {} (limit {}), fields {} (limit {}): {verdict}",
        analysis.cost,
        limits.max_cost,
        analysis.depth,
        limits.max_depth,
        analysis.introspection_depth,
        analysis.aliases,
        limits.max_aliases,
        analysis.root_fields,
        limits.max_root_fields,
        analysis.fields,
        limits.max_fields,
    );
    Ok(())
}

/// Operators see the full cause (the CLI is not a client-facing surface).
fn detail(e: api::ApiError) -> anyhow::Error {
    match e {
        api::ApiError::Database(db) => anyhow::Error::new(db).context("database error"),
        api::ApiError::Internal(d) => anyhow::anyhow!(d),
        api::ApiError::Config(c) => anyhow::Error::new(c),
        other => anyhow::anyhow!(other.to_string()),
    }
}
