//! Coded reflections for qualitative-analysis tools (NVivo, ATLAS.ti, MAXQDA, QualCoder) in
//! the REFI-QDA 1.0 exchange standard: a `.qdpx` project (a zip of `project.qde`, in the
//! `urn:QDA-XML:project:1.0` namespace, and one text file per reflection under `Sources/`),
//! and `.qdc` codebooks of the themes, which can also be imported to make themes.
//!
//! - Themes are codes; a theme merged into another is part of the one it went into.
//! - Each reflection is a text source named after its place, session and date, described with
//!   its session, place, item and prompt; each theme tag is a coding of the reflection's whole
//!   text. Positions count Unicode code points of the text as written into the file (NVivo
//!   counts characters above U+FFFF as two); see docs/files.md.
//! - Participants are cases with variables (place, sector, programme), named only if they
//!   agreed to be named, otherwise by their cohort pseudonym, "Participant N", the same as in
//!   every other file of their cohort (see `pseudonym.rs`); where people of two cohorts share
//!   a pseudonym, their place is added to tell them apart.
//! - Erased participants' words never appear.
//!
//! [`gather_qda`](Store::gather_qda) reads what the file needs; rendering and reading are pure.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Write};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{Meta, Participant, Sector, Theme};
use crate::error::{Error, Result};
use crate::store::{Select, Store};
use crate::themes::MAX_THEME_NAME;

pub const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";
pub const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";
/// The largest codebook read, in bytes.
pub const MAX_CODEBOOK_BYTES: usize = 5 * 1024 * 1024;

const NAMESPACE: Uuid = Uuid::from_u128(0x7c1f_3a52_d8e4_4b09_a6c3_58e2_1f90_b7d4);

