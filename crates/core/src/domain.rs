//! The facilitator's things, as they are stored and travel in sync bundles.
//!
//! Each record is a plain struct; [`Record::COLUMNS`] lists the stored fields by name and
//! shape, and the store moves records in and out of SQLite as JSON, so the field names here
//! are the column names there.
//!
//! A field is declared here, twice side by side (in the struct and in its `record!` column
//! list, with `.edit()` when a facilitator may change it and `.compare()` when "What's
//! different" compares it), plus the migration that adds its column (a test checks each
//! table against the lists). Everything else follows: the store's SQL, what `Store::update`
//! accepts, what versions compare and merge, and every record made in code, which names the
//! fields it sets and takes the rest from `Default` (a fresh id, every field empty).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agenda::parse_time_of_day;
use crate::clock::Stamp;
use crate::error::{Error, Result};

/// The longest an agenda item can last: a day.
pub const MAX_ITEM_MINUTES: u32 = 24 * 60;

/// The shortest agenda item a facilitator can make or set: a minute.
pub const MIN_ITEM_MINUTES: u32 = 1;

/// Rules for what a facilitator makes or changes, on top of each record's own check: `patch`
/// holds the fields changed, `record` the whole record with them.
///
/// These are not in the records' own checks because those also guard what arrives in sync
/// bundles, and earlier versions of Fieldbook accepted such records (a 0-minute item, say),
/// which must still sync.
pub fn check_edit(
    kind: &str,
    patch: &serde_json::Map<String, serde_json::Value>,
    record: &serde_json::Value,
) -> Result<()> {
    for (field, what) in TITLE_FIELDS {
        if let Some(text) = patch.get(*field).and_then(serde_json::Value::as_str) {
            check_length(what, text)?;
        }
    }
    match kind {
        "agenda_item" => match patch.get("minutes").and_then(serde_json::Value::as_u64) {
            Some(minutes) => check_item_minutes(minutes),
            None => Ok(()),
        },
        "programme_version" => check_cohort_dates(
            record["cohort_start"].as_str(),
            record["cohort_end"].as_str(),
        ),
        _ => Ok(()),
    }
}

/// Refuses a cohort that ends before it starts (dates as ISO text, which sorts as dates do).
pub fn check_cohort_dates(start: Option<&str>, end: Option<&str>) -> Result<()> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(Error::invalid(
            "The cohort must end on or after the day it starts: check the two dates. Nothing has been changed.",
        )),
        _ => Ok(()),
    }
}

/// Refuses a length a facilitator gives an agenda item that is not from a minute to a day.
pub fn check_item_minutes(minutes: u64) -> Result<()> {
    if minutes < u64::from(MIN_ITEM_MINUTES) {
        return Err(Error::invalid(
            "An agenda item needs at least 1 minute. Nothing has been changed.",
        ));
    }
    if minutes > u64::from(MAX_ITEM_MINUTES) {
        return Err(Error::invalid(format!(
            "An agenda item can last at most {MAX_ITEM_MINUTES} minutes (a day); {minutes} is too long. Nothing has been changed."
        )));
    }
    Ok(())
}

/// The longest title or name a facilitator may give a programme, version, session, agenda
/// item, exercise, theme or participant (and a participant's organisation or role).
pub const MAX_TITLE: usize = 300;

/// A title as typed for something new: trimmed, and refused when empty or too long. `what`
/// names the thing ("session", "agenda item").
pub fn check_title(text: &str, what: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid(format!(
            "Give the {what} a title. Nothing has been changed."
        )));
    }
    check_length("A title", text)?;
    Ok(text.to_owned())
}

/// Refuses a title, name, organisation or role longer than [`MAX_TITLE`].
fn check_length(what: &str, text: &str) -> Result<()> {
    if text.chars().count() > MAX_TITLE {
        return Err(Error::invalid(format!(
            "{what} can be at most {MAX_TITLE} characters long. Nothing has been changed."
        )));
    }
    Ok(())
}

/// The fields, by kind, that hold a title or a name, and what they are called.
const TITLE_FIELDS: &[(&str, &str)] = &[
    ("title", "A title"),
    ("name", "A name"),
    ("place", "A place"),
    ("organisation", "An organisation"),
    ("role", "A role"),
];

