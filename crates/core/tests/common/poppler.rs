//! Reading PDFs back with poppler-utils (pdfinfo, pdftotext, pdftoppm), programs we did not
//! write. One file for every test that reads a PDF: the core's integration tests (through
//! `common`), the unit tests of `src/export/pdf.rs`, the CLI's tests and the end-to-end tests,
//! each including it with `#[path]`.
// Each of those uses only part of it.
#![allow(dead_code)]

use std::path::Path;

/// What `program` prints for `args`; fails the test if it is missing or fails.
pub fn run(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed: run `make deps`: {e}"));
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

/// The text of each page of a PDF as pdftotext reads it (in reading order, not laid out).
pub fn pdf_page_texts(pdf: &Path) -> Vec<String> {
    let text = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    // pdftotext ends each page with a form feed, so the last piece is empty.
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The lines of a page's text that are not blank, trimmed.
pub fn page_lines(page: &str) -> Vec<String> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Keeps a picture of the first two pages of `pdf` under tests/e2e/artifacts/documents (not
/// committed), to look at as a reader would.
pub fn keep_pictures(pdf: &Path, name: &str) {
    // The workspace's root: this crate's folder (the app's) or two above it (the core's, the CLI's).
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("tests/e2e").is_dir())
        .expect("the workspace's tests/e2e folder")
        .join("tests/e2e/artifacts/documents");
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
