//! The commands the UI may call. Each takes ids, not paths, checks its arguments, calls the
//! core library and hands back its result or one `IpcError`.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};
use tauri::State;
use uuid::Uuid;

use fieldbook_core::compare::{differences, Difference};
use fieldbook_core::day::{
    AttendanceLine, EarlierVersion, FollowUp, NewParticipant, ReflectionDraft, SessionNotes,
};
use fieldbook_core::design::NewLocalVersion;
use fieldbook_core::domain::Theme;
use fieldbook_core::domain::{
    Action, AgendaItem, Attendance, Exercise, FacilitatorNote, ItemKind, Participant, Presence,
    Programme, ProgrammeVersion, Reflection, RunAction, Session,
};
use fieldbook_core::export::{self, learning, Audience, Format, Scope};
use fieldbook_core::merge::{Choice, NationalChanges};
use fieldbook_core::run::RunState;
use fieldbook_core::themes::{
    Breakdown, PlaceComparison, ReflectionContext, SummaryScope, ThemeLine, ThemeSummary,
};
use fieldbook_core::views::{ExerciseFilter, ProgrammeOverview, SessionDetail, VersionDetail};
use fieldbook_core::{participant_list, qda};
use fieldbook_core::{Error, Store};

use crate::dialogs::{self, Ask};
use crate::error::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

fn store<'s>(state: &'s State<'_, AppState>) -> Reply<&'s Store> {
    state.store.as_ref().map_err(IpcError::from)
}

fn id(text: &str) -> Reply<Uuid> {
    Uuid::try_parse(text).map_err(|_| {
        IpcError::from(Error::invalid(
            "That link does not point to anything Fieldbook knows. Go back and choose again.",
        ))
    })
}

fn ids(texts: &[String]) -> Reply<Vec<Uuid>> {
    texts.iter().map(|t| id(t)).collect()
}

fn optional_id(text: Option<String>) -> Reply<Option<Uuid>> {
    text.as_deref().map(id).transpose()
}

#[derive(Debug, Serialize)]
pub struct AppStatus {
    pub data_dir: String,
    /// Why the data could not be opened, if it could not.
    pub error: Option<IpcError>,
    pub version: &'static str,
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    AppStatus {
        data_dir: state.data_dir.display().to_string(),
        error: state.store.as_ref().err().map(IpcError::from),
        version: env!("CARGO_PKG_VERSION"),
    }
}

/// The lists the window offers (sectors, agenda item kinds, search marks), from the core.
#[tauri::command]
pub fn choices() -> fieldbook_core::domain::Choices {
    fieldbook_core::domain::Choices::get()
}

#[tauri::command]
pub async fn list_programmes(state: State<'_, AppState>) -> Reply<Vec<ProgrammeOverview>> {
    Ok(store(&state)?.programme_overviews().await?)
}

#[tauri::command]
pub async fn list_standalone_sessions(state: State<'_, AppState>) -> Reply<Vec<Session>> {
    Ok(store(&state)?.standalone_sessions().await?)
}

#[tauri::command]
pub async fn get_programme(state: State<'_, AppState>, id: String) -> Reply<ProgrammeOverview> {
    let id = self::id(&id)?;
    Ok(store(&state)?.programme_overview(id).await?)
}

#[tauri::command]
pub async fn get_version(state: State<'_, AppState>, id: String) -> Reply<VersionDetail> {
    let id = self::id(&id)?;
    Ok(store(&state)?.version_detail(id).await?)
}

#[tauri::command]
pub async fn get_session(state: State<'_, AppState>, id: String) -> Reply<SessionDetail> {
    let id = self::id(&id)?;
    Ok(store(&state)?.session_detail(id).await?)
}

#[tauri::command]
pub async fn list_exercises(
    state: State<'_, AppState>,
    filter: ExerciseFilter,
) -> Reply<Vec<Exercise>> {
    Ok(store(&state)?.exercises(&filter).await?)
}

#[tauri::command]
pub async fn get_exercise(state: State<'_, AppState>, id: String) -> Reply<Exercise> {
    let id = self::id(&id)?;
    Ok(store(&state)?.get(id).await?)
}

#[tauri::command]
pub async fn list_exercise_tags(state: State<'_, AppState>) -> Reply<Vec<String>> {
    Ok(store(&state)?.exercise_tags().await?)
}

#[tauri::command]
pub async fn create_local_version(
    state: State<'_, AppState>,
    national_id: String,
    form: NewLocalVersion,
) -> Reply<ProgrammeVersion> {
    let national_id = id(&national_id)?;
    Ok(store(&state)?
        .create_local_version(national_id, form)
        .await?)
}

#[derive(Debug, Serialize)]
pub struct VersionDifferences {
    pub programme: Programme,
    pub version: ProgrammeVersion,
    pub national: ProgrammeVersion,
    pub differences: Vec<Difference>,
}

#[tauri::command]
pub async fn version_differences(
    state: State<'_, AppState>,
    id: String,
) -> Reply<VersionDifferences> {
    let store = store(&state)?;
    let local = store.snapshot_version(self::id(&id)?).await?;
    let national_id = local
        .version
        .based_on
        .ok_or_else(|| Error::invalid("This version was not made from a national version."))?;
    let national = store.snapshot_version(national_id).await?;
    Ok(VersionDifferences {
        programme: store.get(local.version.programme_id).await?,
        differences: differences(&national, &local),
        version: local.version,
        national: national.version,
    })
}

#[tauri::command]
pub async fn national_changes(state: State<'_, AppState>, id: String) -> Reply<NationalChanges> {
    let id = self::id(&id)?;
    Ok(store(&state)?.national_changes(id).await?)
}

