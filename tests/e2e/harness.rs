//! What the end-to-end tests need, started by the tests themselves: a virtual display
//! (Xvfb), tauri-driver on free ports in front of WebKitWebDriver, and the real Fieldbook
//! binary on a temporary data folder. Everything is stopped when the harness is dropped.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

// An upper bound, not a timing: tests run two at a time beside a 100,000-reflection one.
const WAIT: Duration = Duration::from_secs(40);

/// A running child process that is killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        // tauri-driver runs in a process group of its own: stopping the group also stops the
        // WebKitWebDriver it started, which would otherwise outlive the test.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Harness {
    pub client: Client,
    pub data_dir: PathBuf,
    /// The X display the app is on, for screenshots of native windows such as dialogs.
    pub display: String,
    tmp: tempfile::TempDir,
    _driver: Process,
    _display: Process,
}

/// The app under test: the one cargo built, or FIELDBOOK_APP (the budgets measure the binary
/// installed from the .deb).
pub fn app_binary() -> PathBuf {
    std::env::var_os("FIELDBOOK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_fieldbook")))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("no free local port")
        .port()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let installed = home.map(|h| h.join("bin").join("tauri-driver"));
    match installed {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Starts Xvfb on a display it chooses itself, so parallel tests never collide.
fn start_display() -> (Process, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x860x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for the end-to-end tests: run `make deps` (apt package xvfb)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("Xvfb did not say which display it chose");
    (Process(child), format!(":{}", line.trim()))
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + WAIT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Harness {
    /// Opens Fieldbook on a new, empty data folder (so it seeds the demo content).
    pub async fn start() -> Harness {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = tmp.path().join("data");
        Self::start_with(tmp, data_dir).await
    }

    /// Opens Fieldbook on `data_dir`; `tmp` is kept alive as long as the harness.
    pub async fn start_with(tmp: tempfile::TempDir, data_dir: PathBuf) -> Harness {
        Self::start_with_args(tmp, data_dir, &[]).await
    }

    /// Opens Fieldbook on `data_dir` with more command-line arguments.
    pub async fn start_with_args(
        tmp: tempfile::TempDir,
        data_dir: PathBuf,
        extra: &[String],
    ) -> Harness {
        Self::start_with_env(tmp, data_dir, extra, &[]).await
    }

    /// Opens Fieldbook on `data_dir` with the command-line option `option` set to `path`, such
    /// as `--export-dir` (save exports there without asking where) or `--clock-file` (tell
    /// the time by the milliseconds written in that file).
    pub async fn start_with_option(
        tmp: tempfile::TempDir,
        data_dir: PathBuf,
        option: &str,
        path: &Path,
    ) -> Harness {
        let path = path.to_string_lossy().into_owned();
        Self::start_with_args(tmp, data_dir, &[option.into(), path]).await
    }

    /// Opens Fieldbook on `data_dir` with more arguments and environment variables.
    pub async fn start_with_env(
        tmp: tempfile::TempDir,
        data_dir: PathBuf,
        extra: &[String],
        env: &[(&str, &Path)],
    ) -> Harness {
        // A port found free can be taken by a parallel test before the driver binds it; a
        // fresh display, driver and ports on each try gets past that.
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::try_start(&data_dir, extra, env).await {
                Ok((client, driver, display, display_name)) => {
                    return Harness {
                        client,
                        data_dir,
                        display: display_name,
                        tmp,
                        _driver: driver,
                        _display: display,
                    }
                }
                Err(e) => last_error = e,
            }
        }
        panic!("could not start a WebDriver session with Fieldbook: {last_error}");
    }

    async fn try_start(
        data_dir: &Path,
        extra: &[String],
        env: &[(&str, &Path)],
    ) -> Result<(Client, Process, Process, String), String> {
        let (display, display_name) = start_display();
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new(tauri_driver())
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display_name)
            // Session times are local; the tests' expectations are written in UTC.
            .env("TZ", "UTC")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver is needed: run `make deps` (cargo install tauri-driver)");
        let driver = Process(driver);
        wait_for_port(port);

        let mut args = vec![json!("--data-dir"), json!(data_dir)];
        args.extend(extra.iter().map(|a| json!(a)));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert(
            "tauri:options".into(),
            json!({
                "application": app_binary(),
                "args": args,
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| e.to_string())?;
        Ok((client, driver, display, display_name))
    }

    /// Waits until the app has shown its first screen.
    pub async fn ready(&self) {
        self.find("body[data-ready='true']").await;
    }

    /// Waits for the element `locator` finds; `what` names it if none comes.
    async fn wait_for(&self, locator: Locator<'_>, what: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("no {what}: {e}"))
    }

    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(Locator::Css(css), &format!("element matches {css}"))
            .await
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// The visible text of every element matching `css`, read in one step so a screen that
    /// re-renders meanwhile cannot leave a stale element behind.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let texts = self
            .eval(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText.trim());",
                vec![json!(css)],
            )
            .await;
        serde_json::from_value(texts).unwrap()
    }

    /// Follows the link whose text is exactly `text` and waits for the new screen's heading.
    pub async fn follow(&self, text: &str, heading: &str) {
        self.wait_for(Locator::LinkText(text), &format!("link {text:?}"))
            .await
            .click()
            .await
            .unwrap();
        self.wait_for_heading(heading).await;
    }

    pub async fn wait_for_heading(&self, heading: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self.texts("h1").await;
            if shown.iter().any(|h| h == heading) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected heading {heading:?}, saw {shown:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls `script` until it returns something truthy, and returns that.
    pub async fn wait_for_js(&self, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            // A screen still being drawn may not have the elements yet: that is "not yet".
            let value = self
                .client
                .execute(script, args.clone())
                .await
                .unwrap_or(Value::Null);
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {script}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls `script` until it returns a non-empty string, and returns that.
    pub async fn wait_for_str(&self, script: &str, args: Vec<Value>) -> String {
        let value = self.wait_for_js(script, args).await;
        value
            .as_str()
            .unwrap_or_else(|| panic!("{script} gave {value}, not text"))
            .to_owned()
    }

    /// Waits until the first element matching `css` has exactly the text `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        self.wait_for_js(
            "return document.querySelector(arguments[0])?.textContent === arguments[1] || null;",
            vec![json!(css), json!(expected)],
        )
        .await;
    }

    /// Waits until exactly `count` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, count: usize) {
        self.wait_for_js(
            "return document.querySelectorAll(arguments[0]).length === arguments[1] || null;",
            vec![json!(css), json!(count)],
        )
        .await;
    }

    /// The visible text of the element matching `css`, once there is one.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// The attribute `name` of every element matching `css`, in order ("" where it has none).
    pub async fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let values = self
            .eval(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.getAttribute(arguments[1]) ?? '');",
                vec![json!(css), json!(name)],
            )
            .await;
        serde_json::from_value(values).unwrap()
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Sends `keys` to the element matching `css`, as typed on the keyboard.
    pub async fn press(&self, css: &str, keys: &str) {
        self.find(css).await.send_keys(keys).await.unwrap();
    }

    /// The id of the element that has the focus ("" if none has one).
    pub async fn focused_id(&self) -> String {
        self.js("return document.activeElement && document.activeElement.id;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Sends `keys` to whatever has the focus.
    pub async fn press_on_focused(&self, keys: &str) {
        let active = self.client.active_element().await.unwrap();
        active.send_keys(keys).await.unwrap();
    }

    /// Gives the focus to the element whose id is `id`, as a click or Tab would.
    pub async fn focus(&self, id: &str) {
        self.eval(
            "document.getElementById(arguments[0]).focus();",
            vec![json!(id)],
        )
        .await;
    }

    /// Scrolls the element whose id is `id` to `fraction` (0 to 1) of its whole height.
    pub async fn scroll(&self, id: &str, fraction: f64) {
        self.eval(
            "const l = document.getElementById(arguments[0]); l.scrollTop = l.scrollHeight * arguments[1];",
            vec![json!(id), json!(fraction)],
        )
        .await;
    }

    /// Goes to a screen by its Alt+`digit` shortcut and waits for its heading; it waits for the
    /// app to be [ready](Harness::ready) first, as a key pressed before that is not heard.
    pub async fn shortcut(&self, digit: u8, heading: &str) {
        self.ready().await;
        self.press("body", &format!("{}{digit}", Key::Alt)).await;
        self.wait_for_heading(heading).await;
    }

    /// Replaces the text of the input matching `css` as a person would: select all, type.
    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Types `text` into the input matching `css` as [`Harness::type_into`] does, then
    /// presses `key` there (Tab to leave the field, Enter to send it).
    pub async fn type_then(&self, css: &str, text: &str, key: Key) {
        self.type_into(css, text).await;
        self.press(css, &key.to_string()).await;
    }

    /// Waits until the "Saved" line says the last change was saved.
    pub async fn wait_saved(&self) {
        self.wait_save_state("saved").await;
    }

    /// Waits until the "Saved" line is in `state`: "saved" when the last change was saved,
    /// "error" when it was refused.
    pub async fn wait_save_state(&self, state: &str) {
        self.wait_for_js(
            "return document.getElementById('save-status').dataset.state === arguments[0] || null;",
            vec![json!(state)],
        )
        .await;
    }

    /// Types `text` into the field matching `css`, presses `key` there (Tab to leave it, Enter
    /// to send it), and waits until the "Saved" line is in `state` ("saved" or "error").
    pub async fn type_and_save(&self, css: &str, text: &str, key: Key, state: &str) {
        self.type_then(css, text, key).await;
        self.wait_save_state(state).await;
    }

    /// The agenda's start times as shown, in order.
    pub async fn agenda_starts(&self) -> Vec<String> {
        self.texts("[data-testid='agenda-item'] [data-testid='item-start']")
            .await
    }

    /// Runs `script` in the window with `args` (its `arguments`) and returns what it returns.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap()
    }

    /// Runs `script`, which takes no arguments, in the window and returns what it returns.
    pub async fn js(&self, script: &str) -> Value {
        self.eval(script, vec![]).await
    }

    /// Polls `script`, which takes no arguments, until it returns something truthy, as
    /// [`Harness::wait_for_js`] does, and returns that.
    pub async fn wait_until(&self, script: &str) -> Value {
        self.wait_for_js(script, vec![]).await
    }

    /// Runs axe-core in the window and fails on any serious or critical violation of WCAG 2.2
    /// A or AA on the screen shown.
    pub async fn check_accessibility(&self, screen: &str) {
        check_accessibility(&self.client, screen).await;
    }

    /// Saves a picture of the window under tests/e2e/artifacts, for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }

    /// The process id of the app this harness started (found by its data folder).
    pub fn app_pid(&self) -> u32 {
        let needle = self.data_dir.to_string_lossy().into_owned();
        let app = app_binary();
        let app = app.to_string_lossy();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if args.first().is_some_and(|a| *a == app) && args.contains(&needle) {
                return pid;
            }
        }
        panic!("the app's process was not found");
    }

    /// Ends the harness and hands back the data, for a test that opens the app again.
    pub async fn stop(self) -> (tempfile::TempDir, PathBuf) {
        let _ = self.client.close().await;
        (self.tmp, self.data_dir)
    }
}

