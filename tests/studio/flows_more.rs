//! More of the studio's flows in the browser, on both databases: two editors saving the same
//! role and merging without losing a field; the history's diff and a one-field restore; a
//! scheduled publish the server's scheduler carries out, and a cancelled schedule; single
//! sign-on against a provider on loopback, and its refusal of a replayed ID token.
//!
//! Like `flows.rs`: every page type a flow visits passes axe and loads nothing off the server,
//! no Content Security Policy violation is reported, and the pages are saved as screenshots.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, DurationRound, Utc};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::flows::{
    SLUG, assert_no_csp_violations, check_page, create_user, press_on, public_query, sign_in,
    value, wait_path,
};
use crate::oidc_provider::{CLIENT_ID, CLIENT_SECRET, NextUser, Provider};
use crate::server::{Content, Db, StudioServer};

/// Held by a flow while it runs two browsers at once. `browser::MAX_BROWSERS` is 2: two flows
/// each holding one browser and waiting for a second would wait for each other forever.
static TWO_BROWSERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The role as anyone reads it from the public API (its live page); `Null` when unpublished.
async fn live_role(server: &StudioServer) -> Value {
    public_query(
        server,
        &format!("{{ role(slug: \"{SLUG}\") {{ title summary tasks {{ text exposure }} }} }}"),
    )
    .await["role"]
        .clone()
}

/// The version the editor's form was opened at.
async fn form_version(browser: &Browser) -> i32 {
    value(browser, "#role-form input[name=expectedVersion]")
        .await
        .parse()
        .expect("a version number")
}

/// Saves the role form with its button and waits for the editor at `?saved={version}`.
async fn save_as(browser: &Browser, version: i32) {
    browser.click("#save").await;
    let end = format!("?saved={version}");
    wait_path(browser, |p| p.ends_with(&end)).await;
    assert_eq!(
        browser.text(".flash").await,
        format!("Saved version {version}.")
    );
}

/// Signs in like `flows::sign_in`, checking the login page and the dashboard it lands on.
async fn sign_in_checked(browser: &Browser, login: &str, password: &str) {
    browser.goto("/studio/login").await;
    browser.wait_for("form#login").await;
    check_page(browser).await;
    sign_in(browser, login, password).await;
    assert_eq!(browser.path().await, "/studio");
    check_page(browser).await;
}

/// The text of each `<del>` and each `<ins>` in the row of `#changes` headed `field`, trimmed.
async fn diff_row(browser: &Browser, field: &str) -> (Vec<String>, Vec<String>) {
    let row = browser
        .execute(
            "const r = [...document.querySelectorAll('#changes tbody tr')]
                 .find(r => r.querySelector('th').textContent === arguments[0]);
             return r ? [[...r.querySelectorAll('del')].map(e => e.textContent.trim()),
                         [...r.querySelectorAll('ins')].map(e => e.textContent.trim())] : null;",
            vec![json!(field)],
        )
        .await;
    assert!(!row.is_null(), "no {field} row in #changes");
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("texts")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    (texts(&row[0]), texts(&row[1]))
}

/// The field headings of `#changes`, in order.
async fn diff_fields(browser: &Browser) -> Value {
    browser
        .execute(
            "return [...document.querySelectorAll('#changes tbody th')].map(t => t.textContent);",
            vec![],
        )
        .await
}

crate::on_both_browsers!(a_lost_race_merges_without_losing_a_field);

