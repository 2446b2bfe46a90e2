//! Designing programmes: local versions made from a national one, sessions and their agendas,
//! and the exercise library. Every operation checks what it is given and writes in one
//! transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::{
    for_kind, unknown_kind, AgendaItem, Exercise, ItemKind, Meta, Programme, ProgrammeVersion,
    Record, Session, VersionKind,
};
use crate::error::{Error, Result};
use crate::snapshot::{SessionSnapshot, VersionSnapshot};
use crate::store::{Select, Store};

/// The longest text any field may hold.
pub const MAX_TEXT: usize = 20_000;

/// What a facilitator fills in to make a local version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewLocalVersion {
    pub name: String,
    pub place: String,
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub lead_facilitators: Vec<String>,
    pub cohort_start: Option<NaiveDate>,
    pub cohort_end: Option<NaiveDate>,
}

fn check_text(value: &Value) -> Result<()> {
    match value {
        Value::String(s) if s.chars().count() > MAX_TEXT => Err(Error::invalid(format!(
            "That text is {} characters long; a field can hold at most {MAX_TEXT}.",
            s.chars().count()
        ))),
        Value::Array(items) => items.iter().try_for_each(check_text),
        _ => Ok(()),
    }
}

fn field_label(field: &str) -> String {
    field.replace('_', " ")
}

impl Store {
    /// Changes some fields of one record. `patch` maps field names to new values; fields that
    /// cannot be edited, and values of the wrong shape, are refused with nothing written.
    pub async fn update(&self, kind: &str, id: Uuid, patch: Map<String, Value>) -> Result<Value> {
        let allowed = crate::domain::editable_fields(kind);
        for (field, value) in &patch {
            if !allowed.contains(&field.as_str()) {
                return Err(Error::invalid(format!(
                    "\"{}\" cannot be changed here.",
                    field_label(field)
                )));
            }
            check_text(value)?;
        }
        for_kind!(kind, T => {
            let record: T = self.get(id).await?;
            let mut json = serde_json::to_value(&record)?;
            let object = json.as_object_mut().expect("records are JSON objects");
            for (field, value) in patch.clone() {
                object.insert(field, value);
            }
            crate::domain::check_edit(kind, &patch, &json)?;
            crate::domain::complete_edit(kind, &patch, &mut json, self.clock().now());
            let mut updated: T = serde_json::from_value(json).map_err(|e| {
                let fields: Vec<String> = patch.keys().map(|f| field_label(f)).collect();
                Error::invalid(format!("That is not a valid {}: {e}.", fields.join(", ")))
            })?;
            self.save(&mut updated).await?;
            Ok(serde_json::to_value(&updated)?)
        }, Err(unknown_kind(kind)))
    }

    /// Deletes a record (as a tombstone, so it can be restored and sync never revives it).
    pub async fn remove(&self, kind: &str, id: Uuid) -> Result<()> {
        for_kind!(kind, T => self.delete::<T>(id).await, Err(unknown_kind(kind)))
    }

    /// Brings back a record deleted by mistake.
    pub async fn restore(&self, kind: &str, id: Uuid) -> Result<()> {
        for_kind!(kind, T => {
            let found: Option<T> = self.get_with_deleted(id).await?;
            let mut record = found.ok_or_else(|| Error::not_found("That record"))?;
            record.meta_mut().deleted = false;
            self.save(&mut record).await
        }, Err(unknown_kind(kind)))
    }

    /// A version's sessions and agendas as they are now.
    pub async fn snapshot_version(&self, id: Uuid) -> Result<VersionSnapshot> {
        let version: ProgrammeVersion = self.get(id).await?;
        let mut sessions = Vec::new();
        for session in self.sessions_of(id).await? {
            let items = self.agenda_of(session.meta.id).await?;
            sessions.push(SessionSnapshot { session, items });
        }
        Ok(VersionSnapshot { version, sessions })
    }

    /// Makes a local version of a national version for a place: a copy of its sessions and
    /// agendas that remembers where each came from, and the national version as it is now.
    pub async fn create_local_version(
        &self,
        national_id: Uuid,
        form: NewLocalVersion,
    ) -> Result<ProgrammeVersion> {
        crate::domain::check_cohort_dates(
            form.cohort_start.map(|d| d.to_string()).as_deref(),
            form.cohort_end.map(|d| d.to_string()).as_deref(),
        )?;
        let national = self.snapshot_version(national_id).await?;
        if national.version.kind != VersionKind::National {
            return Err(Error::invalid(
                "A local version is made from the national version of a programme.",
            ));
        }
        let mut local = ProgrammeVersion {
            programme_id: national.version.programme_id,
            kind: VersionKind::Local,
            name: form.name.trim().to_owned(),
            place: form.place.trim().to_owned(),
            partners: tidy(form.partners),
            lead_facilitators: tidy(form.lead_facilitators),
            cohort_start: form.cohort_start,
            cohort_end: form.cohort_end,
            based_on: Some(national_id),
            base_snapshot: Some(serde_json::to_value(&national)?),
            ..Default::default()
        };
        let mut writer = self.writer().await?;
        writer.save(&mut local).await?;
        for s in &national.sessions {
            let mut copy = s.local_copy(local.meta.id);
            writer.save(&mut copy.session).await?;
            for item in &mut copy.items {
                writer.save(item).await?;
            }
        }
        writer.commit().await?;
        Ok(local)
    }

