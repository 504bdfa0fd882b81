//! Browser tests of the studio (`/studio`): headless Chromium against the real `jobrisk serve`
//! process, through chromedriver.
//!
//! They need Debian's `chromium` and `chromium-driver` (`apt-get install chromium
//! chromium-driver`): `build.rs` sets `cfg(has_chromium)` when both are installed, and without
//! it every browser test is compiled as ignored (its reason names chromium), never passed.
//! `.ci/run` installs both and fails when any browser test was ignored.
//!
//! ```sh
//! cargo test --test studio                          # SQLite
//! TEST_POSTGRES_URL=postgres://... cargo test --test studio   # and PostgreSQL
//! ```
//!
//! Screenshots land in `target/studio-screenshots/NAME-1280x800.png` and `NAME-390x844.png`.

#[allow(
    dead_code,
    reason = "helpers for the studio's flows, not each used by every test yet"
)]
mod browser;
#[allow(
    dead_code,
    reason = "helpers for the studio's flows, not each used by every test yet"
)]
mod server;

mod assets;
mod flows;
mod flows_lists;
mod flows_more;
#[path = "../support/oidc_provider.rs"]
mod oidc_provider;
mod smoke;

/// Runs each named browser flow on SQLite and on PostgreSQL, as `name::sqlite` and
/// `name::postgres`: `async fn name(db: Db)`, which starts its own server and browser.
///
/// Without Chromium both are ignored, and without `TEST_POSTGRES_URL` at build time
/// `name::postgres` is: the reasons name chromium and TEST_POSTGRES_URL, which `.ci/run` looks
/// for. (One `ignore` per test: a second would be a duplicate attribute.)
#[macro_export]
macro_rules! on_both_browsers {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {$(
        mod $name {
            $(#[$attr])*
            #[cfg_attr(
                not(has_chromium),
                ignore = "needs Debian's chromium and chromium-driver \
                          (apt-get install chromium chromium-driver)"
            )]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::server::Db::Sqlite).await;
            }

            $(#[$attr])*
            #[cfg_attr(
                not(all(has_chromium, test_postgres_url)),
                ignore = "needs Debian's chromium and chromium-driver \
                          (apt-get install chromium chromium-driver) and TEST_POSTGRES_URL"
            )]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::server::Db::Postgres).await;
            }
        }
    )*};
}
