//! Notes for other people: a session's or a version's notes saved as Word or a web page, a PDF
//! printed by WebKit with no dialog, and the system's save dialog starting in Documents.

use std::path::Path;

use crate::fixtures::{
    data_folder, export_notes, exported, folder_in, open_sunderland_first_session, SUNDERLAND,
};
use crate::harness::Harness;

/// Opens Fieldbook on a new data folder (with the demo) that saves exports into the folder
/// `exports` beside it, on Sunderland's first session; returns the app and that folder.
async fn exporting_from_sunderland() -> (Harness, std::path::PathBuf) {
    let (tmp, data_dir) = data_folder();
    let exports = folder_in(&tmp, "exports");
    let app = Harness::start_with_option(tmp, data_dir, "--export-dir", &exports).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    (app, exports)
}

#[tokio::test]
async fn notes_are_exported_from_a_session_and_a_version_in_the_chosen_format() {
    let (app, _exports) = exporting_from_sunderland().await;
    app.check_accessibility("a session with its export panel")
        .await;

    // A participant handout as a Word document.
    app.click("#export-participant").await;
    let path = export_notes(&app, "Word", ".docx").await;
    assert!(
        path.ends_with("seeing-the-system-together-participant-handout.docx"),
        "{}",
        path.display()
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip");

    // The whole version's facilitator notes as a web page.
    app.follow(SUNDERLAND, SUNDERLAND).await;
    let path = export_notes(&app, "Web", ".html").await;
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Facilitator notes"));
    assert_eq!(html.matches("<section class=\"session\"").count(), 4);
    app.check_accessibility("a version with its export panel")
        .await;
    app.close().await;
}

/// What a poppler tool (`pdfinfo`, `pdftotext`...) prints for `args`.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn save_as_pdf_prints_the_notes_with_webkit_without_a_dialog() {
    let (app, _exports) = exporting_from_sunderland().await;
    app.click("#export-participant").await;
    app.click("#export-pdf").await;
    let path = exported(&app, ".pdf").await;
    assert!(
        path.ends_with("seeing-the-system-together-participant-handout.pdf"),
        "{}",
        path.display()
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.starts_with(b"%PDF"),
        "a PDF, made by WebKit's print operation"
    );
    // Read back by poppler: A4 pages with the handout's words, nothing left half-written.
    let info = poppler("pdfinfo", &[path.as_os_str()]);
    assert!(info.contains("(A4)"), "A4: {info}");
    let text = poppler("pdftotext", &[path.as_os_str(), "-".as_ref()]);
    assert!(text.contains("Seeing the system together"), "{text}");
    assert!(text.contains("Joanne Hetherington"), "{text}");
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "no partial file is left: {names:?}");
    // Its first page, kept to look at (not committed).
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/artifacts/documents");
    std::fs::create_dir_all(&folder).unwrap();
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
        .arg(&path)
        .arg(folder.join("webkit-handout"))
        .status();
    app.close().await;
}

#[tokio::test]
async fn the_system_save_dialog_starts_in_documents_and_the_folder_is_remembered() {
    let (tmp, data_dir) = data_folder();
    let home = tmp.path().join("home");
    let documents = home.join("Documents");
    std::fs::create_dir_all(&documents).unwrap();
    let app = Harness::start_with_env(tmp, data_dir, &[], &[("HOME", home.as_path())]).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#export-button").await;
    // The GTK dialog is a window of its own: WebDriver cannot see it, so press Save in it
    // as a person would, with the keyboard.
    let saved = documents.join("seeing-the-system-together-facilitator-notes.docx");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !saved.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the dialog did not save into Documents"
        );
        let _ = std::process::Command::new("xdotool")
            .args([
                "search",
                "--sync",
                "--limit",
                "1",
                "--name",
                "Save the notes",
                "windowfocus",
                "--sync",
                "key",
                "Return",
            ])
            .env("DISPLAY", &app.display)
            .output();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let shown = app.text_of("[data-testid='export-path']").await;
    assert_eq!(shown, saved.display().to_string());
    let store = fieldbook_core::Store::open(&app.data_dir).await.unwrap();
    assert_eq!(
        store
            .setting("last_export_folder")
            .await
            .unwrap()
            .as_deref(),
        Some(documents.to_str().unwrap())
    );
    store.close().await;
    app.close().await;
}
