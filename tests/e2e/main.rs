//! End-to-end tests: the real Fieldbook window, driven through WebDriver as a facilitator
//! would use it. Each test starts its own display, driver and app on a temporary data folder.

mod files;
mod harness;
mod phone;
mod window;

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

    // Dragging the first row onto the second moves it there.
    app.eval(
        "const rows = document.querySelectorAll('[data-testid=\"agenda-item\"]');
         const data = new DataTransfer();
         rows[0].dispatchEvent(new DragEvent('dragstart', { dataTransfer: data, bubbles: true }));
         rows[1].dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));",
        vec![],
    )
    .await;
    app.wait_for_js("return document.querySelector('[data-testid=\"agenda-item\"] .item-title').textContent.includes('Troika');", vec![]).await;

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

/// 09:30 UTC on Wednesday 27 January 2027, Sunderland's first session day.
const SESSION_DAY_MS: i64 = 1_801_042_200_000;

/// Opens Sunderland's first session from the programmes screen.
async fn open_sunderland_first_session(app: &Harness) -> String {
    app.follow("Leading Change Together", "Leading Change Together")
        .await;
    app.follow(
        "Leading Change Together: Sunderland",
        "Leading Change Together: Sunderland",
    )
    .await;
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[0], &sessions[0]).await;
    sessions[0].clone()
}

/// A data folder with the demo content: the open store, Sunderland's version and its first
/// session.
async fn seeded(data_dir: &std::path::Path) -> (fieldbook_core::Store, uuid::Uuid, uuid::Uuid) {
    let store = fieldbook_core::Store::open(data_dir).await.unwrap();
    fieldbook_core::demo::seed_demo(&store).await.unwrap();
    let version = store
        .programme_overviews()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|o| o.versions)
        .find(|v| v.version.place == "Sunderland")
        .unwrap()
        .version
        .meta
        .id;
    let session = store.sessions_of(version).await.unwrap()[0].meta.id;
    (store, version, session)
}

/// A data folder with the demo content and a Sunderland cohort of `names`.
async fn seeded_with_cohort(data_dir: &std::path::Path, names: &[&str]) {
    let (store, version, _) = seeded(data_dir).await;
    for name in names {
        let form: fieldbook_core::day::NewParticipant = serde_json::from_value(serde_json::json!({
            "name": name, "organisation": "Sunderland VCS Alliance", "sector": "voluntary", "consent_named": true
        }))
        .unwrap();
        store.add_participant(Some(version), form).await.unwrap();
    }
    store.close().await;
}