#[tauri::command]
pub async fn apply_national_changes(
    state: State<'_, AppState>,
    id: String,
    decisions: HashMap<String, Choice>,
) -> Reply<usize> {
    let id = self::id(&id)?;
    Ok(store(&state)?
        .apply_national_changes(id, &decisions)
        .await?)
}

#[tauri::command]
pub async fn update_record(
    state: State<'_, AppState>,
    kind: String,
    id: String,
    patch: Map<String, Value>,
) -> Reply<Value> {
    let id = self::id(&id)?;
    Ok(store(&state)?.update(&kind, id, patch).await?)
}

#[tauri::command]
pub async fn delete_record(state: State<'_, AppState>, kind: String, id: String) -> Reply<()> {
    let id = self::id(&id)?;
    Ok(store(&state)?.remove(&kind, id).await?)
}

#[tauri::command]
pub async fn restore_record(state: State<'_, AppState>, kind: String, id: String) -> Reply<()> {
    let id = self::id(&id)?;
    Ok(store(&state)?.restore(&kind, id).await?)
}

#[tauri::command]
pub async fn create_session(
    state: State<'_, AppState>,
    version_id: Option<String>,
    title: String,
) -> Reply<Session> {
    let version_id = optional_id(version_id)?;
    Ok(store(&state)?.create_session(version_id, &title).await?)
}

#[tauri::command]
pub async fn duplicate_session(state: State<'_, AppState>, id: String) -> Reply<Session> {
    let id = self::id(&id)?;
    Ok(store(&state)?.duplicate_session(id).await?)
}

#[tauri::command]
pub async fn add_agenda_item(
    state: State<'_, AppState>,
    session_id: String,
    after: Option<String>,
    title: String,
    minutes: u32,
    kind: ItemKind,
) -> Reply<AgendaItem> {
    let session_id = id(&session_id)?;
    let after = optional_id(after)?;
    Ok(store(&state)?
        .add_agenda_item(session_id, after, &title, minutes, kind)
        .await?)
}

#[tauri::command]
pub async fn add_exercise_to_agenda(
    state: State<'_, AppState>,
    session_id: String,
    exercise_id: String,
    after: Option<String>,
) -> Reply<AgendaItem> {
    let (session_id, exercise_id) = (id(&session_id)?, id(&exercise_id)?);
    let after = optional_id(after)?;
    Ok(store(&state)?
        .add_exercise_to_agenda(session_id, exercise_id, after)
        .await?)
}

#[tauri::command]
pub async fn refresh_item_from_exercise(
    state: State<'_, AppState>,
    id: String,
) -> Reply<AgendaItem> {
    let id = self::id(&id)?;
    Ok(store(&state)?.refresh_item_from_exercise(id).await?)
}

#[tauri::command]
pub async fn duplicate_agenda_item(state: State<'_, AppState>, id: String) -> Reply<AgendaItem> {
    let id = self::id(&id)?;
    Ok(store(&state)?.duplicate_agenda_item(id).await?)
}

#[tauri::command]
pub async fn move_agenda_item(
    state: State<'_, AppState>,
    id: String,
    index: usize,
) -> Reply<AgendaItem> {
    let id = self::id(&id)?;
    Ok(store(&state)?.move_agenda_item(id, index).await?)
}

#[tauri::command]
pub async fn create_exercise(state: State<'_, AppState>, title: String) -> Reply<Exercise> {
    Ok(store(&state)?.create_exercise(&title).await?)
}

#[tauri::command]
pub async fn duplicate_exercise(state: State<'_, AppState>, id: String) -> Reply<Exercise> {
    let id = self::id(&id)?;
    Ok(store(&state)?.duplicate_exercise(id).await?)
}

#[tauri::command]
pub async fn create_programme(state: State<'_, AppState>, title: String) -> Reply<Programme> {
    Ok(store(&state)?.create_programme(&title).await?)
}

#[tauri::command]
pub async fn move_session(state: State<'_, AppState>, id: String, index: usize) -> Reply<Session> {
    let id = self::id(&id)?;
    Ok(store(&state)?.move_session(id, index).await?)
}

#[tauri::command]
pub async fn run_state(state: State<'_, AppState>, session_id: String) -> Reply<RunState> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.run_state(session_id).await?)
}

#[tauri::command]
pub async fn run_press(
    state: State<'_, AppState>,
    session_id: String,
    action: RunAction,
    minutes: Option<u32>,
) -> Reply<RunState> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?
        .run_press(session_id, action, minutes.unwrap_or(0))
        .await?)
}

#[tauri::command]
pub async fn attendance_sheet(
    state: State<'_, AppState>,
    session_id: String,
) -> Reply<Vec<AttendanceLine>> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.attendance_sheet(session_id).await?)
}

#[tauri::command]
pub async fn mark_attendance(
    state: State<'_, AppState>,
    session_id: String,
    participant_id: String,
    status: Presence,
) -> Reply<Attendance> {
    let (session_id, participant_id) = (id(&session_id)?, id(&participant_id)?);
    Ok(store(&state)?
        .mark_attendance(session_id, participant_id, status)
        .await?)
}

#[tauri::command]
pub async fn add_walk_in(
    state: State<'_, AppState>,
    session_id: String,
    form: NewParticipant,
) -> Reply<Participant> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.add_walk_in(session_id, form).await?)
}

#[tauri::command]
pub async fn cohort(state: State<'_, AppState>, version_id: String) -> Reply<Vec<Participant>> {
    let version_id = id(&version_id)?;
    Ok(store(&state)?.cohort(version_id).await?)
}

