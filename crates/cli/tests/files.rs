//! Files from and for other tools, checked with programs we did not write: participant lists
//! made by openpyxl, odfpy and Python's csv module; the .qdpx read by pyqdpx and validated
//! against the REFI-QDA schema by xmllint; the .ics parsed by icalendar.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::python::run_python;
use super::{assert_ok, cli, json, stderr, sunderland};

fn sqlite(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().unwrap();
    assert_ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// `import-participants` of the list at `file` into `version`, with `extra` arguments.
fn import(dir: &Path, file: &str, version: &str, extra: &[&str]) -> Output {
    let mut args = vec!["import-participants", file, "--version", version];
    args.extend(extra);
    cli(dir, &args)
}

/// The text at `pointer` (a JSON pointer, "" for the item itself) in each item of `list`.
fn texts<'a>(list: &'a serde_json::Value, pointer: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item.pointer(pointer).and_then(|t| t.as_str()).unwrap())
        .collect()
}

fn rows(list: &serde_json::Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect()
}

fn participants(dir: &Path) -> i64 {
    json(&cli(dir, &["stats"]))["participant"].as_i64().unwrap()
}

#[test]
fn a_cohort_is_imported_from_the_lists_excel_and_libreoffice_write_and_never_twice() {
    let lists = tempfile::tempdir().unwrap();
    run_python("make_lists.py", &[lists.path()]);
    for file in ["cohort.xlsx", "cohort.ods", "cohort-excel.csv"] {
        let tmp = tempfile::tempdir().unwrap();
        let version = sunderland(tmp.path());
        let path = lists.path().join(file);
        let path = path.to_str().unwrap();
        let before = participants(tmp.path());

        // A dry run says what would happen and writes nothing.
        let plan = json(&import(
            tmp.path(),
            path,
            &version,
            &["--dry-run", "--json"],
        ));
        assert_eq!(rows(&plan["added"]), vec![2, 3, 9], "{file}: {plan}");
        assert_eq!(participants(tmp.path()), before, "{file}");

        let report = json(&import(tmp.path(), path, &version, &["--json"]));
        assert_eq!(rows(&report["added"]), vec![2, 3, 9], "{file}: {report}");
        let added = &report["added"];
        assert_eq!(added[0]["name"], "Amélie Dubois", "{file}");
        assert_eq!(
            added[0]["organisation"], "Sunderland City Council, Adults' Services",
            "{file}"
        );
        assert_eq!(added[0]["sector"], "public");
        assert_eq!(added[0]["consent_named"], true);
        assert_eq!(added[1]["name"], "Jo \"JJ\" O'Neill", "{file}");
        assert_eq!(added[1]["organisation"], "Age UK; Sunderland", "{file}");
        assert_eq!(added[1]["consent_named"], false);
        assert_eq!(added[2]["sector"], "public");
        assert_eq!(rows(&report["refused"]), vec![5, 6, 7], "{file}");
        let reasons = texts(&report["refused"], "/reason");
        assert!(reasons[0].contains("no name"), "{reasons:?}");
        assert!(reasons[1].contains("\"sam@\""), "{reasons:?}");
        assert!(reasons[2].contains("Retail"), "{reasons:?}");
        assert_eq!(rows(&report["duplicates"]), vec![8], "{file}");
        assert_eq!(participants(tmp.path()), before + 3, "{file}");
        let emails = sqlite(
            &tmp.path().join("fieldbook.db"),
            "SELECT email FROM participant WHERE email IS NOT NULL ORDER BY email",
        );
        assert_eq!(emails, "amelie@example.org\njo@example.org\n", "{file}");

        // The same file again adds nothing: everyone is reported as a duplicate.
        let again = import(tmp.path(), path, &version, &[]);
        let text = String::from_utf8_lossy(&again.stdout);
        assert!(text.starts_with("Added 0 participants."), "{text}");
        assert!(
            text.contains("row 2: Amélie Dubois, already in the cohort (same email)"),
            "{text}"
        );
        assert!(text.contains("row 7: the sector \"Retail\""), "{text}");
        assert_eq!(participants(tmp.path()), before + 3, "{file}");
    }
}

