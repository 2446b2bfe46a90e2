//! Reviewing what was said: reflections searched by stem, filtered and marked; tagged with
//! themes by keyboard with the summary, chart, comparison and learning summary following; and
//! a hundred thousand of them scrolled with only the rows in view drawn.

use fantoccini::key::Key;
use serde_json::json;

use crate::fixtures::{
    add_person, data_folder, data_folder_beside, files_with_extension, open_themes_of, reflect,
    saved_file, seeded,
};
use crate::harness::Harness;

const TOTAL: &str = "[data-testid=\"reflection-total\"]";

#[tokio::test]
async fn reflections_are_searched_by_stem_filtered_and_marked() {
    let (tmp, data_dir) = data_folder();
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
            let form = json!({ "name": name, "sector": sector, "consent_named": true });
            let person = add_person(&store, version, form).await;
            reflect(&store, session, Some(person), "", text).await;
        }
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.shortcut(5, "Reflections").await;
    app.wait_for_text(TOTAL, "3 reflections").await;
    app.type_into("#reflection-search", "listening").await;
    app.wait_for_text(TOTAL, "2 reflections match").await;
    let marks = app.texts("[data-testid='reflection-hit'] mark").await;
    assert!(
        marks.iter().any(|m| m == "listening") && marks.iter().any(|m| m == "listen"),
        "{marks:?}"
    );
    app.press("#filter-sector", "Public").await;
    app.wait_for_text(TOTAL, "1 reflection match").await;
    app.type_into("#reflection-search", "\"unclosed * NEAR(")
        .await;
    app.wait_for_js(
        "return document.querySelector(arguments[0]).textContent.startsWith('0');",
        vec![json!(TOTAL)],
    )
    .await;
    assert!(
        app.find_all("[role='alert']").await.is_empty(),
        "symbols broke the search"
    );
    app.check_accessibility("reflections").await;
    app.screenshot("reflections").await;
    app.close().await;
}

#[tokio::test]
async fn reflections_are_tagged_by_keyboard_and_the_theme_summary_changes() {
    let (tmp, data_dir, exports) = data_folder_beside("exports");
    {
        let (store, _version, session) = seeded(&data_dir).await;
        for text in [
            "Trust is built in small promises kept.",
            "Nobody trusts the budget process here.",
            "We listened to residents at last.",
        ] {
            reflect(&store, session, None, "What gets in the way?", text).await;
        }
        store.close().await;
    }
    let app = Harness::start_with_option(tmp, data_dir, "--export-dir", &exports).await;
    app.shortcut(5, "Reflections").await;
    app.type_into("#reflection-search", "trust").await;
    app.wait_for_text(TOTAL, "2 reflections match").await;

    // A new theme, then both matches selected and tagged with its number, by keyboard only.
    app.type_then("#new-theme-name", "Trust", Key::Enter).await;
    app.wait_for_text("#theme-keys .theme-key-name", "Trust")
        .await;
    let list = app.find("#reflection-list").await;
    app.focus("reflection-list").await;
    list.send_keys(" ").await.unwrap();
    list.send_keys(&format!("{}{}", Key::Shift, Key::Down))
        .await
        .unwrap();
    app.wait_for_text("#selection-count", "2 reflections selected")
        .await;
    list.send_keys("1").await.unwrap();
    app.wait_for_count("[data-testid=\"reflection-hit\"] .tag-small", 2)
        .await;
    assert!(app.texts("#toast").await[0].contains("Tagged 2 reflections with “Trust”"));
    // Enter opens the reflection in view with what the others said to the same prompt.
    list.send_keys(&Key::Enter.to_string()).await.unwrap();
    app.wait_until("const d = document.getElementById('reflection-detail'); return d && !d.hidden && d.textContent.includes('Others answering the same prompt in this session (2)');").await;
    app.check_accessibility("a reflection in its context").await;
    app.screenshot("reflection-in-context").await;
    app.check_accessibility("reflections coded with a theme")
        .await;
    app.screenshot("reflections-tagged").await;

    // The summary counts them, and the chart is saved as an SVG image.
    open_themes_of(&app, "Leading").await;
    let total = "[data-testid=\"summary-table\"] tr[data-theme=\"Trust\"] [data-total]";
    app.wait_for_text(total, "2").await;
    app.check_accessibility("themes summary").await;
    app.screenshot("themes-summary").await;
    app.click("#save-chart").await;
    app.find("#save-chart + [role=status] code").await;
    let charts = files_with_extension(&exports, "svg");
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
    app.press("#summary-view", "Compare").await;
    app.wait_until("return document.querySelector('#only-a')?.closest('section')?.textContent.includes('Trust') || document.querySelector('#only-b')?.closest('section')?.textContent.includes('Trust') || null;").await;
    app.check_accessibility("two places compared").await;
    app.screenshot("themes-compared").await;

    // The learning summary, as Word, holds the theme.
    app.press("#learning-format", "Word").await;
    app.click("#save-learning-summary").await;
    app.find("#save-learning-summary + [role=status] code")
        .await;
    let word = saved_file(&exports, "docx");
    let bytes = std::fs::read(&word).unwrap();
    assert!(bytes.starts_with(b"PK"), "not a zip: {}", word.display());

    // Back to the reflections: the third is tagged too, and the summary follows.
    app.shortcut(5, "Reflections").await;
    app.press("#filter-theme", "No theme").await;
    app.wait_for_text(TOTAL, "1 reflection").await;
    app.focus("reflection-list").await;
    app.press("#reflection-list", "1").await;
    app.wait_for_text(TOTAL, "0 reflections").await;
    open_themes_of(&app, "Leading").await;
    app.wait_for_text(total, "3").await;
    app.close().await;
}

#[tokio::test]
async fn a_hundred_thousand_reflections_scroll_with_only_the_rows_in_view_drawn() {
    let (tmp, data_dir) = data_folder();
    {
        let store = fieldbook_core::Store::open(&data_dir).await.unwrap();
        fieldbook_core::generate::generate(&store, 100_000, 7, |_| {})
            .await
            .unwrap();
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.shortcut(5, "Reflections").await;
    app.wait_for_text(TOTAL, "100,000 reflections").await;
    let list = app.find("#reflection-list").await;
    app.focus("reflection-list").await;
    let started = std::time::Instant::now();
    list.send_keys(&Key::End.to_string()).await.unwrap();
    let last = app
        .wait_until("const row = document.getElementById('hit-99999'); return row && row.dataset.id ? row.getAttribute('aria-posinset') : null;")
        .await;
    eprintln!(
        "End of 100,000 reflections drawn in {:?}",
        started.elapsed()
    );
    assert_eq!(last, json!("100000"));
    let drawn = app
        .js("return document.querySelectorAll('#reflection-list [role=option]').length;")
        .await;
    assert!(drawn.as_u64().unwrap() < 40, "{drawn} rows drawn");
    // Scrolling through the middle keeps drawing real rows.
    for fraction in [0.25, 0.5, 0.75] {
        app.scroll("reflection-list", fraction).await;
        app.wait_until("return [...document.querySelectorAll('#reflection-list [role=option]')].some((r) => r.dataset.id && r.getBoundingClientRect().top >= r.parentElement.parentElement.getBoundingClientRect().top);").await;
    }
    app.check_accessibility("a long list of reflections").await;
    app.screenshot("reflections-100k").await;
    app.close().await;
}
