//! Erasing a participant (a data-protection request): their identity and the words of their
//! reflections and actions are removed from every version this laptop holds, the erasure
//! travels in sync bundles and wins wherever it arrives, and anything of theirs that arrives
//! later is scrubbed on the way in.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use uuid::Uuid;

use crate::domain::{Meta, Participant, Record, Sector};
use crate::error::Result;
use crate::store::{Select, Store};

/// What an erased participant is called from then on.
pub const ERASED_NAME: &str = "Erased participant";

/// Removes personal data from one version of a record, if it belongs to an erased
/// participant. Returns whether anything was removed. The same input always gives the same
/// output, so laptops that scrub the same versions agree.
pub(crate) fn scrub(kind: &str, payload: &mut Value, erased: &HashSet<String>) -> bool {
    let owner = match kind {
        "participant" => payload["id"].as_str(),
        "reflection" | "action" => payload["participant_id"].as_str(),
        _ => None,
    };
    if !owner.is_some_and(|o| erased.contains(o)) {
        return false;
    }
    let before = payload.clone();
    match kind {
        "participant" => {
            payload["name"] = ERASED_NAME.into();
            payload["organisation"] = "".into();
            payload["role"] = "".into();
            payload["sector"] = "".into();
            if payload.get("email").is_some() {
                payload["email"] = Value::Null;
            }
            for consent in ["named", "quoted", "contact"] {
                payload[format!("consent_{consent}")] = false.into();
                payload[format!("consent_{consent}_at")] = Value::Null;
            }
        }
        "reflection" => payload["text"] = "".into(),
        _ => {
            payload["text"] = "".into();
            payload["follow_up"] = "".into();
        }
    }
    *payload != before
}

/// Removes the words of one version of a reflection or action whoever it is credited to:
/// for records that were once a fully erased participant's and were anonymised on another
/// laptop meanwhile. Returns whether anything was removed.
pub(crate) fn scrub_words(kind: &str, payload: &mut Value) -> bool {
    let before = payload.clone();
    match kind {
        "reflection" => payload["text"] = "".into(),
        "action" => {
            payload["text"] = "".into();
            payload["follow_up"] = "".into();
        }
        _ => return false,
    }
    *payload != before
}