#[tokio::test]
async fn a_session_runs_offline_through_three_items_with_an_extension_on_a_controlled_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = tmp.path().join("clock");
    let set_clock = |ms: i64| std::fs::write(&clock, ms.to_string()).unwrap();
    set_clock(SESSION_DAY_MS);
    let data_dir = tmp.path().join("data");
    let clock_arg = clock.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--clock-file".into(), clock_arg]).await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    let minutes: Vec<i64> = {
        let mut m = Vec::new();
        for row in app.find_all("[data-testid='agenda-item']").await {
            m.push(
                row.attr("data-minutes")
                    .await
                    .unwrap()
                    .unwrap()
                    .parse()
                    .unwrap(),
            );
        }
        m
    };
    app.click("#run-session").await;
    app.wait_for_heading(&title).await;
    app.find("#run-start").await;
    app.check_accessibility("run mode before the start").await;

    // S starts the session: the first item, with all its time left.
    app.find("body").await.send_keys("s").await.unwrap();
    let countdown = |expected: String| {
        let app = &app;
        async move {
            app.wait_for_js(
                "return document.querySelector('[data-testid=\"countdown\"]')?.textContent === arguments[0];",
                vec![serde_json::json!(expected)],
            )
            .await;
        }
    };
    countdown(format!("{}:00", minutes[0])).await;
    let level = || {
        app.eval(
            "return document.querySelector('[data-testid=\"time-level\"]').dataset.level;",
            vec![],
        )
    };
    assert_eq!(level().await, "plenty");

    // With a fifth of the time left, the level changes (in words as well as colour).
    let mut now = SESSION_DAY_MS + (minutes[0] * 60 - minutes[0] * 60 / 5) * 1000;
    set_clock(now);
    countdown(format!(
        "{}:{:02}",
        minutes[0] / 5,
        (minutes[0] * 60 / 5) % 60
    ))
    .await;
    assert_eq!(level().await, "low");
    let words = app
        .find("[data-testid='time-level']")
        .await
        .text()
        .await
        .unwrap();
    assert!(words.contains("fifth"), "{words}");
    app.check_accessibility("run mode with little time left")
        .await;
    app.screenshot("run-mode").await;

    // Run two minutes over, then give it five more.
    now += (minutes[0] * 60 / 5 + 120) * 1000;
    set_clock(now);
    countdown("+2:00".into()).await;
    assert_eq!(level().await, "over");
    app.click("#run-extend-5").await;
    countdown("3:00".into()).await;

    // Next: the second item, then the third after its planned time exactly.
    now += 60 * 1000;
    set_clock(now);
    app.find("body").await.send_keys("n").await.unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"stage-label\"], .stage-label').textContent.startsWith('Item 2');", vec![]).await;
    now += minutes[1] * 60 * 1000;
    set_clock(now);
    app.click("#run-next").await;
    app.wait_for_js(
        "return document.querySelector('.stage-label').textContent.startsWith('Item 3');",
        vec![],
    )
    .await;
    now += 60 * 1000;
    set_clock(now);
    countdown(format!("{}:00", minutes[2] - 1)).await;

    // Planned against actual: 3 minutes over, on time, and the rest of the day moved.
    let against = app
        .wait_for_js(
            "const t = [...document.querySelectorAll('[data-testid=\"against-plan\"]')].map(c => c.textContent); return t[1] === 'on time' ? t : null;",
            vec![],
        )
        .await;
    assert_eq!(against[0], "3 min over");
    assert_eq!(against[1], "on time");
    let up_next = app
        .find("[data-testid='up-next']")
        .await
        .text()
        .await
        .unwrap();
    let planned_fourth = 9 * 60 + 30 + minutes[..3].iter().sum::<i64>();
    let expected = planned_fourth + 3;
    assert!(
        up_next.contains(&format!("{:02}:{:02}", expected / 60, expected % 60)),
        "{up_next} should say the fourth item now starts three minutes late"
    );

    // The session's page shows how it ran.
    app.follow("Leave run mode", &title).await;
    app.find("[data-testid='how-it-ran']").await;
    let ran = app.texts("[data-testid='how-it-ran']").await;
    assert!(
        ran[0].contains("3 min over") && ran[1].contains("on time"),
        "{ran:?}"
    );

    // Nothing the session did reached beyond the app itself.
    let outside = app
        .eval(
            "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
               .map(e => e.name).filter(u => !/^(tauri:|ipc:|http:\\/\\/(tauri|ipc)\\.localhost|data:|about:)/.test(u));",
            vec![],
        )
        .await;
    assert_eq!(outside, serde_json::json!([]), "requests left the app");
    app.close().await;
}

#[tokio::test]
async fn twenty_reflections_are_captured_by_keyboard_and_survive_a_killed_app() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    seeded_with_cohort(&data_dir, &["Amira Shah", "Ben Adeyemi"]).await;
    let app = Harness::start_with(tmp, data_dir.clone()).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;
    let box_ = app.find("#reflection-text").await;
    box_.click().await.unwrap();
    for n in 1..=20 {
        box_.send_keys(&format!(
            "Reflection {n}: we should start with the people who use the service{}",
            Key::Enter
        ))
        .await
        .unwrap();
    }
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-count\"]').textContent === '20 reflections';", vec![]).await;
    app.check_accessibility("run mode with reflections").await;

    // One more, typed but never finished with Enter; after a pause it is saved.
    box_.send_keys("Half a thought about trust").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let pid = app.app_pid();
    std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    let (tmp, data_dir) = app.stop().await;

    // Everything saved is there after the crash, and the database is sound.
    {
        let store = fieldbook_core::Store::open(&data_dir).await.unwrap();
        assert_eq!(store.counts().await.unwrap()["reflection"], 21);
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-count\"]').textContent === '21 reflections';", vec![]).await;
    let texts = app.texts("[data-testid='captured-reflection']").await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Half a thought about trust")),
        "{texts:?}"
    );
    app.close().await;
}

