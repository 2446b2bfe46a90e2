//! Taking later changes of the national version into a local version: a three-way merge of
//! the national version as it was when the local one was made (the base), the national
//! version now, and the local version now.
//!
//! [`plan`] is a pure function; applying the plan is a small separate step in
//! [`Store::apply_national_changes`]. Nothing is overwritten silently: where both sides
//! changed the same thing, the change is a conflict and the facilitator chooses.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::compare::{changed_fields, field};
use crate::domain::{compared_fields, AgendaItem, Meta, ProgrammeVersion, Record};
use crate::error::{Error, Result};
use crate::snapshot::{SessionSnapshot, VersionSnapshot};
use crate::store::{Store, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Set one field of a local session or item to the national value.
    SetField,
    /// Add a session (or, for a session the local version removed, add it back).
    AddSession,
    RemoveSession,
    AddItem,
    RemoveItem,
}

/// Which side a facilitator keeps for one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    National,
    Local,
}

/// One change of the national version since the base, as it would land in the local version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeChange {
    /// Stable for the same base, national and local state; decisions refer to it.
    pub key: String,
    pub action: Action,
    pub session_title: String,
    pub item_title: Option<String>,
    pub field: Option<&'static str>,
    pub base: Value,
    pub national: Value,
    pub local: Value,
    /// Both sides changed it: the facilitator must choose.
    pub conflict: bool,
    /// The national session (and item) the change comes from.
    national_session: Uuid,
    national_item: Option<Uuid>,
}

fn index(sessions: &[SessionSnapshot]) -> HashMap<Uuid, &SessionSnapshot> {
    sessions.iter().map(|s| (s.session.meta.id, s)).collect()
}

fn by_origin(sessions: &[SessionSnapshot]) -> HashMap<Uuid, &SessionSnapshot> {
    sessions
        .iter()
        .filter_map(|s| s.session.derived_from.map(|from| (from, s)))
        .collect()
}

/// National ids in national order, then those only the base has.
fn union_ids<'a>(
    national: impl Iterator<Item = Uuid>,
    base: impl Iterator<Item = Uuid> + 'a,
) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = national.collect();
    for id in base {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

fn session_unchanged(base: &SessionSnapshot, local: &SessionSnapshot) -> bool {
    if !changed_fields(&base.session, &local.session).is_empty() {
        return false;
    }
    let local_items: HashMap<Uuid, &AgendaItem> = local
        .items
        .iter()
        .filter_map(|i| i.derived_from.map(|f| (f, i)))
        .collect();
    local.items.len() == base.items.len()
        && base.items.iter().all(|b| {
            local_items
                .get(&b.meta.id)
                .is_some_and(|l| changed_fields(b, *l).is_empty())
        })
}

fn session_changed(base: &SessionSnapshot, national: &SessionSnapshot) -> bool {
    !changed_fields(&base.session, &national.session).is_empty()
        || base.items.len() != national.items.len()
        || base
            .items
            .iter()
            .zip(&national.items)
            .any(|(b, n)| b.meta.id != n.meta.id || !changed_fields(b, n).is_empty())
}

struct Planner {
    changes: Vec<MergeChange>,
}

impl Planner {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        action: Action,
        session_title: &str,
        item_title: Option<&str>,
        field: Option<&'static str>,
        values: (Value, Value, Value),
        conflict: bool,
        national_session: Uuid,
        national_item: Option<Uuid>,
    ) {
        let target = national_item.unwrap_or(national_session);
        let action_name = serde_json::to_value(action).unwrap_or(Value::Null);
        let key = format!(
            "{}:{target}{}",
            action_name.as_str().unwrap_or("change"),
            field.map(|f| format!(":{f}")).unwrap_or_default()
        );
        self.changes.push(MergeChange {
            key,
            action,
            session_title: session_title.to_owned(),
            item_title: item_title.map(str::to_owned),
            field,
            base: values.0,
            national: values.1,
            local: values.2,
            conflict,
            national_session,
            national_item,
        });
    }

    /// One change for each compared field (see `compared_fields`) the national version changed.
    fn fields<T: Record>(
        &mut self,
        base: &T,
        national: &T,
        local: &T,
        titles: (&str, Option<&str>),
        ids: (Uuid, Option<Uuid>),
    ) {
        for f in compared_fields::<T>() {
            let (b, n, l) = (field(base, f), field(national, f), field(local, f));
            if b == n || l == n {
                continue;
            }
            let conflict = l != b;
            self.push(
                Action::SetField,
                titles.0,
                titles.1,
                Some(f),
                (b, n, l),
                conflict,
                ids.0,
                ids.1,
            );
        }
    }
}

