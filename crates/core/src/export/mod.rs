//! Exporting session notes to files: gathering what one session or a whole version holds,
//! for the facilitator or as a participants' handout, with names following consent; then
//! writing it as Markdown, print-ready HTML, Word, CSV or JSON, always through a temporary
//! file renamed into place so a failed export never leaves half a file.

pub mod word {
    //! Print layout figures of the Word export, for tests and other writers.
    pub use super::docx::{FONT, TEXT_WIDTH};
}
mod docx;
mod html;
pub mod learning;
mod markdown;
pub mod pdf;

/// The print stylesheet every HTML export starts with.
pub use html::STYLE as PRINT_STYLESHEET;
mod summary;
mod table;

pub use html::footer_line;
pub use summary::{difference, summarise, ItemTiming, SessionSummary};
pub use table::neutralise;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{
    Exercise, Participant, Presence, Programme, ProgrammeVersion, Sector, SentFrom, Session,
};
use crate::error::{Error, Result};
use crate::pseudonym::Pseudonyms;
use crate::run::RunStatus;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Everything: planned and actual times, notes, attendance, all reflections, actions.
    Facilitator,
    /// A handout: agenda, exercises, prompts, and only reflections their authors agreed to
    /// have quoted. No facilitator notes, no attendance.
    Participant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Md,
    Html,
    Docx,
    Csv,
    Json,
}

impl Format {
    /// Every format notes are saved in, in the order the window offers them.
    pub const ALL: [Format; 5] = [
        Format::Docx,
        Format::Html,
        Format::Md,
        Format::Csv,
        Format::Json,
    ];

    /// What the window and the save dialog call it.
    pub fn label(self) -> &'static str {
        match self {
            Format::Docx => "Word document (.docx)",
            Format::Html => "Web page to print (.html)",
            Format::Md => "Markdown text (.md)",
            Format::Csv => "Spreadsheet of reflections (.csv)",
            Format::Json => "Data for other tools (.json)",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "md" | "markdown" => Ok(Format::Md),
            "html" => Ok(Format::Html),
            "docx" | "word" => Ok(Format::Docx),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(Error::invalid(format!(
                "\"{other}\" is not an export format: choose md, html, docx, csv or json."
            ))),
        }
    }
}

impl FromStr for Audience {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "facilitator" => Ok(Audience::Facilitator),
            "participant" | "participants" => Ok(Audience::Participant),
            other => Err(Error::invalid(format!(
                "\"{other}\" is not an audience: choose facilitator or participant."
            ))),
        }
    }
}

/// What to export: one session, or every session of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "id")]
pub enum Scope {
    Session(Uuid),
    Version(Uuid),
}

