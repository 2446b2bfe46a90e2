//! Designing sessions: the programmes seeded on a first start, a session's agenda and its
//! times, the exercise library, a local version made, changed, compared and brought up to date
//! with the national one, and a one-off session built from the library.

use fantoccini::key::Key;
use serde_json::json;

use crate::fixtures::{item_ids, item_minutes, minutes_of, open_new_local_version, shift, LCT};
use crate::harness::Harness;

const SURREY: &str = "Leading Change Together: Surrey";
const DIFFERENT: &str = "What’s different from the national version";

#[tokio::test]
async fn first_start_shows_the_seeded_programmes() {
    let app = Harness::start().await;
    app.ready().await;
    app.wait_for_heading("Programmes").await;
    let titles = app.texts(".card h2").await;
    assert_eq!(titles, ["Commissioning with Communities", LCT]);
    let versions = app.texts(".version-list a").await;
    assert!(
        versions.iter().any(|v| v.contains("Sunderland")),
        "{versions:?}"
    );
    assert!(app.data_dir.join("fieldbook.db").is_file());
    app.check_accessibility("the programmes list").await;
    app.screenshot("programmes").await;
    app.close().await;
}

#[tokio::test]
async fn a_session_shows_its_agenda_with_computed_start_times() {
    let app = Harness::start().await;
    app.ready().await;
    app.follow(LCT, LCT).await;
    app.check_accessibility("a programme").await;
    let sunderland = crate::fixtures::SUNDERLAND;
    app.follow(sunderland, sunderland).await;
    app.check_accessibility("a local version").await;

    let sessions = app.texts("tbody td:nth-child(2) a").await;
    assert_eq!(sessions.len(), 4, "{sessions:?}");
    app.follow(&sessions[0], &sessions[0]).await;
    app.check_accessibility("a session's agenda").await;
    app.screenshot("session").await;

    let session_start = app.text_of("[data-testid='session-start']").await;
    let starts = app.agenda_starts().await;
    let minutes = item_minutes(&app).await;
    let pinned = app
        .attrs("[data-testid='agenda-item']", "data-pinned")
        .await;
    assert!(starts.len() >= 6);
    assert_eq!((minutes.len(), pinned.len()), (starts.len(), starts.len()));
    let mut expected = minutes_of(&session_start);
    for ((start, minutes), pinned) in starts.iter().zip(minutes).zip(pinned) {
        if !pinned.is_empty() {
            expected = minutes_of(&pinned);
        }
        assert_eq!(minutes_of(start), expected, "row starting {start}");
        expected += minutes;
    }
    let end = app.text_of("[data-testid='session-end']").await;
    assert_eq!(minutes_of(&end), expected);

    // Back returns to the version, as in any desktop app.
    app.client.back().await.unwrap();
    app.wait_for_heading(sunderland).await;
    app.close().await;
}

