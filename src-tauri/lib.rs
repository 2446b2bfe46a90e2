//! The desktop shell: the window and the commands the UI calls. Everything else lives in
//! `fieldbook-core`.

mod commands;
mod error;

use std::path::PathBuf;

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
}

/// What every command can reach: the open store, or why it could not be opened.
pub struct AppState {
    pub data_dir: PathBuf,
    pub store: Result<Store, fieldbook_core::Error>,
}

/// Opens the data folder, adding the demo content when it is new.
async fn open(data_dir: &std::path::Path) -> Result<Store, fieldbook_core::Error> {
    let store = Store::open(data_dir).await?;
    if store.was_created() {
        demo::seed_demo(&store).await?;
    }
    Ok(store)
}

pub fn run() {
    let args = Args::parse();
    let (data_dir, store) = match paths::data_dir(args.data_dir) {
        Ok(dir) => {
            let store = tauri::async_runtime::block_on(open(&dir));
            (dir, store)
        }
        Err(e) => (PathBuf::new(), Err(e)),
    };
    if let Err(e) = &store {
        // The window shows this too; a terminal user sees it here.
        eprintln!("fieldbook: {e}");
    }

    let result = tauri::Builder::default()
        .manage(AppState { data_dir, store })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_programmes,
            commands::get_programme,
            commands::get_version,
            commands::get_session,
            commands::list_exercises,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("fieldbook: the window could not be opened: {e}");
        std::process::exit(1);
    }
}
