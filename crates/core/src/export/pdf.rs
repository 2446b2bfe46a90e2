//! PDF from the print-ready HTML, by a Chromium-family browser on this computer printing it
//! headless and offline (no network, no first-run, a throw-away profile): the same layout,
//! page numbers and fonts as the browser's own "Save as PDF". Fieldbook carries no PDF
//! engine of its own; without such a browser the facilitator is told so and nothing is
//! written.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::error::{Error, Result};

/// The browsers tried, in order.
const BROWSERS: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
];

/// The first Chromium-family browser on the PATH, if any.
pub fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|p| p.is_file())
}

/// Prints `html` to a PDF at `out`, written whole or not at all.
pub fn print_html(html: &str, out: &Path) -> Result<()> {
    let Some(browser) = browser() else {
        return Err(Error::invalid(
            "Fieldbook makes PDFs with Chromium, which is not installed on this computer. Export as HTML and print it to PDF from your browser, or install Chromium. Nothing has been changed.",
        ));
    };
    let work = std::env::temp_dir().join(format!("fieldbook-print-{}", Uuid::now_v7().simple()));
    let result = (|| {
        std::fs::create_dir_all(&work)?;
        let page = work.join("notes.html");
        std::fs::write(&page, html)?;
        let pdf = work.join("notes.pdf");
        let status = std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                work.join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        Ok::<_, std::io::Error>((status, pdf))
    })();
    let outcome = match result {
        Ok((status, pdf)) if status.success() && pdf.is_file() => {
            std::fs::read(&pdf).map_err(Error::from).and_then(|bytes| {
                if bytes.starts_with(b"%PDF") {
                    super::write_atomically(out, &bytes)
                } else {
                    Err(Error::invalid(
                        "Chromium did not make a PDF. Nothing has been changed.",
                    ))
                }
            })
        }
        Ok(_) => Err(Error::invalid(format!(
            "{} could not print the notes to PDF. Nothing has been changed.",
            browser.display()
        ))),
        Err(e) => Err(Error::invalid(format!(
            "Fieldbook could not print the notes to PDF: {e}. Nothing has been changed."
        ))),
    };
    let _ = std::fs::remove_dir_all(&work);
    outcome
}