#[tokio::test]
async fn attendance_takes_a_key_a_name_and_the_capture_screen_shows_no_names() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    seeded_with_cohort(&data_dir, &["Amira Shah", "Ben Adeyemi", "Chloe Turner"]).await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#attendance-link").await;
    app.wait_for_heading("Attendance").await;
    // Focus starts on the first person; P, L, A mark and move on.
    for key in ["p", "l", "a"] {
        let active = app.client.active_element().await.unwrap();
        active.send_keys(key).await.unwrap();
        app.wait_saved().await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    let statuses = app
        .wait_for_js(
            "const s = [...document.querySelectorAll('[data-testid=\"attendance-row\"]')].map(r => r.dataset.status); return s.every(x => x) ? s : null;",
            vec![],
        )
        .await;
    assert_eq!(statuses, serde_json::json!(["present", "late", "absent"]));
    app.type_into("#walk-in-name", "Dev Patel").await;
    app.click(".panel button[type='submit']").await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"attendance-row\"]').length === 4;",
        vec![],
    )
    .await;
    app.check_accessibility("attendance").await;

    // The participants' screen: only the prompt and a box, and a code to leave.
    app.follow("Go to run mode", "Seeing the system together")
        .await;
    app.click("#hand-round").await;
    app.type_into("#capture-code", "2468").await;
    app.find("#capture-code")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let box_ = app.find("#capture-text").await;
    let shown = app.eval("return document.body.innerText;", vec![]).await;
    for name in ["Amira", "Ben Adeyemi", "Chloe", "Dev Patel"] {
        assert!(
            !shown.as_str().unwrap().contains(name),
            "{name} is shown on the capture screen"
        );
    }
    box_.send_keys(&format!("I will ask before I assume{}", Key::Enter))
        .await
        .unwrap();
    app.wait_for_js(
        "return document.querySelector('.capture-thanks').textContent.includes('Thank you');",
        vec![],
    )
    .await;
    app.check_accessibility("the participants' capture screen")
        .await;
    app.screenshot("capture").await;
    // Alt+1 and Back do not leave; a wrong code does not either.
    box_.send_keys(&format!("{}1", Key::Alt)).await.unwrap();
    app.client.back().await.unwrap();
    assert!(app.find_all("#capture-text").await.len() == 1);
    box_.send_keys(&Key::Escape.to_string()).await.unwrap();
    app.type_into("#capture-exit-code", "0000").await;
    app.find("#capture-exit-code")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.find("#capture-exit-error:not([hidden])").await;
    app.type_into("#capture-exit-code", "2468").await;
    app.find("#capture-exit-code")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.find("#reflection-text").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-count\"]').textContent === '1 reflection';", vec![]).await;
    app.close().await;
}

#[tokio::test]
async fn actions_come_back_at_the_next_session_and_notes_and_edits_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    seeded_with_cohort(&data_dir, &["Amira Shah"]).await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;

    // An action for Amira, a running note and an observation.
    let who = app.find("#action-who").await;
    who.send_keys("Amira").await.unwrap();
    app.type_into(
        "#action-text",
        "Invite the housing team to the next cohort meeting",
    )
    .await;
    app.find("#action-text")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.wait_saved().await;
    app.type_into(
        "#session-note",
        "The room was too warm; moved to the hall after lunch.",
    )
    .await;
    app.find("#session-note")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    app.wait_saved().await;
    app.type_into("#observation-text", "Energy dipped after lunch")
        .await;
    app.find("#observation-text")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.wait_for_js("return [...document.querySelectorAll('.captured li')].some(l => l.textContent.includes('Energy dipped'));", vec![]).await;

    // A reflection, then corrected: the earlier wording is kept.
    let box_ = app.find("#reflection-text").await;
    box_.send_keys(&format!("We shuold listen first{}", Key::Enter))
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-count\"]').textContent === '1 reflection';", vec![]).await;
    app.click("[data-testid='captured-reflection'] button")
        .await;
    app.type_into("#reflection-text", "We should listen first")
        .await;
    app.find("#reflection-text")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"captured-reflection\"] .captured-text').textContent === 'We should listen first';", vec![]).await;
    assert_eq!(
        app.texts("[data-testid='reflection-count']").await[0],
        "1 reflection"
    );
    app.click("[data-testid='captured-reflection'] button + button")
        .await;
    app.wait_for_js("return [...document.querySelectorAll('.earlier li')].some(l => l.textContent.includes('We shuold listen first'));", vec![]).await;
    app.check_accessibility("run mode with actions and notes")
        .await;

    // At the cohort's next session, the action is there to follow up.
    app.follow("Leave run mode", "Seeing the system together")
        .await;
    app.find("#run-session").await;
    app.follow(
        "Leading Change Together: Sunderland",
        "Leading Change Together: Sunderland",
    )
    .await;
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[1], &sessions[1]).await;
    let follow = app
        .find("[data-testid='follow-up']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        follow.contains("Amira Shah") && follow.contains("Invite the housing team"),
        "{follow}"
    );
    app.check_accessibility("a session with actions to follow up")
        .await;
    app.close().await;
}

