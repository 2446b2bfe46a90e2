//! `fieldbook-cli` as a user runs it: a real binary on a temporary data folder.

use std::path::Path;
use std::process::{Command, Output};

// Part of this one test binary (autotests = false in Cargo.toml) to keep link time down.
mod files;
mod phones;
mod python;
mod sync_folder;
mod syncthing;

#[path = "../../core/tests/common/poppler.rs"]
mod poppler;
#[path = "../../core/tests/common/sync_files.rs"]
mod sync_files;

/// The binary on the data folder `dir`, with a data folder from the environment out of the way.
fn fieldbook(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldbook-cli"));
    command
        .arg("--data-dir")
        .arg(dir)
        .env_remove("FIELDBOOK_DATA_DIR");
    command
}

fn cli(dir: &Path, args: &[&str]) -> Output {
    fieldbook(dir).args(args).output().unwrap()
}

/// What a run wrote to stderr.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails the test, showing what the run wrote to stderr, unless it succeeded.
fn assert_ok(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}

/// Fails the test unless the run was refused with exit code `code`, saying `says` on stderr.
fn assert_refused(output: &Output, code: i32, says: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert!(err.contains(says), "{err}");
}

fn json(output: &Output) -> serde_json::Value {
    assert_ok(output);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Seeds the demo in `dir`; the id of its Sunderland version.
fn sunderland(dir: &Path) -> String {
    assert_ok(&cli(dir, &["seed-demo"]));
    let versions = json(&cli(dir, &["versions", "--json"]));
    id_of(item(&versions, "/version/place", "Sunderland"), "version")
}

/// The item of the JSON list `list` whose field at `pointer` (a JSON pointer) is `value`.
fn item<'a>(list: &'a serde_json::Value, pointer: &str, value: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i.pointer(pointer).and_then(|v| v.as_str()) == Some(value))
        .unwrap_or_else(|| panic!("nothing with {pointer} {value:?} in {list}"))
}

/// The id of the `record` (such as "version") an item of a list shows.
fn id_of(item: &serde_json::Value, record: &str) -> String {
    item[record]["id"].as_str().unwrap().to_owned()
}

/// Seeds the demo in `dir`; the id of the first session of the first programme's first version.
fn a_session(dir: &Path) -> String {
    assert_ok(&cli(dir, &["seed-demo"]));
    let programmes = json(&cli(dir, &["programmes", "--json"]));
    let version = id_of(&programmes[0]["versions"][0], "version");
    let sessions = json(&cli(dir, &["sessions", &version, "--json"]));
    id_of(&sessions["sessions"][0], "session")
}

/// `export-notes` of `version` (all versions if none) in `format` for `audience`, to `out`.
fn export_notes(
    dir: &Path,
    version: Option<&str>,
    format: &str,
    audience: &str,
    out: &Path,
    extra: &[&str],
) -> Output {
    let mut args = vec!["export-notes"];
    if let Some(version) = version {
        args.extend(["--version", version]);
    }
    args.extend(["--format", format]);
    args.extend(extra);
    args.extend(["--audience", audience, out.to_str().unwrap()]);
    cli(dir, &args)
}

/// `learning-summary` of `programme` in `format`, to `out`.
fn learning_summary(dir: &Path, programme: &str, format: &str, out: &Path) -> Output {
    let out = out.to_str().unwrap();
    cli(
        dir,
        &[
            "learning-summary",
            "--programme",
            programme,
            "--format",
            format,
            out,
        ],
    )
}

#[test]
fn stats_of_a_new_folder_are_all_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let stats = json(&cli(tmp.path(), &["stats"]));
    let counts = stats.as_object().unwrap();
    assert_eq!(counts.len(), 13);
    assert!(counts.values().all(|n| n == 0), "{stats}");
}

