//! Configuration through the built binary: `jobrisk serve --help` and the README's variable
//! tables agree, bad values stop `serve` before it does anything, naming the variable, and
//! commands that need no tokens ignore the token settings.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The binary with nothing from the test's own environment but `PATH` and `env`.
fn jobrisk(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jobrisk"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Runs to the end, failing the test if that takes longer than `limit`.
fn run_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jobrisk");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for jobrisk").is_some() {
            return child.wait_with_output().expect("jobrisk output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("jobrisk output");
            panic!(
                "jobrisk still running after {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A SQLite file path of its own, removed when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join("jobrisk-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir.join(format!(
            "config-cli-{}-{}.db",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )))
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Variable -> default (`None`: no default) from every `| variable | default | ... |` table
/// in the README.
fn readme_variables() -> BTreeMap<String, Option<String>> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut variables = BTreeMap::new();
    let mut in_table = false;
    for line in readme.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if line.starts_with("| variable | default |") {
            in_table = true;
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if !in_table || cells.len() < 3 || cells[1].starts_with("---") {
            continue;
        }
        let name = cells[1].trim_matches('`');
        assert!(
            !name.contains(['`', ',', ' ']),
            "one variable per README row: {line}"
        );
        let default = match cells[2] {
            "unset" | "none" => None,
            quoted => Some(quoted.trim_matches('`').to_owned()),
        };
        assert!(
            variables.insert(name.to_owned(), default).is_none(),
            "{name} is in the README twice"
        );
    }
    variables
}

/// Variable -> default (`None`: no default) from `jobrisk serve --help`.
fn help_variables(help: &str) -> BTreeMap<String, Option<String>> {
    let mut variables = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        // An option line starts a new block; its description is indented further.
        if trimmed.starts_with('-') && indent < 10 {
            current = None;
        }
        if let Some(rest) = trimmed.strip_prefix("[env: ") {
            let name: String = rest
                .chars()
                .take_while(|c| !matches!(c, '=' | ']'))
                .collect();
            variables.insert(name.clone(), None);
            current = Some(name);
        }
        if let (Some(rest), Some(name)) = (trimmed.strip_prefix("[default: "), &current) {
            let default = rest.strip_suffix(']').expect("[default: ...]");
            variables.insert(name.clone(), Some(default.to_owned()));
        }
    }
    variables
}

#[test]
fn serve_help_lists_every_readme_variable_with_the_same_default() {
    let out = run_within(jobrisk(&["serve", "--help"], &[]), Duration::from_secs(30));
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("utf-8");
    let listed = help_variables(&help);
    let documented = readme_variables();
    assert!(listed.len() >= 25, "too few variables parsed: {listed:?}");
    for (name, default) in &documented {
        assert_eq!(
            listed.get(name),
            Some(default),
            "README says {name} defaults to {default:?}; `jobrisk serve --help` disagrees"
        );
    }
    for name in listed.keys() {
        assert!(
            documented.contains_key(name),
            "{name} is in `jobrisk serve --help` but not in the README's tables"
        );
    }
}

#[test]
fn help_shows_neither_the_database_url_nor_the_secret() {
    let out = run_within(
        jobrisk(
            &["serve", "--help"],
            &[
                ("DATABASE_URL", "postgres://admin:hunter2-db@db/jobrisk"),
                ("JOBRISK_JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret"),
            ],
        ),
        Duration::from_secs(30),
    );
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        !help.contains("hunter2") && !help.contains("s3cret"),
        "{help}"
    );
}

#[test]
fn out_of_range_values_stop_serve_at_once_naming_the_variable() {
    for (variable, value) in [
        ("JOBRISK_REQUEST_TIMEOUT_SECS", "0"),
        ("JOBRISK_REQUEST_TIMEOUT_SECS", "-3"),
        ("JOBRISK_MAX_BODY_BYTES", "0"),
        ("JOBRISK_MAX_BODY_BYTES", "-262144"),
        ("JOBRISK_MAX_BODY_BYTES", "lots"),
        ("JOBRISK_RATE_LIMIT_BURST", "0"),
        ("JOBRISK_LOG_FORMAT", "xml"),
        ("JOBRISK_LOG", "info,["),
        ("JOBRISK_JWT_SECRET", "short"),
        ("JOBRISK_JWT_JWKS_URL", "ftp://idp.example/jwks"),
    ] {
        let db = TempDb::new();
        let url = db.url();
        let started = Instant::now();
        let out = run_within(
            jobrisk(
                &["serve"],
                &[
                    ("DATABASE_URL", url.as_str()),
                    ("JOBRISK_LISTEN", "127.0.0.1:0"),
                    (variable, value),
                ],
            ),
            Duration::from_secs(20),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{variable}={value} was accepted");
        assert!(
            stderr.contains(variable),
            "{variable}={value}: the message must name the variable: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{variable}={value}: took {:?}",
            started.elapsed()
        );
        assert!(
            !db.0.exists(),
            "{variable}={value}: the database was touched before the configuration was checked"
        );
    }
}

#[test]
fn migrate_and_seed_need_no_token_or_server_settings() {
    let db = TempDb::new();
    let url = db.url();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("JOBRISK_JWT_SECRET", "short"),
        ("JOBRISK_JWT_JWKS_URL", "not a url"),
        ("JOBRISK_REQUEST_TIMEOUT_SECS", "0"),
    ];
    for args in [&["migrate", "up"][..], &["migrate", "status"], &["seed"]] {
        let out = run_within(jobrisk(args, &env), Duration::from_secs(120));
        assert!(
            out.status.success(),
            "jobrisk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
