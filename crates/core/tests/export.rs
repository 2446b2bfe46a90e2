//! Exported session notes, checked by readers we did not write: a CommonMark parser, a CSV
//! parser, LibreOffice for Word; and golden files for each format on the demo data.

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use fieldbook_core::clock::ManualClock;
use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::demo::seed_demo;
use fieldbook_core::domain::*;
use fieldbook_core::export::{
    render, suggested_file_name, write_atomically, Audience, Export, Format, Scope,
};
use fieldbook_core::Store;
use uuid::Uuid;

const XSS: &str =
    "<img src=x onerror=alert(1)> *not bold* # not a heading [link](javascript:alert(1))";

struct Fixture {
    store: Store,
    _tmp: tempfile::TempDir,
    session: Uuid,
    version: Uuid,
}

fn person(name: &str, named: bool, quoted: bool, sector: Sector) -> NewParticipant {
    NewParticipant {
        name: name.into(),
        organisation: "Sunderland VCS Alliance".into(),
        sector,
        role: "Manager".into(),
        consent_named: named,
        consent_quoted: quoted,
        consent_contact: false,
    }
}

/// Sunderland's first session, run with three participants: Amira (named, quoted), Ben
/// (quoted but not named) and Chloe (neither), and one anonymous reflection.
async fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2027, 1, 27, 9, 30, 0).unwrap());
    let store = Store::open_with_clock(tmp.path(), Arc::new(clock.clone()))
        .await
        .unwrap();
    seed_demo(&store).await.unwrap();
    let version = store
        .programme_overviews()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|o| o.versions)
        .find(|v| v.version.place == "Sunderland")
        .unwrap()
        .version
        .meta
        .id;
    let session = store.sessions_of(version).await.unwrap()[0].meta.id;
    let items = store.agenda_of(session).await.unwrap();
    let amira = store
        .add_participant(
            Some(version),
            person("Amira Shah", true, true, Sector::Voluntary),
        )
        .await
        .unwrap();
    let ben = store
        .add_participant(
            Some(version),
            person("Ben Adeyemi", false, true, Sector::Public),
        )
        .await
        .unwrap();
    let chloe = store
        .add_participant(
            Some(version),
            person("Chloe Turner", false, false, Sector::Private),
        )
        .await
        .unwrap();
    for (p, status) in [
        (&amira, Presence::Present),
        (&ben, Presence::Late),
        (&chloe, Presence::Present),
    ] {
        store
            .mark_attendance(session, p.meta.id, status)
            .await
            .unwrap();
    }
    store.run_press(session, RunAction::Start, 0).await.unwrap();
    let reflect = |who: Option<&Participant>, item: usize, text: &str| ReflectionDraft {
        id: None,
        session_id: session,
        agenda_item_id: Some(items[item].meta.id),
        participant_id: who.map(|p| p.meta.id),
        prompt: items[item].prompt.clone(),
        text: text.into(),
    };
    for (who, text) in [
        (
            Some(&amira),
            "I came because our services keep meeting the same families, separately.",
        ),
        (
            Some(&ben),
            "Honestly, a \"system\" is just people, commas, and \"quotes\",\nand a second line.",
        ),
        (
            Some(&chloe),
            "Chloe's private thought: I nearly didn't come.",
        ),
        (None, XSS),
    ] {
        clock.advance_ms(60_000);
        store.save_reflection(reflect(who, 0, text)).await.unwrap();
    }
    clock.advance_ms(25 * 60_000);
    store.run_press(session, RunAction::Next, 0).await.unwrap();
    store
        .add_action(
            session,
            Some(ben.meta.id),
            "Ask the housing team to the next meeting",
        )
        .await
        .unwrap();
    store
        .add_action(session, Some(chloe.meta.id), "Map who funds what in Hendon")
        .await
        .unwrap();
    store
        .save_session_note(session, "Room too warm; moved to the hall.")
        .await
        .unwrap();
    clock.advance_ms(5 * 60_000);
    store
        .add_observation(session, "Energy dipped before the break")
        .await
        .unwrap();
    Fixture {
        store,
        _tmp: tmp,
        session,
        version,
    }
}

async fn export(f: &Fixture, scope: Scope, audience: Audience) -> Export {
    f.store.gather_export(scope, audience).await.unwrap()
}

