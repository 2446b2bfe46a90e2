//! The sync folder ("Sync now"): each laptop writes only what it has not written there before,
//! as immutable segment files named `fieldbook-DEVICE-SEGMENT.fbseg` that no other laptop
//! ever replaces or deletes; a sync reads only the segments it has not merged yet, skips and
//! names any file it cannot use without stopping the rest, and leaves files still arriving for
//! the next sync. See docs/sync.md.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use uuid::Uuid;

use super::import::{Options, Source};
use super::{read_bundle, refuse, BundleScope, Change, LogRow, Manifest, Preview, SegmentInfo};
use crate::clock::MAX_DRIFT_MS;
use crate::error::{Error, Result};
use crate::store::Store;

pub const SEGMENT_EXTENSION: &str = "fbseg";
/// Changes per segment file, well under what a reader accepts in one file.
const SEGMENT_CHANGES: usize = 50_000;
/// A laptop with more segments than this in the folder folds them into fresh ones.
pub const COMPACT_AT: usize = 64;
/// A file that cannot be read and changed less than this long ago may still be arriving.
const SETTLING_SECS: u64 = 120;

/// What a file in the sync folder is, from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A segment written by a laptop's "Sync now".
    Segment { device: Uuid, id: Uuid },
    /// Any other Fieldbook file: a bundle made by hand, an older Fieldbook's whole-laptop
    /// bundle, or a copy a sync service kept of a clash. Read when new or changed.
    Bundle,
    /// Not Fieldbook's, or a sync service's temporary file: left alone, not mentioned.
    Other,
}

/// Tells a file's kind from its name: temporary and hidden files of sync services (Syncthing's
/// `.syncthing.NAME.tmp` and `~syncthing~NAME.tmp`, Dropbox, OneDrive, Nextcloud partial
/// downloads, Fieldbook's own `.NAME.partial`) are never read.
pub fn classify(name: &str) -> FileKind {
    let lower = name.to_ascii_lowercase();
    let temporary = [
        ".tmp",
        ".part",
        ".partial",
        ".crdownload",
        ".download",
        ".!sync",
    ];
    if name.starts_with('.')
        || name.starts_with('~')
        || temporary.iter().any(|t| lower.ends_with(t))
    {
        return FileKind::Other;
    }
    if let Some(stem) = name
        .strip_prefix("fieldbook-")
        .and_then(|n| n.strip_suffix(&format!(".{SEGMENT_EXTENSION}")))
    {
        // Ids are written in their simple form (no hyphens), so the one hyphen parts them.
        if let Some((device, id)) = stem.split_once('-') {
            if let (Ok(device), Ok(id)) = (Uuid::try_parse(device), Uuid::try_parse(id)) {
                return FileKind::Segment { device, id };
            }
        }
    }
    if lower.ends_with(&format!(".{SEGMENT_EXTENSION}"))
        || lower.ends_with(&format!(".{}", super::EXTENSION))
    {
        return FileKind::Bundle;
    }
    FileKind::Other
}

pub fn segment_name(device: Uuid, id: Uuid) -> String {
    format!(
        "fieldbook-{}-{}.{SEGMENT_EXTENSION}",
        device.simple(),
        id.simple()
    )
}

/// A file in the folder that was not used, and why, in the facilitator's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// A laptop whose clock looks wrong, from when its file says it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockWarning {
    pub laptop: String,
    pub hours_ahead: i64,
    pub message: String,
}

/// What "Sync now" did with a folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FolderSync {
    pub folder: PathBuf,
    /// Files merged this time.
    pub merged: Vec<String>,
    /// Files that could not be used; the rest merged without them.
    pub skipped: Vec<Skipped>,
    /// Files still arriving (being copied, or placeholders), left for the next sync.
    pub waiting: Vec<String>,
    /// Files this laptop wrote this time, and how many changes they hold.
    pub written: Vec<String>,
    pub written_changes: usize,
    /// This laptop's own older files folded into the ones written (and removed).
    pub compacted: usize,
    pub clocks: Vec<ClockWarning>,
    pub preview: Preview,
}

