//! The desktop shell: the window and the commands the UI calls. Everything else lives in
//! `fieldbook-core`.

mod commands;
mod dialogs;
mod error;
#[cfg(target_os = "linux")]
mod print;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use fieldbook_core::{demo, paths, Store};

pub use error::IpcError;

/// Plan, run and review learning sessions offline.
#[derive(Debug, Parser)]
#[command(name = "fieldbook", version)]
struct Args {
    /// Keep Fieldbook's data in DIR instead of the usual place (also FIELDBOOK_DATA_DIR).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// For tests: read the time from FILE (milliseconds since 1970) instead of the system
    /// clock, so run mode can be tested without waiting. Only in debug builds.
    #[cfg(debug_assertions)]
    #[arg(long, value_name = "FILE", hide = true)]
    clock_file: Option<PathBuf>,

    /// For tests: save exports in DIR instead of asking with a dialog (which WebDriver cannot
    /// answer). Only in debug builds.
    #[cfg(debug_assertions)]
    #[arg(long, value_name = "DIR", hide = true)]
    export_dir: Option<PathBuf>,

    /// For tests: serve phone answers on ADDR:PORT (127.0.0.1) instead of the laptop's local
    /// network addresses, so tests send traffic to loopback only. Only in debug builds.
    #[cfg(debug_assertions)]
    #[arg(long, value_name = "ADDR:PORT", hide = true)]
    phones_listen: Option<std::net::SocketAddr>,
}

/// A clock that reads the time from a file the tests write.
#[cfg(debug_assertions)]
#[derive(Debug)]
struct FileClock(PathBuf);

#[cfg(debug_assertions)]
impl fieldbook_core::clock::Clock for FileClock {
    fn now_ms(&self) -> i64 {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or_else(|| fieldbook_core::clock::SystemClock.now_ms())
    }
}

/// What every command can reach: the open store, or why it could not be opened.
pub struct AppState {
    pub data_dir: PathBuf,
    pub store: Result<Store, fieldbook_core::Error>,
    /// Where exports go without a dialog (tests only).
    pub export_dir: Option<PathBuf>,
    /// Bundles chosen in the import dialog, waiting for the facilitator to confirm.
    pub pending_import: std::sync::Mutex<Vec<PathBuf>>,
    /// A participant list chosen in the cohort screen (its file name and cells), waiting for
    /// the facilitator to confirm the import.
    pub pending_list: std::sync::Mutex<Option<(String, fieldbook_core::participant_list::Table)>>,
    /// A codebook chosen on the Themes screen, waiting for the facilitator to confirm.
    pub pending_codebook: std::sync::Mutex<Vec<fieldbook_core::qda::QdaCode>>,
    /// The phone-answers server, while a facilitator has it switched on in run mode.
    pub phones: tokio::sync::Mutex<Option<fieldbook_core::phones::PhoneServer>>,
    /// Where phones are served instead of the local network (tests only).
    pub phones_listen: Option<std::net::SocketAddr>,
}

/// Opens the data folder, adding the demo content when it is new.
async fn open(
    data_dir: &std::path::Path,
    clock: Arc<dyn fieldbook_core::clock::Clock>,
) -> Result<Store, fieldbook_core::Error> {
    // A backup chosen in the window is restored here, before anything has the file open.
    fieldbook_core::backup::apply_staged_restore(data_dir).await?;
    let store = Store::open_with_clock(data_dir, clock).await?;
    if store.was_created() {
        demo::seed_demo(&store).await?;
    }
    let daily = store.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = daily.backup_daily().await {
            eprintln!("fieldbook: today's backup could not be made: {e}");
        }
    });
    Ok(store)
}

/// Fieldbook's state and commands on a Tauri runtime: the real window's, or in tests the
/// mock one (`tauri::test`), so commands are tested as the window calls them.
pub fn app<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        // Every #[tauri::command] in commands.rs, listed by build.rs.
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/handlers.rs")))
}