#[test]
fn seed_demo_adds_the_demo_content_once_and_stats_count_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(tmp.path(), &["seed-demo"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added the demo content"));
    let stats = json(&cli(tmp.path(), &["stats"]));
    assert_eq!(stats["programme"], 2);
    assert_eq!(stats["programme_version"], 3);
    // Four national and four Sunderland sessions, three national, one standalone.
    assert_eq!(stats["session"], 12);
    assert!(stats["exercise"].as_i64().unwrap() >= 15);

    let again = cli(tmp.path(), &["seed-demo"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already"));
    assert_eq!(json(&cli(tmp.path(), &["stats"])), stats);
}

#[test]
fn the_data_folder_can_come_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("from-env");
    let out = Command::new(env!("CARGO_BIN_EXE_fieldbook-cli"))
        .arg("seed-demo")
        .env("FIELDBOOK_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(dir.join("fieldbook.db").is_file());
}

#[test]
fn a_session_shows_its_agenda_with_computed_start_times() {
    let tmp = tempfile::tempdir().unwrap();
    let session = a_session(tmp.path());
    let shown = json(&cli(tmp.path(), &["session", &session, "--json"]));

    let start = shown["session"]["start_time"].as_str().unwrap();
    let items = shown["timetable"]["items"].as_array().unwrap();
    assert_eq!(items[0]["start"], start);
    // Without a fixed time, each item starts when the one before ends.
    for pair in items.windows(2) {
        if pair[1]["item"]["pinned_time"].is_null() {
            assert_eq!(pair[1]["start"], pair[0]["end"]);
        }
    }

    let text = cli(tmp.path(), &["session", &session]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("  {start}  ")), "{text}");
}

#[test]
fn a_malformed_id_is_refused_before_anything_is_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("untouched");
    let out = cli(&dir, &["session", "not-an-id"]);
    assert_refused(&out, 2, "not a Fieldbook id");
    assert!(!dir.exists());
}

#[test]
fn an_unknown_id_says_it_was_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cli(
        tmp.path(),
        &["session", "0193b9a2-5f1c-7d3e-9a41-2c8e5b7f6a10"],
    );
    assert_refused(&out, 1, "was not found");
}

