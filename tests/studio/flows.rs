//! The studio's main flows in the browser, on both databases: sign in, edit with the live
//! score, save, review the changes and publish; the sign-in throttle and forged forms; the
//! edit buffer after a closed tab; what a viewer cannot do; the admin pages and bulk actions.
//!
//! Every page type a flow visits is checked with axe (WCAG 2.2 A/AA), for requests off the
//! server, and at the end for Content Security Policy reports in the server's log.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::server::{Db, StudioServer};

/// The first admin's login and password (set up through the one-time link).
const ADMIN: (&str, &str) = ("root", "correct horse battery");
pub(crate) const SLUG: &str = "backend-developer";

/// Opens the setup link and creates the first admin; ends signed in on the dashboard.
async fn set_up_admin(server: &StudioServer, browser: &Browser) {
    browser.goto(&server.setup_url().await).await;
    browser.wait_for("form#setup").await;
    browser.fill("#setup-login", ADMIN.0).await;
    browser.fill("#setup-name", "Root Admin").await;
    browser.fill("#setup-password", ADMIN.1).await;
    browser.fill("#setup-confirm", ADMIN.1).await;
    browser.click("#create").await;
    wait_path(browser, |p| p == "/studio").await;
}

/// Creates a studio user with `jobrisk user create` on the server's database.
pub(crate) fn create_user(server: &StudioServer, login: &str, role: &str, password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobrisk"))
        .args([
            "user",
            "create",
            "--login",
            login,
            "--role",
            role,
            "--password-stdin",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", server.database_url())
        .env("JOBRISK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jobrisk user create");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write the password");
    let out = child.wait_with_output().expect("jobrisk user create ends");
    assert!(
        out.status.success(),
        "jobrisk user create {login}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Signs in on the login page and waits to leave it.
pub(crate) async fn sign_in(browser: &Browser, login: &str, password: &str) {
    browser.goto("/studio/login").await;
    browser.wait_for("form#login").await;
    browser.fill("#login-name", login).await;
    browser.fill("#password", password).await;
    browser.click("#sign-in").await;
    wait_path(browser, |p| !p.starts_with("/studio/login")).await;
}

/// Waits up to 10 s until the current path (with query) satisfies `predicate`.
pub(crate) async fn wait_path(browser: &Browser, predicate: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let path = browser.path().await;
        if predicate(&path) {
            return path;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still on {path} after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `query`'s `data` as anyone (no token) reads it from the public API; errors fail the test.
pub(crate) async fn public_query(server: &StudioServer, query: &str) -> Value {
    let answer: Value = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("POST /graphql")
        .json()
        .await
        .expect("a JSON answer");
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"].clone()
}

/// The live page's score, as anyone reads it from the public API.
async fn public_score(server: &StudioServer) -> i64 {
    let answer = public_query(
        server,
        &format!("{{ role(slug: \"{SLUG}\") {{ risk {{ score }} }} }}"),
    )
    .await;
    answer["role"]["risk"]["score"]
        .as_i64()
        .unwrap_or_else(|| panic!("no score in {answer}"))
}

/// The page passes axe and loaded nothing off the server.
pub(crate) async fn check_page(browser: &Browser) {
    browser.assert_accessible().await;
    browser.assert_no_offsite_requests().await;
}

/// No CSP violation was reported to the server, and the browser refused nothing.
pub(crate) async fn assert_no_csp_violations(server: &StudioServer, browser: &Browser) {
    let refused = browser.csp_console_errors().await;
    assert!(
        refused.is_empty(),
        "CSP refusals in the console: {refused:#?}"
    );
    let reported = server.find_log(|v| {
        [&v["message"], &v["fields"]["message"]]
            .iter()
            .any(|m| m.as_str() == Some("csp violation reported"))
    });
    assert!(
        reported.is_none(),
        "a CSP violation was reported: {reported:?}"
    );
}

/// The value of the form field `css` (an input or select).
pub(crate) async fn value(browser: &Browser, css: &str) -> String {
    browser
        .execute(
            "return document.querySelector(arguments[0]).value;",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_else(|| panic!("no field {css}"))
        .to_owned()
}

/// Presses `keys` on the element that has the focus.
async fn press(browser: &Browser, keys: &str) {
    browser
        .client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
}

/// Focuses `css` (as Tab would) and presses `keys` there.
pub(crate) async fn press_on(browser: &Browser, css: &str, keys: &str) {
    browser.wait_for(css).await;
    browser
        .execute(
            "document.querySelector(arguments[0]).focus();",
            vec![json!(css)],
        )
        .await;
    press(browser, keys).await;
}

/// The id (or else tag and class) of the focused element.
async fn focused(browser: &Browser) -> String {
    browser
        .execute(
            "const e = document.activeElement;
             return e.id || (e.tagName.toLowerCase() + '.' + e.className);",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The text of `css` once it differs from `before`, waiting up to `timeout`; and how long.
async fn changed_text(
    browser: &Browser,
    css: &str,
    before: &str,
    timeout: Duration,
) -> (String, Duration) {
    let started = Instant::now();
    let text = browser.wait_text(css, |t| t != before, timeout).await;
    (text, started.elapsed())
}

crate::on_both_browsers!(edit_a_published_role_keyboard_only_and_publish);

/// A publisher's day: sign in, find the role, relabel three tasks with the keyboard while the
/// score follows (the live page does not), save with Ctrl+S, read the changes, publish.
async fn edit_a_published_role_keyboard_only_and_publish(db: Db) {
    let server = StudioServer::start(db).await;
    let browser = Browser::start(&server.origin()).await;
    let live_before = public_score(&server).await;

    browser.goto(&server.setup_url().await).await;
    browser.wait_for("form#setup").await;
    check_page(&browser).await;
    set_up_admin(&server, &browser).await;
    check_page(&browser).await;

    // The first Tab reaches the skip link, and Enter moves to the content.
    browser
        .execute(
            "document.activeElement && document.activeElement.blur();",
            vec![],
        )
        .await;
    press(&browser, &Key::Tab.to_string()).await;
    assert_eq!(focused(&browser).await, "a.skip-link");
    press(&browser, &Key::Enter.to_string()).await;
    assert_eq!(focused(&browser).await, "main");

    // Roles, through the nav link; then search, and open the role from the results.
    press_on(
        &browser,
        "nav a[href='/studio/roles']",
        &Key::Enter.to_string(),
    )
    .await;
    wait_path(&browser, |p| p == "/studio/roles").await;
    browser.wait_for("form#role-filters").await;
    check_page(&browser).await;
    press_on(&browser, "#q", &format!("Backend Developer{}", Key::Enter)).await;
    wait_path(&browser, |p| p.starts_with("/studio/roles?")).await;
    let link = format!("tr[data-slug='{SLUG}'] a[href='/studio/roles/{SLUG}']");
    press_on(&browser, &link, &Key::Enter.to_string()).await;
    wait_path(&browser, |p| p == format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    check_page(&browser).await;

    // Three labels changed with the arrow keys; each moves the score panel without a save.
    let edits = [
        (0, Key::Up, "E2", "E1"),
        (1, Key::Up, "E2", "E1"),
        (7, Key::Down, "E0", "E1"),
    ];
    let mut previewed = browser.text("#score-value").await;
    for (row, key, from, to) in edits {
        let select = format!("#tasks-{row}-exposure");
        assert_eq!(value(&browser, &select).await, from, "{select}");
        let before = browser.text("#score-change").await;
        press_on(&browser, &select, &key.to_string()).await;
        assert_eq!(value(&browser, &select).await, to, "{select} after {key:?}");
        let (after, took) =
            changed_text(&browser, "#score-change", &before, Duration::from_secs(5)).await;
        // Issue 14's bound: the 250 ms debounce plus a preview, on a debug build, in well under it.
        eprintln!("score panel followed {select} in {took:?}");
        assert!(
            took < Duration::from_secs(1),
            "the score panel took {took:?} to follow {select}: {before:?} -> {after:?}"
        );
        previewed = browser.text("#score-value").await;
        assert!(
            after.starts_with(&format!("Against the saved copy: {previewed}")),
            "{after:?} vs {previewed}"
        );
        assert_eq!(
            public_score(&server).await,
            live_before,
            "the live page moved"
        );
    }
    assert!(
        browser.text("#score-change").await.contains("tasks"),
        "the change names the tasks"
    );
    assert_ne!(
        previewed,
        live_before.to_string(),
        "three relabels move the score"
    );
    check_page(&browser).await;

    // Ctrl+S saves; the saved copy scores what the preview said; the live page is unchanged.
    press_on(
        &browser,
        "#title",
        &format!("{}s{}", Key::Control, Key::Null),
    )
    .await;
    let path = wait_path(&browser, |p| p.contains("?saved=")).await;
    let saved: i32 = path
        .rsplit('=')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{path}"));
    assert_eq!(
        browser.text(".flash").await,
        format!("Saved version {saved}.")
    );
    assert_eq!(browser.text("#score-value").await, previewed);
    for (row, _, _, to) in edits {
        assert_eq!(value(&browser, &format!("#tasks-{row}-exposure")).await, to);
    }
    assert_eq!(public_score(&server).await, live_before);
    check_page(&browser).await;
    browser.screenshot("editor").await;

    // The changes: each relabel as a removed and an added word, and the score both ways.
    press_on(&browser, "#changes-link", &Key::Enter.to_string()).await;
    wait_path(&browser, |p| p == format!("/studio/roles/{SLUG}/changes")).await;
    let rows = browser
        .execute(
            "return [...document.querySelectorAll('#changes tbody tr')].map(r => [
                r.querySelector('th').textContent,
                [...r.querySelectorAll('del')].map(e => e.textContent).join('|'),
                [...r.querySelectorAll('ins')].map(e => e.textContent).join('|')]);",
            vec![],
        )
        .await;
    assert_eq!(
        rows,
        json!([
            ["Task 1 exposure", "E2", "E1"],
            ["Task 2 exposure", "E2", "E1"],
            ["Task 8 exposure", "E0", "E1"],
        ])
    );
    assert_eq!(
        browser.text("#score-before-after").await,
        format!("Score: {live_before} live → {previewed} in the working copy")
    );
    check_page(&browser).await;
    browser.screenshot("changes").await;

    // Publish from the keyboard: the live page now scores what the preview said.
    press_on(&browser, "#publish", &Key::Enter.to_string()).await;
    wait_path(&browser, |p| p.contains("published=")).await;
    assert_eq!(public_score(&server).await.to_string(), previewed);
    check_page(&browser).await;
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

crate::on_both_browsers!(sign_in_throttle_and_forged_forms_are_refused);

/// Five wrong passwords get the error, the sixth the throttle; a form whose CSRF token was
/// changed is refused with 403, and the same form untouched saves.
async fn sign_in_throttle_and_forged_forms_are_refused(db: Db) {
    let server = StudioServer::start(db).await;
    create_user(&server, "ed", "editor", "ed's long password");
    create_user(&server, "pub", "publisher", "pub's long password");
    let browser = Browser::start(&server.origin()).await;

    browser.goto("/studio/login").await;
    for attempt in 1..=5 {
        browser.fill("#login-name", "ed").await;
        browser
            .fill("#password", &format!("wrong password {attempt}"))
            .await;
        browser.click("#sign-in").await;
        let error = browser
            .wait_text("#login-error", |t| !t.is_empty(), Duration::from_secs(10))
            .await;
        assert!(
            !error.contains("Too many"),
            "attempt {attempt} is throttled already: {error}"
        );
        assert_eq!(browser.path().await, "/studio/login");
        if attempt == 1 {
            assert_eq!(value(&browser, "#login-name").await, "ed");
            check_page(&browser).await;
            browser.screenshot("login-error").await;
        }
    }
    browser.fill("#login-name", "ed").await;
    browser.fill("#password", "wrong password 6").await;
    browser.click("#sign-in").await;
    browser
        .wait_text(
            "main",
            |t| t.contains("Too many failed sign-ins"),
            Duration::from_secs(10),
        )
        .await;
    check_page(&browser).await;
    // The right password is refused too while the throttle lasts.
    browser.fill("#login-name", "ed").await;
    browser.fill("#password", "ed's long password").await;
    browser.click("#sign-in").await;
    browser
        .wait_text(
            "main",
            |t| t.contains("Too many failed sign-ins"),
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(browser.path().await, "/studio/login");

    // Another login is not throttled.
    sign_in(&browser, "pub", "pub's long password").await;
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    let forged = browser
        .execute(
            "const f = document.querySelector('#role-form input[name=csrf]');
             f.value = f.value.split('').reverse().join('') + 'x';
             return f.value;",
            vec![],
        )
        .await;
    assert!(forged.as_str().is_some_and(|v| v.len() > 1));
    browser
        .fill("#summary", "A summary that must not be saved.")
        .await;
    browser.click("#save").await;
    browser
        .wait_text("h1", |t| t.starts_with("403"), Duration::from_secs(10))
        .await;
    assert!(
        browser.text("main").await.contains("CSRF token"),
        "{}",
        browser.text("main").await
    );
    assert_eq!(browser.path().await, format!("/studio/roles/{SLUG}"));
    check_page(&browser).await;
    browser.screenshot("error-403").await;

    // The same form with its own token saves.
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    assert_ne!(
        value(&browser, "#summary").await,
        "A summary that must not be saved."
    );
    browser.fill("#summary", "A summary that is saved.").await;
    browser.click("#save").await;
    wait_path(&browser, |p| p.contains("?saved=")).await;
    assert_eq!(
        value(&browser, "#summary").await,
        "A summary that is saved."
    );
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

/// How many edit buffers the server keeps.
async fn edit_buffers(server: &StudioServer) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let conn = Database::connect(server.database_url())
        .await
        .expect("connect to the server's database");
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM edit_buffers",
        ))
        .await
        .expect("count edit buffers")
        .expect("a row");
    let n: i64 = row.try_get("", "n").expect("a count");
    conn.close().await.ok();
    n
}

crate::on_both_browsers!(a_closed_tab_restores_exactly);

/// Typed changes outlive a closed browser: the next visit offers them, and restoring fills
/// the form with exactly what was typed.
async fn a_closed_tab_restores_exactly(db: Db) {
    const TITLE: &str = "Backend Developer — “senior” & <lead>";
    const TASK: &str = "Writing unit tests  for edge cases: ünïcode, 100% & \"quotes\"";
    let server = StudioServer::start(db).await;
    create_user(&server, "ed", "editor", "ed's long password");
    let browser = Browser::start(&server.origin()).await;
    sign_in(&browser, "ed", "ed's long password").await;
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    assert!(!browser.exists("#restore").await);
    assert_eq!(edit_buffers(&server).await, 0);
    browser.fill("#title", TITLE).await;
    browser.fill("#tasks-2-text", TASK).await;
    assert_eq!(value(&browser, "#tasks-2-text").await, TASK);
    // The buffer is saved within its 5 s interval (and again if typing went on).
    let started = Instant::now();
    while edit_buffers(&server).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(12),
            "no edit buffer saved"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // One more interval, so that the buffer holds the last keystroke too.
    tokio::time::sleep(Duration::from_millis(5500)).await;
    // The tab goes away unsaved: the browser ends (no beforeunload prompt can stop it).
    browser.close().await;

    let browser = Browser::start(&server.origin()).await;
    sign_in(&browser, "ed", "ed's long password").await;
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("#restore").await;
    assert_eq!(value(&browser, "#title").await, "Backend Developer");
    check_page(&browser).await;
    browser.screenshot("editor-restore").await;
    browser.click("#restore-link").await;
    wait_path(&browser, |p| p.ends_with("?restore=1")).await;
    browser.wait_for("form#role-form").await;
    assert_eq!(value(&browser, "#title").await, TITLE);
    assert_eq!(value(&browser, "#tasks-2-text").await, TASK);
    assert_eq!(
        value(&browser, "#tasks-1-text").await,
        "Producing database migration scripts and the SQL queries that read and change \
         application data"
    );
    check_page(&browser).await;
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

crate::on_both_browsers!(a_viewer_sees_no_write_actions_and_cannot_post);

/// A viewer reads the editor without save or publish, and a publish sent from the page's own
/// script with the page's token is refused.
async fn a_viewer_sees_no_write_actions_and_cannot_post(db: Db) {
    let server = StudioServer::start(db).await;
    create_user(&server, "vi", "viewer", "vi's long password");
    let browser = Browser::start(&server.origin()).await;
    sign_in(&browser, "vi", "vi's long password").await;
    browser.goto(&format!("/studio/roles/{SLUG}")).await;
    browser.wait_for("form#role-form").await;
    for css in ["#save", "#publish", "#publish-form", "#bulk"] {
        assert!(!browser.exists(css).await, "a viewer sees {css}");
    }
    check_page(&browser).await;
    let live = public_score(&server).await;
    let answer = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const body = new URLSearchParams({
                 csrf: document.querySelector('meta[name=csrf-token]').content,
                 expectedVersion: document.querySelector('input[name=expectedVersion]').value,
             });
             fetch(arguments[0], { method: 'POST', body, credentials: 'same-origin' })
                 .then(r => done([r.status, body.get('csrf').length]))
                 .catch(e => done(String(e)));",
            vec![json!(format!("/studio/roles/{SLUG}/publish"))],
        )
        .await
        .expect("fetch from the page");
    assert_eq!(answer[0], json!(403), "{answer}");
    assert!(answer[1].as_u64().is_some_and(|n| n > 0), "{answer}");
    assert_eq!(public_score(&server).await, live);
    // The roles list has no bulk form for a viewer either.
    browser.goto("/studio/roles").await;
    browser.wait_for("form#role-filters").await;
    assert!(!browser.exists("#bulk").await);
    assert!(!browser.exists("input[name=pick]").await);
    assert!(!browser.exists("nav a[href='/studio/users']").await);
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

crate::on_both_browsers!(admin_pages_and_bulk_are_accessible);

/// The admin's pages (users, account, a filtered role list, a bulk result) pass axe.
async fn admin_pages_and_bulk_are_accessible(db: Db) {
    let server = StudioServer::start(db).await;
    let browser = Browser::start(&server.origin()).await;
    set_up_admin(&server, &browser).await;

    browser.goto("/studio/users").await;
    browser.wait_for("form#new-user").await;
    check_page(&browser).await;
    browser.fill("#new-login", "newbie").await;
    browser.fill("#new-name", "New Bie").await;
    browser.click("#new-user button[type=submit]").await;
    browser.wait_for("tr[data-login='newbie']").await;
    let flash = browser.text(".flash").await;
    assert!(flash.contains("/studio/reset?token="), "{flash}");
    check_page(&browser).await;
    browser.screenshot("users").await;

    browser.goto("/studio/account").await;
    browser.wait_for("form#password-form").await;
    check_page(&browser).await;
    browser.screenshot("account").await;

    // The reset page the new user's link opens (a page type of its own).
    let reset = flash
        .split_whitespace()
        .find(|w| w.contains("/studio/reset?token="))
        .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
        .unwrap_or_else(|| panic!("no reset link in {flash:?}"));
    browser.goto(&reset).await;
    browser.wait_for("form#setup").await;
    check_page(&browser).await;
    browser.screenshot("reset").await;

    // The catalog: each list, a new item's form and an existing one's.
    for kind in ["categories", "tools", "sources"] {
        browser.goto(&format!("/studio/{kind}")).await;
        browser.wait_for("#catalog-count").await;
        check_page(&browser).await;
        browser.screenshot(&format!("catalog-{kind}")).await;
        browser.click("tbody th[scope=row] a").await;
        browser.wait_for("form#catalog-form").await;
        check_page(&browser).await;
        browser.goto(&format!("/studio/{kind}/new")).await;
        browser.wait_for("form#catalog-form").await;
        check_page(&browser).await;
    }
    browser.screenshot("catalog-form").await;

    // Filters applied through the form.
    browser.goto("/studio/roles").await;
    browser.fill("#q", "developer").await;
    browser
        .execute(
            "const s = document.getElementById('status');
             s.value = [...s.options].find(o => /published/i.test(o.value)).value;",
            vec![],
        )
        .await;
    browser.click("#role-filters button[type=submit]").await;
    let path = wait_path(&browser, |p| p.contains("q=developer")).await;
    assert!(path.contains("status="), "{path}");
    let slugs = browser
        .execute(
            "return [...document.querySelectorAll('tr[data-slug]')].map(r => r.dataset.slug);",
            vec![],
        )
        .await;
    let slugs: Vec<&str> = slugs
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(slugs.contains(&SLUG), "{slugs:?}");
    assert!(slugs.iter().all(|s| s.contains("developer")), "{slugs:?}");
    check_page(&browser).await;
    browser.screenshot("roles-filtered").await;

    // Bulk unpublish of one role.
    browser.click(&format!("#pick-{SLUG}")).await;
    browser
        .execute(
            "document.getElementById('bulk-action').value = 'unpublish';",
            vec![],
        )
        .await;
    browser.click("#bulk-apply").await;
    let result = browser
        .wait_text(
            &format!("#bulk-results tr[data-slug='{SLUG}']"),
            |t| !t.is_empty(),
            Duration::from_secs(10),
        )
        .await;
    assert!(result.contains("Done"), "{result}");
    assert_eq!(
        browser
            .execute(
                "return document.querySelectorAll('#bulk-results tbody tr').length;",
                vec![]
            )
            .await,
        json!(1)
    );
    check_page(&browser).await;
    browser.screenshot("bulk").await;
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}
