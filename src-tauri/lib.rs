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
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::choices,
            commands::list_programmes,
            commands::list_standalone_sessions,
            commands::get_programme,
            commands::get_version,
            commands::get_session,
            commands::list_exercises,
            commands::get_exercise,
            commands::list_exercise_tags,
            commands::create_local_version,
            commands::version_differences,
            commands::national_changes,
            commands::apply_national_changes,
            commands::update_record,
            commands::delete_record,
            commands::restore_record,
            commands::create_session,
            commands::duplicate_session,
            commands::add_agenda_item,
            commands::add_exercise_to_agenda,
            commands::refresh_item_from_exercise,
            commands::duplicate_agenda_item,
            commands::move_agenda_item,
            commands::create_exercise,
            commands::duplicate_exercise,
            commands::create_programme,
            commands::move_session,
            commands::run_state,
            commands::run_press,
            commands::attendance_sheet,
            commands::mark_attendance,
            commands::add_walk_in,
            commands::cohort,
            commands::add_participant,
            commands::save_reflection,
            commands::list_reflections,
            commands::earlier_versions,
            commands::add_action,
            commands::list_actions,
            commands::actions_to_follow_up,
            commands::session_notes,
            commands::save_session_note,
            commands::add_observation,
            commands::set_full_screen,
            commands::export_notes,
            commands::print_notes,
            commands::sync_status,
            commands::choose_sync_folder,
            commands::sync_now,
            commands::export_bundle_file,
            commands::choose_bundles,
            commands::import_chosen_bundles,
            commands::list_conflicts,
            commands::resolve_conflict,
            commands::get_participant,
            commands::set_consent,
            commands::erase_participant,
            commands::anonymise_participant,
            commands::export_participant_data,
            commands::data_status,
            commands::backup_now,
            commands::set_backup_limits,
            commands::choose_backup_folder,
            commands::save_backup_as,
            commands::restore_backup,
            commands::past_retention,
            commands::apply_retention,
            commands::search_reflections,
            commands::list_themes,
            commands::create_theme,
            commands::rename_theme,
            commands::merge_themes,
            commands::unmerge_theme,
            commands::tag_reflections,
            commands::untag_reflections,
            commands::choose_quote,
            commands::theme_summary,
            commands::compare_places,
            commands::reflection_context,
            commands::export_learning_summary,
            commands::save_chart,
            commands::startup_time,
            commands::welcome,
            commands::clear_demo,
            commands::choose_participant_list,
            commands::preview_participant_list,
            commands::import_participant_list,
            commands::export_qdpx,
            commands::export_codebook,
            commands::choose_codebook,
            commands::import_chosen_codebook,
            commands::export_calendar,
            commands::phones_start,
            commands::phones_stop,
            commands::phones_status,
            commands::phones_project,
            commands::phones_projector,
        ])
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

    /// Every command is declared in build.rs, granted in tauri.conf.json and registered here,
    /// and nothing else is granted.
    #[test]
    fn declared_granted_and_registered_commands_agree() {
        let build = include_str!("build.rs");
        let declared: Vec<&str> = build
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix("\","))
            .collect();
        assert!(declared.len() > 5);
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let capabilities = config["app"]["security"]["capabilities"]
            .as_array()
            .unwrap();
        assert_eq!(capabilities.len(), 1);
        let granted: Vec<String> = capabilities[0]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let expected: Vec<String> = declared
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected);
        let registered = include_str!("lib.rs");
        for command in &declared {
            assert!(
                registered.contains(&format!("commands::{command},")),
                "{command} is not registered"
            );
        }
        // The window's one list of calls: each is a declared command, and each declared
        // command is called (none is left granted with nothing using it).
        let api = include_str!("../ui/js/api.js");
        let called: std::collections::BTreeSet<&str> = api
            .split("call('")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .filter(|name| *name != "command")
            .collect();
        let declared_set: std::collections::BTreeSet<&str> = declared.iter().copied().collect();
        assert_eq!(called, declared_set, "ui/js/api.js and build.rs disagree");
    }
}