/// Participants erased here or by an imported erasure, with whether their words were kept
/// (an anonymisation) or removed too.
pub(crate) async fn erased(conn: &mut sqlx::SqliteConnection) -> Result<HashMap<String, bool>> {
    Ok(sqlx::query_as::<_, (String, bool)>(
        "SELECT participant_id, words_kept FROM erased_participant",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .collect())
}

/// Records erasing `participant`, and scrubs everything this laptop holds of them: their
/// identity in every version, and the words of every version credited to them. A full
/// erasure (`words_kept` false) also removes the words of every reflection and action that
/// was ever theirs, in every version, including versions that no longer name them (an
/// anonymisation made on another laptop before the erasure reached it). A full erasure
/// wins over an anonymisation: recording an anonymisation of someone already fully erased
/// changes nothing. Returns whether anything new was recorded.
pub(crate) async fn scrub_everywhere(
    conn: &mut sqlx::SqliteConnection,
    participant: &str,
    words_kept: bool,
) -> Result<bool> {
    let was: Option<bool> =
        sqlx::query_scalar("SELECT words_kept FROM erased_participant WHERE participant_id = ?1")
            .bind(participant)
            .fetch_optional(&mut *conn)
            .await?;
    let now_kept = was.map_or(words_kept, |kept| kept && words_kept);
    if was == Some(now_kept) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO erased_participant (participant_id, words_kept) VALUES (?1, ?2)
         ON CONFLICT (participant_id) DO UPDATE SET words_kept = excluded.words_kept",
    )
    .bind(participant)
    .bind(now_kept)
    .execute(&mut *conn)
    .await?;
    let erased: HashSet<String> = HashSet::from([participant.to_owned()]);
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT seq, kind, payload FROM change_log
         WHERE (kind = 'participant' AND record_id = ?1)
            OR (kind IN ('reflection', 'action') AND payload ->> '$.participant_id' = ?1)",
    )
    .bind(participant)
    .fetch_all(&mut *conn)
    .await?;
    for (seq, kind, payload) in rows {
        let mut value: Value = serde_json::from_str(&payload)?;
        if scrub(&kind, &mut value, &erased) {
            sqlx::query("UPDATE change_log SET payload = ?1 WHERE seq = ?2")
                .bind(serde_json::to_string(&value)?)
                .bind(seq)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query(
        "UPDATE participant SET name = ?2, organisation = '', role = '', sector = '',
            consent_named = 0, consent_named_at = NULL, consent_quoted = 0, consent_quoted_at = NULL,
            consent_contact = 0, consent_contact_at = NULL, email = NULL
         WHERE id = ?1",
    )
    .bind(participant)
    .bind(ERASED_NAME)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE reflection SET text = '' WHERE participant_id = ?1")
        .bind(participant)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE action SET text = '', follow_up = '' WHERE participant_id = ?1")
        .bind(participant)
        .execute(&mut *conn)
        .await?;
    if !now_kept {
        // Versions of their records that no longer name them.
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT seq, kind, payload FROM change_log
             WHERE kind IN ('reflection', 'action') AND record_id IN
                (SELECT record_id FROM change_log
                 WHERE kind IN ('reflection', 'action') AND payload ->> '$.participant_id' = ?1)",
        )
        .bind(participant)
        .fetch_all(&mut *conn)
        .await?;
        let mut records = HashSet::new();
        for (seq, kind, payload) in rows {
            let mut value: Value = serde_json::from_str(&payload)?;
            if let Some(id) = value["id"].as_str() {
                records.insert((kind.clone(), id.to_owned()));
            }
            if scrub_words(&kind, &mut value) {
                sqlx::query("UPDATE change_log SET payload = ?1 WHERE seq = ?2")
                    .bind(serde_json::to_string(&value)?)
                    .bind(seq)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        for (kind, id) in records {
            let sql = if kind == "reflection" {
                "UPDATE reflection SET text = '' WHERE id = ?1 AND text != ''"
            } else {
                "UPDATE action SET text = '', follow_up = '' WHERE id = ?1"
            };
            sqlx::query(sql).bind(id).execute(&mut *conn).await?;
        }
    }
    Ok(true)
}

/// Of the incoming reflections and actions, those whose words must go because they were once
/// a fully erased participant's: credited to one in an incoming version or in a version held
/// here. `erased` maps each erased participant to whether their words were kept.
pub(crate) async fn records_of_fully_erased(
    conn: &mut sqlx::SqliteConnection,
    incoming: &[crate::sync::Change],
    erased: &HashMap<String, bool>,
) -> Result<HashSet<uuid::Uuid>> {
    let full: HashSet<&str> = erased
        .iter()
        .filter(|(_, kept)| !**kept)
        .map(|(id, _)| id.as_str())
        .collect();
    let mut records = HashSet::new();
    if full.is_empty() {
        return Ok(records);
    }
    let mut unnamed = Vec::new();
    for change in incoming
        .iter()
        .filter(|c| c.kind == "reflection" || c.kind == "action")
    {
        match change.payload["participant_id"].as_str() {
            Some(p) if full.contains(p) => {
                records.insert(change.record_id);
            }
            _ => unnamed.push(change.record_id.to_string()),
        }
    }
    for chunk in unnamed.chunks(10_000) {
        let held: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT c.record_id FROM change_log c
             WHERE c.record_id IN (SELECT value FROM json_each(?1))
               AND c.payload ->> '$.participant_id' IN
                   (SELECT participant_id FROM erased_participant WHERE words_kept = 0)",
        )
        .bind(serde_json::to_string(chunk)?)
        .fetch_all(&mut *conn)
        .await?;
        records.extend(held.iter().filter_map(|id| uuid::Uuid::try_parse(id).ok()));
    }
    Ok(records)
}

impl Store {
    /// Erases a participant everywhere on this laptop, records the erasure so that sync
    /// carries it to every other laptop, and compacts the file so nothing lingers in it.
    pub async fn erase_participant(&self, id: Uuid) -> Result<()> {
        self.erase(id, false).await
    }

    /// Erases a participant's identity everywhere; their words too unless `words_kept` (an
    /// anonymisation, whose erasure says so, so that other laptops keep the words as well).
    async fn erase(&self, id: Uuid, words_kept: bool) -> Result<()> {
        let current: Participant = match self.get_with_deleted::<Participant>(id).await? {
            Some(p) => p,
            None => return Err(crate::Error::not_found("That participant")),
        };
        let mut erased = Participant {
            meta: Meta {
                deleted: true,
                ..current.meta.clone()
            },
            version_id: current.version_id,
            name: ERASED_NAME.into(),
            sector: Sector::Unknown,
            anonymised: words_kept,
            // Erased and anonymised people keep their number, so nobody else's moves.
            pseudonym_number: current.pseudonym_number,
            // Everything else empty, whatever fields a participant gains.
            ..Default::default()
        };
        let mut writer = self.writer().await?;
        scrub_everywhere(writer.tx(), &id.to_string(), words_kept).await?;
        writer.save_op(&mut erased, &[], Some("erase")).await?;
        writer.commit().await?;
        self.compact().await
    }

    /// Folds the write-ahead log into the file and rebuilds it, leaving no free pages with old
    /// content.
    pub async fn compact(&self) -> Result<()> {
        // Merge the search index, so no segment holds words that were removed.
        sqlx::query("INSERT INTO reflection_search (reflection_search) VALUES ('optimize')")
            .execute(self.pool_ref())
            .await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(self.pool_ref())
            .await?;
        sqlx::query("VACUUM").execute(self.pool_ref()).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(self.pool_ref())
            .await?;
        Ok(())
    }
}

/// One of the consents a participant gives or withdraws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    /// To be named in notes.
    Named,
    /// To be quoted.
    Quoted,
    /// To be contacted afterwards.
    Contact,
}

