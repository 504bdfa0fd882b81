//! `jobrisk user ...`: the operator's account tasks (create, list, set-role, disable, enable,
//! reset-password), thin over the accounts service.

use std::io::Read;

use api::config::{DatabaseArgs, LogArgs};
use api::service::Store;
use api::service::accounts::{NewUser, StudioRole};
use secrecy::{ExposeSecret, SecretString};

use crate::detail;

/// `jobrisk user`'s arguments.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    action: UserAction,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pub log: LogArgs,
    /// The studio's public origin, for the links printed (default http://127.0.0.1:8080).
    #[arg(
        long,
        env = "JOBRISK_STUDIO_PUBLIC_URL",
        value_name = "URL",
        global = true
    )]
    public_url: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum UserAction {
    /// Create a user. Without --password-stdin the user has no password yet: a one-time link
    /// (24 h) to choose one is printed.
    Create {
        /// The login (a-z, 0-9, . _ - @).
        #[arg(long)]
        login: String,
        /// viewer, editor, publisher or admin.
        #[arg(long)]
        role: String,
        /// Display name (default: the login).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Change a user's role; it counts from their next request.
    SetRole {
        /// The login.
        login: String,
        /// viewer, editor, publisher or admin.
        role: String,
    },
    /// Disable a user and end their sessions.
    Disable {
        /// The login.
        login: String,
    },
    /// Enable a disabled user.
    Enable {
        /// The login.
        login: String,
    },
    /// Print a one-time link (24 h) with which the user chooses a new password.
    ResetPassword {
        /// The login.
        login: String,
    },
}

/// Runs one account task.
pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let db = api::db::connect(args.database.url().expose_secret())
        .await
        .map_err(detail)?;
    api::db::migrate(&db).await.map_err(detail)?;
    let store = Store::new(db);
    let base = args
        .public_url
        .as_deref()
        .unwrap_or("http://127.0.0.1:8080")
        .trim_end_matches('/')
        .to_owned();
    let reset_link = |token: &str| format!("{base}/studio/reset?token={token}");
    match args.action {
        UserAction::Create {
            login,
            role,
            name,
            password_stdin,
        } => {
            let role: StudioRole = role.parse().map_err(detail)?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_to_string(&mut line)?;
                let line = line.trim_end_matches(['\n', '\r']).to_owned();
                Some(SecretString::from(line))
            } else {
                None
            };
            let has_password = password.is_some();
            let account = store
                .create_user(NewUser {
                    login,
                    name,
                    role,
                    password,
                })
                .await
                .map_err(detail)?;
            println!("created {} ({})", account.login, account.role);
            if !has_password {
                let link = store
                    .password_reset_link(&account.login)
                    .await
                    .map_err(detail)?;
                println!(
                    "choose a password (link valid until {}): {}",
                    link.expires_at.format("%Y-%m-%d %H:%M UTC"),
                    reset_link(&link.token)
                );
            }
        }
        UserAction::List => {
            println!("login\tname\trole\tstatus\tpassword");
            for u in store.list_users().await.map_err(detail)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.login,
                    u.name,
                    u.role,
                    if u.disabled { "disabled" } else { "active" },
                    if u.has_password { "set" } else { "none" }
                );
            }
        }
        UserAction::SetRole { login, role } => {
            let role: StudioRole = role.parse().map_err(detail)?;
            let u = store.set_user_role(&login, role).await.map_err(detail)?;
            println!("{} is now {}", u.login, u.role);
        }
        UserAction::Disable { login } => {
            let u = store
                .set_user_disabled(&login, true)
                .await
                .map_err(detail)?;
            println!("disabled {} and ended their sessions", u.login);
        }
        UserAction::Enable { login } => {
            let u = store
                .set_user_disabled(&login, false)
                .await
                .map_err(detail)?;
            println!("enabled {}", u.login);
        }
        UserAction::ResetPassword { login } => {
            let link = store.password_reset_link(&login).await.map_err(detail)?;
            println!(
                "one-time link, valid until {}: {}",
                link.expires_at.format("%Y-%m-%d %H:%M UTC"),
                reset_link(&link.token)
            );
        }
    }
    Ok(())
}
