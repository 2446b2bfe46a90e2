//! Helpers shared by the core's integration tests.

use std::path::{Path, PathBuf};

mod fixtures;
// Each test binary (tests/core.rs, tests/export.rs) uses only some of these.
#[allow(unused_imports)]
pub use fixtures::*;

fn soffice() -> PathBuf {
    for candidate in [
        "/usr/bin/soffice",
        "/usr/bin/libreoffice",
        "/usr/lib/libreoffice/program/soffice",
    ] {
        if Path::new(candidate).exists() {
            return candidate.into();
        }
    }
    panic!("LibreOffice is needed to check the Word export: run `make deps` (apt package libreoffice-writer-nogui)");
}

/// The text LibreOffice reads from the Word file at `path` (a reader we did not write). Fails
/// the test if LibreOffice refuses the file.
pub fn word_text(path: &Path) -> String {
    let folder = path.parent().unwrap();
    let out = std::process::Command::new(soffice())
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "txt:Text",
            "--outdir",
        ])
        .arg(folder)
        .arg(path)
        .env("HOME", folder)
        .output()
        .unwrap();
    let name = path.display();
    assert!(
        out.status.success(),
        "LibreOffice refused {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(path.with_extension("txt")).unwrap_or_else(|_| {
        panic!(
            "LibreOffice made no text of {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
