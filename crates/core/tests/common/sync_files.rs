//! Files as people and other programs leave them in a sync folder. One file for the core's
//! integration tests (through `common`), the CLI's tests and the end-to-end tests, each
//! including it with `#[path]`.
// Each of those uses only part of it.
#![allow(dead_code)]

use std::path::Path;

/// Sets a file's modification time an hour back, as a file that stopped changing long ago
/// (not one still arriving).
pub fn settled(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
}

/// Leaves at `path` a bundle cut short (the start of a zip and no more), long enough ago not
/// to be still arriving: a copy that failed half-way.
pub fn cut_short_bundle(path: &Path) {
    std::fs::write(path, b"PK\x03\x04 cut short").unwrap();
    settled(path);
}
