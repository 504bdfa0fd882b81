//! The harness itself: the browser starts and reads a page; the studio's first page is
//! accessible and loads nothing off the server.

use std::time::Duration;

use crate::browser::{Browser, screenshot_dir};
use crate::server::{Db, StudioServer};

#[cfg_attr(
    not(has_chromium),
    ignore = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_starts_and_reads_a_page() {
    let server = StudioServer::start(Db::Sqlite).await;
    let browser = Browser::start(&server.origin()).await;

    // Chromium shows JSON as text: `{"status":"ok"}`.
    browser.goto("/healthz").await;
    let body = browser
        .wait_text("body", |t| t.contains("ok"), Duration::from_secs(10))
        .await;
    assert!(body.contains(r#""status":"ok""#), "{body}");
    assert_eq!(browser.path().await, "/healthz");
    assert!(browser.offsite_requests().await.is_empty());

    // The console reaches the harness (it is how CSP refusals show in the browser).
    browser
        .execute("console.error('harness probe');", vec![])
        .await;
    let console = browser.console_messages().await;
    assert!(
        console.iter().any(|m| m["message"]
            .as_str()
            .is_some_and(|m| m.contains("harness probe"))),
        "{console:?}"
    );

    // axe-core runs under the API's strictest policy (`default-src 'none'`) without tripping it.
    let _ = browser.axe().await;
    let refused = browser.csp_console_errors().await;
    assert!(refused.is_empty(), "{refused:#?}");

    let shots = browser.screenshot("healthz").await;
    for (shot, (width, height)) in shots.iter().zip(crate::browser::VIEWPORTS) {
        let png = std::fs::read(shot).expect("screenshot written");
        assert!(shot.starts_with(screenshot_dir()));
        // The PNG's IHDR: width and height, big-endian, at bytes 16..24.
        assert_eq!(&png[1..4], b"PNG");
        let w = u32::from_be_bytes(png[16..20].try_into().expect("4 bytes"));
        let h = u32::from_be_bytes(png[20..24].try_into().expect("4 bytes"));
        assert_eq!((w, h), (width, height), "{}", shot.display());
    }
    browser.close().await;
}

crate::on_both_browsers!(login_page_is_accessible_and_loads_nothing_off_server);

async fn login_page_is_accessible_and_loads_nothing_off_server(db: Db) {
    let server = StudioServer::start(db).await;
    let browser = Browser::start(&server.origin()).await;
    browser.goto("/studio/login").await;
    browser.wait_for("form#login").await;
    browser.assert_accessible().await;
    browser.assert_no_offsite_requests().await;
    browser.screenshot("login").await;
    browser.close().await;
}
