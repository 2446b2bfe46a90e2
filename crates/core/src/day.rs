//! The day of a session: the cohort and attendance, reflections, actions and the
//! facilitator's notes. Every write is saved at once; nothing typed waits for a Save button.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{
    revived_or, Action, ActionStatus, Attendance, FacilitatorNote, Meta, Participant, Presence,
    Record, Reflection, Sector, SentFrom, Session,
};
use crate::error::{Error, Result};
use crate::store::{Select, Store};

/// What is asked about a new participant.
#[derive(Debug, Clone, Deserialize)]
pub struct NewParticipant {
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default = "unknown_sector")]
    pub sector: Sector,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub consent_named: bool,
    #[serde(default)]
    pub consent_quoted: bool,
    #[serde(default)]
    pub consent_contact: bool,
}

impl NewParticipant {
    /// Refuses a participant with no name, or a name, organisation or role too long to be
    /// one, before anything is written.
    pub fn check(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid(
                "Give the participant's name. Nothing has been changed.",
            ));
        }
        let patch = serde_json::json!({
            "name": self.name.trim(),
            "organisation": self.organisation.trim(),
            "role": self.role.trim(),
        });
        crate::domain::check_edit(
            Participant::KIND,
            patch.as_object().expect("an object"),
            &patch,
        )
    }
}

fn unknown_sector() -> Sector {
    Sector::Unknown
}

#[derive(Debug, Clone, Serialize)]
pub struct AttendanceLine {
    pub participant: Participant,
    /// `None` until marked.
    pub status: Option<Presence>,
    pub walk_in: bool,
}

/// A reflection as the capture screen sends it: new when `id` is `None`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReflectionDraft {
    pub id: Option<Uuid>,
    pub session_id: Uuid,
    pub agenda_item_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    #[serde(default)]
    pub prompt: String,
    pub text: String,
}

/// An earlier wording of a reflection, kept when it was edited.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierVersion {
    pub text: String,
    pub saved_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    pub action: Action,
    pub participant: Option<String>,
    pub from_session: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionNotes {
    /// The facilitator's running notes for the session.
    pub note: Option<FacilitatorNote>,
    /// Quick time-stamped observations, newest first.
    pub observations: Vec<FacilitatorNote>,
}

impl Store {
    /// A version's cohort, by name.
    pub async fn cohort(&self, version_id: Uuid) -> Result<Vec<Participant>> {
        self.list(Select::all().eq("version_id", version_id).by_name("name"))
            .await
    }

    pub async fn add_participant(
        &self,
        version_id: Option<Uuid>,
        form: NewParticipant,
    ) -> Result<Participant> {
        form.check()?;
        let now = self.clock().now();
        let consent_at = |given: bool| given.then_some(now);
        let mut participant = Participant {
            version_id,
            name: form.name.trim().to_owned(),
            organisation: form.organisation.trim().to_owned(),
            sector: form.sector,
            role: form.role.trim().to_owned(),
            consent_named: form.consent_named,
            consent_named_at: consent_at(form.consent_named),
            consent_quoted: form.consent_quoted,
            consent_quoted_at: consent_at(form.consent_quoted),
            consent_contact: form.consent_contact,
            consent_contact_at: consent_at(form.consent_contact),
            ..Default::default()
        };
        self.save(&mut participant).await?;
        Ok(participant)
    }

    /// Who is expected at a session (its version's cohort, and anyone already marked) and
    /// how each is marked.
    pub async fn attendance_sheet(&self, session_id: Uuid) -> Result<Vec<AttendanceLine>> {
        let session: Session = self.get(session_id).await?;
        let marks: Vec<Attendance> = self
            .list(Select::all().eq("session_id", session_id))
            .await?;
        let mut people = match session.version_id {
            Some(v) => self.cohort(v).await?,
            None => Vec::new(),
        };
        for mark in &marks {
            if !people.iter().any(|p| p.meta.id == mark.participant_id) {
                if let Ok(p) = self.get::<Participant>(mark.participant_id).await {
                    people.push(p);
                }
            }
        }
        people.sort_by_key(|p| p.name.to_lowercase());
        Ok(people
            .into_iter()
            .map(|participant| {
                let mark = marks
                    .iter()
                    .find(|m| m.participant_id == participant.meta.id);
                AttendanceLine {
                    status: mark.map(|m| m.status),
                    walk_in: mark.is_some_and(|m| m.walk_in),
                    participant,
                }
            })
            .collect())
    }

