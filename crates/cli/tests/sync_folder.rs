//! The sync folder chosen on a laptop is one setting, whether chosen in the window or from the
//! command line, and "Sync now" from either records what it did.

use crate::{cli, json};

#[test]
fn sync_folder_without_a_folder_uses_the_one_chosen_and_says_how_to_choose_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    cli(&data, &["seed-demo"]);

    // None chosen yet: a clear message, and nothing written anywhere.
    let none = cli(&data, &["sync-folder"]);
    assert!(!none.status.success());
    let said = String::from_utf8_lossy(&none.stderr);
    assert!(said.contains("Choose a sync folder first"), "{said}");
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);

    // A folder that is not there is refused and not remembered.
    let missing = tmp.path().join("not-there");
    let refused = cli(
        &data,
        &["sync-folder", missing.to_str().unwrap(), "--remember"],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not a folder Fieldbook can reach")
    );
    assert!(!cli(&data, &["sync-folder"]).status.success());

    // Chosen once, then used by a plain `sync-folder`, as the window's Sync now uses it.
    let first = json(&cli(
        &data,
        &[
            "sync-folder",
            shared.to_str().unwrap(),
            "--remember",
            "--json",
        ],
    ));
    assert!(!first["written"].as_array().unwrap().is_empty(), "{first}");
    let files = std::fs::read_dir(&shared).unwrap().count();
    assert!(files > 0);
    let again = json(&cli(&data, &["sync-folder", "--json"]));
    assert_eq!(again["folder"], shared.to_str().unwrap(), "{again}");
    assert!(again["written"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), files);
}