/// The national version's changes since `base`, as they would land in `local`.
pub fn plan(
    base: &VersionSnapshot,
    national: &VersionSnapshot,
    local: &VersionSnapshot,
) -> Vec<MergeChange> {
    let base_sessions = index(&base.sessions);
    let national_sessions = index(&national.sessions);
    let local_sessions = by_origin(&local.sessions);
    let mut planner = Planner {
        changes: Vec::new(),
    };
    let null = || Value::Null;

    let ids = union_ids(
        national.sessions.iter().map(|s| s.session.meta.id),
        base.sessions.iter().map(|s| s.session.meta.id),
    );
    for id in ids {
        let (b, n, l) = (
            base_sessions.get(&id),
            national_sessions.get(&id),
            local_sessions.get(&id),
        );
        match (b, n, l) {
            (None, Some(n), None) => planner.push(
                Action::AddSession,
                &n.session.title,
                None,
                None,
                (null(), Value::String(n.session.title.clone()), null()),
                false,
                id,
                None,
            ),
            (Some(b), None, Some(l)) => planner.push(
                Action::RemoveSession,
                &l.session.title,
                None,
                None,
                (
                    Value::String(b.session.title.clone()),
                    null(),
                    Value::String(l.session.title.clone()),
                ),
                !session_unchanged(b, l),
                id,
                None,
            ),
            (Some(b), Some(n), None) if session_changed(b, n) => planner.push(
                Action::AddSession,
                &n.session.title,
                None,
                None,
                (
                    Value::String(b.session.title.clone()),
                    Value::String(n.session.title.clone()),
                    null(),
                ),
                true,
                id,
                None,
            ),
            (Some(b), Some(n), Some(l)) => {
                let title = l.session.title.as_str();
                planner.fields(
                    &b.session,
                    &n.session,
                    &l.session,
                    (title, None),
                    (id, None),
                );
                plan_items(&mut planner, b, n, l);
            }
            _ => {}
        }
    }
    planner.changes
}

fn plan_items(
    planner: &mut Planner,
    b: &SessionSnapshot,
    n: &SessionSnapshot,
    l: &SessionSnapshot,
) {
    let session_id = n.session.meta.id;
    let title = l.session.title.as_str();
    let base_items: HashMap<Uuid, &AgendaItem> = b.items.iter().map(|i| (i.meta.id, i)).collect();
    let national_items: HashMap<Uuid, &AgendaItem> =
        n.items.iter().map(|i| (i.meta.id, i)).collect();
    let local_items: HashMap<Uuid, &AgendaItem> = l
        .items
        .iter()
        .filter_map(|i| i.derived_from.map(|f| (f, i)))
        .collect();
    let ids = union_ids(
        n.items.iter().map(|i| i.meta.id),
        b.items.iter().map(|i| i.meta.id),
    );
    for id in ids {
        let str_of = |i: &AgendaItem| Value::String(i.title.clone());
        match (
            base_items.get(&id),
            national_items.get(&id),
            local_items.get(&id),
        ) {
            (None, Some(ni), None) => planner.push(
                Action::AddItem,
                title,
                Some(&ni.title),
                None,
                (Value::Null, str_of(ni), Value::Null),
                false,
                session_id,
                Some(id),
            ),
            (Some(bi), None, Some(li)) => planner.push(
                Action::RemoveItem,
                title,
                Some(&li.title),
                None,
                (str_of(bi), Value::Null, str_of(li)),
                !changed_fields(*bi, *li).is_empty(),
                session_id,
                Some(id),
            ),
            (Some(bi), Some(ni), None) if !changed_fields(*bi, *ni).is_empty() => planner.push(
                Action::AddItem,
                title,
                Some(&ni.title),
                None,
                (str_of(bi), str_of(ni), Value::Null),
                true,
                session_id,
                Some(id),
            ),
            (Some(bi), Some(ni), Some(li)) => planner.fields(
                *bi,
                *ni,
                *li,
                (title, Some(&li.title)),
                (session_id, Some(id)),
            ),
            _ => {}
        }
    }
}

