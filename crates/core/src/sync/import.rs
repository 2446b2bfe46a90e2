//! Merging versions from other laptops: read what is here about them in a few batched
//! queries, decide with pure functions ([`new_versions`], [`plan_records`]), then apply the
//! plan in one transaction through the same [`Writer`] as every other write.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use uuid::Uuid;

use super::versions::{outcome, Version};
use super::{refuse, Change, Op, Preview};
use crate::clock::Stamp;
use crate::domain::KINDS;
use crate::error::{Error, Result};
use crate::store::{LogLine, Store, Writer};

/// Keys per lookup statement.
const LOOKUP: usize = 10_000;

/// What the change log already holds for incoming versions.
#[derive(Debug, Default)]
pub struct Here {
    /// Payloads of incoming versions that are already here, by (record, stamp).
    pub payloads: HashMap<(Uuid, Stamp), String>,
    /// The kind of each incoming record that is already here.
    pub kinds: HashMap<Uuid, String>,
}

/// Which incoming versions are new here, in order, each once. Refuses (with nothing changed) a
/// version whose content differs from the one here under the same stamp, or a record that
/// would change kind: neither can come from Fieldbook, so the file is damaged or forged.
pub fn new_versions(incoming: &[Change], here: &Here) -> Result<Vec<usize>> {
    let mut fresh = Vec::new();
    let mut seen: HashMap<(Uuid, Stamp), usize> = HashMap::new();
    let mut kinds: HashMap<Uuid, &str> = HashMap::new();
    for (n, change) in incoming.iter().enumerate() {
        let kind = here
            .kinds
            .get(&change.record_id)
            .map(String::as_str)
            .or_else(|| kinds.get(&change.record_id).copied());
        if kind.is_some_and(|k| k != change.kind) {
            return Err(refuse(
                "it holds a record whose kind differs from the one here",
            ));
        }
        kinds.insert(change.record_id, &change.kind);
        let key = (change.record_id, change.stamp);
        let same_as = |text: &str| -> Result<bool> {
            let there: Value = serde_json::from_str(text)?;
            Ok(there == change.payload)
        };
        if let Some(text) = here.payloads.get(&key) {
            if !same_as(text)? {
                return Err(differs());
            }
            continue;
        }
        if let Some(&first) = seen.get(&key) {
            if incoming[first].payload != change.payload {
                return Err(differs());
            }
            continue;
        }
        seen.insert(key, n);
        fresh.push(n);
    }
    Ok(fresh)
}

fn differs() -> Error {
    refuse("it holds a version of a record that differs from the one here with the same stamp")
}

/// One record touched by an import: every version of it now held, and its row as it is.
#[derive(Debug, Clone)]
pub struct Touched {
    pub kind: String,
    pub versions: Vec<Version>,
    /// The current row's stamp and whether it is deleted; `None` for a record new here.
    pub current: Option<(Stamp, bool)>,
}

/// What an import does to current rows and conflicts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RecordPlan {
    /// Rows to (re)write from a version's payload: (kind, record, winning stamp).
    pub writes: Vec<(String, Uuid, Stamp)>,
    /// The full list of losing versions of every touched record (empty: no conflict).
    pub conflicts: Vec<(String, Uuid, Vec<Stamp>)>,
    pub adds: usize,
    pub updates: usize,
    pub deletes: usize,
    pub conflicted: usize,
}

/// Works out each touched record's winner ([`outcome`]) and what that changes here.
pub fn plan_records(touched: &BTreeMap<Uuid, Touched>) -> RecordPlan {
    let mut plan = RecordPlan::default();
    for (id, t) in touched {
        let Some(result) = outcome(&t.versions) else {
            continue;
        };
        let winner_deleted = t
            .versions
            .iter()
            .any(|v| v.stamp == result.winner && v.deleted);
        match t.current {
            None if !winner_deleted => plan.adds += 1,
            Some((_, false)) if winner_deleted => plan.deletes += 1,
            Some((stamp, _)) if stamp != result.winner => plan.updates += 1,
            _ => {}
        }
        if t.current.is_none_or(|(stamp, _)| stamp != result.winner) {
            plan.writes.push((t.kind.clone(), *id, result.winner));
        }
        if !result.losers.is_empty() {
            plan.conflicted += 1;
        }
        plan.conflicts
            .push((t.kind.clone(), *id, result.losers.clone()));
    }
    plan
}

