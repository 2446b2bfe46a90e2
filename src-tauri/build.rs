// Declares the app's commands, so that the one capability in tauri.conf.json grants exactly
// these and nothing else reaches the webview.
fn main() {
    let commands = &[
        "app_status",
        "list_programmes",
        "get_programme",
        "get_version",
        "get_session",
        "list_exercises",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