#[test]
fn a_list_that_cannot_be_read_is_refused_with_nothing_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let version = sunderland(tmp.path());
    let before = participants(tmp.path());
    let latin1 = tmp.path().join("latin1.csv");
    std::fs::write(&latin1, b"Name,Organisation\nAm\xe9lie,Nexus\n").unwrap();
    let not_a_sheet = tmp.path().join("broken.xlsx");
    std::fs::write(&not_a_sheet, b"PK\x03\x04 this is not a workbook").unwrap();
    let no_names = tmp.path().join("no-names.csv");
    std::fs::write(&no_names, "Who,Where\nAl,Leeds\n").unwrap();
    for (file, says) in [
        (&latin1, "UTF-8"),
        (&not_a_sheet, "could not be read as a spreadsheet"),
        (&no_names, "which column holds people's names"),
    ] {
        let out = import(tmp.path(), file.to_str().unwrap(), &version, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            err.contains(says) && err.contains("Nothing has been changed."),
            "{err}"
        );
    }
    assert_eq!(participants(tmp.path()), before);

    // Saying which column holds names imports the list.
    let file = no_names.to_str().unwrap();
    let refused = import(tmp.path(), file, &version, &["--column", "Who=height"]);
    assert!(stderr(&refused).contains("is not something a column can hold"));
    let report = json(&import(
        tmp.path(),
        file,
        &version,
        &[
            "--column",
            "who=name",
            "--column",
            "Where=organisation",
            "--json",
        ],
    ));
    assert_eq!(report["added"][0]["name"], "Al");
    assert_eq!(report["added"][0]["organisation"], "Leeds");
    assert_eq!(participants(tmp.path()), before + 1);
}

#[test]
fn a_thousand_people_are_imported_at_once() {
    let lists = tempfile::tempdir().unwrap();
    run_python("make_lists.py", &[lists.path()]);
    let tmp = tempfile::tempdir().unwrap();
    let version = sunderland(tmp.path());
    let big = lists.path().join("big.xlsx");
    let started = std::time::Instant::now();
    let report = json(&import(
        tmp.path(),
        big.to_str().unwrap(),
        &version,
        &["--json"],
    ));
    // A figure to read, not a timed test: the bench has the reference run.
    eprintln!(
        "1,000-row .xlsx import through the CLI: {:?}",
        started.elapsed()
    );
    assert_eq!(report["added"].as_array().unwrap().len(), 1000);
    assert_eq!(report["added"][999]["name"], "Person 999 Ñúñez");
    assert_eq!(report["refused"].as_array().unwrap().len(), 0);
}