#[tauri::command]
pub async fn add_participant(
    state: State<'_, AppState>,
    version_id: String,
    form: NewParticipant,
) -> Reply<Participant> {
    let version_id = id(&version_id)?;
    let store = store(&state)?;
    store.get::<ProgrammeVersion>(version_id).await?;
    Ok(store.add_participant(Some(version_id), form).await?)
}

#[tauri::command]
pub async fn save_reflection(
    state: State<'_, AppState>,
    draft: ReflectionDraft,
) -> Reply<Option<Reflection>> {
    Ok(store(&state)?.save_reflection(draft).await?)
}

#[tauri::command]
pub async fn list_reflections(
    state: State<'_, AppState>,
    session_id: String,
) -> Reply<Vec<Reflection>> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.reflections_of(session_id).await?)
}

#[tauri::command]
pub async fn earlier_versions(
    state: State<'_, AppState>,
    kind: String,
    id: String,
) -> Reply<Vec<EarlierVersion>> {
    let id = self::id(&id)?;
    Ok(store(&state)?.earlier_versions(&kind, id).await?)
}

#[tauri::command]
pub async fn add_action(
    state: State<'_, AppState>,
    session_id: String,
    participant_id: Option<String>,
    text: String,
) -> Reply<Action> {
    let session_id = id(&session_id)?;
    let participant_id = optional_id(participant_id)?;
    Ok(store(&state)?
        .add_action(session_id, participant_id, &text)
        .await?)
}

#[tauri::command]
pub async fn list_actions(state: State<'_, AppState>, session_id: String) -> Reply<Vec<Action>> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.actions_of(session_id).await?)
}

#[tauri::command]
pub async fn actions_to_follow_up(
    state: State<'_, AppState>,
    session_id: String,
) -> Reply<Vec<FollowUp>> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.actions_to_follow_up(session_id).await?)
}

#[tauri::command]
pub async fn session_notes(state: State<'_, AppState>, session_id: String) -> Reply<SessionNotes> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.session_notes(session_id).await?)
}

#[tauri::command]
pub async fn save_session_note(
    state: State<'_, AppState>,
    session_id: String,
    text: String,
) -> Reply<FacilitatorNote> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.save_session_note(session_id, &text).await?)
}

#[tauri::command]
pub async fn add_observation(
    state: State<'_, AppState>,
    session_id: String,
    text: String,
) -> Reply<FacilitatorNote> {
    let session_id = id(&session_id)?;
    Ok(store(&state)?.add_observation(session_id, &text).await?)
}

/// Full screen for the participants' capture screen, and back.
#[tauri::command]
pub fn set_full_screen<R: tauri::Runtime>(window: tauri::Window<R>, on: bool) -> Reply<()> {
    window.set_fullscreen(on).map_err(|e| {
        IpcError::from(Error::invalid(format!(
            "The window could not change size: {e}"
        )))
    })
}

const LAST_EXPORT_FOLDER: &str = "last_export_folder";

/// Exports notes to a file the facilitator chooses in the system's save dialog, starting in
/// the folder they used last. `None` when they cancel.
#[tauri::command]
pub async fn export_notes(
    state: State<'_, AppState>,
    scope: Scope,
    audience: Audience,
    format: Format,
    bom: Option<bool>,
) -> Reply<Option<String>> {
    let store = store(&state)?;
    let notes = store.gather_export(scope, audience).await?;
    let bytes = export::render(&notes, format, bom.unwrap_or(false))?;
    let name = export::suggested_file_name(&notes, format);
    let filter = (format.label(), vec![format.extension()]);
    save_in_chosen_file(&state, "Save the notes", name, filter, &bytes).await
}

/// Prints the notes as the print-ready HTML lays them out: with `pdf`, to a PDF file the
/// facilitator chooses (no print dialog); otherwise through the system's print dialog.
/// `None` when they cancel; the PDF's path once written.
#[tauri::command]
pub async fn print_notes<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    scope: Scope,
    audience: Audience,
    pdf: bool,
) -> Reply<Option<String>> {
    let store = store(&state)?;
    let notes = store.gather_export(scope, audience).await?;
    let html = String::from_utf8_lossy(&export::render(&notes, Format::Html, false)?).into_owned();
    if !pdf {
        let printed = print_html(&app, html, None, export::pdf::PAGE_MARGINS_MM).await?;
        return Ok(printed.then(|| "the printer".to_owned()));
    }
    let name = export::file_name_from(&notes.title, "pdf");
    let Some(path) =
        choose_in_last_folder(&state, "Save as PDF", name, ("PDF", vec!["pdf"])).await?
    else {
        return Ok(None);
    };
    // Printed next to the chosen file, then written into place: never half a PDF.
    let folder = path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let line = export::footer_line(&notes);
    let bytes = print_numbered_pdf(&app, html, &line, &folder).await?;
    export::write_atomically(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// `html` printed to PDF with the footer `line` and "Page N of M" on every page, as the CSS
/// margin boxes WebKit leaves out would give them: the notes are printed, then as many footer
/// pages, laid over them. Both are printed into `folder` and removed.
async fn print_numbered_pdf<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    html: String,
    line: &str,
    folder: &std::path::Path,
) -> Result<Vec<u8>, Error> {
    let notes = folder.join(format!(".{}.partial.pdf", Uuid::now_v7().simple()));
    let footers = folder.join(format!(".{}.partial.pdf", Uuid::now_v7().simple()));
    let printed = async {
        print_html(app, html, Some(&notes), export::pdf::PAGE_MARGINS_MM).await?;
        let bytes = std::fs::read(&notes)?;
        if !bytes.starts_with(b"%PDF") {
            return Err(Error::invalid(
                "The printer made no PDF. Nothing has been changed.",
            ));
        }
        let pages = export::pdf::page_count(&bytes)?;
        let feet = export::pdf::footer_pages_html(line, pages);
        print_html(app, feet, Some(&footers), export::pdf::FOOTER_MARGINS_MM).await?;
        export::pdf::stamp_footers(&bytes, &std::fs::read(&footers)?)
    }
    .await;
    let _ = std::fs::remove_file(&notes);
    let _ = std::fs::remove_file(&footers);
    printed
}

#[cfg(target_os = "linux")]
async fn print_html<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    html: String,
    pdf: Option<&std::path::Path>,
    margins: [f64; 3],
) -> Result<bool, Error> {
    crate::print::print_html(app, html, pdf, margins).await
}

