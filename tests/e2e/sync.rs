//! Laptops sharing their work: two laptops syncing through a folder with a conflict settled in
//! the window, and hostile text arriving in a bundle shown as written, then its writer erased.

use fieldbook_core::sync::BundleScope;
use fieldbook_core::Store;
use serde_json::json;

use crate::fixtures::{
    add_person, data_folder, erase_participant, open_sunderland_first_session, programme_of,
    reflect, seeded,
};
use crate::harness::Harness;
use crate::sync_files;

/// `to` merges everything `from` holds, through an unencrypted sync bundle.
async fn send(from: &Store, to: &Store) {
    let bundle = from
        .export_bundle(BundleScope::Everything, None)
        .await
        .unwrap();
    to.import_bundles(&[bundle], None, false).await.unwrap();
}

#[tokio::test]
async fn two_laptops_sync_through_a_folder_and_a_conflict_is_settled_in_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir, shared) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("shared"),
    );
    std::fs::create_dir_all(&shared).unwrap();
    let lct = {
        // Two laptops with the same programmes, then each renames the same one.
        let (a, sunderland, _) = seeded(&a_dir).await;
        let b = Store::open(&b_dir).await.unwrap();
        send(&a, &b).await;
        let lct = programme_of(&a, sunderland).await;
        for (store, title) in [
            (&a, "Leading Change Together: North East"),
            (&b, "Leading Change Together 2027"),
        ] {
            store
                .update(
                    "programme",
                    lct,
                    json!({ "title": title }).as_object().unwrap().clone(),
                )
                .await
                .unwrap();
            store.choose_sync_folder(&shared).await.unwrap();
        }
        a.close().await;
        b.close().await;
        lct
    };

    // Laptop A syncs first: its bundle goes into the folder.
    let other = tempfile::tempdir().unwrap();
    let app = Harness::start_with(other, a_dir.clone()).await;
    app.shortcut(3, "Sync").await;
    app.click("#sync-now").await;
    app.find("[data-testid='sync-summary']").await;
    app.check_accessibility("sync").await;
    let (other, _) = app.stop().await;

    // A cut-short copy lands in the folder too, long enough ago not to be still arriving.
    let damaged = shared.join("from the USB stick.fieldbook");
    sync_files::cut_short_bundle(&damaged);

    // Laptop B syncs: it merges A's rename, and shows the conflict and the file it skipped.
    let app = Harness::start_with(other, b_dir.clone()).await;
    app.shortcut(3, "Sync").await;
    app.click("#sync-now").await;
    let summary = app
        .wait_for_str("const s = document.querySelector('[data-testid=\"sync-summary\"]'); return s && s.textContent.includes('Merged') ? s.textContent : null;", vec![])
        .await;
    assert!(summary.contains("1 conflict"), "{summary}");
    // The screen draws the summary again once the conflicts are listed: read it when there.
    let skipped = app
        .wait_for_str("const s = document.querySelector('[data-testid=\"sync-skipped\"]'); return s && s.textContent.includes('from the USB stick.fieldbook') ? s.textContent : null;", vec![])
        .await;
    assert!(skipped.contains("damaged or cut short"), "{skipped}");
    let conflict = app.text_of("[data-testid='conflict']").await;
    assert!(
        conflict.contains("North East") && conflict.contains("2027"),
        "{conflict}"
    );
    app.check_accessibility("a conflict to settle").await;
    app.screenshot("conflict").await;
    // Keep the other version (whichever lost), then sync again.
    app.click("#keep-0-1").await;
    app.wait_for_count("[data-testid=\"conflict\"]", 0).await;
    app.click("#sync-now").await;
    app.find("[data-testid='sync-summary']").await;
    app.close().await;

    // A takes B's settlement: both laptops hold the same, with no conflict left.
    let a = Store::open(&a_dir).await.unwrap();
    let b = Store::open(&b_dir).await.unwrap();
    a.sync_folder(&shared, None).await.unwrap();
    assert_eq!(a.state_hash().await.unwrap(), b.state_hash().await.unwrap());
    assert!(a.conflicts().await.unwrap().is_empty() && b.conflicts().await.unwrap().is_empty());
    let title_a = a
        .get::<fieldbook_core::domain::Programme>(lct)
        .await
        .unwrap()
        .title;
    assert!(
        title_a == "Leading Change Together: North East"
            || title_a == "Leading Change Together 2027"
    );
}

#[tokio::test]
async fn hostile_text_from_a_bundle_shows_as_written_and_a_participant_is_erased_from_the_window() {
    let long = "Very long reflection. ".repeat(400);
    let payloads = [
        "<script>document.body.dataset.pwned='script'</script>",
        "<img src=x onerror=\"document.body.dataset.pwned='img'\">",
        "<a href=\"javascript:document.body.dataset.pwned='link'\">click me</a>",
        "مرحبا بالعالم \u{202E}reversed\u{202C} zero\u{200B}width 🌱🤝",
    ];
    let (tmp, data_dir) = data_folder();
    let sender = tmp.path().join("sender");
    {
        // Another laptop writes the hostile text; this one receives it in a bundle.
        let (other, version, session) = seeded(&sender).await;
        let person = add_person(
            &other,
            version,
            json!({
                "name": payloads[1], "organisation": payloads[3], "consent_named": true, "consent_quoted": true
            }),
        )
        .await;
        for text in payloads.iter().copied().chain([long.as_str()]) {
            reflect(&other, session, Some(person), "", text).await;
        }
        let here = Store::open(&data_dir).await.unwrap();
        send(&other, &here).await;
        here.close().await;
        other.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;
    app.wait_for_count("[data-testid=\"captured-reflection\"]", 5)
        .await;
    let shown = app
        .js("return document.querySelector('main').innerText;")
        .await;
    let shown = shown.as_str().unwrap();
    for p in &payloads[..3] {
        assert!(shown.contains(p), "{p} is not shown as written");
    }
    assert!(shown.contains("مرحبا بالعالم") && shown.contains("🌱🤝"));
    let pwned = app.js("return document.body.dataset.pwned || null;").await;
    assert!(pwned.is_null(), "hostile text ran: {pwned}");
    let elements = app.js("return document.querySelectorAll('main script, main img, main a[href^=\"javascript\"]').length;").await;
    assert_eq!(elements, 0);
    app.check_accessibility("run mode with hostile text").await;

    // The participant's page, then erasure after confirming.
    app.follow("Leave run mode", "Seeing the system together")
        .await;
    app.find("#run-session").await;
    let sunderland = crate::fixtures::SUNDERLAND;
    app.follow(sunderland, sunderland).await;
    app.follow("Cohort and consent", "Cohort").await;
    app.follow(payloads[1], payloads[1]).await;
    app.check_accessibility("a participant").await;
    app.click("#consent-quoted").await;
    app.wait_saved().await;
    let when = app.text_of("#consent-quoted-when").await;
    assert!(when.contains("Withdrawn"), "{when}");
    erase_participant(&app, payloads[1]).await;
    assert!(app
        .texts("[data-testid='participant']")
        .await
        .iter()
        .all(|t| !t.contains("onerror")));
    assert!(app
        .js("return document.body.dataset.pwned || null;")
        .await
        .is_null());
    app.close().await;
}