    /// A new programme with its national version, ready to be designed.
    pub async fn create_programme(&self, title: &str) -> Result<Programme> {
        let title = &crate::domain::check_title(title, "programme")?;
        let mut programme = Programme {
            title: title.trim().to_owned(),
            ..Default::default()
        };
        let mut national = ProgrammeVersion {
            programme_id: programme.meta.id,
            kind: VersionKind::National,
            name: "National version".into(),
            ..Default::default()
        };
        let mut writer = self.writer().await?;
        writer.save(&mut programme).await?;
        writer.save(&mut national).await?;
        writer.commit().await?;
        Ok(programme)
    }

    /// Moves a session to `index` (0 is first) among its version's sessions.
    pub async fn move_session(&self, id: Uuid, index: usize) -> Result<Session> {
        let mut session: Session = self.get(id).await?;
        let version_id = session
            .version_id
            .ok_or_else(|| Error::invalid("A one-off session has no order to change."))?;
        let siblings = self.sessions_of(version_id).await?;
        self.place_at(&mut session, siblings, index, |s| &mut s.position)
            .await?;
        Ok(session)
    }

    /// Puts `moving` at `index` among `siblings` (all in order, `moving` among them or not):
    /// between its new neighbours when there is room, otherwise numbering them all again.
    async fn place_at<T: Record + Clone>(
        &self,
        moving: &mut T,
        siblings: Vec<T>,
        index: usize,
        position: fn(&mut T) -> &mut f64,
    ) -> Result<()> {
        let id = moving.meta().id;
        let mut others: Vec<T> = siblings.into_iter().filter(|s| s.meta().id != id).collect();
        match position_at(others.iter_mut().map(|s| *position(s)).collect(), index) {
            Some(at) => {
                *position(moving) = at;
                self.save(moving).await
            }
            None => {
                let index = index.min(others.len());
                others.insert(index, moving.clone());
                let mut writer = self.writer().await?;
                for (n, s) in others.iter_mut().enumerate() {
                    *position(s) = n as f64;
                    writer.save(s).await?;
                }
                writer.commit().await?;
                *position(moving) = index as f64;
                Ok(())
            }
        }
    }

    /// Sessions that belong to no programme: one-off events.
    pub async fn standalone_sessions(&self) -> Result<Vec<Session>> {
        self.list(
            Select::all()
                .missing("version_id")
                .by("date")
                .by("start_time")
                .by("title"),
        )
        .await
    }

    /// A new session at the end of a version, or standalone when `version_id` is `None`.
    pub async fn create_session(&self, version_id: Option<Uuid>, title: &str) -> Result<Session> {
        let title = &crate::domain::check_title(title, "session")?;
        let position = match version_id {
            Some(v) => {
                self.get::<ProgrammeVersion>(v).await?;
                self.sessions_of(v)
                    .await?
                    .last()
                    .map_or(0.0, |s| s.position + 1.0)
            }
            None => 0.0,
        };
        let mut session = Session {
            version_id,
            position,
            title: title.trim().to_owned(),
            start_time: "09:30".into(),
            ..Default::default()
        };
        self.save(&mut session).await?;
        Ok(session)
    }

    /// A copy of a session and its agenda, right after it in the same version.
    pub async fn duplicate_session(&self, id: Uuid) -> Result<Session> {
        let original: Session = self.get(id).await?;
        let position = match original.version_id {
            Some(v) => {
                let sessions = self.sessions_of(v).await?;
                let next = sessions.iter().find(|s| s.position > original.position);
                next.map_or(original.position + 1.0, |n| {
                    (original.position + n.position) / 2.0
                })
            }
            None => original.position,
        };
        let mut copy = Session {
            meta: Meta::new(),
            position,
            title: format!("{} (copy)", original.title),
            derived_from: None,
            ..original
        };
        let items = self.agenda_of(id).await?;
        let mut writer = self.writer().await?;
        writer.save(&mut copy).await?;
        for item in items {
            let mut item = AgendaItem {
                meta: Meta::new(),
                session_id: copy.meta.id,
                derived_from: None,
                ..item
            };
            writer.save(&mut item).await?;
        }
        writer.commit().await?;
        Ok(copy)
    }

    /// The position for a new item placed after `after` (or at the end).
    async fn position_after(&self, session_id: Uuid, after: Option<Uuid>) -> Result<f64> {
        let items = self.agenda_of(session_id).await?;
        let Some(after) = after else {
            return Ok(items.last().map_or(0.0, |i| i.position + 1.0));
        };
        let index = items
            .iter()
            .position(|i| i.meta.id == after)
            .ok_or_else(|| Error::not_found("That agenda item"))?;
        Ok(match items.get(index + 1) {
            Some(next) => (items[index].position + next.position) / 2.0,
            None => items[index].position + 1.0,
        })
    }