fn derived(parts: &[&[u8]]) -> Uuid {
    Uuid::new_v5(&NAMESPACE, &parts.concat())
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QdaScope {
    Everything,
    Programme(Uuid),
    Version(Uuid),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QdaCode {
    pub id: Uuid,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QdaSource {
    /// The reflection's id.
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub text: String,
    /// The codes (themes) of the reflection's tags.
    pub codes: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QdaCase {
    pub id: Uuid,
    pub name: String,
    pub place: String,
    pub sector: String,
    pub programme: String,
    pub sources: Vec<Uuid>,
}

/// Everything a project file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QdaProject {
    pub name: String,
    pub made_at: DateTime<Utc>,
    /// The user the codings are credited to: this laptop.
    pub user: Uuid,
    pub codes: Vec<QdaCode>,
    pub sources: Vec<QdaSource>,
    pub cases: Vec<QdaCase>,
}

impl QdaProject {
    pub fn file_name(&self, extension: &str) -> String {
        crate::export::file_name_from(&self.name, extension)
    }

    /// How many codings (theme tags) the project holds.
    pub fn codings(&self) -> usize {
        self.sources.iter().map(|s| s.codes.len()).sum()
    }
}

/// Text safe in XML 1.0: the characters XML cannot hold replaced as in the sources, markup
/// characters escaped (quick-xml's escape, which we already build for reading codebooks), and
/// carriage returns kept as references, since XML readers fold a literal one into a newline.
fn xml(text: &str) -> String {
    quick_xml::escape::escape(source_text(text)).replace('\r', "&#13;")
}

/// The source's text as written into its file: the reflection's words, with characters
/// XML-based readers could not hold replaced, so positions agree everywhere.
fn source_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn codes_xml(out: &mut String, codes: &[QdaCode]) {
    out.push_str("<Codes>\n");
    for code in codes {
        out.push_str(&format!(
            "<Code guid=\"{}\" name=\"{}\" isCodable=\"true\">",
            code.id,
            xml(&code.name)
        ));
        if !code.description.is_empty() {
            out.push_str(&format!(
                "<Description>{}</Description>",
                xml(&code.description)
            ));
        }
        out.push_str("</Code>\n");
    }
    out.push_str("</Codes>\n");
}

const VARIABLES: [&str; 3] = ["Place", "Sector", "Programme"];

fn variable_id(name: &str) -> Uuid {
    derived(&[b"variable:", name.as_bytes()])
}

/// The `project.qde` XML of a project. Positions are code points of the text written into
/// each source's file.
pub fn render_project_qde(p: &QdaProject) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<Project xmlns=\"{PROJECT_NAMESPACE}\" name=\"{}\" origin=\"Fieldbook {}\" creatingUserGUID=\"{}\" creationDateTime=\"{}\">\n",
        xml(&p.name),
        env!("CARGO_PKG_VERSION"),
        p.user,
        when(p.made_at)
    ));
    out.push_str(&format!(
        "<Users>\n<User guid=\"{}\" name=\"Fieldbook\"/>\n</Users>\n",
        p.user
    ));
    if !p.codes.is_empty() {
        out.push_str("<CodeBook>\n");
        codes_xml(&mut out, &p.codes);
        out.push_str("</CodeBook>\n");
    }
    if !p.cases.is_empty() {
        out.push_str("<Variables>\n");
        for v in VARIABLES {
            out.push_str(&format!(
                "<Variable guid=\"{}\" name=\"{v}\" typeOfVariable=\"Text\"/>\n",
                variable_id(v)
            ));
        }
        out.push_str("</Variables>\n<Cases>\n");
        for case in &p.cases {
            out.push_str(&format!(
                "<Case guid=\"{}\" name=\"{}\">\n",
                case.id,
                xml(&case.name)
            ));
            for (v, value) in VARIABLES
                .iter()
                .zip([&case.place, &case.sector, &case.programme])
            {
                out.push_str(&format!(
                    "<VariableValue><VariableRef targetGUID=\"{}\"/><TextValue>{}</TextValue></VariableValue>\n",
                    variable_id(v),
                    xml(value)
                ));
            }
            for source in &case.sources {
                out.push_str(&format!("<SourceRef targetGUID=\"{source}\"/>\n"));
            }
            out.push_str("</Case>\n");
        }
        out.push_str("</Cases>\n");
    }
    if !p.sources.is_empty() {
        out.push_str("<Sources>\n");
        for s in &p.sources {
            let text = source_text(&s.text);
            let end = text.chars().count();
            out.push_str(&format!(
                "<TextSource guid=\"{}\" name=\"{}\" plainTextPath=\"internal://{}.txt\" creatingUser=\"{}\" creationDateTime=\"{}\">\n",
                s.id,
                xml(&s.name),
                s.id,
                p.user,
                when(s.created_at)
            ));
            out.push_str(&format!(
                "<Description>{}</Description>\n",
                xml(&s.description)
            ));
            for code in &s.codes {
                let selection = derived(&[b"selection:", s.id.as_bytes(), code.as_bytes()]);
                let coding = derived(&[b"coding:", selection.as_bytes()]);
                out.push_str(&format!(
                    "<PlainTextSelection guid=\"{selection}\" startPosition=\"0\" endPosition=\"{end}\" creatingUser=\"{}\" creationDateTime=\"{}\">\n<Coding guid=\"{coding}\" creatingUser=\"{}\"><CodeRef targetGUID=\"{code}\"/></Coding>\n</PlainTextSelection>\n",
                    p.user,
                    when(p.made_at),
                    p.user,
                ));
            }
            out.push_str("</TextSource>\n");
        }
        out.push_str("</Sources>\n");
    }
    out.push_str("</Project>\n");
    out
}