fn text(export: &Export, format: Format) -> String {
    String::from_utf8(render(export, format, false).unwrap()).unwrap()
}

/// Compares with the golden file, or writes it when UPDATE_GOLDEN is set.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with UPDATE_GOLDEN=1 once",
            path.display()
        )
    });
    assert!(expected == actual, "{name} differs from its golden file; if the change is meant, run with UPDATE_GOLDEN=1 and review the diff");
}

#[tokio::test]
async fn every_format_matches_its_golden_file_for_both_audiences() {
    let f = fixture().await;
    for audience in [Audience::Facilitator, Audience::Participant] {
        let e = export(&f, Scope::Session(f.session), audience).await;
        let who = format!("{audience:?}").to_lowercase();
        golden(&format!("session-{who}.md"), &text(&e, Format::Md));
        golden(&format!("session-{who}.html"), &text(&e, Format::Html));
        golden(&format!("session-{who}.csv"), &text(&e, Format::Csv));
        golden(&format!("session-{who}.json"), &text(&e, Format::Json));
    }
    let whole = export(&f, Scope::Version(f.version), Audience::Facilitator).await;
    assert_eq!(whole.sessions.len(), 4);
    golden("version-facilitator.md", &text(&whole, Format::Md));
}

#[tokio::test]
async fn a_participant_without_consent_is_never_named_in_a_handout() {
    let f = fixture().await;
    for scope in [Scope::Session(f.session), Scope::Version(f.version)] {
        let e = export(&f, scope, Audience::Participant).await;
        for format in [
            Format::Md,
            Format::Html,
            Format::Csv,
            Format::Json,
            Format::Docx,
        ] {
            let bytes = render(&e, format, false).unwrap();
            let shown = if format == Format::Docx {
                docx_text(&bytes)
            } else {
                String::from_utf8(bytes).unwrap()
            };
            for secret in [
                "Ben Adeyemi",
                "Chloe",
                "nearly didn't come",
                "onerror",
                "Room too warm",
                "Energy dipped",
                "housing team",
            ] {
                assert!(
                    !shown.contains(secret),
                    "{secret:?} is in the {format:?} handout"
                );
            }
            assert!(
                shown.contains("Amira Shah"),
                "a named, quoted participant is quoted by name ({format:?})"
            );
            assert!(
                shown.contains("Participant 1"),
                "a quoted participant who is not named has a pseudonym ({format:?})"
            );
        }
    }
}

#[tokio::test]
async fn a_pseudonym_is_the_same_throughout_one_file() {
    let f = fixture().await;
    let e = export(&f, Scope::Session(f.session), Audience::Facilitator).await;
    let s = &e.sessions[0];
    let attendance: Vec<&str> = s.attendance.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(attendance, ["Amira Shah", "Participant 1", "Participant 2"]);
    let by: Vec<&str> = s.reflections[0]
        .reflections
        .iter()
        .map(|r| r.by.as_str())
        .collect();
    assert_eq!(
        by,
        ["Amira Shah", "Participant 1", "Participant 2", "Anonymous"]
    );
    let actions: Vec<&str> = s.actions.iter().map(|a| a.by.as_str()).collect();
    assert_eq!(actions, ["Participant 1", "Participant 2"]);
    let md = text(&e, Format::Md);
    assert!(!md.contains("Ben Adeyemi") && !md.contains("Chloe Turner"));
}

#[tokio::test]
async fn the_markdown_is_commonmark_and_user_text_never_becomes_markup() {
    use pulldown_cmark::{Event, Parser, Tag};
    let f = fixture().await;
    let md = text(
        &export(&f, Scope::Session(f.session), Audience::Facilitator).await,
        Format::Md,
    );
    let mut headings = 0;
    let mut texts = String::new();
    for event in Parser::new(&md) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML in the Markdown: {h}"),
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}"),
            Event::Text(t) => texts.push_str(&t),
            _ => {}
        }
    }
    assert!(headings >= 5, "{headings} headings");
    assert!(texts.contains(XSS), "the payload reads as text");
    assert!(texts.contains("commas, and \"quotes\","));
}

