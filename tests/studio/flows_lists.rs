//! The studio's list editing and queues in the browser, on both databases: reordering cited
//! sources and adding a tool through its type-ahead, which the live page then shows in that
//! order; the server-backed type-ahead for migration targets; the preview's "Page" tab by
//! keyboard; and the dashboard's review queue, marked reviewed in place.
//!
//! Like `flows.rs`: every page passes axe and loads nothing off the server, and no Content
//! Security Policy violation is reported.

use std::time::Duration;

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::flows::{
    SLUG, assert_no_csp_violations, check_page, create_user, press_on, public_query, sign_in,
    value, wait_path,
};
use crate::server::{Db, StudioServer};

/// The live page's cited source slugs and tools to master, in page order.
async fn live_lists(server: &StudioServer) -> (Value, Value) {
    let answer = public_query(
        server,
        &format!(
            "{{ role(slug: \"{SLUG}\") {{ sources {{ slug }} toolsToMaster {{ tool {{ slug }} note }} }} }}"
        ),
    )
    .await;
    let role = &answer["role"];
    let sources = role["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["slug"].clone())
        .collect();
    (Value::Array(sources), role["toolsToMaster"].clone())
}

/// Runs `sql` on the server's database.
async fn execute(server: &StudioServer, sql: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(server.database_url())
        .await
        .expect("connect to the server's database");
    conn.execute_unprepared(sql).await.expect(sql);
    conn.close().await.ok();
}

/// The values of the inputs named `prefix[N]...` in page order.
async fn row_values(browser: &Browser, list: &str, field: &str) -> Value {
    browser
        .execute(
            "return [...document.querySelectorAll(`[data-rows='${arguments[0]}'] > [data-row]`)]
                 .map(row => row.querySelector(arguments[1]).value);",
            vec![json!(list), json!(field)],
        )
        .await
}

crate::on_both_browsers!(lists_reorder_pick_and_preview_the_page);

/// A publisher reorders the cited sources with the buttons, adds a tool to master by typing
/// into its type-ahead, sees the "Page" tab follow, saves and publishes: the live page lists
/// both in the order the form showed.
async fn lists_reorder_pick_and_preview_the_page(db: Db) {
    let server = StudioServer::start(db).await;
    create_user(&server, "pat", "publisher", "pat's long password");
    let browser = Browser::start(&server.origin()).await;
    browser.goto("/studio/login").await;
    browser.wait_for("form#login").await;
    sign_in(&browser, "pat", "pat's long password").await;
    let (live_sources, live_tools) = live_lists(&server).await;
    let n = live_sources.as_array().map_or(0, Vec::len);
    assert!(n >= 2, "{live_sources}");

    let editor = format!("/studio/roles/{SLUG}");
    browser.goto(&editor).await;
    browser.wait_for("form#role-form").await;
    check_page(&browser).await;
    assert_eq!(
        row_values(&browser, "sources", "input").await,
        live_sources,
        "the form shows the sources in page order"
    );

    // The last source moves to the top, one button press per place, focus staying on it.
    for place in (1..n).rev() {
        press_on(
            &browser,
            &format!(
                "#sources > [data-row]:nth-child({}) button[data-move='up']",
                place + 1
            ),
            &Key::Enter.to_string(),
        )
        .await;
    }
    let mut expected: Vec<Value> = live_sources.as_array().expect("array").clone();
    expected.rotate_right(1);
    assert_eq!(
        row_values(&browser, "sources", "input").await,
        json!(expected)
    );
    assert_eq!(
        browser.text("#sources-status").await,
        format!("Source moved to position 1 of {n}.")
    );

    // A tool to master, through Add and the type-ahead of catalog tools.
    let before = live_tools.as_array().map_or(0, Vec::len);
    browser.click("button[data-add='toolsToMaster']").await;
    let tool = format!("#toolsToMaster-{before}-tool");
    let focused = browser
        .execute("return document.activeElement.id;", vec![])
        .await;
    assert_eq!(focused, json!(tool.trim_start_matches('#')));
    let list = browser
        .execute(
            "const i = document.querySelector(arguments[0]);
             return [i.getAttribute('list'), i.list.options.length];",
            vec![json!(tool)],
        )
        .await;
    assert_eq!(list[0], "tool-options");
    assert!(list[1].as_u64().unwrap_or(0) >= 2, "{list}");
    let pick = browser
        .execute(
            "return [...document.querySelectorAll('#tool-options option')]
                 .map(o => o.value)
                 .find(v => !document.querySelector('#toolsToMaster').innerHTML.includes(`value=\"${v}\"`));",
            vec![],
        )
        .await;
    let pick = pick.as_str().expect("a tool not yet to master").to_owned();
    browser.fill(&tool, &pick).await;
    browser
        .fill(
            &format!("#toolsToMaster-{before}-note"),
            "Worth learning early.",
        )
        .await;

    // The "Page" tab, by keyboard: arrow to it, and it shows the form as the page would.
    press_on(&browser, "#tab-score", &Key::Right.to_string()).await;
    assert_eq!(
        browser
            .execute(
                "return [document.activeElement.id, document.getElementById('page-preview').hidden,
                         document.getElementById('score-panel').hidden];",
                vec![],
            )
            .await,
        json!(["tab-page", false, true])
    );
    browser.fill("#title", "Backend Developer (preview)").await;
    browser
        .wait_text(
            "#page-title",
            |t| t == "Backend Developer (preview)",
            Duration::from_secs(5),
        )
        .await;
    assert!(
        !browser
            .execute(
                "return document.getElementById('page-preview').hidden;",
                vec![]
            )
            .await
            .as_bool()
            .unwrap_or(true),
        "a preview keeps the chosen tab"
    );
    check_page(&browser).await;
    browser.fill("#title", "Backend Developer").await;

    // The migration target's type-ahead asks the server as the editor types.
    browser.click("button[data-add='migrationPaths']").await;
    let paths = browser
        .execute(
            "return document.querySelectorAll('#migrationPaths > [data-row]').length;",
            vec![],
        )
        .await
        .as_u64()
        .expect("count");
    let target = format!("#migrationPaths-{}-target", paths - 1);
    browser.fill(&target, "data").await;
    let started = std::time::Instant::now();
    loop {
        let options = browser
            .execute(
                "return [...document.querySelectorAll('#role-options option')].map(o => o.value);",
                vec![],
            )
            .await;
        let found = options.as_array().map_or(0, Vec::len);
        if found > 0 {
            assert!(
                options
                    .as_array()
                    .expect("array")
                    .iter()
                    .any(|v| v == "data-scientist"),
                "{options}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no suggestions for 'data'"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Not kept: an empty path row is dropped, one with a target must name a real role.
    browser
        .click(&format!(
            "#migrationPaths > [data-row]:nth-child({paths}) button[data-remove]"
        ))
        .await;

    let version: i32 = value(&browser, "#role-form input[name=expectedVersion]")
        .await
        .parse()
        .expect("version");
    browser.click("#save").await;
    let saved = format!("?saved={}", version + 1);
    wait_path(&browser, |p| p.ends_with(&saved)).await;
    assert_eq!(
        row_values(&browser, "sources", "input").await,
        json!(expected)
    );
    browser.click("#publish").await;
    wait_path(&browser, |p| p.contains("?published=")).await;

    let (sources, tools) = live_lists(&server).await;
    assert_eq!(sources, json!(expected), "the live page keeps the order");
    let tools = tools.as_array().expect("tools");
    assert_eq!(tools.len(), before + 1);
    assert_eq!(
        tools[before],
        json!({"tool": {"slug": pick}, "note": "Worth learning early."})
    );
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}

crate::on_both_browsers!(the_review_queue_is_marked_reviewed_in_place);

/// A role whose review fell due shows on the dashboard; a publisher marks it reviewed there,
/// and it leaves the queue with its next review a full interval away.
async fn the_review_queue_is_marked_reviewed_in_place(db: Db) {
    let server = StudioServer::start(db).await;
    create_user(&server, "pat", "publisher", "pat's long password");
    create_user(&server, "vic", "viewer", "vic's long password");
    // Only this role is due, so it is in the dashboard's first rows whatever the demo holds.
    execute(
        &server,
        "UPDATE role_reviews SET due_at = '2999-01-01 00:00:00+00:00'",
    )
    .await;
    execute(
        &server,
        &format!(
            "UPDATE role_reviews SET due_at = '2000-01-01 00:00:00+00:00' \
             WHERE role_id = (SELECT id FROM roles WHERE slug = '{SLUG}')"
        ),
    )
    .await;
    let browser = Browser::start(&server.origin()).await;

    // A viewer sees the queue but no action.
    browser.goto("/studio/login").await;
    browser.wait_for("form#login").await;
    sign_in(&browser, "vic", "vic's long password").await;
    assert!(
        browser
            .exists(&format!("a[href='/studio/roles/{SLUG}']"))
            .await
    );
    assert!(!browser.exists(".mark-reviewed").await);
    browser.click("form[action='/studio/logout'] button").await;
    wait_path(&browser, |p| p.starts_with("/studio/login")).await;

    sign_in(&browser, "pat", "pat's long password").await;
    assert_eq!(browser.path().await, "/studio");
    let due = browser.text("#due-heading").await;
    assert_eq!(due, "Due for review (1)");
    let count = 1;
    let button = format!("#reviewed-{SLUG}");
    browser.wait_for(&button).await;
    check_page(&browser).await;
    press_on(&browser, &button, &Key::Enter.to_string()).await;
    browser
        .wait_text(
            "#due-heading",
            |t| t == format!("Due for review ({})", count - 1),
            Duration::from_secs(5),
        )
        .await;
    assert!(!browser.exists(&button).await, "gone from the queue");
    check_page(&browser).await;
    // The list of roles due for review agrees.
    browser.goto("/studio/roles?review=due").await;
    browser.wait_for("form#role-filters").await;
    assert!(
        !browser.exists(&format!("tr[data-slug='{SLUG}']")).await,
        "not due any more"
    );
    assert_no_csp_violations(&server, &browser).await;
    browser.close().await;
}
