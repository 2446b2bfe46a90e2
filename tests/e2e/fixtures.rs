//! What the journeys share beyond the harness: data folders seeded with the demo content (and a
//! cohort or reflections), the way to Sunderland's sessions and the Themes screen, the export
//! panel, and times of day. The harness knows the window; this file knows Fieldbook's content.

use std::path::{Path, PathBuf};

use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::domain::ProgrammeVersion;
use fieldbook_core::Store;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::Harness;

/// 09:30 UTC on Wednesday 27 January 2027, Sunderland's first session day.
pub const SESSION_DAY_MS: i64 = 1_801_042_200_000;

/// The demo's national programme, with its Sunderland version.
pub const LCT: &str = "Leading Change Together";

/// The demo's Sunderland version, as its links and heading name it.
pub const SUNDERLAND: &str = "Leading Change Together: Sunderland";

/// Minutes since midnight of a time shown as "HH:MM".
pub fn minutes_of(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// The time `by` minutes after `hhmm`, as the window shows it.
pub fn shift(hhmm: &str, by: i64) -> String {
    let m = minutes_of(hhmm) + by;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A temporary folder and, inside it, the path of a data folder not made yet.
pub fn data_folder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    (tmp, data_dir)
}

/// [`data_folder`] with the folder `name` made beside the data folder (where the app saves
/// exports, given `--export-dir`); returns the folder's path too.
pub fn data_folder_beside(name: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, data_dir) = data_folder();
    let folder = folder_in(&tmp, name);
    (tmp, data_dir, folder)
}

/// The folder `name` inside `tmp`, made.
pub fn folder_in(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    let folder = tmp.path().join(name);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The files in `folder` whose names end `.{extension}`.
pub fn files_with_extension(folder: &Path, extension: &str) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect()
}

/// Fails unless `folder` holds just one file: the one saved, with no partial file beside it.
pub fn assert_no_partial_file(folder: &Path) {
    let names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "no partial file is left: {names:?}");
}

/// A file in `folder` whose name ends `.{extension}`: the one an export saved there.
pub fn saved_file(folder: &Path, extension: &str) -> PathBuf {
    files_with_extension(folder, extension)
        .pop()
        .unwrap_or_else(|| panic!("no .{extension} file was saved in {}", folder.display()))
}

/// A data folder with the demo content: the open store, Sunderland's version and its first
/// session.
pub async fn seeded(data_dir: &Path) -> (Store, Uuid, Uuid) {
    let store = Store::open(data_dir).await.unwrap();
    fieldbook_core::demo::seed_demo(&store).await.unwrap();
    let version = store
        .version_at("Sunderland")
        .await
        .unwrap()
        .unwrap()
        .meta
        .id;
    let session = store.sessions_of(version).await.unwrap()[0].meta.id;
    (store, version, session)
}

/// The id of the programme `version` is a version of.
pub async fn programme_of(store: &Store, version: Uuid) -> Uuid {
    store
        .get::<ProgrammeVersion>(version)
        .await
        .unwrap()
        .programme_id
}

/// Adds a participant to `version` from the fields of the window's form; returns their id.
pub async fn add_person(store: &Store, version: Uuid, form: Value) -> Uuid {
    let form: NewParticipant = serde_json::from_value(form).unwrap();
    store
        .add_participant(Some(version), form)
        .await
        .unwrap()
        .meta
        .id
}

/// Saves a reflection on `session` by `who` (anonymous if none) to `prompt`; returns its id.
pub async fn reflect(
    store: &Store,
    session: Uuid,
    who: Option<Uuid>,
    prompt: &str,
    text: &str,
) -> Uuid {
    store
        .save_reflection(ReflectionDraft {
            id: None,
            session_id: session,
            agenda_item_id: None,
            participant_id: who,
            prompt: prompt.into(),
            text: text.into(),
        })
        .await
        .unwrap()
        .expect("the reflection is saved")
        .meta
        .id
}

/// A data folder with the demo content and a Sunderland cohort of `names`.
pub async fn seeded_with_cohort(data_dir: &Path, names: &[&str]) {
    let (store, version, _) = seeded(data_dir).await;
    for name in names {
        add_person(
            &store,
            version,
            json!({
                "name": name, "organisation": "Sunderland VCS Alliance", "sector": "voluntary", "consent_named": true
            }),
        )
        .await;
    }
    store.close().await;
}

/// From the programmes screen to Sunderland's version.
pub async fn open_sunderland(app: &Harness) {
    app.follow(LCT, LCT).await;
    app.follow(SUNDERLAND, SUNDERLAND).await;
}

/// Opens Sunderland's first session from the programmes screen; returns its title.
pub async fn open_sunderland_first_session(app: &Harness) -> String {
    open_sunderland(app).await;
    let sessions = app.texts("tbody td:nth-child(2) a").await;
    app.follow(&sessions[0], &sessions[0]).await;
    sessions[0].clone()
}

/// From the programmes screen to the form for a new local version of the demo's programme.
pub async fn open_new_local_version(app: &Harness) {
    app.follow(LCT, LCT).await;
    app.click("#new-local-version").await;
    app.wait_for_heading("New local version").await;
}

/// From a session's page to run mode, before the session starts.
pub async fn open_run_mode(app: &Harness, title: &str) {
    app.click("#run-session").await;
    app.wait_for_heading(title).await;
    app.find("#run-start").await;
}

/// Waits until run mode's stage shows item `n` (from 1) of the agenda as the one being run.
pub async fn wait_for_item(app: &Harness, n: usize) {
    app.wait_for_js(
        "return document.querySelector('.stage-label').textContent.startsWith(arguments[0]);",
        vec![json!(format!("Item {n}"))],
    )
    .await;
}

/// On a participant's page, erases them as a facilitator means to: "Erase…", their name typed,
/// then the button; waits for the cohort it leads back to.
pub async fn erase_participant(app: &Harness, name: &str) {
    app.click("#erase").await;
    app.type_into("#confirm-erase-typed", name).await;
    app.click("#confirm-erase").await;
    app.wait_for_heading("Cohort").await;
}

/// The Themes screen (Alt+6) with the summary of the programme whose title starts `title`.
pub async fn open_themes_of(app: &Harness, title: &str) {
    app.shortcut(6, "Themes").await;
    app.press("#summary-programme", title).await;
}

/// The length in minutes of each agenda item shown, in order.
pub async fn item_minutes(app: &Harness) -> Vec<i64> {
    app.attrs("[data-testid='agenda-item']", "data-minutes")
        .await
        .iter()
        .map(|m| m.parse().unwrap())
        .collect()
}

/// The id of each agenda item shown, in order.
pub async fn item_ids(app: &Harness) -> Vec<String> {
    app.attrs("[data-testid='agenda-item']", "data-id").await
}

/// Waits for the export panel to say it saved a file ending `extension`; returns its path.
pub async fn exported(app: &Harness, extension: &str) -> PathBuf {
    app.wait_for_str(
        "const p = document.querySelector('[data-testid=\"export-path\"]'); return p && p.textContent.endsWith(arguments[0]) ? p.textContent : null;",
        vec![json!(extension)],
    )
    .await
    .into()
}

/// Chooses the export panel's format `format` (as typed into its list), saves, and returns
/// the path of the file saved, whose name ends `extension`.
pub async fn export_notes(app: &Harness, format: &str, extension: &str) -> PathBuf {
    app.press("#export-format", format).await;
    app.click("#export-button").await;
    exported(app, extension).await
}
