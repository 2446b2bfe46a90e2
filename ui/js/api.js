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
  /** The lists the window offers, from the core (see choices.js). */
  choices: () => call('choices'),
  startupTime: () => call('startup_time'),
  /** What the first screen shows: the demo content still held, and the next session. */
  welcome: () => call('welcome'),
  clearDemo: () => call('clear_demo'),

  listProgrammes: () => call('list_programmes'),
  listStandaloneSessions: () => call('list_standalone_sessions'),
  getProgramme: (id) => call('get_programme', { id }),
  getVersion: (id) => call('get_version', { id }),
  getSession: (id) => call('get_session', { id }),

  createLocalVersion: (nationalId, form) => call('create_local_version', { nationalId, form }),
  versionDifferences: (id) => call('version_differences', { id }),
  nationalChanges: (id) => call('national_changes', { id }),
  applyNationalChanges: (id, decisions) => call('apply_national_changes', { id, decisions }),

  /** Changes some fields of a record: kind is 'session', 'agenda_item', 'exercise'... */
  update: (kind, id, patch) => call('update_record', { kind, id, patch }),
  remove: (kind, id) => call('delete_record', { kind, id }),
  restore: (kind, id) => call('restore_record', { kind, id }),

  createProgramme: (title) => call('create_programme', { title }),
  createSession: (versionId, title) => call('create_session', { versionId, title }),
  moveSession: (id, index) => call('move_session', { id, index }),
  duplicateSession: (id) => call('duplicate_session', { id }),
  addAgendaItem: (sessionId, after, title, minutes, kind) => call('add_agenda_item', { sessionId, after, title, minutes, kind }),
  addExerciseToAgenda: (sessionId, exerciseId, after) => call('add_exercise_to_agenda', { sessionId, exerciseId, after }),
  refreshItemFromExercise: (id) => call('refresh_item_from_exercise', { id }),
  duplicateAgendaItem: (id) => call('duplicate_agenda_item', { id }),
  moveAgendaItem: (id, index) => call('move_agenda_item', { id, index }),

  runState: (sessionId) => call('run_state', { sessionId }),
  runPress: (sessionId, action, minutes) => call('run_press', { sessionId, action, minutes: minutes ?? null }),
  attendanceSheet: (sessionId) => call('attendance_sheet', { sessionId }),
  markAttendance: (sessionId, participantId, status) => call('mark_attendance', { sessionId, participantId, status }),
  addWalkIn: (sessionId, form) => call('add_walk_in', { sessionId, form }),
  cohort: (versionId) => call('cohort', { versionId }),
  addParticipant: (versionId, form) => call('add_participant', { versionId, form }),
  /** Asks for a participant list and previews its import; null if cancelled. Nothing is written. */
  chooseParticipantList: (version) => call('choose_participant_list', { version }),
  previewParticipantList: (version, mapping) => call('preview_participant_list', { version, mapping }),
  importParticipantList: (version, mapping) => call('import_participant_list', { version, mapping }),
  /** Saves the version's dated sessions as an .ics file; the saved path, or null if cancelled. */
  exportCalendar: (version) => call('export_calendar', { version }),
  saveReflection: (draft) => call('save_reflection', { draft }),
  listReflections: (sessionId) => call('list_reflections', { sessionId }),
  earlierVersions: (kind, id) => call('earlier_versions', { kind, id }),
  addAction: (sessionId, participantId, text) => call('add_action', { sessionId, participantId, text }),
  listActions: (sessionId) => call('list_actions', { sessionId }),
  actionsToFollowUp: (sessionId) => call('actions_to_follow_up', { sessionId }),
  sessionNotes: (sessionId) => call('session_notes', { sessionId }),
  saveSessionNote: (sessionId, text) => call('save_session_note', { sessionId, text }),
  addObservation: (sessionId, text) => call('add_observation', { sessionId, text }),
  setFullScreen: (on) => call('set_full_screen', { on }),
  /** Phone answers in run mode: on for a session (a new join code each time) or off. */
  phonesStart: (sessionId) => call('phones_start', { sessionId }),
  phonesStop: () => call('phones_stop'),
  /** Resolves to null when phone answers are off for this session. */
  phonesStatus: (sessionId) => call('phones_status', { sessionId }),
  phonesProject: (reflectionId, shown) => call('phones_project', { reflectionId, shown }),
  phonesProjector: () => call('phones_projector'),
  /** scope: { kind: 'session' | 'version', id }; resolves to the saved path, or null if cancelled. */
  exportNotes: (scope, audience, format, bom) => call('export_notes', { scope, audience, format, bom }),
  printNotes: (scope, audience, pdf) => call('print_notes', { scope, audience, pdf }),

  syncStatus: () => call('sync_status'),
  chooseSyncFolder: () => call('choose_sync_folder'),
  syncNow: (passphrase, allowLargeDelete = false) => call('sync_now', { passphrase: passphrase || null, allowLargeDelete }),
  exportBundleFile: (versionId, passphrase) => call('export_bundle_file', { versionId: versionId ?? null, passphrase: passphrase || null }),
  chooseBundles: () => call('choose_bundles'),
  importChosenBundles: (passphrase, dryRun) => call('import_chosen_bundles', { passphrase: passphrase || null, dryRun }),
  listConflicts: () => call('list_conflicts'),
  resolveConflict: (recordId, chosen) => call('resolve_conflict', { recordId, chosen }),

  getParticipant: (id) => call('get_participant', { id }),
  setConsent: (id, consent, given) => call('set_consent', { id, consent, given }),
  eraseParticipant: (id) => call('erase_participant', { id }),
  anonymiseParticipant: (id) => call('anonymise_participant', { id }),
  exportParticipantData: (id) => call('export_participant_data', { id }),

  dataStatus: () => call('data_status'),
  backupNow: () => call('backup_now'),
  setBackupLimits: (kept, budgetMb) => call('set_backup_limits', { kept, budgetMb }),
  chooseBackupFolder: () => call('choose_backup_folder'),
  saveBackupAs: () => call('save_backup_as'),
  restoreBackup: () => call('restore_backup'),
  pastRetention: () => call('past_retention'),
  applyRetention: (sessions) => call('apply_retention', { sessions }),

  searchReflections: (query) => call('search_reflections', { query }),
  reflectionContext: (id) => call('reflection_context', { id }),

  listThemes: () => call('list_themes'),
  createTheme: (name) => call('create_theme', { name }),
  renameTheme: (id, name) => call('rename_theme', { id, name }),
  mergeThemes: (from, into) => call('merge_themes', { from, into }),
  unmergeTheme: (id) => call('unmerge_theme', { id }),
  tagReflections: (theme, reflections) => call('tag_reflections', { theme, reflections }),
  untagReflections: (theme, reflections) => call('untag_reflections', { theme, reflections }),
  chooseQuote: (reflection, theme, quote) => call('choose_quote', { reflection, theme, quote }),
  themeSummary: (scope, breakdown) => call('theme_summary', { scope, breakdown }),
  comparePlaces: (a, b) => call('compare_places', { a, b }),
  exportLearningSummary: (programme, format) => call('export_learning_summary', { programme, format }),
  saveChart: (name, svg) => call('save_chart', { name, svg }),
  /** REFI-QDA: coded reflections as .qdpx (one programme, or everything), the themes as a .qdc codebook. */
  exportQdpx: (programme) => call('export_qdpx', { programme: programme ?? null }),
  exportCodebook: () => call('export_codebook'),
  chooseCodebook: () => call('choose_codebook'),
  importChosenCodebook: () => call('import_chosen_codebook'),

  listExercises: (filter = {}) => call('list_exercises', { filter }),
  getExercise: (id) => call('get_exercise', { id }),
  listExerciseTags: () => call('list_exercise_tags'),
  createExercise: (title) => call('create_exercise', { title }),
  duplicateExercise: (id) => call('duplicate_exercise', { id }),
};