/// Where the national version stands against a local version made from it.
#[derive(Debug, Clone, Serialize)]
pub struct NationalChanges {
    pub national: ProgrammeVersion,
    pub changes: Vec<MergeChange>,
}

impl Store {
    fn base_of(local: &ProgrammeVersion) -> Result<(Uuid, VersionSnapshot)> {
        let (Some(national), Some(base)) = (local.based_on, local.base_snapshot.clone()) else {
            return Err(Error::invalid(
                "This version was not made from a national version.",
            ));
        };
        Ok((national, serde_json::from_value(base)?))
    }

    /// The national version's changes since this local version was made (or last took them).
    pub async fn national_changes(&self, local_id: Uuid) -> Result<NationalChanges> {
        let local_version: ProgrammeVersion = self.get(local_id).await?;
        let (national_id, base) = Self::base_of(&local_version)?;
        let national = self.snapshot_version(national_id).await?;
        let local = self.snapshot_version(local_id).await?;
        Ok(NationalChanges {
            changes: plan(&base, &national, &local),
            national: national.version,
        })
    }

    /// Takes the national version's changes into a local version in one transaction.
    /// Every change goes the national way unless `decisions` says to keep the local one;
    /// every conflict needs a decision. Afterwards the national version as it is now becomes
    /// the new base, so the same changes are not offered again.
    pub async fn apply_national_changes(
        &self,
        local_id: Uuid,
        decisions: &HashMap<String, Choice>,
    ) -> Result<usize> {
        let mut local_version: ProgrammeVersion = self.get(local_id).await?;
        let (national_id, base) = Self::base_of(&local_version)?;
        let national = self.snapshot_version(national_id).await?;
        let local = self.snapshot_version(local_id).await?;
        let changes = plan(&base, &national, &local);

        if let Some(undecided) = changes
            .iter()
            .find(|c| c.conflict && !decisions.contains_key(&c.key))
        {
            return Err(Error::invalid(format!(
                "Choose which to keep for \"{}\" before taking the national changes.",
                undecided
                    .item_title
                    .as_deref()
                    .unwrap_or(&undecided.session_title)
            )));
        }
        let mut applier = Applier {
            national: index(&national.sessions),
            local: local.sessions.clone(),
            local_version_id: local_id,
        };
        let mut writer = self.writer().await?;
        let mut applied = 0;
        for change in &changes {
            if decisions
                .get(&change.key)
                .copied()
                .unwrap_or(Choice::National)
                == Choice::Local
            {
                continue;
            }
            applier.apply(&mut writer, change).await?;
            applied += 1;
        }
        local_version.base_snapshot = Some(serde_json::to_value(&national)?);
        writer.save(&mut local_version).await?;
        writer.commit().await?;
        Ok(applied)
    }
}

/// Applies changes to a working copy of the local version, writing each record it touches.
struct Applier<'n> {
    national: HashMap<Uuid, &'n SessionSnapshot>,
    local: Vec<SessionSnapshot>,
    local_version_id: Uuid,
}