#[tokio::test]
async fn notes_are_exported_from_a_session_and_a_version_in_the_chosen_format() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--export-dir".into(), arg]).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.check_accessibility("a session with its export panel")
        .await;

    // A participant handout as a Word document.
    app.click("#export-participant").await;
    app.find("#export-format")
        .await
        .send_keys("Word")
        .await
        .unwrap();
    app.click("#export-button").await;
    let path = app
        .find("[data-testid='export-path']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        path.ends_with("seeing-the-system-together-participant-handout.docx"),
        "{path}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip");

    // The whole version's facilitator notes as a web page.
    app.follow(
        "Leading Change Together: Sunderland",
        "Leading Change Together: Sunderland",
    )
    .await;
    app.find("#export-format")
        .await
        .send_keys("Web")
        .await
        .unwrap();
    app.click("#export-button").await;
    let path = app
        .wait_for_js("const p = document.querySelector('[data-testid=\"export-path\"]'); return p && p.textContent.endsWith('.html') ? p.textContent : null;", vec![])
        .await;
    let html = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Facilitator notes"));
    assert_eq!(html.matches("<section class=\"session\"").count(), 4);
    app.check_accessibility("a version with its export panel")
        .await;
    app.close().await;
}

#[tokio::test]
async fn save_as_pdf_prints_the_notes_with_webkit_without_a_dialog() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--export-dir".into(), arg]).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#export-participant").await;
    app.click("#export-pdf").await;
    let path = app
        .wait_for_js("const p = document.querySelector('[data-testid=\"export-path\"]'); return p && p.textContent.endsWith('.pdf') ? p.textContent : null;", vec![])
        .await;
    let path = std::path::PathBuf::from(path.as_str().unwrap());
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
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("(A4)"), "A4: {info}");
    let text = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Seeing the system together"), "{text}");
    assert!(text.contains("Joanne Hetherington"), "{text}");
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "no partial file is left: {names:?}");
    // Its first page, kept to look at (not committed).
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/artifacts/documents");
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
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let documents = home.join("Documents");
    std::fs::create_dir_all(&documents).unwrap();
    let data_dir = tmp.path().join("data");
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
    let shown = app
        .find("[data-testid='export-path']")
        .await
        .text()
        .await
        .unwrap();
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

