// The one place the UI talks to Fieldbook's Rust core: every command the window may call.
// Each rejects with { code, message }, the one error shape that crosses IPC.

const tauri = window.__TAURI__;

async function invoke(command, args) {
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

/**
 * The window's way to call `command`: a function whose arguments go to the core under
 * `names`, in that order (one not given goes as null). Where an argument is put in the
 * core's terms first (an empty passphrase is none), the entry adjusts it, then calls this.
 */
function call(command, ...names) {
  return (...values) => invoke(command, Object.fromEntries(names.map((name, n) => [name, values[n] ?? null])));
}

export const api = {
  appStatus: call('app_status'),
  /** The lists the window offers, from the core (see choices.js). */
  choices: call('choices'),
  startupTime: call('startup_time'),
  /** What the first screen shows: the demo content still held, and the next session. */
  welcome: call('welcome'),
  clearDemo: call('clear_demo'),

  listProgrammes: call('list_programmes'),
  listStandaloneSessions: call('list_standalone_sessions'),
  getProgramme: call('get_programme', 'id'),
  getVersion: call('get_version', 'id'),
  getSession: call('get_session', 'id'),

  createLocalVersion: call('create_local_version', 'nationalId', 'form'),
  versionDifferences: call('version_differences', 'id'),
  nationalChanges: call('national_changes', 'id'),
  applyNationalChanges: call('apply_national_changes', 'id', 'decisions'),

  /** Changes some fields of a record: kind is 'session', 'agenda_item', 'exercise'... */
  update: call('update_record', 'kind', 'id', 'patch'),
  remove: call('delete_record', 'kind', 'id'),
  restore: call('restore_record', 'kind', 'id'),

  createProgramme: call('create_programme', 'title'),
  createSession: call('create_session', 'versionId', 'title'),
  moveSession: call('move_session', 'id', 'index'),
  duplicateSession: call('duplicate_session', 'id'),
  addAgendaItem: call('add_agenda_item', 'sessionId', 'after', 'title', 'minutes', 'kind'),
  addExerciseToAgenda: call('add_exercise_to_agenda', 'sessionId', 'exerciseId', 'after'),
  refreshItemFromExercise: call('refresh_item_from_exercise', 'id'),
  duplicateAgendaItem: call('duplicate_agenda_item', 'id'),
  moveAgendaItem: call('move_agenda_item', 'id', 'index'),

  runState: call('run_state', 'sessionId'),
  runPress: call('run_press', 'sessionId', 'action', 'minutes'),
  attendanceSheet: call('attendance_sheet', 'sessionId'),
  markAttendance: call('mark_attendance', 'sessionId', 'participantId', 'status'),
  addWalkIn: call('add_walk_in', 'sessionId', 'form'),
  cohort: call('cohort', 'versionId'),
  addParticipant: call('add_participant', 'versionId', 'form'),
  /** Asks for a participant list and previews its import; null if cancelled. Nothing is written. */
  chooseParticipantList: call('choose_participant_list', 'version'),
  previewParticipantList: call('preview_participant_list', 'version', 'mapping'),
  importParticipantList: call('import_participant_list', 'version', 'mapping'),
  /** Saves the version's dated sessions as an .ics file; the saved path, or null if cancelled. */
  exportCalendar: call('export_calendar', 'version'),
  saveReflection: call('save_reflection', 'draft'),
  listReflections: call('list_reflections', 'sessionId'),
  earlierVersions: call('earlier_versions', 'kind', 'id'),
  addAction: call('add_action', 'sessionId', 'participantId', 'text'),
  listActions: call('list_actions', 'sessionId'),
  actionsToFollowUp: call('actions_to_follow_up', 'sessionId'),
  sessionNotes: call('session_notes', 'sessionId'),
  saveSessionNote: call('save_session_note', 'sessionId', 'text'),
  addObservation: call('add_observation', 'sessionId', 'text'),
  setFullScreen: call('set_full_screen', 'on'),
  /** Phone answers in run mode: on for a session (a new join code each time) or off. */
  phonesStart: call('phones_start', 'sessionId'),
  phonesStop: call('phones_stop'),
  /** Resolves to null when phone answers are off for this session. */
  phonesStatus: call('phones_status', 'sessionId'),
  phonesProject: call('phones_project', 'reflectionId', 'shown'),
  phonesProjector: call('phones_projector'),
  /** scope: { kind: 'session' | 'version', id }; resolves to the saved path, or null if cancelled. */
  exportNotes: call('export_notes', 'scope', 'audience', 'format', 'bom'),
  printNotes: call('print_notes', 'scope', 'audience', 'pdf'),

  syncStatus: call('sync_status'),
  chooseSyncFolder: call('choose_sync_folder'),
  syncNow: (passphrase, allowLargeDelete = false) => call('sync_now', 'passphrase', 'allowLargeDelete')(passphrase || null, allowLargeDelete),
  exportBundleFile: (versionId, passphrase) => call('export_bundle_file', 'versionId', 'passphrase')(versionId, passphrase || null),
  chooseBundles: call('choose_bundles'),
  importChosenBundles: (passphrase, dryRun) => call('import_chosen_bundles', 'passphrase', 'dryRun')(passphrase || null, dryRun),
  listConflicts: call('list_conflicts'),
  resolveConflict: call('resolve_conflict', 'recordId', 'chosen'),

  getParticipant: call('get_participant', 'id'),
  setConsent: call('set_consent', 'id', 'consent', 'given'),
  eraseParticipant: call('erase_participant', 'id'),
  anonymiseParticipant: call('anonymise_participant', 'id'),
  exportParticipantData: call('export_participant_data', 'id'),

  dataStatus: call('data_status'),
  backupNow: call('backup_now'),
  setBackupLimits: call('set_backup_limits', 'kept', 'budgetMb'),
  chooseBackupFolder: call('choose_backup_folder'),
  saveBackupAs: call('save_backup_as'),
  restoreBackup: call('restore_backup'),
  pastRetention: call('past_retention'),
  applyRetention: call('apply_retention', 'sessions'),

  searchReflections: call('search_reflections', 'query'),
  reflectionContext: call('reflection_context', 'id'),

  listThemes: call('list_themes'),
  createTheme: call('create_theme', 'name'),
  renameTheme: call('rename_theme', 'id', 'name'),
  mergeThemes: call('merge_themes', 'from', 'into'),
  unmergeTheme: call('unmerge_theme', 'id'),
  tagReflections: call('tag_reflections', 'theme', 'reflections'),
  untagReflections: call('untag_reflections', 'theme', 'reflections'),
  chooseQuote: call('choose_quote', 'reflection', 'theme', 'quote'),
  themeSummary: call('theme_summary', 'scope', 'breakdown'),
  comparePlaces: call('compare_places', 'a', 'b'),
  exportLearningSummary: call('export_learning_summary', 'programme', 'format'),
  saveChart: call('save_chart', 'name', 'svg'),
  /** REFI-QDA: coded reflections as .qdpx (one programme, or everything), the themes as a .qdc codebook. */
  exportQdpx: call('export_qdpx', 'programme'),
  exportCodebook: call('export_codebook'),
  chooseCodebook: call('choose_codebook'),
  importChosenCodebook: call('import_chosen_codebook'),

  listExercises: (filter = {}) => call('list_exercises', 'filter')(filter),
  getExercise: call('get_exercise', 'id'),
  listExerciseTags: call('list_exercise_tags'),
  createExercise: call('create_exercise', 'title'),
  duplicateExercise: call('duplicate_exercise', 'id'),
};