#[cfg(not(target_os = "linux"))]
async fn print_html<R: tauri::Runtime>(
    _app: &tauri::AppHandle<R>,
    _html: String,
    _pdf: Option<&std::path::Path>,
    _margins: [f64; 3],
) -> Result<bool, Error> {
    Err(Error::invalid(
        "Printing from Fieldbook works on Linux only for now: export the web page and print it from your browser. Nothing has been changed.",
    ))
}

/// A file the facilitator chooses, starting in the folder they saved to last, which is
/// remembered. `None` when they cancel.
async fn choose_in_last_folder(
    state: &AppState,
    title: &'static str,
    name: String,
    filter: dialogs::Filter,
) -> Reply<Option<std::path::PathBuf>> {
    let store = state.store.as_ref().map_err(IpcError::from)?;
    let folder = store
        .setting(LAST_EXPORT_FOLDER)
        .await?
        .map(std::path::PathBuf::from)
        .filter(|f| f.is_dir())
        .or_else(dialogs::documents);
    let path = dialogs::ask_one(state, title, Some(filter), Ask::Save { name, folder }).await?;
    if let Some(folder) = path.as_ref().and_then(|p| p.parent()) {
        store
            .set_setting(LAST_EXPORT_FOLDER, &folder.to_string_lossy())
            .await?;
    }
    Ok(path)
}

/// Writes `bytes` to a file the facilitator chooses, starting in the folder they saved to
/// last. `None` when they cancel.
async fn save_in_chosen_file(
    state: &AppState,
    title: &'static str,
    name: String,
    filter: dialogs::Filter,
    bytes: &[u8],
) -> Reply<Option<String>> {
    let Some(path) = choose_in_last_folder(state, title, name, filter).await? else {
        return Ok(None);
    };
    export::write_atomically(&path, bytes)?;
    Ok(Some(path.display().to_string()))
}