#[test]
fn an_unusable_data_folder_is_a_clear_message_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = cli(&file.join("data"), &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("fieldbook-cli: Fieldbook cannot use the folder"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn versions_and_exercises_list_as_json_and_filter() {
    let tmp = tempfile::tempdir().unwrap();
    cli(tmp.path(), &["seed-demo"]);
    let versions = json(&cli(tmp.path(), &["versions", "--json"]));
    let places: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"]["place"].as_str().unwrap())
        .collect();
    assert_eq!(places.len(), 3);
    assert!(places.contains(&"Sunderland"));

    let programmes = json(&cli(tmp.path(), &["programmes", "--json"]));
    let lct = item(&programmes, "/programme/title", "Leading Change Together");
    let id = id_of(lct, "programme");
    let only = json(&cli(
        tmp.path(),
        &["versions", "--programme", &id, "--json"],
    ));
    assert_eq!(only.as_array().unwrap().len(), 2);

    let all = json(&cli(tmp.path(), &["exercises", "--json"]));
    let all = all.as_array().unwrap();
    let short = json(&cli(tmp.path(), &["exercises", "--fits", "15", "--json"]));
    let short = short.as_array().unwrap();
    assert!(!short.is_empty() && short.len() < all.len());
    assert!(short
        .iter()
        .all(|e| e["min_minutes"].as_u64().unwrap() <= 15));
    let big = json(&cli(tmp.path(), &["exercises", "--group", "40", "--json"]));
    assert!(big
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["max_group"].as_u64().unwrap() >= 40 && e["min_group"].as_u64().unwrap() <= 40));
}

#[test]
fn export_notes_writes_each_format_and_refuses_bad_arguments_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let sunderland = sunderland(tmp.path());
    for (format, start) in [
        ("md", &b"# "[..]),
        ("html", b"<!DOCTYPE html>"),
        ("docx", b"PK"),
        ("csv", b"programme,"),
        ("json", b"{"),
        ("pdf", b"%PDF"),
    ] {
        let out = tmp.path().join(format!("notes.{format}"));
        let run = export_notes(
            tmp.path(),
            Some(&sunderland),
            format,
            "participant",
            &out,
            &[],
        );
        assert!(run.status.success(), "{format}: {}", stderr(&run));
        assert!(std::fs::read(&out).unwrap().starts_with(start), "{format}");
    }
    let bom = tmp.path().join("excel.csv");
    export_notes(
        tmp.path(),
        Some(&sunderland),
        "csv",
        "facilitator",
        &bom,
        &["--bom"],
    );
    assert!(std::fs::read(&bom)
        .unwrap()
        .starts_with("\u{feff}".as_bytes()));

    // Malformed arguments: refused before anything is written.
    let nowhere = tmp.path().join("no-such-folder").join("notes.md");
    let run = export_notes(
        tmp.path(),
        Some(&sunderland),
        "md",
        "facilitator",
        &nowhere,
        &[],
    );
    assert_refused(&run, 1, "that folder does not exist");
    let odt = tmp.path().join("x.odt");
    let run = export_notes(
        tmp.path(),
        Some(&sunderland),
        "odt",
        "facilitator",
        &odt,
        &[],
    );
    assert_eq!(run.status.code(), Some(2));
    let md = tmp.path().join("x.md");
    let run = export_notes(tmp.path(), None, "md", "facilitator", &md, &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(!md.exists() && !odt.exists() && !nowhere.exists());
}

#[test]
fn learning_summary_writes_html_and_word_for_a_programme() {
    let tmp = tempfile::tempdir().unwrap();
    cli(tmp.path(), &["seed-demo"]);
    let programmes = json(&cli(tmp.path(), &["programmes", "--json"]));
    let id = programmes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["programme"]["title"] == "Leading Change Together")
        .unwrap()["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (format, start) in [
        ("html", &b"<!DOCTYPE html>"[..]),
        ("docx", b"PK"),
        ("pdf", b"%PDF"),
    ] {
        let out = tmp.path().join(format!("summary.{format}"));
        let run = learning_summary(tmp.path(), &id, format, &out);
        assert!(run.status.success(), "{format}: {}", stderr(&run));
        assert!(String::from_utf8_lossy(&run.stdout).contains("Wrote"));
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(start), "{format}");
        if format == "html" {
            let html = String::from_utf8(bytes).unwrap();
            assert!(html.contains("Leading Change Together: learning summary"));
        }
        if format == "pdf" {
            // Printed by Chromium, read back by poppler: the same page as the HTML.
            let text = poppler::pdf_page_texts(&out).concat();
            assert!(
                text.contains("Leading Change Together: learning summary"),
                "{text}"
            );
            assert!(text.contains("Page 1 of"), "page numbers: {text}");
        }
    }
    let nowhere = tmp.path().join("no-such-folder").join("summary.html");
    let run = learning_summary(tmp.path(), &id, "html", &nowhere);
    assert_refused(&run, 1, "that folder does not exist");
}