    /// Marks a participant present, late or absent at a session.
    pub async fn mark_attendance(
        &self,
        session_id: Uuid,
        participant_id: Uuid,
        status: Presence,
    ) -> Result<Attendance> {
        self.get::<Session>(session_id).await?;
        self.get::<Participant>(participant_id).await?;
        let id = Attendance::id_for(session_id, participant_id);
        let existing: Option<Attendance> = self.get_with_deleted(id).await?;
        let mut mark = revived_or(existing, id, |meta| Attendance {
            meta,
            session_id,
            participant_id,
            ..Default::default()
        });
        mark.status = status;
        self.save(&mut mark).await?;
        Ok(mark)
    }

    /// Someone who joins on the day: added to the cohort and marked present.
    pub async fn add_walk_in(&self, session_id: Uuid, form: NewParticipant) -> Result<Participant> {
        form.check()?;
        let session: Session = self.get(session_id).await?;
        let now = self.clock().now();
        let mut participant = Participant {
            version_id: session.version_id,
            name: form.name.trim().to_owned(),
            organisation: form.organisation.trim().to_owned(),
            sector: form.sector,
            role: form.role.trim().to_owned(),
            consent_named: form.consent_named,
            consent_named_at: form.consent_named.then_some(now),
            consent_quoted: form.consent_quoted,
            consent_quoted_at: form.consent_quoted.then_some(now),
            consent_contact: form.consent_contact,
            consent_contact_at: form.consent_contact.then_some(now),
            ..Default::default()
        };
        let mut mark = Attendance {
            meta: Meta {
                id: Attendance::id_for(session_id, participant.meta.id),
                ..Meta::new()
            },
            session_id,
            participant_id: participant.meta.id,
            status: Presence::Present,
            walk_in: true,
        };
        let mut writer = self.writer().await?;
        writer.save(&mut participant).await?;
        writer.save(&mut mark).await?;
        writer.commit().await?;
        Ok(participant)
    }

    /// Saves a reflection as it is typed: the first save makes it, later ones change it, and
    /// clearing the text deletes it. Every earlier wording stays in the change log.
    pub async fn save_reflection(&self, draft: ReflectionDraft) -> Result<Option<Reflection>> {
        self.save_reflection_sent(draft, None).await
    }

    /// [`Store::save_reflection`] for a reflection sent from elsewhere than the laptop (a
    /// phone); a change keeps where it was first sent from.
    pub async fn save_reflection_sent(
        &self,
        draft: ReflectionDraft,
        sent_from: Option<SentFrom>,
    ) -> Result<Option<Reflection>> {
        if draft.text.chars().count() > crate::design::MAX_TEXT {
            return Err(Error::invalid(
                "A reflection can be at most 20,000 characters long.",
            ));
        }
        let existing = match draft.id {
            Some(id) => Some(self.get::<Reflection>(id).await?),
            None => None,
        };
        if draft.text.trim().is_empty() {
            if let Some(r) = existing {
                self.delete::<Reflection>(r.meta.id).await?;
            }
            return Ok(None);
        }
        self.get::<Session>(draft.session_id).await?;
        let mut reflection = match existing {
            Some(mut r) => {
                r.text = draft.text;
                r.participant_id = draft.participant_id;
                r.agenda_item_id = draft.agenda_item_id;
                r.prompt = draft.prompt;
                r
            }
            None => Reflection {
                session_id: draft.session_id,
                agenda_item_id: draft.agenda_item_id,
                participant_id: draft.participant_id,
                prompt: draft.prompt,
                text: draft.text,
                captured_at: self.clock().now(),
                sent_from,
                ..Default::default()
            },
        };
        self.save(&mut reflection).await?;
        Ok(Some(reflection))
    }

    /// A session's reflections, newest first.
    pub async fn reflections_of(&self, session_id: Uuid) -> Result<Vec<Reflection>> {
        // An erased participant's reflections keep their place but have no words left.
        self.list(
            Select::all()
                .eq("session_id", session_id)
                .written("text")
                .by_desc("captured_at")
                .by_desc("id"),
        )
        .await
    }

    /// Earlier wordings of a record's text, oldest first, not counting the current one.
    pub async fn earlier_versions(&self, kind: &str, id: Uuid) -> Result<Vec<EarlierVersion>> {
        if !has_text_history(kind) {
            return Err(Error::invalid(
                "Only reflections, notes and actions keep earlier wordings.",
            ));
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT payload ->> '$.text', payload ->> '$.updated_at' FROM change_log
             WHERE kind = ?1 AND record_id = ?2 AND op = 'put' ORDER BY stamp",
        )
        .bind(kind)
        .bind(id.to_string())
        .fetch_all(self.pool_ref())
        .await?;
        let mut versions: Vec<EarlierVersion> = Vec::new();
        for (text, saved_at) in rows {
            if versions.last().is_none_or(|v| v.text != text) {
                versions.push(EarlierVersion { text, saved_at });
            }
        }
        versions.pop();
        Ok(versions)
    }

