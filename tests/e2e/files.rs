//! Files from and for the tools facilitators already use (issue 16), in the window: a cohort
//! imported from a spreadsheet through its preview, coded reflections saved for analysis
//! tools, a codebook shared, and the sessions saved for calendars. Files are chosen from the
//! test export folder's `to-open/` (WebDriver cannot answer a native dialog) and the saved
//! files are read back by Python's pyqdpx and icalendar.

use std::path::PathBuf;

use serde_json::{json, Value};

#[path = "../../crates/cli/tests/python.rs"]
mod python;

use python::run_python;

use crate::fixtures::{data_folder, open_themes_of, reflect, saved_file, seeded};
use crate::harness::Harness;

/// Sets a select's value as a choice from its list would, and tells the page.
async fn choose(app: &Harness, css: &str, value: &str) {
    app.eval(
        "const s = document.querySelector(arguments[0]); s.focus(); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(css), json!(value)],
    )
    .await;
}

async fn cohort_size(app: &Harness) -> usize {
    app.find_all("[data-testid='participant']").await.len()
}

/// A data folder to be made and, beside it, an export folder holding `to-open/`, where the
/// window finds the files it is asked to open: (temporary folder, data, exports, to-open).
fn folders_with_files_to_open() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let (tmp, data_dir) = data_folder();
    let exports = tmp.path().join("exports");
    let to_open = exports.join("to-open");
    std::fs::create_dir_all(&to_open).unwrap();
    (tmp, data_dir, exports, to_open)
}

/// Waits until the code in `#qda-result` names a file ending `extension`.
async fn wait_for_qda_file(app: &Harness, extension: &str) {
    app.wait_for_js(
        "const c = document.querySelector('#qda-result code'); return (c && c.textContent.endsWith(arguments[0])) || null;",
        vec![json!(extension)],
    )
    .await;
}

/// Goes to the page at `hash` (such as "#/versions/ID"), as a link there would.
async fn go_to(app: &Harness, hash: String) {
    app.eval("location.hash = arguments[0];", vec![json!(hash)])
        .await;
}

/// Whether the import button is switched off.
async fn import_disabled(app: &Harness) -> Value {
    app.js("return document.getElementById('import-participant-list').disabled;")
        .await
}

#[tokio::test]
async fn a_cohort_is_imported_from_a_spreadsheet_through_its_preview_and_never_twice() {
    let (tmp, data_dir, exports, to_open) = folders_with_files_to_open();
    let lists = tmp.path().join("lists");
    std::fs::create_dir_all(&lists).unwrap();
    run_python("make_lists.py", &[&lists]);
    let (store, version, _) = seeded(&data_dir).await;
    store.close().await;
    // First a list whose columns Fieldbook cannot recognise.
    std::fs::write(
        to_open.join("a-sign-up.csv"),
        "Who,Where\r\nAl Rahman,Leeds\r\n",
    )
    .unwrap();

    let app = Harness::start_with_option(tmp, data_dir, "--export-dir", &exports).await;
    app.ready().await;
    go_to(&app, format!("#/versions/{version}/cohort")).await;
    app.wait_for_heading("Cohort").await;
    let before = cohort_size(&app).await;

    app.click("#choose-participant-list").await;
    app.find("#list-problem").await;
    assert_eq!(import_disabled(&app).await, json!(true));
    // The facilitator says which column holds names; the preview follows.
    choose(&app, "#list-map-0", "name").await;
    app.wait_until("const r = document.querySelector('[data-testid=\"preview-row\"] th'); return (r && r.textContent === 'Al Rahman') || null;").await;
    assert!(app.find_all("#list-problem").await.is_empty());
    // Cancel adds nothing.
    app.click("#cancel-participant-list").await;
    app.wait_until("return document.getElementById('list-result').textContent === 'Nothing was added.' || null;").await;
    assert_eq!(cohort_size(&app).await, before);

    // Then the registration spreadsheet, as openpyxl writes it.
    std::fs::remove_file(to_open.join("a-sign-up.csv")).unwrap();
    std::fs::copy(lists.join("cohort.xlsx"), to_open.join("cohort.xlsx")).unwrap();
    app.click("#choose-participant-list").await;
    app.find("[data-testid='preview-row']").await;
    let names = app.texts("[data-testid='preview-row'] th").await;
    assert_eq!(names, ["Amélie Dubois", "Jo \"JJ\" O'Neill", "Chris Wong"]);
    let first = app
        .texts("[data-testid='preview-row']:first-child td")
        .await;
    assert_eq!(first[0], "2");
    assert!(
        first.contains(&"Sunderland City Council, Adults' Services".to_owned()),
        "{first:?}"
    );
    let refused = app.texts("[data-testid='refused-row']").await;
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused[0].starts_with("Row 5: it has no name"),
        "{refused:?}"
    );
    assert!(
        refused[1].starts_with("Row 6: the email \"sam@\""),
        "{refused:?}"
    );
    assert!(
        refused[2].starts_with("Row 7: the sector \"Retail\""),
        "{refused:?}"
    );
    let duplicates = app.texts("[data-testid='duplicate-row']").await;
    assert_eq!(duplicates.len(), 1);
    assert!(
        duplicates[0].starts_with("Row 8: Amelie D, the same person as row 2"),
        "{duplicates:?}"
    );
    // The columns were recognised by their headings.
    let holds = app
        .js("return [...document.querySelectorAll('[data-testid=\"list-columns\"] select')].map((s) => s.value);")
        .await;
    assert_eq!(
        holds,
        json!([
            "name",
            "email",
            "organisation",
            "role",
            "sector",
            "consent_named"
        ])
    );
    // Nothing is written before the facilitator confirms.
    assert_eq!(cohort_size(&app).await, before);
    app.check_accessibility("participant list preview").await;
    app.screenshot("participant-list-preview").await;

    app.click("#import-participant-list").await;
    app.wait_until("return document.getElementById('list-result').textContent.startsWith('Added 3 participants from cohort.xlsx.') || null;").await;
    app.wait_for_count("[data-testid=\"participant\"]", before + 3)
        .await;
    let cohort = app.texts("[data-testid='participant'] th").await;
    assert!(cohort.contains(&"Amélie Dubois".to_owned()), "{cohort:?}");

    // The same list again adds nobody.
    app.click("#choose-participant-list").await;
    app.wait_until("const c = document.querySelector('[data-testid=\"list-counts\"]'); return (c && c.textContent === '0 people to add, 4 already in the cohort, 3 rows refused.') || null;").await;
    assert_eq!(import_disabled(&app).await, json!(true));
    assert_eq!(cohort_size(&app).await, before + 3);
    app.close().await;
}

