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
        let version: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| bad("it is a database, but not Fieldbook's"))?;
        let supported = crate::store::migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        if version.unwrap_or(0) > supported {
            return Err(Error::NewerDatabase {
                found: version.unwrap_or(0),
                supported,
            });
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    result
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
        let folder = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = folder.join(format!(
            ".fieldbook-backup-{}.partial",
            Uuid::now_v7().simple()
        ));
        let made = sqlx::query("VACUUM INTO ?1")
            .bind(temp.to_string_lossy().into_owned())
            .execute(self.pool_ref())
            .await;
        if let Err(e) = made {
            let _ = std::fs::remove_file(&temp);
            return Err(Error::invalid(format!("The backup could not be written to {}: {e}. Check that the folder exists and has space.", folder.display())));
        }
        if let Err(e) = check_database_file(&temp).await {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
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
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
    std::fs::rename(&incoming, &current)?;
    Ok(kept)
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
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupFile {
    pub name: String,
    pub bytes: u64,
    pub modified: Option<chrono::DateTime<chrono::Utc>>,
}

impl Store {
    /// The backups kept beside the database, newest first.
    pub fn backups(&self) -> Result<Vec<BackupFile>> {
        let folder = self
            .path()
            .parent()
            .unwrap_or(Path::new("."))
            .join("backups");
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
        if self.backups()?.iter().any(|b| b.name.starts_with(&today)) {
            return Ok(None);
        }
        self.backup("daily").await.map(Some)
    }
}