#[derive(Debug, Serialize)]
pub struct SyncStatus {
    pub folder: Option<String>,
    pub last_sync: Option<serde_json::Value>,
    pub conflicts: usize,
    pub chosen_files: Vec<String>,
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Reply<SyncStatus> {
    let store = store(&state)?;
    let chosen_files = state
        .pending_import
        .lock()
        .map(|p| p.iter().map(|f| f.display().to_string()).collect())
        .unwrap_or_default();
    Ok(SyncStatus {
        folder: store
            .chosen_sync_folder()
            .await?
            .map(|f| f.display().to_string()),
        last_sync: store.last_sync().await?,
        conflicts: store.conflicts().await?.len(),
        chosen_files,
    })
}

/// Asks for the sync folder with the system's folder dialog and remembers it.
#[tauri::command]
pub async fn choose_sync_folder(state: State<'_, AppState>) -> Reply<Option<String>> {
    let store = store(&state)?;
    let folder = dialogs::ask_one(&state, "Choose the sync folder", None, Ask::Folder).await?;
    let Some(folder) = folder else {
        return Ok(None);
    };
    store.choose_sync_folder(&folder).await?;
    Ok(Some(folder.display().to_string()))
}

fn passphrase_of(text: Option<String>) -> Option<String> {
    text.filter(|p| !p.is_empty())
}

/// Writes this laptop's bundle into the sync folder and merges every other laptop's.
#[tauri::command]
pub async fn sync_now(
    state: State<'_, AppState>,
    passphrase: Option<String>,
    allow_large_delete: Option<bool>,
) -> Reply<fieldbook_core::sync::FolderSync> {
    Ok(store(&state)?
        .sync_chosen_folder(
            passphrase_of(passphrase).as_deref(),
            allow_large_delete.unwrap_or(false),
        )
        .await?)
}

/// Saves a bundle through the system's save dialog (or the test export folder).
#[tauri::command]
pub async fn export_bundle_file(
    state: State<'_, AppState>,
    version_id: Option<String>,
    passphrase: Option<String>,
) -> Reply<Option<String>> {
    let store = store(&state)?;
    let scope = match optional_id(version_id)? {
        Some(v) => fieldbook_core::sync::BundleScope::Version(v),
        None => fieldbook_core::sync::BundleScope::Everything,
    };
    let bytes = store
        .export_bundle(scope, passphrase_of(passphrase).as_deref())
        .await?;
    let name = format!(
        "fieldbook-{}.fieldbook",
        store.clock().now().format("%Y-%m-%d")
    );
    let filter = ("Fieldbook bundle", vec!["fieldbook"]);
    let path = dialogs::ask_one(
        &state,
        "Save the bundle",
        Some(filter),
        Ask::save_in_documents(name),
    )
    .await?;
    let Some(path) = path else { return Ok(None) };
    export::write_atomically(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// Asks which bundles to import; they are kept here, so the window never handles paths.
#[tauri::command]
pub async fn choose_bundles(state: State<'_, AppState>) -> Reply<Vec<String>> {
    let filter = ("Fieldbook bundle", vec!["fieldbook"]);
    let title = "Choose bundles to import";
    let files = dialogs::ask(&state, title, Some(filter), Ask::OpenMany).await?;
    let names = files.iter().map(|f| f.display().to_string()).collect();
    if let Ok(mut pending) = state.pending_import.lock() {
        *pending = files;
    }
    Ok(names)
}

/// Previews (`dry_run`) or imports the chosen bundles, all together or not at all.
#[tauri::command]
pub async fn import_chosen_bundles(
    state: State<'_, AppState>,
    passphrase: Option<String>,
    dry_run: bool,
) -> Reply<fieldbook_core::sync::Preview> {
    let store = store(&state)?;
    let files = state
        .pending_import
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default();
    if files.is_empty() {
        return Err(Error::invalid("Choose the bundles to import first.").into());
    }
    let mut bundles = Vec::new();
    for file in &files {
        bundles.push(
            std::fs::read(file).map_err(|e| {
                Error::invalid(format!("{} could not be read: {e}", file.display()))
            })?,
        );
    }
    let preview = store
        .import_bundles(&bundles, passphrase_of(passphrase).as_deref(), dry_run)
        .await?;
    if !dry_run {
        if let Ok(mut pending) = state.pending_import.lock() {
            pending.clear();
        }
    }
    Ok(preview)
}

#[tauri::command]
pub async fn list_conflicts(
    state: State<'_, AppState>,
) -> Reply<Vec<fieldbook_core::sync::Conflict>> {
    Ok(store(&state)?.conflicts().await?)
}

#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    record_id: String,
    chosen: serde_json::Value,
) -> Reply<()> {
    let record_id = id(&record_id)?;
    Ok(store(&state)?.resolve_conflict(record_id, chosen).await?)
}

#[tauri::command]
pub async fn get_participant(state: State<'_, AppState>, id: String) -> Reply<Participant> {
    let id = self::id(&id)?;
    Ok(store(&state)?.get(id).await?)
}

#[tauri::command]
pub async fn set_consent(
    state: State<'_, AppState>,
    id: String,
    consent: fieldbook_core::erasure::Consent,
    given: bool,
) -> Reply<Participant> {
    let id = self::id(&id)?;
    Ok(store(&state)?.set_consent(id, consent, given).await?)
}

#[tauri::command]
pub async fn erase_participant(state: State<'_, AppState>, id: String) -> Reply<()> {
    let id = self::id(&id)?;
    Ok(store(&state)?.erase_participant(id).await?)
}

#[tauri::command]
pub async fn anonymise_participant(state: State<'_, AppState>, id: String) -> Reply<()> {
    let id = self::id(&id)?;
    Ok(store(&state)?.anonymise_participant(id).await?)
}

/// Saves everything held about one participant as JSON, through the save dialog.
#[tauri::command]
pub async fn export_participant_data(
    state: State<'_, AppState>,
    id: String,
) -> Reply<Option<String>> {
    let id = self::id(&id)?;
    let store = store(&state)?;
    let data = store.participant_data(id).await?;
    let bytes = serde_json::to_vec_pretty(&data).map_err(fieldbook_core::Error::from)?;
    let name = export::file_name_from(
        &format!("Everything we hold {}", data.participant.name),
        "json",
    );
    let title = "Save everything held about this participant";
    let filter = ("JSON", vec!["json"]);
    let ask = Ask::save_in_documents(name);
    let path = dialogs::ask_one(&state, title, Some(filter), ask).await?;
    let Some(path) = path else { return Ok(None) };
    export::write_atomically(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

#[derive(Debug, Serialize)]
pub struct DataStatus {
    pub data_dir: String,
    pub database: String,
    pub backups: Vec<fieldbook_core::backup::BackupFile>,
    pub policy: fieldbook_core::backup::BackupPolicy,
}

#[tauri::command]
pub async fn data_status(state: State<'_, AppState>) -> Reply<DataStatus> {
    let store = store(&state)?;
    Ok(DataStatus {
        data_dir: state.data_dir.display().to_string(),
        database: store.path().display().to_string(),
        backups: store.backups().await?,
        policy: store.backup_policy().await?,
    })
}

/// Changes how many backups are kept and how much room they may take.
#[tauri::command]
pub async fn set_backup_limits(
    state: State<'_, AppState>,
    kept: usize,
    budget_mb: u64,
) -> Reply<fieldbook_core::backup::BackupPolicy> {
    let store = store(&state)?;
    let mut policy = store.backup_policy().await?;
    policy.kept = kept;
    policy.budget_mb = budget_mb;
    Ok(store.set_backup_policy(&policy).await?)
}

/// Asks for the folder backups go to (the system's folder dialog) and checks it can be
/// written to before using it.
#[tauri::command]
pub async fn choose_backup_folder(
    state: State<'_, AppState>,
) -> Reply<Option<fieldbook_core::backup::BackupPolicy>> {
    let store = store(&state)?;
    let folder = dialogs::ask_one(&state, "Choose where backups go", None, Ask::Folder).await?;
    let Some(folder) = folder else {
        return Ok(None);
    };
    let mut policy = store.backup_policy().await?;
    policy.folder = folder;
    Ok(Some(store.set_backup_policy(&policy).await?))
}

/// A checked backup into the backups folder beside the database.
#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> Reply<String> {
    Ok(store(&state)?.backup("manual").await?.display().to_string())
}

/// A checked backup to a file the facilitator chooses (a USB stick, say).
#[tauri::command]
pub async fn save_backup_as(state: State<'_, AppState>) -> Reply<Option<String>> {
    let store = store(&state)?;
    let name = format!(
        "fieldbook-backup-{}.db",
        store.clock().now().format("%Y-%m-%d")
    );
    let filter = ("Fieldbook backup", vec!["db"]);
    let path = dialogs::ask_one(
        &state,
        "Save a backup",
        Some(filter),
        Ask::save_in_documents(name),
    )
    .await?;
    let Some(path) = path else { return Ok(None) };
    store.backup_to(&path).await?;
    Ok(Some(path.display().to_string()))
}

/// Checks a backup the facilitator chooses and restores it by restarting Fieldbook (the
/// database it replaces is kept in the backups folder).
#[tauri::command]
pub async fn restore_backup<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Reply<bool> {
    let filter = ("Fieldbook backup", vec!["db"]);
    let title = "Choose a backup to restore";
    let file = dialogs::ask_one(&state, title, Some(filter), Ask::Open).await?;
    let Some(file) = file else { return Ok(false) };
    fieldbook_core::backup::stage_restore(&state.data_dir, &file).await?;
    app.restart();
}

#[tauri::command]
pub async fn past_retention(
    state: State<'_, AppState>,
) -> Reply<Vec<fieldbook_core::erasure::PastRetention>> {
    Ok(store(&state)?.past_retention().await?)
}

#[tauri::command]
pub async fn apply_retention(state: State<'_, AppState>, sessions: Vec<String>) -> Reply<usize> {
    Ok(store(&state)?.apply_retention(&ids(&sessions)?).await?)
}

#[tauri::command]
pub async fn search_reflections(
    state: State<'_, AppState>,
    query: fieldbook_core::search::SearchQuery,
) -> Reply<fieldbook_core::search::SearchResult> {
    Ok(store(&state)?.search(&query).await?)
}

#[tauri::command]
pub async fn list_themes(state: State<'_, AppState>) -> Reply<Vec<ThemeLine>> {
    Ok(store(&state)?.themes().await?)
}

#[tauri::command]
pub async fn create_theme(state: State<'_, AppState>, name: String) -> Reply<Theme> {
    Ok(store(&state)?.create_theme(&name).await?)
}

#[tauri::command]
pub async fn rename_theme(state: State<'_, AppState>, id: String, name: String) -> Reply<Theme> {
    Ok(store(&state)?.rename_theme(self::id(&id)?, &name).await?)
}

#[tauri::command]
pub async fn merge_themes(state: State<'_, AppState>, from: String, into: String) -> Reply<Theme> {
    Ok(store(&state)?.merge_themes(id(&from)?, id(&into)?).await?)
}

#[tauri::command]
pub async fn unmerge_theme(state: State<'_, AppState>, id: String) -> Reply<Theme> {
    Ok(store(&state)?.unmerge_theme(self::id(&id)?).await?)
}

#[tauri::command]
pub async fn tag_reflections(
    state: State<'_, AppState>,
    theme: String,
    reflections: Vec<String>,
) -> Reply<usize> {
    Ok(store(&state)?
        .tag_reflections(id(&theme)?, &ids(&reflections)?)
        .await?)
}

#[tauri::command]
pub async fn untag_reflections(
    state: State<'_, AppState>,
    theme: String,
    reflections: Vec<String>,
) -> Reply<usize> {
    Ok(store(&state)?
        .untag_reflections(id(&theme)?, &ids(&reflections)?)
        .await?)
}

#[tauri::command]
pub async fn choose_quote(
    state: State<'_, AppState>,
    reflection: String,
    theme: String,
    quote: bool,
) -> Reply<()> {
    Ok(store(&state)?
        .choose_quote(id(&reflection)?, id(&theme)?, quote)
        .await?)
}

#[tauri::command]
pub async fn theme_summary(
    state: State<'_, AppState>,
    scope: SummaryScope,
    breakdown: Breakdown,
) -> Reply<ThemeSummary> {
    Ok(store(&state)?.theme_summary(scope, breakdown).await?)
}

#[tauri::command]
pub async fn compare_places(
    state: State<'_, AppState>,
    a: String,
    b: String,
) -> Reply<PlaceComparison> {
    Ok(store(&state)?.compare_places(id(&a)?, id(&b)?).await?)
}

#[tauri::command]
pub async fn reflection_context(
    state: State<'_, AppState>,
    id: String,
) -> Reply<ReflectionContext> {
    Ok(store(&state)?.reflection_in_context(self::id(&id)?).await?)
}

/// Saves a programme's learning summary as HTML or Word where the facilitator chooses.
#[tauri::command]
pub async fn export_learning_summary(
    state: State<'_, AppState>,
    programme: Uuid,
    format: Format,
) -> Reply<Option<String>> {
    let summary = store(&state)?.learning_summary(programme).await?;
    let bytes = match format {
        Format::Html => learning::render_html(&summary).into_bytes(),
        Format::Docx => learning::render_docx(&summary)?,
        _ => {
            return Err(Error::invalid("A learning summary is saved as HTML or Word.").into());
        }
    };
    let filter = (format.label(), vec![format.extension()]);
    let name = learning::suggested_file_name(&summary, format.extension());
    save_in_chosen_file(&state, "Save the learning summary", name, filter, &bytes).await
}

/// The longest chart the window may ask to save.
const MAX_CHART_BYTES: usize = 2_000_000;

/// Saves a chart drawn in the window as an SVG image.
#[tauri::command]
pub async fn save_chart(
    state: State<'_, AppState>,
    name: String,
    svg: String,
) -> Reply<Option<String>> {
    if svg.len() > MAX_CHART_BYTES || !svg.starts_with("<svg") || svg.contains("<script") {
        return Err(Error::invalid("That chart could not be saved.").into());
    }
    let file = export::file_name_from(&name, "svg");
    let bytes = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}\n");
    save_in_chosen_file(
        &state,
        "Save the chart",
        file,
        ("Image (SVG)", vec!["svg"]),
        bytes.as_bytes(),
    )
    .await
}

/// The demo content still held and the next session, for the first screen.
#[tauri::command]
pub async fn welcome(state: State<'_, AppState>) -> Reply<fieldbook_core::welcome::Welcome> {
    let store = store(&state)?;
    let today = store.clock().now().date_naive();
    Ok(store.welcome(today).await?)
}

/// Deletes the demo content (refused while it holds anyone's data).
#[tauri::command]
pub async fn clear_demo(state: State<'_, AppState>) -> Reply<fieldbook_core::welcome::DemoContent> {
    Ok(store(&state)?.clear_demo().await?)
}

/// How many milliseconds ago this process started, read from /proc (Linux only; `None`
/// elsewhere). The window records it when its first screen is shown, so the start-up budget
/// is measured from the process's real start, not from when the page began loading.
#[tauri::command]
pub fn startup_time() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name: state is the 3rd field overall, start time the 22nd.
    let start_ticks: f64 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // USER_HZ, the unit of the start time, is 100 on Linux.
    Some(((uptime - start_ticks / 100.0) * 1000.0).max(0.0) as u64)
}

fn read_chosen(path: &std::path::Path) -> Reply<(String, Vec<u8>)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| {
        Error::invalid(format!(
            "{name} could not be read: {e}. Nothing has been changed."
        ))
    })?;
    Ok((name, bytes))
}

