//! Backups and restore: whole, consistent copies of the database (`VACUUM INTO`), each checked
//! with `integrity_check`; a restore checks its file first and never replaces a good
//! database with a bad one.

use std::path::{Path, PathBuf};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::{Store, DATABASE_FILE};

/// Checks that `path` is a sound Fieldbook database this version can open.
pub async fn check_database_file(path: &Path) -> Result<()> {
    let bad = |why: &str| {
        Error::invalid(format!(
            "{} is not a usable Fieldbook backup: {why}. Nothing has been changed.",
            path.display()
        ))
    };
    if !path.is_file() {
        return Err(bad("there is no such file"));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|_| bad("it cannot be opened"))?;
    let result: Result<()> = async {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| bad("it is not a database or it is damaged"))?;
        if integrity != "ok" {
            return Err(bad("it is damaged"));
        }
        let has_device: bool =
            sqlx::query_scalar("SELECT count(*) = 1 FROM sqlite_master WHERE name = 'device'")
                .fetch_one(&mut conn)
                .await
                .map_err(|_| bad("it is damaged"))?;
        if !has_device {
            return Err(bad("it is a database, but not Fieldbook's"));
        }
        crate::store::Migrated::of(&mut conn)
            .await
            .map_err(|_| bad("it is a database, but not Fieldbook's"))?
            .check_not_newer()
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Copies the database into `folder` as `REASON-YYYYMMDD-HHMMSS-XXXX.db`, whole and consistent
/// (`VACUUM INTO`), and checks the copy; a copy that fails the check is removed.
pub(crate) async fn copy_checked(
    pool: &sqlx::SqlitePool,
    folder: &Path,
    reason: &str,
    clock: &dyn crate::clock::Clock,
) -> Result<PathBuf> {
    std::fs::create_dir_all(folder).map_err(|e| Error::DataDir {
        path: folder.to_path_buf(),
        reason: e.to_string(),
    })?;
    let unique = Uuid::now_v7().simple().to_string();
    let path = folder.join(format!(
        "{reason}-{}-{}.db",
        clock.now().format("%Y%m%d-%H%M%S"),
        &unique[24..]
    ));
    vacuum_into_checked(pool, &path).await?;
    Ok(path)
}

async fn vacuum_into_checked(pool: &sqlx::SqlitePool, path: &Path) -> Result<()> {
    sqlx::query("VACUUM INTO ?1")
        .bind(path.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    if let Err(e) = check_database_file(path).await {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

impl Store {
    /// Writes a checked backup to `out` (which must not exist yet).
    pub async fn backup_to(&self, out: &Path) -> Result<()> {
        if out.exists() {
            return Err(Error::invalid(format!(
                "{} already exists: choose a new name, so no file is overwritten.",
                out.display()
            )));
        }
        let folder = crate::export::folder_of(out);
        let temp = folder.join(format!(
            ".fieldbook-backup-{}.partial",
            Uuid::now_v7().simple()
        ));
        if let Err(e) = vacuum_into_checked(self.pool_ref(), &temp).await {
            let _ = std::fs::remove_file(&temp);
            return Err(match e {
                Error::Database(e) => Error::invalid(format!("The backup could not be written to {}: {e}. Check that the folder exists and has space.", folder.display())),
                other => other,
            });
        }
        std::fs::rename(&temp, out).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Error::invalid(format!(
                "The backup could not be saved as {}: {e}",
                out.display()
            ))
        })
    }
}

/// Replaces the database in `data_dir` with `file`, after checking `file` and backing up what
/// is there. Returns where the previous database was kept. No store may be open on
/// `data_dir` meanwhile.
pub async fn restore(data_dir: &Path, file: &Path) -> Result<Option<PathBuf>> {
    check_database_file(file).await?;
    let current = data_dir.join(DATABASE_FILE);
    let mut kept = None;
    if current.exists() {
        let store = Store::open(data_dir).await?;
        kept = Some(store.backup("before-restore").await?);
        store.close().await;
    } else {
        std::fs::create_dir_all(data_dir)?;
    }
    let incoming = data_dir.join(format!(".{DATABASE_FILE}.restoring"));
    std::fs::copy(file, &incoming).map_err(|e| {
        Error::invalid(format!(
            "The backup could not be copied: {e}. Nothing has been changed."
        ))
    })?;
    mark_restored(&incoming).await?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
    std::fs::rename(&incoming, &current)?;
    Ok(kept)
}

/// A restored database takes a new device id when it is next opened: the laptop it was backed
/// up on may still be syncing under the old one (see docs/sync.md).
async fn mark_restored(file: &Path) -> Result<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .connect()
        .await
        .map_err(|e| {
            Error::invalid(format!(
                "The backup could not be prepared: {e}. Nothing has been changed."
            ))
        })?;
    sqlx::query("INSERT OR REPLACE INTO setting (key, value) VALUES (?1, 'yes')")
        .bind(crate::store::RESTORED_SETTING)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

const STAGED: &str = "restore-pending.db";

/// Checks `file` and puts it beside the database, to replace it the next time Fieldbook opens
/// (when nothing has the database open).
pub async fn stage_restore(data_dir: &Path, file: &Path) -> Result<()> {
    check_database_file(file).await?;
    let staged = data_dir.join(STAGED);
    let temp = data_dir.join(format!(".{STAGED}.partial"));
    std::fs::copy(file, &temp).map_err(|e| {
        Error::invalid(format!(
            "The backup could not be copied: {e}. Nothing has been changed."
        ))
    })?;
    std::fs::rename(&temp, staged)?;
    Ok(())
}

/// Restores a staged backup, if there is one; call before opening the store.
pub async fn apply_staged_restore(data_dir: &Path) -> Result<bool> {
    let staged = data_dir.join(STAGED);
    if !staged.exists() {
        return Ok(false);
    }
    let result = restore(data_dir, &staged).await;
    let _ = std::fs::remove_file(&staged);
    result.map(|_| true)
}

/// A backup on file, for the list in the window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupFile {
    pub name: String,
    pub bytes: u64,
    pub modified: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where backups go and how many are kept: the facilitator's choice, shown in Data and backups.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupPolicy {
    /// The folder backups go to (`backups/` beside the database unless chosen).
    pub folder: PathBuf,
    /// How many backups of each kind (daily, before an import...) are kept.
    pub kept: usize,
    /// The most all backups together may take, in megabytes; the newest backup of each kind
    /// is kept even past it.
    pub budget_mb: u64,
}

pub(crate) const FOLDER_SETTING: &str = "backup_folder";
const KEPT_SETTING: &str = "backups_kept";
const BUDGET_SETTING: &str = "backup_budget_mb";
pub const DEFAULT_KEPT: usize = 5;
pub const DEFAULT_BUDGET_MB: u64 = 10 * 1024;
/// How long a backup covers small imports: one within this long is enough before a sync that
/// brings in a little (see [`wants_backup`]).
const COVERS_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether an import of `unseen` new versions into a laptop holding `held` needs a backup
/// first, given how old the newest backup is. A backup copies the whole database (gigabytes
/// at a million reflections), so a sync that brings in a little is covered by the day's
/// backup; a large import, or one with no backup in the last day, gets its own.
pub fn wants_backup(unseen: usize, held: i64, newest_age_ms: Option<i64>) -> bool {
    unseen > 0 && (newest_age_ms.is_none_or(|age| age > COVERS_MS) || (unseen as i64) * 10 > held)
}

/// Which backups to delete so that each kind keeps at most `kept` and all together fit in
/// `budget` bytes; the newest of each kind always stays. `files` are (name, bytes), any order.
pub fn to_prune(files: &[(String, u64)], kept: usize, budget: u64) -> Vec<String> {
    let kind_of = |name: &str| {
        name.split('-')
            .take_while(|p| !p.starts_with(|c: char| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut sorted: Vec<&(String, u64)> = files.iter().collect();
    // Names carry the time after the kind, so by kind then name is oldest first within a kind.
    sorted.sort_by(|a, b| (kind_of(&a.0), &a.0).cmp(&(kind_of(&b.0), &b.0)));
    let mut by_kind: std::collections::BTreeMap<String, Vec<&(String, u64)>> = Default::default();
    for f in sorted {
        by_kind.entry(kind_of(&f.0)).or_default().push(f);
    }
    let mut gone = Vec::new();
    let mut left: Vec<(&String, u64, bool)> = Vec::new();
    for files in by_kind.values() {
        let keep_from = files.len().saturating_sub(kept.max(1));
        for (n, (name, bytes)) in files.iter().map(|f| (&f.0, f.1)).enumerate() {
            if n < keep_from {
                gone.push(name.clone());
            } else {
                left.push((name, bytes, n + 1 == files.len()));
            }
        }
    }
    let mut total: u64 = left.iter().map(|(_, b, _)| b).sum();
    // Oldest first across kinds (the time follows the kind in every name).
    left.sort_by(|a, b| {
        a.0.trim_start_matches(|c: char| !c.is_ascii_digit())
            .cmp(b.0.trim_start_matches(|c: char| !c.is_ascii_digit()))
    });
    for (name, bytes, newest_of_kind) in left {
        if total <= budget {
            break;
        }
        if !newest_of_kind {
            gone.push(name.clone());
            total -= bytes;
        }
    }
    gone
}

/// When a backup was taken, from its name (`REASON-YYYYMMDD-HHMMSS-XXXX.db`), on the clock
/// Fieldbook wrote it with.
fn taken_at(name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stem = name.strip_suffix(".db")?;
    let mut parts = stem.rsplitn(4, '-');
    let (_, time, date) = (parts.next()?, parts.next()?, parts.next()?);
    chrono::NaiveDateTime::parse_from_str(&format!("{date}{time}"), "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

impl Store {
    /// Where backups go and how many are kept.
    pub async fn backup_policy(&self) -> Result<BackupPolicy> {
        let default_folder = self
            .path()
            .parent()
            .unwrap_or(Path::new("."))
            .join("backups");
        Ok(BackupPolicy {
            folder: self
                .setting(FOLDER_SETTING)
                .await?
                .map(PathBuf::from)
                .unwrap_or(default_folder),
            kept: self
                .setting(KEPT_SETTING)
                .await?
                .and_then(|k| k.parse().ok())
                .unwrap_or(DEFAULT_KEPT),
            budget_mb: self
                .setting(BUDGET_SETTING)
                .await?
                .and_then(|k| k.parse().ok())
                .unwrap_or(DEFAULT_BUDGET_MB),
        })
    }

    /// Changes where backups go and how many are kept, after checking that the folder can be
    /// written to; nothing changes if it cannot.
    pub async fn set_backup_policy(&self, policy: &BackupPolicy) -> Result<BackupPolicy> {
        if !(1..=100).contains(&policy.kept) {
            return Err(Error::invalid(
                "Keep between 1 and 100 backups of each kind. Nothing has been changed.",
            ));
        }
        if policy.budget_mb < 100 {
            return Err(Error::invalid(
                "Allow backups at least 100 MB in all. Nothing has been changed.",
            ));
        }
        let folder = &policy.folder;
        if !folder.is_absolute() {
            return Err(Error::invalid(format!(
                "{} is not a full folder path. Choose the folder again. Nothing has been changed.",
                folder.display()
            )));
        }
        let probe = folder.join(format!(".fieldbook-probe-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(folder)
            .and_then(|_| std::fs::write(&probe, b"probe"))
            .map_err(|e| Error::invalid(format!("Backups cannot be saved in {}: {e}. Choose a folder you can write to. Nothing has been changed.", folder.display())))?;
        let _ = std::fs::remove_file(&probe);
        let mut writer = self.writer().await?;
        writer
            .set_setting(FOLDER_SETTING, &folder.to_string_lossy())
            .await?;
        writer
            .set_setting(KEPT_SETTING, &policy.kept.to_string())
            .await?;
        writer
            .set_setting(BUDGET_SETTING, &policy.budget_mb.to_string())
            .await?;
        writer.commit().await?;
        self.backup_policy().await
    }

    /// Copies the database, whole and consistent and checked, into the backup folder, then
    /// keeps only what the [`BackupPolicy`] allows.
    pub async fn backup(&self, reason: &str) -> Result<PathBuf> {
        let policy = self.backup_policy().await?;
        let folder = policy.folder.clone();
        let path = copy_checked(self.pool_ref(), &folder, reason, self.clock()).await?;
        let files: Vec<(String, u64)> = self
            .backups()
            .await?
            .into_iter()
            .map(|b| (b.name, b.bytes))
            .collect();
        for name in to_prune(&files, policy.kept, policy.budget_mb * 1024 * 1024) {
            let _ = std::fs::remove_file(folder.join(name));
        }
        Ok(path)
    }

    /// Whether an import of `unseen` new versions should be preceded by a backup.
    pub(crate) async fn wants_backup_before_import(&self, unseen: usize) -> Result<bool> {
        let held: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM change_log")
            .fetch_one(self.pool_ref())
            .await?;
        let now = self.clock().now();
        let newest = self
            .backups()
            .await?
            .iter()
            .filter_map(|b| taken_at(&b.name))
            .max();
        let age = newest.map(|t| (now - t).num_milliseconds());
        Ok(wants_backup(unseen, held, age))
    }

    /// The backups in the backup folder, newest first.
    pub async fn backups(&self) -> Result<Vec<BackupFile>> {
        let folder = self.backup_policy().await?.folder;
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<BackupFile> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "db"))
            .map(|e| {
                let meta = e.metadata().ok();
                BackupFile {
                    name: e.file_name().to_string_lossy().into_owned(),
                    bytes: meta.as_ref().map_or(0, |m| m.len()),
                    modified: meta
                        .and_then(|m| m.modified().ok())
                        .map(chrono::DateTime::<chrono::Utc>::from),
                }
            })
            .collect();
        out.sort_by(|a, b| b.modified.cmp(&a.modified).then(b.name.cmp(&a.name)));
        Ok(out)
    }

    /// Makes the day's backup the first time Fieldbook is used on a day.
    pub async fn backup_daily(&self) -> Result<Option<PathBuf>> {
        let today = format!("daily-{}", self.clock().now().format("%Y%m%d"));
        if self
            .backups()
            .await?
            .iter()
            .any(|b| b.name.starts_with(&today))
        {
            return Ok(None);
        }
        self.backup("daily").await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_sync_is_covered_by_a_backup_from_today_and_a_large_one_is_not() {
        let hour = 60 * 60 * 1000;
        assert!(!wants_backup(0, 100, None), "nothing new: no backup");
        assert!(wants_backup(1, 100, None), "no backup yet");
        assert!(!wants_backup(100, 1_000_000, Some(2 * hour)));
        assert!(wants_backup(100, 1_000_000, Some(25 * hour)));
        assert!(
            wants_backup(200_000, 1_000_000, Some(hour)),
            "a fifth of the data"
        );
    }

    #[test]
    fn pruning_keeps_so_many_of_each_kind_and_fits_the_budget_keeping_the_newest_of_each() {
        let files: Vec<(String, u64)> = [
            "daily-20270101-090000-aaaa.db",
            "daily-20270102-090000-aaaa.db",
            "daily-20270103-090000-aaaa.db",
            "before-import-20270101-100000-aaaa.db",
            "before-import-20270103-100000-aaaa.db",
        ]
        .iter()
        .map(|n| (n.to_string(), 100))
        .collect();
        let mut gone = to_prune(&files, 2, 10_000);
        gone.sort();
        assert_eq!(gone, vec!["daily-20270101-090000-aaaa.db"]);
        let mut gone = to_prune(&files, 5, 250);
        gone.sort();
        assert_eq!(
            gone,
            vec![
                "before-import-20270101-100000-aaaa.db",
                "daily-20270101-090000-aaaa.db",
                "daily-20270102-090000-aaaa.db"
            ],
            "oldest first until it fits, never the newest of a kind"
        );
    }

    #[test]
    fn a_backup_name_says_when_it_was_taken() {
        let t = taken_at("before-import-20270103-100501-ab12.db").unwrap();
        assert_eq!(t.to_rfc3339(), "2027-01-03T10:05:01+00:00");
        assert!(taken_at("notes.db").is_none());
    }
}
