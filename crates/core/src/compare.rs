//! "What's different": how a local version differs, session by session and item by item,
//! from the national version it came from.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{compared_fields, AgendaItem, Record, Session};
use crate::snapshot::{SessionSnapshot, VersionSnapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Moved,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub national: Value,
    pub local: Value,
}

/// One way the local version differs: a session (when `item_title` is `None`) or an agenda
/// item that was added, removed, changed or moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub change: Change,
    pub session_title: String,
    pub item_title: Option<String>,
    /// The local session, to link to; `None` when the local version removed it.
    pub session_id: Option<Uuid>,
    pub fields: Vec<FieldChange>,
}

pub(crate) fn field(record: &impl Serialize, name: &str) -> Value {
    serde_json::to_value(record)
        .ok()
        .and_then(|mut v| v.get_mut(name).map(Value::take))
        .unwrap_or(Value::Null)
}

/// The compared fields (see [`compared_fields`]) in which two records differ.
pub(crate) fn changed_fields<T: Record>(national: &T, local: &T) -> Vec<FieldChange> {
    compared_fields::<T>()
        .into_iter()
        .filter_map(|f| {
            let (n, l) = (field(national, f), field(local, f));
            (n != l).then_some(FieldChange {
                field: f,
                national: n,
                local: l,
            })
        })
        .collect()
}

/// The ids in `order` (national ids, in local order) that are not in a longest run common
/// with `reference` (national order): the fewest items to call "moved".
fn moved(reference: &[Uuid], order: &[Uuid]) -> HashSet<Uuid> {
    let (n, m) = (reference.len(), order.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if reference[i] == order[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut kept = HashSet::new();
    while i < n && j < m {
        if reference[i] == order[j] {
            kept.insert(order[j]);
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    order
        .iter()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect()
}

fn session_difference(
    change: Change,
    session: &Session,
    local_id: Option<Uuid>,
    item: Option<&AgendaItem>,
    fields: Vec<FieldChange>,
) -> Difference {
    Difference {
        change,
        session_title: session.title.clone(),
        item_title: item.map(|i| i.title.clone()),
        session_id: local_id,
        fields,
    }
}

/// Every difference between `local` and `national`, in the order of the national agenda with
/// local additions after.
pub fn differences(national: &VersionSnapshot, local: &VersionSnapshot) -> Vec<Difference> {
    let national_ids: HashSet<Uuid> = national
        .sessions
        .iter()
        .map(|s| s.session.meta.id)
        .collect();
    let local_by_origin: HashMap<Uuid, &SessionSnapshot> = local
        .sessions
        .iter()
        .filter_map(|s| s.session.derived_from.map(|from| (from, s)))
        .filter(|(from, _)| national_ids.contains(from))
        .collect();
    let session_moves = moved(
        &national
            .sessions
            .iter()
            .map(|s| s.session.meta.id)
            .collect::<Vec<_>>(),
        &local
            .sessions
            .iter()
            .filter_map(|s| s.session.derived_from)
            .filter(|from| national_ids.contains(from))
            .collect::<Vec<_>>(),
    );

    let mut out = Vec::new();
    for n in &national.sessions {
        let Some(l) = local_by_origin.get(&n.session.meta.id) else {
            out.push(session_difference(
                Change::Removed,
                &n.session,
                None,
                None,
                vec![],
            ));
            continue;
        };
        let local_id = Some(l.session.meta.id);
        if session_moves.contains(&n.session.meta.id) {
            out.push(session_difference(
                Change::Moved,
                &l.session,
                local_id,
                None,
                vec![],
            ));
        }
        let fields = changed_fields(&n.session, &l.session);
        if !fields.is_empty() {
            out.push(session_difference(
                Change::Changed,
                &l.session,
                local_id,
                None,
                fields,
            ));
        }

        let national_items: HashSet<Uuid> = n.items.iter().map(|i| i.meta.id).collect();
        let local_items: HashMap<Uuid, &AgendaItem> = l
            .items
            .iter()
            .filter_map(|i| i.derived_from.map(|from| (from, i)))
            .filter(|(from, _)| national_items.contains(from))
            .collect();
        let item_moves = moved(
            &n.items.iter().map(|i| i.meta.id).collect::<Vec<_>>(),
            &l.items
                .iter()
                .filter_map(|i| i.derived_from)
                .filter(|from| national_items.contains(from))
                .collect::<Vec<_>>(),
        );
        for ni in &n.items {
            match local_items.get(&ni.meta.id) {
                None => out.push(session_difference(
                    Change::Removed,
                    &l.session,
                    local_id,
                    Some(ni),
                    vec![],
                )),
                Some(li) => {
                    if item_moves.contains(&ni.meta.id) {
                        out.push(session_difference(
                            Change::Moved,
                            &l.session,
                            local_id,
                            Some(li),
                            vec![],
                        ));
                    }
                    let fields = changed_fields(ni, *li);
                    if !fields.is_empty() {
                        out.push(session_difference(
                            Change::Changed,
                            &l.session,
                            local_id,
                            Some(li),
                            fields,
                        ));
                    }
                }
            }
        }
        for li in &l.items {
            if !li
                .derived_from
                .is_some_and(|from| national_items.contains(&from))
            {
                out.push(session_difference(
                    Change::Added,
                    &l.session,
                    local_id,
                    Some(li),
                    vec![],
                ));
            }
        }
    }
    for l in &local.sessions {
        if !l
            .session
            .derived_from
            .is_some_and(|from| national_ids.contains(&from))
        {
            out.push(session_difference(
                Change::Added,
                &l.session,
                Some(l.session.meta.id),
                None,
                vec![],
            ));
        }
    }
    out
}
