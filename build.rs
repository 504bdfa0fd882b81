//! Marks a build made with `TEST_POSTGRES_URL` set, so that the end-to-end tests' PostgreSQL
//! variants are compiled as ignored without it: the runner then counts them as ignored instead
//! of reporting tests that never touched a database as passed.
//!
//! Likewise marks a machine with Debian's Chromium and its WebDriver (`cfg(has_chromium)`):
//! without them the browser tests (`tests/studio`) are compiled as ignored, never passed, and
//! `.ci/run` (which installs both) fails on any that were ignored.

use std::path::Path;

/// Debian's `chromium` and `chromium-driver` packages, where the browser tests look for them.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_postgres_url)");
    println!("cargo::rustc-check-cfg=cfg(has_chromium)");
    // Only the variable decides the cfg: rebuilding for any other change would be wasted work.
    println!("cargo::rerun-if-env-changed=TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    // Empty counts as unset, as in the tests' own reading of the variable.
    if std::env::var_os("TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=test_postgres_url");
    }
    if Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists() {
        println!("cargo::rustc-cfg=has_chromium");
        // Removing either reruns this script (a missing watched file counts as changed).
        println!("cargo::rerun-if-changed={CHROMEDRIVER}");
        println!("cargo::rerun-if-changed={CHROMIUM}");
    } else {
        // Watching the missing files themselves would rerun this script, and so rebuild the
        // crate and every test, on each build; the directory changes when they are installed.
        println!("cargo::rerun-if-changed=/usr/bin");
    }
}