/// A participant list's preview: the file's name and what importing it would do.
#[derive(Debug, Serialize)]
pub struct ListPreview {
    pub file: String,
    pub plan: participant_list::ImportPlan,
    /// The fields a column can be mapped to, with their labels.
    pub fields: Vec<(participant_list::Field, &'static str)>,
}

fn pending_list(state: &AppState) -> Reply<(String, participant_list::Table)> {
    state
        .pending_list
        .lock()
        .ok()
        .and_then(|p| p.clone())
        .ok_or_else(|| {
            Error::invalid("Choose the participant list first. Nothing has been changed.").into()
        })
}

fn list_preview(file: String, plan: participant_list::ImportPlan) -> ListPreview {
    ListPreview {
        file,
        plan,
        fields: participant_list::Field::ALL
            .iter()
            .map(|f| (*f, f.label()))
            .collect(),
    }
}

/// Asks for a participant list (.csv, .xlsx, .ods), reads it and previews its import into a
/// version's cohort with the headings recognised. Nothing is written.
#[tauri::command]
pub async fn choose_participant_list(
    state: State<'_, AppState>,
    version: String,
) -> Reply<Option<ListPreview>> {
    let version = id(&version)?;
    let store = store(&state)?;
    let filter = (
        "Participant list (CSV, Excel, LibreOffice)",
        vec!["csv", "xlsx", "xlsm", "xls", "ods"],
    );
    let Some(path) = dialogs::ask_one(
        &state,
        "Choose the participant list",
        Some(filter),
        Ask::Open,
    )
    .await?
    else {
        return Ok(None);
    };
    let (name, bytes) = read_chosen(&path)?;
    let table = participant_list::read_table(&bytes, &name)?;
    let plan = store.plan_participant_import(version, &table, None).await?;
    if let Ok(mut pending) = state.pending_list.lock() {
        *pending = Some((name.clone(), table));
    }
    Ok(Some(list_preview(name, plan)))
}

/// The chosen list's preview with the facilitator's mapping of its columns.
#[tauri::command]
pub async fn preview_participant_list(
    state: State<'_, AppState>,
    version: String,
    mapping: Vec<participant_list::Field>,
) -> Reply<ListPreview> {
    let version = id(&version)?;
    let (name, table) = pending_list(&state)?;
    let plan = store(&state)?
        .plan_participant_import(version, &table, Some(&mapping))
        .await?;
    Ok(list_preview(name, plan))
}

/// Imports the chosen list with the mapping the facilitator confirmed.
#[tauri::command]
pub async fn import_participant_list(
    state: State<'_, AppState>,
    version: String,
    mapping: Vec<participant_list::Field>,
) -> Reply<participant_list::ImportReport> {
    let version = id(&version)?;
    let (_, table) = pending_list(&state)?;
    let report = store(&state)?
        .import_participants(version, &table, Some(&mapping))
        .await?;
    if let Ok(mut pending) = state.pending_list.lock() {
        *pending = None;
    }
    Ok(report)
}

/// Saves coded reflections as a REFI-QDA project (.qdpx): one programme's, or everything.
#[tauri::command]
pub async fn export_qdpx(
    state: State<'_, AppState>,
    programme: Option<Uuid>,
) -> Reply<Option<String>> {
    let scope = match programme {
        Some(p) => qda::QdaScope::Programme(p),
        None => qda::QdaScope::Everything,
    };
    let project = store(&state)?.gather_qda(scope).await?;
    let bytes = qda::render_qdpx(&project)?;
    let name = project.file_name("qdpx");
    save_in_chosen_file(
        &state,
        "Save for NVivo, ATLAS.ti, MAXQDA or QualCoder",
        name,
        ("REFI-QDA project", vec!["qdpx"]),
        &bytes,
    )
    .await
}

/// Saves the themes as a REFI-QDA codebook (.qdc).
#[tauri::command]
pub async fn export_codebook(state: State<'_, AppState>) -> Reply<Option<String>> {
    let codes = store(&state)?.codebook().await?;
    if codes.is_empty() {
        return Err(Error::invalid("There are no themes yet to put in a codebook.").into());
    }
    let text = qda::render_qdc(&codes);
    save_in_chosen_file(
        &state,
        "Save the codebook",
        "fieldbook-themes.qdc".into(),
        ("REFI-QDA codebook", vec!["qdc"]),
        text.as_bytes(),
    )
    .await
}

/// Asks for a codebook (.qdc) and previews which themes it would add. Nothing is written.
#[tauri::command]
pub async fn choose_codebook(state: State<'_, AppState>) -> Reply<Option<qda::CodebookPlan>> {
    let store = store(&state)?;
    let filter = ("REFI-QDA codebook", vec!["qdc"]);
    let Some(path) = dialogs::ask_one(&state, "Choose a codebook", Some(filter), Ask::Open).await?
    else {
        return Ok(None);
    };
    let (name, bytes) = read_chosen(&path)?;
    let codes = qda::read_codebook(&bytes, &name)?;
    let plan = store.plan_codebook_import(&codes).await?;
    if let Ok(mut pending) = state.pending_codebook.lock() {
        *pending = codes;
    }
    Ok(Some(plan))
}

/// Makes themes from the chosen codebook.
#[tauri::command]
pub async fn import_chosen_codebook(state: State<'_, AppState>) -> Reply<qda::CodebookPlan> {
    let codes = state
        .pending_codebook
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default();
    if codes.is_empty() {
        return Err(Error::invalid("Choose a codebook first. Nothing has been changed.").into());
    }
    let plan = store(&state)?.import_codebook(&codes).await?;
    if let Ok(mut pending) = state.pending_codebook.lock() {
        pending.clear();
    }
    Ok(plan)
}

/// Saves a version's dated sessions as a calendar file (.ics).
#[tauri::command]
pub async fn export_calendar(state: State<'_, AppState>, version: String) -> Reply<Option<String>> {
    let version = id(&version)?;
    let calendar = store(&state)?.gather_calendar(version).await?;
    let text = fieldbook_core::calendar::render_ics(&calendar);
    save_in_chosen_file(
        &state,
        "Save the sessions for calendars",
        calendar.file_name(),
        ("Calendar (iCalendar)", vec!["ics"]),
        text.as_bytes(),
    )
    .await
}

/// What the run screen shows while phones may answer.
#[derive(Debug, Serialize)]
pub struct PhonesView {
    #[serde(flatten)]
    pub status: fieldbook_core::phones::PhoneStatus,
    /// The join address as a QR code, drawn by the window.
    pub qr: fieldbook_core::phones::QrModules,
    /// The port, for the firewall help.
    pub port: u16,
    /// Answers let through to the projector view.
    pub projected: Vec<Uuid>,
}

fn phones_view(server: &fieldbook_core::phones::PhoneServer) -> Reply<PhonesView> {
    let status = server.status();
    let qr = fieldbook_core::phones::qr_modules(&status.join_url)?;
    Ok(PhonesView {
        qr,
        port: server.addresses()[0].port(),
        projected: server.projected_ids(),
        status,
    })
}

/// Switches phone answers on for a session: listens on the laptop's local network addresses
/// (never a public one) with a new join code. Any earlier serving stops first.
#[tauri::command]
pub async fn phones_start(state: State<'_, AppState>, session_id: String) -> Reply<PhonesView> {
    use fieldbook_core::phones::{local_addresses, PhoneServer, PREFERRED_PORT};
    use std::net::SocketAddr;
    let session_id = id(&session_id)?;
    let store = store(&state)?.clone();
    let mut phones = state.phones.lock().await;
    if let Some(old) = phones.take() {
        old.stop().await;
    }
    let server = match state.phones_listen {
        Some(addr) => PhoneServer::start(store, session_id, &[addr]).await?,
        None => {
            let usual: Vec<SocketAddr> = local_addresses()
                .into_iter()
                .map(|ip| SocketAddr::new(ip, PREFERRED_PORT))
                .collect();
            match PhoneServer::start(store.clone(), session_id, &usual).await {
                Ok(server) => server,
                // The usual port is taken on this laptop: any free one will do.
                Err(first) if !usual.is_empty() => {
                    let any: Vec<SocketAddr> =
                        usual.iter().map(|a| SocketAddr::new(a.ip(), 0)).collect();
                    PhoneServer::start(store, session_id, &any)
                        .await
                        .map_err(|_| first)?
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let view = phones_view(&server)?;
    *phones = Some(server);
    Ok(view)
}

/// Switches phone answers off: the port is closed when this returns.
#[tauri::command]
pub async fn phones_stop(state: State<'_, AppState>) -> Reply<()> {
    if let Some(server) = state.phones.lock().await.take() {
        server.stop().await;
    }
    Ok(())
}

/// Phone answers for this session now, or nothing when switched off (or on for another).
#[tauri::command]
pub async fn phones_status(
    state: State<'_, AppState>,
    session_id: String,
) -> Reply<Option<PhonesView>> {
    let session_id = id(&session_id)?;
    let phones = state.phones.lock().await;
    match phones.as_ref() {
        Some(server) if server.session_id() == session_id => Ok(Some(phones_view(server)?)),
        _ => Ok(None),
    }
}

/// Lets an answer through to the projector view, or takes it off.
#[tauri::command]
pub async fn phones_project(
    state: State<'_, AppState>,
    reflection_id: String,
    shown: bool,
) -> Reply<()> {
    let reflection_id = id(&reflection_id)?;
    let phones = state.phones.lock().await;
    let server = phones.as_ref().ok_or_else(|| {
        IpcError::from(Error::invalid(
            "Phone answers are switched off, so there is no projector view. Switch them on first.",
        ))
    })?;
    Ok(server.project(reflection_id, shown).await?)
}

/// The answers let through, for the projector view: texts only, no names.
#[tauri::command]
pub async fn phones_projector(state: State<'_, AppState>) -> Reply<Vec<String>> {
    let phones = state.phones.lock().await;
    match phones.as_ref() {
        Some(server) => Ok(server.projected().await?),
        None => Ok(Vec::new()),
    }
}
