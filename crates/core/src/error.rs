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

    #[error("Fieldbook could not read or write its database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("Fieldbook could not update its database to this version: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("Fieldbook met data it could not understand: {0}")]
    Data(#[from] serde_json::Error),

    #[error("{0}")]
    Io(#[from] std::io::Error),
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
            Error::Database(_) | Error::Migration(_) => "database",
            Error::Data(_) => "data",
            Error::Io(_) => "io",
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }
}
