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

    let result = tauri::Builder::default()
        .manage(AppState {
            data_dir,
            store,
            export_dir,
            pending_import: Default::default(),
            pending_list: Default::default(),
            pending_codebook: Default::default(),
            phones: Default::default(),
            phones_listen,
        })
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
        .build(tauri::generate_context!());
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