/// Where the versions came from, recorded once they are merged.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub sha256: String,
    pub device: Uuid,
    pub changes: usize,
}

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub dry_run: bool,
    /// The sync folder the versions came from: they are in it already, so this laptop need
    /// not write them there again (see `folder.rs`).
    pub folder: Option<String>,
    /// Stop, with nothing merged, when the import would delete a large part of what is here.
    pub refuse_large_delete: bool,
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Put => "put",
        Op::Delete => "delete",
        Op::Erase => "erase",
    }
}

impl Store {
    /// How many of `changes` this laptop does not hold yet (a cheap look before deciding on a
    /// backup).
    pub(crate) async fn count_unseen(&self, changes: &[Change]) -> Result<usize> {
        let mut unseen = 0;
        for chunk in changes.chunks(LOOKUP) {
            let keys: Vec<(String, String)> = chunk
                .iter()
                .map(|c| (c.record_id.to_string(), c.stamp.to_string()))
                .collect();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM json_each(?1) j WHERE NOT EXISTS
                 (SELECT 1 FROM change_log c WHERE c.record_id = j.value ->> '$[0]' AND c.stamp = j.value ->> '$[1]')",
            )
            .bind(serde_json::to_string(&keys)?)
            .fetch_one(self.pool_ref())
            .await?;
            unseen += n as usize;
        }
        Ok(unseen)
    }

    /// Merges versions checked by the bundle reader: all of them or none. A backup is made
    /// first when the import will write something and [`crate::backup::wants_backup`] says so.
    pub(crate) async fn merge_changes(
        &self,
        mut all: Vec<Change>,
        sources: &[Source],
        options: &Options,
    ) -> Result<Preview> {
        if !options.dry_run {
            let unseen = self.count_unseen(&all).await?;
            if unseen > 0 && self.wants_backup_before_import(unseen).await? {
                self.backup("before-import").await?;
            }
        }
        let mut writer = self.writer().await?;
        let mut preview = Preview {
            bundles: sources.len(),
            versions: all.len(),
            ..Preview::default()
        };
        let seq_before: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM change_log")
            .fetch_one(writer.tx())
            .await?;

        // Erasures first: whatever else arrives, and what is here already, is scrubbed.
        // A full erasure also takes the words of what was once theirs and has since been
        // anonymised elsewhere; an anonymisation keeps them (see erasure.rs).
        let mut erased_now = false;
        for change in all.iter().filter(|c| c.op == Op::Erase) {
            let words_kept = change.payload["anonymised"] == Value::Bool(true);
            erased_now |= crate::erasure::scrub_everywhere(
                writer.tx(),
                &change.record_id.to_string(),
                words_kept,
            )
            .await?;
        }
        let erased_words = crate::erasure::erased(writer.tx()).await?;
        let erased: HashSet<String> = erased_words.keys().cloned().collect();
        let wordless =
            crate::erasure::records_of_fully_erased(writer.tx(), &all, &erased_words).await?;
        for change in &mut all {
            crate::erasure::scrub(&change.kind, &mut change.payload, &erased);
            if wordless.contains(&change.record_id) {
                crate::erasure::scrub_words(&change.kind, &mut change.payload);
            }
        }

        let here = read_here(&mut writer, &all).await?;
        let fresh = new_versions(&all, &here)?;
        let mut lines = Vec::with_capacity(fresh.len());
        let mut incoming_payloads: HashMap<(Uuid, Stamp), String> = HashMap::new();
        let mut touched_kinds: BTreeMap<Uuid, String> = BTreeMap::new();
        for &n in &fresh {
            let change = &all[n];
            let payload = serde_json::to_string(&change.payload)?;
            incoming_payloads.insert((change.record_id, change.stamp), payload.clone());
            lines.push(LogLine {
                kind: change.kind.clone(),
                record_id: change.record_id.to_string(),
                stamp: change.stamp.to_string(),
                parent_stamp: change.parent_stamp.map(|s| s.to_string()),
                origin: change.origin.to_string(),
                op: op_name(change.op).to_owned(),
                payload,
                resolves: serde_json::to_string(&change.resolves)?,
            });
            *preview.by_kind.entry(change.kind.clone()).or_default() += 1;
            touched_kinds.insert(change.record_id, change.kind.clone());
        }
        writer.append(&lines).await?;
        preview.new_versions = fresh.len();
        drop(lines);

        let touched = read_touched(&mut writer, touched_kinds, &here, &all, &fresh).await?;
        let plan = plan_records(&touched);
        preview.adds = plan.adds;
        preview.updates = plan.updates;
        preview.deletes = plan.deletes;
        preview.conflicts = plan.conflicted;
        apply(&mut writer, &plan, &incoming_payloads).await?;

        if let Some(max) = fresh.iter().map(|&n| all[n].stamp).max() {
            writer.observe(max);
        }
        let now = self.clock().now().to_rfc3339();
        for source in sources {
            sqlx::query("INSERT OR IGNORE INTO imported_bundle (sha256, device, imported_at, changes) VALUES (?1, ?2, ?3, ?4)")
                .bind(&source.sha256)
                .bind(source.device.to_string())
                .bind(&now)
                .bind(source.changes as i64)
                .execute(writer.tx())
                .await?;
        }
        if let Some(folder) = &options.folder {
            crate::sync::folder::mark_merged_from_folder(writer.tx(), folder, seq_before).await?;
        }
        if preview.deletes > 5 {
            let mut live = 0;
            for kind in KINDS {
                let c: i64 =
                    sqlx::query_scalar(&format!("SELECT count(*) FROM {kind} WHERE deleted = 0"))
                        .fetch_one(writer.tx())
                        .await?;
                live += c;
            }
            preview.large_delete = (preview.deletes as i64) * 4 > live + preview.deletes as i64;
        }

        if options.dry_run {
            writer.rollback().await?;
            return Ok(preview);
        }
        if preview.large_delete && options.refuse_large_delete {
            writer.rollback().await?;
            return Err(Error::NeedsConfirmation(format!(
                "The other laptops' files would delete {} records here, a large part of what this laptop holds. Check that the sync folder is the right one; sync again to go ahead. Nothing has been changed yet.",
                preview.deletes
            )));
        }
        writer.commit().await.map_err(|e| match e {
            Error::Database(sqlx::Error::Database(db)) if db.code().as_deref() == Some("787") => {
                refuse(
                    "it refers to records it does not hold (was it cut down from a larger export?)",
                )
            }
            other => other,
        })?;
        if erased_now {
            self.compact().await?;
        }
        Ok(preview)
    }
}

