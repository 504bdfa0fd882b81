//! Headless Chromium driven through chromedriver (WebDriver) with `fantoccini`.
//!
//! Each [`Browser`] starts its own chromedriver on a port it picks itself (`--port=0`) and one
//! Chromium session; dropping it ends the session (which quits Chromium) and kills chromedriver,
//! also when the test panicked. At most [`MAX_BROWSERS`] run at once, whatever libtest's thread
//! count: each is a whole browser beside a server.
//!
//! Content Security Policy: a resource the policy blocks is never fetched, so it shows in
//! neither [`Browser::offsite_requests`] nor the server's access log. Violations are asserted
//! through the server's own `report-uri /studio/csp-report` endpoint (it records every report),
//! and Chromium's console ([`Browser::csp_console_errors`]) shows them too.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Browsers running at once (each with its own server): more only thrash a small machine.
pub const MAX_BROWSERS: usize = 2;
static BROWSERS: Semaphore = Semaphore::const_new(MAX_BROWSERS);

/// How long element and text waits take at most by default.
pub const WAIT: Duration = Duration::from_secs(10);

/// The desktop and phone viewports every screenshot is taken at.
pub const VIEWPORTS: [(u32, u32); 2] = [(1280, 800), (390, 844)];

/// The axe-core rule tags run by [`Browser::axe`]: WCAG 2.0, 2.1 and 2.2, levels A and AA.
pub const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// chromedriver, when it is installed beside Chromium (Debian's `chromium-driver`).
///
/// Browser tests carry `#[cfg_attr(not(has_chromium), ignore = ...)]` (`build.rs` sets
/// `has_chromium` when both files exist), so without them they are reported as ignored, never
/// as passed; this is only `None` when they were removed after the build.
pub fn chromedriver() -> Option<PathBuf> {
    (Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists())
        .then(|| PathBuf::from(CHROMEDRIVER))
}

/// One accessibility rule broken by the page, as axe-core reports it.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    /// The rule (`color-contrast`, `label`, ...).
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for.
    pub help: String,
    /// Where to read more.
    pub help_url: String,
    /// A CSS selector for each offending element (frames joined with ` >>> `).
    pub targets: Vec<String>,
}

impl std::fmt::Display for AxeViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.id, self.impact, self.help)?;
        for target in &self.targets {
            write!(f, "\n    at {target}")?;
        }
        write!(f, "\n    see {}", self.help_url)
    }
}

/// A chromedriver process and one headless Chromium session on a server at `origin`.
pub struct Browser {
    /// The WebDriver client, for what the helpers do not cover.
    pub client: Client,
    origin: String,
    driver: Child,
    driver_port: u16,
    session_id: Option<String>,
    _permit: SemaphorePermit<'static>,
}

