//! The way in: what the demo content is and clearing it, and the next session to run.
//!
//! Demo records are found by what they are, not by a mark (the demo is seeded by `demo.rs`,
//! which records only when it finished): records with a demo title made by then. A programme
//! of the same name made later is the facilitator's own, and so is a demo programme they have
//! built on.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{AgendaItem, Exercise, Programme, ProgrammeVersion, Record, Session};
use crate::error::{Error, Result};
use crate::store::{Select, Store};

const DEMO: &str = include_str!("demo.json");
/// Set by `demo::seed_demo` when it adds the demo content.
const SEEDED_SETTING: &str = "demo_seeded_at";
const CLEARED_SETTING: &str = "demo_cleared_at";

#[derive(Deserialize)]
struct Titled {
    title: String,
}

#[derive(Deserialize)]
struct DemoTitles {
    exercises: Vec<Titled>,
    programmes: Vec<Titled>,
    standalone_sessions: Vec<Titled>,
}

/// The demo content still in the database, as the window describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoContent {
    pub programmes: Vec<String>,
    /// Sessions in the demo programmes, and the demo's one-off sessions.
    pub sessions: usize,
    pub exercises: usize,
    /// Participants, reflections, actions, notes or attendance recorded in the demo: clearing
    /// it would delete people's data, so it is refused until they are dealt with.
    pub holds_people: bool,
}

/// The next session with a date, from today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextSession {
    pub id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub start_time: String,
    /// "Leading Change Together: Sunderland", or none for a one-off session.
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Welcome {
    pub demo: Option<DemoContent>,
    pub next_session: Option<NextSession>,
}

#[derive(Default)]
struct DemoRecords {
    programmes: Vec<Programme>,
    versions: Vec<ProgrammeVersion>,
    sessions: Vec<Session>,
    items: Vec<AgendaItem>,
    exercises: Vec<Exercise>,
}

fn made_by(record: &impl Record, until: DateTime<Utc>) -> bool {
    record.meta().created_at <= until
}

/// The demo's own records of a kind: titled as in the demo, made when it was seeded and not
/// since, and not among `theirs` (built on or used by the facilitator's own work).
fn demo_only<T: Record>(
    records: Vec<T>,
    title: fn(&T) -> &String,
    titles: &HashSet<String>,
    until: DateTime<Utc>,
    theirs: &HashSet<Uuid>,
) -> Vec<T> {
    records
        .into_iter()
        .filter(|r| titles.contains(title(r)) && made_by(r, until) && !theirs.contains(&r.id()))
        .collect()
}

fn id_list(ids: impl IntoIterator<Item = Uuid>) -> String {
    serde_json::to_string(&ids.into_iter().map(|i| i.to_string()).collect::<Vec<_>>())
        .expect("ids are JSON")
}

impl Store {
    /// What the first screen shows: the demo content if it is still there, and the next
    /// session from `today`.
    pub async fn welcome(&self, today: NaiveDate) -> Result<Welcome> {
        let records = self.demo_records().await?;
        let demo = if records.programmes.is_empty()
            && records.sessions.is_empty()
            && records.exercises.is_empty()
        {
            None
        } else {
            Some(self.describe(&records).await?)
        };
        Ok(Welcome {
            demo,
            next_session: self.next_session(today).await?,
        })
    }

    /// Deletes the demo content (programmes with their versions, sessions and agendas, unless
    /// the facilitator has built on them; the demo exercises no agenda of the facilitator's
    /// uses; the one-off demo sessions) as
    /// ordinary deletes, so other laptops follow at their next sync. Refused, with nothing
    /// changed, while the demo holds anyone's data.
    pub async fn clear_demo(&self) -> Result<DemoContent> {
        let records = self.demo_records().await?;
        let described = self.describe(&records).await?;
        if described.holds_people {
            return Err(Error::invalid(
                "The demo programmes hold participants, reflections or notes you added. Erase or move those first, or keep the demo. Nothing has been changed.",
            ));
        }
        let mut writer = self.writer().await?;
        deleted(&mut writer, records.items).await?;
        deleted(&mut writer, records.sessions).await?;
        deleted(&mut writer, records.versions).await?;
        deleted(&mut writer, records.programmes).await?;
        deleted(&mut writer, records.exercises).await?;
        writer
            .set_setting(CLEARED_SETTING, &self.clock().now().to_rfc3339())
            .await?;
        writer.commit().await?;
        Ok(described)
    }

    async fn describe(&self, records: &DemoRecords) -> Result<DemoContent> {
        let versions = id_list(records.versions.iter().map(|v| v.meta.id));
        let sessions = id_list(records.sessions.iter().map(|s| s.meta.id));
        let mut people = 0i64;
        for (kind, column, ids) in [
            ("participant", "version_id", &versions),
            ("reflection", "session_id", &sessions),
            ("action", "session_id", &sessions),
            ("attendance", "session_id", &sessions),
            ("facilitator_note", "session_id", &sessions),
        ] {
            let sql = format!(
                "SELECT count(*) FROM {kind} WHERE deleted = 0 AND {column} IN (SELECT value FROM json_each(?1))"
            );
            people += sqlx::query_scalar::<_, i64>(&sql)
                .bind(ids)
                .fetch_one(self.reader())
                .await?;
        }
        Ok(DemoContent {
            programmes: records.programmes.iter().map(|p| p.title.clone()).collect(),
            sessions: records.sessions.len(),
            exercises: records.exercises.len(),
            holds_people: people > 0,
        })
    }

