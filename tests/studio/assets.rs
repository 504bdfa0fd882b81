//! The studio's static assets (vendored htmx, studio.js, studio.css) in the browser, under the
//! studio's Content Security Policy, on a fixture page (`fixtures/editor.html`) served by a
//! small in-test server that plays the studio's endpoints. This checks the assets on their own,
//! whatever state the real pages are in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fantoccini::key::Key;
use serde_json::json;

use crate::browser::Browser;

/// The studio's policy, reporting to the fixture server.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
    report-uri /csp-report";

const PAGE: &str = include_str!("fixtures/editor.html");
const HTMX: &str = include_str!("../../crates/studio/assets/htmx.min.js");
const STUDIO_JS: &str = include_str!("../../crates/studio/assets/studio.js");
const STUDIO_CSS: &str = include_str!("../../crates/studio/assets/studio.css");

/// What the fixture server saw.
#[derive(Default)]
struct Seen {
    /// The session has ended: the buffer and heartbeat answer 401 until a login.
    expired: AtomicBool,
    /// (path, body, X-CSRF-Token header) of every POST.
    posts: Mutex<Vec<(String, String, Option<String>)>>,
    /// CSP reports.
    reports: Mutex<Vec<String>>,
}

impl Seen {
    fn record(&self, path: &str, headers: &HeaderMap, body: &str) {
        let token = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Ok(mut posts) = self.posts.lock() {
            posts.push((path.to_owned(), body.to_owned(), token));
        }
    }