fn required(what: &str, field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{what} needs a {field}.")));
    }
    Ok(())
}

/// A record whose id follows from what it links (an attendance mark, a theme tag), so that
/// two laptops marking the same thing make one record: the one this laptop has, brought back
/// if it was deleted, or else a new one that `make` builds with that id.
pub(crate) fn revived_or<T: Record>(
    existing: Option<T>,
    id: Uuid,
    make: impl FnOnce(Meta) -> T,
) -> T {
    match existing {
        Some(mut record) => {
            record.meta_mut().deleted = false;
            record
        }
        None => make(Meta { id, ..Meta::new() }),
    }
}

/// The header every synced record carries (see docs/sync.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub id: Uuid,
    /// The stamp of the latest write; `None` until the record is first saved.
    pub stamp: Option<Stamp>,
    /// The device that made the latest write.
    pub origin: Option<Uuid>,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meta {
    pub fn new() -> Self {
        let now = Utc::now();
        Meta {
            id: Uuid::now_v7(),
            stamp: None,
            origin: None,
            deleted: false,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Default for Meta {
    fn default() -> Self {
        Self::new()
    }
}

/// How a field is kept in its SQLite column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Text, a number or null, stored as itself.
    Plain,
    /// true or false, stored as 1 or 0.
    Flag,
    /// A list or object, stored as JSON text.
    Json,
}

/// One stored field of a kind of record: its name (the same in the struct, the JSON and the
/// table), how it is kept, and what Fieldbook lets happen to it. Declared once per field in
/// each record's `record!` list; the store's SQL, what a facilitator may edit
/// ([`editable_fields`]) and what "What's different" compares ([`compared_fields`]) all follow
/// from these lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub shape: Shape,
    /// A facilitator may change it; the rest (ids, links, stamps) only Fieldbook sets.
    pub editable: bool,
    /// Compared between a local version and the national version it came from.
    pub compared: bool,
}

impl Column {
    const fn new(name: &'static str, shape: Shape) -> Column {
        Column {
            name,
            shape,
            editable: false,
            compared: false,
        }
    }

    pub fn name(self) -> &'static str {
        self.name
    }

    /// The same column, which a facilitator may change.
    const fn edit(self) -> Column {
        Column {
            editable: true,
            ..self
        }
    }

    /// The same column, compared between versions.
    const fn compare(self) -> Column {
        Column {
            compared: true,
            ..self
        }
    }
}

const fn plain(name: &'static str) -> Column {
    Column::new(name, Shape::Plain)
}

const fn flag(name: &'static str) -> Column {
    Column::new(name, Shape::Flag)
}

const fn json(name: &'static str) -> Column {
    Column::new(name, Shape::Json)
}

const META_COLUMNS: [Column; 6] = [
    plain("id"),
    plain("stamp"),
    plain("origin"),
    flag("deleted"),
    plain("created_at"),
    plain("updated_at"),
];

/// The fields of `kind` a facilitator may change (none for a name that is no kind).
pub fn editable_fields(kind: &str) -> Vec<&'static str> {
    columns_of(kind)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.editable)
        .map(Column::name)
        .collect()
}

/// The fields of a record compared between a local version and its national version.
pub fn compared_fields<T: Record>() -> Vec<&'static str> {
    T::COLUMNS
        .iter()
        .filter(|c| c.compared)
        .map(|c| c.name)
        .collect()
}

/// A kind of record the store keeps and sync carries.
pub trait Record: Serialize + for<'de> Deserialize<'de> + Send + Sync + Unpin + 'static {
    /// The facilitator's word for one of these, and the table that holds them.
    const KIND: &'static str;
    /// The fields after the common header.
    const COLUMNS: &'static [Column];

    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;

    fn id(&self) -> Uuid {
        self.meta().id
    }

    /// Refuses a record that must not be saved, with a message saying what to fix.
    fn check(&self) -> Result<()>;

    fn all_columns() -> impl Iterator<Item = Column> {
        META_COLUMNS
            .into_iter()
            .chain(Self::COLUMNS.iter().copied())
    }
}