#[test]
fn a_coordinator_merges_laptops_bundles_without_a_display() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, coordinator) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    cli(&a, &["seed-demo"]);
    let secret = tmp.path().join("passphrase.txt");
    std::fs::write(&secret, "kittiwake harbour\n").unwrap();
    let bundle_a = tmp.path().join("a.fieldbook");
    let out = cli(
        &a,
        &[
            "export-bundle",
            bundle_a.to_str().unwrap(),
            "--passphrase-file",
            secret.to_str().unwrap(),
        ],
    );
    assert_ok(&out);

    // The coordinator imports a's bundle with the passphrase in `file`.
    let import_a = |file: &Path, extra: &[&str]| {
        let mut args = vec![
            "import-bundle",
            bundle_a.to_str().unwrap(),
            "--passphrase-file",
            file.to_str().unwrap(),
        ];
        args.extend(extra);
        cli(&coordinator, &args)
    };

    // A dry run previews and changes nothing.
    let preview = json(&import_a(&secret, &["--dry-run"]));
    assert!(preview["adds"].as_u64().unwrap() > 50);
    assert_eq!(json(&cli(&coordinator, &["stats"]))["programme"], 0);

    // A wrong passphrase is a clear refusal.
    let wrong = tmp.path().join("wrong.txt");
    std::fs::write(&wrong, "puffin").unwrap();
    let out = import_a(&wrong, &[]);
    assert_refused(&out, 1, "That passphrase does not open this bundle");

    json(&import_a(&secret, &[]));
    cli(&b, &["seed-demo"]);
    let bundle_b = tmp.path().join("b.fieldbook");
    cli(&b, &["export-bundle", bundle_b.to_str().unwrap()]);
    let merged = json(&cli(
        &coordinator,
        &["import-bundle", bundle_b.to_str().unwrap()],
    ));
    assert_eq!(
        merged["new_versions"], 0,
        "b's demo is the one already merged from a"
    );
    assert_eq!(
        json(&cli(&coordinator, &["stats"]))["programme"],
        2,
        "two laptops' demo programmes are the same two, never doubled"
    );

    // A sync folder exchanges both ways.
    let folder = tmp.path().join("shared");
    std::fs::create_dir_all(&folder).unwrap();
    let sync = |dir: &std::path::Path| {
        json(&cli(
            dir,
            &["sync-folder", folder.to_str().unwrap(), "--json"],
        ))
    };
    sync(&a);
    let report = sync(&b);
    assert_eq!(report["merged"].as_array().unwrap().len(), 1, "{report}");
    sync(&a);
    assert_eq!(json(&cli(&a, &["stats"])), json(&cli(&b, &["stats"])));
    assert_eq!(json(&cli(&a, &["conflicts"])), serde_json::json!([]));

    let out = cli(
        &a,
        &[
            "import-bundle",
            tmp.path().join("missing.fieldbook").to_str().unwrap(),
        ],
    );
    assert_refused(&out, 1, "could not be read");
}