    fn posts_to(&self, path: &str) -> Vec<(String, Option<String>)> {
        self.posts
            .lock()
            .map(|posts| {
                posts
                    .iter()
                    .filter(|(p, _, _)| p == path)
                    .map(|(_, body, token)| (body.clone(), token.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn html(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        body,
    )
        .into_response()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The preview: the fields as the server got them, in order, one `<li>` each.
async fn preview(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: String) -> Response {
    seen.record("/preview", &headers, &body);
    let items: String = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| format!("<li>{}={}</li>", escape(&k), escape(&v)))
        .collect();
    html(format!("<ul id=\"preview-fields\">{items}</ul>"))
}

async fn buffer(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: String) -> Response {
    seen.record("/buffer", &headers, &body);
    if seen.expired.load(Ordering::SeqCst) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // An answer that must not reach the form.
    html("<input name=\"title\" value=\"from the server\">".to_owned())
}

async fn login(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: String) -> Response {
    seen.record("/login", &headers, &body);
    let fields: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let has = |k: &str, v: &str| fields.iter().any(|(fk, fv)| fk == k && fv == v);
    if has("login", "ana") && has("password", "right") && has("csrf", "tok-1") {
        seen.expired.store(false, Ordering::SeqCst);
        ([("x-csrf-token", "tok-2")], "").into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

async fn heartbeat(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: String) -> Response {
    seen.record("/heartbeat", &headers, &body);
    html("<strong>Ana</strong> is also editing".to_owned())
}

async fn save(State(seen): State<Arc<Seen>>, headers: HeaderMap, body: String) -> Response {
    seen.record("/save", &headers, &body);
    html(
        "<!doctype html><html lang=\"en\"><head><title>Saved</title></head>\
         <body><main><h1 id=\"saved\">Saved</h1></main></body></html>"
            .to_owned(),
    )
}

async fn csp_report(State(seen): State<Arc<Seen>>, body: String) -> StatusCode {
    if let Ok(mut reports) = seen.reports.lock() {
        reports.push(body);
    }
    StatusCode::NO_CONTENT
}

/// Serves the fixture on 127.0.0.1 and returns its origin (the task ends with the runtime).
async fn fixture_server(seen: Arc<Seen>) -> String {
    let app = Router::new()
        .route("/", get(|| async { html(PAGE.to_owned()) }))
        .route(
            "/assets/htmx.min.js",
            get(|| async { asset("text/javascript", HTMX) }),
        )
        .route(
            "/assets/studio.js",
            get(|| async { asset("text/javascript", STUDIO_JS) }),
        )
        .route(
            "/assets/studio.css",
            get(|| async { asset("text/css", STUDIO_CSS) }),
        )
        .route("/preview", post(preview))
        .route("/buffer", post(buffer))
        .route("/login", post(login))
        .route("/heartbeat", post(heartbeat))
        .route("/save", post(save))
        .route("/csp-report", post(csp_report))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The names, ids and values of the task rows' text inputs, in page order, with each label's
/// `for` and the row number shown.
async fn task_rows(browser: &Browser) -> serde_json::Value {
    browser
        .execute(
            "return [...document.querySelectorAll('#tasks > .task-row')].map(row => {
                const input = row.querySelector('input');
                const select = row.querySelector('select');
                return [input.name, input.id, row.querySelector('label').htmlFor,
                        select.name, select.id, input.value,
                        row.querySelector('[data-row-number]').textContent];
            });",
            vec![],
        )
        .await
}

#[cfg_attr(
    not(has_chromium),
    ignore = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn studio_assets_work_under_the_studio_csp() {
    let seen = Arc::new(Seen::default());
    let origin = fixture_server(Arc::clone(&seen)).await;
    let browser = Browser::start(&origin).await;
    browser.goto("/").await;
    browser.wait_for("#role-form").await;
    let wait = Duration::from_secs(10);

    // htmx 4 is there, configured by the meta tag, without its injected stylesheet.
    let htmx = browser
        .execute(
            "return [window.htmx && htmx.version, htmx.config.includeIndicatorCSS,
                     document.adoptedStyleSheets.length];",
            vec![],
        )
        .await;
    assert_eq!(htmx, json!(["4.0.1", false, 0]));

    browser.assert_accessible().await;
    browser.assert_no_offsite_requests().await;
    browser.screenshot("fixture-editor").await;

    // Typing previews through hx-post, with the CSRF header from the meta tag.
    browser.fill("#title", "Backend Developer II").await;
    browser
        .wait_text(
            "#preview",
            |t| t.contains("title=Backend Developer II"),
            wait,
        )
        .await;
    let previews = seen.posts_to("/preview");
    assert_eq!(
        previews
            .last()
            .and_then(|(_, token)| token.clone())
            .as_deref(),
        Some("tok-1")
    );

    // Moving a row down renumbers every field, keeps focus, and refreshes the preview.
    browser
        .click("#tasks > .task-row:nth-child(1) button[data-move='down']")
        .await;
    assert_eq!(
        task_rows(&browser).await,
        json!([
            [
                "tasks[0].text",
                "tasks-0-text",
                "tasks-0-text",
                "tasks[0].exposure",
                "tasks-0-exposure",
                "Review code",
                "1"
            ],
            [
                "tasks[1].text",
                "tasks-1-text",
                "tasks-1-text",
                "tasks[1].exposure",
                "tasks-1-exposure",
                "Write code",
                "2"
            ],
        ])
    );
    let focused = browser
        .execute(
            "const b = document.activeElement;
             return [b.dataset.move, [...document.querySelectorAll('#tasks > .task-row')].indexOf(b.closest('.task-row'))];",
            vec![],
        )
        .await;
    assert_eq!(focused, json!(["down", 1]));
    browser
        .wait_text(
            "#preview",
            |t| t.contains("tasks[0].text=Review code"),
            wait,
        )
        .await;
    let said = browser
        .execute(
            "return document.getElementById('tasks-status').textContent;",
            vec![],
        )
        .await;
    assert_eq!(said, json!("Task moved to position 2 of 2."));

    // A second move (a change event from the same form again) refreshes the preview too.
    browser
        .click("#tasks > .task-row:nth-child(2) button[data-move='up']")
        .await;
    browser
        .wait_text("#preview", |t| t.contains("tasks[0].text=Write code"), wait)
        .await;

    // Adding a row from the template, typing into it, then removing the first row.
    browser.click("#add-task").await;
    let active = browser
        .execute("return document.activeElement.id;", vec![])
        .await;
    assert_eq!(active, json!("tasks-2-text"));
    browser.fill("#tasks-2-text", "Plan releases").await;
    browser
        .wait_text(
            "#preview",
            |t| t.contains("tasks[2].text=Plan releases"),
            wait,
        )
        .await;
    browser
        .click("#tasks > .task-row:nth-child(1) button[data-remove]")
        .await;
    let rows = task_rows(&browser).await;
    assert_eq!(rows[0][0], json!("tasks[0].text"));
    assert_eq!(rows[0][5], json!("Review code"));
    assert_eq!(rows[1][0], json!("tasks[1].text"));
    assert_eq!(rows[1][5], json!("Plan releases"));
    assert_eq!(rows[1][6], json!("2"));
    browser
        .wait_text(
            "#preview",
            |t| t.contains("tasks[1].text=Plan releases") && !t.contains("Write code"),
            wait,
        )
        .await;

    // The edit buffer saves the changed form, and never touches it with the answer.
    let started = std::time::Instant::now();
    let buffered = loop {
        assert!(started.elapsed() < wait, "no buffer save of the changes");
        let posts = seen.posts_to("/buffer");
        if let Some((body, _)) = posts.into_iter().find(|(b, _)| b.contains("Plan+releases")) {
            break body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(buffered.contains("csrf=tok-1"), "{buffered}");
    assert_eq!(
        browser
            .execute("return document.getElementById('title').value;", vec![])
            .await,
        json!("Backend Developer II")
    );

    // The heartbeat sends the token and version only, and shows who else is here.
    browser
        .wait_text("#presence", |t| t.contains("Ana is also editing"), wait)
        .await;
    let beat = seen.posts_to("/heartbeat");
    assert_eq!(
        beat.first().map(|(b, _)| b.as_str()),
        Some("csrf=tok-1&expectedVersion=7")
    );

    // The session ends: the next buffer save gets 401, and the login dialog opens.
    seen.expired.store(true, Ordering::SeqCst);
    // One change, made at once: typed keys could race the dialog, which takes the focus.
    browser
        .execute(
            "const s = document.getElementById('summary');
             s.value = 'Builds and runs services.';
             s.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await;
    browser.wait_for("dialog#login-dialog[open]").await;
    assert_eq!(
        browser
            .execute("return document.activeElement.id;", vec![])
            .await,
        json!("login-login")
    );
    browser.assert_accessible().await;
    browser.screenshot("fixture-login-dialog").await;
    browser.fill("#login-login", "ana").await;
    browser.fill("#login-password", "wrong").await;
    browser.click("#login-dialog button[type='submit']").await;
    browser
        .wait_text(
            "#login-dialog [data-login-error]",
            |t| t.contains("Wrong"),
            wait,
        )
        .await;
    browser.fill("#login-password", "right").await;
    browser.click("#login-dialog button[type='submit']").await;
    let started = std::time::Instant::now();
    while browser.exists("dialog#login-dialog[open]").await {
        assert!(started.elapsed() < wait, "the login dialog stays open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The new session's token is in every form now, and the unsaved change is buffered again.
    let tokens = browser
        .execute(
            "return [...document.querySelectorAll('input[name=csrf]')].map(i => i.value)
                .concat([document.querySelector('meta[name=csrf-token]').content]);",
            vec![],
        )
        .await;
    assert_eq!(tokens, json!(["tok-2", "tok-2", "tok-2"]));
    let started = std::time::Instant::now();
    while !seen
        .posts_to("/buffer")
        .iter()
        .any(|(b, _)| b.contains("csrf=tok-2") && b.contains("runs+services"))
    {
        assert!(started.elapsed() < wait, "no buffer save after logging in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Leaving the changed form asks first.
    let guarded = browser
        .execute(
            "const e = new Event('beforeunload', { cancelable: true });
             window.dispatchEvent(e);
             return e.defaultPrevented;",
            vec![],
        )
        .await;
    assert_eq!(guarded, json!(true));

    // No policy violation anywhere: none reported, none in the console.
    assert!(
        seen.reports.lock().map(|r| r.is_empty()).unwrap_or(false),
        "CSP reports: {:?}",
        seen.reports.lock().map(|r| r.clone())
    );
    let refused = browser.csp_console_errors().await;
    assert!(refused.is_empty(), "{refused:#?}");

    // Ctrl+S in the form saves it (through #save), and submitting lifts the guard: the page
    // leaves without a prompt.
    browser
        .wait_for("#title")
        .await
        .send_keys(&format!("{}s{}", Key::Control, Key::Null))
        .await
        .expect("Ctrl+S");
    browser.wait_for("#saved").await;
    let saved = seen.posts_to("/save");
    assert_eq!(saved.len(), 1);
    assert!(
        saved[0].0.contains("title=Backend+Developer+II"),
        "{saved:?}"
    );
    browser.close().await;
}