macro_rules! record {
    ($ty:ident, $kind:literal, [$($col:expr),* $(,)?]) => {
        record!($ty, $kind, [$($col),*], check = |_| Ok(()));
    };
    ($ty:ident, $kind:literal, [$($col:expr),* $(,)?], check = $check:expr) => {
        impl Record for $ty {
            const KIND: &'static str = $kind;
            const COLUMNS: &'static [Column] = &[$($col),*];
            fn check(&self) -> Result<()> {
                let check: fn(&$ty) -> Result<()> = $check;
                check(self)
            }
            fn meta(&self) -> &Meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut Meta {
                &mut self.meta
            }
        }
    };
}

/// A named learning offer, e.g. "Leading Change Together".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    /// One line that says what it is, for lists.
    pub summary: String,
    pub purpose: String,
    pub outcomes: Vec<String>,
    pub themes: Vec<String>,
    /// How many months participants' words are kept after a session; `None` keeps them
    /// until deleted.
    #[serde(default)]
    pub retention_months: Option<u32>,
}
record!(
    Programme,
    "programme",
    [
        plain("title").edit(),
        plain("summary").edit(),
        plain("purpose").edit(),
        json("outcomes").edit(),
        json("themes").edit(),
        plain("retention_months").edit()
    ],
    check = |p| required("A programme", "title", &p.title)
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VersionKind {
    #[default]
    National,
    Local,
}

/// The national version of a programme, or a local version designed for a place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeVersion {
    #[serde(flatten)]
    pub meta: Meta,
    pub programme_id: Uuid,
    pub kind: VersionKind,
    pub name: String,
    pub place: String,
    pub partners: Vec<String>,
    pub lead_facilitators: Vec<String>,
    pub cohort_start: Option<NaiveDate>,
    pub cohort_end: Option<NaiveDate>,
    /// The national version a local version came from.
    pub based_on: Option<Uuid>,
    /// That national version as it was when the local one was made.
    pub base_snapshot: Option<serde_json::Value>,
}
record!(
    ProgrammeVersion,
    "programme_version",
    [
        plain("programme_id"),
        plain("kind"),
        plain("name").edit(),
        plain("place").edit(),
        json("partners").edit(),
        json("lead_facilitators").edit(),
        plain("cohort_start").edit(),
        plain("cohort_end").edit(),
        plain("based_on"),
        json("base_snapshot"),
    ],
    check = |v| {
        required("A version", "name", &v.name)?;
        if v.kind == VersionKind::Local {
            required("A local version", "place", &v.place)?;
        }
        if let (Some(start), Some(end)) = (v.cohort_start, v.cohort_end) {
            if end < start {
                return Err(Error::invalid(
                    "The cohort's end date is before its start date.",
                ));
            }
        }
        Ok(())
    }
);

/// One gathering of a version, or a standalone event when `version_id` is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    #[serde(flatten)]
    pub meta: Meta,
    pub version_id: Option<Uuid>,
    pub position: f64,
    pub title: String,
    pub date: Option<NaiveDate>,
    /// Local time of day, "HH:MM".
    pub start_time: String,
    /// The planned end, "HH:MM", if the session has one.
    pub end_time: Option<String>,
    pub venue: String,
    pub objectives: String,
    /// In a local version: the national session this one was adapted from.
    pub derived_from: Option<Uuid>,
}
record!(
    Session,
    "session",
    [
        plain("version_id"),
        plain("position"),
        plain("title").edit().compare(),
        plain("date").edit(),
        plain("start_time").edit().compare(),
        plain("end_time").edit().compare(),
        plain("venue").edit(),
        plain("objectives").edit().compare(),
        plain("derived_from"),
    ],
    check = |s| {
        required("A session", "title", &s.title)?;
        parse_time_of_day(&s.start_time)?;
        s.end_time.as_deref().map(parse_time_of_day).transpose()?;
        Ok(())
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    #[default]
    Activity,
    Break,
    Plenary,
    Breakout,
    Pairs,
}

impl ItemKind {
    /// Every kind, in the order the window lists them.
    pub const ALL: [ItemKind; 5] = [
        ItemKind::Activity,
        ItemKind::Plenary,
        ItemKind::Breakout,
        ItemKind::Pairs,
        ItemKind::Break,
    ];

    /// What the window calls it.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Activity => "Activity",
            ItemKind::Break => "Break",
            ItemKind::Plenary => "Plenary",
            ItemKind::Breakout => "Breakout",
            ItemKind::Pairs => "Pairs",
        }
    }
}