#[tokio::test]
async fn two_laptops_sync_through_a_folder_and_a_conflict_is_settled_in_the_window() {
    use fieldbook_core::sync::BundleScope;
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir, shared) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("shared"),
    );
    std::fs::create_dir_all(&shared).unwrap();
    let lct = {
        // Two laptops with the same programmes, then each renames the same one.
        let a = fieldbook_core::Store::open(&a_dir).await.unwrap();
        fieldbook_core::demo::seed_demo(&a).await.unwrap();
        let b = fieldbook_core::Store::open(&b_dir).await.unwrap();
        b.import_bundles(
            &[a.export_bundle(BundleScope::Everything, None)
                .await
                .unwrap()],
            None,
            false,
        )
        .await
        .unwrap();
        let lct = a
            .programme_overviews()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.programme.title == "Leading Change Together")
            .unwrap()
            .programme
            .meta
            .id;
        for (store, title) in [
            (&a, "Leading Change Together: North East"),
            (&b, "Leading Change Together 2027"),
        ] {
            store
                .update(
                    "programme",
                    lct,
                    serde_json::json!({ "title": title })
                        .as_object()
                        .unwrap()
                        .clone(),
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
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}3", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Sync").await;
    app.click("#sync-now").await;
    app.find("[data-testid='sync-summary']").await;
    app.check_accessibility("sync").await;
    let (other, _) = app.stop().await;

    // A cut-short copy lands in the folder too, long enough ago not to be still arriving.
    let damaged = shared.join("from the USB stick.fieldbook");
    std::fs::write(&damaged, b"PK\x03\x04 cut short").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&damaged)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();

    // Laptop B syncs: it merges A's rename, and shows the conflict and the file it skipped.
    let app = Harness::start_with(other, b_dir.clone()).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}3", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Sync").await;
    app.click("#sync-now").await;
    let summary = app
        .wait_for_js("const s = document.querySelector('[data-testid=\"sync-summary\"]'); return s && s.textContent.includes('Merged') ? s.textContent : null;", vec![])
        .await;
    assert!(
        summary.as_str().unwrap().contains("1 conflict"),
        "{summary}"
    );
    // The screen draws the summary again once the conflicts are listed: read it when there.
    let skipped = app
        .wait_for_js("const s = document.querySelector('[data-testid=\"sync-skipped\"]'); return s && s.textContent.includes('from the USB stick.fieldbook') ? s.textContent : null;", vec![])
        .await;
    assert!(
        skipped.as_str().unwrap().contains("damaged or cut short"),
        "{skipped}"
    );
    let conflict = app
        .find("[data-testid='conflict']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        conflict.contains("North East") && conflict.contains("2027"),
        "{conflict}"
    );
    app.check_accessibility("a conflict to settle").await;
    app.screenshot("conflict").await;
    // Keep the other version (whichever lost), then sync again.
    app.click("#keep-0-1").await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"conflict\"]').length === 0;",
        vec![],
    )
    .await;
    app.click("#sync-now").await;
    app.find("[data-testid='sync-summary']").await;
    app.close().await;

    // A takes B's settlement: both laptops hold the same, with no conflict left.
    let a = fieldbook_core::Store::open(&a_dir).await.unwrap();
    let b = fieldbook_core::Store::open(&b_dir).await.unwrap();
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
    use fieldbook_core::sync::BundleScope;
    let long = "Very long reflection. ".repeat(400);
    let payloads = [
        "<script>document.body.dataset.pwned='script'</script>",
        "<img src=x onerror=\"document.body.dataset.pwned='img'\">",
        "<a href=\"javascript:document.body.dataset.pwned='link'\">click me</a>",
        "مرحبا بالعالم \u{202E}reversed\u{202C} zero\u{200B}width 🌱🤝",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let sender = tmp.path().join("sender");
    {
        // Another laptop writes the hostile text; this one receives it in a bundle.
        let (other, version, session) = seeded(&sender).await;
        let form: fieldbook_core::day::NewParticipant = serde_json::from_value(serde_json::json!({
            "name": payloads[1], "organisation": payloads[3], "consent_named": true, "consent_quoted": true
        })).unwrap();
        let person = other.add_participant(Some(version), form).await.unwrap();
        for text in payloads.iter().map(|p| p.to_string()).chain([long.clone()]) {
            other
                .save_reflection(fieldbook_core::day::ReflectionDraft {
                    id: None,
                    session_id: session,
                    agenda_item_id: None,
                    participant_id: Some(person.meta.id),
                    prompt: String::new(),
                    text,
                })
                .await
                .unwrap();
        }
        let here = fieldbook_core::Store::open(&data_dir).await.unwrap();
        here.import_bundles(
            &[other
                .export_bundle(BundleScope::Everything, None)
                .await
                .unwrap()],
            None,
            false,
        )
        .await
        .unwrap();
        here.close().await;
        other.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"captured-reflection\"]').length === 5;",
        vec![],
    )
    .await;
    let shown = app
        .eval("return document.querySelector('main').innerText;", vec![])
        .await;
    let shown = shown.as_str().unwrap();
    for p in &payloads[..3] {
        assert!(shown.contains(p), "{p} is not shown as written");
    }
    assert!(shown.contains("مرحبا بالعالم") && shown.contains("🌱🤝"));
    let pwned = app
        .eval("return document.body.dataset.pwned || null;", vec![])
        .await;
    assert!(pwned.is_null(), "hostile text ran: {pwned}");
    let elements = app.eval("return document.querySelectorAll('main script, main img, main a[href^=\"javascript\"]').length;", vec![]).await;
    assert_eq!(elements, 0);
    app.check_accessibility("run mode with hostile text").await;

    // The participant's page, then erasure after confirming.
    app.follow("Leave run mode", "Seeing the system together")
        .await;
    app.find("#run-session").await;
    app.follow(
        "Leading Change Together: Sunderland",
        "Leading Change Together: Sunderland",
    )
    .await;
    app.follow("Cohort and consent", "Cohort").await;
    app.follow(payloads[1], payloads[1]).await;
    app.check_accessibility("a participant").await;
    app.click("#consent-quoted").await;
    app.wait_saved().await;
    let when = app.find("#consent-quoted-when").await.text().await.unwrap();
    assert!(when.contains("Withdrawn"), "{when}");
    app.click("#erase").await;
    app.type_into("#confirm-erase-typed", payloads[1]).await;
    app.click("#confirm-erase").await;
    app.wait_for_heading("Cohort").await;
    assert!(app
        .texts("[data-testid='participant']")
        .await
        .iter()
        .all(|t| !t.contains("onerror")));
    assert!(app
        .eval("return document.body.dataset.pwned || null;", vec![])
        .await
        .is_null());
    app.close().await;
}