impl Consent {
    /// The participant's field that holds this choice.
    pub fn field(self) -> &'static str {
        Participant::CONSENTS[self as usize].0
    }
}

/// Everything Fieldbook holds about one participant (a subject access request).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ParticipantData {
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub participant: Participant,
    pub attendance: Vec<serde_json::Value>,
    pub reflections: Vec<serde_json::Value>,
    pub actions: Vec<serde_json::Value>,
}

impl Store {
    /// Gives or withdraws one consent, dated now (by the rule every edit follows,
    /// `domain::complete_edit`); later exports follow it.
    pub async fn set_consent(
        &self,
        id: Uuid,
        consent: Consent,
        given: bool,
    ) -> Result<Participant> {
        let mut patch = serde_json::Map::new();
        patch.insert(consent.field().to_owned(), given.into());
        let updated = self.update(Participant::KIND, id, patch).await?;
        Ok(serde_json::from_value(updated)?)
    }

    /// Keeps a participant's reflections and actions but no longer says whose they are, then
    /// erases the participant's identity everywhere.
    pub async fn anonymise_participant(&self, id: Uuid) -> Result<()> {
        let reflections: Vec<crate::domain::Reflection> =
            self.list(Select::all().eq("participant_id", id)).await?;
        let actions: Vec<crate::domain::Action> =
            self.list(Select::all().eq("participant_id", id)).await?;
        let mut writer = self.writer().await?;
        for mut r in reflections {
            r.participant_id = None;
            writer.save(&mut r).await?;
        }
        for mut a in actions {
            a.participant_id = None;
            writer.save(&mut a).await?;
        }
        writer.commit().await?;
        self.erase(id, true).await
    }

    /// Everything held about one participant, for a subject access request.
    pub async fn participant_data(&self, id: Uuid) -> Result<ParticipantData> {
        let participant: Participant = self.get(id).await?;
        let mut attendance = Vec::new();
        for a in self
            .list::<crate::domain::Attendance>(Select::all().eq("participant_id", id))
            .await?
        {
            let session: crate::domain::Session = self.get(a.session_id).await?;
            attendance.push(serde_json::json!({ "session": session.title, "date": session.date, "status": a.status, "walk_in": a.walk_in }));
        }
        let mut reflections = Vec::new();
        for r in self
            .list::<crate::domain::Reflection>(
                Select::all().eq("participant_id", id).by("captured_at"),
            )
            .await?
        {
            let session: crate::domain::Session = self.get(r.session_id).await?;
            let earlier = self.earlier_versions("reflection", r.meta.id).await?;
            reflections.push(serde_json::json!({
                "session": session.title, "date": session.date, "prompt": r.prompt, "text": r.text,
                "captured_at": r.captured_at, "earlier_wordings": earlier,
            }));
        }
        let mut actions = Vec::new();
        for a in self
            .list::<crate::domain::Action>(Select::all().eq("participant_id", id).by("created_at"))
            .await?
        {
            let session: crate::domain::Session = self.get(a.session_id).await?;
            actions.push(serde_json::json!({ "session": session.title, "text": a.text, "status": a.status, "follow_up": a.follow_up }));
        }
        Ok(ParticipantData {
            exported_at: self.clock().now(),
            participant,
            attendance,
            reflections,
            actions,
        })
    }
}