struct Listed {
    name: String,
    kind: FileKind,
    bytes: u64,
    modified: i64,
    age_secs: u64,
}

struct Good {
    name: String,
    manifest: Manifest,
    changes: Vec<Change>,
    sha256: String,
}

/// The key a file is remembered by once merged: a segment's name never changes content, any
/// other file may be rewritten under the same name.
fn merged_key(file: &Listed) -> String {
    match file.kind {
        FileKind::Segment { .. } => file.name.clone(),
        _ => format!("{}@{}@{}", file.name, file.bytes, file.modified),
    }
}

fn list(folder: &Path) -> Result<Vec<Listed>> {
    let unreadable = |e: std::io::Error| {
        Error::invalid(format!(
            "Fieldbook cannot read the sync folder {}: {e}. Check that it is there and that you may open it. Nothing has been changed.",
            folder.display()
        ))
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = classify(&name);
        if kind == FileKind::Other {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        out.push(Listed {
            name,
            kind,
            bytes: meta.len(),
            modified: modified
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
            age_secs: SystemTime::now()
                .duration_since(modified)
                .map_or(0, |d| d.as_secs()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Keeps the folder's entry-log mark right after an import from it: when everything up to the
/// mark was in the folder before, everything the import added is in it too (it came from it).
pub(crate) async fn mark_merged_from_folder(
    conn: &mut sqlx::SqliteConnection,
    folder: &str,
    seq_before: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_folder_mark (folder, written_upto)
         SELECT ?1, (SELECT coalesce(max(seq), 0) FROM change_log)
         WHERE ?2 = coalesce((SELECT written_upto FROM sync_folder_mark WHERE folder = ?1), 0)
         ON CONFLICT (folder) DO UPDATE SET written_upto = excluded.written_upto",
    )
    .bind(folder)
    .bind(seq_before)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a reader error means "try again later" rather than "this file is unusable".
fn about_passphrase(error: &Error) -> bool {
    let text = error.to_string();
    text.contains("passphrase")
}

/// The setting that remembers this laptop's sync folder, and the one that keeps what the
/// last sync did (shown on the Sync screen until the next).
const SYNC_FOLDER: &str = "sync_folder";
const LAST_SYNC: &str = "last_sync";

impl Store {
    /// The sync folder chosen on this laptop, if one was.
    pub async fn chosen_sync_folder(&self) -> Result<Option<PathBuf>> {
        Ok(self.setting(SYNC_FOLDER).await?.map(PathBuf::from))
    }

    /// Remembers `folder` as this laptop's sync folder, once it is known to be a folder.
    pub async fn choose_sync_folder(&self, folder: &Path) -> Result<()> {
        if !folder.is_dir() {
            return Err(Error::invalid(format!(
                "{} is not a folder Fieldbook can reach. Choose another. Nothing has been changed.",
                folder.display()
            )));
        }
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        self.set_setting(SYNC_FOLDER, &folder.to_string_lossy())
            .await
    }

    /// What the last sync from the chosen folder did, as it was recorded.
    pub async fn last_sync(&self) -> Result<Option<serde_json::Value>> {
        Ok(self
            .setting(LAST_SYNC)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// "Sync now" with the chosen sync folder, recording what it did for the Sync screen.
    pub async fn sync_chosen_folder(
        &self,
        passphrase: Option<&str>,
        allow_large_delete: bool,
    ) -> Result<FolderSync> {
        let folder = self.chosen_sync_folder().await?.ok_or_else(|| {
            Error::invalid("Choose a sync folder first: one that every laptop can reach, such as a shared drive or a USB stick.")
        })?;
        let report = self
            .sync_folder_confirmed(&folder, passphrase, allow_large_delete)
            .await?;
        let summary = serde_json::json!({
            "at": self.clock().now(),
            "imported": report.merged.len(),
            "preview": report.preview,
            "skipped": report.skipped,
            "clocks": report.clocks,
        });
        self.set_setting(LAST_SYNC, &summary.to_string()).await?;
        Ok(report)
    }

    /// "Sync now": merges what other laptops wrote into `folder`, then writes what this laptop
    /// has not written there yet. Works on any file-sync engine or a USB stick: merging is
    /// order-independent and idempotent, and no file is ever replaced.
    pub async fn sync_folder(&self, folder: &Path, passphrase: Option<&str>) -> Result<FolderSync> {
        self.sync_folder_confirmed(folder, passphrase, true).await
    }

    /// As [`Store::sync_folder`], but when the others' files would delete a large part of
    /// what is here, stops first (nothing merged) unless `allow_large_delete`.
    pub async fn sync_folder_confirmed(
        &self,
        folder: &Path,
        passphrase: Option<&str>,
        allow_large_delete: bool,
    ) -> Result<FolderSync> {
        if !folder.is_dir() {
            return Err(Error::invalid(format!(
                "{} is not a folder Fieldbook can reach. Choose the sync folder again. Nothing has been changed.",
                folder.display()
            )));
        }
        let key = std::fs::canonicalize(folder)
            .unwrap_or_else(|_| folder.to_path_buf())
            .to_string_lossy()
            .into_owned();
        let files = list(folder)?;
        let mut report = FolderSync {
            folder: folder.to_path_buf(),
            ..FolderSync::default()
        };
        let me = self.device_id();

        let merged: HashSet<String> = sqlx::query_scalar("SELECT name FROM merged_segment")
            .fetch_all(self.pool_ref())
            .await?
            .into_iter()
            .collect();
        let merged_ids: HashSet<Uuid> = merged
            .iter()
            .filter_map(|n| match classify(n) {
                FileKind::Segment { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        let remembered: HashMap<String, (i64, i64, String)> =
            sqlx::query_as::<_, (String, i64, i64, String)>(
                "SELECT name, bytes, modified, reason FROM skipped_file WHERE folder = ?1",
            )
            .bind(&key)
            .fetch_all(self.pool_ref())
            .await?
            .into_iter()
            .map(|(n, b, m, r)| (n, (b, m, r)))
            .collect();

        let mut good = Vec::new();
        let mut forget_skips = Vec::new();
        let mut new_skips = Vec::new();
        for file in &files {
            match file.kind {
                FileKind::Segment { device, .. } if device == me => continue,
                FileKind::Bundle if file.name == format!("{}.{}", me, super::EXTENSION) => continue,
                _ => {}
            }
            if merged.contains(&merged_key(file)) {
                continue;
            }
            if let Some((bytes, modified, reason)) = remembered.get(&file.name) {
                if *bytes == file.bytes as i64 && *modified == file.modified {
                    report.skipped.push(Skipped {
                        file: file.name.clone(),
                        reason: reason.clone(),
                    });
                    continue;
                }
                forget_skips.push(file.name.clone());
            }
            if file.bytes == 0 {
                report.waiting.push(file.name.clone());
                continue;
            }
            let bytes = match std::fs::read(folder.join(&file.name)) {
                Ok(b) if b.len() as u64 == file.bytes => b,
                // Being written, moved or removed while we looked: next time.
                _ => {
                    report.waiting.push(file.name.clone());
                    continue;
                }
            };
            match read_folder_file(&file.name, &bytes, passphrase) {
                Ok((manifest, changes)) => {
                    if let (FileKind::Segment { .. }, Some(segment)) =
                        (file.kind, &manifest.segment)
                    {
                        if !segment.replaces.is_empty()
                            && segment.replaces.iter().all(|r| merged_ids.contains(r))
                        {
                            // A compaction of segments already merged here: nothing new in it.
                            good.push(Good {
                                name: file.name.clone(),
                                manifest,
                                changes: Vec::new(),
                                sha256: super::sha256_hex(&bytes),
                            });
                            continue;
                        }
                    }
                    good.push(Good {
                        name: file.name.clone(),
                        manifest,
                        changes,
                        sha256: super::sha256_hex(&bytes),
                    });
                }
                Err(e) if file.age_secs < SETTLING_SECS && !about_passphrase(&e) => {
                    report.waiting.push(file.name.clone());
                }
                Err(e) => {
                    let reason = e.to_string().replace(" Nothing has been changed.", "");
                    if !about_passphrase(&e) {
                        new_skips.push((
                            file.name.clone(),
                            file.bytes,
                            file.modified,
                            reason.clone(),
                        ));
                    }
                    report.skipped.push(Skipped {
                        file: file.name.clone(),
                        reason,
                    });
                }
            }
        }

        let now = self.clock().now();
        for g in &good {
            let ahead = (g.manifest.created_at - now).num_milliseconds();
            if ahead > MAX_DRIFT_MS {
                let laptop = g
                    .manifest
                    .segment
                    .as_ref()
                    .map(|s| s.device_name.clone())
                    .unwrap_or_else(|| {
                        format!("laptop {}", &g.manifest.device.simple().to_string()[..8])
                    });
                let hours = ahead / 3_600_000;
                if !report.clocks.iter().any(|c| c.laptop == laptop) {
                    report.clocks.push(ClockWarning {
                        message: clock_message(&laptop, hours),
                        laptop,
                        hours_ahead: hours,
                    });
                }
            }
        }

        // Everything good together first; if that is refused, one file at a time, so that one
        // file that cannot be merged never holds back the others.
        if !good.is_empty() {
            match self
                .merge_files(&good, &key, passphrase, allow_large_delete)
                .await
            {
                Ok(preview) => {
                    report.preview = preview;
                    report.merged.extend(good.iter().map(|g| g.name.clone()));
                }
                Err(Error::Invalid(_)) if good.len() > 1 => {
                    let mut total = Preview::default();
                    for g in &good {
                        match self
                            .merge_files(
                                std::slice::from_ref(g),
                                &key,
                                passphrase,
                                allow_large_delete,
                            )
                            .await
                        {
                            Ok(p) => {
                                add(&mut total, &p);
                                report.merged.push(g.name.clone());
                            }
                            Err(Error::Invalid(why)) => report.skipped.push(Skipped {
                                file: g.name.clone(),
                                reason: format!(
                                    "{} Fieldbook tries it again at the next sync.",
                                    why.replace(" Nothing has been changed.", "")
                                ),
                            }),
                            Err(other) => return Err(other),
                        }
                    }
                    report.preview = total;
                }
                Err(Error::Invalid(why)) => report.skipped.push(Skipped {
                    file: good[0].name.clone(),
                    reason: format!(
                        "{} Fieldbook tries it again at the next sync.",
                        why.replace(" Nothing has been changed.", "")
                    ),
                }),
                Err(other) => return Err(other),
            }
        }
        let mut writer = self.writer().await?;
        for name in &forget_skips {
            sqlx::query("DELETE FROM skipped_file WHERE folder = ?1 AND name = ?2")
                .bind(&key)
                .bind(name)
                .execute(writer.tx())
                .await?;
        }
        for (name, bytes, modified, reason) in &new_skips {
            sqlx::query("INSERT OR REPLACE INTO skipped_file (folder, name, bytes, modified, reason) VALUES (?1, ?2, ?3, ?4, ?5)")
                .bind(&key)
                .bind(name)
                .bind(*bytes as i64)
                .bind(*modified)
                .bind(reason)
                .execute(writer.tx())
                .await?;
        }
        for file in files.iter().filter(|f| report.merged.contains(&f.name)) {
            let device = good
                .iter()
                .find(|g| g.name == file.name)
                .map(|g| g.manifest.device.to_string())
                .unwrap_or_default();
            sqlx::query("INSERT OR IGNORE INTO merged_segment (name, device, changes, merged_at) VALUES (?1, ?2, ?3, ?4)")
                .bind(merged_key(file))
                .bind(device)
                .bind(good.iter().find(|g| g.name == file.name).map_or(0, |g| g.changes.len() as i64))
                .bind(now.to_rfc3339())
                .execute(writer.tx())
                .await?;
        }
        writer.commit().await?;

        self.write_segments(folder, &key, &files, passphrase, &mut report)
            .await?;
        Ok(report)
    }

    async fn merge_files(
        &self,
        files: &[Good],
        key: &str,
        _passphrase: Option<&str>,
        allow_large_delete: bool,
    ) -> Result<Preview> {
        let all: Vec<Change> = files
            .iter()
            .flat_map(|g| g.changes.iter().cloned())
            .collect();
        let sources: Vec<Source> = files
            .iter()
            .filter(|g| g.manifest.segment.is_none())
            .map(|g| Source {
                sha256: g.sha256.clone(),
                device: g.manifest.device,
                changes: g.changes.len(),
            })
            .collect();
        let options = Options {
            dry_run: false,
            folder: Some(key.to_owned()),
            refuse_large_delete: !allow_large_delete,
        };
        self.merge_changes(all, &sources, &options).await
    }

    /// Writes the changes this laptop has not yet put in the folder, as new segments; folds
    /// this laptop's segments into fresh ones when there are many.
    async fn write_segments(
        &self,
        folder: &Path,
        key: &str,
        files: &[Listed],
        passphrase: Option<&str>,
        report: &mut FolderSync,
    ) -> Result<()> {
        let me = self.device_id();
        let present: HashSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let written: Vec<String> =
            sqlx::query_scalar("SELECT name FROM written_segment WHERE folder = ?1")
                .bind(key)
                .fetch_all(self.pool_ref())
                .await?;
        let lost = written.iter().any(|n| !present.contains(n.as_str()));
        let mark: Option<i64> =
            sqlx::query_scalar("SELECT written_upto FROM sync_folder_mark WHERE folder = ?1")
                .bind(key)
                .fetch_optional(self.pool_ref())
                .await?;
        let newest: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM change_log")
            .fetch_one(self.pool_ref())
            .await?;
        let own: Vec<Uuid> = files
            .iter()
            .filter_map(|f| match f.kind {
                FileKind::Segment { device, id } if device == me => Some(id),
                _ => None,
            })
            .collect();
        // Folding this laptop's segments into fresh ones only when nothing is pending, so
        // that a laptop that merged all of them may skip the fresh ones without missing
        // anything.
        let compact = !lost && mark.unwrap_or(0) >= newest && own.len() >= COMPACT_AT;
        // A folder that lost this laptop's files (emptied, or a new one) gets everything again.
        let from = if lost || compact {
            0
        } else {
            mark.unwrap_or(0)
        };
        let replaces = if compact { own.clone() } else { Vec::new() };

        let rows: Vec<(i64, LogRow)> = {
            let rows: Vec<LogRowWithSeq> = sqlx::query_as(
                "SELECT seq, kind, record_id, stamp, parent_stamp, origin, op, payload, resolves
                 FROM change_log WHERE seq > ?1 ORDER BY seq",
            )
            .bind(from)
            .fetch_all(self.pool_ref())
            .await?;
            rows.into_iter().map(|r| (r.seq, r.row)).collect()
        };
        let mut upto = from;
        let device_name: String = sqlx::query_scalar("SELECT name FROM device LIMIT 1")
            .fetch_one(self.pool_ref())
            .await?;
        let mut names = Vec::new();
        for chunk in rows.chunks(SEGMENT_CHANGES) {
            let mut changes = Vec::with_capacity(chunk.len());
            for (seq, row) in chunk {
                changes.push(row.clone().into_change()?);
                upto = *seq;
            }
            let id = Uuid::now_v7();
            let name = segment_name(me, id);
            let path = folder.join(&name);
            if path.exists() {
                return Err(refuse(
                    "a file with this laptop's next segment name is already in the sync folder",
                ));
            }
            let bytes = self.pack(
                &changes,
                BundleScope::Everything,
                Some(SegmentInfo {
                    id,
                    device_name: device_name.clone(),
                    replaces: replaces.clone(),
                }),
                passphrase,
            )?;
            crate::export::write_atomically(&path, &bytes)?;
            let mut writer = self.writer().await?;
            sqlx::query("INSERT INTO written_segment (folder, name, changes, written_at) VALUES (?1, ?2, ?3, ?4)")
                .bind(key)
                .bind(&name)
                .bind(changes.len() as i64)
                .bind(self.clock().now().to_rfc3339())
                .execute(writer.tx())
                .await?;
            sqlx::query(
                "INSERT INTO sync_folder_mark (folder, written_upto) VALUES (?1, ?2)
                 ON CONFLICT (folder) DO UPDATE SET written_upto = max(written_upto, excluded.written_upto)",
            )
            .bind(key)
            .bind(upto)
            .execute(writer.tx())
            .await?;
            writer.commit().await?;
            report.written_changes += changes.len();
            names.push(name);
        }
        if lost {
            let mut writer = self.writer().await?;
            for n in written.iter().filter(|n| !present.contains(n.as_str())) {
                sqlx::query("DELETE FROM written_segment WHERE folder = ?1 AND name = ?2")
                    .bind(key)
                    .bind(n)
                    .execute(writer.tx())
                    .await?;
            }
            writer.commit().await?;
        }
        if compact && !names.is_empty() {
            // Only this laptop's own files, which every other laptop can do without now.
            let mut writer = self.writer().await?;
            for id in &own {
                let name = segment_name(me, *id);
                if std::fs::remove_file(folder.join(&name)).is_ok() {
                    report.compacted += 1;
                }
                sqlx::query("DELETE FROM written_segment WHERE folder = ?1 AND name = ?2")
                    .bind(key)
                    .bind(&name)
                    .execute(writer.tx())
                    .await?;
            }
            writer.commit().await?;
        }
        report.written = names;
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct LogRowWithSeq {
    seq: i64,
    #[sqlx(flatten)]
    row: LogRow,
}

/// Reads one file of the sync folder named `name`: a bundle, and for a segment also the check
/// that its name agrees with what it holds (the fuzz target `read_folder_file` calls this).
pub fn read_folder_file(
    name: &str,
    bytes: &[u8],
    passphrase: Option<&str>,
) -> Result<(Manifest, Vec<Change>)> {
    let (manifest, changes) = read_bundle(bytes, passphrase)?;
    if let FileKind::Segment { device, id } = classify(name) {
        let agrees =
            manifest.device == device && manifest.segment.as_ref().is_some_and(|s| s.id == id);
        if !agrees {
            return Err(refuse(
                "its name does not match what it holds (was it renamed?)",
            ));
        }
    }
    Ok((manifest, changes))
}

fn clock_message(laptop: &str, hours: i64) -> String {
    let ahead = if hours >= 48 {
        format!("{} days", hours / 24)
    } else {
        format!("{hours} hours")
    };
    format!(
        "{laptop}'s clock looks {ahead} ahead of this laptop's (or this laptop's is behind). Check the date and time on both; what was written is merged either way."
    )
}

fn add(total: &mut Preview, p: &Preview) {
    total.bundles += p.bundles;
    total.versions += p.versions;
    total.new_versions += p.new_versions;
    total.adds += p.adds;
    total.updates += p.updates;
    total.deletes += p.deletes;
    total.conflicts += p.conflicts;
    total.large_delete |= p.large_delete;
    for (k, n) in &p.by_kind {
        *total.by_kind.entry(k.clone()).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_segments_bundles_and_files_to_leave_alone() {
        let (d, s) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            classify(&segment_name(d, s)),
            FileKind::Segment { device: d, id: s }
        );
        assert_eq!(classify("fieldbook-2027-02-01.fieldbook"), FileKind::Bundle);
        assert_eq!(
            classify(&format!(
                "{d}.sync-conflict-20261130-120000-ABCDEFG.fieldbook"
            )),
            FileKind::Bundle
        );
        for other in [
            ".syncthing.fieldbook-a-b.fbseg.tmp",
            "~syncthing~fieldbook-a-b.fbseg.tmp",
            ".fieldbook-x.fbseg.0190.partial",
            "report.docx",
            "fieldbook-x.fbseg.part",
            "desktop.ini",
        ] {
            assert_eq!(classify(other), FileKind::Other, "{other}");
        }
        assert_eq!(classify("fieldbook-nothex-nothex.fbseg"), FileKind::Bundle);
    }

    #[test]
    fn a_clock_days_ahead_is_said_in_days() {
        assert!(clock_message("Priya's laptop", 50).contains("2 days ahead"));
        assert!(clock_message("Priya's laptop", 30).contains("30 hours ahead"));
    }
}