#[tokio::test]
async fn the_html_is_self_contained_with_no_script_and_no_remote_reference() {
    let f = fixture().await;
    for audience in [Audience::Facilitator, Audience::Participant] {
        let html = text(
            &export(&f, Scope::Version(f.version), audience).await,
            Format::Html,
        );
        let lower = html.to_lowercase();
        for banned in [
            "<script", "http://", "https://", "@import", "url(", "<img", "<link", "<iframe",
        ] {
            assert!(!lower.contains(banned), "{banned} in the {audience:?} HTML");
        }
        // Every real tag (user text's angle brackets are escaped) is free of references.
        for tag in lower
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap())
        {
            for attribute in ["src=", "href=", "on", "style="] {
                let found = tag
                    .split_whitespace()
                    .skip(1)
                    .any(|a| a.starts_with(attribute));
                assert!(!found, "<{tag}> has {attribute} in the {audience:?} HTML");
            }
        }
        assert!(lower.contains("@page { size: a4"));
    }
    let html = text(
        &export(&f, Scope::Session(f.session), Audience::Facilitator).await,
        Format::Html,
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[tokio::test]
async fn the_csv_reads_back_with_a_csv_parser_row_for_row() {
    let f = fixture().await;
    let e = export(&f, Scope::Session(f.session), Audience::Facilitator).await;
    for bom in [false, true] {
        let bytes = render(&e, Format::Csv, bom).unwrap();
        assert_eq!(bytes.starts_with("\u{feff}".as_bytes()), bom);
        let body = if bom { &bytes[3..] } else { &bytes[..] };
        let mut reader = csv::Reader::from_reader(body);
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header[0], "programme");
        assert_eq!(header.len(), 12);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            &rows[1][9],
            "Honestly, a \"system\" is just people, commas, and \"quotes\",\nand a second line."
        );
        assert_eq!(&rows[1][7], "Participant 1");
        assert_eq!(&rows[1][8], "public");
        assert_eq!(&rows[0][2], "Sunderland");
        assert_eq!(&rows[0][4], "2027-01-27");
    }
}

fn docx_text(bytes: &[u8]) -> String {
    // The document's text, read from its XML with the markup dropped.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notes.docx");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .arg("word/document.xml")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the .docx is not a zip with word/document.xml"
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_word_document_opens_in_libreoffice_with_its_headings_lists_and_tables() {
    let f = fixture().await;
    let tmp = tempfile::tempdir().unwrap();
    for audience in [Audience::Facilitator, Audience::Participant] {
        let e = export(&f, Scope::Session(f.session), audience).await;
        let bytes = render(&e, Format::Docx, false).unwrap();
        let name = format!("{audience:?}.docx");
        let path = tmp.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let txt = common::word_text(&path);
        assert!(txt.contains("Seeing the system together"), "{txt}");
        assert!(txt.contains("Amira Shah"));
        let xml = {
            let out = std::process::Command::new("unzip")
                .arg("-p")
                .arg(&path)
                .arg("word/document.xml")
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        assert!(xml.contains("w:val=\"Heading1\""), "real headings");
        assert!(xml.contains("<w:tbl>"), "a real table");
        if audience == Audience::Facilitator {
            assert!(xml.contains("<w:numId w:val=\"1\""), "a real list");
            assert!(
                txt.contains("<img src=x onerror=alert(1)>"),
                "the payload is plain text"
            );
        }
    }
}

#[tokio::test]
async fn a_file_is_written_whole_or_not_at_all_with_a_clear_message() {
    let f = fixture().await;
    let e = export(&f, Scope::Session(f.session), Audience::Facilitator).await;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(suggested_file_name(&e, Format::Md));
    assert_eq!(
        path.file_name().unwrap(),
        "seeing-the-system-together-facilitator-notes.md"
    );
    write_atomically(&path, &render(&e, Format::Md, false).unwrap()).unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("# Seeing the system together"));

    let missing = tmp.path().join("no-such-folder").join("notes.md");
    let err = write_atomically(&missing, b"x").unwrap_err().to_string();
    assert!(err.contains("that folder does not exist"), "{err}");
    let err = write_atomically(tmp.path(), b"x").unwrap_err().to_string();
    assert!(err.contains("is a folder"), "{err}");
    // Nothing half-written is left behind.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["seeing-the-system-together-facilitator-notes.md"]);
}
