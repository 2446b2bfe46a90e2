//! Demo content for a first start: two national programmes of a collaboration academy, a
//! library of exercises, a local version for Sunderland and a standalone session.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::clock::Stamp;
use crate::domain::Record;
use crate::domain::{
    AgendaItem, Exercise, ItemKind, Meta, Programme, ProgrammeVersion, Session, VersionKind,
};
use crate::error::{Error, Result};
use crate::snapshot::{SessionSnapshot, VersionSnapshot};
use crate::store::{Store, Writer};

const DEMO: &str = include_str!("demo.json");
const SEEDED_SETTING: &str = "demo_seeded_at";
/// The time every demo record is stamped with (1 January 2026, 00:00 UTC).
const DEMO_EPOCH_MS: i64 = 1_767_225_600_000;

/// Writes the demo records so that every laptop writes the very same ones: ids, stamps and
/// times follow from the demo content and the order it is written in, under a device id of
/// its own. Two laptops that each seeded the demo then hold one copy between them after
/// syncing, with no conflicts; a laptop that deleted it keeps it deleted. A Fieldbook with
/// other demo content makes other ids, so two versions' demos never clash.
struct Seeder<'s> {
    writer: Writer<'s>,
    namespace: Uuid,
    device: Uuid,
    written: u32,
}

impl<'s> Seeder<'s> {
    fn new(writer: Writer<'s>) -> Self {
        let namespace = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("fieldbook-demo:{}", sha256_hex(DEMO.as_bytes())).as_bytes(),
        );
        Seeder {
            writer,
            namespace,
            device: Uuid::new_v5(&namespace, b"device"),
            written: 0,
        }
    }

    async fn save<T: Record>(&mut self, record: &mut T) -> Result<()> {
        self.written += 1;
        record.meta_mut().id = Uuid::new_v5(&self.namespace, &self.written.to_be_bytes());
        let stamp = Stamp {
            ms: DEMO_EPOCH_MS,
            counter: self.written,
            device: self.device,
        };
        self.writer.save_fixed(record, stamp).await
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    Now,
    /// The demo content was added to this database before; nothing was added again.
    Already,
}

/// Adds the demo content in one transaction, once per database.
pub async fn seed_demo(store: &Store) -> Result<Seeded> {
    if store.setting(SEEDED_SETTING).await?.is_some() {
        return Ok(Seeded::Already);
    }
    let demo: Demo = serde_json::from_str(DEMO)?;
    let mut writer = Seeder::new(store.writer().await?);

    let mut exercises = HashMap::new();
    for e in demo.exercises {
        let mut exercise: Exercise = record_with(e.fields)?;
        writer.save(&mut exercise).await?;
        exercises.insert(e.key, exercise);
    }

    for p in demo.programmes {
        let mut programme: Programme = record_with(p.fields)?;
        writer.save(&mut programme).await?;

        let mut national = ProgrammeVersion {
            programme_id: programme.meta.id,
            kind: VersionKind::National,
            name: p.national.name,
            partners: p.national.partners,
            lead_facilitators: p.national.lead_facilitators,
            ..Default::default()
        };
        writer.save(&mut national).await?;
        let mut national_sessions = Vec::new();
        for (position, s) in p.national.sessions.into_iter().enumerate() {
            national_sessions.push(
                add_session(&mut writer, &exercises, Some(national.meta.id), position, s).await?,
            );
        }

        for l in p.local_versions {
            let mut local = ProgrammeVersion {
                programme_id: programme.meta.id,
                kind: VersionKind::Local,
                name: l.name,
                place: l.place,
                partners: l.partners,
                lead_facilitators: l.lead_facilitators,
                cohort_start: Some(l.cohort_start),
                cohort_end: Some(l.cohort_end),
                based_on: Some(national.meta.id),
                base_snapshot: Some(serde_json::to_value(VersionSnapshot {
                    version: national.clone(),
                    sessions: national_sessions.clone(),
                })?),
                ..Default::default()
            };
            writer.save(&mut local).await?;
            for (position, ls) in l.sessions.into_iter().enumerate() {
                adapt_session(
                    &mut writer,
                    &exercises,
                    &national_sessions,
                    &local,
                    position,
                    ls,
                )
                .await?;
            }
        }
    }

    for (position, s) in demo.standalone_sessions.into_iter().enumerate() {
        add_session(&mut writer, &exercises, None, position, s).await?;
    }

    writer
        .writer
        .set_setting(SEEDED_SETTING, &store.clock().now().to_rfc3339())
        .await?;
    writer.writer.commit().await?;
    Ok(Seeded::Now)
}

