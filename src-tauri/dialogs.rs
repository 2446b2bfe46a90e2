//! The system's file dialogs, in one place.
//!
//! rfd hands the GTK calls to the main loop itself, so a dialog runs on a worker thread:
//! called on the main thread it would wait on itself. In tests (`--export-dir DIR`, debug
//! builds only) no dialog opens, since WebDriver cannot answer one: a save goes to DIR/NAME,
//! an open takes the files in DIR/to-open with one of the filter's extensions, and a folder is
//! DIR/chosen-folder.

use std::path::{Path, PathBuf};

use fieldbook_core::Error;

use crate::error::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// What the dialog asks for.
pub enum Ask {
    /// Where to save a file called `name`, starting in `folder`.
    Save {
        name: String,
        folder: Option<PathBuf>,
    },
    /// One file to open.
    Open,
    /// Any number of files to open.
    OpenMany,
    /// A folder.
    Folder,
}

impl Ask {
    /// Where to save `name`, starting in the facilitator's Documents folder.
    pub fn save_in_documents(name: String) -> Ask {
        Ask::Save {
            name,
            folder: documents(),
        }
    }
}

/// The facilitator's Documents folder, when there is one.
pub fn documents() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join("Documents"))
        .filter(|d| d.is_dir())
}

/// The kind of file a dialog offers: what it is called and its extensions (without dots).
pub type Filter = (&'static str, Vec<&'static str>);

/// Asks with the system's dialog titled `title`; what was chosen (empty when the facilitator
/// cancels).
pub async fn ask(
    state: &AppState,
    title: &'static str,
    filter: Option<Filter>,
    ask: Ask,
) -> Reply<Vec<PathBuf>> {
    if let Some(dir) = &state.export_dir {
        return Ok(answer_in_tests(dir, filter, ask));
    }
    tauri::async_runtime::spawn_blocking(move || {
        let mut dialog = rfd::FileDialog::new().set_title(title);
        if let Some((name, extensions)) = filter {
            dialog = dialog.add_filter(name, &extensions);
        }
        match ask {
            Ask::Save { name, folder } => {
                dialog = dialog.set_file_name(&name);
                if let Some(folder) = folder {
                    dialog = dialog.set_directory(folder);
                }
                dialog.save_file().into_iter().collect()
            }
            Ask::Open => dialog.pick_file().into_iter().collect(),
            Ask::OpenMany => dialog.pick_files().unwrap_or_default(),
            Ask::Folder => dialog.pick_folder().into_iter().collect(),
        }
    })
    .await
    .map_err(|e| {
        IpcError::from(Error::invalid(format!(
            "The system's file dialog could not open ({e}). Try again; if it keeps happening, restart Fieldbook. Nothing has been changed."
        )))
    })
}

/// One path at most: the first chosen.
pub async fn ask_one(
    state: &AppState,
    title: &'static str,
    filter: Option<Filter>,
    ask: Ask,
) -> Reply<Option<PathBuf>> {
    Ok(self::ask(state, title, filter, ask)
        .await?
        .into_iter()
        .next())
}

fn answer_in_tests(dir: &Path, filter: Option<Filter>, ask: Ask) -> Vec<PathBuf> {
    match ask {
        Ask::Save { name, .. } => vec![dir.join(name)],
        Ask::Folder => vec![dir.join("chosen-folder")],
        Ask::Open | Ask::OpenMany => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("to-open"))
                .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            files.sort();
            files.retain(|f| {
                let extension = f.extension().and_then(|e| e.to_str());
                filter.as_ref().is_none_or(|(_, wanted)| {
                    extension.is_some_and(|e| wanted.contains(&e.to_ascii_lowercase().as_str()))
                })
            });
            if matches!(ask, Ask::Open) {
                files.truncate(1);
            }
            files
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_tests_an_open_takes_the_files_waiting_in_to_open_with_a_wanted_extension() {
        let dir = tempfile::tempdir().unwrap();
        let to_open = dir.path().join("to-open");
        std::fs::create_dir(&to_open).unwrap();
        for name in ["b-list.XLSX", "a-notes.txt", "c-list.csv"] {
            std::fs::write(to_open.join(name), "x").unwrap();
        }
        let lists = || Some(("Participant list", vec!["csv", "xlsx"]));
        let names = |files: Vec<PathBuf>| -> Vec<String> {
            files
                .iter()
                .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(answer_in_tests(dir.path(), lists(), Ask::OpenMany)),
            ["b-list.XLSX", "c-list.csv"]
        );
        assert_eq!(
            names(answer_in_tests(dir.path(), lists(), Ask::Open)),
            ["b-list.XLSX"]
        );
        let save = Ask::Save {
            name: "notes.docx".into(),
            folder: None,
        };
        assert_eq!(
            answer_in_tests(dir.path(), lists(), save),
            [dir.path().join("notes.docx")]
        );
    }
}
