//! The window under a facilitator's hands (issue 18): erasure that no slip can do, run-mode keys
//! that do the same whatever has focus, layouts that fit 1024x700 and 1280x800 on both themes,
//! a save status that follows what was saved, search as you type, and British dates.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::fixtures::{
    add_person, assert_no_partial_file, data_folder, erase_participant, item_ids,
    open_new_local_version, open_run_mode, open_sunderland, open_sunderland_first_session, reflect,
    seeded, seeded_with_cohort, wait_for_item, SESSION_DAY_MS,
};
use crate::harness::Harness;
use crate::poppler;

/// What is wrong with the layout shown: sideways scrolling, a control wider than the panel it
/// is in, or a form control whose text does not stand out from its background (WCAG AA, 4.5:1;
/// axe does not check native controls).
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const root = document.documentElement;
const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
const name = (e) => `${e.tagName.toLowerCase()}#${e.id || ''}.${[...e.classList].join('.')}`;
if (root.scrollWidth > root.clientWidth + 1) {
  const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > root.clientWidth + 1));
  const spilling = [...document.querySelectorAll('body *')].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible').map((e) => `${name(e)} ${e.clientWidth}<${e.scrollWidth}`);
  problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}, past the edge: ${wide.slice(0, 6).map(name).join(', ')}; spilling: ${spilling.slice(-8).join(', ')}`);
}
for (const control of document.querySelectorAll('main input, main select, main textarea, main button')) {
  if (!visible(control)) continue;
  const box = control.closest('.panel, .inspector, .stage, .field-row, form, section, main');
  const c = control.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  if (c.right > b.right + 1 || c.left < b.left - 1) problems.push(`${name(control)} (${Math.round(c.left)}-${Math.round(c.right)}) runs out of ${name(box)} (${Math.round(b.left)}-${Math.round(b.right)})`);
}
const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const background = (e) => {
  for (let x = e; x; x = x.parentElement) {
    const c = rgb(getComputedStyle(x).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
for (const control of document.querySelectorAll('main input:not([type=checkbox]):not([type=radio]), main select, main textarea, main select option')) {
  if (control.tagName !== 'OPTION' && !visible(control)) continue;
  const style = getComputedStyle(control);
  if (control.tagName === 'SELECT' && style.webkitAppearance !== 'none' && style.appearance !== 'none') problems.push(`${name(control)} is drawn by the toolkit, whose colours may not follow the theme`);
  const fg = lum(rgb(style.color));
  const bg = lum(background(control));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  if (ratio < 4.5) problems.push(`${name(control)} text contrast is ${ratio.toFixed(2)}:1`);
}
return problems;
"#;

/// Keeps a picture of the `screen` shown at `size` (width, height) and fails the test if
/// its layout has any of the [`LAYOUT_PROBLEMS`].
async fn assert_layout_fits(app: &Harness, screen: &str, (width, height): (u32, u32)) {
    app.screenshot(&format!("{screen}-{width}x{height}")).await;
    let problems: Vec<String> = serde_json::from_value(app.js(LAYOUT_PROBLEMS).await).unwrap();
    assert!(
        problems.is_empty(),
        "{screen} at {width}x{height}:\n{}",
        problems.join("\n")
    );
}

/// Makes the window `width` by `height` and waits until the page has that room.
async fn resize(app: &Harness, width: u32, height: u32) {
    app.client.set_window_size(width, height).await.unwrap();
    app.wait_for_js(
        "return Math.abs(window.innerWidth - arguments[0]) <= 2 || null;",
        vec![json!(width)],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

#[tokio::test]
async fn erasing_a_participant_needs_their_name_typed_and_enter_or_escape_never_erases() {
    let (tmp, data_dir) = data_folder();
    seeded_with_cohort(&data_dir, &["Priya Shah", "Tom Reed"]).await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    open_sunderland(&app).await;
    app.follow("Cohort and consent", "Cohort").await;
    app.follow("Priya Shah", "Priya Shah").await;
    // She agreed to be named only: the others say so, as the cohort table does ("No").
    let quoted = app.text_of("#consent-quoted-when").await;
    assert_eq!(quoted.trim(), "Not given");

    // Enter on "Erase…", then Enter again (the slip): focus was on Cancel, so nothing happens.
    app.js("document.getElementById('erase').focus();").await;
    app.press_on_focused(&Key::Enter.to_string()).await;
    app.find("#confirm-erase").await;
    assert_eq!(app.focused_id().await, "confirm-erase-cancel");
    let says = app.texts(".confirm-box").await.join(" ");
    assert!(
        says.contains("Backups made before now still hold"),
        "{says}"
    );
    app.check_accessibility("the erase confirmation").await;
    app.screenshot("erase-confirmation").await;
    app.press_on_focused(&Key::Enter.to_string()).await;
    app.wait_until("return !document.getElementById('confirm-erase');")
        .await;
    assert_eq!(app.focused_id().await, "erase", "Cancel gives focus back");

    // Escape closes it too.
    app.press_on_focused(&Key::Enter.to_string()).await;
    app.find("#confirm-erase").await;
    app.press_on_focused(&Key::Escape.to_string()).await;
    app.wait_until("return !document.getElementById('confirm-erase');")
        .await;
    assert_eq!(app.focused_id().await, "erase");

    // The button does nothing until her name is typed; Enter in the box does nothing either.
    app.press_on_focused(&Key::Enter.to_string()).await;
    app.click("#confirm-erase").await;
    app.wait_until("return document.querySelector('.confirm-box [role=alert]')?.textContent.includes('Nothing has been changed') || null;").await;
    app.type_then("#confirm-erase-typed", "priya shah", Key::Enter)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.texts("h1").await, ["Priya Shah"], "Enter erased her");

    // What happens to backups is explained in Data and backups, reached from here.
    app.click("#erasure-and-backups").await;
    app.wait_for_heading("Data and backups").await;
    assert_eq!(app.focused_id().await, "erasure-heading");
    let focused = app.js("return document.activeElement.textContent;").await;
    assert_eq!(focused, "Erasing someone, and your backups");
    let account = app.texts("#erasure").await.join(" ");
    assert!(
        account.contains("made before the erasure still hold their data")
            && account.contains("Restoring a backup made before an erasure"),
        "{account}"
    );
    app.check_accessibility("erasure and backups").await;
    app.client.back().await.unwrap();
    app.wait_for_heading("Priya Shah").await;

    // Now on purpose: typed, then the button.
    erase_participant(&app, "Priya Shah").await;
    let people = app.texts("[data-testid='participant']").await;
    assert!(
        people.iter().all(|p| !p.contains("Priya")) && people.iter().any(|p| p.contains("Tom")),
        "{people:?}"
    );
    let toast = app.texts("#toast").await.join(" ");
    assert!(
        toast.contains("Erased Priya Shah") && toast.contains("backups"),
        "{toast}"
    );
    app.close().await;
}

#[tokio::test]
async fn space_in_run_mode_pauses_or_resumes_whatever_button_has_focus() {
    let (tmp, data_dir) = data_folder();
    let clock = tmp.path().join("clock");
    std::fs::write(&clock, SESSION_DAY_MS.to_string()).unwrap();
    let app = Harness::start_with_option(tmp, data_dir, "--clock-file", &clock).await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    open_run_mode(&app, &title).await;
    app.press("body", "s").await;
    app.find("#run-next").await;
    app.press("body", "n").await;
    wait_for_item(&app, 2).await;
    let stage = || async {
        app.js("return [document.querySelector('.stage-label').textContent, document.querySelector('[data-testid=run-current]').textContent, document.querySelector('[data-testid=countdown]').textContent];").await
    };
    let before = stage().await;
    let mut paused = false;
    for button in [
        "run-previous",
        "run-pause",
        "run-extend-1",
        "run-extend-5",
        "run-next",
    ] {
        let button = if button == "run-pause" && paused {
            "run-resume"
        } else {
            button
        };
        let focused = app
            .eval(
                "const b = document.getElementById(arguments[0]); b.focus(); return document.activeElement === b;",
                vec![json!(button)],
            )
            .await;
        assert_eq!(focused, true, "{button} could not be focused");
        app.press_on_focused(" ").await;
        paused = !paused;
        app.wait_for_js(
            "return document.querySelector('.stage-label').textContent.includes('Paused') === arguments[0] || null;",
            vec![json!(paused)],
        )
        .await;
        // Give a wrongly "clicked" button time to act before looking.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let now = stage().await;
        assert_eq!(
            now[1], before[1],
            "Space on {button} changed the item being run"
        );
        assert_eq!(now[2], before[2], "Space on {button} changed the time");
    }
    app.close().await;
}

#[tokio::test]
async fn run_mode_and_the_agenda_editor_fit_1024x700_and_1280x800_on_both_themes() {
    let (tmp, data_dir) = data_folder();
    seeded_with_cohort(
        &data_dir,
        &["Priya Shah", "Maximilian Featherstonehaugh-Montgomery"],
    )
    .await;
    let app = Harness::start_with(tmp, data_dir).await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    let first = item_ids(&app).await.remove(0);
    for (width, height) in [(1024, 700), (1280, 800)] {
        resize(&app, width, height).await;
        // The light theme: the agenda with an item's editor open beside it.
        app.click(&format!("#edit-{first}")).await;
        app.find("#item-title").await;
        let beside = app
            .js("const i = document.querySelector('.inspector').getBoundingClientRect(); const a = document.querySelector('table.agenda').getBoundingClientRect(); return i.left >= a.right && i.top < a.bottom;")
            .await;
        assert_eq!(
            beside, true,
            "the item editor is not beside the agenda at {width}x{height}"
        );
        assert_layout_fits(&app, "agenda-editor", (width, height)).await;

        // The dark theme: run mode, typing a reflection with the clock still in view.
        app.click("#run-session").await;
        // The run screen has the session's title too: wait for its stage.
        app.find(".run-layout .stage").await;
        if !app.find_all("#run-start").await.is_empty() {
            app.press("body", "s").await;
        }
        app.find("[data-testid='countdown']").await;
        app.click("#reflection-text").await;
        app.press("#reflection-text", "Sharing the budget felt risky")
            .await;
        let in_view = app
            .js("const c = document.querySelector('[data-testid=countdown]').getBoundingClientRect(); const t = document.getElementById('reflection-text').getBoundingClientRect(); const s = document.querySelector('.run-side').getBoundingClientRect();
                 return [c.top >= 0 && c.bottom <= innerHeight, t.top >= 0 && t.bottom <= innerHeight, s.left >= c.right, Math.round(s.width)];")
            .await;
        assert_eq!(
            in_view.as_array().unwrap()[..3],
            [json!(true), json!(true), json!(true)],
            "clock, reflection box, panels beside: {in_view} at {width}x{height}"
        );
        assert_layout_fits(&app, "run-mode", (width, height)).await;
        app.check_accessibility("run mode at a laptop's size").await;
        app.follow("Leave run mode", &title).await;
    }
    app.close().await;
}

async fn status(app: &Harness) -> (String, String) {
    let v: Value = app
        .js("const s = document.getElementById('save-status'); return [s.dataset.state || '', s.textContent];")
        .await;
    (
        v[0].as_str().unwrap().to_owned(),
        v[1].as_str().unwrap().to_owned(),
    )
}

/// Holds back, for two seconds (as on a busy laptop), the window's save that sets `field` to
/// `value`. Tauri's `core` is a frozen object (assigning its `invoke` does nothing), so the
/// window's `core` is replaced by a copy whose `invoke` holds that save; api.js looks it up
/// at each call.
async fn hold_save(app: &Harness, field: &str, value: Value) {
    let holding = app
        .eval(
            "const [field, value] = arguments; const tauri = window.__TAURI__; const core = tauri.core;
             tauri.core = { ...core, invoke: (command, args, options) => {
               if (command === 'update_record' && args?.patch?.[field] === value) {
                 return new Promise((done) => setTimeout(done, 2000)).then(() => core.invoke(command, args, options));
               }
               return core.invoke(command, args, options);
             } };
             return tauri.core.invoke !== core.invoke;",
            vec![json!(field), value],
        )
        .await;
    assert_eq!(holding, json!(true), "the save could not be held back");
}

/// Waits until one of the facts at the top of the screen holds `text`, and returns that fact.
async fn wait_for_fact(app: &Harness, text: &str) -> String {
    let fact = app
        .wait_for_js(
            "return [...document.querySelectorAll('.facts dd')].find(d => d.textContent.includes(arguments[0]))?.textContent;",
            vec![json!(text)],
        )
        .await;
    fact.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_slow_save_of_earlier_text_never_lands_after_a_later_one() {
    let app = Harness::start().await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    // Emptying the date saves no date; that save is held back while a new date is typed.
    hold_save(&app, "date", Value::Null).await;
    app.click("details.details-editor summary").await;
    app.type_and_save("#session-date", "27/3/2027", Key::Tab, "saved")
        .await;
    // Once both are saved, the core holds the date typed last (the facts are read back from
    // it after each save), not the empty one that arrived late.
    let facts = app.texts(".facts dd").await;
    assert!(
        facts.iter().any(|f| f.contains("27 March 2027")),
        "{facts:?}"
    );
    app.close().await;
}

#[tokio::test]
async fn a_slow_save_of_earlier_text_does_not_hide_a_later_refusal() {
    let app = Harness::start().await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    hold_save(&app, "date", json!("2027-03-27")).await;
    app.click("details.details-editor summary").await;
    // (Emptying the field first saves no date, quickly; typing the date saves it, slowly.)
    app.type_then("#session-date", "27/3/2027", Key::Tab).await;
    app.wait_save_state("saving").await;
    // While it is on its way, a date that does not exist is refused.
    app.type_and_save("#session-date", "31/02/2027", Key::Tab, "error")
        .await;
    // The held save arrives (the session's facts show its date), and the status still says
    // what is not saved: the field holds a date that is not.
    let shown = wait_for_fact(&app, "27 March 2027").await;
    assert!(shown.starts_with("Sat"), "{shown}");
    let (state, text) = status(&app).await;
    assert_eq!(state, "error", "{text}");
    assert!(text.contains("Date"), "{text}");
    app.close().await;
}

#[tokio::test]
async fn the_save_status_follows_what_was_saved_and_dates_and_times_are_british() {
    let app = Harness::start().await;
    app.ready().await;
    let title = open_sunderland_first_session(&app).await;
    let first = item_ids(&app).await.remove(0);
    app.click(&format!("#edit-{first}")).await;
    let original = app
        .js("return document.getElementById('item-title').value;")
        .await;
    let original = original.as_str().unwrap().to_owned();

    // A blank title is refused; typing it back puts everything right again.
    app.find("#item-title").await.clear().await.unwrap();
    app.press("#item-title", &Key::Tab.to_string()).await;
    app.wait_save_state("error").await;
    assert!(!app.texts(".inspector .field-error").await.is_empty());
    app.type_and_save("#item-title", &original, Key::Tab, "saved")
        .await;
    assert!(app.texts(".inspector .field-error").await.is_empty());

    // 9999 minutes and 0 minutes are refused by the core, and the status says so.
    for refused in ["9999", "0"] {
        app.type_and_save("#item-minutes", refused, Key::Tab, "error")
            .await;
        let (_, text) = status(&app).await;
        assert!(text.contains("Length (minutes)"), "{text}");
        let message = app.texts(".inspector .field-error").await.join(" ");
        assert!(message.contains("Nothing has been changed"), "{message}");
    }
    // Leaving the screen leaves the refused value behind: what is stored is all saved.
    app.shortcut(1, "Programmes").await;
    assert_ne!(status(&app).await.0, "error");
    app.client.back().await.unwrap();
    app.wait_for_heading(&title).await;

    // A long first item runs into the fixed lunch: the summary bar says so too.
    app.click(&format!("#edit-{first}")).await;
    app.type_and_save("#item-minutes", "300", Key::Tab, "saved")
        .await;
    let clash = app
        .wait_until("return document.querySelector('[data-testid=summary-clash]')?.textContent;")
        .await;
    assert!(clash.as_str().unwrap().contains("past 12:30"), "{clash}");

    // One Tab stop an agenda item; adding from the library keeps focus on the Add button, so
    // several are added without going back each time, and the checklist keeps a comma.
    let stops = app
        .js("return [...document.querySelectorAll('[data-testid=agenda-item]')].every(r => r.querySelectorAll('button:not([tabindex=\"-1\"]), a[href], input, select').length === 1);")
        .await;
    assert_eq!(stops, true);
    app.type_into("#picker-search", "Walking pairs").await;
    app.wait_until("const b = [...document.querySelectorAll('.picker-results button')]; return (b.length === 1 && b[0].getAttribute('aria-label').includes('Walking pairs')) || null;").await;
    let rows = app.find_all("[data-testid='agenda-item']").await.len();
    app.js("document.querySelector('.picker-results button').focus();")
        .await;
    app.press_on_focused(&Key::Enter.to_string()).await;
    app.wait_for_js(
        "return document.querySelectorAll('[data-testid=agenda-item]').length === arguments[0] || null;",
        vec![json!(rows + 1)],
    )
    .await;
    let focused = app
        .js("return document.activeElement.getAttribute('aria-label');")
        .await;
    assert_eq!(focused, "Add “Walking pairs” to the agenda");
    let materials = app.texts(".checklist li").await;
    assert!(
        materials
            .iter()
            .any(|m| m == "A simple route map, if going outdoors"),
        "{materials:?}"
    );

    // Empty date and time fields look empty: no grey date or time in them.
    app.click("details.details-editor summary").await;
    for id in ["session-date", "item-pinned"] {
        let shown = app
            .eval(
                "const i = document.getElementById(arguments[0]); return [i.type, i.value, i.placeholder];",
                vec![json!(id)],
            )
            .await;
        if shown[1] == "" {
            assert_eq!(shown, json!(["text", "", ""]), "{id}");
        }
    }
    // A date typed day first, as in Britain.
    app.type_and_save("#session-date", "27/3/2027", Key::Tab, "saved")
        .await;
    app.wait_until("return [...document.querySelectorAll('.facts dd')].some(d => /^Sat,? 27 March 2027$/.test(d.textContent)) || null;").await;
    app.type_and_save("#session-date", "31/02/2027", Key::Tab, "error")
        .await;
    let message = app.texts(".field-invalid .field-error").await.join(" ");
    assert!(
        message.contains("There is no 31 February 2027"),
        "{message}"
    );
    app.type_and_save("#session-date", "27/03/2027", Key::Tab, "saved")
        .await;
    // A time typed without its colon.
    app.type_and_save("#session-start-time", "915", Key::Tab, "saved")
        .await;
    app.wait_for_text("[data-testid=session-start]", "09:15")
        .await;
    app.check_accessibility("session details with British dates")
        .await;
    app.close().await;
}

#[tokio::test]
async fn reflections_are_found_by_the_start_of_the_word_being_typed_and_theme_numbers_stay_put() {
    let (tmp, data_dir) = data_folder();
    {
        let (store, version, session) = seeded(&data_dir).await;
        let form = json!({ "name": "Asha Patel", "sector": "public", "consent_named": true });
        let person = add_person(&store, version, form).await;
        for text in [
            "Systems are more complex than our plans admit.",
            "Trust is built in small promises kept.",
            "Nobody had known the budget was already spent.",
        ] {
            reflect(&store, session, Some(person), "", text).await;
        }
        store.close().await;
    }
    let app = Harness::start_with(tmp, data_dir).await;
    app.shortcut(5, "Reflections").await;
    let total =
        |expected: &'static str| app.wait_for_text("[data-testid=reflection-total]", expected);
    total("3 reflections").await;
    // Typed one letter at a time, as a person does: each start of a word finds its reflection.
    for (typed, word) in [("compl", "complex"), ("trus", "Trust"), ("know", "known")] {
        app.find("#reflection-search").await.clear().await.unwrap();
        for letter in typed.chars() {
            app.press("#reflection-search", &letter.to_string()).await;
        }
        // The count may still be the last word's: the marked word says which search is shown.
        app.wait_for_js(
            "const m = [...document.querySelectorAll('[data-testid=reflection-hit] mark')].map(m => m.textContent); return (m.length === 1 && m[0] === arguments[0]) || null;",
            vec![json!(word)],
        )
        .await;
        total("1 reflection match").await;
    }
    // The line under a reflection shows who said it and the date as everywhere else.
    let meta = app.texts("[data-testid='reflection-hit'] .vrow-meta").await;
    assert!(meta[0].starts_with("Asha Patel"), "{meta:?}");
    assert!(!meta[0].contains("2027-"), "an ISO date: {meta:?}");

    // Dates to filter by are typed day first; a date that does not exist is said so.
    app.find("#reflection-search").await.clear().await.unwrap();
    app.press("#reflection-search", " ").await;
    total("3 reflections").await;
    app.type_then("#filter-to", "31/02/2027", Key::Tab).await;
    app.wait_until("return document.querySelector('.problem [role=alert]')?.textContent.includes('There is no 31 February 2027') || null;").await;
    app.type_then("#filter-to", "01/01/2001", Key::Tab).await;
    total("0 reflections").await;
    app.find("#filter-to").await.clear().await.unwrap();
    app.press("#filter-to", &Key::Tab.to_string()).await;
    total("3 reflections").await;

    // Themes keep the number they were given when made: "Trust" is 1 though "Autonomy" sorts first.
    for theme in ["Trust", "Autonomy"] {
        app.type_then("#new-theme-name", theme, Key::Enter).await;
        app.wait_for_js(
            "return [...document.querySelectorAll('#theme-keys .theme-key-name')].some(t => t.textContent === arguments[0]) || null;",
            vec![json!(theme)],
        )
        .await;
    }
    let keys = app.texts("#theme-keys .theme-key").await;
    assert!(
        keys[0].starts_with('1') && keys[0].contains("Trust") && keys[1].contains("Autonomy"),
        "{keys:?}"
    );
    app.focus("reflection-list").await;
    app.press_on_focused(" 1").await;
    app.wait_for_text("[data-testid=reflection-hit] .tag-small", "Trust")
        .await;
    app.screenshot("reflections-as-you-type").await;

    // The Themes screen opens on the programme just coded, not the first one.
    app.shortcut(6, "Themes").await;
    let chosen = app
        .js("const s = document.getElementById('summary-programme'); return s.options[s.selectedIndex].textContent;")
        .await;
    assert_eq!(chosen, "Leading Change Together");
    app.close().await;
}

#[tokio::test]
async fn the_first_start_says_what_the_demo_is_leads_to_the_next_session_and_clears_it() {
    let app = Harness::start().await;
    app.ready().await;
    app.wait_for_heading("Programmes").await;
    // The window fits a 1366x768 or 1280x800 screen.
    let size = app
        .js("return [window.innerWidth, window.innerHeight];")
        .await;
    assert!(
        size[0].as_i64().unwrap() <= 1280 && size[1].as_i64().unwrap() <= 700,
        "{size}"
    );
    let notice = app.texts("[data-testid='demo-notice']").await.join(" ");
    assert!(
        notice.contains("This is demo content") && notice.contains("Leading Change Together"),
        "{notice}"
    );
    app.check_accessibility("the first start").await;
    app.screenshot("first-start").await;

    // The next session is one step away.
    let next = app.text_of("#next-session-link").await;
    app.click("#next-session-link").await;
    app.wait_for_heading(&next).await;
    // Export choices: each name above what it holds, not run together.
    let apart = app
        .js("return [...document.querySelectorAll('.export .radio')].every(r => { const l = r.querySelector('label').getBoundingClientRect(); const h = r.querySelector('.hint').getBoundingClientRect(); return h.top >= l.bottom - 1; });")
        .await;
    assert_eq!(apart, true);
    app.client.back().await.unwrap();
    app.wait_for_heading("Programmes").await;

    // A new local version: a problem put right stops being shown; a US date is refused.
    open_new_local_version(&app).await;
    app.click("form button[type=submit]").await;
    app.wait_until("return document.querySelectorAll('.field-invalid').length === 2 || null;")
        .await;
    app.press("#place", "Surrey").await;
    app.wait_until("return document.querySelectorAll('.field-invalid').length === 0 || null;")
        .await;
    app.type_into("#cohort-start", "11/27/2027").await;
    app.click("form button[type=submit]").await;
    let problem = app
        .wait_until("return document.querySelector('#cohort-start').closest('.field').querySelector('.field-error')?.textContent;")
        .await;
    assert!(
        problem.as_str().unwrap().contains("There is no month 27"),
        "{problem}"
    );
    app.type_into("#cohort-start", "27/11/2027").await;
    app.click("form button[type=submit]").await;
    app.wait_for_heading("Leading Change Together: Surrey")
        .await;
    let facts = app.texts(".facts").await.join(" ");
    assert!(facts.contains("27 November 2027"), "{facts}");

    // Clearing the demo asks first (focus on Cancel), then leaves only what was made here.
    app.shortcut(1, "Programmes").await;
    app.click("#clear-demo").await;
    assert_eq!(app.focused_id().await, "confirm-clear-demo-cancel");
    app.click("#confirm-clear-demo").await;
    app.wait_until("return !document.querySelector('[data-testid=demo-notice]') || null;")
        .await;
    // The programme with the Surrey version made here stays; the other demo programme goes.
    assert_eq!(app.texts(".card h2").await, ["Leading Change Together"]);
    app.check_accessibility("programmes after clearing the demo")
        .await;
    app.close().await;
}

/// The pages of a PDF as poppler's pdftotext reads them, each as its non-empty lines.
fn pdf_pages(pdf: &std::path::Path) -> Vec<Vec<String>> {
    poppler::pdf_page_texts(pdf)
        .iter()
        .map(|p| poppler::page_lines(p))
        .collect()
}

/// Each page's footer: its footer line and page number, wherever pdftotext reads them.
fn footers(pages: &[Vec<String>], line: &str) -> Vec<Vec<String>> {
    let number = |l: &str| {
        l.strip_prefix("Page ")
            .and_then(|r| r.split_once(" of "))
            .is_some_and(|(n, m)| n.parse::<u32>().is_ok() && m.parse::<u32>().is_ok())
    };
    pages
        .iter()
        .map(|p| {
            p.iter()
                .filter(|l| *l == line || number(l))
                .cloned()
                .collect()
        })
        .collect()
}

/// "Save as PDF…" in the window prints with WebKitGTK, which leaves out the HTML's CSS
/// margin boxes; the footer (programme and place, Welsh letters too) and "Page N of M" are
/// laid over every page, and read as those of the CLI's PDF, printed by Chromium from the
/// margin boxes themselves.
#[tokio::test]
async fn a_pdf_saved_from_the_window_has_the_footer_and_page_numbers_of_the_clis() {
    use fieldbook_core::export::{self, Audience, Format, Scope};
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let place = "Ynys Môn: Tŵr Ŷd";
    let cli = tmp.path().join("cli.pdf");
    let line = {
        let (store, version, session) = seeded(&data_dir).await;
        let patch = json!({ "place": place }).as_object().unwrap().clone();
        store
            .update("programme_version", version, patch)
            .await
            .unwrap();
        // What `fieldbook-cli export-notes --format pdf` does.
        let notes = store
            .gather_export(Scope::Session(session), Audience::Facilitator)
            .await
            .unwrap();
        let html = export::render(&notes, Format::Html, false).unwrap();
        export::pdf::print_html(&String::from_utf8(html).unwrap(), &cli).unwrap();
        store.close().await;
        export::footer_line(&notes)
    };
    assert_eq!(line, format!("Leading Change Together · {place}"));
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_args(tmp, data_dir, &["--export-dir".into(), arg]).await;
    app.ready().await;
    // The version keeps its name ("Leading Change Together: Sunderland"); its place is Welsh.
    let title = open_sunderland_first_session(&app).await;
    app.click("#export-facilitator").await;
    app.click("#export-pdf").await;
    let said = app
        .wait_until("const r = document.querySelector('[data-testid=\"export-result\"]'); return r && r.textContent && !r.textContent.startsWith('Making') ? r.textContent : null;")
        .await;
    let said = said.as_str().unwrap();
    let path = std::path::PathBuf::from(
        said.strip_prefix("Saved to ")
            .unwrap_or_else(|| panic!("{said}")),
    );
    let window = pdf_pages(&path);
    let chromium = pdf_pages(&cli);
    assert!(
        window.len() > 1,
        "the facilitator's notes fill pages: {window:?}"
    );
    for (pdf, pages) in [("window", &window), ("CLI", &chromium)] {
        let count = pages.len();
        let expected: Vec<Vec<String>> = (1..=count)
            .map(|n| vec![line.clone(), format!("Page {n} of {count}")])
            .collect();
        assert_eq!(footers(pages, &line), expected, "the {pdf}'s PDF");
    }
    assert!(
        window[0].iter().any(|l| l == &title),
        "the notes themselves are still there: {:?}",
        window[0]
    );
    assert_no_partial_file(&exports);
    poppler::keep_pictures(&path, "webkit-notes-numbered");
    app.close().await;
}

/// "Print…" opens the system's print dialog (GTK's, a window of its own on the display, which
/// WebDriver cannot see); Escape cancels it as a person would. Nothing is printed or written,
/// the panel says so and the window works on.
#[tokio::test]
async fn print_opens_the_system_print_dialog_and_cancelling_it_prints_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let data_dir = tmp.path().join("data");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let arg = exports.to_string_lossy().into_owned();
    let app = Harness::start_with_env(
        tmp,
        data_dir,
        &["--export-dir".into(), arg],
        &[("HOME", home.as_path())],
    )
    .await;
    app.ready().await;
    open_sunderland_first_session(&app).await;
    let xdotool = |args: &[&str]| {
        std::process::Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &app.display)
            .output()
            .expect("xdotool is needed: run `make deps` (apt package xdotool)")
    };
    let dialogs = || {
        String::from_utf8(xdotool(&["search", "--onlyvisible", "--name", "^Print$"]).stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert!(dialogs().is_empty(), "no print dialog before Print…");
    app.click("#export-print").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let dialog = loop {
        if let Some(id) = dialogs().into_iter().next() {
            break id;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the print dialog did not open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let status = app
        .find("[data-testid='export-result']")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "Opening the print dialog…");
    // Escape, as a person would, until the dialog has gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !dialogs().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "Escape did not close the print dialog"
        );
        xdotool(&["windowfocus", "--sync", &dialog, "key", "Escape"]);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    app.wait_until("const r = document.querySelector('[data-testid=\"export-result\"]'); return r && r.textContent === 'Nothing was printed.' || null;").await;
    // The window works on: the same panel saves a Word file.
    app.click("#export-button").await;
    let path = app
        .wait_until("const p = document.querySelector('[data-testid=\"export-path\"]'); return p && p.textContent.endsWith('.docx') ? p.textContent : null;")
        .await;
    let names: Vec<String> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["seeing-the-system-together-facilitator-notes.docx"],
        "only the Word file, nothing from the cancelled print: {path}"
    );
    let home_files: Vec<_> = walk(&home);
    assert!(
        !home_files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "pdf" || e == "ps")),
        "GTK's Print to File wrote nothing: {home_files:?}"
    );
    app.close().await;
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