#[tokio::test]
async fn backups_are_made_daily_on_demand_and_saved_elsewhere_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("usb-stick");
    std::fs::create_dir_all(&exports).unwrap();
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--export-dir".into(), arg]).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}4", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Data and backups").await;
    // Today's backup was made when Fieldbook opened.
    app.wait_for_js("return [...document.querySelectorAll('[data-testid=\"backup\"]')].some(r => r.textContent.includes('Daily'));", vec![]).await;
    app.check_accessibility("data and backups").await;
    app.click("#backup-now").await;
    app.wait_for_js("return [...document.querySelectorAll('[data-testid=\"backup\"]')].some(r => r.textContent.includes('Made by you'));", vec![]).await;
    app.click("#save-backup").await;
    app.wait_for_js(
        "return document.querySelector('[role=\"status\"] code');",
        vec![],
    )
    .await;
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
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    {
        let store = fieldbook_core::Store::open(&data_dir).await.unwrap();
        fieldbook_core::demo::seed_demo(&store).await.unwrap();
        let lct = store
            .programme_overviews()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.programme.title == "Leading Change Together")
            .unwrap();
        let sunderland = lct
            .versions
            .iter()
            .find(|v| v.version.place == "Sunderland")
            .unwrap()
            .version
            .meta
            .id;
        let session = store.sessions_of(sunderland).await.unwrap()[0].meta.id;
        let patch = |v: serde_json::Value| v.as_object().unwrap().clone();
        store
            .update(
                "programme",
                lct.programme.meta.id,
                patch(serde_json::json!({"retention_months": 12})),
            )
            .await
            .unwrap();
        store
            .update(
                "session",
                session,
                patch(serde_json::json!({"date": "2024-03-06"})),
            )
            .await
            .unwrap();
        store
            .save_session_note(session, "Notes from a long time ago")
            .await
            .unwrap();
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir.clone()).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}4", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Data and backups").await;
    let past = app.texts("[data-testid='past-retention']").await;
    assert_eq!(past.len(), 1);
    assert!(
        past[0].contains("1 notes") && past[0].contains("12 months"),
        "{past:?}"
    );
    app.click("#delete-past").await;
    app.click("#confirm-delete-past").await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=\"past-retention\"]').length === 0;",
        vec![],
    )
    .await;
    app.check_accessibility("retention").await;
    app.close().await;
}

