//! Exported session notes, checked by readers we did not write: a CommonMark parser, a CSV
//! parser, LibreOffice for Word; and golden files for each format on the demo data.

use std::path::Path;

use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::domain::*;
use fieldbook_core::export::{
    render, suggested_file_name, write_atomically, Audience, Export, Format, Scope,
};
use fieldbook_core::Store;
use uuid::Uuid;

use crate::common;

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
    let (tmp, clock, store) = common::demo_at(common::utc(2027, 1, 27, 9, 30)).await;
    let version = common::sunderland(&store).await;
    let session = common::first_session(&store, version).await;
    let items = store.agenda_of(session).await.unwrap();
    let mut cohort = Vec::new();
    for (name, named, quoted, sector) in [
        ("Amira Shah", true, true, Sector::Voluntary),
        ("Ben Adeyemi", false, true, Sector::Public),
        ("Chloe Turner", false, false, Sector::Private),
    ] {
        let form = person(name, named, quoted, sector);
        cohort.push(store.add_participant(Some(version), form).await.unwrap());
    }
    let [amira, ben, chloe] = <[Participant; 3]>::try_from(cohort).unwrap();
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
    let reflect = |who: Option<&Participant>, item: usize, text: &str| {
        on_item(session, &items[item], who, text)
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

/// A new reflection on `session` by `who` (anonymous if none), answering `item`'s prompt.
fn on_item(
    session: Uuid,
    item: &AgendaItem,
    who: Option<&Participant>,
    text: &str,
) -> ReflectionDraft {
    ReflectionDraft {
        agenda_item_id: Some(item.meta.id),
        prompt: item.prompt.clone(),
        ..common::said(session, who.map(|p| p.meta.id), text)
    }
}

/// An anonymous reflection on the session's first item, not yet saved.
async fn on_first_item(f: &Fixture, text: &str) -> ReflectionDraft {
    let items = f.store.agenda_of(f.session).await.unwrap();
    on_item(f.session, &items[0], None, text)
}

impl Fixture {
    /// The facilitator's notes of the fixture's session.
    async fn notes(&self) -> Export {
        export(self, Scope::Session(self.session), Audience::Facilitator).await
    }

    /// Every export of the notes: the session's or the whole version's, for the facilitator
    /// or the participants, each with a name such as "session-facilitator".
    fn every_export(&self) -> Vec<(Scope, Audience, String)> {
        let mut all = Vec::new();
        for (scope, of) in [
            (Scope::Session(self.session), "session"),
            (Scope::Version(self.version), "version"),
        ] {
            for (audience, to) in [
                (Audience::Facilitator, "facilitator"),
                (Audience::Participant, "participant"),
            ] {
                all.push((scope, audience, format!("{of}-{to}")));
            }
        }
        all
    }

    /// The reflection in the fixture's session whose text contains `words`.
    async fn said(&self, words: &str) -> Reflection {
        let said = self.store.reflections_of(self.session).await.unwrap();
        said.into_iter()
            .find(|r| r.text.contains(words))
            .unwrap_or_else(|| panic!("nobody said {words:?}"))
    }

    /// A new theme `name` with `reflections` tagged with it.
    async fn theme(&self, name: &str, reflections: &[Uuid]) -> Theme {
        let theme = self.store.create_theme(name).await.unwrap();
        self.store
            .tag_reflections(theme.meta.id, reflections)
            .await
            .unwrap();
        theme
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

/// The print stylesheet at the head of an HTML export: what stands between `<style>` and the
/// page footer's rules, which name the programme and place.
fn stylesheet(html: &str) -> &str {
    let start = html.find("<style>").expect("a stylesheet") + "<style>".len();
    let end = start
        + html[start..]
            .find("@page { @bottom-left")
            .expect("a page footer");
    &html[start..end]
}

/// What the golden files hold in place of the print stylesheet, which is checked once against
/// the one the export module declares.
const SAME_STYLESHEET: &str =
    "\n/* The print stylesheet: fieldbook_core::export::PRINT_STYLESHEET */\n";

#[tokio::test]
async fn every_format_matches_its_golden_file_for_both_audiences() {
    let f = fixture().await;
    for audience in [Audience::Facilitator, Audience::Participant] {
        let e = export(&f, Scope::Session(f.session), audience).await;
        let who = format!("{audience:?}").to_lowercase();
        golden(&format!("session-{who}.md"), &text(&e, Format::Md));
        let html = text(&e, Format::Html);
        // One stylesheet for every audience, then the page footer's rules of this file.
        let sheet = stylesheet(&html);
        assert_eq!(
            sheet,
            fieldbook_core::export::PRINT_STYLESHEET,
            "the {who} stylesheet"
        );
        golden(
            &format!("session-{who}.html"),
            &html.replacen(sheet, SAME_STYLESHEET, 1),
        );
        golden(&format!("session-{who}.csv"), &text(&e, Format::Csv));
        golden(&format!("session-{who}.json"), &text(&e, Format::Json));
    }
    let whole = export(&f, Scope::Version(f.version), Audience::Facilitator).await;
    assert_eq!(whole.sessions.len(), 4);
    golden("version-facilitator.md", &text(&whole, Format::Md));
    assert_eq!(
        stylesheet(&text(&whole, Format::Html)),
        fieldbook_core::export::PRINT_STYLESHEET,
        "the stylesheet of a whole version's notes"
    );
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
                shown.contains("Participant 2"),
                "a quoted participant who is not named has their cohort pseudonym ({format:?})"
            );
        }
    }
}