/// Ann and Ben open the same role. Ann saves a new summary and title; Ben, still on the old
/// version, relabels and rewrites tasks and retitles too: his save opens the merge, which
/// takes Ann's summary and his tasks as they are and asks only about the title. He keeps his
/// title, and the saved role has all three changes.
async fn a_lost_race_merges_without_losing_a_field(db: Db) {
    const ANN_SUMMARY: &str = "Ann's summary: backend work is shifting towards review.";
    const ANN_TITLE: &str = "Backend Engineer";
    const BEN_TITLE: &str = "Senior Backend Developer";
    const BEN_TASK: &str = "Writing unit tests for the edge cases that coding assistants miss";
    let server = StudioServer::start(db).await;
    create_user(&server, "ann", "editor", "ann's long password");
    create_user(&server, "ben", "editor", "ben's long password");
    let _pair = TWO_BROWSERS.lock().await;
    let ann = Browser::start(&server.origin()).await;
    let ben = Browser::start(&server.origin()).await;
    sign_in_checked(&ann, "ann", "ann's long password").await;
    sign_in(&ben, "ben", "ben's long password").await;
    let editor = format!("/studio/roles/{SLUG}");
    for browser in [&ann, &ben] {
        browser.goto(&editor).await;
        browser.wait_for("form#role-form").await;
    }
    let opened = form_version(&ben).await;
    assert_eq!(form_version(&ann).await, opened);
    let original_summary = value(&ben, "#summary").await;
    assert_ne!(original_summary, ANN_SUMMARY);
    assert_eq!(value(&ben, "#tasks-0-exposure").await, "E2");
    check_page(&ann).await;

    ann.fill("#summary", ANN_SUMMARY).await;
    ann.fill("#title", ANN_TITLE).await;
    save_as(&ann, opened + 1).await;

    // Ben's form still says `opened`: the tasks are his alone, the title both changed.
    ben.fill("#title", BEN_TITLE).await;
    press_on(&ben, "#tasks-0-exposure", &Key::Up.to_string()).await;
    assert_eq!(value(&ben, "#tasks-0-exposure").await, "E1");
    ben.fill("#tasks-2-text", BEN_TASK).await;
    assert_eq!(value(&ben, "#summary").await, original_summary);
    ben.click("#save").await;
    ben.wait_for("form#merge-form").await;
    assert_eq!(
        ben.path().await,
        editor,
        "the merge answers the save itself"
    );
    let reason = ben.text("#merge-reason").await;
    assert!(
        reason.contains(&format!(
            "saved version {} while you edited version {opened}",
            opened + 1
        )),
        "{reason}"
    );
    // Exactly the two one-sided changes: an untouched list (sources, whose order the form
    // keeps) is not reported as taken from either side.
    let taken = ben.text("#merge-taken").await;
    assert!(
        taken.contains("Summary (theirs)") && taken.contains("Tasks (yours)"),
        "{taken}"
    );
    assert_eq!(
        taken.matches("(theirs)").count() + taken.matches("(yours)").count(),
        2,
        "{taken}"
    );
    let clashes = ben
        .execute(
            "return [...document.querySelectorAll('fieldset.clash')].map(f => [
                 f.dataset.field,
                 [...f.querySelectorAll('pre')].map(p => p.textContent)]);",
            vec![],
        )
        .await;
    assert_eq!(clashes, json!([["title", [ANN_TITLE, BEN_TITLE]]]));
    // Nothing was written yet, and a merge without a choice does not go out.
    assert_eq!(
        ben.execute(
            "return document.getElementById('merge-form').checkValidity();",
            vec![]
        )
        .await,
        json!(false)
    );
    check_page(&ben).await;
    ben.screenshot("merge").await;

    // "Yours", from the keyboard: Space checks the focused radio button.
    press_on(&ben, "#choice-title-yours", " ").await;
    assert_eq!(
        ben.execute(
            "return document.getElementById('choice-title-yours').checked;",
            vec![]
        )
        .await,
        json!(true)
    );
    ben.click("#merge-save").await;
    let end = format!("?saved={}", opened + 2);
    wait_path(&ben, |p| p.ends_with(&end)).await;
    check_page(&ben).await;

    // Ann reloads: Ann's summary, Ben's tasks, Ben's title; every other task as it was.
    ann.goto(&editor).await;
    ann.wait_for("form#role-form").await;
    assert_eq!(form_version(&ann).await, opened + 2);
    for browser in [&ann, &ben] {
        assert_eq!(value(browser, "#title").await, BEN_TITLE);
        assert_eq!(value(browser, "#summary").await, ANN_SUMMARY);
        assert_eq!(value(browser, "#tasks-0-exposure").await, "E1");
        assert_eq!(value(browser, "#tasks-2-text").await, BEN_TASK);
        assert_eq!(value(browser, "#tasks-1-exposure").await, "E2");
        assert!(
            value(browser, "#tasks-1-text")
                .await
                .starts_with("Producing database migration scripts")
        );
    }
    // The live page is untouched: editors save, they do not publish.
    let live = live_role(&server).await;
    assert_eq!(live["title"], json!("Backend Developer"));
    assert_eq!(live["summary"], json!(original_summary));
    check_page(&ann).await;
    ann.screenshot("editor-merged").await;

    assert_no_csp_violations(&server, &ann).await;
    assert_no_csp_violations(&server, &ben).await;
    ann.close().await;
    ben.close().await;
}

crate::on_both_browsers!(history_compares_revisions_and_restores_one_field);

