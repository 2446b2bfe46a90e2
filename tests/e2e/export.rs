//! Notes for other people: a session's or a version's notes saved as Word or a web page, a PDF
//! printed by WebKit with no dialog, and the system's save dialog starting in Documents.

use std::path::PathBuf;

use crate::fixtures::{
    assert_no_partial_file, data_folder, data_folder_beside, export_notes, exported,
    open_sunderland_first_session, SUNDERLAND,
};
use crate::harness::Harness;
use crate::poppler;

/// Opens Fieldbook on a new data folder (with the demo) that saves exports into the folder
/// `exports` beside it, on Sunderland's first session; returns the app and that folder.
async fn exporting_from_sunderland() -> (Harness, PathBuf) {
    let (tmp, data_dir, exports) = data_folder_beside("exports");
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
    let info = poppler::run("pdfinfo", &[path.as_os_str()]);
    assert!(info.contains("(A4)"), "A4: {info}");
    let text = poppler::pdf_page_texts(&path).concat();
    assert!(text.contains("Seeing the system together"), "{text}");
    assert!(text.contains("Joanne Hetherington"), "{text}");
    assert_no_partial_file(path.parent().unwrap());
    // Its first pages, kept to look at (not committed).
    poppler::keep_pictures(&path, "webkit-handout");
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