#[tokio::test]
async fn a_pseudonym_is_the_same_throughout_one_file() {
    let f = fixture().await;
    let e = f.notes().await;
    let s = &e.sessions[0];
    let attendance: Vec<&str> = s.attendance.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(attendance, ["Amira Shah", "Participant 2", "Participant 3"]);
    let by: Vec<&str> = s.reflections[0]
        .reflections
        .iter()
        .map(|r| r.by.as_str())
        .collect();
    assert_eq!(
        by,
        ["Amira Shah", "Participant 2", "Participant 3", "Anonymous"]
    );
    let actions: Vec<&str> = s.actions.iter().map(|a| a.by.as_str()).collect();
    assert_eq!(actions, ["Participant 2", "Participant 3"]);
    let md = text(&e, Format::Md);
    assert!(!md.contains("Ben Adeyemi") && !md.contains("Chloe Turner"));
}

#[tokio::test]
async fn the_markdown_is_commonmark_and_user_text_never_becomes_markup() {
    use pulldown_cmark::{Event, Parser, Tag};
    let f = fixture().await;
    let md = text(&f.notes().await, Format::Md);
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
                // A link within the file (the contents list) is no reference.
                let found = tag
                    .split_whitespace()
                    .skip(1)
                    .any(|a| a.starts_with(attribute) && !a.starts_with("href=\"#"));
                assert!(!found, "<{tag}> has {attribute} in the {audience:?} HTML");
            }
        }
        assert!(lower.contains("@page { size: a4"));
    }
    let html = text(&f.notes().await, Format::Html);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[tokio::test]
async fn the_csv_reads_back_with_a_csv_parser_row_for_row() {
    let f = fixture().await;
    let e = f.notes().await;
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
        assert_eq!(header.len(), 13);
        assert_eq!(header[12], "sent from");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            &rows[1][9],
            "Honestly, a \"system\" is just people, commas, and \"quotes\",\nand a second line."
        );
        assert_eq!(&rows[1][7], "Participant 2");
        assert_eq!(&rows[1][8], "public");
        assert_eq!(&rows[0][2], "Sunderland");
        assert_eq!(&rows[0][4], "2027-01-27");
    }
}

/// The XML of a Word file's body as Info-ZIP's unzip reads it (not the zip crate we write with).
fn unzipped_document(docx: &Path) -> String {
    let out = std::process::Command::new("unzip")
        .arg("-p")
        .arg(docx)
        .arg("word/document.xml")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the .docx is not a zip with word/document.xml"
    );
    String::from_utf8(out.stdout).unwrap()
}

fn docx_text(bytes: &[u8]) -> String {
    // The document's text, read from its XML with the markup dropped.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notes.docx");
    std::fs::write(&path, bytes).unwrap();
    let xml = unzipped_document(&path);
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
        let xml = unzipped_document(&path);
        assert!(xml.contains("w:val=\"Heading1\""), "real headings");
        assert!(xml.contains("<w:tbl>"), "a real table");
        if audience == Audience::Facilitator {
            assert!(
                xml.contains("<w:numId w:val=\"3\""),
                "a real list of bullets"
            );
            assert!(txt.contains(XSS), "the payload is plain text: {txt}");
        }
    }
}