pub fn run() {
    let args = Args::parse();
    #[allow(unused_mut)]
    let mut clock: Arc<dyn fieldbook_core::clock::Clock> =
        Arc::new(fieldbook_core::clock::SystemClock);
    #[cfg(debug_assertions)]
    if let Some(file) = args.clock_file {
        clock = Arc::new(FileClock(file));
    }
    #[cfg(debug_assertions)]
    let export_dir = args.export_dir;
    #[cfg(not(debug_assertions))]
    let export_dir = None;
    #[cfg(debug_assertions)]
    let phones_listen = args.phones_listen;
    #[cfg(not(debug_assertions))]
    let phones_listen = None;
    let (data_dir, store) = match paths::data_dir(args.data_dir) {
        Ok(dir) => {
            let store = tauri::async_runtime::block_on(open(&dir, clock));
            (dir, store)
        }
        Err(e) => (PathBuf::new(), Err(e)),
    };
    if let Err(e) = &store {
        // The window shows this too; a terminal user sees it here.
        eprintln!("fieldbook: {e}");
    }

    let state = AppState {
        data_dir,
        store,
        export_dir,
        pending_import: Default::default(),
        pending_list: Default::default(),
        pending_codebook: Default::default(),
        phones: Default::default(),
        phones_listen,
    };
    let result = app(tauri::Builder::default(), state).build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("fieldbook: the window could not be opened: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        // Closing the window stops phone answers before Fieldbook exits: answers being saved
        // finish, and the port is closed.
        if let tauri::RunEvent::Exit = event {
            use tauri::Manager;
            let state = app.state::<AppState>();
            tauri::async_runtime::block_on(async {
                if let Some(server) = state.phones.lock().await.take() {
                    server.stop().await;
                    eprintln!("fieldbook: phone answers switched off as the window closed");
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
    use tauri::Manager;

    /// Fieldbook on Tauri's mock runtime with the real configuration (its window and the
    /// commands it grants), on the data folder `dir`.
    fn mock_window(dir: &std::path::Path) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
        let store = tauri::async_runtime::block_on(fieldbook_core::Store::open(dir));
        let state = super::AppState {
            data_dir: dir.to_path_buf(),
            store,
            export_dir: None,
            pending_import: Default::default(),
            pending_list: Default::default(),
            pending_codebook: Default::default(),
            phones: Default::default(),
            phones_listen: None,
        };
        let app = super::app(mock_builder(), state)
            .build(tauri::generate_context!())
            .unwrap();
        match app.get_webview_window("main") {
            Some(window) => window,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        }
    }

    /// Calls a command as the window's `api.js` does: its answer, or the `{code, message}`
    /// error.
    fn call(
        window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        command: &str,
        args: Value,
    ) -> Result<Value, Value> {
        let request = tauri::webview::InvokeRequest {
            cmd: command.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        };
        get_ipc_response(window, request).map(|body| body.deserialize().unwrap())
    }

    #[test]
    fn the_window_is_refused_in_the_core_s_words_with_a_code_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let window = mock_window(dir.path());
        let before = call(&window, "list_programmes", json!({})).unwrap();
        assert_eq!(
            call(&window, "create_programme", json!({"title": "  "})),
            Err(json!({
                "code": "invalid",
                "message": "Give the programme a title. Nothing has been changed."
            }))
        );
        let long = "x".repeat(301);
        let refused = call(&window, "create_programme", json!({ "title": long })).unwrap_err();
        assert_eq!(refused["code"], "invalid");
        assert_eq!(
            refused["message"],
            "A title can be at most 300 characters long. Nothing has been changed."
        );
        assert_eq!(call(&window, "list_programmes", json!({})).unwrap(), before);
        // A malformed id is the facilitator's kind of mistake, not an internal failure.
        let refused = call(&window, "get_session", json!({"id": "not-an-id"})).unwrap_err();
        assert_eq!(refused["code"], "invalid", "{refused}");
        // Made through the window, a programme is there for the next call.
        let made = call(
            &window,
            "create_programme",
            json!({"title": "Sunderland network"}),
        );
        let id = made.unwrap()["id"].as_str().unwrap().to_owned();
        let refused = call(
            &window,
            "update_record",
            json!({"kind": "programme", "id": id, "patch": {"id": "x"}}),
        )
        .unwrap_err();
        assert_eq!(refused["code"], "invalid");
        assert!(refused["message"]
            .as_str()
            .unwrap()
            .contains("cannot be changed here"));
    }

    #[test]
    fn the_window_s_lists_come_from_the_core() {
        let dir = tempfile::tempdir().unwrap();
        let window = mock_window(dir.path());
        let choices = call(&window, "choices", json!({})).unwrap();
        let formats: Vec<&str> = choices["export_formats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap())
            .collect();
        assert_eq!(formats, ["docx", "html", "md", "csv", "json"]);
        assert_eq!(choices["item_kinds"][0]["label"], "Activity");
    }

    /// The commands build.rs found in commands.rs: each one registered and granted.
    const COMMANDS: &[&str] = include!(concat!(env!("OUT_DIR"), "/command_names.rs"));

    /// The one capability grants the main window the set build.rs makes of every command,
    /// and nothing else; the window's one list of calls (`api.js`) calls each command, and
    /// nothing that is not one (no command is left granted with nothing using it).
    #[test]
    fn the_window_is_granted_every_command_and_api_js_calls_each_of_them() {
        assert!(COMMANDS.contains(&"create_programme") && COMMANDS.contains(&"phones_projector"));
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let capabilities = config["app"]["security"]["capabilities"]
            .as_array()
            .unwrap();
        assert_eq!(capabilities.len(), 1);
        assert_eq!(capabilities[0]["windows"], json!(["main"]));
        assert_eq!(
            capabilities[0]["permissions"],
            json!(["fieldbook-commands"])
        );
        let api = include_str!("../ui/js/api.js");
        let called: std::collections::BTreeSet<&str> = api
            .split("call('")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .filter(|name| *name != "command")
            .collect();
        let commands: std::collections::BTreeSet<&str> = COMMANDS.iter().copied().collect();
        assert_eq!(called, commands, "ui/js/api.js and commands.rs disagree");
    }

    /// The granted set reaches the window: every command the window calls gets past Tauri's
    /// permission check (here to its arguments' check) on the real configuration.
    #[test]
    fn the_granted_set_lets_the_window_s_calls_through() {
        let dir = tempfile::tempdir().unwrap();
        let window = mock_window(dir.path());
        for command in [
            "get_session",
            "update_record",
            "set_consent",
            "mark_attendance",
        ] {
            let answer = call(&window, command, json!({})).unwrap_err();
            assert!(
                answer.to_string().contains("missing required key"),
                "{command}: {answer}"
            );
        }
    }
}
