//! The one error type of Fieldbook: every message says what happened and what to do.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Fieldbook cannot use the folder {path}: {reason}. Check that it exists and that you may write to it, or choose another folder with --data-dir.")]
    DataDir { path: PathBuf, reason: String },

    #[error("{path} is not a Fieldbook database or is damaged. Restore it from a backup, or move it away and Fieldbook will start a new one.")]
    NotADatabase { path: PathBuf },

    #[error("This data was written by a newer version of Fieldbook (data format {found}; this version reads up to {supported}). Update Fieldbook to open it; nothing has been changed.")]
    NewerDatabase { found: i64, supported: i64 },

    #[error("{what} was not found. It may have been deleted; go back and choose another.")]
    NotFound { what: String },

    #[error("{0}")]
    Invalid(String),

    /// Something the facilitator must confirm before it is done.
    #[error("{0}")]
    NeedsConfirmation(String),

    #[error("{}", describe_database(.0))]
    Database(#[from] sqlx::Error),

    #[error("Fieldbook could not update its database to this version: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("Fieldbook met data it could not understand: {0}")]
    Data(#[from] serde_json::Error),

    #[error("{}", describe_io(.0))]
    Io(#[from] std::io::Error),
}

/// What went wrong with the laptop itself (not with what was typed), in a facilitator's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFault {
    DiskFull,
    ReadOnly,
    Busy,
    Damaged,
    DriveFailed,
}

impl SystemFault {
    fn code(self) -> &'static str {
        match self {
            SystemFault::DiskFull => "disk_full",
            SystemFault::ReadOnly => "read_only",
            SystemFault::Busy => "busy",
            SystemFault::Damaged => "damaged",
            SystemFault::DriveFailed => "drive_failed",
        }
    }

    fn message(self) -> &'static str {
        match self {
            SystemFault::DiskFull => "The laptop's disk is full, so Fieldbook could not save this. Free some space (empty the bin, move large files elsewhere), then try again. Nothing has been changed, and everything saved before is safe.",
            SystemFault::ReadOnly => "Fieldbook may not write to its data folder: it is read-only, on a locked drive, or belongs to another user. Check the folder's permissions, or start Fieldbook with another data folder. Nothing has been changed.",
            SystemFault::Busy => "Fieldbook's data is in use by another program (another Fieldbook, or a backup or sync tool holding the file). Close the other program, then try again. Nothing has been changed.",
            SystemFault::Damaged => "Fieldbook's database looks damaged. Restore the latest backup from Data and backups (or with fieldbook-cli restore). Nothing has been changed.",
            SystemFault::DriveFailed => "Fieldbook could not read or write its data folder: the drive may have been removed or be failing. Check the drive, then try again. Nothing has been changed.",
        }
    }

    /// The fault behind a SQLite result code (primary or extended), if it is one of these.
    pub fn of_sqlite(code: i32) -> Option<SystemFault> {
        match code & 0xff {
            13 => Some(SystemFault::DiskFull),         // SQLITE_FULL
            8 => Some(SystemFault::ReadOnly),          // SQLITE_READONLY
            5 | 6 => Some(SystemFault::Busy),          // SQLITE_BUSY, SQLITE_LOCKED
            11 | 26 => Some(SystemFault::Damaged),     // SQLITE_CORRUPT, SQLITE_NOTADB
            10 | 14 => Some(SystemFault::DriveFailed), // SQLITE_IOERR, SQLITE_CANTOPEN
            _ => None,
        }
    }

    pub fn of_io(error: &std::io::Error) -> Option<SystemFault> {
        use std::io::ErrorKind;
        match error.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Some(SystemFault::DiskFull),
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => {
                Some(SystemFault::ReadOnly)
            }
            _ => None,
        }
    }

    pub fn of_database(error: &sqlx::Error) -> Option<SystemFault> {
        match error {
            sqlx::Error::Database(e) => e
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .and_then(SystemFault::of_sqlite),
            sqlx::Error::Io(e) => SystemFault::of_io(e),
            _ => None,
        }
    }
}

fn describe_database(error: &sqlx::Error) -> String {
    match SystemFault::of_database(error) {
        Some(fault) => fault.message().to_owned(),
        None => format!(
            "Fieldbook could not read or write its database ({error}). Try again; if it keeps happening, restart Fieldbook. Nothing has been changed."
        ),
    }
}