#[tokio::test]
async fn a_file_is_written_whole_or_not_at_all_with_a_clear_message() {
    let f = fixture().await;
    let e = f.notes().await;
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

/// Text that a spreadsheet would take for a formula, and what it would show if it did.
/// Calc evaluates only `=` on import; Excel takes `+`, `-` and `@` for formulas too.
const FORMULAS: [(&str, &str); 5] = [
    ("=1+2*3", "7"),
    ("+40+2", "42"),
    ("-5+16", "11"),
    ("@SUM(1,1)", "2"),
    (
        "=HYPERLINK(\"http://example.invalid/steal\",\"Click for the slides\")",
        "Click for the slides",
    ),
];

/// The cells LibreOffice Calc reads from a CSV, with formulas evaluated as Calc does when
/// a person opens the file, written out again as values (what a person would see).
fn calc_reads(csv: &[u8], folder: &Path, name: &str) -> Vec<Vec<String>> {
    let path = folder.join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    // Comma, double quote, UTF-8, from line 1, ..., evaluate formulas (token 13).
    let read = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true";
    let out = common::libreoffice_convert(&path, "ods", Some(read));
    let back = folder.join(format!("{name}-back"));
    std::fs::create_dir_all(&back).unwrap();
    let copied = back.join(format!("{name}.ods"));
    std::fs::rename(&out, &copied).unwrap();
    let values = common::libreoffice_convert(
        &copied,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true",
        None,
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(values)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn no_csv_cell_becomes_a_formula_in_libreoffice_calc() {
    let f = fixture().await;
    for (text, _) in FORMULAS {
        say(&f, text).await;
    }
    let e = f.notes().await;
    let tmp = tempfile::tempdir().unwrap();

    // The same options do evaluate formulas: a CSV written as is would be dangerous.
    let mut raw = csv::Writer::from_writer(Vec::new());
    for (text, _) in FORMULAS {
        raw.write_record([text]).unwrap();
    }
    let evaluated = calc_reads(&raw.into_inner().unwrap(), tmp.path(), "raw");
    for (row, (text, shown)) in evaluated.iter().zip(FORMULAS) {
        if text.starts_with('=') {
            assert_eq!(row[0], shown, "Calc evaluates formulas with these options");
        }
    }

    let rows = calc_reads(
        &render(&e, Format::Csv, true).unwrap(),
        tmp.path(),
        "fieldbook",
    );
    let texts: Vec<&str> = rows.iter().map(|r| r[9].as_str()).collect();
    for (text, shown) in FORMULAS {
        assert!(
            texts.iter().any(|t| t.trim_start_matches('\'') == text),
            "{text} is kept as text: {texts:?}"
        );
        assert!(!texts.contains(&shown), "{text} became {shown}");
    }
    // Text that merely contains such a character is untouched.
    assert!(texts.iter().any(|t| t.starts_with("Honestly")));
}

#[test]
fn cells_starting_with_formula_characters_are_prefixed_and_others_are_not() {
    use fieldbook_core::export::neutralise;
    for risky in ["=A1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(neutralise(risky), format!("'{risky}"));
    }
    for safe in ["A = B", "2027-01-27", "", "Participant 2", "'quoted"] {
        assert_eq!(neutralise(safe), safe);
    }
}

/// Someone who agreed to nothing joins the cohort, marked at the fixture's session.
async fn join(f: &Fixture, name: &str, sector: Sector, status: Presence) -> Participant {
    let p = f
        .store
        .add_participant(Some(f.version), person(name, false, false, sector))
        .await
        .unwrap();
    f.store
        .mark_attendance(f.session, p.meta.id, status)
        .await
        .unwrap();
    p
}

/// The facilitator and handout files of one session and of the whole version, the QDA
/// project and the learning summary: Ben (quoted, not named) is "Participant 2" in all of
/// them, however many others each file shows.
#[tokio::test]
async fn one_person_has_one_pseudonym_in_every_file_of_their_cohort() {
    use fieldbook_core::export::learning::render_html;
    use fieldbook_core::qda::QdaScope;
    let f = fixture().await;
    // Aaron, added after Ben and present but never quoted, comes first in the attendance
    // list; numbering by appearance would give him Ben's number in some files only.
    let aaron = join(&f, "Aaron Lee", Sector::Community, Presence::Present).await;
    let ben_said = f.said("Honestly").await;
    let theme = f.theme("Trust", &[ben_said.meta.id]).await;
    f.store
        .choose_quote(ben_said.meta.id, theme.meta.id, true)
        .await
        .unwrap();

    let mut files = Vec::new();
    for scope in [Scope::Session(f.session), Scope::Version(f.version)] {
        for audience in [Audience::Facilitator, Audience::Participant] {
            let e = export(&f, scope, audience).await;
            let ben = e
                .sessions
                .iter()
                .flat_map(|s| &s.reflections)
                .flat_map(|g| &g.reflections)
                .find(|r| r.text.starts_with("Honestly"))
                .unwrap();
            assert_eq!(ben.by, "Participant 2", "{scope:?} {audience:?}");
            for format in [Format::Md, Format::Html, Format::Csv] {
                files.push((
                    format!("{scope:?} {audience:?} {format:?}"),
                    text(&e, format),
                ));
            }
            let docx = render(&e, Format::Docx, false).unwrap();
            files.push((format!("{scope:?} {audience:?} Word"), docx_text(&docx)));
            if audience == Audience::Facilitator {
                let line = e.sessions[0]
                    .attendance
                    .iter()
                    .find(|a| a.name == "Participant 4")
                    .expect("Aaron keeps his number in the attendance");
                assert_eq!(line.organisation, "", "no organisation beside a pseudonym");
            }
        }
    }
    let qda = f
        .store
        .gather_qda(QdaScope::Version(f.version))
        .await
        .unwrap();
    let case = qda
        .cases
        .iter()
        .find(|c| c.sources.contains(&ben_said.meta.id))
        .unwrap();
    assert_eq!(case.name, "Participant 2");
    let programme = f
        .store
        .get::<ProgrammeVersion>(f.version)
        .await
        .unwrap()
        .programme_id;
    let summary = f.store.learning_summary(programme).await.unwrap();
    assert_eq!(
        summary.quotes[0].quotes[0].by,
        "Participant 2 (public sector)"
    );
    files.push(("learning summary".into(), render_html(&summary)));
    for (name, shown) in &files {
        assert!(
            shown.contains("Participant 2"),
            "Ben is Participant 2 in {name}"
        );
        assert!(
            !shown.contains("Participant 1"),
            "Amira, who is named, leaves her number unused in {name}"
        );
    }

    // Erasing someone else moves no one's number.
    f.store.erase_participant(aaron.meta.id).await.unwrap();
    let e = export(&f, Scope::Version(f.version), Audience::Participant).await;
    assert!(text(&e, Format::Md).contains("Participant 2"));
}

#[tokio::test]
async fn nothing_beside_a_pseudonym_identifies_the_person() {
    let f = fixture().await;
    let e = f.notes().await;
    let attendance: Vec<(&str, &str)> = e.sessions[0]
        .attendance
        .iter()
        .map(|a| (a.name.as_str(), a.organisation.as_str()))
        .collect();
    assert_eq!(
        attendance,
        [
            ("Amira Shah", "Sunderland VCS Alliance"),
            ("Participant 2", ""),
            ("Participant 3", "")
        ]
    );
    // The demo's agenda notes mention the organisation too.
    let in_notes: usize = e.sessions[0]
        .agenda
        .iter()
        .filter_map(|i| i.notes.as_ref())
        .map(|n| n.matches("Sunderland VCS Alliance").count())
        .sum();
    let word = docx_text(&render(&e, Format::Docx, false).unwrap());
    for (format, shown) in [
        ("md", text(&e, Format::Md)),
        ("html", text(&e, Format::Html)),
        ("docx", word),
    ] {
        assert_eq!(
            shown.matches("Sunderland VCS Alliance").count(),
            in_notes + 1,
            "only beside Amira, who agreed to be named ({format})"
        );
        assert!(!shown.contains("Manager"), "no role ({format})");
    }
}

fn docx_part(bytes: &[u8], part: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = zip
        .by_name(part)
        .unwrap_or_else(|_| panic!("no {part} in the Word file"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    text
}

/// The numbers in every `attr="N"` of `tag` elements in `xml`.
fn attribute_values(xml: &str, tag: &str, attr: &str) -> Vec<usize> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|rest| {
            let at = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
            rest[at..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[tokio::test]
async fn the_word_document_is_laid_out_for_print() {
    use fieldbook_core::export::word::TEXT_WIDTH;
    let f = fixture().await;
    for (scope, audience) in [
        (Scope::Session(f.session), Audience::Facilitator),
        (Scope::Version(f.version), Audience::Facilitator),
        (Scope::Version(f.version), Audience::Participant),
    ] {
        let e = export(&f, scope, audience).await;
        let bytes = render(&e, Format::Docx, false).unwrap();
        let doc = docx_part(&bytes, "word/document.xml");
        let what = format!("{scope:?} {audience:?}");
        // Tables: fixed widths inside the text area, agenda item wider than the rest.
        for table in doc.split("<w:tbl>").skip(1) {
            let grid = attribute_values(
                table.split("</w:tblGrid>").next().unwrap(),
                "w:gridCol",
                "w:w",
            );
            assert!(grid.len() >= 3, "{what}: a table has its column widths");
            assert!(
                grid.iter().sum::<usize>() <= TEXT_WIDTH,
                "{what}: a table of {grid:?} runs past the margin ({TEXT_WIDTH})"
            );
        }
        let agenda_table = doc
            .split("<w:tbl>")
            .find(|t| t.contains(">Length<"))
            .unwrap();
        let agenda = attribute_values(
            agenda_table.split("</w:tblGrid>").next().unwrap(),
            "w:gridCol",
            "w:w",
        );
        assert!(
            agenda[1] > agenda[0] * 2 && agenda[1] > agenda[2] * 2,
            "{what}: {agenda:?}"
        );
        if audience == Audience::Facilitator {
            assert!(agenda[3] >= 1800, "{what}: room to write in \"As run\"");
        }
        let tables = doc.matches("<w:tbl>").count();
        assert_eq!(
            doc.matches("<w:tblHeader />").count(),
            tables,
            "{what}: header rows repeat"
        );
        assert_eq!(
            doc.matches("<w:tr>").count(),
            doc.matches("<w:cantSplit />").count(),
            "{what}: no row splits"
        );
        // Headings stay with what follows, and so does a quote with its attribution.
        for para in doc.split("<w:p ").skip(1) {
            if para.contains("w:val=\"Heading") || para.contains("w:val=\"Quote\"") {
                assert!(
                    para.contains("<w:keepNext />"),
                    "{what}: {}",
                    &para[..para.len().min(300)]
                );
            }
        }
        // Each session a section of its own, each with a footer with a page number.
        let sections = doc.matches("<w:sectPr>").count() + doc.matches("<w:sectPr ").count();
        assert_eq!(sections, e.sessions.len(), "{what}: one section a session");
        for n in 1..=e.sessions.len() {
            let footer = docx_part(&bytes, &format!("word/footer{n}.xml"));
            // A page number (the PAGE field), the programme, the place and the session.
            let title = e.sessions[n - 1].title.as_str();
            common::assert_all_in(
                &footer,
                &["PAGE", "Leading Change Together", "Sunderland", title],
                &format!("{what}: footer {n}"),
            );
        }
        let core = docx_part(&bytes, "docProps/core.xml");
        assert!(
            core.contains("<dc:creator>Fieldbook</dc:creator>"),
            "{core}"
        );
        assert!(core.contains("2027-01-27T"), "made on the day: {core}");
        let styles = docx_part(&bytes, "word/styles.xml");
        assert!(styles.contains("w:ascii=\"Arial\"") && styles.contains("w:cs=\"Arial\""));
    }
    // Each exercise's steps start again at 1.
    let e = export(&f, Scope::Version(f.version), Audience::Facilitator).await;
    let lists = e
        .sessions
        .iter()
        .flat_map(|s| &s.agenda)
        .filter(|i| i.exercise.as_ref().is_some_and(|x| !x.steps.is_empty()))
        .count();
    assert!(lists >= 2, "the demo has exercises with steps");
    let numbering = docx_part(
        &render(&e, Format::Docx, false).unwrap(),
        "word/numbering.xml",
    );
    assert_eq!(
        numbering.matches("<w:startOverride w:val=\"1\" />").count(),
        lists
    );
}

#[tokio::test]
async fn right_to_left_text_is_marked_in_the_word_document() {
    let f = fixture().await;
    let urdu = "ہم سب مل کر کام کرتے ہیں";
    say(&f, urdu).await;
    let e = f.notes().await;
    let doc = docx_part(
        &render(&e, Format::Docx, false).unwrap(),
        "word/document.xml",
    );
    let para = doc
        .split("<w:p ")
        .find(|p| p.contains(urdu))
        .expect("the Urdu reflection is in the document");
    assert!(para.contains("<w:bidi />"), "a right-to-left paragraph");
    assert!(para.contains("<w:rtl />"), "a right-to-left run");
    let english = doc
        .split("<w:p ")
        .find(|p| p.contains("same families"))
        .unwrap();
    assert!(!english.contains("<w:bidi />") && !english.contains("<w:rtl />"));
}

/// LibreOffice prints each Word file: a one-day run sheet ends on a page worth printing,
/// each session of a version starts a page, and the text comes back whole.
#[tokio::test]
async fn each_word_file_prints_as_a_reader_expects_in_libreoffice() {
    let f = fixture().await;
    let tmp = tempfile::tempdir().unwrap();
    for (scope, audience, name) in f.every_export() {
        let e = export(&f, scope, audience).await;
        let path = tmp.path().join(format!("{name}.docx"));
        std::fs::write(&path, render(&e, Format::Docx, false).unwrap()).unwrap();
        let pdf = common::libreoffice_convert(&path, "pdf", None);
        common::keep_pictures(&pdf, &format!("word-{name}"));
        let pages = common::pdf_pages(&pdf);
        let last = common::pdf_text(&pdf, Some(pages));
        let words_on_last = last.split_whitespace().count();
        assert!(
            pages == 1 || words_on_last > 40,
            "{name}: {pages} pages, the last with only {words_on_last} words: {last}"
        );
        let mut starts = Vec::new();
        for page in 1..=pages {
            let text = common::pdf_text(&pdf, Some(page));
            assert!(text.contains("Page"), "{name}: page {page} has its footer");
            if let Some(s) = e.sessions.iter().position(|s| {
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .take(6)
                    .any(|l| l.trim() == s.title)
            }) {
                starts.push(s);
            }
        }
        assert_eq!(
            starts,
            (0..e.sessions.len()).collect::<Vec<_>>(),
            "{name}: each session starts a page of its own"
        );
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

/// An anonymous reflection on the session's first item.
async fn say(f: &Fixture, text: &str) {
    let draft = on_first_item(f, text).await;
    f.store.save_reflection(draft).await.unwrap();
}

/// One long URL in a reflection used to make Chromium print every page at about 67%, and
/// was still cut at the edge. Now it wraps and the text keeps its size.
#[tokio::test]
async fn a_long_url_wraps_in_chromium_and_nothing_shrinks_to_fit() {
    let f = fixture().await;
    let url = format!(
        "https://www.sunderland.gov.uk/article/12345/{}",
        "community-wellbeing-partnership-minutes-and-papers-".repeat(6)
    );
    say(
        &f,
        &format!("The papers are at {url} if anyone wants them."),
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let e = f.notes().await;
    let html = tmp.path().join("long-url.html");
    std::fs::write(&html, text(&e, Format::Html)).unwrap();
    let pdf = common::chromium_print(&html);
    common::keep_pictures(&pdf, "html-long-url");
    let printed = common::pdf_text(&pdf, None);
    let joined: String = printed.lines().map(str::trim).collect::<Vec<_>>().join("");
    assert!(joined.contains(&url), "the whole URL is printed: {printed}");
    let lines_with_url = printed
        .lines()
        .filter(|l| l.contains("community-wellbeing") || l.contains("sunderland.gov"))
        .count();
    assert!(
        lines_with_url >= 3,
        "the URL wraps over several lines ({lines_with_url})"
    );
    // 11 pt text gives word boxes about 15 pt high in Chromium's print; the same notes
    // before this layout, with this URL, were shrunk to fit and gave 12.9 pt.
    let height = median(common::pdf_word_heights(&pdf, 1));
    assert!(
        height > 14.0,
        "the text printed at {height:.1} pt high: shrunk to fit"
    );
    // The page number and footer are printed in the margin.
    let first = common::pdf_text(&pdf, Some(1));
    assert!(first.contains("Page 1 of"), "{first}");
}

#[tokio::test]
async fn welsh_urdu_and_emoji_print_in_chromium_and_read_back() {
    let f = fixture().await;
    let welsh = "Roedd y gweithdy’n ddefnyddiol iawn: ŵyr, ŷd, ysgol â’r dŵr.";
    let urdu = "ہم سب مل کر کام کرتے ہیں";
    let emoji = "Great day 🎉👍";
    for t in [welsh, urdu, emoji] {
        say(&f, t).await;
    }
    let tmp = tempfile::tempdir().unwrap();
    let e = f.notes().await;
    let html_text = text(&e, Format::Html);
    assert!(html_text.contains(&format!("<blockquote dir=\"auto\"><p>{urdu}</p>")));
    let html = tmp.path().join("scripts.html");
    std::fs::write(&html, html_text).unwrap();
    let pdf = common::chromium_print(&html);
    common::keep_pictures(&pdf, "html-scripts");
    let printed = common::pdf_text(&pdf, None);
    assert!(printed.contains(welsh), "Welsh reads back: {printed}");
    for word in urdu.split(' ') {
        assert!(printed.contains(word), "the Urdu word {word} reads back");
    }
    assert!(printed.contains("Great day"));
    // No glyph missing: poppler reads no replacement characters or empty boxes.
    assert!(!printed.contains('\u{fffd}'), "{printed}");
}

#[tokio::test]
async fn a_multi_session_html_file_has_a_contents_list_and_wide_as_run_column() {
    let f = fixture().await;
    let e = export(&f, Scope::Version(f.version), Audience::Facilitator).await;
    let html = text(&e, Format::Html);
    let contents = html.split("<nav class=\"contents\">").nth(1).unwrap();
    let contents = contents.split("</nav>").next().unwrap();
    for (n, s) in e.sessions.iter().enumerate() {
        assert!(contents.contains(&format!("<a href=\"#session-{}\">{}</a>", n + 1, s.title)));
        assert!(html.contains(&format!("id=\"session-{}\"", n + 1)));
    }
    assert!(html.contains("<col class=\"run\">"));
    let one = text(&f.notes().await, Format::Html);
    assert!(
        !one.contains("class=\"contents\""),
        "no contents for one session"
    );
}

#[tokio::test]
async fn the_facilitator_notes_open_with_a_session_summary_in_every_format() {
    let f = fixture().await;
    join(&f, "Dee Absent", Sector::Public, Presence::Absent).await;
    f.store
        .add_walk_in(
            f.session,
            person("Wes Walkin", false, false, Sector::Private),
        )
        .await
        .unwrap();
    let said = f.store.reflections_of(f.session).await.unwrap();
    let ids: Vec<Uuid> = said.iter().map(|r| r.meta.id).collect();
    f.theme("Trust", &ids[..3]).await;
    f.theme("Shared power", &ids[..1]).await;

    let e = f.notes().await;
    let summary = e.sessions[0].summary.clone().expect("a summary");
    assert_eq!(
        (
            summary.attended,
            summary.late,
            summary.absent,
            summary.walk_ins
        ),
        (4, 1, 1, 1),
        "Amira, Ben (late), Chloe and Wes (walk-in) came; Dee did not"
    );
    assert_eq!(
        summary.themes,
        [("Trust".to_owned(), 3), ("Shared power".to_owned(), 1)]
    );
    assert_eq!(summary.open_actions.len(), 2);
    let first = &summary.items[0];
    assert_eq!(first.actual, Some(29), "the first item ran 29 minutes");
    assert_eq!(
        summary.attendance(),
        "4 attended (1 late, 1 walk-in); 1 absent"
    );
    let timing = summary.timing();
    assert_eq!(
        timing,
        format!(
            "Planned {} min; 2 of {} items run: 34 min against {} planned, 21 minutes under",
            summary.planned_minutes,
            summary.items.len(),
            summary.items[0].planned + summary.items[1].planned
        )
    );

    let word = docx_text(&render(&e, Format::Docx, false).unwrap());
    for (format, shown) in [
        ("md", text(&e, Format::Md)),
        ("html", text(&e, Format::Html)),
        ("docx", word),
    ] {
        let at = |needle: &str| {
            shown
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} missing in {format}"))
        };
        assert!(
            at("Summary") < at("Agenda"),
            "the summary comes first in {format}"
        );
        at("4 attended (1 late, 1 walk-in); 1 absent");
        at(&timing);
        at("Trust (3), Shared power (1)");
        at("29 min");
        at("Open actions");
    }
    // The handout has no summary.
    let handout = export(&f, Scope::Session(f.session), Audience::Participant).await;
    assert!(handout.sessions[0].summary.is_none());
    assert!(!text(&handout, Format::Md).contains("Summary"));
}

#[tokio::test]
async fn themes_stand_beside_reflections_in_every_format() {
    let f = fixture().await;
    let amira = f.said("same families").await;
    f.theme("Joined-up families", &[amira.meta.id]).await;
    for audience in [Audience::Facilitator, Audience::Participant] {
        let e = export(&f, Scope::Session(f.session), audience).await;
        for (format, shown) in [
            ("md", text(&e, Format::Md)),
            ("html", text(&e, Format::Html)),
            ("csv", text(&e, Format::Csv)),
            ("docx", docx_text(&render(&e, Format::Docx, false).unwrap())),
        ] {
            let after = &shown[shown.find("same families").unwrap()..];
            let next_quote = after[20..]
                .find("Participant 2")
                .unwrap_or(after.len() - 20)
                + 20;
            assert!(
                after[..next_quote].contains("Joined-up families"),
                "{audience:?} {format}: the theme is beside the reflection"
            );
        }
    }
}

#[tokio::test]
async fn the_handout_describes_exercises_for_participants_and_the_facilitator_sheet_has_the_steps()
{
    let f = fixture().await;
    let handout = export(&f, Scope::Version(f.version), Audience::Participant).await;
    let notes = export(&f, Scope::Version(f.version), Audience::Facilitator).await;
    let check_in = |e: &Export| {
        e.sessions
            .iter()
            .flat_map(|s| &s.agenda)
            .find_map(|i| i.exercise.clone().filter(|x| x.title == "Check-in round"))
            .expect("the demo runs a check-in round")
    };
    let theirs = check_in(&handout);
    assert!(theirs.for_participants.starts_with("We start in a circle"));
    assert!(theirs.purpose.is_empty() && theirs.steps.is_empty());
    let ours = check_in(&notes);
    assert!(ours.purpose.contains("lets the facilitator hear the mood"));
    assert_eq!(ours.steps.len(), 5);
    assert!(ours.for_participants.is_empty());
    for format in [Format::Md, Format::Html] {
        let h = text(&handout, format);
        assert!(h.contains("We start in a circle"), "{format:?}");
        assert!(
            !h.contains("hear the mood"),
            "the facilitator's words stay out of the handout ({format:?})"
        );
        assert!(!h.contains("Close the round by naming"), "{format:?}");
        let n = text(&notes, format);
        assert!(
            n.contains("Close the round by naming"),
            "the steps are in the facilitator's sheet ({format:?})"
        );
    }
    let h = docx_text(&render(&handout, Format::Docx, false).unwrap());
    assert!(h.contains("We start in a circle") && !h.contains("hear the mood"));
    let n = docx_text(&render(&notes, Format::Docx, false).unwrap());
    assert!(n.contains("Close the round by naming"));
}

#[tokio::test]
async fn the_handout_names_the_lead_facilitators_and_the_next_session() {
    let f = fixture().await;
    let sessions = f.store.sessions_of(f.version).await.unwrap();
    let e = export(&f, Scope::Session(f.session), Audience::Participant).await;
    let next = e.sessions[0].next.as_ref().unwrap();
    assert_eq!(next.title, sessions[1].title);
    for shown in [
        text(&e, Format::Md),
        text(&e, Format::Html),
        docx_text(&render(&e, Format::Docx, false).unwrap()),
    ] {
        assert!(
            shown.contains("Joanne Hetherington, Mark Robson"),
            "{shown}"
        );
        assert!(shown.contains("Next session"));
        assert!(shown.contains(&sessions[1].title));
    }
    let last = export(
        &f,
        Scope::Session(sessions[3].meta.id),
        Audience::Participant,
    )
    .await;
    assert!(
        last.sessions[0].next.is_none(),
        "the last session has no next"
    );
}

/// An answer sent from a participant's phone says so in every format; one typed at the laptop
/// says nothing of the kind.
#[tokio::test]
async fn an_answer_from_a_phone_says_so_in_every_format() {
    let f = fixture().await;
    say(&f, "Typed at the laptop").await;
    let draft = on_first_item(&f, "Sent from my phone").await;
    f.store
        .save_reflection_sent(draft, Some(SentFrom::Phone))
        .await
        .unwrap();
    let e = f.notes().await;
    for format in [Format::Md, Format::Html] {
        let written = text(&e, format);
        assert_eq!(written.matches("(from a phone)").count(), 1, "{format:?}");
        let at = written.find("Sent from my phone").unwrap();
        assert!(written[at..].find("(from a phone)").is_some(), "{format:?}");
    }
    assert!(
        docx_text(&render(&e, Format::Docx, false).unwrap()).contains("Anonymous (from a phone)")
    );
    let csv = render(&e, Format::Csv, false).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let mut sent: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[9].ends_with("laptop") || r[9].ends_with("phone"))
        .map(|r| (&r[9], &r[12]))
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [("Sent from my phone", "phone"), ("Typed at the laptop", "")]
    );
    let json: serde_json::Value = serde_json::from_str(&text(&e, Format::Json)).unwrap();
    assert_eq!(
        json.to_string().matches("\"sent_from\":\"phone\"").count(),
        1
    );
}
