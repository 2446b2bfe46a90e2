//! The commands the UI may call. Each takes ids, not paths, checks its arguments, calls the
//! core library and hands back its result or one `IpcError`.

use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use fieldbook_core::views::{ProgrammeOverview, SessionDetail, VersionDetail};
use fieldbook_core::{domain::Exercise, Error, Store};

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

#[tauri::command]
pub async fn list_programmes(state: State<'_, AppState>) -> Reply<Vec<ProgrammeOverview>> {
    Ok(store(&state)?.programme_overviews().await?)
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
    search: Option<String>,
) -> Reply<Vec<Exercise>> {
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(Error::invalid("Search for at most 200 characters.").into());
    }
    Ok(store(&state)?.exercises(search.as_deref()).await?)
}