#[tokio::test]
async fn coded_reflections_a_codebook_and_the_sessions_are_saved_for_other_tools() {
    let (tmp, data_dir, exports, to_open) = folders_with_files_to_open();
    let (store, version, session) = seeded(&data_dir).await;
    let mut reflections = Vec::new();
    for text in [
        "Trust grew when we shared the budget.",
        "We listened to residents 🙂 at last.",
    ] {
        reflections.push(reflect(&store, session, None, "What changed?", text).await);
    }
    let trust = store.create_theme("Trust").await.unwrap();
    store
        .tag_reflections(trust.meta.id, &reflections)
        .await
        .unwrap();
    store.close().await;

    let app = Harness::start_with_option(tmp, data_dir, "--export-dir", &exports).await;
    app.ready().await;
    open_themes_of(&app, "Leading").await;

    // Coded reflections for an analysis tool, read back by pyqdpx.
    app.click("#export-qdpx").await;
    wait_for_qda_file(&app, ".qdpx").await;
    let qdpx = exports.join("leading-change-together.qdpx");
    let project: Value = serde_json::from_str(&run_python("read_qdpx.py", &[&qdpx])).unwrap();
    assert_eq!(project["codes"], json!(["Trust"]));
    let sources = project["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for s in sources {
        assert_eq!(s["codes"], json!(["Trust"]), "{s}");
        let length = s["text"].as_str().unwrap().chars().count();
        assert_eq!(s["selections"], json!([[0, length]]), "{s}");
    }

    // The themes as a codebook, then another team's codebook adds what is new.
    app.click("#export-codebook").await;
    wait_for_qda_file(&app, ".qdc").await;
    let ours = std::fs::read_to_string(exports.join("fieldbook-themes.qdc")).unwrap();
    assert!(ours.contains("name=\"Trust\""), "{ours}");
    std::fs::write(
        to_open.join("team.qdc"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder"><Codes>
<Code guid="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" name="Shared power" isCodable="true"><Description>Decisions made with residents</Description></Code>
<Code guid="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c" name="trust" isCodable="true"/>
</Codes></CodeBook>"#,
    )
    .unwrap();
    app.click("#choose-codebook").await;
    app.find("[data-testid='codebook-new']").await;
    assert_eq!(
        app.texts("[data-testid='codebook-new'] li").await,
        ["Shared power"]
    );
    app.check_accessibility("codebook preview").await;
    app.click("#import-codebook").await;
    app.find(".theme-manage-row[data-theme='Shared power']")
        .await;
    assert_eq!(
        app.find_all(".theme-manage-row[data-theme='Trust']")
            .await
            .len(),
        1
    );

    // The cohort's sessions for calendars, from the version page, read back by icalendar.
    go_to(&app, format!("#/versions/{version}")).await;
    app.find("#export-calendar").await;
    app.check_accessibility("version page with calendar export")
        .await;
    app.click("#export-calendar").await;
    app.wait_until("return document.getElementById('toast').textContent.includes('Saved the sessions for calendars') || null;").await;
    let ics = saved_file(&exports, "ics");
    let calendar: Value = serde_json::from_str(&run_python("read_ics.py", &[&ics])).unwrap();
    let events = calendar["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "{calendar}");
    assert!(events.iter().all(|e| e["tzid"] == "Europe/London"));
    app.close().await;
}