/// One choice in a list the window shows: the value Fieldbook stores and what it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: &'static str,
}

impl Choice {
    fn of<T: Serialize + Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<Choice> {
        all.iter()
            .map(|&item| Choice {
                value: serde_json::to_value(item)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .expect("a choice is stored as text"),
                label: label(item),
            })
            .collect()
    }
}

/// The lists the window offers, from the core's own types, so the window never keeps a copy.
#[derive(Debug, Clone, Serialize)]
pub struct Choices {
    pub sectors: Vec<Choice>,
    pub item_kinds: Vec<Choice>,
    /// The formats notes are exported in.
    pub export_formats: Vec<Choice>,
    /// The marks around matched words in search results (see `search::MARK_START`).
    pub mark_start: char,
    pub mark_end: char,
}

impl Choices {
    pub fn get() -> Choices {
        Choices {
            sectors: Choice::of(&Sector::ALL, Sector::label),
            item_kinds: Choice::of(&ItemKind::ALL, ItemKind::label),
            export_formats: Choice::of(&crate::export::Format::ALL, crate::export::Format::label),
            mark_start: crate::search::MARK_START,
            mark_end: crate::search::MARK_END,
        }
    }
}

/// A timed block of a session's agenda.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Uuid,
    pub position: f64,
    pub title: String,
    pub minutes: u32,
    pub kind: ItemKind,
    pub notes: String,
    pub materials: String,
    pub prompt: String,
    /// A fixed time of day, "HH:MM" (lunch at 12:30), that the item starts at whatever runs
    /// before it.
    pub pinned_time: Option<String>,
    pub exercise_id: Option<Uuid>,
    /// The revision of the exercise this item was copied from.
    pub exercise_stamp: Option<Stamp>,
    /// In a local version: the national agenda item this one was adapted from.
    pub derived_from: Option<Uuid>,
}
record!(
    AgendaItem,
    "agenda_item",
    [
        plain("session_id"),
        plain("position"),
        plain("title").edit().compare(),
        plain("minutes").edit().compare(),
        plain("kind").edit().compare(),
        plain("notes").edit().compare(),
        plain("materials").edit().compare(),
        plain("prompt").edit().compare(),
        plain("pinned_time").edit().compare(),
        plain("exercise_id").compare(),
        plain("exercise_stamp"),
        plain("derived_from"),
    ],
    check = |i| {
        required("An agenda item", "title", &i.title)?;
        if i.minutes > MAX_ITEM_MINUTES {
            return Err(Error::invalid(format!(
            "\"{}\" lasts {} minutes; an agenda item can last at most {MAX_ITEM_MINUTES} minutes (a day).",
            i.title, i.minutes
        )));
        }
        i.pinned_time
            .as_deref()
            .map(parse_time_of_day)
            .transpose()?;
        Ok(())
    }
);

/// A reusable method in the library.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    #[serde(flatten)]
    pub meta: Meta,
    pub title: String,
    pub purpose: String,
    pub steps: Vec<String>,
    /// What the exercise is like for those who take part, in their words: the handout shows
    /// this, never the facilitator's purpose and steps. Empty in records from Fieldbooks
    /// before it existed.
    #[serde(default)]
    pub for_participants: String,
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub min_group: u32,
    pub max_group: u32,
    pub materials: Vec<String>,
    pub prompts: Vec<String>,
    pub tags: Vec<String>,
    pub source: String,
    pub archived: bool,
}
record!(
    Exercise,
    "exercise",
    [
        plain("title").edit(),
        plain("purpose").edit(),
        json("steps").edit(),
        plain("for_participants").edit(),
        plain("min_minutes").edit(),
        plain("max_minutes").edit(),
        plain("min_group").edit(),
        plain("max_group").edit(),
        json("materials").edit(),
        json("prompts").edit(),
        json("tags").edit(),
        plain("source").edit(),
        flag("archived").edit(),
    ],
    check = |e| {
        required("An exercise", "title", &e.title)?;
        if e.min_minutes > e.max_minutes || e.min_group > e.max_group {
            return Err(Error::invalid(format!(
                "\"{}\": the smallest duration and group size must not be larger than the largest.",
                e.title
            )));
        }
        Ok(())
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    #[serde(rename = "")]
    #[default]
    Unknown,
    Public,
    Private,
    Voluntary,
    Community,
}

impl Sector {
    /// Every sector, in the order the window lists them.
    pub const ALL: [Sector; 5] = [
        Sector::Unknown,
        Sector::Public,
        Sector::Private,
        Sector::Voluntary,
        Sector::Community,
    ];

    /// What the window calls it.
    pub fn label(self) -> &'static str {
        match self {
            Sector::Unknown => "Not known",
            Sector::Public => "Public",
            Sector::Private => "Private",
            Sector::Voluntary => "Voluntary",
            Sector::Community => "Community",
        }
    }
}