async fn add_session(
    writer: &mut Seeder<'_>,
    exercises: &HashMap<String, Exercise>,
    version_id: Option<Uuid>,
    position: usize,
    s: DemoSession,
) -> Result<SessionSnapshot> {
    let mut session = Session {
        version_id,
        position: position as f64,
        title: s.title,
        date: s.date,
        start_time: s.start_time,
        end_time: Some(s.end_time),
        venue: s.venue,
        objectives: s.objectives,
        ..Default::default()
    };
    writer.save(&mut session).await?;
    let mut items = Vec::with_capacity(s.agenda.len());
    for (position, i) in s.agenda.into_iter().enumerate() {
        let mut item = i.into_item(exercises, session.meta.id, position as f64)?;
        writer.save(&mut item).await?;
        items.push(item);
    }
    Ok(SessionSnapshot { session, items })
}

/// Copies a national session into a local version, as a facilitator adapting it would.
async fn adapt_session(
    writer: &mut Seeder<'_>,
    exercises: &HashMap<String, Exercise>,
    national: &[SessionSnapshot],
    local: &ProgrammeVersion,
    position: usize,
    ls: LocalSession,
) -> Result<()> {
    let from = national
        .get(ls.from)
        .ok_or_else(|| Error::invalid("demo content: a local session adapts no session"))?;
    let mut session = Session {
        meta: Meta::new(),
        version_id: Some(local.meta.id),
        position: position as f64,
        date: Some(ls.date),
        venue: ls.venue,
        derived_from: Some(from.session.meta.id),
        ..from.session.clone()
    };
    writer.save(&mut session).await?;

    let mut items: Vec<AgendaItem> = from
        .items
        .iter()
        .map(|national_item| AgendaItem {
            meta: Meta::new(),
            session_id: session.meta.id,
            derived_from: Some(national_item.meta.id),
            ..national_item.clone()
        })
        .collect();
    for edit in ls.edits {
        let item = items
            .get_mut(edit.item)
            .ok_or_else(|| Error::invalid("demo content: an edit names no agenda item"))?;
        if let Some(minutes) = edit.minutes {
            item.minutes = minutes;
        }
        if let Some(title) = edit.title {
            item.title = title;
        }
        if let Some(notes) = edit.notes {
            item.notes = notes;
        }
    }
    // Extra items go half-way between their neighbours, so the national positions stay put.
    for extra in ls.extra_items {
        let position = items
            .get(extra.after)
            .map(|i| i.position + 0.5)
            .ok_or_else(|| Error::invalid("demo content: an extra item follows no agenda item"))?;
        items.push(extra.item.into_item(exercises, session.meta.id, position)?);
    }
    for item in &mut items {
        writer.save(item).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Demo {
    exercises: Vec<DemoExercise>,
    programmes: Vec<DemoProgramme>,
    standalone_sessions: Vec<DemoSession>,
}

/// An exercise of the demo: its key (how the demo's agendas name it) and the exercise's own
/// fields, as `Exercise` declares them.
#[derive(Deserialize)]
struct DemoExercise {
    key: String,
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// A programme of the demo: its versions, and the programme's own fields as `Programme`
/// declares them.
#[derive(Deserialize)]
struct DemoProgramme {
    national: DemoNational,
    local_versions: Vec<DemoLocal>,
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// A new record of kind `T` with `fields` set, the rest as a new record has them. The demo's
/// fields are the record's own, declared once in domain.rs: a name `T` does not declare is
/// refused, as a typing mistake in demo.json.
fn record_with<T: Record + Default>(
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<T> {
    let mut record = serde_json::to_value(T::default())?;
    let object = record.as_object_mut().expect("a record is a JSON object");
    for (name, value) in fields {
        if !T::COLUMNS.iter().any(|c| c.name == name) {
            return Err(Error::invalid(format!(
                "The demo's {} has no field \"{name}\".",
                T::KIND
            )));
        }
        object.insert(name, value);
    }
    Ok(serde_json::from_value(record)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoNational {
    name: String,
    lead_facilitators: Vec<String>,
    partners: Vec<String>,
    sessions: Vec<DemoSession>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSession {
    title: String,
    date: Option<NaiveDate>,
    start_time: String,
    end_time: String,
    venue: String,
    objectives: String,
    agenda: Vec<DemoItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoItem {
    title: String,
    minutes: u32,
    kind: ItemKind,
    notes: String,
    materials: String,
    prompt: String,
    pinned_time: Option<String>,
    exercise: Option<String>,
}

impl DemoItem {
    fn into_item(
        self,
        exercises: &HashMap<String, Exercise>,
        session_id: Uuid,
        position: f64,
    ) -> Result<AgendaItem> {
        let exercise = match &self.exercise {
            Some(key) => Some(exercises.get(key).ok_or_else(|| {
                Error::invalid(format!("demo content: no exercise called {key}"))
            })?),
            None => None,
        };
        Ok(AgendaItem {
            session_id,
            position,
            title: self.title,
            minutes: self.minutes,
            kind: self.kind,
            notes: self.notes,
            materials: self.materials,
            prompt: self.prompt,
            pinned_time: self.pinned_time,
            exercise_id: exercise.map(|e| e.meta.id),
            exercise_stamp: exercise.and_then(|e| e.meta.stamp),
            ..Default::default()
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoLocal {
    name: String,
    place: String,
    partners: Vec<String>,
    lead_facilitators: Vec<String>,
    cohort_start: NaiveDate,
    cohort_end: NaiveDate,
    sessions: Vec<LocalSession>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalSession {
    from: usize,
    date: NaiveDate,
    venue: String,
    edits: Vec<LocalEdit>,
    extra_items: Vec<ExtraItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalEdit {
    item: usize,
    minutes: Option<u32>,
    title: Option<String>,
    notes: Option<String>,
}

#[derive(Deserialize)]
struct ExtraItem {
    after: usize,
    #[serde(flatten)]
    item: DemoItem,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_demo_field_the_record_does_not_declare_is_refused() {
        let made: Exercise = record_with(fields(
            serde_json::json!({"title": "Walking pairs", "min_minutes": 5}),
        ))
        .unwrap();
        assert_eq!(
            (made.title.as_str(), made.min_minutes),
            ("Walking pairs", 5)
        );
        let refused = record_with::<Exercise>(fields(
            serde_json::json!({"title": "Walking pairs", "minutes": 5}),
        ))
        .unwrap_err();
        assert!(refused.to_string().contains("\"minutes\""), "{refused}");
    }

    #[test]
    fn every_demo_exercise_and_programme_reads_as_its_record() {
        let demo: Demo = serde_json::from_str(DEMO).unwrap();
        assert!(!demo.exercises.is_empty() && !demo.programmes.is_empty());
        for e in demo.exercises {
            let exercise: Exercise = record_with(e.fields).unwrap();
            assert!(!exercise.title.is_empty() && !exercise.steps.is_empty());
            assert!(exercise.min_minutes > 0 && !exercise.for_participants.is_empty());
        }
        for p in demo.programmes {
            let programme: Programme = record_with(p.fields).unwrap();
            assert!(!programme.title.is_empty() && !programme.outcomes.is_empty());
        }
    }
}