/// Three saves make three revisions; the history compares any two word by word, and restoring
/// only the summary of an older one adds a revision with that summary and the newer title.
async fn history_compares_revisions_and_restores_one_field(db: Db) {
    const FIRST: &str = "Backend developers design and run the services behind web apps.";
    const THIRD: &str = "Backend developers design and test the services behind web apps.";
    const TITLE: &str = "Backend Engineer";
    let server = StudioServer::start(db).await;
    create_user(&server, "ed", "editor", "ed's long password");
    let browser = Browser::start(&server.origin()).await;
    sign_in_checked(&browser, "ed", "ed's long password").await;
    let editor = format!("/studio/roles/{SLUG}");
    browser.goto(&editor).await;
    browser.wait_for("form#role-form").await;
    let start = form_version(&browser).await;
    check_page(&browser).await;

    browser.fill("#summary", FIRST).await;
    save_as(&browser, start + 1).await;
    browser.fill("#title", TITLE).await;
    save_as(&browser, start + 2).await;
    browser.fill("#summary", THIRD).await;
    save_as(&browser, start + 3).await;

    // By default the two newest: only the summary, one word out and one in.
    browser.goto(&format!("{editor}/history")).await;
    browser.wait_for("table#revisions").await;
    let versions = browser
        .execute(
            "return [...document.querySelectorAll('#revisions tbody tr')]
                 .map(r => Number(r.dataset.version));",
            vec![],
        )
        .await;
    let newest: Vec<Value> = (start..=start + 3).rev().map(|v| json!(v)).collect();
    assert_eq!(versions, json!(newest), "newest first, one per save");
    assert_eq!(diff_fields(&browser).await, json!(["Summary"]));
    assert_eq!(
        diff_row(&browser, "Summary").await,
        (vec!["run".to_owned()], vec!["test".to_owned()])
    );
    check_page(&browser).await;

    // Compare the first save with the third, through the form.
    browser
        .execute(
            "document.getElementById('compare-a').value = arguments[0];",
            vec![json!((start + 1).to_string())],
        )
        .await;
    browser.click("#compare button[type=submit]").await;
    let query = format!("a={}&b={}", start + 1, start + 3);
    wait_path(&browser, |p| p.ends_with(&query)).await;
    browser.wait_for("table#changes").await;
    assert_eq!(
        browser.text("#changes caption").await,
        format!(
            "2 changes from revision {} to revision {}",
            start + 1,
            start + 3
        )
    );
    assert_eq!(
        diff_row(&browser, "Summary").await,
        (vec!["run".to_owned()], vec!["test".to_owned()])
    );
    assert_eq!(
        diff_row(&browser, "Title").await,
        (vec!["Developer".to_owned()], vec!["Engineer".to_owned()])
    );
    check_page(&browser).await;
    browser.screenshot("history").await;

    // Restore the summary of the first save only.
    let first = start + 1;
    browser
        .execute(
            "document.getElementById(arguments[0]).value = 'summary';",
            vec![json!(format!("restore-field-{first}"))],
        )
        .await;
    browser
        .click(&format!(
            "#revisions tr[data-version='{first}'] button[type=submit]"
        ))
        .await;
    browser
        .wait_for(&format!("#revisions tr[data-version='{}']", start + 4))
        .await;
    assert_eq!(browser.path().await, format!("{editor}/history"));
    assert!(
        browser
            .text(".meta")
            .await
            .ends_with(&format!("working copy version {}", start + 4)),
        "{}",
        browser.text(".meta").await
    );
    assert_eq!(diff_fields(&browser).await, json!(["Summary"]));
    assert_eq!(
        diff_row(&browser, "Summary").await,
        (vec!["test".to_owned()], vec!["run".to_owned()])
    );
    check_page(&browser).await;

    browser.goto(&editor).await;
    browser.wait_for("form#role-form").await;
    assert_eq!(form_version(&browser).await, start + 4);
    assert_eq!(value(&browser, "#summary").await, FIRST);
    assert_eq!(value(&browser, "#title").await, TITLE, "only the summary");
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

/// Types `at` (UTC, to the minute) into the `datetime-local` field `css` as a user would: in
/// Chromium's en-US layout month, day and year, then hour, minute and AM/PM.
async fn type_datetime(browser: &Browser, css: &str, at: DateTime<Utc>) {
    let keys = format!("{}{}{}", at.format("%m%d%Y"), Key::Tab, at.format("%I%M%p"));
    press_on(browser, css, &keys).await;
    assert_eq!(
        value(browser, css).await,
        at.format("%Y-%m-%dT%H:%M").to_string(),
        "typed {keys:?}"
    );
}

/// The next whole minute at least `lead` from now: the form takes minutes, and the schedule
/// must still be in the future when it arrives.
fn next_minute(lead: Span) -> DateTime<Utc> {
    let earliest = Utc::now() + lead;
    let floor = earliest
        .duration_trunc(Span::minutes(1))
        .expect("a minute truncates");
    if floor < earliest {
        floor + Span::minutes(1)
    } else {
        floor
    }
}

crate::on_both_browsers!(a_scheduled_publish_goes_live_and_a_schedule_is_cancelled);

/// A publisher schedules the working copy's publish for the next minute: the changes page
/// shows it, the live page stays as it was until then, and the server's scheduler publishes it
/// within seconds of the time. A second schedule (an unpublish) is cancelled and never runs.
async fn a_scheduled_publish_goes_live_and_a_schedule_is_cancelled(db: Db) {
    const SUMMARY: &str = "A summary published by the scheduler, not by a click.";
    let server = StudioServer::start(db).await;
    create_user(&server, "pub", "publisher", "pub's long password");
    let browser = Browser::start(&server.origin()).await;
    sign_in_checked(&browser, "pub", "pub's long password").await;
    let live_before = live_role(&server).await;
    assert_ne!(live_before["summary"], json!(SUMMARY));

    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    let version = form_version(&browser).await + 1;
    check_page(&browser).await;
    browser.fill("#summary", SUMMARY).await;
    save_as(&browser, version).await;

    let changes = format!("/studio/roles/{SLUG}/changes");
    browser.goto(&changes).await;
    browser.wait_for("form#schedule-form").await;
    assert!(!browser.exists("#schedule").await);
    assert_eq!(diff_fields(&browser).await, json!(["Summary"]));
    check_page(&browser).await;

    // The whole minute the field can name, with time left to type and submit it.
    let due = next_minute(Span::seconds(15));
    type_datetime(&browser, "#schedule-at", due).await;
    assert_eq!(value(&browser, "#schedule-action").await, "PUBLISH");
    browser.click("#schedule-form button[type=submit]").await;
    let scheduled = browser
        .wait_text("#schedule", |t| !t.is_empty(), Duration::from_secs(10))
        .await;
    assert_eq!(
        scheduled,
        format!(
            "Publish scheduled for {} UTC by pub",
            due.format("%Y-%m-%d %H:%M")
        )
    );
    assert_eq!(browser.path().await, changes);
    assert!(browser.exists("#cancel-schedule").await);
    assert!(!browser.exists("#schedule-form").await);
    check_page(&browser).await;
    browser.screenshot("changes-scheduled").await;

    // The live page keeps the old summary until the scheduler has run at `due`.
    assert_eq!(live_role(&server).await["summary"], live_before["summary"]);
    let deadline = due + Span::seconds(10);
    let published_at = loop {
        let live = live_role(&server).await;
        if live["summary"] == json!(SUMMARY) {
            break Utc::now();
        }
        assert!(
            Utc::now() < deadline,
            "not published by {deadline} (due {due}): {live}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        published_at >= due,
        "published at {published_at}, due {due}"
    );

    browser.goto(&changes).await;
    browser.wait_for("#no-changes").await;
    assert!(!browser.exists("#schedule").await, "a schedule runs once");
    // Publishing is a version of its own, on top of the saved one.
    let published = version + 1;
    assert!(
        browser.text(".meta").await.ends_with(&format!(
            "working copy version {published} · live page version {published}"
        )),
        "{}",
        browser.text(".meta").await
    );
    check_page(&browser).await;

    // An unpublish planned for tomorrow, cancelled: the page stays live.
    let tomorrow = next_minute(Span::days(1));
    type_datetime(&browser, "#schedule-at", tomorrow).await;
    press_on(&browser, "#schedule-action", &Key::Down.to_string()).await;
    assert_eq!(value(&browser, "#schedule-action").await, "UNPUBLISH");
    browser.click("#schedule-form button[type=submit]").await;
    let scheduled = browser
        .wait_text("#schedule", |t| !t.is_empty(), Duration::from_secs(10))
        .await;
    assert_eq!(
        scheduled,
        format!(
            "Unpublish scheduled for {} UTC by pub",
            tomorrow.format("%Y-%m-%d %H:%M")
        )
    );
    check_page(&browser).await;
    press_on(&browser, "#cancel-schedule", &Key::Enter.to_string()).await;
    browser.wait_for("form#schedule-form").await;
    assert!(!browser.exists("#schedule").await);
    assert_eq!(browser.path().await, changes);
    check_page(&browser).await;
    browser.screenshot("changes-cancelled").await;
    assert_eq!(live_role(&server).await["summary"], json!(SUMMARY));

    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

/// The page passes axe, and loaded nothing off the server but from `allowed` (an origin).
///
/// For the single sign-on flow only: its sign-in goes through the provider on another
/// loopback port, a top-level navigation that Resource Timing may list; any other origin still
/// fails, as in `check_page`.
async fn check_page_allowing(browser: &Browser, allowed: &str) {
    browser.assert_accessible().await;
    let offsite: Vec<String> = browser
        .offsite_requests()
        .await
        .into_iter()
        .filter(|url| {
            url.strip_prefix(allowed)
                .is_none_or(|rest| !(rest.is_empty() || rest.starts_with(['/', '?', '#'])))
        })
        .collect();
    assert!(
        offsite.is_empty(),
        "requests off the server (and not to {allowed}) from {}: {offsite:#?}",
        browser.path().await
    );
}

/// The provider's user: a publisher by the `realm_access.roles` claim.
fn grace() -> NextUser {
    NextUser {
        subject: "u-1".into(),
        claims: json!({
            "realm_access": { "roles": ["offline_access", "publisher"] },
            "preferred_username": "grace",
            "name": "Grace Hopper",
        }),
        nonce_override: None,
    }
}

crate::on_both_browsers!(single_sign_on_signs_in_and_refuses_a_replayed_token);

/// With passwords off, the login page offers one link; it goes to the provider and straight
/// back, signed in. An ID token carrying another sign-in's nonce ends on the error page, and
/// that browser has no session.
async fn single_sign_on_signs_in_and_refuses_a_replayed_token(db: Db) {
    let provider = Provider::start().await;
    let server = StudioServer::start_with(
        db,
        Content::Demo,
        &[
            ("JOBRISK_OIDC_ISSUER", provider.issuer.clone()),
            ("JOBRISK_OIDC_CLIENT_ID", CLIENT_ID.into()),
            ("JOBRISK_OIDC_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("JOBRISK_OIDC_ROLES_CLAIM", "realm_access.roles".into()),
            ("JOBRISK_LOCAL_LOGIN", "off".into()),
        ],
    )
    .await;
    let allowed = provider.issuer.as_str();

    let browser = Browser::start(&server.origin()).await;
    browser.goto("/studio/login").await;
    browser.wait_for("#sso").await;
    assert!(!browser.exists("form#login").await, "passwords are off");
    assert!(!browser.exists("input[type=password]").await);
    assert_eq!(browser.text("#sso").await, "Sign in with single sign-on");
    check_page(&browser).await;
    browser.screenshot("login-sso").await;

    provider.sign_in_next(grace());
    press_on(&browser, "#sso", &Key::Enter.to_string()).await;
    wait_path(&browser, |p| p == "/studio").await;
    let who = browser
        .wait_text(
            ".who",
            |t| t.contains("Grace Hopper"),
            Duration::from_secs(10),
        )
        .await;
    assert!(who.contains("publisher"), "{who}");
    check_page_allowing(&browser, allowed).await;
    browser.screenshot("dashboard-sso").await;
    // The session is real: a page behind sign-in opens.
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    assert!(browser.exists("#publish").await, "a publisher by the claim");
    assert!(provider.refusals().is_empty(), "{:?}", provider.refusals());
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;

    // A fresh browser, without the first one's session cookie.
    let browser = Browser::start(&server.origin()).await;
    provider.sign_in_next(NextUser {
        nonce_override: Some("someone-elses-nonce".into()),
        ..grace()
    });
    browser.goto("/studio/login").await;
    browser.click("#sso").await;
    wait_path(&browser, |p| p.starts_with("/studio/oidc/callback?")).await;
    let heading = browser
        .wait_text("h1", |t| t.starts_with("401"), Duration::from_secs(10))
        .await;
    let alert = browser.text("main [role=alert]").await;
    assert!(
        alert.contains("the ID token did not verify"),
        "{heading}: {alert}"
    );
    assert!(
        provider.refusals().is_empty(),
        "the provider gave the token; the studio refused it: {:?}",
        provider.refusals()
    );
    check_page_allowing(&browser, allowed).await;
    browser.screenshot("sso-refused").await;
    browser.goto("/studio").await;
    let path = wait_path(&browser, |p| p.starts_with("/studio/login")).await;
    assert!(browser.exists("#sso").await, "{path}");
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}