/// A person in a version's cohort, with their consent choices and when they made them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    #[serde(flatten)]
    pub meta: Meta,
    pub version_id: Option<Uuid>,
    pub name: String,
    pub organisation: String,
    pub sector: Sector,
    pub role: String,
    pub consent_named: bool,
    pub consent_named_at: Option<DateTime<Utc>>,
    pub consent_quoted: bool,
    pub consent_quoted_at: Option<DateTime<Utc>>,
    pub consent_contact: bool,
    pub consent_contact_at: Option<DateTime<Utc>>,
    /// Their email address, when a participant list gave one (used to spot the same person
    /// imported twice). Absent in records from Fieldbooks before participant lists.
    #[serde(default)]
    pub email: Option<String>,
    /// Set only on the erasure an anonymisation makes: their words stay, without their
    /// name. Any other erasure removes their words too (see `erasure.rs`). Not a column:
    /// written only when true, so laptops that never anonymise exchange what they did before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymised: bool,
    /// Their pseudonym number in their cohort ("Participant N"), stored when they are first
    /// saved and never changed; see `pseudonym.rs`. Absent in records from Fieldbooks before
    /// it was stored (and left out when absent, so those records read as they did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym_number: Option<i64>,
}
record!(
    Participant,
    "participant",
    [
        plain("version_id"),
        plain("name").edit(),
        plain("organisation").edit(),
        plain("sector").edit(),
        plain("role").edit(),
        flag("consent_named").edit(),
        plain("consent_named_at"),
        flag("consent_quoted").edit(),
        plain("consent_quoted_at"),
        flag("consent_contact").edit(),
        plain("consent_contact_at"),
        plain("email"),
        plain("pseudonym_number"),
    ],
    check = |p| required("A participant", "name", &p.name)
);

impl Participant {
    /// Each consent choice and the field that says when it was last given or withdrawn.
    pub const CONSENTS: [(&'static str, &'static str); 3] = [
        ("consent_named", "consent_named_at"),
        ("consent_quoted", "consent_quoted_at"),
        ("consent_contact", "consent_contact_at"),
    ];
}

/// What an edit brings with it besides the fields given, on `record` (the whole record with
/// `patch` applied): a participant's consent choice, given or withdrawn, is dated `now`, for
/// a choice without its date proves nothing. However the choice is made (the consent
/// switches, a general edit, a phone), it goes through here.
pub fn complete_edit(
    kind: &str,
    patch: &serde_json::Map<String, serde_json::Value>,
    record: &mut serde_json::Value,
    now: DateTime<Utc>,
) {
    if kind == Participant::KIND {
        for (choice, at) in Participant::CONSENTS {
            if patch.contains_key(choice) {
                record[at] = serde_json::json!(now);
            }
        }
    }
}

/// What a participant said or wrote, against an agenda item's prompt or free.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reflection {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Uuid,
    pub agenda_item_id: Option<Uuid>,
    /// `None` for an anonymous reflection.
    pub participant_id: Option<Uuid>,
    pub prompt: String,
    pub text: String,
    pub captured_at: DateTime<Utc>,
    /// Where it was sent from: `None` when typed at the laptop. Optional so that reflections
    /// from an earlier Fieldbook, which has no such field, still sync.
    #[serde(default)]
    pub sent_from: Option<SentFrom>,
}
record!(
    Reflection,
    "reflection",
    [
        plain("session_id"),
        plain("agenda_item_id").edit(),
        plain("participant_id").edit(),
        plain("prompt").edit(),
        plain("text").edit(),
        plain("captured_at"),
        plain("sent_from"),
    ]
);