#[tokio::test]
async fn reflections_are_searched_by_stem_filtered_and_marked() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    {
        let (store, version, session) = seeded(&data_dir).await;
        for (name, sector, text) in [
            (
                "Asha Patel",
                "public",
                "We keep listening to communities and then ignoring them.",
            ),
            (
                "Rob Hindmarsh",
                "voluntary",
                "I will listen first at the next panel.",
            ),
            (
                "Rob Hindmarsh",
                "voluntary",
                "Trust is built in small promises kept.",
            ),
        ] {
            let form: fieldbook_core::day::NewParticipant = serde_json::from_value(
                serde_json::json!({ "name": name, "sector": sector, "consent_named": true }),
            )
            .unwrap();
            let person = store.add_participant(Some(version), form).await.unwrap();
            store
                .save_reflection(fieldbook_core::day::ReflectionDraft {
                    id: None,
                    session_id: session,
                    agenda_item_id: None,
                    participant_id: Some(person.meta.id),
                    prompt: String::new(),
                    text: text.into(),
                })
                .await
                .unwrap();
        }
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}5", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Reflections").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '3 reflections';", vec![]).await;
    app.type_into("#reflection-search", "listening").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '2 reflections match';", vec![]).await;
    let marks = app.texts("[data-testid='reflection-hit'] mark").await;
    assert!(
        marks.iter().any(|m| m == "listening") && marks.iter().any(|m| m == "listen"),
        "{marks:?}"
    );
    app.find("#filter-sector")
        .await
        .send_keys("Public")
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '1 reflection match';", vec![]).await;
    app.type_into("#reflection-search", "\"unclosed * NEAR(")
        .await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent.startsWith('0');", vec![]).await;
    assert!(
        app.find_all("[role='alert']").await.is_empty(),
        "symbols broke the search"
    );
    app.check_accessibility("reflections").await;
    app.screenshot("reflections").await;
    app.close().await;
}