fn qdpx_of(dir: &Path, args: &[&str]) -> (PathBuf, serde_json::Value) {
    let out = dir.join("project.qdpx");
    let mut all = vec!["export-qdpx", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = cli(dir, &all);
    assert_ok(&run);
    let read = run_python("read_qdpx.py", &[&out]);
    (out, serde_json::from_str(&read).unwrap())
}

#[test]
fn coded_reflections_open_in_an_analysis_tool_with_every_coding_and_only_consented_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = dir.join("fieldbook.db");
    assert!(
        cli(dir, &["generate", "--reflections", "400", "--seed", "11"])
            .status
            .success()
    );
    // Erase someone who has reflections; their words must never appear.
    let erased = sqlite(
        &db,
        "SELECT participant_id FROM reflection WHERE participant_id IS NOT NULL GROUP BY participant_id ORDER BY count(*) DESC LIMIT 1",
    );
    let erased = erased.trim();
    let their_words: Vec<String> = sqlite(
        &db,
        &format!(
            "SELECT text FROM reflection WHERE participant_id = '{erased}' AND length(text) > 20"
        ),
    )
    .lines()
    .map(str::to_owned)
    .collect();
    assert!(!their_words.is_empty());
    assert!(cli(dir, &["erase-participant", erased, "--yes"])
        .status
        .success());
    let programme = sqlite(
        &db,
        "SELECT v.programme_id FROM reflection r JOIN session s ON s.id = r.session_id JOIN programme_version v ON v.id = s.version_id GROUP BY v.programme_id ORDER BY count(*) DESC LIMIT 1",
    );
    let programme = programme.trim();

    let (file, project) = qdpx_of(dir, &["--programme", programme]);

    // The project is valid against the REFI-QDA 1.0 Project schema.
    let extracted = tempfile::tempdir().unwrap();
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(&file)
        .arg("-d")
        .arg(extracted.path())
        .status()
        .unwrap();
    assert!(unzip.success());
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refi-qda/Project.xsd");
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(extracted.path().join("project.qde"))
        .output()
        .unwrap();
    assert_ok(&lint);

    // Every live tag of every reflection of the programme is a coding of the whole text.
    let expected = sqlite(
        &db,
        &format!(
            "SELECT DISTINCT r.id || ' ' || t.name FROM reflection_theme rt
             JOIN reflection r ON r.id = rt.reflection_id AND r.deleted = 0 AND r.text != ''
             JOIN session s ON s.id = r.session_id JOIN programme_version v ON v.id = s.version_id
             JOIN theme t ON t.id = rt.theme_id
             WHERE v.programme_id = '{programme}' ORDER BY 1"
        ),
    );
    let mut found: Vec<String> = Vec::new();
    let sources = project["sources"].as_array().unwrap();
    for s in sources {
        let length = s["text"].as_str().unwrap().chars().count() as u64;
        for sel in s["selections"].as_array().unwrap() {
            assert_eq!(sel[0], 0);
            assert_eq!(sel[1].as_u64().unwrap(), length, "{s}");
        }
        for code in s["codes"].as_array().unwrap() {
            found.push(format!(
                "{} {}",
                s["guid"].as_str().unwrap(),
                code.as_str().unwrap()
            ));
        }
    }
    found.sort();
    let expected: Vec<&str> = expected.lines().collect();
    assert!(!expected.is_empty());
    assert_eq!(found, expected);
    let live_reflections = sqlite(
        &db,
        &format!(
            "SELECT count(*) FROM reflection r JOIN session s ON s.id = r.session_id JOIN programme_version v ON v.id = s.version_id
             WHERE r.deleted = 0 AND r.text != '' AND v.programme_id = '{programme}'"
        ),
    );
    assert_eq!(sources.len().to_string(), live_reflections.trim());
    let themes = sqlite(
        &db,
        "SELECT name FROM theme WHERE deleted = 0 AND merged_into IS NULL ORDER BY name",
    );
    let mut codes = texts(&project["codes"], "");
    codes.sort();
    let mut themes: Vec<&str> = themes.lines().collect();
    themes.sort();
    assert_eq!(codes, themes);

    // Erased words are nowhere in the file.
    let everything = {
        let mut all = std::fs::read_to_string(extracted.path().join("project.qde")).unwrap();
        for s in sources {
            all.push_str(s["text"].as_str().unwrap());
        }
        all
    };
    for words in &their_words {
        assert!(!everything.contains(words.as_str()), "{words}");
    }

    // Cases are named only when the participant agreed to be named.
    let named: Vec<String> = sqlite(
        &db,
        "SELECT name FROM participant WHERE consent_named = 1 AND deleted = 0",
    )
    .lines()
    .map(str::to_owned)
    .collect();
    let unnamed: Vec<String> = sqlite(
        &db,
        "SELECT name FROM participant WHERE consent_named = 0 AND deleted = 0",
    )
    .lines()
    .filter(|n| !named.iter().any(|m| m == n))
    .map(str::to_owned)
    .collect();
    let cases = project["cases"].as_array().unwrap();
    assert!(cases.len() > 2);
    let mut pseudonyms = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if name.starts_with("Participant ") {
            pseudonyms += 1;
        } else {
            assert!(
                named.iter().any(|n| n == name),
                "{name} did not agree to be named"
            );
        }
        assert_eq!(case["values"].as_array().unwrap().len(), 3);
        assert!(!case["sources"].as_array().unwrap().is_empty());
    }
    assert!(pseudonyms > 0);
    let qde = std::fs::read_to_string(extracted.path().join("project.qde")).unwrap();
    for name in &unnamed {
        assert!(
            !qde.contains(&format!("\"{name}\"")),
            "{name} is named in the file"
        );
    }
}

