//! Where Fieldbook keeps its data on this laptop.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The environment variable that overrides the data folder.
pub const DATA_DIR_VAR: &str = "FIELDBOOK_DATA_DIR";

/// The data folder: `--data-dir` if given, else `FIELDBOOK_DATA_DIR`, else the platform's
/// data directory (on Linux `~/.local/share/fieldbook`).
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_VAR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("fieldbook"))
        .ok_or_else(|| Error::DataDir {
            path: PathBuf::from("(none)"),
            reason: "this system has no data folder for applications".into(),
        })
}