/// The Themes screen (Alt+6) with the summary of the programme whose title starts `title`.
async fn open_themes_of(app: &Harness, title: &str) {
    app.find("body")
        .await
        .send_keys(&format!("{}6", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Themes").await;
    app.find("#summary-programme")
        .await
        .send_keys(title)
        .await
        .unwrap();
}

#[tokio::test]
async fn reflections_are_tagged_by_keyboard_and_the_theme_summary_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    {
        let (store, _version, session) = seeded(&data_dir).await;
        for text in [
            "Trust is built in small promises kept.",
            "Nobody trusts the budget process here.",
            "We listened to residents at last.",
        ] {
            store
                .save_reflection(fieldbook_core::day::ReflectionDraft {
                    id: None,
                    session_id: session,
                    agenda_item_id: None,
                    participant_id: None,
                    prompt: "What gets in the way?".into(),
                    text: text.into(),
                })
                .await
                .unwrap();
        }
        store.close().await;
    }
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--export-dir".into(), arg]).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}5", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Reflections").await;
    app.type_into("#reflection-search", "trust").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '2 reflections match';", vec![]).await;

    // A new theme, then both matches selected and tagged with its number, by keyboard only.
    app.type_into("#new-theme-name", "Trust").await;
    app.find("#new-theme-name")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    app.wait_for_js(
        "return document.querySelector('#theme-keys .theme-key-name')?.textContent === 'Trust';",
        vec![],
    )
    .await;
    let list = app.find("#reflection-list").await;
    app.eval(
        "document.getElementById('reflection-list').focus();",
        vec![],
    )
    .await;
    list.send_keys(" ").await.unwrap();
    list.send_keys(&format!("{}{}", Key::Shift, Key::Down))
        .await
        .unwrap();
    app.wait_for_js("return document.getElementById('selection-count').textContent === '2 reflections selected';", vec![]).await;
    list.send_keys("1").await.unwrap();
    app.wait_for_js("return document.querySelectorAll('[data-testid=\"reflection-hit\"] .tag-small').length === 2;", vec![]).await;
    assert!(app.texts("#toast").await[0].contains("Tagged 2 reflections with “Trust”"));
    // Enter opens the reflection in view with what the others said to the same prompt.
    list.send_keys(&Key::Enter.to_string()).await.unwrap();
    app.wait_for_js("const d = document.getElementById('reflection-detail'); return d && !d.hidden && d.textContent.includes('Others answering the same prompt in this session (2)');", vec![]).await;
    app.check_accessibility("a reflection in its context").await;
    app.screenshot("reflection-in-context").await;
    app.check_accessibility("reflections coded with a theme")
        .await;
    app.screenshot("reflections-tagged").await;

    // The summary counts them, and the chart is saved as an SVG image.
    open_themes_of(&app, "Leading").await;
    let total = "document.querySelector('[data-testid=\"summary-table\"] tr[data-theme=\"Trust\"] [data-total]')?.textContent";
    let got = app
        .wait_for_js(&format!("return {total} === '2' || null;"), vec![])
        .await;
    assert_eq!(got, serde_json::json!(true));
    app.check_accessibility("themes summary").await;
    app.screenshot("themes-summary").await;
    app.click("#save-chart").await;
    app.wait_for_js(
        "return document.querySelector('#save-chart + [role=status] code') !== null;",
        vec![],
    )
    .await;
    let charts: Vec<_> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert_eq!(charts.len(), 1, "{charts:?}");
    let svg = std::fs::read_to_string(&charts[0]).unwrap();
    assert!(
        svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains(">Trust<"),
        "{svg}"
    );
    assert!(
        !svg.contains("<script") && !svg.contains("http://")
            || svg.contains("http://www.w3.org/2000/svg")
    );

    // Sunderland against the national version: Trust came up only in Sunderland.
    app.find("#summary-view")
        .await
        .send_keys("Compare")
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('#only-a')?.closest('section')?.textContent.includes('Trust') || document.querySelector('#only-b')?.closest('section')?.textContent.includes('Trust') || null;", vec![]).await;
    app.check_accessibility("two places compared").await;
    app.screenshot("themes-compared").await;

    // The learning summary, as Word, holds the theme.
    app.find("#learning-format")
        .await
        .send_keys("Word")
        .await
        .unwrap();
    app.click("#save-learning-summary").await;
    app.wait_for_js(
        "return document.querySelector('#save-learning-summary + [role=status] code') !== null;",
        vec![],
    )
    .await;
    let word = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "docx"))
        .expect("a Word file");
    let bytes = std::fs::read(&word).unwrap();
    assert!(bytes.starts_with(b"PK"), "not a zip: {}", word.display());

    // Back to the reflections: the third is tagged too, and the summary follows.
    app.find("body")
        .await
        .send_keys(&format!("{}5", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Reflections").await;
    app.find("#filter-theme")
        .await
        .send_keys("No theme")
        .await
        .unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '1 reflection';", vec![]).await;
    let list = app.find("#reflection-list").await;
    app.eval(
        "document.getElementById('reflection-list').focus();",
        vec![],
    )
    .await;
    list.send_keys("1").await.unwrap();
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '0 reflections';", vec![]).await;
    open_themes_of(&app, "Leading").await;
    app.wait_for_js(&format!("return {total} === '3' || null;"), vec![])
        .await;
    app.close().await;
}

#[tokio::test]
async fn a_hundred_thousand_reflections_scroll_with_only_the_rows_in_view_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    {
        let store = fieldbook_core::Store::open(&data_dir).await.unwrap();
        fieldbook_core::generate::generate(&store, 100_000, 7, |_| {})
            .await
            .unwrap();
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    app.find("body")
        .await
        .send_keys(&format!("{}5", Key::Alt))
        .await
        .unwrap();
    app.wait_for_heading("Reflections").await;
    app.wait_for_js("return document.querySelector('[data-testid=\"reflection-total\"]').textContent === '100,000 reflections';", vec![]).await;
    let list = app.find("#reflection-list").await;
    app.eval(
        "document.getElementById('reflection-list').focus();",
        vec![],
    )
    .await;
    let started = std::time::Instant::now();
    list.send_keys(&Key::End.to_string()).await.unwrap();
    let last = app
        .wait_for_js("const row = document.getElementById('hit-99999'); return row && row.dataset.id ? row.getAttribute('aria-posinset') : null;", vec![])
        .await;
    eprintln!(
        "End of 100,000 reflections drawn in {:?}",
        started.elapsed()
    );
    assert_eq!(last, serde_json::json!("100000"));
    let drawn = app
        .eval(
            "return document.querySelectorAll('#reflection-list [role=option]').length;",
            vec![],
        )
        .await;
    assert!(drawn.as_u64().unwrap() < 40, "{drawn} rows drawn");
    // Scrolling through the middle keeps drawing real rows.
    for fraction in [0.25, 0.5, 0.75] {
        app.eval(
            &format!("const l = document.getElementById('reflection-list'); l.scrollTop = l.scrollHeight * {fraction};"),
            vec![],
        )
        .await;
        app.wait_for_js("return [...document.querySelectorAll('#reflection-list [role=option]')].some((r) => r.dataset.id && r.getBoundingClientRect().top >= r.parentElement.parentElement.getBoundingClientRect().top);", vec![]).await;
    }
    app.check_accessibility("a long list of reflections").await;
    app.screenshot("reflections-100k").await;
    app.close().await;
}