#[tokio::test]
async fn the_library_is_reached_and_searched_by_keyboard() {
    let app = Harness::start().await;
    app.ready().await;
    // "/" opens the library with the cursor in its search box.
    app.press("body", "/").await;
    app.wait_for_heading("Exercise library").await;
    let search = app.find("#library-search").await;
    assert_eq!(app.focused_id().await, "library-search");
    let all = app.find_all(".exercise-list li").await.len();
    assert!(all >= 15, "{all} exercises");
    app.check_accessibility("the exercise library").await;

    search.send_keys("fishbowl").await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let titles = loop {
        let titles = app.texts(".exercise-list .ex-title").await;
        if titles.len() < all || std::time::Instant::now() > deadline {
            break titles;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(!titles.is_empty() && titles.len() < all, "{titles:?}");
    assert!(
        titles.iter().any(|t| t.to_lowercase().contains("fishbowl")),
        "{titles:?}"
    );

    // Down to the first result and open it with Enter.
    search.send_keys(&Key::Down.to_string()).await.unwrap();
    app.press_on_focused(&Key::Enter.to_string()).await;
    let heading = app.text_of("#exercise-title").await;
    assert_eq!(heading, titles[0]);
    app.check_accessibility("an exercise").await;
    app.screenshot("library").await;
    app.close().await;
}

/// From a version's page to what is different from the national version.
async fn open_differences(app: &Harness) {
    app.follow(DIFFERENT, DIFFERENT).await;
}

/// Back from a page one step below Surrey's version.
async fn back_to_surrey(app: &Harness) {
    app.client.back().await.unwrap();
    app.wait_for_heading(SURREY).await;
}

#[tokio::test]
async fn a_surrey_version_is_made_changed_compared_and_takes_a_national_change() {
    let app = Harness::start().await;
    app.ready().await;
    open_new_local_version(&app).await;
    app.check_accessibility("the new local version form").await;

    // Submitting with no place says what is wrong, beside the field and at the top.
    app.click("form button[type='submit']").await;
    app.find(".error-summary").await;
    assert!(app
        .texts(".field-error")
        .await
        .iter()
        .any(|e| e.contains("Enter the place")));

    app.type_into("#place", "Surrey").await;
    let name = app
        .js("return document.getElementById('name').value;")
        .await;
    assert_eq!(name, SURREY);
    app.type_into("#partners", "Surrey County Council\nSurrey Heartlands ICB")
        .await;
    app.click("form button[type='submit']").await;
    app.wait_for_heading(SURREY).await;
    assert!(app
        .texts(".facts dd")
        .await
        .iter()
        .any(|d| d.contains("Surrey Heartlands ICB")));

    open_differences(&app).await;
    assert!(app.texts(".empty").await[0].contains("is the same as the national version"));
    back_to_surrey(&app).await;

    // Lengthen the second item: every later start moves by ten minutes.
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[0], &sessions[0]).await;
    let before = app.agenda_starts().await;
    let second = item_ids(&app).await[1].clone();
    let minutes = item_minutes(&app).await[1];
    app.click(&format!("#edit-{second}")).await;
    app.type_and_save(
        "#item-minutes",
        &(minutes + 10).to_string(),
        Key::Tab,
        "saved",
    )
    .await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"agenda-item\"]')[1].dataset.minutes === arguments[0];",
        vec![json!((minutes + 10).to_string())],
    )
    .await;
    let after = app.agenda_starts().await;
    assert_eq!(after[..2], before[..2]);
    for (b, a) in before.iter().zip(&after).skip(2) {
        // A pinned item keeps its time; everything else moves on by ten minutes.
        assert!(a == &shift(b, 10) || a == b, "{b} became {a}");
    }
    assert_eq!(after[2], shift(&before[2], 10));
    app.check_accessibility("the agenda builder with an item open")
        .await;
    app.screenshot("agenda-builder").await;

    // The difference shows against the national version.
    back_to_surrey(&app).await;
    open_differences(&app).await;
    let diffs = app.texts("[data-testid='difference']").await;
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(
        diffs[0].contains("Length (minutes)")
            && diffs[0].contains(&format!("Surrey: {}", minutes + 10)),
        "{}",
        diffs[0]
    );
    app.check_accessibility("what's different").await;
    app.screenshot("differences").await;

    // Change the national version: rename its first item.
    app.follow(LCT, LCT).await;
    app.follow("National version", "National version").await;
    let national_sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&national_sessions[0], &national_sessions[0])
        .await;
    let first = item_ids(&app).await[0].clone();
    app.click(&format!("#edit-{first}")).await;
    app.type_and_save(
        "#item-title",
        "Arrival, welcome and check-in",
        Key::Tab,
        "saved",
    )
    .await;

    // Surrey is offered the change and takes it; its own edit stays.
    app.follow(LCT, LCT).await;
    app.follow(SURREY, SURREY).await;
    app.find("[data-testid='national-changes']").await;
    app.follow(
        "Review national changes",
        "Changes from the national version",
    )
    .await;
    let offered = app.texts("[data-testid='national-change']").await;
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert!(offered[0].contains("Arrival, welcome and check-in"));
    app.check_accessibility("national changes").await;
    app.screenshot("national-changes").await;
    app.click("#apply-national-changes").await;
    app.wait_for_heading(SURREY).await;
    assert!(app
        .find_all("[data-testid='national-changes']")
        .await
        .is_empty());
    app.follow(&sessions[0], &sessions[0]).await;
    let titles = app.texts("[data-testid='agenda-item'] .item-title").await;
    assert_eq!(titles[0], "Arrival, welcome and check-in");
    assert_eq!(item_minutes(&app).await[1], minutes + 10);
    app.close().await;
}

