//! End-to-end tests: the real Fieldbook window, driven through WebDriver as a facilitator
//! would use it. Each test starts its own display, driver and app on a temporary data folder.

mod harness;

use fantoccini::key::Key;
use harness::Harness;

fn minutes_of(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

#[tokio::test]
async fn first_start_shows_the_seeded_programmes() {
    let app = Harness::start().await;
    app.ready().await;
    app.wait_for_heading("Programmes").await;
    let titles = app.texts(".card h2").await;
    assert_eq!(
        titles,
        ["Commissioning with Communities", "Leading Change Together"]
    );
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
    app.follow("Leading Change Together", "Leading Change Together")
        .await;
    app.check_accessibility("a programme").await;
    app.follow(
        "Leading Change Together: Sunderland",
        "Leading Change Together: Sunderland",
    )
    .await;
    app.check_accessibility("a local version").await;

    let sessions = app.texts("tbody td:nth-child(2) a").await;
    assert_eq!(sessions.len(), 4, "{sessions:?}");
    app.follow(&sessions[0], &sessions[0]).await;
    app.check_accessibility("a session's agenda").await;
    app.screenshot("session").await;

    let session_start = app
        .find("[data-testid='session-start']")
        .await
        .text()
        .await
        .unwrap();
    let rows = app.find_all("[data-testid='agenda-item']").await;
    assert!(rows.len() >= 6);
    let mut expected = minutes_of(&session_start);
    for row in rows {
        let start = row
            .find(fantoccini::Locator::Css("[data-testid='item-start']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let minutes: i64 = row
            .attr("data-minutes")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        if let Some(pinned) = row.attr("data-pinned").await.unwrap() {
            expected = minutes_of(&pinned);
        }
        assert_eq!(minutes_of(&start), expected, "row starting {start}");
        expected += minutes;
    }
    let end = app
        .find("[data-testid='session-end']")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(minutes_of(&end), expected);

    // Back returns to the version, as in any desktop app.
    app.client.back().await.unwrap();
    app.wait_for_heading("Leading Change Together: Sunderland")
        .await;
    app.close().await;
}

#[tokio::test]
async fn the_library_is_reached_and_searched_by_keyboard() {
    let app = Harness::start().await;
    app.ready().await;
    let body = app.find("body").await;
    // "/" opens the library with the cursor in its search box.
    body.send_keys("/").await.unwrap();
    app.wait_for_heading("Exercise library").await;
    let search = app.find("#library-search").await;
    let focused = app
        .eval(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await;
    assert_eq!(focused, "library-search");
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
    let active = app.client.active_element().await.unwrap();
    active.send_keys(&Key::Enter.to_string()).await.unwrap();
    let heading = app.find("#exercise-title").await.text().await.unwrap();
    assert_eq!(heading, titles[0]);
    app.check_accessibility("an exercise").await;
    app.screenshot("library").await;
    app.close().await;
}

#[tokio::test]
async fn user_text_is_shown_as_text_never_as_html() {
    // A programme whose title is markup: it must appear literally and run nothing.
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    {
        let store = fieldbook_core::Store::open(&data_dir).await.unwrap();
        fieldbook_core::demo::seed_demo(&store).await.unwrap();
        let mut p = fieldbook_core::domain::Programme {
            meta: fieldbook_core::domain::Meta::new(),
            title: "<img src=x onerror=\"document.body.dataset.pwned='yes'\"> Bold <b>move</b>"
                .into(),
            summary: "<script>document.body.dataset.pwned='yes'</script>".into(),
            purpose: String::new(),
            outcomes: vec![],
            themes: vec!["<i>theme</i>".into()],
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
    let pwned = app
        .eval("return document.body.dataset.pwned || null;", vec![])
        .await;
    assert!(pwned.is_null());
    let images = app
        .eval(
            "return document.querySelectorAll('main img, main script, main b, main i').length;",
            vec![],
        )
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
    let message = app.find("[role='alert'] p").await.text().await.unwrap();
    assert!(message.contains("--data-dir"), "{message}");
    app.check_accessibility("the cannot-open message").await;
    app.close().await;
}

fn shift(hhmm: &str, by: i64) -> String {
    let m = minutes_of(hhmm) + by;
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[tokio::test]
async fn a_surrey_version_is_made_changed_compared_and_takes_a_national_change() {
    let app = Harness::start().await;
    app.ready().await;
    app.follow("Leading Change Together", "Leading Change Together")
        .await;
    app.click("#new-local-version").await;
    app.wait_for_heading("New local version").await;
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
        .eval("return document.getElementById('name').value;", vec![])
        .await;
    assert_eq!(name, "Leading Change Together: Surrey");
    app.type_into("#partners", "Surrey County Council\nSurrey Heartlands ICB")
        .await;
    app.click("form button[type='submit']").await;
    app.wait_for_heading("Leading Change Together: Surrey")
        .await;
    assert!(app
        .texts(".facts dd")
        .await
        .iter()
        .any(|d| d.contains("Surrey Heartlands ICB")));

    app.follow(
        "What’s different from the national version",
        "What’s different from the national version",
    )
    .await;
    assert!(app.texts(".empty").await[0].contains("is the same as the national version"));
    app.client.back().await.unwrap();
    app.wait_for_heading("Leading Change Together: Surrey")
        .await;

    // Lengthen the second item: every later start moves by ten minutes.
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[0], &sessions[0]).await;
    let before = app.agenda_starts().await;
    let second = app.find_all("[data-testid='agenda-item']").await[1]
        .attr("data-id")
        .await
        .unwrap()
        .unwrap();
    let minutes: i64 = app.find_all("[data-testid='agenda-item']").await[1]
        .attr("data-minutes")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    app.click(&format!("#edit-{second}")).await;
    app.type_into("#item-minutes", &(minutes + 10).to_string())
        .await;
    app.find("#item-minutes")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    app.wait_saved().await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"agenda-item\"]')[1].dataset.minutes === arguments[0];",
        vec![serde_json::json!((minutes + 10).to_string())],
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
    app.client.back().await.unwrap();
    app.wait_for_heading("Leading Change Together: Surrey")
        .await;
    app.follow(
        "What’s different from the national version",
        "What’s different from the national version",
    )
    .await;
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
    app.follow("Leading Change Together", "Leading Change Together")
        .await;
    app.follow("National version", "National version").await;
    let national_sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&national_sessions[0], &national_sessions[0])
        .await;
    let first = app.find_all("[data-testid='agenda-item']").await[0]
        .attr("data-id")
        .await
        .unwrap()
        .unwrap();
    app.click(&format!("#edit-{first}")).await;
    app.type_into("#item-title", "Arrival, welcome and check-in")
        .await;
    app.find("#item-title")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    app.wait_saved().await;

    // Surrey is offered the change and takes it; its own edit stays.
    app.follow("Leading Change Together", "Leading Change Together")
        .await;
    app.follow(
        "Leading Change Together: Surrey",
        "Leading Change Together: Surrey",
    )
    .await;
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
    app.wait_for_heading("Leading Change Together: Surrey")
        .await;
    assert!(app
        .find_all("[data-testid='national-changes']")
        .await
        .is_empty());
    app.follow(&sessions[0], &sessions[0]).await;
    let titles = app.texts("[data-testid='agenda-item'] .item-title").await;
    assert_eq!(titles[0], "Arrival, welcome and check-in");
    let kept = app.find_all("[data-testid='agenda-item']").await[1]
        .attr("data-minutes")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, (minutes + 10).to_string());
    app.close().await;
}

#[tokio::test]
async fn a_one_off_session_is_built_from_library_exercises_by_keyboard() {
    let app = Harness::start().await;
    app.ready().await;
    app.type_into("#new-standalone-title", "Peer learning for system stewards")
        .await;
    app.find("#new-standalone-title")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.wait_for_heading("Peer learning for system stewards")
        .await;
    assert!(app.texts(".empty").await[0].contains("no agenda items yet"));

    for exercise in ["Troika", "Fishbowl"] {
        app.type_into("#picker-search", exercise).await;
        // The results narrow to the one exercise as the search is typed.
        app.wait_for_js(
            "const b = [...document.querySelectorAll('.picker-results button')]; return b.length === 1 && b[0].getAttribute('aria-label').includes(arguments[0]);",
            vec![serde_json::json!(exercise)],
        )
        .await;
        app.click(".picker-results button").await;
        app.wait_saved().await;
    }
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"agenda-item\"]').length === 2;",
        vec![],
    )
    .await;
    let titles = app.texts("[data-testid='agenda-item'] .item-title").await;
    assert!(
        titles[0].contains("Troika") && titles[1].contains("Fishbowl"),
        "{titles:?}"
    );
    let rows = app.find_all("[data-testid='agenda-item']").await;
    let first_minutes: i64 = rows[0]
        .attr("data-minutes")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
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
    let second = rows[1].attr("data-id").await.unwrap().unwrap();
    let handle = app.find(&format!("#edit-{second}")).await;
    handle
        .send_keys(&format!("{}{}", Key::Alt, Key::Up))
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"agenda-item\"] .item-title').textContent.includes('Fishbowl');", vec![]).await;

    // Delete, then Undo.
    app.click(&format!("#delete-{second}")).await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"agenda-item\"]').length === 1;",
        vec![],
    )
    .await;
    app.click("#toast-undo").await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"agenda-item\"]').length === 2;",
        vec![],
    )
    .await;

    // Editing the exercise in the library leaves the agenda's copy alone but says so.
    let exercise_link = app
        .eval("return document.querySelector('.badge') && 1;", vec![])
        .await;
    assert_eq!(exercise_link, 1);
    app.click(&format!("#edit-{second}")).await;
    app.click(".exercise-link a").await;
    app.find("#edit-exercise").await.click().await.unwrap();
    app.find("#exercise-purpose").await;
    app.type_into("#exercise-purpose", "A revised purpose for the fishbowl.")
        .await;
    app.find("#exercise-purpose")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    app.wait_saved().await;
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
    app.wait_for_js("return ![...document.querySelectorAll('[data-testid=\"agenda-item\"] .badge')].some(b => b.textContent.includes('changed'));", vec![]).await;
    app.close().await;
}