fn describe_io(error: &std::io::Error) -> String {
    match SystemFault::of_io(error) {
        Some(fault) => fault.message().to_owned(),
        None => error.to_string(),
    }
}

impl Error {
    /// A stable code the front end and scripts can act on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::DataDir { .. } => "data_dir",
            Error::NotADatabase { .. } => "not_a_database",
            Error::NewerDatabase { .. } => "newer_database",
            Error::NotFound { .. } => "not_found",
            Error::Invalid(_) => "invalid",
            Error::NeedsConfirmation(_) => "needs_confirmation",
            Error::Database(e) => SystemFault::of_database(e).map_or("database", SystemFault::code),
            Error::Migration(_) => "database",
            Error::Data(_) => "data",
            Error::Io(e) => SystemFault::of_io(e).map_or("io", SystemFault::code),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};

    async fn connection(dir: &std::path::Path, read_only: bool) -> sqlx::SqliteConnection {
        SqliteConnectOptions::new()
            .filename(dir.join("t.db"))
            .create_if_missing(!read_only)
            .read_only(read_only)
            .connect()
            .await
            .unwrap()
    }

    /// A new database in `dir` holding one table, `t`.
    async fn with_a_table(dir: &std::path::Path) -> sqlx::SqliteConnection {
        let mut conn = connection(dir, false).await;
        sqlx::query("CREATE TABLE t (x TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }

    #[tokio::test]
    async fn a_full_disk_is_said_in_plain_words_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = with_a_table(dir.path()).await;
        // A database allowed no more pages than it has fails as a full disk does.
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&mut conn)
            .await
            .unwrap();
        said(
            refused(&mut conn, "INSERT INTO t VALUES (zeroblob(100000))").await,
            "disk_full",
            "The laptop's disk is full",
            "everything saved before is safe.",
        );
        conn.close().await.unwrap();
    }

    /// How SQLite refuses `sql` on `conn`.
    async fn refused(conn: &mut sqlx::SqliteConnection, sql: &str) -> sqlx::Error {
        sqlx::query(sql).execute(conn).await.unwrap_err()
    }

    /// Checks that SQLite's failure reaches a facilitator with `code`, in words that start and
    /// end as given, and none of SQLite's own.
    fn said(failed: sqlx::Error, code: &str, starts: &str, ends: &str) {
        let error = Error::from(failed);
        assert_eq!(error.code(), code);
        let message = error.to_string();
        assert!(message.starts_with(starts), "{message}");
        assert!(message.ends_with(ends), "{message}");
        assert!(!message.contains("code:"), "{message}");
    }

    #[tokio::test]
    async fn a_read_only_database_is_said_in_plain_words_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let conn = with_a_table(dir.path()).await;
        conn.close().await.unwrap();
        let mut conn = connection(dir.path(), true).await;
        said(
            refused(&mut conn, "INSERT INTO t VALUES ('x')").await,
            "read_only",
            "Fieldbook may not write to its data folder",
            "Nothing has been changed.",
        );
    }

    #[test]
    fn extended_sqlite_codes_count_as_their_primary_code() {
        // 1544 is SQLITE_READONLY_DIRECTORY, the code a read-only data folder gives.
        assert_eq!(SystemFault::of_sqlite(1544), Some(SystemFault::ReadOnly));
        assert_eq!(SystemFault::of_sqlite(13), Some(SystemFault::DiskFull));
        assert_eq!(SystemFault::of_sqlite(19), None); // a constraint: Fieldbook's own bug
    }

    #[test]
    fn a_full_disk_or_a_read_only_folder_met_while_writing_a_file_is_said_plainly() {
        let full = Error::from(std::io::Error::from_raw_os_error(28)); // ENOSPC
        assert_eq!(full.code(), "disk_full");
        assert!(full.to_string().starts_with("The laptop's disk is full"));
        let read_only = Error::from(std::io::Error::from_raw_os_error(30)); // EROFS
        assert_eq!(read_only.code(), "read_only");
        let other = Error::from(std::io::Error::other("the cable fell out"));
        assert_eq!(
            (other.code(), other.to_string()),
            ("io", "the cable fell out".to_owned())
        );
    }
}
