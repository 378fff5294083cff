//! A real browser for tests: Debian's headless Chromium, driven over the DevTools protocol (one
//! WebSocket, one page). It loads pages, runs a line of script in them (to fill in and send a
//! form the way a person would), presses keys, narrows the viewport, and reports what the page's
//! content security policy refused.
//!
//! Without Chromium the tests that need it say so once and pass; in CI (`CI` set) a missing
//! Chromium fails them instead, as a missing PostgreSQL does (see `engines.rs`). `.ci/run`
//! installs Debian's `chromium` when it is missing; `CHROMIUM=/path` picks another binary.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Once;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any one step (a start, a command, a page load) may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// Installed in every page before its own content runs: collects the content security policy's
/// refusals as the page reports them to itself. (Scripts the DevTools protocol adds are not
/// subject to the page's policy.)
const VIOLATION_LISTENER: &str = r#"
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile || e.documentURI}:${e.lineNumber})`);
});
"#;

/// A headless Chromium with one page open.
pub struct Chromium {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The page's DevTools session.
    session: String,
    next_id: u64,
    /// The page's events not yet looked at.
    events: VecDeque<Value>,
    /// Refusals the browser logged (beside those the page's listener saw), with where.
    logged: Vec<String>,
    _process: Child,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts Chromium with a fresh profile and opens a blank page; `None` (after a notice) when
    /// there is no Chromium here and this is not CI.
    pub async fn launch() -> Option<Chromium> {
        let binary = find_binary()?;
        let profile = tempfile::tempdir().unwrap();
        let process = Command::new(&binary)
            .args([
                "--headless",
                // Tests run as root in CI, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-extensions",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
        let endpoint = tokio::time::timeout(PATIENCE, devtools_endpoint(profile.path()))
            .await
            .expect("Chromium opens its DevTools port");
        let (socket, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("the DevTools WebSocket opens");
        let mut browser = Chromium {
            socket,
            session: String::new(),
            next_id: 0,
            events: VecDeque::new(),
            logged: Vec::new(),
            _process: process,
            _profile: profile,
        };
        let target = browser
            .send(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = browser
            .send(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser.command("Page.enable", json!({})).await;
        browser.command("Log.enable", json!({})).await;
        browser
            .command(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": VIOLATION_LISTENER}),
            )
            .await;
        Some(browser)
    }

    /// Sends `method` to the page and returns its result.
    pub async fn command(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params).await
    }

    /// Sends `method` (to the page's `session`, or to the browser) and returns its result, keeping
    /// the events that arrive meanwhile.
    async fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
        loop {
            let message = self.receive(method).await;
            if message["id"] == json!(id) {
                assert!(
                    message.get("error").is_none(),
                    "{method} failed: {}",
                    message["error"]
                );
                return message["result"].clone();
            }
            self.keep(message);
        }
    }

    /// The next message from the browser, waiting at most [`PATIENCE`] for it.
    async fn receive(&mut self, waiting_for: &str) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("Chromium did not answer {waiting_for} in time"))
                .expect("the DevTools WebSocket stays open")
                .unwrap();
            if let Message::Text(text) = message {
                return serde_json::from_str(text.as_str()).unwrap();
            }
        }
    }

    /// Keeps an event of the page for [`Chromium::wait_for`], and notes logged refusals.
    fn keep(&mut self, event: Value) {
        if event["sessionId"].as_str() != Some(self.session.as_str()) {
            return;
        }
        if event["method"] == "Log.entryAdded" {
            let entry = &event["params"]["entry"];
            let text = entry["text"].as_str().unwrap_or_default();
            if text.contains("Content Security Policy") {
                self.logged
                    .push(format!("{text} ({})", entry["url"].as_str().unwrap_or("")));
            }
        }
        self.events.push_back(event);
    }

    /// Waits for the page's next event `method` (one already received counts).
    async fn wait_for(&mut self, method: &str) -> Value {
        if let Some(at) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(at).unwrap();
        }
        loop {
            let message = self.receive(method).await;
            if message["method"] == method && message["sessionId"] == json!(self.session) {
                return message;
            }
            self.keep(message);
        }
    }

    /// Loads `url` and waits until it has loaded.
    pub async fn open(&mut self, url: &str) {
        self.events.clear();
        let navigated = self.command("Page.navigate", json!({"url": url})).await;
        assert!(
            navigated.get("errorText").is_none(),
            "{url}: {}",
            navigated["errorText"]
        );
        self.wait_for("Page.loadEventFired").await;
    }

    /// Runs `expression` in the page and returns its value (awaited when it is a promise).
    pub async fn evaluate(&mut self, expression: &str) -> Value {
        let evaluated = self
            .command(
                "Runtime.evaluate",
                json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(
            evaluated.get("exceptionDetails").is_none(),
            "{expression}: {}",
            evaluated["exceptionDetails"]
        );
        evaluated["result"]["value"].clone()
    }

    /// Runs `expression`, which leads to another page (a click on a form's button, say), and
    /// waits until that page has loaded.
    pub async fn follow(&mut self, expression: &str) {
        self.events.clear();
        self.evaluate(expression).await;
        self.wait_for("Page.loadEventFired").await;
    }

    /// Presses `key`, which leads to another page (Enter on a form's button, say), and waits
    /// until that page has loaded.
    pub async fn follow_key(&mut self, key: &str) {
        self.events.clear();
        self.press_key(key).await;
        self.wait_for("Page.loadEventFired").await;
    }

    /// Goes back one page in the history, as the Back button does, and waits until the page is
    /// shown, whether loaded anew or restored from the back-forward cache.
    pub async fn back(&mut self) {
        self.events.clear();
        self.evaluate("history.back()").await;
        self.wait_for("Page.frameNavigated").await;
    }

    /// Presses and releases `key` (a DOM key name: "Tab", "ArrowRight", " ", "Enter"), as a
    /// keyboard does.
    pub async fn press_key(&mut self, key: &str) {
        let (code, virtual_key, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            " " => ("Space", 32, " "),
            "ArrowRight" => ("ArrowRight", 39, ""),
            _ => panic!("no key code for {key:?}"),
        };
        let pressed = json!({"key": key, "code": code, "windowsVirtualKeyCode": virtual_key});
        let mut down = pressed.clone();
        // A key that types a character sends it with its press; the others are raw presses.
        down["type"] = json!(if text.is_empty() {
            "rawKeyDown"
        } else {
            "keyDown"
        });
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.command("Input.dispatchKeyEvent", down).await;
        let mut up = pressed;
        up["type"] = json!("keyUp");
        self.command("Input.dispatchKeyEvent", up).await;
    }

    /// Shows pages `width` CSS pixels wide at `scale` device pixels each (2 is a 200 % zoom of a
    /// window twice as wide).
    pub async fn viewport(&mut self, width: u32, scale: u32) {
        self.command(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 800, "deviceScaleFactor": scale, "mobile": false}),
        )
        .await;
    }

    /// The address of the page shown.
    pub async fn location(&mut self) -> String {
        self.evaluate("location.href")
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// What the content security policy refused on the page shown (and what the browser logged
    /// as refused since the last call), after the page's last reports have arrived.
    pub async fn csp_violations(&mut self) -> Vec<String> {
        let seen = self
            .evaluate(
                "new Promise((done) => setTimeout(() => done(window.__cspViolations ?? null), 50))",
            )
            .await;
        let seen = seen
            .as_array()
            .unwrap_or_else(|| panic!("the violation listener is not installed: {seen}"));
        let mut violations: Vec<String> = seen
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        violations.append(&mut self.logged);
        violations
    }
}

/// The Chromium to run: `CHROMIUM`, or the first of Debian's and Google's names on the `PATH`.
fn find_binary() -> Option<PathBuf> {
    if let Some(binary) = std::env::var_os("CHROMIUM") {
        return Some(binary.into());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser tests: install Debian's chromium (.ci/run does)"
        );
        static NOTICE: Once = Once::new();
        NOTICE.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "\nNOTE: the browser tests did NOT run: no chromium on the PATH \
                 (apt-get install chromium, or set CHROMIUM=/path/to/chrome).\n"
            );
        });
    }
    found
}

/// The browser's DevTools WebSocket address, from the `DevToolsActivePort` file Chromium writes
/// into its profile once it listens.
async fn devtools_endpoint(profile: &Path) -> String {
    let file = profile.join("DevToolsActivePort");
    loop {
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Some((port, path)) = text.split_once('\n')
            && !path.trim().is_empty()
        {
            return format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