/// The `.qdpx` file: a zip of `project.qde` and `Sources/ID.txt` for each source (UTF-8).
pub fn render_qdpx(p: &QdaProject) -> Result<Vec<u8>> {
    let io = |e: zip::result::ZipError| {
        Error::invalid(format!("The project file could not be made: {e}"))
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("project.qde", options).map_err(io)?;
    zip.write_all(render_project_qde(p).as_bytes())?;
    for s in &p.sources {
        zip.start_file(format!("Sources/{}.txt", s.id), options)
            .map_err(io)?;
        zip.write_all(source_text(&s.text).as_bytes())?;
    }
    Ok(zip.finish().map_err(io)?.into_inner())
}

/// A `.qdc` codebook of the codes.
pub fn render_qdc(codes: &[QdaCode]) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<CodeBook xmlns=\"{CODEBOOK_NAMESPACE}\" origin=\"Fieldbook {}\">\n",
        env!("CARGO_PKG_VERSION")
    ));
    codes_xml(&mut out, codes);
    out.push_str("</CodeBook>\n");
    out
}

/// Reads the codes of a `.qdc` codebook (or a `project.qde`'s codebook), nested codes
/// included, in document order.
pub fn read_codebook(bytes: &[u8], file_name: &str) -> Result<Vec<QdaCode>> {
    use quick_xml::events::Event;
    let refuse = |why: String| {
        Error::invalid(format!(
            "{file_name} is not a REFI-QDA codebook Fieldbook can read ({why}). Export the codebook again as .qdc. Nothing has been changed."
        ))
    };
    if bytes.len() > MAX_CODEBOOK_BYTES {
        return Err(refuse("it is too large".into()));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| refuse("it is not UTF-8 text".into()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut codes = Vec::new();
    let mut saw_codebook = false;
    // For each open Code: its index in `codes`; a Description's text goes to the innermost.
    let mut open: Vec<usize> = Vec::new();
    let mut in_description = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| refuse(format!("XML error: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name();
                match local.as_ref() {
                    b"CodeBook" | b"Project" => saw_codebook = true,
                    b"Code" => {
                        let mut id = None;
                        let mut name = None;
                        for a in e.attributes() {
                            let a = a.map_err(|e| refuse(format!("XML error: {e}")))?;
                            let value = a
                                .decode_and_unescape_value(reader.decoder())
                                .map_err(|e| refuse(format!("XML error: {e}")))?
                                .into_owned();
                            match a.key.local_name().as_ref() {
                                b"guid" => id = Some(value),
                                b"name" => name = Some(value),
                                _ => {}
                            }
                        }
                        let name = name
                            .map(|n| n.trim().to_owned())
                            .filter(|n| !n.is_empty())
                            .ok_or_else(|| refuse("a code has no name".into()))?;
                        let id = id
                            .as_deref()
                            .map(|g| g.trim_matches(|c| c == '{' || c == '}'))
                            .and_then(|g| Uuid::try_parse(g).ok())
                            .unwrap_or_else(|| derived(&[b"code:", name.as_bytes()]));
                        codes.push(QdaCode {
                            id,
                            name,
                            description: String::new(),
                        });
                        if !empty {
                            open.push(codes.len() - 1);
                        }
                    }
                    b"Description" if !empty && !open.is_empty() => in_description = true,
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"Code" => {
                    open.pop();
                }
                b"Description" => in_description = false,
                _ => {}
            },
            Event::Text(ref t) if in_description => {
                if let Some(&i) = open.last() {
                    let piece = t
                        .xml_content()
                        .map_err(|e| refuse(format!("XML error: {e}")))?;
                    codes[i].description.push_str(&piece);
                }
            }
            Event::GeneralRef(ref r) if in_description => {
                if let Some(&i) = open.last() {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let resolved = match name.as_str() {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        _ => r
                            .resolve_char_ref()
                            .ok()
                            .flatten()
                            .map(String::from)
                            .unwrap_or_default(),
                    };
                    codes[i].description.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_codebook {
        return Err(refuse("it has no CodeBook".into()));
    }
    for c in &mut codes {
        c.description = c.description.trim().to_owned();
    }
    Ok(codes)
}

/// What importing a codebook would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodebookPlan {
    /// Codes that become new themes.
    pub to_add: Vec<QdaCode>,
    /// Codes whose name a theme already has (they add nothing).
    pub existing: Vec<String>,
    /// Codes left out, and why.
    pub refused: Vec<String>,
}

/// Plans a codebook import against the live themes: a code becomes a theme unless a theme
/// of that name (ignoring case) is already there. A pure function.
pub fn plan_codebook(codes: &[QdaCode], themes: &[Theme]) -> CodebookPlan {
    let mut taken: HashSet<String> = themes.iter().map(|t| t.name.to_lowercase()).collect();
    let used_ids: HashSet<Uuid> = themes.iter().map(|t| t.meta.id).collect();
    let mut plan = CodebookPlan {
        to_add: Vec::new(),
        existing: Vec::new(),
        refused: Vec::new(),
    };
    for code in codes {
        if code.name.chars().count() > MAX_THEME_NAME {
            plan.refused.push(format!(
                "\"{}\": a theme's name can be at most {MAX_THEME_NAME} characters",
                code.name
            ));
        } else if !taken.insert(code.name.to_lowercase()) {
            plan.existing.push(code.name.clone());
        } else {
            let mut code = code.clone();
            if used_ids.contains(&code.id) {
                code.id = Uuid::now_v7();
            }
            plan.to_add.push(code);
        }
    }
    plan
}

fn sector_name(s: Sector) -> &'static str {
    match s {
        Sector::Unknown => "",
        Sector::Public => "Public",
        Sector::Private => "Private",
        Sector::Voluntary => "Voluntary",
        Sector::Community => "Community",
    }
}

#[derive(sqlx::FromRow)]
struct ReflectionRow {
    id: String,
    text: String,
    prompt: String,
    captured_at: String,
    participant_id: Option<String>,
    session: String,
    date: Option<String>,
    place: Option<String>,
    version: Option<String>,
    programme: Option<String>,
    item: Option<String>,
}

impl Store {
    /// The codes of the live themes, in the order they were made.
    pub async fn codebook(&self) -> Result<Vec<QdaCode>> {
        Ok(self
            .themes()
            .await?
            .into_iter()
            .map(|t| QdaCode {
                id: t.theme.meta.id,
                name: t.theme.name,
                description: t.theme.description,
            })
            .collect())
    }

    /// Everything a `.qdpx` project holds for `scope`.
    pub async fn gather_qda(&self, scope: QdaScope) -> Result<QdaProject> {
        let (filter, arg, name) = match scope {
            QdaScope::Everything => ("1 = 1", String::new(), "Fieldbook reflections".to_owned()),
            QdaScope::Programme(id) => {
                let p: crate::domain::Programme = self.get(id).await?;
                ("v.programme_id = ?1", id.to_string(), p.title)
            }
            QdaScope::Version(id) => {
                let v: crate::domain::ProgrammeVersion = self.get(id).await?;
                let p: crate::domain::Programme = self.get(v.programme_id).await?;
                let name = if v.place.trim().is_empty() {
                    format!("{}, {}", p.title, v.name)
                } else {
                    format!("{}, {}", p.title, v.place)
                };
                ("s.version_id = ?1", id.to_string(), name)
            }
        };
        let sql = format!(
            "SELECT r.id, r.text, r.prompt, r.captured_at, r.participant_id,
                    s.title AS session, s.date, v.place, v.name AS version, p.title AS programme,
                    ai.title AS item
             FROM reflection r
             JOIN session s ON s.id = r.session_id AND s.deleted = 0
             LEFT JOIN programme_version v ON v.id = s.version_id
             LEFT JOIN programme p ON p.id = v.programme_id
             LEFT JOIN agenda_item ai ON ai.id = r.agenda_item_id
             WHERE r.deleted = 0 AND r.text != ''
               AND (r.participant_id IS NULL
                    OR r.participant_id NOT IN (SELECT participant_id FROM erased_participant))
               AND {filter}
             ORDER BY r.captured_at, r.id"
        );
        let mut query = sqlx::query_as::<_, ReflectionRow>(&sql);
        if !arg.is_empty() {
            query = query.bind(arg);
        }
        let rows = query.fetch_all(self.reader()).await?;
        if rows.is_empty() {
            return Err(Error::invalid(format!(
                "{name} has no reflections yet, so there is nothing to analyse. Nothing has been written."
            )));
        }

        let codes = self.codebook().await?;
        let tags: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT reflection_id, theme_id FROM reflection_theme ORDER BY theme_id",
        )
        .fetch_all(self.reader())
        .await?;
        let mut tags_of: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (reflection, theme) in tags {
            if let Ok(theme) = Uuid::try_parse(&theme) {
                tags_of.entry(reflection).or_default().push(theme);
            }
        }

        let ids: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.participant_id.as_deref())
            .collect();
        let people: HashMap<Uuid, Participant> = self
            .list::<Participant>(Select::all().one_of("id", &ids))
            .await?
            .into_iter()
            .map(|p| (p.meta.id, p))
            .collect();

        let mut sources = Vec::with_capacity(rows.len());
        let mut cases: Vec<QdaCase> = Vec::new();
        let mut case_of: HashMap<Uuid, usize> = HashMap::new();
        let names = self.pseudonyms().await?;
        let mut pseudonymous: HashSet<usize> = HashSet::new();
        for row in rows {
            let id = Uuid::try_parse(&row.id)
                .map_err(|_| Error::invalid("A reflection has an id that is not valid."))?;
            let date = row
                .date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let place = row
                .place
                .clone()
                .filter(|p| !p.trim().is_empty())
                .or(row.version.clone())
                .unwrap_or_else(|| "One-off session".into());
            let date_text = date.map(|d| d.format("%d/%m/%Y").to_string());
            let mut name = format!("{place}, {}", row.session);
            if let Some(d) = &date_text {
                name.push_str(&format!(", {d}"));
            }
            name.push_str(&format!(", reflection {}", sources.len() + 1));
            let mut description = format!("Session: {}", row.session);
            if let Some(d) = &date_text {
                description.push_str(&format!(" ({d})"));
            }
            description.push_str(&format!("\nPlace: {place}"));
            if let Some(programme) = &row.programme {
                description.push_str(&format!("\nProgramme: {programme}"));
            }
            if let Some(item) = &row.item {
                description.push_str(&format!("\nItem: {item}"));
            }
            if !row.prompt.trim().is_empty() {
                description.push_str(&format!("\nPrompt: {}", row.prompt.trim()));
            }
            let created_at = DateTime::parse_from_rfc3339(&row.captured_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|_| self.clock().now());
            let person = row
                .participant_id
                .as_deref()
                .and_then(|p| Uuid::try_parse(p).ok())
                .and_then(|p| people.get(&p));
            if let Some(person) = person {
                let index = *case_of.entry(person.meta.id).or_insert_with(|| {
                    let name = names.name_of(person);
                    if !person.consent_named {
                        pseudonymous.insert(cases.len());
                    }
                    cases.push(QdaCase {
                        id: derived(&[b"case:", person.meta.id.as_bytes()]),
                        name,
                        place: place.clone(),
                        sector: sector_name(person.sector).to_owned(),
                        programme: row.programme.clone().unwrap_or_default(),
                        sources: Vec::new(),
                    });
                    cases.len() - 1
                });
                cases[index].sources.push(id);
            }
            sources.push(QdaSource {
                id,
                name,
                description,
                text: row.text,
                codes: tags_of.remove(&row.id).unwrap_or_default(),
                created_at,
            });
        }
        // Two cohorts both have a "Participant 3": their place tells them apart.
        let mut count: HashMap<String, usize> = HashMap::new();
        for case in &cases {
            *count.entry(case.name.clone()).or_default() += 1;
        }
        for (n, case) in cases.iter_mut().enumerate() {
            if pseudonymous.contains(&n) && count[&case.name] > 1 {
                case.name = format!("{}, {}", case.name, case.place);
            }
        }
        Ok(QdaProject {
            name,
            made_at: self.clock().now(),
            user: self.device_id(),
            codes,
            sources,
            cases,
        })
    }

    /// The plan for importing a codebook (nothing is written).
    pub async fn plan_codebook_import(&self, codes: &[QdaCode]) -> Result<CodebookPlan> {
        let themes: Vec<Theme> = self.list(Select::all().missing("merged_into")).await?;
        Ok(plan_codebook(codes, &themes))
    }

    /// Imports a codebook: each code whose name no theme has becomes a theme (keeping the
    /// code's id, so a codebook imported on two laptops makes the same themes), in one
    /// transaction.
    pub async fn import_codebook(&self, codes: &[QdaCode]) -> Result<CodebookPlan> {
        let plan = self.plan_codebook_import(codes).await?;
        // A theme deleted here with the same id stays deleted: such codes get a new id.
        let deleted: HashSet<Uuid> = self
            .list_with_deleted::<Theme>(Select::all().eq("deleted", 1))
            .await?
            .into_iter()
            .map(|t| t.meta.id)
            .collect();
        let mut writer = self.writer().await?;
        for code in &plan.to_add {
            let id = if deleted.contains(&code.id) {
                Uuid::now_v7()
            } else {
                code.id
            };
            let mut theme = Theme {
                meta: Meta { id, ..Meta::new() },
                name: code.name.clone(),
                description: code.description.clone(),
                ..Default::default()
            };
            writer.save(&mut theme).await?;
        }
        writer.commit().await?;
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str, description: &str) -> QdaCode {
        QdaCode {
            id: Uuid::now_v7(),
            name: name.into(),
            description: description.into(),
        }
    }

    #[test]
    fn a_codebook_reads_back_what_was_written() {
        let codes = vec![
            code("Trust & power", "When <people> say \"we\""),
            code("Shared power", ""),
        ];
        let read = read_codebook(render_qdc(&codes).as_bytes(), "x.qdc").unwrap();
        assert_eq!(read, codes);
    }

    #[test]
    fn nested_codes_are_read_and_a_file_that_is_no_codebook_is_refused() {
        let text = r#"<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
            <Code guid="{0A1B2C3D-0000-4000-8000-000000000001}" name="Parent" isCodable="true">
            <Description>Top</Description><Code guid="bad" name="Child" isCodable="true"/></Code>
            </Codes></CodeBook>"#;
        let read = read_codebook(text.as_bytes(), "x.qdc").unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].description, "Top");
        assert_eq!(read[1].name, "Child");
        assert!(read_codebook(b"<html/>", "x.qdc").is_err());
        assert!(read_codebook(b"<CodeBook><Codes><Code", "x.qdc").is_err());
    }

    #[test]
    fn positions_count_code_points_of_the_text_written() {
        let user = Uuid::now_v7();
        let theme = Uuid::now_v7();
        let p = QdaProject {
            name: "P".into(),
            made_at: Utc::now(),
            user,
            codes: vec![QdaCode {
                id: theme,
                name: "T".into(),
                description: String::new(),
            }],
            sources: vec![QdaSource {
                id: Uuid::now_v7(),
                name: "S".into(),
                description: "D".into(),
                text: "Café 🙂 é".into(),
                codes: vec![theme],
                created_at: Utc::now(),
            }],
            cases: vec![],
        };
        let qde = render_project_qde(&p);
        assert!(
            qde.contains("startPosition=\"0\" endPosition=\"8\""),
            "{qde}"
        );
    }

    #[test]
    fn codes_already_themes_add_nothing() {
        let theme = Theme {
            name: "Trust".into(),
            ..Default::default()
        };
        let plan = plan_codebook(
            &[code("trust", ""), code("Place", ""), code("place", "")],
            &[theme],
        );
        assert_eq!(plan.existing, vec!["trust", "place"]);
        assert_eq!(plan.to_add.len(), 1);
    }
}