/// An exercise as each audience reads it: the facilitator gets its purpose and steps, the
/// handout only its description for participants.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseNotes {
    pub title: String,
    /// Facilitator notes only.
    pub purpose: String,
    /// Facilitator notes only.
    pub steps: Vec<String>,
    /// Participant handout only.
    pub for_participants: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaLine {
    pub start: String,
    pub end: String,
    pub minutes: u32,
    pub title: String,
    pub kind: String,
    /// Facilitator notes only.
    pub actual_start: Option<String>,
    pub actual_minutes: Option<i64>,
    pub notes: Option<String>,
    pub materials: String,
    pub prompt: String,
    /// The exercise the item runs, as this audience reads it.
    pub exercise: Option<ExerciseNotes>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttendanceNote {
    pub name: String,
    /// Empty unless the person agreed to be named: nothing beside a pseudonym identifies them.
    pub organisation: String,
    pub status: Presence,
    /// Joined on the day.
    pub walk_in: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuotedReflection {
    /// A name, "Participant 3", or "Anonymous".
    pub by: String,
    pub sector: Option<Sector>,
    pub text: String,
    pub tags: Vec<String>,
    pub captured_at: DateTime<Utc>,
    /// "phone" when a participant sent it from their phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_from: Option<SentFrom>,
}

impl QuotedReflection {
    /// Who said it, and how it arrived when not typed at the laptop: "Participant 3 (from a
    /// phone)".
    pub fn attribution(&self) -> String {
        match self.sent_from {
            Some(SentFrom::Phone) => format!("{} (from a phone)", self.by),
            None => self.by.clone(),
        }
    }
}

/// Reflections answering one prompt of one agenda item (or free reflections).
#[derive(Debug, Clone, Serialize)]
pub struct ReflectionGroup {
    pub item: Option<String>,
    pub prompt: String,
    pub reflections: Vec<QuotedReflection>,
}

impl ReflectionGroup {
    /// The group's heading, its item and prompt ("Check-in: What surprised you?"), each put
    /// through the format's own `escape`; "Free reflections" for those on neither.
    pub fn heading(&self, escape: impl Fn(&str) -> String) -> String {
        match (&self.item, self.prompt.is_empty()) {
            (Some(item), false) => format!("{}: {}", escape(item), escape(&self.prompt)),
            (Some(item), true) => escape(item),
            (None, false) => escape(&self.prompt),
            (None, true) => "Free reflections".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionNote {
    pub by: String,
    pub text: String,
    pub status: String,
    pub follow_up: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    pub at: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionExport {
    pub title: String,
    pub date: Option<NaiveDate>,
    pub start: String,
    pub end: String,
    pub venue: String,
    pub objectives: String,
    pub agenda: Vec<AgendaLine>,
    pub attendance: Vec<AttendanceNote>,
    pub reflections: Vec<ReflectionGroup>,
    pub actions: Vec<ActionNote>,
    pub notes: Option<String>,
    pub observations: Vec<Observation>,
    /// Facilitator notes only: attendance, time, themes and open actions at a glance.
    pub summary: Option<SessionSummary>,
    /// The cohort's next session after this one, for the handout.
    pub next: Option<NextSession>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NextSession {
    pub title: String,
    pub date: Option<NaiveDate>,
    pub start: String,
    pub venue: String,
}

/// Everything one export file holds, before it is given a format.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    pub audience: Audience,
    pub title: String,
    pub programme: Option<String>,
    pub version: Option<String>,
    pub place: Option<String>,
    /// Who leads the version's sessions.
    pub lead_facilitators: Vec<String>,
    pub sessions: Vec<SessionExport>,
    /// When the file was made (the Word document's properties say so).
    #[serde(skip)]
    pub made_at: DateTime<Utc>,
}

impl Export {
    /// The programme, version and place it belongs to, those known: the line under its title.
    pub fn context(&self) -> Vec<&str> {
        known(&[&self.programme, &self.version, &self.place])
    }

    /// The programme and place it belongs to, those known: what every page's footer names.
    pub fn programme_and_place(&self) -> Vec<&str> {
        known(&[&self.programme, &self.place])
    }
}

fn known<'a>(parts: &[&'a Option<String>]) -> Vec<&'a str> {
    parts.iter().filter_map(|p| p.as_deref()).collect()
}

fn time_of(t: DateTime<Utc>, local: FixedOffset) -> String {
    t.with_timezone(&local).format("%H:%M").to_string()
}

impl Store {
    /// Gathers an export of `scope` for `audience`.
    pub async fn gather_export(&self, scope: Scope, audience: Audience) -> Result<Export> {
        let (sessions, version): (Vec<Session>, Option<ProgrammeVersion>) = match scope {
            Scope::Session(id) => {
                let session: Session = self.get(id).await?;
                let version = match session.version_id {
                    Some(v) => Some(self.get(v).await?),
                    None => None,
                };
                (vec![session], version)
            }
            Scope::Version(id) => (self.sessions_of(id).await?, Some(self.get(id).await?)),
        };
        let programme: Option<Programme> = match &version {
            Some(v) => Some(self.get(v.programme_id).await?),
            None => None,
        };
        let local = self.clock().local_offset(self.clock().now());
        let mut people: HashMap<Uuid, Participant> = HashMap::new();
        let names = self.pseudonyms().await?;
        let facilitator = audience == Audience::Facilitator;
        let mut out = Vec::with_capacity(sessions.len());
        for session in sessions {
            let detail = self.session_detail(session.meta.id).await?;
            let run = self.run_state(session.meta.id).await?;
            let ran = run.status != RunStatus::NotStarted;
            let mut agenda = Vec::new();
            for (timed, run_item) in detail.timetable.items.iter().zip(&run.items) {
                let exercise = match timed.item.exercise_id {
                    Some(e) => self.get::<Exercise>(e).await.ok().map(|e| ExerciseNotes {
                        title: e.title,
                        purpose: if facilitator {
                            e.purpose
                        } else {
                            String::new()
                        },
                        steps: if facilitator { e.steps } else { Vec::new() },
                        for_participants: if facilitator {
                            String::new()
                        } else {
                            e.for_participants
                        },
                    }),
                    None => None,
                };
                agenda.push(AgendaLine {
                    start: timed.start.clone(),
                    end: timed.end.clone(),
                    minutes: timed.item.minutes,
                    title: timed.item.title.clone(),
                    kind: serde_json::to_value(timed.item.kind)?
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    actual_start: (facilitator && ran)
                        .then(|| run_item.actual_start.map(|t| time_of(t, local)))
                        .flatten(),
                    actual_minutes: (facilitator && run_item.actual_start.is_some())
                        .then(|| (run_item.elapsed_seconds + 30) / 60),
                    notes: facilitator
                        .then(|| timed.item.notes.clone())
                        .filter(|n| !n.is_empty()),
                    materials: timed.item.materials.clone(),
                    prompt: timed.item.prompt.clone(),
                    exercise,
                });
            }

            let mut attendance = Vec::new();
            if facilitator {
                for line in self.attendance_sheet(session.meta.id).await? {
                    if let Some(status) = line.status {
                        attendance.push(AttendanceNote {
                            name: names.name_of(&line.participant),
                            organisation: Pseudonyms::organisation_of(&line.participant).to_owned(),
                            status,
                            walk_in: line.walk_in,
                        });
                    }
                    people.insert(line.participant.meta.id, line.participant);
                }
            }

            // Reflections grouped by item and prompt, in agenda order, free ones last.
            let mut reflections = self.reflections_of(session.meta.id).await?;
            reflections.reverse();
            let order: Vec<Uuid> = detail
                .timetable
                .items
                .iter()
                .map(|t| t.item.meta.id)
                .collect();
            reflections.sort_by_key(|r| {
                r.agenda_item_id
                    .and_then(|i| order.iter().position(|o| *o == i))
                    .unwrap_or(usize::MAX)
            });
            let ids: Vec<String> = reflections.iter().map(|r| r.meta.id.to_string()).collect();
            let mut themes = self.themes_of(&ids).await?;
            let mut groups: Vec<ReflectionGroup> = Vec::new();
            for r in reflections {
                let author = match r.participant_id {
                    Some(p) => match people.get(&p) {
                        Some(found) => Some(found.clone()),
                        None => self.get::<Participant>(p).await.ok(),
                    },
                    None => None,
                };
                if !facilitator && !author.as_ref().is_some_and(|a| a.consent_quoted) {
                    continue;
                }
                let by = author
                    .as_ref()
                    .map_or_else(|| "Anonymous".to_owned(), |a| names.name_of(a));
                let item = r.agenda_item_id.and_then(|i| {
                    detail
                        .timetable
                        .items
                        .iter()
                        .find(|t| t.item.meta.id == i)
                        .map(|t| t.item.title.clone())
                });
                let quoted = QuotedReflection {
                    by,
                    sector: author
                        .as_ref()
                        .map(|a| a.sector)
                        .filter(|s| *s != Sector::Unknown),
                    text: r.text,
                    tags: themes
                        .remove(&r.meta.id.to_string())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|t| t.name)
                        .collect(),
                    captured_at: r.captured_at,
                    sent_from: r.sent_from,
                };
                match groups
                    .iter_mut()
                    .find(|g| g.item == item && g.prompt == r.prompt)
                {
                    Some(g) => g.reflections.push(quoted),
                    None => groups.push(ReflectionGroup {
                        item,
                        prompt: r.prompt,
                        reflections: vec![quoted],
                    }),
                }
            }

            let mut actions = Vec::new();
            let mut notes = None;
            let mut observations = Vec::new();
            if facilitator {
                for a in self.actions_of(session.meta.id).await? {
                    let by = match a.participant_id {
                        Some(p) => match self.get::<Participant>(p).await {
                            Ok(found) => names.name_of(&found),
                            Err(_) => "Someone".into(),
                        },
                        None => "The group".into(),
                    };
                    actions.push(ActionNote {
                        by,
                        text: a.text,
                        status: serde_json::to_value(a.status)?
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        follow_up: a.follow_up,
                    });
                }
                let session_notes = self.session_notes(session.meta.id).await?;
                notes = session_notes
                    .note
                    .map(|n| n.text)
                    .filter(|t| !t.trim().is_empty());
                let mut obs = session_notes.observations;
                obs.reverse();
                observations = obs
                    .into_iter()
                    .map(|o| Observation {
                        at: o.observed_at.map(|t| time_of(t, local)).unwrap_or_default(),
                        text: o.text,
                    })
                    .collect();
            }

            let next = match session.version_id {
                Some(v) => self
                    .sessions_of(v)
                    .await?
                    .into_iter()
                    .find(|n| n.position > session.position)
                    .map(|n| NextSession {
                        title: n.title,
                        date: n.date,
                        start: n.start_time,
                        venue: n.venue,
                    }),
                None => None,
            };
            let mut exported = SessionExport {
                title: session.title,
                date: session.date,
                start: detail.timetable.start.clone(),
                end: detail.timetable.end.clone(),
                venue: session.venue,
                objectives: session.objectives,
                agenda,
                attendance,
                reflections: groups,
                actions,
                notes,
                observations,
                summary: None,
                next,
            };
            if facilitator {
                exported.summary = Some(summarise(&exported));
            }
            out.push(exported);
        }

        let kind = match audience {
            Audience::Facilitator => "Facilitator notes",
            Audience::Participant => "Participant handout",
        };
        let subject = match (scope, &version, out.first()) {
            (Scope::Version(_), Some(v), _) => v.name.clone(),
            (_, _, Some(s)) => s.title.clone(),
            _ => String::new(),
        };
        Ok(Export {
            audience,
            title: format!("{subject}: {kind}"),
            programme: programme.map(|p| p.title),
            version: version.as_ref().map(|v| v.name.clone()),
            lead_facilitators: version
                .as_ref()
                .map(|v| v.lead_facilitators.clone())
                .unwrap_or_default(),
            place: version.map(|v| v.place).filter(|p| !p.is_empty()),
            sessions: out,
            made_at: self.clock().now(),
        })
    }
}

/// The bytes of `export` in `format`. `bom` puts a byte-order mark before a CSV, which
/// Excel needs to read UTF-8.
pub fn render(export: &Export, format: Format, bom: bool) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Md => markdown::render(export).into_bytes(),
        Format::Html => html::render(export).into_bytes(),
        Format::Docx => docx::render(export)?,
        Format::Csv => table::csv(export, bom)?,
        Format::Json => serde_json::to_vec_pretty(export)?,
    })
}

