//! A participant's phone: Debian's Chromium, headless, in a phone-sized viewport, driven by
//! chromedriver on a free port of 127.0.0.1; and the phone page tested in it.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use fieldbook_core::domain::{Reflection, RunAction, SentFrom};
use fieldbook_core::phones::PhoneServer;
use fieldbook_core::run::RunState;
use fieldbook_core::Store;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{
    data_folder, open_run_mode, open_sunderland_first_session, seeded, wait_for_item,
};
use crate::harness::{check_accessibility, Harness};

const WAIT: Duration = Duration::from_secs(40);

pub struct PhoneBrowser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for PhoneBrowser {
    fn drop(&mut self) {
        // chromedriver runs in a process group of its own: stopping the group also stops the
        // Chromium it started, which would otherwise outlive a failed test.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("no free local port")
        .port()
}

impl PhoneBrowser {
    /// A phone's browser.
    pub async fn start() -> PhoneBrowser {
        Self::start_with(true).await
    }

    /// A phone's browser with JavaScript switched off, as some people and some browsers have
    /// it. Its screen is a phone's size without touch emulation: to tap, chromedriver waits on
    /// a page timer, which never fires with scripts off.
    pub async fn start_without_script() -> PhoneBrowser {
        Self::start_with(false).await
    }

    async fn start_with(script: bool) -> PhoneBrowser {
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut driver = Command::new("chromedriver")
                .process_group(0)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver is needed: run `make deps` (apt package chromium-driver)");
            let profile = tempfile::tempdir().unwrap();
            let mut args = vec![
                "--headless=new".to_owned(),
                "--no-sandbox".into(),
                "--disable-gpu".into(),
                "--disable-dev-shm-usage".into(),
                "--no-first-run".into(),
                "--disable-background-networking".into(),
                "--disable-component-update".into(),
                "--disable-sync".into(),
                format!("--user-data-dir={}", profile.path().display()),
            ];
            if !script {
                args.push("--blink-settings=scriptEnabled=false".into());
            }
            let options = json!({
                "binary": "/usr/bin/chromium",
                "args": args,
                // A phone's screen: 390 by 844 CSS pixels, touch, a phone's browser.
                "mobileEmulation": {
                    "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": script },
                    "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
                },
            });
            let mut capabilities = serde_json::Map::new();
            capabilities.insert("browserName".into(), json!("chrome"));
            capabilities.insert("goog:chromeOptions".into(), options);
            let deadline = Instant::now() + WAIT;
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "chromedriver did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return PhoneBrowser {
                        client,
                        driver,
                        _profile: profile,
                    }
                }
                Err(e) => {
                    last_error = e.to_string();
                    let _ = Command::new("kill")
                        .args(["-KILL", "--", &format!("-{}", driver.id())])
                        .stderr(Stdio::null())
                        .status();
                    let _ = driver.kill();
                    let _ = driver.wait();
                }
            }
        }
        panic!("could not start Chromium through chromedriver: {last_error}");
    }

    /// Runs `script`, which takes no arguments, in the page and returns what it returns.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self.client.find(Locator::Css(css)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Waits until the text of `css` is `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if now == expected {
                return;
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let source = self.client.source().await.unwrap_or_default();
                panic!("{css} shows {now:?}, not {expected:?}, at {url:?}:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The demo's Sunderland first session, started and served to phones on 127.0.0.1, and
/// `phone` joined to it, showing the first item's prompt: the temporary folder, the store, the
/// session's id, the server, run mode as the session started, and the phone.
async fn joined(
    phone: PhoneBrowser,
) -> (
    tempfile::TempDir,
    Store,
    Uuid,
    PhoneServer,
    RunState,
    PhoneBrowser,
) {
    let (dir, data_dir) = data_folder();
    let (store, _, id) = seeded(&data_dir).await;
    let server = PhoneServer::start(store.clone(), id, &["127.0.0.1:0".parse().unwrap()])
        .await
        .unwrap();
    let state = store.run_press(id, RunAction::Start, 0).await.unwrap();
    phone.client.goto(&server.status().join_url).await.unwrap();
    phone.wait_for_text("h1", &prompt_of(&state.items[0])).await;
    (dir, store, id, server, state, phone)
}

fn prompt_of(item: &fieldbook_core::run::ItemRun) -> String {
    if item.prompt.trim().is_empty() {
        item.title.clone()
    } else {
        item.prompt.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_in_chromium_answers_follows_the_prompt_and_is_accessible() {
    let (_dir, store, id, server, state, phone) = joined(PhoneBrowser::start().await).await;
    let url = phone.client.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        "/",
        "the code is left out of the address once joined"
    );
    check_accessibility(&phone.client, "the phone page").await;

    // Nothing is loaded from anywhere but the laptop.
    let elsewhere = phone
        .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin));").await;
    assert_eq!(elsewhere, json!([]));

    let script = "<script>document.title='owned'</script><b>bold</b>";
    phone.type_into("#text", script).await;
    phone.click("button[type='submit']").await;
    phone.wait_for_text(".notice", "Sent. Thank you.").await;
    let shown = phone
        .js("return [document.querySelector('#sent-0').value, document.title, document.querySelectorAll('b, script').length];").await;
    assert_eq!(shown, json!([script, "Your answer: Fieldbook", 1]));
    let saved: Vec<Reflection> = store.reflections_of(id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].text, script);
    assert_eq!(saved[0].sent_from, Some(SentFrom::Phone));
    assert_eq!(saved[0].agenda_item_id, Some(state.items[0].item_id));
    check_accessibility(&phone.client, "the phone page with an answer sent").await;

    // The facilitator moves on: the page shows the next prompt within a few seconds, and the
    // next answer goes to the next item.
    let moved = Instant::now();
    let state = store.run_press(id, RunAction::Next, 0).await.unwrap();
    phone.wait_for_text("h1", &prompt_of(&state.items[1])).await;
    let followed_in = moved.elapsed();
    assert!(followed_in < Duration::from_secs(10), "{followed_in:?}");
    println!(
        "The phone page showed the next prompt {followed_in:?} after the facilitator moved on."
    );
    phone.type_into("#text", "On the second item").await;
    phone.click("button[type='submit']").await;
    // The notice from the first answer is still shown: wait for the answer itself.
    let second = wait_until_saved(&store, id, |r| r.text == "On the second item").await;
    phone.wait_for_text(".notice", "Sent. Thank you.").await;
    assert_eq!(second.agenda_item_id, Some(state.items[1].item_id));

    // A phone-sized screen needs no sideways scrolling.
    let wide = phone
        .js("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    assert_eq!(wide, json!(true));
    phone.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_phone_answers_changes_and_withdraws_by_plain_form_posts() {
    let (_dir, store, id, server, state, phone) =
        joined(PhoneBrowser::start_without_script().await).await;

    phone.type_into("#text", "Sent with no script").await;
    phone
        .click("form[action='/answer'] button[type='submit']")
        .await;
    phone.wait_for_text(".notice", "Sent. Thank you.").await;
    let saved: Vec<Reflection> = store.reflections_of(id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].text, "Sent with no script");
    assert_eq!(saved[0].sent_from, Some(SentFrom::Phone));

    // Changed, then withdrawn, each by its own form.
    phone.type_into("#sent-0", "Changed with no script").await;
    phone
        .click(&format!(
            "form[action='/answer/{}'] button",
            saved[0].meta.id
        ))
        .await;
    wait_until_saved(&store, id, |r| r.text == "Changed with no script").await;
    phone
        .click(&format!(
            "form[action='/answer/{}/withdraw'] button",
            saved[0].meta.id
        ))
        .await;
    let deadline = Instant::now() + WAIT;
    while !store.reflections_of(id).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the withdrawal was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Scripts really are off: the page does not follow run mode by itself (its script asks
    // every 3 s), but opening it again shows the facilitator's next prompt.
    let next = store.run_press(id, RunAction::Next, 0).await.unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    phone.wait_for_text("h1", &prompt_of(&state.items[0])).await;
    phone.client.refresh().await.unwrap();
    phone.wait_for_text("h1", &prompt_of(&next.items[1])).await;
    phone.close().await;
    server.stop().await;
}

/// Waits until the session holds a reflection that `matches`, and returns it.
async fn wait_until_saved(
    store: &Store,
    session: Uuid,
    matches: impl Fn(&Reflection) -> bool,
) -> Reflection {
    let deadline = Instant::now() + WAIT;
    loop {
        let saved = store.reflections_of(session).await.unwrap();
        if let Some(found) = saved.into_iter().find(&matches) {
            return found;
        }
        assert!(Instant::now() < deadline, "the answer was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the window's stage shows as the current prompt: the item's prompt, else its title.
async fn window_prompt(app: &Harness) -> String {
    let shown = app.js("const p = document.querySelector('.stage-prompt'); return p ? p.textContent.replace(/^Prompt: /, '') : document.querySelector('[data-testid=run-current]').textContent;").await;
    shown.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_answers_switched_on_in_run_mode_arrive_in_the_window_and_stop_when_run_mode_ends() {
    let (app, title, url) = window_with_phones_on().await;
    let code = app.texts("[data-testid=phones-code]").await.remove(0);
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with(&format!("/join/{code}")),
        "{url}"
    );
    assert!(code.len() >= 10);
    let qr = app
        .js("const svg = document.querySelector('svg.qr'); return [svg.getAttribute('role'), svg.querySelector('path').getAttribute('d').length > 100];")
        .await;
    assert_eq!(qr, json!(["img", true]));
    // Switching on brings the QR code into view, whatever the window's size.
    let in_view = app
        .js("const r = document.querySelector('svg.qr').getBoundingClientRect(); return [r.top >= 0, r.bottom <= innerHeight, innerHeight];")
        .await;
    assert_eq!(
        in_view.as_array().unwrap()[..2],
        [json!(true), json!(true)],
        "QR code in view: {in_view}"
    );
    app.check_accessibility("run mode with phone answers on")
        .await;
    app.screenshot("run-mode-phones-on").await;

    // A phone opens the address shown, sees the prompt the window shows, and answers.
    let phone = PhoneBrowser::start().await;
    phone.client.goto(&url).await.unwrap();
    phone.wait_for_text("h1", &window_prompt(&app).await).await;
    phone
        .type_into("#text", "Answered from a phone <i>really</i>")
        .await;
    phone
        .click("form[action='/answer'] button[type='submit']")
        .await;
    phone.wait_for_text(".notice", "Sent. Thank you.").await;
    app.wait_for_js(
        "return [...document.querySelectorAll('[data-testid=captured-reflection][data-from=phone] .captured-text')].some(e => e.textContent === arguments[0]);",
        vec![json!("Answered from a phone <i>really</i>")],
    )
    .await;
    app.wait_for_text(
        "[data-testid=phones-counts]",
        "1 phone joined · 1 answer received",
    )
    .await;

    // The facilitator moves on; the phone follows within a few seconds.
    app.click("#run-next").await;
    wait_for_item(&app, 2).await;
    phone.wait_for_text("h1", &window_prompt(&app).await).await;

    // The projector shows nothing until the facilitator lets the answer through.
    app.click("#projector-open").await;
    app.wait_until("return document.querySelector('[data-testid=projector-answers] .projector-empty') !== null;").await;
    // The room sees how to join: the QR code and the address.
    let join = app.texts("[data-testid=projector-join] code").await;
    assert_eq!(join, vec![url.clone()]);
    assert_eq!(app.find_all(".projector svg.qr").await.len(), 1);
    app.press("body", "\u{e00c}").await;
    app.wait_until("return document.querySelector('.projector') === null;")
        .await;
    app.click("[data-from=phone] button[aria-pressed='false']")
        .await;
    app.click("#projector-open").await;
    app.wait_for_text(
        "[data-testid=projector-answers] li",
        "Answered from a phone <i>really</i>",
    )
    .await;
    app.check_accessibility("the projector view").await;
    app.screenshot("projector-view").await;
    app.click("#projector-close").await;

    // Leaving run mode switches phone answers off: the port is closed.
    let port = port_of(&url);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    app.follow("Leave run mode", &title).await;
    wait_until_closed(port, "after run mode ended").await;
    phone.close().await;

    // Later, in Reflections, the answer still says it came from a phone.
    app.shortcut(5, "Reflections").await;
    app.type_into("#reflection-search", "Answered from a phone")
        .await;
    app.wait_for_js(
        "const hit = document.querySelector('[data-testid=reflection-hit]'); return hit && hit.querySelector('.vrow-text').textContent === arguments[0] && hit.querySelector('[data-testid=from-phone]')?.textContent === 'from a phone';",
        vec![json!("Answered from a phone <i>really</i>")],
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_stops_phone_answers_and_closes_the_port() {
    let (app, _title, url) = window_with_phones_on().await;
    let port = port_of(&url);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    let pid = app.app_pid();
    // The facilitator closes the window (its close button), not run mode first.
    app.client.close_window().await.unwrap();
    wait_until_closed(port, "after the window closed").await;
    let deadline = Instant::now() + WAIT;
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            Instant::now() < deadline,
            "Fieldbook kept running after its window closed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = app.stop().await;
}

/// The window in run mode on Sunderland's first session with phone answers switched on (on
/// 127.0.0.1): the app, the session's title and the join address shown.
async fn window_with_phones_on() -> (Harness, String, String) {
    let (tmp, data_dir) = data_folder();
    let app = Harness::start_with_args(
        tmp,
        data_dir,
        &["--phones-listen".into(), "127.0.0.1:0".into()],
    )
    .await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    open_run_mode(&app, &title).await;
    app.click("#run-start").await;
    app.find("#run-next").await;
    app.click("#phones-switch").await;
    let url = app
        .wait_for_str(
            "return document.querySelector('[data-testid=phones-url]')?.textContent;",
            vec![],
        )
        .await;
    (app, title, url)
}

fn port_of(url: &str) -> u16 {
    url.trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

async fn wait_until_closed(port: u16, when: &str) {
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "the port stayed open {when}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