    pub async fn add_action(
        &self,
        session_id: Uuid,
        participant_id: Option<Uuid>,
        text: &str,
    ) -> Result<Action> {
        self.get::<Session>(session_id).await?;
        if let Some(p) = participant_id {
            self.get::<Participant>(p).await?;
        }
        // Checked here rather than on the record: an erased participant's actions keep their
        // place with no words left.
        if text.trim().is_empty() {
            return Err(Error::invalid("An action needs a text."));
        }
        let mut action = Action {
            session_id,
            participant_id,
            text: text.trim().to_owned(),
            status: ActionStatus::Open,
            ..Default::default()
        };
        self.save(&mut action).await?;
        Ok(action)
    }

    /// Actions made at a session, oldest first.
    pub async fn actions_of(&self, session_id: Uuid) -> Result<Vec<Action>> {
        self.list(Select::all().eq("session_id", session_id).by("created_at"))
            .await
    }

    /// Open actions from the cohort's earlier sessions, to follow up at this one.
    pub async fn actions_to_follow_up(&self, session_id: Uuid) -> Result<Vec<FollowUp>> {
        let session: Session = self.get(session_id).await?;
        let Some(version) = session.version_id else {
            return Ok(Vec::new());
        };
        let mut follow_ups = Vec::new();
        for earlier in self.sessions_of(version).await? {
            if earlier.meta.id == session.meta.id || earlier.position >= session.position {
                continue;
            }
            for action in self.actions_of(earlier.meta.id).await? {
                if action.status != ActionStatus::Open {
                    continue;
                }
                let participant = match action.participant_id {
                    Some(p) => self.get::<Participant>(p).await.ok().map(|p| p.name),
                    None => None,
                };
                follow_ups.push(FollowUp {
                    action,
                    participant,
                    from_session: earlier.title.clone(),
                });
            }
        }
        Ok(follow_ups)
    }

    pub async fn session_notes(&self, session_id: Uuid) -> Result<SessionNotes> {
        let note = self
            .list::<FacilitatorNote>(
                Select::all()
                    .eq("session_id", session_id)
                    .missing("observed_at")
                    .by("created_at")
                    .limit(1),
            )
            .await?
            .into_iter()
            .next();
        let observations = self
            .list(
                Select::all()
                    .eq("session_id", session_id)
                    .present("observed_at")
                    .by_desc("observed_at"),
            )
            .await?;
        Ok(SessionNotes { note, observations })
    }

    /// Saves the facilitator's running notes for a session.
    pub async fn save_session_note(&self, session_id: Uuid, text: &str) -> Result<FacilitatorNote> {
        if text.chars().count() > crate::design::MAX_TEXT {
            return Err(Error::invalid(
                "Notes can be at most 20,000 characters long; start another observation.",
            ));
        }
        self.get::<Session>(session_id).await?;
        let mut note = match self.session_notes(session_id).await?.note {
            Some(mut note) => {
                note.text = text.to_owned();
                note
            }
            None => FacilitatorNote {
                session_id,
                text: text.to_owned(),
                ..Default::default()
            },
        };
        self.save(&mut note).await?;
        Ok(note)
    }

    /// A quick observation, stamped with the time it was made.
    pub async fn add_observation(&self, session_id: Uuid, text: &str) -> Result<FacilitatorNote> {
        if text.chars().count() > MAX_OBSERVATION {
            return Err(Error::invalid(
                "Keep an observation under 2,000 characters. Nothing has been changed.",
            ));
        }
        self.get::<Session>(session_id).await?;
        if text.trim().is_empty() {
            return Err(Error::invalid("Write the observation first."));
        }
        let mut note = FacilitatorNote {
            session_id,
            text: text.trim().to_owned(),
            observed_at: Some(self.clock().now()),
            ..Default::default()
        };
        self.save(&mut note).await?;
        Ok(note)
    }
}

/// The record kinds that carry a `text` field whose earlier wordings can be shown.
/// The longest time-stamped observation: a moment noted, not a report.
pub const MAX_OBSERVATION: usize = 2_000;

pub fn has_text_history(kind: &str) -> bool {
    [Reflection::KIND, FacilitatorNote::KIND, Action::KIND].contains(&kind)
}