/// "Working across boundaries, Wednesday 24 February 2027 at 09:30, Hendon Valley Community
/// Centre": the next session in a sentence.
pub fn next_session_words(next: &NextSession) -> String {
    let mut words = next.title.clone();
    if let Some(date) = next.date {
        words.push_str(&format!(", {}", date.format("%A %-d %B %Y")));
    }
    if !next.start.is_empty() {
        words.push_str(&format!(" at {}", next.start));
    }
    if !next.venue.is_empty() {
        words.push_str(&format!(", {}", next.venue));
    }
    words
}

/// A file name for an export, from its title: letters, digits and hyphens only.
pub fn suggested_file_name(export: &Export, format: Format) -> String {
    file_name_from(&export.title, format.extension())
}

/// `text` with each character `swap` gives a replacement for replaced by it: the one loop
/// under the HTML and iCalendar escapes, which differ only in what they replace.
pub(crate) fn swap_chars(text: &str, swap: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match swap(c) {
            Some(replacement) => out.push_str(replacement),
            None => out.push(c),
        }
    }
    out
}

/// A file name from a title: letters, digits and hyphens only.
pub fn file_name_from(title: &str, extension: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            name.extend(c.to_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    format!(
        "{}.{extension}",
        if name.is_empty() {
            "fieldbook-export"
        } else {
            name
        }
    )
}

/// The folder a file is written into: its parent, or the working folder for a bare name.
pub(crate) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into place
/// once complete: a failure leaves no half-written file, and an existing file stays whole.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = folder_of(path);
    let cannot = |e: std::io::Error| {
        let reason = match e.kind() {
            std::io::ErrorKind::PermissionDenied => "you may not write there".to_owned(),
            std::io::ErrorKind::NotFound => "that folder does not exist".to_owned(),
            _ if e.raw_os_error() == Some(28) => "the disk is full".to_owned(),
            _ => e.to_string(),
        };
        Error::invalid(format!(
            "Fieldbook could not save {}: {reason}. Choose another folder, or free some space, and try again.",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(Error::invalid(format!(
            "{} is a folder: give a file name.",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.partial", Uuid::now_v7().simple()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(cannot(e));
    }
    Ok(())
}
