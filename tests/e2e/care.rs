//! Taking care of what facilitators keep: user text always shown as text, a data folder that
//! cannot be opened explained, backups made and saved elsewhere checked, and words kept past
//! their programme's retention listed and deleted.

use serde_json::json;

use crate::fixtures::{data_folder, data_folder_beside, programme_of, seeded};
use crate::harness::Harness;

/// Whether a script planted in user text has run (it marks the page's body).
async fn pwned(app: &Harness) -> serde_json::Value {
    app.js("return document.body.dataset.pwned || null;").await
}

#[tokio::test]
async fn user_text_is_shown_as_text_never_as_html() {
    // A programme whose title is markup: it must appear literally and run nothing.
    let (tmp, data_dir) = data_folder();
    {
        let (store, _, _) = seeded(&data_dir).await;
        let mut p = fieldbook_core::domain::Programme {
            meta: fieldbook_core::domain::Meta::new(),
            title: "<img src=x onerror=\"document.body.dataset.pwned='yes'\"> Bold <b>move</b>"
                .into(),
            summary: "<script>document.body.dataset.pwned='yes'</script>".into(),
            purpose: String::new(),
            outcomes: vec![],
            themes: vec!["<i>theme</i>".into()],
            retention_months: None,
        };
        store.save(&mut p).await.unwrap();
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    let titles = app.texts(".card h2").await;
    assert!(
        titles.iter().any(|t| t.starts_with("<img src=x onerror=")),
        "{titles:?}"
    );
    assert!(pwned(&app).await.is_null());
    let images = app
        .js("return document.querySelectorAll('main img, main script, main b, main i').length;")
        .await;
    assert_eq!(images, 0);
    app.close().await;
}

#[tokio::test]
async fn an_unusable_data_folder_is_explained_in_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let app = Harness::start_with(tmp, file.join("data")).await;
    app.wait_for_heading("Fieldbook could not open your data")
        .await;
    let message = app.text_of("[role='alert'] p").await;
    assert!(message.contains("--data-dir"), "{message}");
    app.check_accessibility("the cannot-open message").await;
    app.close().await;
}

#[tokio::test]
async fn backups_are_made_daily_on_demand_and_saved_elsewhere_checked() {
    let (tmp, data_dir, exports) = data_folder_beside("usb-stick");
    let app = Harness::start_with_option(tmp, data_dir, "--export-dir", &exports).await;
    app.shortcut(4, "Data and backups").await;
    let backup_made = "return [...document.querySelectorAll('[data-testid=\"backup\"]')].some(r => r.textContent.includes(arguments[0]));";
    // Today's backup was made when Fieldbook opened.
    app.wait_for_js(backup_made, vec![json!("Daily")]).await;
    app.check_accessibility("data and backups").await;
    app.click("#backup-now").await;
    app.wait_for_js(backup_made, vec![json!("Made by you")])
        .await;
    app.click("#save-backup").await;
    app.find("[role=\"status\"] code").await;
    let saved: Vec<_> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1);
    let integrity = std::process::Command::new("sqlite3")
        .arg(&saved[0])
        .arg("PRAGMA integrity_check;")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&integrity.stdout).trim(), "ok");
    app.close().await;
}

#[tokio::test]
async fn words_past_retention_are_listed_and_deleted_after_confirming() {
    let (tmp, data_dir) = data_folder();
    {
        let (store, sunderland, session) = seeded(&data_dir).await;
        let lct = programme_of(&store, sunderland).await;
        let patch = |v: serde_json::Value| v.as_object().unwrap().clone();
        store
            .update("programme", lct, patch(json!({"retention_months": 12})))
            .await
            .unwrap();
        store
            .update("session", session, patch(json!({"date": "2024-03-06"})))
            .await
            .unwrap();
        store
            .save_session_note(session, "Notes from a long time ago")
            .await
            .unwrap();
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.shortcut(4, "Data and backups").await;
    let past = app.texts("[data-testid='past-retention']").await;
    assert_eq!(past.len(), 1);
    assert!(
        past[0].contains("1 notes") && past[0].contains("12 months"),
        "{past:?}"
    );
    app.click("#delete-past").await;
    app.click("#confirm-delete-past").await;
    app.wait_for_count("[data-testid=\"past-retention\"]", 0)
        .await;
    app.check_accessibility("retention").await;
    app.close().await;
}
