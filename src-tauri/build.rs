// The window may call exactly the app's commands and nothing else. The commands are listed
// once, where they are written: every `#[tauri::command]` function in commands.rs. From that
// list this script
// - declares them to tauri-build, which makes an `allow-<command>` permission for each,
// - writes the permission set `fieldbook-commands` (all of them), which the one capability
//   in tauri.conf.json grants to the main window,
// - writes the handler list that lib.rs registers, and the names for lib.rs's tests (which
//   check that ui/js/api.js calls each of them and nothing else).
// A new command is a function in commands.rs and a call in api.js; nothing else lists it.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/commands.rs");
    let source =
        std::fs::read_to_string("src-tauri/commands.rs").expect("read src-tauri/commands.rs");
    let file = syn::parse_file(&source).expect("src-tauri/commands.rs does not parse");
    let commands: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) if f.attrs.iter().any(is_tauri_command) => {
                Some(f.sig.ident.to_string())
            }
            _ => None,
        })
        .collect();
    assert!(!commands.is_empty(), "no #[tauri::command] in commands.rs");

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    write(
        &out.join("handlers.rs"),
        format!(
            "tauri::generate_handler![{}]",
            commands
                .iter()
                .map(|c| format!("commands::{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    write(
        &out.join("command_names.rs"),
        format!("&[{}]", quoted(commands.iter())),
    );
    let permissions = out.join("permissions");
    std::fs::create_dir_all(&permissions).unwrap();
    write(
        &permissions.join("fieldbook-commands.toml"),
        format!(
            "[[set]]\nidentifier = \"fieldbook-commands\"\ndescription = \"Every command of \
             Fieldbook's own, as written in src-tauri/commands.rs.\"\npermissions = [{}]\n",
            quoted(
                commands
                    .iter()
                    .map(|c| format!("allow-{}", c.replace('_', "-")))
            )
        ),
    );

    let names: &'static [&'static str] = Vec::leak(
        commands
            .into_iter()
            .map(|c| &*String::leak(c))
            .collect::<Vec<&'static str>>(),
    );
    let pattern: &'static str = String::leak(format!("{}/*.toml", permissions.display()));
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(
            tauri_build::AppManifest::new()
                .commands(names)
                .permissions_path_pattern(pattern),
        ),
    )
    .expect("tauri-build failed");
}

fn is_tauri_command(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    path.segments.len() == 2
        && path.segments[0].ident == "tauri"
        && path.segments[1].ident == "command"
}

fn quoted(items: impl Iterator<Item = impl AsRef<str>>) -> String {
    items
        .map(|s| format!("{:?}", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes only when the text changed, so an unchanged list does not rebuild the app.
fn write(path: &Path, text: String) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path, text).unwrap();
    }
}
