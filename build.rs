//! Marks a build made with `TEST_POSTGRES_URL` set, so that the end-to-end tests' PostgreSQL
//! variants are compiled as ignored without it: the runner then counts them as ignored instead
//! of reporting tests that never touched a database as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_postgres_url)");
    // Only the variable decides the cfg: rebuilding for any other change would be wasted work.
    println!("cargo::rerun-if-env-changed=TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    // Empty counts as unset, as in the tests' own reading of the variable.
    if std::env::var_os("TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=test_postgres_url");
    }
}