/// A session whose participants' words are past their programme's retention period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PastRetention {
    pub programme: String,
    pub retention_months: u32,
    pub session_id: Uuid,
    pub session: String,
    pub date: chrono::NaiveDate,
    pub reflections: usize,
    pub actions: usize,
    pub notes: usize,
    pub attendance: usize,
}

impl Store {
    /// Sessions held longer than their programme keeps personal data, with what they hold.
    pub async fn past_retention(&self) -> Result<Vec<PastRetention>> {
        use crate::domain::{
            Action, Attendance, FacilitatorNote, Programme, ProgrammeVersion, Reflection, Session,
        };
        let today = self.clock().now().date_naive();
        let mut out = Vec::new();
        for programme in self
            .list::<Programme>(Select::all().present("retention_months").by("title"))
            .await?
        {
            let months = programme.retention_months.unwrap_or(0);
            let Some(cutoff) = today.checked_sub_months(chrono::Months::new(months)) else {
                continue;
            };
            let versions: Vec<ProgrammeVersion> = self
                .list(Select::all().eq("programme_id", programme.meta.id))
                .await?;
            for version in versions {
                let sessions: Vec<Session> = self
                    .list(
                        Select::all()
                            .eq("version_id", version.meta.id)
                            .present("date")
                            .before("date", cutoff)
                            .by("date"),
                    )
                    .await?;
                for session in sessions {
                    let id = session.meta.id;
                    let reflections = self
                        .list::<Reflection>(Select::all().eq("session_id", id).written("text"))
                        .await?
                        .len();
                    let actions = self
                        .list::<Action>(Select::all().eq("session_id", id).written("text"))
                        .await?
                        .len();
                    let notes = self
                        .list::<FacilitatorNote>(Select::all().eq("session_id", id).written("text"))
                        .await?
                        .len();
                    let attendance = self
                        .list::<Attendance>(Select::all().eq("session_id", id))
                        .await?
                        .len();
                    if reflections + actions + notes + attendance == 0 {
                        continue;
                    }
                    out.push(PastRetention {
                        programme: programme.title.clone(),
                        retention_months: months,
                        session_id: session.meta.id,
                        session: format!("{}: {}", version.name, session.title),
                        date: session.date.unwrap_or(cutoff),
                        reflections,
                        actions,
                        notes,
                        attendance,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Deletes the personal data of the given sessions, if they are past retention: the
    /// reflections, actions, notes and attendance go (as deletions sync carries), and their
    /// words are removed from every version held here.
    pub async fn apply_retention(&self, sessions: &[Uuid]) -> Result<usize> {
        use crate::domain::{Action, Attendance, FacilitatorNote, Record, Reflection};
        let past: HashSet<Uuid> = self
            .past_retention()
            .await?
            .into_iter()
            .map(|p| p.session_id)
            .collect();
        let mut writer = self.writer().await?;
        let mut removed = 0;
        for session in sessions.iter().filter(|s| past.contains(s)) {
            let id = session;
            macro_rules! remove_all {
                ($t:ty) => {
                    for mut record in self.list::<$t>(Select::all().eq("session_id", id)).await? {
                        record.meta_mut().deleted = true;
                        writer.save(&mut record).await?;
                        removed += 1;
                    }
                };
            }
            remove_all!(Reflection);
            remove_all!(Action);
            remove_all!(FacilitatorNote);
            remove_all!(Attendance);
            for (kind, fields) in [
                ("reflection", &["text"][..]),
                ("action", &["text", "follow_up"][..]),
                ("facilitator_note", &["text"][..]),
            ] {
                for field in fields {
                    sqlx::query(&format!(
                        "UPDATE change_log SET payload = json_set(payload, '$.{field}', '') WHERE kind = ?1 AND payload ->> '$.session_id' = ?2"
                    ))
                    .bind(kind)
                    .bind(id.to_string())
                    .execute(&mut *writer.tx())
                    .await?;
                    sqlx::query(&format!(
                        "UPDATE {kind} SET {field} = '' WHERE session_id = ?1"
                    ))
                    .bind(id.to_string())
                    .execute(&mut *writer.tx())
                    .await?;
                }
            }
        }
        writer.commit().await?;
        self.compact().await?;
        Ok(removed)
    }
}