/// What the change log holds of the incoming versions and records.
async fn read_here(writer: &mut Writer<'_>, all: &[Change]) -> Result<Here> {
    let mut here = Here::default();
    for chunk in all.chunks(LOOKUP) {
        let keys: Vec<(String, String)> = chunk
            .iter()
            .map(|c| (c.record_id.to_string(), c.stamp.to_string()))
            .collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.record_id, c.stamp, c.payload FROM json_each(?1) j
             JOIN change_log c ON c.record_id = j.value ->> '$[0]' AND c.stamp = j.value ->> '$[1]'",
        )
        .bind(serde_json::to_string(&keys)?)
        .fetch_all(writer.tx())
        .await?;
        for (record, stamp, payload) in rows {
            here.payloads
                .insert((parse_id(&record)?, stamp.parse()?), payload);
        }
    }
    let ids: Vec<String> = all
        .iter()
        .map(|c| c.record_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    for chunk in ids.chunks(LOOKUP) {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT record_id, min(kind) FROM change_log
             WHERE record_id IN (SELECT value FROM json_each(?1)) GROUP BY record_id",
        )
        .bind(serde_json::to_string(chunk)?)
        .fetch_all(writer.tx())
        .await?;
        for (record, kind) in rows {
            here.kinds.insert(parse_id(&record)?, kind);
        }
    }
    Ok(here)
}

/// Every version of each touched record, and its current row. A record this laptop held no
/// version of has only the incoming ones and no row, so only records held before are read.
/// One version of a record, as the change log holds it.
#[derive(sqlx::FromRow)]
struct VersionRow {
    record_id: String,
    stamp: String,
    parent_stamp: Option<String>,
    resolves: String,
    op: String,
}

