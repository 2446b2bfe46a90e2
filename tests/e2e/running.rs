//! Running a session: run mode on a controlled clock, reflections captured by keyboard that
//! survive a killed app, attendance and the participants' capture screen, and actions, notes
//! and observations that come back at the next session.

use fantoccini::key::Key;
use serde_json::json;

use crate::fixtures::{
    data_folder, item_minutes, open_run_mode, open_sunderland_first_session, seeded_with_cohort,
    wait_for_item, SESSION_DAY_MS, SUNDERLAND,
};
use crate::harness::Harness;

const REFLECTION_COUNT: &str = "[data-testid='reflection-count']";

/// Opens Fieldbook on a data folder holding the demo and a Sunderland cohort of `names`, in
/// run mode on Sunderland's first session.
async fn run_mode_with_cohort(names: &[&str]) -> Harness {
    let (tmp, data_dir) = data_folder();
    seeded_with_cohort(&data_dir, names).await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#run-session").await;
    app
}

#[tokio::test]
async fn a_session_runs_offline_through_three_items_with_an_extension_on_a_controlled_clock() {
    let (tmp, data_dir) = data_folder();
    let clock = tmp.path().join("clock");
    let set_clock = |ms: i64| std::fs::write(&clock, ms.to_string()).unwrap();
    set_clock(SESSION_DAY_MS);
    let app = Harness::start_with_option(tmp, data_dir, "--clock-file", &clock).await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    let minutes = item_minutes(&app).await;
    open_run_mode(&app, &title).await;
    app.check_accessibility("run mode before the start").await;

    // S starts the session: the first item, with all its time left.
    app.press("body", "s").await;
    let countdown = |expected: String| {
        let app = &app;
        async move {
            app.wait_for_text("[data-testid=\"countdown\"]", &expected)
                .await;
        }
    };
    countdown(format!("{}:00", minutes[0])).await;
    let level =
        || app.js("return document.querySelector('[data-testid=\"time-level\"]').dataset.level;");
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
    let words = app.text_of("[data-testid='time-level']").await;
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
    app.press("body", "n").await;
    wait_for_item(&app, 2).await;
    now += minutes[1] * 60 * 1000;
    set_clock(now);
    app.click("#run-next").await;
    wait_for_item(&app, 3).await;
    now += 60 * 1000;
    set_clock(now);
    countdown(format!("{}:00", minutes[2] - 1)).await;

    // Planned against actual: 3 minutes over, on time, and the rest of the day moved.
    let against = app
        .wait_until("const t = [...document.querySelectorAll('[data-testid=\"against-plan\"]')].map(c => c.textContent); return t[1] === 'on time' ? t : null;")
        .await;
    assert_eq!(against[0], "3 min over");
    assert_eq!(against[1], "on time");
    let up_next = app.text_of("[data-testid='up-next']").await;
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
        .js("return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
               .map(e => e.name).filter(u => !/^(tauri:|ipc:|http:\\/\\/(tauri|ipc)\\.localhost|data:|about:)/.test(u));")
        .await;
    assert_eq!(outside, json!([]), "requests left the app");
    app.close().await;
}

#[tokio::test]
async fn twenty_reflections_are_captured_by_keyboard_and_survive_a_killed_app() {
    let app = run_mode_with_cohort(&["Amira Shah", "Ben Adeyemi"]).await;
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
    app.wait_for_text(REFLECTION_COUNT, "20 reflections").await;
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
    app.wait_for_text(REFLECTION_COUNT, "21 reflections").await;
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
    let (tmp, data_dir) = data_folder();
    seeded_with_cohort(&data_dir, &["Amira Shah", "Ben Adeyemi", "Chloe Turner"]).await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    app.click("#attendance-link").await;
    app.wait_for_heading("Attendance").await;
    // Focus starts on the first person; P, L, A mark and move on.
    for key in ["p", "l", "a"] {
        app.press_on_focused(key).await;
        app.wait_saved().await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    let statuses = app
        .wait_until("const s = [...document.querySelectorAll('[data-testid=\"attendance-row\"]')].map(r => r.dataset.status); return s.every(x => x) ? s : null;")
        .await;
    assert_eq!(statuses, json!(["present", "late", "absent"]));
    app.type_into("#walk-in-name", "Dev Patel").await;
    app.click(".panel button[type='submit']").await;
    app.wait_for_count("[data-testid=\"attendance-row\"]", 4)
        .await;
    app.check_accessibility("attendance").await;

    // The participants' screen: only the prompt and a box, and a code to leave.
    app.follow("Go to run mode", "Seeing the system together")
        .await;
    app.click("#hand-round").await;
    app.type_then("#capture-code", "2468", Key::Enter).await;
    let box_ = app.find("#capture-text").await;
    let shown = app.js("return document.body.innerText;").await;
    for name in ["Amira", "Ben Adeyemi", "Chloe", "Dev Patel"] {
        assert!(
            !shown.as_str().unwrap().contains(name),
            "{name} is shown on the capture screen"
        );
    }
    box_.send_keys(&format!("I will ask before I assume{}", Key::Enter))
        .await
        .unwrap();
    app.wait_until(
        "return document.querySelector('.capture-thanks').textContent.includes('Thank you');",
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
    app.type_then("#capture-exit-code", "0000", Key::Enter)
        .await;
    app.find("#capture-exit-error:not([hidden])").await;
    app.type_then("#capture-exit-code", "2468", Key::Enter)
        .await;
    app.find("#reflection-text").await;
    app.wait_for_text(REFLECTION_COUNT, "1 reflection").await;
    app.close().await;
}

#[tokio::test]
async fn actions_come_back_at_the_next_session_and_notes_and_edits_are_kept() {
    let app = run_mode_with_cohort(&["Amira Shah"]).await;

    // An action for Amira, a running note and an observation.
    app.press("#action-who", "Amira").await;
    app.type_and_save(
        "#action-text",
        "Invite the housing team to the next cohort meeting",
        Key::Enter,
        "saved",
    )
    .await;
    app.type_and_save(
        "#session-note",
        "The room was too warm; moved to the hall after lunch.",
        Key::Tab,
        "saved",
    )
    .await;
    app.type_then("#observation-text", "Energy dipped after lunch", Key::Enter)
        .await;
    app.wait_until("return [...document.querySelectorAll('.captured li')].some(l => l.textContent.includes('Energy dipped'));").await;

    // A reflection, then corrected: the earlier wording is kept.
    app.press(
        "#reflection-text",
        &format!("We shuold listen first{}", Key::Enter),
    )
    .await;
    app.wait_for_text(REFLECTION_COUNT, "1 reflection").await;
    app.click("[data-testid='captured-reflection'] button")
        .await;
    app.type_then("#reflection-text", "We should listen first", Key::Enter)
        .await;
    app.wait_for_text(
        "[data-testid=\"captured-reflection\"] .captured-text",
        "We should listen first",
    )
    .await;
    assert_eq!(app.texts(REFLECTION_COUNT).await[0], "1 reflection");
    app.click("[data-testid='captured-reflection'] button + button")
        .await;
    app.wait_until("return [...document.querySelectorAll('.earlier li')].some(l => l.textContent.includes('We shuold listen first'));").await;
    app.check_accessibility("run mode with actions and notes")
        .await;

    // At the cohort's next session, the action is there to follow up.
    app.follow("Leave run mode", "Seeing the system together")
        .await;
    app.find("#run-session").await;
    app.follow(SUNDERLAND, SUNDERLAND).await;
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[1], &sessions[1]).await;
    let follow = app.text_of("[data-testid='follow-up']").await;
    assert!(
        follow.contains("Amira Shah") && follow.contains("Invite the housing team"),
        "{follow}"
    );
    app.check_accessibility("a session with actions to follow up")
        .await;
    app.close().await;
}