/// Where a reflection came from, when not typed at the laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentFrom {
    /// A participant's own phone, through the phone-answers server.
    Phone,
}

/// The facilitator's own note or time-stamped observation of a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FacilitatorNote {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Uuid,
    pub text: String,
    pub observed_at: Option<DateTime<Utc>>,
}
record!(
    FacilitatorNote,
    "facilitator_note",
    [
        plain("session_id"),
        plain("text").edit(),
        plain("observed_at")
    ]
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunAction {
    Start,
    Next,
    Previous,
    Pause,
    Resume,
    /// Give the current item `minutes` more.
    Extend,
    Finish,
}

/// One press in run mode, with when it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Uuid,
    pub action: RunAction,
    pub minutes: u32,
    pub at: DateTime<Utc>,
}
record!(
    RunEvent,
    "run_event",
    [
        plain("session_id"),
        plain("action"),
        plain("minutes"),
        plain("at")
    ]
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    #[default]
    Present,
    Late,
    Absent,
}

/// A participant's presence at a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    #[serde(flatten)]
    pub meta: Meta,
    pub session_id: Uuid,
    pub participant_id: Uuid,
    pub status: Presence,
    /// Joined on the day without being in the cohort beforehand.
    pub walk_in: bool,
}
record!(
    Attendance,
    "attendance",
    [
        plain("session_id"),
        plain("participant_id"),
        plain("status"),
        flag("walk_in")
    ]
);

impl Attendance {
    /// The one id for a participant's attendance at a session, the same on every laptop.
    pub fn id_for(session_id: Uuid, participant_id: Uuid) -> Uuid {
        let mut name = session_id.as_bytes().to_vec();
        name.extend_from_slice(participant_id.as_bytes());
        Uuid::new_v5(&ATTENDANCE_NAMESPACE, &name)
    }
}

const ATTENDANCE_NAMESPACE: Uuid = Uuid::from_u128(0x5f0a_27c4_93e1_4d6b_8a52_1c7e_0b9d_3f68);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    #[default]
    Open,
    Done,
    Dropped,
}

/// A participant's commitment: "what I will do differently".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Action {
    #[serde(flatten)]
    pub meta: Meta,
    /// The session where it was made.
    pub session_id: Uuid,
    pub participant_id: Option<Uuid>,
    pub text: String,
    pub status: ActionStatus,
    /// What happened, noted when it is followed up.
    pub follow_up: String,
}
record!(
    Action,
    "action",
    [
        plain("session_id"),
        plain("participant_id").edit(),
        plain("text").edit(),
        plain("status").edit(),
        plain("follow_up").edit(),
    ]
);

/// A theme facilitators code reflections with ("trust", "shared power"). A theme merged into
/// another is deleted and points at the one it went into, so tags made elsewhere before the
/// merge arrived still count towards it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub merged_into: Option<Uuid>,
}
record!(
    Theme,
    "theme",
    [plain("name"), plain("description"), plain("merged_into")],
    check = |t| required("A theme", "name", &t.name)
);

/// A reflection coded with a theme. The id is derived from the two, so two laptops tagging the
/// same reflection with the same theme make the same record; untagging deletes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThemeTag {
    #[serde(flatten)]
    pub meta: Meta,
    pub reflection_id: Uuid,
    pub theme_id: Uuid,
    /// Chosen as a quote for this theme in the learning summary (used only if the participant
    /// agreed to be quoted).
    #[serde(default)]
    pub quote: bool,
}
record!(
    ThemeTag,
    "theme_tag",
    [plain("reflection_id"), plain("theme_id"), flag("quote")]
);

impl ThemeTag {
    /// The one id for a reflection's tag with a theme, the same on every laptop.
    pub fn id_for(reflection_id: Uuid, theme_id: Uuid) -> Uuid {
        let mut name = reflection_id.as_bytes().to_vec();
        name.extend_from_slice(theme_id.as_bytes());
        Uuid::new_v5(&THEME_TAG_NAMESPACE, &name)
    }
}