async fn read_touched(
    writer: &mut Writer<'_>,
    kinds: BTreeMap<Uuid, String>,
    here: &Here,
    all: &[Change],
    fresh: &[usize],
) -> Result<BTreeMap<Uuid, Touched>> {
    let mut touched: BTreeMap<Uuid, Touched> = kinds
        .into_iter()
        .map(|(id, kind)| {
            (
                id,
                Touched {
                    kind,
                    versions: Vec::new(),
                    current: None,
                },
            )
        })
        .collect();
    for &n in fresh {
        let change = &all[n];
        if here.kinds.contains_key(&change.record_id) {
            continue;
        }
        if let Some(t) = touched.get_mut(&change.record_id) {
            t.versions.push(Version {
                stamp: change.stamp,
                parent: change.parent_stamp,
                resolves: change.resolves.clone(),
                deleted: change.op != Op::Put,
            });
        }
    }
    let ids: Vec<String> = touched
        .keys()
        .filter(|id| here.kinds.contains_key(id))
        .map(Uuid::to_string)
        .collect();
    for chunk in ids.chunks(LOOKUP) {
        let list = serde_json::to_string(chunk)?;
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT record_id, stamp, parent_stamp, resolves, op FROM change_log
             WHERE record_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&list)
        .fetch_all(writer.tx())
        .await?;
        for row in rows {
            if let Some(t) = touched.get_mut(&parse_id(&row.record_id)?) {
                t.versions.push(Version {
                    stamp: row.stamp.parse()?,
                    parent: row.parent_stamp.as_deref().map(str::parse).transpose()?,
                    resolves: serde_json::from_str(&row.resolves)?,
                    deleted: row.op != "put",
                });
            }
        }
    }
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (id, t) in touched.iter().filter(|(id, _)| here.kinds.contains_key(id)) {
        by_kind
            .entry(t.kind.as_str())
            .or_default()
            .push(id.to_string());
    }
    let mut current = Vec::new();
    for (kind, ids) in by_kind {
        if !KINDS.contains(&kind) {
            return Err(refuse("it holds an unknown kind of record"));
        }
        for chunk in ids.chunks(LOOKUP) {
            let rows: Vec<(String, String, bool)> = sqlx::query_as(&format!(
                "SELECT id, stamp, deleted FROM {kind} WHERE id IN (SELECT value FROM json_each(?1))"
            ))
            .bind(serde_json::to_string(chunk)?)
            .fetch_all(writer.tx())
            .await?;
            current.extend(rows);
        }
    }
    for (id, stamp, deleted) in current {
        if let Some(t) = touched.get_mut(&parse_id(&id)?) {
            t.current = Some((stamp.parse()?, deleted));
        }
    }
    Ok(touched)
}

/// Writes the plan: winning rows per kind, then the conflict list of every touched record.
async fn apply(
    writer: &mut Writer<'_>,
    plan: &RecordPlan,
    incoming: &HashMap<(Uuid, Stamp), String>,
) -> Result<()> {
    let missing: Vec<(String, String)> = plan
        .writes
        .iter()
        .filter(|(_, id, stamp)| !incoming.contains_key(&(*id, *stamp)))
        .map(|(_, id, stamp)| (id.to_string(), stamp.to_string()))
        .collect();
    let mut older: HashMap<(Uuid, Stamp), String> = HashMap::new();
    for chunk in missing.chunks(LOOKUP) {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.record_id, c.stamp, c.payload FROM json_each(?1) j
             JOIN change_log c ON c.record_id = j.value ->> '$[0]' AND c.stamp = j.value ->> '$[1]'",
        )
        .bind(serde_json::to_string(chunk)?)
        .fetch_all(writer.tx())
        .await?;
        for (record, stamp, payload) in rows {
            older.insert((parse_id(&record)?, stamp.parse()?), payload);
        }
    }
    let mut by_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (kind, id, stamp) in &plan.writes {
        let payload = incoming
            .get(&(*id, *stamp))
            .or_else(|| older.get(&(*id, *stamp)))
            .ok_or_else(|| Error::invalid("a winning version is missing from the change log"))?;
        by_kind.entry(kind).or_default().push(payload.clone());
    }
    // Parents before children (the order of `KINDS`): a session or participant written after
    // its reflections would make the search index drop and re-add every one of them, and with
    // SQLite's secure delete each of those costs a pass over the index (a 20,000-reflection
    // import took 52 s instead of 3).
    for kind in KINDS {
        let Some(payloads) = by_kind.remove(kind) else {
            continue;
        };
        if kind == "reflection" && payloads.len() >= INDEX_AT_ONCE {
            let ids: Vec<String> = plan
                .writes
                .iter()
                .filter(|(k, _, _)| k == "reflection")
                .map(|(_, id, _)| id.to_string())
                .collect();
            writer
                .upsert_reflections_indexing_once(&ids, &payloads)
                .await?;
        } else {
            writer.upsert_many(kind, &payloads).await?;
        }
    }
    if let Some(kind) = by_kind.keys().next() {
        return Err(crate::domain::unknown_kind(kind));
    }

    let ids: Vec<String> = plan
        .conflicts
        .iter()
        .map(|(_, id, _)| id.to_string())
        .collect();
    for chunk in ids.chunks(LOOKUP) {
        sqlx::query("DELETE FROM conflict WHERE record_id IN (SELECT value FROM json_each(?1))")
            .bind(serde_json::to_string(chunk)?)
            .execute(writer.tx())
            .await?;
    }
    let losers: Vec<(&str, String, String)> = plan
        .conflicts
        .iter()
        .flat_map(|(kind, id, stamps)| {
            stamps
                .iter()
                .map(move |s| (kind.as_str(), id.to_string(), s.to_string()))
        })
        .collect();
    for chunk in losers.chunks(crate::store::BATCH) {
        sqlx::query(
            "INSERT OR IGNORE INTO conflict (kind, record_id, stamp)
             SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]' FROM json_each(?1)",
        )
        .bind(serde_json::to_string(chunk)?)
        .execute(writer.tx())
        .await?;
    }
    Ok(())
}