#[test]
fn a_codebook_made_here_makes_the_same_themes_on_another_laptop_once() {
    let here = tempfile::tempdir().unwrap();
    assert!(cli(
        here.path(),
        &["generate", "--reflections", "50", "--seed", "3"]
    )
    .status
    .success());
    let book = here.path().join("themes.qdc");
    assert!(
        cli(here.path(), &["export-codebook", book.to_str().unwrap()])
            .status
            .success()
    );
    let names = |dir: &Path| {
        let themes = json(&cli(dir, &["themes", "--json"]));
        let mut n: Vec<String> = texts(&themes, "/theme/name")
            .into_iter()
            .map(str::to_owned)
            .collect();
        n.sort();
        n
    };
    let there = tempfile::tempdir().unwrap();
    let dry = json(&cli(
        there.path(),
        &[
            "import-codebook",
            book.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    ));
    assert_eq!(
        dry["to_add"].as_array().unwrap().len(),
        names(here.path()).len()
    );
    assert!(names(there.path()).is_empty());
    let done = json(&cli(
        there.path(),
        &["import-codebook", book.to_str().unwrap(), "--json"],
    ));
    assert_eq!(names(there.path()), names(here.path()));
    assert!(!done["to_add"].as_array().unwrap().is_empty());
    let again = json(&cli(
        there.path(),
        &["import-codebook", book.to_str().unwrap(), "--json"],
    ));
    assert!(again["to_add"].as_array().unwrap().is_empty());
    assert_eq!(names(there.path()), names(here.path()));

    let junk = there.path().join("junk.qdc");
    std::fs::write(&junk, "<html><body>not a codebook</body></html>").unwrap();
    let out = cli(there.path(), &["import-codebook", junk.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Nothing has been changed."));
}

#[test]
fn the_cohorts_sessions_go_into_a_calendar_in_uk_time_and_a_second_export_updates_them() {
    let tmp = tempfile::tempdir().unwrap();
    let version = sunderland(tmp.path());
    let ics = tmp.path().join("sessions.ics");
    let export = || {
        let out = cli(
            tmp.path(),
            &[
                "export-calendar",
                "--version",
                &version,
                ics.to_str().unwrap(),
            ],
        );
        assert_ok(&out);
        let read: serde_json::Value =
            serde_json::from_str(&run_python("read_ics.py", &[&ics])).unwrap();
        read
    };
    let first = export();
    assert_eq!(first["timezones"], serde_json::json!(["Europe/London"]));
    let events = first["events"].as_array().unwrap();
    let dated = sqlite(
        &tmp.path().join("fieldbook.db"),
        &format!("SELECT count(*) FROM session WHERE version_id = '{version}' AND date IS NOT NULL AND deleted = 0"),
    );
    assert_eq!(events.len().to_string(), dated.trim());
    assert!(events.len() >= 4);
    for e in events {
        assert_eq!(e["tzid"], "Europe/London");
        assert!(e["summary"].as_str().unwrap().contains("Sunderland"), "{e}");
        assert!(e["uid"].as_str().unwrap().ends_with("@fieldbook"));
        assert!(e["utc_end"].as_str().unwrap() > e["utc_start"].as_str().unwrap());
    }
    // Winter sessions are on GMT, summer ones on BST: 09:30 in Sunderland is 08:30 UTC in May.
    let january = events
        .iter()
        .find(|e| e["local_start"].as_str().unwrap().starts_with("2027-01-27"))
        .unwrap();
    assert!(january["utc_start"]
        .as_str()
        .unwrap()
        .starts_with("2027-01-27"));
    assert_eq!(
        january["local_start"].as_str().unwrap()[11..],
        january["utc_start"].as_str().unwrap()[11..]
    );
    let may = events
        .iter()
        .find(|e| e["local_start"].as_str().unwrap().starts_with("2027-05-05"))
        .unwrap();
    let hour = |t: &serde_json::Value| t.as_str().unwrap()[11..13].parse::<i32>().unwrap();
    assert_eq!(hour(&may["local_start"]) - hour(&may["utc_start"]), 1);
    assert!(may["location"].as_str().unwrap().len() > 3);

    let second = export();
    assert_eq!(
        texts(&first["events"], "/uid"),
        texts(&second["events"], "/uid")
    );
}