    /// A new agenda item after `after`, or at the end of the agenda.
    pub async fn add_agenda_item(
        &self,
        session_id: Uuid,
        after: Option<Uuid>,
        title: &str,
        minutes: u32,
        kind: ItemKind,
    ) -> Result<AgendaItem> {
        let title = &crate::domain::check_title(title, "agenda item")?;
        crate::domain::check_item_minutes(minutes.into())?;
        self.get::<Session>(session_id).await?;
        let mut item = AgendaItem {
            session_id,
            position: self.position_after(session_id, after).await?,
            title: title.trim().to_owned(),
            minutes,
            kind,
            ..Default::default()
        };
        self.save(&mut item).await?;
        Ok(item)
    }

    /// An agenda item copied from a library exercise, linked to it and to this revision.
    pub async fn add_exercise_to_agenda(
        &self,
        session_id: Uuid,
        exercise_id: Uuid,
        after: Option<Uuid>,
    ) -> Result<AgendaItem> {
        self.get::<Session>(session_id).await?;
        let exercise: Exercise = self.get(exercise_id).await?;
        let mut item = AgendaItem {
            session_id,
            position: self.position_after(session_id, after).await?,
            kind: ItemKind::Activity,
            ..Default::default()
        };
        copy_exercise_into(&exercise, &mut item);
        item.minutes = exercise.min_minutes;
        self.save(&mut item).await?;
        Ok(item)
    }

    /// Takes the library's current text of an item's exercise into the item.
    pub async fn refresh_item_from_exercise(&self, item_id: Uuid) -> Result<AgendaItem> {
        let mut item: AgendaItem = self.get(item_id).await?;
        let exercise_id = item
            .exercise_id
            .ok_or_else(|| Error::invalid("This agenda item did not come from the library."))?;
        let exercise: Exercise = self.get(exercise_id).await?;
        copy_exercise_into(&exercise, &mut item);
        self.save(&mut item).await?;
        Ok(item)
    }

    /// A copy of an agenda item, right after it.
    pub async fn duplicate_agenda_item(&self, id: Uuid) -> Result<AgendaItem> {
        let original: AgendaItem = self.get(id).await?;
        let position = self.position_after(original.session_id, Some(id)).await?;
        let mut copy = AgendaItem {
            meta: Meta::new(),
            position,
            derived_from: None,
            ..original
        };
        self.save(&mut copy).await?;
        Ok(copy)
    }

    /// Moves an agenda item to `index` (0 is first) in its session's agenda.
    pub async fn move_agenda_item(&self, id: Uuid, index: usize) -> Result<AgendaItem> {
        let mut item: AgendaItem = self.get(id).await?;
        let siblings = self.agenda_of(item.session_id).await?;
        self.place_at(&mut item, siblings, index, |i| &mut i.position)
            .await?;
        Ok(item)
    }

    /// A new exercise in the library, ready to be filled in.
    pub async fn create_exercise(&self, title: &str) -> Result<Exercise> {
        let title = &crate::domain::check_title(title, "exercise")?;
        let mut exercise = Exercise {
            title: title.trim().to_owned(),
            min_minutes: 15,
            max_minutes: 30,
            min_group: 2,
            max_group: 30,
            ..Default::default()
        };
        self.save(&mut exercise).await?;
        Ok(exercise)
    }

    pub async fn duplicate_exercise(&self, id: Uuid) -> Result<Exercise> {
        let original: Exercise = self.get(id).await?;
        let mut copy = Exercise {
            meta: Meta::new(),
            title: format!("{} (copy)", original.title),
            archived: false,
            ..original
        };
        self.save(&mut copy).await?;
        Ok(copy)
    }
}

fn copy_exercise_into(exercise: &Exercise, item: &mut AgendaItem) {
    item.title = exercise.title.clone();
    item.notes = exercise
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| format!("{}. {step}", n + 1))
        .collect::<Vec<_>>()
        .join("\n");
    // Semicolons, so a material with a comma in it stays one in the checklist.
    item.materials = exercise.materials.join("; ");
    item.prompt = exercise.prompts.first().cloned().unwrap_or_default();
    item.exercise_id = Some(exercise.meta.id);
    item.exercise_stamp = exercise.meta.stamp;
}

/// A position that puts something at `index` among others at `positions` (in order): half-way
/// between its new neighbours, so nothing else has to move. `None` when the neighbours are
/// too close for a number between them, and everything must be numbered afresh.
fn position_at(positions: Vec<f64>, index: usize) -> Option<f64> {
    let index = index.min(positions.len());
    let before = index.checked_sub(1).map(|i| positions[i]);
    let position = match (before, positions.get(index).copied()) {
        (None, None) => 0.0,
        (Some(b), None) => b + 1.0,
        (None, Some(a)) => a - 1.0,
        (Some(b), Some(a)) => (b + a) / 2.0,
    };
    let clear =
        before.is_none_or(|b| position > b) && positions.get(index).is_none_or(|a| position < *a);
    clear.then_some(position)
}

fn tidy(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}
