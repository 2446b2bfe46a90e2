//! Helpers shared by the core's integration tests.

use std::path::{Path, PathBuf};

mod fixtures;
pub use fixtures::*;
mod poppler;
pub use poppler::*;
mod sync_files;
pub use sync_files::*;

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

/// Has LibreOffice convert the file at `path` to `to` (a `--convert-to` argument such as
/// "pdf" or "txt:Text"), reading it with the `infilter` given if any, into the same folder;
/// returns the new file's path. Fails the test if LibreOffice refuses the file.
pub fn libreoffice_convert(path: &Path, to: &str, infilter: Option<&str>) -> PathBuf {
    let folder = path.parent().unwrap();
    let mut command = std::process::Command::new(soffice());
    command.args(["--headless", "--norestore"]);
    if let Some(filter) = infilter {
        command.arg(format!("--infilter={filter}"));
    }
    let out = command
        .args(["--convert-to", to, "--outdir"])
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
    let extension = to.split(':').next().unwrap();
    let made = path.with_extension(extension);
    assert!(
        made.exists(),
        "LibreOffice made nothing of {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    made
}

/// The text LibreOffice reads from the Word file at `path` (a reader we did not write). Fails
/// the test if LibreOffice refuses the file.
pub fn word_text(path: &Path) -> String {
    std::fs::read_to_string(libreoffice_convert(path, "txt:Text", None)).unwrap()
}

/// Has Chromium (Debian's `chromium`, headless, offline) print the HTML file at `html` to a
/// PDF beside it, as a facilitator's "Print to PDF" would; returns the PDF's path.
pub fn chromium_print(html: &Path) -> PathBuf {
    let folder = html.parent().unwrap();
    let pdf = html.with_extension("pdf");
    let profile = folder.join("chromium-profile");
    run(
        "chromium",
        &[
            "--headless".as_ref(),
            "--no-sandbox".as_ref(),
            "--disable-gpu".as_ref(),
            "--no-first-run".as_ref(),
            "--disable-background-networking".as_ref(),
            "--disable-component-update".as_ref(),
            "--disable-sync".as_ref(),
            "--no-pdf-header-footer".as_ref(),
            format!("--user-data-dir={}", profile.display()).as_ref(),
            format!("--print-to-pdf={}", pdf.display()).as_ref(),
            format!("file://{}", html.display()).as_ref(),
        ],
    );
    assert!(
        pdf.exists(),
        "Chromium printed nothing of {}",
        html.display()
    );
    pdf
}