/// Whether the first agenda item's title holds `text`, as a script for `wait_for_js`.
const FIRST_ITEM_HOLDS: &str = "return document.querySelector('[data-testid=\"agenda-item\"] .item-title').textContent.includes(arguments[0]);";

#[tokio::test]
async fn a_one_off_session_is_built_from_library_exercises_by_keyboard() {
    let app = Harness::start().await;
    app.ready().await;
    app.type_then(
        "#new-standalone-title",
        "Peer learning for system stewards",
        Key::Enter,
    )
    .await;
    app.wait_for_heading("Peer learning for system stewards")
        .await;
    assert!(app.texts(".empty").await[0].contains("no agenda items yet"));

    for exercise in ["Troika", "Fishbowl"] {
        app.type_into("#picker-search", exercise).await;
        // The results narrow to the one exercise as the search is typed.
        app.wait_for_js(
            "const b = [...document.querySelectorAll('.picker-results button')]; return b.length === 1 && b[0].getAttribute('aria-label').includes(arguments[0]);",
            vec![json!(exercise)],
        )
        .await;
        app.click(".picker-results button").await;
        app.wait_saved().await;
    }
    let items = "[data-testid='agenda-item']";
    app.wait_for_count(items, 2).await;
    let titles = app.texts("[data-testid='agenda-item'] .item-title").await;
    assert!(
        titles[0].contains("Troika") && titles[1].contains("Fishbowl"),
        "{titles:?}"
    );
    let first_minutes = item_minutes(&app).await[0];
    let starts = app.agenda_starts().await;
    assert_eq!(starts[0], "09:30");
    assert_eq!(starts[1], shift("09:30", first_minutes));
    assert!(
        !app.texts(".checklist li").await.is_empty(),
        "materials gathered"
    );
    app.check_accessibility("a session built from the library")
        .await;

    // Alt+Up on the second item's controls moves it first, keeping focus on it.
    let second = item_ids(&app).await[1].clone();
    app.press(
        &format!("#edit-{second}"),
        &format!("{}{}", Key::Alt, Key::Up),
    )
    .await;
    app.wait_for_js(FIRST_ITEM_HOLDS, vec![json!("Fishbowl")])
        .await;

    // Dragging the first row onto the second moves it there.
    app.js("const rows = document.querySelectorAll('[data-testid=\"agenda-item\"]');
         const data = new DataTransfer();
         rows[0].dispatchEvent(new DragEvent('dragstart', { dataTransfer: data, bubbles: true }));
         rows[1].dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));")
    .await;
    app.wait_for_js(FIRST_ITEM_HOLDS, vec![json!("Troika")])
        .await;

    // Delete, then Undo.
    app.click(&format!("#delete-{second}")).await;
    app.wait_for_count(items, 1).await;
    app.click("#toast-undo").await;
    app.wait_for_count(items, 2).await;

    // Editing the exercise in the library leaves the agenda's copy alone but says so.
    let exercise_link = app
        .js("return document.querySelector('.badge') && 1;")
        .await;
    assert_eq!(exercise_link, 1);
    app.click(&format!("#edit-{second}")).await;
    app.click(".exercise-link a").await;
    app.click("#edit-exercise").await;
    app.find("#exercise-purpose").await;
    app.type_and_save(
        "#exercise-purpose",
        "A revised purpose for the fishbowl.",
        Key::Tab,
        "saved",
    )
    .await;
    app.client.back().await.unwrap();
    app.client.back().await.unwrap();
    app.wait_for_heading("Peer learning for system stewards")
        .await;
    let badges = app.texts("[data-testid='agenda-item'] .badge").await;
    assert!(
        badges.iter().any(|b| b.contains("Library text changed")),
        "{badges:?}"
    );
    app.click(&format!("#edit-{second}")).await;
    app.click("#take-new-text").await;
    app.wait_until("return ![...document.querySelectorAll('[data-testid=\"agenda-item\"] .badge')].some(b => b.textContent.includes('changed'));").await;
    app.close().await;
}
