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

    // Tab to the first result and open it with Enter.
    search.send_keys(&Key::Tab.to_string()).await.unwrap();
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
