//! Helpers shared by the core's integration tests.

use std::path::{Path, PathBuf};

mod fixtures;
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

fn run(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed: run `make deps` (poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many pages a PDF has, as poppler's pdfinfo reads it.
pub fn pdf_pages(pdf: &Path) -> usize {
    run("pdfinfo", &[pdf.as_os_str()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// The text of one page of a PDF (1-based), or of all of it, as poppler's pdftotext reads it.
pub fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut args: Vec<std::ffi::OsString> = vec!["-layout".into()];
    if let Some(p) = page {
        args.extend([
            "-f".into(),
            p.to_string().into(),
            "-l".into(),
            p.to_string().into(),
        ]);
    }
    args.push(pdf.as_os_str().to_owned());
    args.push("-".into());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    run("pdftotext", &refs)
}

/// Keeps a picture of the first two pages of `pdf` under tests/e2e/artifacts/documents (not
/// committed), to look at as a reader would.
pub fn keep_pictures(pdf: &Path, name: &str) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/artifacts/documents");
    std::fs::create_dir_all(&folder).unwrap();
    let prefix = folder.join(name);
    run(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "60".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "2".as_ref(),
            pdf.as_os_str(),
            prefix.as_os_str(),
        ],
    );
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

/// The heights, in points, of the words poppler finds on one page of a PDF: the size the
/// text was printed at (about 1.2 times the font size).
pub fn pdf_word_heights(pdf: &Path, page: usize) -> Vec<f64> {
    let page = page.to_string();
    let xml = run(
        "pdftotext",
        &[
            "-bbox".as_ref(),
            "-f".as_ref(),
            page.as_ref(),
            "-l".as_ref(),
            page.as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    let number = |w: &str, name: &str| -> f64 {
        let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    xml.split("<word ")
        .skip(1)
        .map(|w| number(w, "yMax") - number(w, "yMin"))
        .collect()
}