const THEME_TAG_NAMESPACE: Uuid = Uuid::from_u128(0x2b6e_91d0_4c3a_4f7e_9d15_7a80_c4e2_51b9);

/// Declares the kinds of record once: [`KINDS`], their names, and `for_kind!`, which turns a
/// name into its type.
macro_rules! kinds {
    ($($ty:ident),* $(,)?) => {
        /// Every kind of record, in an order where each kind's references come before it.
        pub const KINDS: [&str; [$(stringify!($ty)),*].len()] = [$(<$ty as Record>::KIND),*];

        /// Runs `$body` with `$t` naming the record type whose kind is `$kind`, returning its
        /// value from the enclosing function; evaluates to `$none` when no kind has that name.
        /// The one place that turns a kind's name into its type.
        macro_rules! for_kind {
            ($kind:expr, $t:ident => $body:expr, $none:expr) => {{
                $(
                    if $kind == <$crate::domain::$ty as $crate::domain::Record>::KIND {
                        #[allow(dead_code)]
                        type $t = $crate::domain::$ty;
                        return $body;
                    }
                )*
                $none
            }};
        }
    };
}

kinds!(
    Programme,
    ProgrammeVersion,
    Exercise,
    Session,
    AgendaItem,
    Participant,
    Reflection,
    FacilitatorNote,
    RunEvent,
    Attendance,
    Action,
    Theme,
    ThemeTag,
);
pub(crate) use for_kind;

/// The refusal for a kind name that is no kind of record.
pub(crate) fn unknown_kind(kind: &str) -> Error {
    Error::invalid(format!(
        "Fieldbook keeps no records of the kind \"{kind}\"."
    ))
}

/// The stored columns of a kind of record, or `None` for a name that is no kind.
pub fn columns_of(kind: &str) -> Option<Vec<Column>> {
    for_kind!(kind, T => Some(T::all_columns().collect()), None)
}

/// Checks that `payload` is a valid record of `kind`: every field present and of its type,
/// nothing unknown, and the record's own checks passed.
pub fn check_payload(kind: &str, payload: &serde_json::Value) -> Result<()> {
    for_kind!(
        kind,
        T => {
            let record: T = serde_json::from_value(payload.clone())
                .map_err(|e| Error::invalid(format!("a {kind} that is not valid: {e}")))?;
            // Every field as Fieldbook writes it; a field an older Fieldbook did not have yet
            // may be missing (it reads as empty), but none may be unknown.
            let canonical = serde_json::to_value(&record)?;
            let (Some(canonical), Some(given)) = (canonical.as_object(), payload.as_object()) else {
                return Err(Error::invalid(format!("a {kind} that is not a record")));
            };
            let agrees = given.keys().all(|k| canonical.contains_key(k))
                && canonical.iter().all(|(k, v)| given.get(k).unwrap_or(&serde_json::Value::Null) == v);
            if !agrees {
                return Err(Error::invalid(format!("a {kind} with fields Fieldbook does not know")));
            }
            if record.meta().deleted { Ok(()) } else { record.check() }
        },
        Err(Error::invalid(format!("a record of an unknown kind \"{kind}\"")))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_s_lists_hold_every_stored_value_once_with_a_label() {
        let choices = Choices::get();
        let sectors: Vec<&str> = choices.sectors.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(sectors, ["", "public", "private", "voluntary", "community"]);
        assert_eq!(choices.sectors[0].label, "Not known");
        let kinds: Vec<&str> = choices
            .item_kinds
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(kinds, ["activity", "plenary", "breakout", "pairs", "break"]);
        let formats: Vec<&str> = choices
            .export_formats
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(formats, ["docx", "html", "md", "csv", "json"]);
        // Each format's value is the name the CLI takes too.
        for c in &choices.export_formats {
            let format: crate::export::Format = c.value.parse().unwrap();
            assert!(c.label.ends_with(&format!("(.{})", format.extension())));
        }
        // Each value reads back as the kind it names.
        for c in &choices.item_kinds {
            let kind: ItemKind = serde_json::from_value(serde_json::json!(c.value)).unwrap();
            assert_eq!(kind.label(), c.label);
        }
    }
}