    async fn demo_records(&self) -> Result<DemoRecords> {
        if self.setting(CLEARED_SETTING).await?.is_some() {
            return Ok(DemoRecords::default());
        }
        // Seeding records when it finished: everything made by then is the demo's.
        let Some(until) = self
            .setting(SEEDED_SETTING)
            .await?
            .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
            .map(|at| at.with_timezone(&Utc))
        else {
            return Ok(DemoRecords::default());
        };
        let titles: DemoTitles = serde_json::from_str(DEMO)?;
        let set =
            |list: &[Titled]| -> HashSet<String> { list.iter().map(|t| t.title.clone()).collect() };
        let (programme_titles, exercise_titles, one_off_titles) = (
            set(&titles.programmes),
            set(&titles.exercises),
            set(&titles.standalone_sessions),
        );
        let programmes: Vec<Programme> = self.list(Select::all()).await?;
        let exercises: Vec<Exercise> = self.list(Select::all()).await?;
        let sessions: Vec<Session> = self.list(Select::all()).await?;
        let all_versions: Vec<ProgrammeVersion> = self.list(Select::all()).await?;
        // A demo programme the facilitator has built on (a version, a session or an agenda
        // item of their own) is theirs now: it stays, whole. Agenda items can be many, so
        // only the sessions of those made since are read.
        let since = until.to_rfc3339();
        let sessions_added_to = self
            .ids(
                "SELECT DISTINCT session_id FROM agenda_item
                 WHERE deleted = 0 AND julianday(created_at) > julianday(?1)",
                &since,
            )
            .await?;
        let programme_of_version: HashMap<Uuid, Uuid> = all_versions
            .iter()
            .map(|v| (v.meta.id, v.programme_id))
            .collect();
        let built_on: HashSet<Uuid> = all_versions
            .iter()
            .filter(|v| !made_by(*v, until))
            .map(|v| v.programme_id)
            .chain(
                sessions
                    .iter()
                    .filter(|s| !made_by(*s, until) || sessions_added_to.contains(&s.meta.id))
                    .filter_map(|s| programme_of_version.get(&s.version_id?).copied()),
            )
            .collect();
        let programmes = demo_only(
            programmes,
            |p| &p.title,
            &programme_titles,
            until,
            &built_on,
        );
        let programme_ids: HashSet<Uuid> = programmes.iter().map(|p| p.meta.id).collect();
        let versions: Vec<ProgrammeVersion> = all_versions
            .into_iter()
            .filter(|v| programme_ids.contains(&v.programme_id))
            .collect();
        let version_ids: HashSet<Uuid> = versions.iter().map(|v| v.meta.id).collect();
        let sessions: Vec<Session> = sessions
            .into_iter()
            .filter(|s| match s.version_id {
                Some(v) => version_ids.contains(&v),
                None => {
                    one_off_titles.contains(&s.title)
                        && made_by(s, until)
                        && !sessions_added_to.contains(&s.meta.id)
                }
            })
            .collect();
        let session_list = id_list(sessions.iter().map(|s| s.meta.id));
        let items: Vec<AgendaItem> = self
            .list(Select::all().one_of("session_id", sessions.iter().map(|s| s.meta.id)))
            .await?;
        // Exercises an agenda of the facilitator's own copied stay in the library.
        let used_elsewhere = self
            .ids(
                "SELECT DISTINCT exercise_id FROM agenda_item
                 WHERE deleted = 0 AND exercise_id IS NOT NULL
                   AND session_id NOT IN (SELECT value FROM json_each(?1))",
                &session_list,
            )
            .await?;
        let exercises = demo_only(
            exercises,
            |e| &e.title,
            &exercise_titles,
            until,
            &used_elsewhere,
        );
        Ok(DemoRecords {
            programmes,
            versions,
            sessions,
            items,
            exercises,
        })
    }

    /// The first session dated `today` or later, soonest first.
    async fn next_session(&self, today: NaiveDate) -> Result<Option<NextSession>> {
        let Some(session) = self
            .list::<Session>(
                Select::all()
                    .from("date", today)
                    .by("date")
                    .by("start_time")
                    .limit(1),
            )
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let version = match session.version_id {
            Some(id) => self.get::<ProgrammeVersion>(id).await.ok().map(|v| v.name),
            None => None,
        };
        Ok(Some(NextSession {
            id: session.meta.id,
            title: session.title,
            date: session.date.expect("chosen by its date"),
            start_time: session.start_time,
            version,
        }))
    }
}

/// Marks each record deleted, in the writer's transaction.
async fn deleted<T: Record>(writer: &mut crate::store::Writer<'_>, records: Vec<T>) -> Result<()> {
    for mut r in records {
        r.meta_mut().deleted = true;
        writer.save(&mut r).await?;
    }
    Ok(())
}

impl Store {
    /// The ids a query of one column and one parameter finds.
    async fn ids(&self, sql: &str, arg: &str) -> Result<HashSet<Uuid>> {
        let found: Vec<String> = sqlx::query_scalar(sql)
            .bind(arg)
            .fetch_all(self.reader())
            .await?;
        Ok(found
            .iter()
            .filter_map(|id| Uuid::try_parse(id).ok())
            .collect())
    }
}