/// From how many reflections an import brings the search index up to date in one pass
/// rather than row by row.
const INDEX_AT_ONCE: usize = 500;

fn parse_id(text: &str) -> Result<Uuid> {
    Uuid::try_parse(text).map_err(|_| Error::invalid("a damaged record id in the change log"))
}

#[cfg(test)]
mod tests {
    use super::super::versions::testing::{stamp, version};
    use super::*;

    fn change(id: u128, ms: i64, title: &str) -> Change {
        Change {
            kind: "programme".into(),
            record_id: Uuid::from_u128(id),
            stamp: stamp(ms, 1),
            parent_stamp: None,
            origin: Uuid::from_u128(1),
            op: Op::Put,
            resolves: vec![],
            payload: serde_json::json!({ "title": title }),
        }
    }

    #[test]
    fn versions_already_here_or_repeated_are_not_new() {
        let incoming = [change(1, 10, "a"), change(2, 10, "b"), change(2, 10, "b")];
        let mut here = Here::default();
        here.payloads.insert(
            (Uuid::from_u128(1), stamp(10, 1)),
            r#"{"title":"a"}"#.into(),
        );
        assert_eq!(new_versions(&incoming, &here).unwrap(), vec![1]);
    }

    #[test]
    fn a_version_that_differs_under_the_same_stamp_is_refused() {
        let incoming = [change(1, 10, "forged")];
        let mut here = Here::default();
        here.payloads.insert(
            (Uuid::from_u128(1), stamp(10, 1)),
            r#"{"title":"a"}"#.into(),
        );
        assert!(new_versions(&incoming, &here).is_err());
        let twice = [change(3, 10, "x"), change(3, 10, "y")];
        assert!(new_versions(&twice, &Here::default()).is_err());
    }

    #[test]
    fn a_record_that_would_change_kind_is_refused() {
        let mut here = Here::default();
        here.kinds.insert(Uuid::from_u128(1), "session".into());
        assert!(new_versions(&[change(1, 10, "a")], &here).is_err());
    }

    /// A record of `kind` touched by an import, with the versions it now has.
    fn touched(kind: &str, versions: Vec<Version>, current: Option<(Stamp, bool)>) -> Touched {
        Touched {
            kind: kind.into(),
            versions,
            current,
        }
    }

    #[test]
    fn the_plan_adds_updates_deletes_and_keeps_concurrent_versions_as_conflicts() {
        let (a, b, c, d) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let touched = BTreeMap::from([
            (
                a,
                touched("programme", vec![version(stamp(1, 1), None, false)], None),
            ),
            (
                b,
                touched(
                    "programme",
                    vec![
                        version(stamp(1, 1), None, false),
                        version(stamp(2, 2), Some(stamp(1, 1)), false),
                    ],
                    Some((stamp(1, 1), false)),
                ),
            ),
            (
                c,
                touched(
                    "session",
                    vec![
                        version(stamp(1, 1), None, false),
                        version(stamp(2, 2), Some(stamp(1, 1)), true),
                    ],
                    Some((stamp(1, 1), false)),
                ),
            ),
            (
                d,
                touched(
                    "programme",
                    vec![
                        version(stamp(1, 1), None, false),
                        version(stamp(3, 1), Some(stamp(1, 1)), false),
                        version(stamp(2, 2), Some(stamp(1, 1)), false),
                    ],
                    Some((stamp(3, 1), false)),
                ),
            ),
        ]);
        let plan = plan_records(&touched);
        assert_eq!(
            (plan.adds, plan.updates, plan.deletes, plan.conflicted),
            (1, 1, 1, 1)
        );
        assert_eq!(
            plan.writes,
            vec![
                ("programme".to_owned(), a, stamp(1, 1)),
                ("programme".to_owned(), b, stamp(2, 2)),
                ("session".to_owned(), c, stamp(2, 2)),
            ],
            "d's row already holds its winner"
        );
        assert_eq!(
            plan.conflicts.last(),
            Some(&("programme".to_owned(), d, vec![stamp(2, 2)]))
        );
    }
}