/// Runs axe-core in the window and fails on any serious or critical violation of WCAG 2.2
/// A or AA on the screen shown.
pub async fn check_accessibility(client: &Client, screen: &str) {
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe)
        .unwrap_or_else(|_| panic!("{} is missing: run `npm ci`", axe.display()));
    client.execute(&source, vec![]).await.unwrap();
    client.execute(
        "window.__axeResult = null;
         axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
            .then(r => { window.__axeResult = r.violations; })
            .catch(e => { window.__axeResult = [{ id: 'axe-failed', impact: 'critical', help: String(e), nodes: [] }]; });",
        vec![],
    )
    .await
    .unwrap();
    let deadline = Instant::now() + WAIT;
    let violations = loop {
        let result = client
            .execute("return window.__axeResult;", vec![])
            .await
            .unwrap();
        if !result.is_null() {
            break result;
        }
        assert!(
            Instant::now() < deadline,
            "axe-core did not finish on {screen}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let serious: Vec<String> = violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .map(|nodes| {
                    nodes
                        .iter()
                        .take(3)
                        .map(|n| n["target"].to_string())
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{} ({}): {} at {}",
                v["id"],
                v["impact"],
                v["help"],
                targets.join(", ")
            )
        })
        .collect();
    assert!(
        serious.is_empty(),
        "accessibility problems on {screen}:\n{}",
        serious.join("\n")
    );
}
