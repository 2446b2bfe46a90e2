// The one place the UI talks to Fieldbook's Rust core: every command the window may call.
// Each rejects with { code, message }, the one error shape that crosses IPC.

const tauri = window.__TAURI__;

async function call(command, args) {
  if (!tauri?.core?.invoke) {
    throw { code: 'no_core', message: 'Fieldbook’s window is open without its core. Start Fieldbook from its own icon or with `make run`.' };
  }
  try {
    return await tauri.core.invoke(command, args);
  } catch (error) {
    if (error && typeof error === 'object' && 'message' in error) throw error;
    throw { code: 'internal', message: String(error) };
  }
}

export const api = {
  appStatus: () => call('app_status'),
  listProgrammes: () => call('list_programmes'),
  getProgramme: (id) => call('get_programme', { id }),
  getVersion: (id) => call('get_version', { id }),
  getSession: (id) => call('get_session', { id }),
  listExercises: (search) => call('list_exercises', { search: search || null }),
};
