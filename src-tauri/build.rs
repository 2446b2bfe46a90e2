// Declares the app's commands, so that the one capability in tauri.conf.json grants exactly
// these and nothing else reaches the webview. A test in lib.rs checks the three lists agree.
const COMMANDS: &[&str] = &[
    "app_status",
    "list_programmes",
    "list_standalone_sessions",
    "get_programme",
    "get_version",
    "get_session",
    "list_exercises",
    "get_exercise",
    "list_exercise_tags",
    "create_local_version",
    "version_differences",
    "national_changes",
    "apply_national_changes",
    "update_record",
    "delete_record",
    "restore_record",
    "create_session",
    "duplicate_session",
    "add_agenda_item",
    "add_exercise_to_agenda",
    "refresh_item_from_exercise",
    "duplicate_agenda_item",
    "move_agenda_item",
    "create_exercise",
    "duplicate_exercise",
    "create_programme",
    "move_session",
    "run_state",
    "run_press",
    "attendance_sheet",
    "mark_attendance",
    "add_walk_in",
    "cohort",
    "add_participant",
    "save_reflection",
    "list_reflections",
    "earlier_versions",
    "add_action",
    "list_actions",
    "actions_to_follow_up",
    "session_notes",
    "save_session_note",
    "add_observation",
    "set_full_screen",
    "export_notes",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