impl Applier<'_> {
    fn local_session(&mut self, national_id: Uuid) -> Option<&mut SessionSnapshot> {
        self.local
            .iter_mut()
            .find(|s| s.session.derived_from == Some(national_id))
    }

    async fn apply(&mut self, writer: &mut Writer<'_>, change: &MergeChange) -> Result<()> {
        let national = *self
            .national
            .get(&change.national_session)
            .ok_or_else(|| Error::not_found("That national session"))?;
        match change.action {
            Action::SetField => {
                let field = change.field.unwrap_or_default();
                let local = self
                    .local_session(change.national_session)
                    .ok_or_else(|| Error::not_found("That local session"))?;
                match change.national_item {
                    None => {
                        set_field(&mut local.session, field, &change.national)?;
                        writer.save(&mut local.session).await
                    }
                    Some(item_id) => {
                        let item = local
                            .items
                            .iter_mut()
                            .find(|i| i.derived_from == Some(item_id))
                            .ok_or_else(|| Error::not_found("That local agenda item"))?;
                        set_field(item, field, &change.national)?;
                        writer.save(item).await
                    }
                }
            }
            Action::RemoveSession => {
                let local = self
                    .local_session(change.national_session)
                    .ok_or_else(|| Error::not_found("That local session"))?;
                local.session.meta.deleted = true;
                writer.save(&mut local.session).await
            }
            Action::RemoveItem => {
                let item_id = change.national_item.unwrap_or_default();
                let local = self
                    .local_session(change.national_session)
                    .ok_or_else(|| Error::not_found("That local session"))?;
                let item = local
                    .items
                    .iter_mut()
                    .find(|i| i.derived_from == Some(item_id))
                    .ok_or_else(|| Error::not_found("That local agenda item"))?;
                item.meta.deleted = true;
                writer.save(item).await
            }
            Action::AddSession => {
                let position = self.session_position(national);
                let mut copy = national.local_copy(self.local_version_id);
                copy.session.position = position;
                writer.save(&mut copy.session).await?;
                for item in &mut copy.items {
                    writer.save(item).await?;
                }
                self.local.push(copy);
                Ok(())
            }
            Action::AddItem => {
                let item_id = change.national_item.unwrap_or_default();
                let source = national
                    .items
                    .iter()
                    .find(|i| i.meta.id == item_id)
                    .ok_or_else(|| Error::not_found("That national agenda item"))?;
                // After the local copy of the nearest national item before it.
                let before: Vec<Uuid> = national
                    .items
                    .iter()
                    .take_while(|i| i.meta.id != item_id)
                    .map(|i| i.meta.id)
                    .collect();
                let local = self
                    .local_session(change.national_session)
                    .ok_or_else(|| Error::not_found("That local session"))?;
                local
                    .items
                    .sort_by(|a, b| a.position.total_cmp(&b.position));
                let anchor = before
                    .iter()
                    .rev()
                    .find_map(|id| local.items.iter().position(|i| i.derived_from == Some(*id)));
                let position = match anchor {
                    None => local.items.first().map_or(0.0, |f| f.position - 1.0),
                    Some(a) => match local.items.get(a + 1) {
                        Some(next) => (local.items[a].position + next.position) / 2.0,
                        None => local.items[a].position + 1.0,
                    },
                };
                let mut item = AgendaItem {
                    meta: Meta::new(),
                    session_id: local.session.meta.id,
                    position,
                    derived_from: Some(item_id),
                    ..source.clone()
                };
                writer.save(&mut item).await?;
                local.items.push(item);
                Ok(())
            }
        }
    }

    fn session_position(&self, national: &SessionSnapshot) -> f64 {
        let national_position = national.session.position;
        // After the local copy of the national session just before it, if there is one.
        let anchor = self
            .local
            .iter()
            .filter(|l| {
                l.session.derived_from.is_some_and(|f| {
                    self.national
                        .get(&f)
                        .is_some_and(|n| n.session.position < national_position)
                })
            })
            .map(|l| l.session.position)
            .fold(None, |best: Option<f64>, p| {
                Some(best.map_or(p, |b| b.max(p)))
            });
        let next = self
            .local
            .iter()
            .map(|l| l.session.position)
            .filter(|p| anchor.is_none_or(|a| *p > a))
            .fold(None, |best: Option<f64>, p| {
                Some(best.map_or(p, |b| b.min(p)))
            });
        match (anchor, next) {
            (Some(a), Some(n)) => (a + n) / 2.0,
            (Some(a), None) => a + 1.0,
            (None, Some(n)) => n - 1.0,
            (None, None) => 0.0,
        }
    }
}

fn set_field<T: Serialize + for<'de> Deserialize<'de>>(
    record: &mut T,
    field: &str,
    value: &Value,
) -> Result<()> {
    let mut json = serde_json::to_value(&*record)?;
    json[field] = value.clone();
    *record = serde_json::from_value(json)?;
    Ok(())
}