#[test]
fn a_backup_restores_and_a_bad_file_is_refused_with_nothing_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let sunderland = sunderland(&dir);
    let backup = tmp.path().join("backup.db");
    let out = cli(&dir, &["backup", backup.to_str().unwrap()]);
    assert_ok(&out);
    // Writing over an existing file is refused.
    assert_eq!(
        cli(&dir, &["backup", backup.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );

    let store_file = dir.join("fieldbook.db");
    // A change after the backup, then the restore brings the backup's state back.
    let notes = tmp.path().join("n.md");
    export_notes(&dir, Some(&sunderland), "md", "facilitator", &notes, &[]);
    let before = json(&cli(&dir, &["stats"]));
    let other = tmp.path().join("other");
    cli(&other, &["generate", "--reflections", "5"]);
    let bundle = tmp.path().join("b.fieldbook");
    cli(&other, &["export-bundle", bundle.to_str().unwrap()]);
    json(&cli(&dir, &["import-bundle", bundle.to_str().unwrap()]));
    assert_ne!(json(&cli(&dir, &["stats"])), before);
    let out = cli(&dir, &["restore", backup.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(json(&cli(&dir, &["stats"])), before);

    // A damaged file is refused and the database stays as it was.
    let damaged = tmp.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    std::fs::write(&damaged, bytes).unwrap();
    let kept = std::fs::read(&store_file).unwrap();
    let out = cli(&dir, &["restore", damaged.to_str().unwrap()]);
    assert_refused(&out, 1, "not a usable Fieldbook backup");
    let not_db = tmp.path().join("notes.db");
    std::fs::write(&not_db, "just some notes").unwrap();
    assert_eq!(
        cli(&dir, &["restore", not_db.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(std::fs::read(&store_file).unwrap(), kept);
    assert_eq!(json(&cli(&dir, &["stats"])), before);
}

#[test]
fn a_participant_is_erased_only_when_confirmed() {
    let tmp = tempfile::tempdir().unwrap();
    cli(tmp.path(), &["seed-demo"]);
    let out = cli(
        tmp.path(),
        &["erase-participant", "0193b9a2-5f1c-7d3e-9a41-2c8e5b7f6a10"],
    );
    assert_refused(&out, 1, "--yes");
    let out = cli(
        tmp.path(),
        &[
            "erase-participant",
            "0193b9a2-5f1c-7d3e-9a41-2c8e5b7f6a10",
            "--yes",
        ],
    );
    assert!(stderr(&out).contains("not found"));
}

/// Kills a writer with SIGKILL at random moments, a hundred times: after each, the database
/// passes integrity_check and holds every reflection the writer said was committed.
#[test]
fn a_killed_writer_never_loses_a_committed_reflection_or_damages_the_file() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let session = a_session(tmp.path());
    let mut committed: Vec<String> = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..100 {
        let mut child = fieldbook(tmp.path())
            .args(["stress-write", &session])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        // A pseudo-random moment between 5 and 120 ms.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(std::time::Duration::from_millis(5 + seed % 115));
        let pid = child.id().to_string();
        Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        child.wait().unwrap();
        committed.extend(reader.join().unwrap());
        let integrity = Command::new("sqlite3")
            .arg(tmp.path().join("fieldbook.db"))
            .arg("PRAGMA integrity_check;")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&integrity.stdout).trim(),
            "ok",
            "round {round}"
        );
    }
    assert!(
        committed.len() > 100,
        "the writer committed {} reflections",
        committed.len()
    );
    let ids = Command::new("sqlite3")
        .arg(tmp.path().join("fieldbook.db"))
        .arg("SELECT id FROM reflection;")
        .output()
        .unwrap();
    let held: std::collections::HashSet<String> = String::from_utf8_lossy(&ids.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    for id in &committed {
        assert!(
            held.contains(id),
            "reflection {id} was reported committed and is missing"
        );
    }
}

#[test]
fn search_finds_reflections_by_stem_and_never_fails_on_symbols() {
    let tmp = tempfile::tempdir().unwrap();
    let session = a_session(tmp.path());
    // Reflections written by the stress writer ("Reflection N written under stress").
    let mut child = fieldbook(tmp.path())
        .args(["stress-write", &session])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap();
    child.wait().unwrap();
    // "stressed" finds "stress" by its stem.
    let found = json(&cli(tmp.path(), &["search", "stressed", "--json"]));
    assert!(found["total"].as_i64().unwrap() > 0, "{found}");
    let phrase = json(&cli(
        tmp.path(),
        &["search", "\"under stress\"", "--json", "--limit", "5"],
    ));
    assert!(phrase["hits"].as_array().unwrap().len() <= 5);
    assert_eq!(phrase["total"], found["total"]);
    assert_eq!(
        json(&cli(tmp.path(), &["search", "\"stress under\"", "--json"]))["total"],
        0
    );
    for odd in ["\"", "*", "NEAR(", "-", "AND OR NOT"] {
        let out = cli(tmp.path(), &["search", odd, "--json"]);
        assert!(
            out.status.success(),
            "{odd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn generate_fills_a_folder_with_varied_reflections_and_themes_to_search() {
    let tmp = tempfile::tempdir().unwrap();
    let made = json(&cli(tmp.path(), &["generate", "--reflections", "3000"]));
    assert_eq!(made["reflections"], 3000);
    assert!(made["tags"].as_u64().unwrap() > 100, "{made}");
    let stats = json(&cli(tmp.path(), &["stats"]));
    assert_eq!(stats["reflection"], 3000);
    // Varied text: far more different reflections than sentences in one template.
    let found = json(&cli(
        tmp.path(),
        &["search", "", "--limit", "500", "--json"],
    ));
    let texts: std::collections::HashSet<&str> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.len() > 450,
        "only {} different texts in 500",
        texts.len()
    );
    // A theme from the list filters the search to its reflections.
    let themes = json(&cli(tmp.path(), &["themes", "--json"]));
    let trust = item(&themes, "/theme/name", "Trust");
    let id = id_of(trust, "theme");
    let tagged = json(&cli(tmp.path(), &["search", "", "--theme", &id, "--json"]));
    assert_eq!(tagged["total"], trust["reflections"]);
    let untagged = json(&cli(tmp.path(), &["search", "", "--untagged", "--json"]));
    assert!(untagged["total"].as_i64().unwrap() < 3000);
}

#[test]
fn generate_and_bench_refuse_to_fill_the_usual_data_folder() {
    for args in [&["generate", "--reflections", "10"][..], &["bench"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_fieldbook-cli"))
            .args(args)
            .env_remove("FIELDBOOK_DATA_DIR")
            .env("HOME", "/nonexistent-home-for-the-test")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains("--data-dir"), "{message}");
    }
}

#[test]
fn sync_folder_names_a_damaged_file_and_merges_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let folder = tmp.path().join("shared");
    std::fs::create_dir_all(&folder).unwrap();
    cli(&a, &["seed-demo"]);
    cli(&a, &["sync-folder", folder.to_str().unwrap()]);
    let bad = folder.join("half-copied.fieldbook");
    sync_files::cut_short_bundle(&bad);

    let out = cli(&b, &["sync-folder", folder.to_str().unwrap()]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Merged 1 file(s)"), "{text}");
    assert!(text.contains("Skipped half-copied.fieldbook: "), "{text}");
    assert!(text.contains("Nothing new to write"), "{text}");
    assert_eq!(json(&cli(&a, &["stats"])), json(&cli(&b, &["stats"])));

    let report = json(&cli(
        &b,
        &["sync-folder", folder.to_str().unwrap(), "--json"],
    ));
    assert_eq!(report["merged"], serde_json::json!([]));
    assert_eq!(report["skipped"][0]["file"], "half-copied.fieldbook");
    assert!(report["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("damaged or cut short"));
    assert_eq!(report["written"], serde_json::json!([]));
}

#[test]
fn backups_shows_and_changes_where_backups_go_and_how_many_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let elsewhere = tmp.path().join("usb");
    let shown = json(&cli(&dir, &["backups", "--json"]));
    assert_eq!(shown["policy"]["kept"], 5);
    let changed = json(&cli(
        &dir,
        &[
            "backups",
            "--folder",
            elsewhere.to_str().unwrap(),
            "--keep",
            "2",
            "--json",
        ],
    ));
    assert_eq!(changed["policy"]["kept"], 2);
    assert_eq!(changed["policy"]["folder"], elsewhere.to_str().unwrap());
    let out = cli(&dir, &["backups", "--keep", "0"]);
    assert_refused(&out, 1, "Nothing has been changed");
    assert_eq!(
        json(&cli(&dir, &["backups", "--json"]))["policy"]["kept"],
        2
    );
    let readonly = tmp.path().join("readonly");
    std::fs::create_dir_all(&readonly).unwrap();
    let out = cli(&dir, &["backups", "--folder", "/proc/no-such-place"]);
    assert_refused(&out, 1, "Backups cannot be saved in");
}

#[test]
fn json_piped_into_a_reader_that_stops_early_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // Enough cohorts that the list (about 70 KB) is more than a pipe holds.
    cli(&dir, &["generate", "--reflections", "10000"]);
    // As JSON and as lines of text (the exercise library, printed a line at a time).
    for args in [&["programmes", "--json"][..], &["exercises"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fieldbook-cli"))
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -c 1`: read a byte, then close the pipe, long before the output is all
        // written (the exercises are a few lines: the pipe is closed before the first).
        let mut stdout = child.stdout.take().unwrap();
        if args[0] == "programmes" {
            let mut one = [0u8; 1];
            std::io::Read::read_exact(&mut stdout, &mut one).unwrap();
        }
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {stderr}");
    }
}