impl Browser {
    /// Starts chromedriver and headless Chromium (1280x800) for the server at `origin`
    /// (`http://127.0.0.1:PORT`). Panics when they are not installed.
    pub async fn start(origin: &str) -> Self {
        let driver_path = chromedriver().unwrap_or_else(|| {
            panic!(
                "{CHROMEDRIVER} and {CHROMIUM} are needed: \
                 apt-get install chromium chromium-driver"
            )
        });
        let permit = BROWSERS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let (driver, driver_port) = start_driver(&driver_path);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,800",
                    // Nothing but our server: no background traffic to Google.
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--no-default-browser-check",
                ],
            },
            // The console (errors, CSP violations), read by `console_messages`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let mut browser = Self {
            client: connect(driver_port, capabilities).await,
            origin: origin.trim_end_matches('/').to_owned(),
            driver,
            driver_port,
            session_id: None,
            _permit: permit,
        };
        browser.session_id = browser
            .client
            .session_id()
            .await
            .expect("WebDriver session id");
        browser
    }

    /// The server's origin (`http://127.0.0.1:PORT`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Opens `path` on the server (or a full URL) and waits for the page to load.
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.origin)
        } else {
            path.to_owned()
        };
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current URL's path and query (`/studio/roles?page=2`).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The first element matching `css`, waiting up to [`WAIT`] for it.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css:?} within {WAIT:?}: {e}"))
    }

    /// Whether an element matches `css` now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Replaces the value of the field matching `css` with `text`, typed as a user would.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css:?}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css:?}: {e}"));
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css:?}: {e}"))
    }

    /// Waits up to `timeout` until the text of `css` satisfies `predicate`, and returns it.
    pub async fn wait_text(
        &self,
        css: &str,
        predicate: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> String {
        let started = Instant::now();
        let mut last = None;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if predicate(&text) {
                    return text;
                }
                last = Some(text);
            }
            if started.elapsed() > timeout {
                panic!("the text of {css:?} did not match within {timeout:?}; it was {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` (a function body: `arguments`, `return`) in the page.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Resizes the window so that the page's viewport is `width` x `height` CSS pixels.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let (mut w, mut h) = (width, height);
        // Headless windows have no frame, but check: the viewport is what pages lay out in.
        for _ in 0..3 {
            self.client
                .set_window_size(w, h)
                .await
                .unwrap_or_else(|e| panic!("resize the window to {w}x{h}: {e}"));
            let inner = self
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await;
            let (iw, ih) = (
                inner[0].as_u64().unwrap_or(0),
                inner[1].as_u64().unwrap_or(0),
            );
            if (iw, ih) == (u64::from(width), u64::from(height)) {
                return;
            }
            w = (u64::from(w) + u64::from(width)).saturating_sub(iw) as u32;
            h = (u64::from(h) + u64::from(height)).saturating_sub(ih) as u32;
        }
    }

    /// Saves the viewport as `target/studio-screenshots/NAME-1280x800.png` and, after
    /// resizing to a phone, `NAME-390x844.png`; then returns to 1280x800.
    pub async fn screenshot(&self, name: &str) -> Vec<PathBuf> {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let mut saved = Vec::new();
        for (width, height) in VIEWPORTS {
            self.set_viewport(width, height).await;
            // A frame for layout and paint after the resize.
            self.execute_async_wait_frames().await;
            let png = self.client.screenshot().await.expect("screenshot");
            let path = dir.join(format!("{name}-{width}x{height}.png"));
            std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            saved.push(path);
        }
        let (width, height) = VIEWPORTS[0];
        self.set_viewport(width, height).await;
        saved
    }

    async fn execute_async_wait_frames(&self) {
        let script = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.client
            .execute_async(script, vec![])
            .await
            .expect("wait for two animation frames");
    }

    /// Runs axe-core (tests/studio/vendor/axe.min.js, injected through WebDriver, which the
    /// page's CSP does not govern) on the page for [`AXE_TAGS`], and returns the violations.
    pub async fn axe(&self) -> Vec<AxeViolation> {
        const AXE: &str = include_str!("vendor/axe.min.js");
        // The source as the injected script's own body: never `eval`, which the page's CSP
        // would refuse (and report to the server).
        let loaded = self
            .execute(
                &format!("if (!window.axe) {{\n{AXE}\n}}\nreturn typeof window.axe;"),
                vec![],
            )
            .await;
        assert_eq!(loaded, json!("object"), "axe-core did not load");
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
              .then(r => done({ violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                  targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' ') : t).join(' >>> ')),
              })) }))
              .catch(e => done({ error: String(e && e.stack || e) }));";
        let result = self
            .client
            .execute_async(script, vec![json!(AXE_TAGS)])
            .await
            .expect("axe.run");
        if let Some(error) = result["error"].as_str() {
            panic!("axe.run failed: {error}");
        }
        result["violations"]
            .as_array()
            .expect("axe violations")
            .iter()
            .map(|v| AxeViolation {
                id: v["id"].as_str().unwrap_or_default().to_owned(),
                impact: v["impact"].as_str().unwrap_or_default().to_owned(),
                help: v["help"].as_str().unwrap_or_default().to_owned(),
                help_url: v["helpUrl"].as_str().unwrap_or_default().to_owned(),
                targets: v["targets"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Panics, listing each rule and element, unless axe finds no WCAG 2.2 A/AA violation.
    pub async fn assert_accessible(&self) {
        let violations = self.axe().await;
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            panic!(
                "{} axe violations on {}:\n  {}",
                violations.len(),
                self.path().await,
                list.join("\n  ")
            );
        }
    }

    /// Every URL the page loaded (the document and its resources, by the Resource Timing API)
    /// whose origin is not the server's. `data:` URLs are no requests and are left out.
    pub async fn offsite_requests(&self) -> Vec<String> {
        let urls = self
            .execute(
                "return performance.getEntriesByType('navigation')
                    .concat(performance.getEntriesByType('resource'))
                    .map(e => e.name);",
                vec![],
            )
            .await;
        urls.as_array()
            .expect("a list of URLs")
            .iter()
            .filter_map(Value::as_str)
            .filter(|url| !url.starts_with("data:") && !is_same_origin(url, &self.origin))
            .map(str::to_owned)
            .collect()
    }

    /// Panics unless every request of the page went to the server.
    pub async fn assert_no_offsite_requests(&self) {
        let offsite = self.offsite_requests().await;
        assert!(
            offsite.is_empty(),
            "requests off the server from {}: {offsite:#?}",
            self.path().await
        );
    }

    /// The browser console's entries since the last call (chromedriver's log endpoint: level,
    /// message, source, timestamp).
    pub async fn console_messages(&self) -> Vec<Value> {
        let session = self.session_id.as_deref().expect("a session");
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/se/log",
            self.driver_port
        );
        let answer: Value = reqwest::Client::new()
            .post(&url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|e| panic!("read the browser log: {e}"))
            .json()
            .await
            .expect("the browser log is JSON");
        answer["value"].as_array().cloned().unwrap_or_default()
    }

    /// Console messages about the Content Security Policy ("Refused to ... because it violates
    /// the following Content Security Policy directive"), since the last console read.
    pub async fn csp_console_errors(&self) -> Vec<String> {
        self.console_messages()
            .await
            .iter()
            .filter_map(|entry| entry["message"].as_str())
            .filter(|m| m.contains("Content Security Policy"))
            .map(str::to_owned)
            .collect()
    }

    /// Ends the session (quitting Chromium) and chromedriver now; dropping does the same.
    pub async fn close(mut self) {
        if let Some(session) = self.session_id.take() {
            let _ = self.client.clone().close().await;
            // The client may not have reached chromedriver (e.g. already closed): make sure.
            delete_session(self.driver_port, &session);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Synchronously: the test's runtime may be shutting down, and fantoccini's own
        // session end runs on it. Deleting the session makes chromedriver quit Chromium, which
        // killing chromedriver alone would leave running.
        if let Some(session) = self.session_id.take() {
            delete_session(self.driver_port, &session);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `target/studio-screenshots` (beside `target/tmp`, so `CARGO_TARGET_DIR` is honoured).
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("studio-screenshots")
}

/// Whether `url` is on `origin` (`http://host:port`, no trailing slash).
fn is_same_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// Starts chromedriver on a port of its choosing and returns it with the port.
fn start_driver(path: &Path) -> (Child, u16) {
    let mut child = Command::new(path)
        .args(["--port=0", "--log-level=WARNING"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", path.display()));
    let stdout = child.stdout.take().expect("chromedriver's stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        // Reads to the end, so chromedriver never blocks on a full pipe.
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // "ChromeDriver was started successfully on port 46669."
            if !sent
                && let Some(rest) = line.split("started successfully on port ").nth(1)
                && let Ok(port) = rest.trim_end_matches('.').trim().parse::<u16>()
            {
                let _ = tx.send(port);
                sent = true;
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(port) => (child, port),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromedriver did not say its port within 30 s");
        }
    }
}

/// A WebDriver session on chromedriver at `port`, over plain HTTP on loopback.
async fn connect(port: u16, capabilities: serde_json::Map<String, Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    // chromedriver says its port just before it accepts: retry briefly.
    for _ in 0..20 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no WebDriver session on {url}: {last:?}");
}

/// `DELETE /session/ID` on chromedriver, synchronously, waiting for its answer (Chromium has
/// quit by then). Errors are ignored: this is clean-up.
fn delete_session(port: u16, session: &str) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

#[test]
fn urls_are_on_the_origin_only_with_its_exact_host_and_port() {
    let origin = "http://127.0.0.1:4000";
    assert!(is_same_origin("http://127.0.0.1:4000/studio.css", origin));
    assert!(is_same_origin("http://127.0.0.1:4000", origin));
    assert!(is_same_origin("http://127.0.0.1:4000?x", origin));
    assert!(!is_same_origin("http://127.0.0.1:40001/x", origin));
    assert!(!is_same_origin("https://127.0.0.1:4000/x", origin));
    assert!(!is_same_origin(
        "http://127.0.0.1:4000.evil.example/x",
        origin
    ));
    assert!(!is_same_origin("https://unpkg.com/htmx.org", origin));
}
