//! The library's one error type. Every message is written for the person at the keyboard:
//! it names the item, field, file or row that was wrong and, where it can, what to do.

use std::path::PathBuf;

/// Errors of the Mellanrum core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was wrong: an unknown kind or field, a value that does not validate, a broken rule.
    #[error("{0}")]
    Invalid(String),

    /// A reference (id, id prefix or title) matched nothing.
    #[error("no item matches '{0}' (give an id, a unique id prefix or a title)")]
    NotFound(String),

    /// A reference matched several items.
    #[error("'{reference}' is ambiguous: it matches {candidates}; give the id instead")]
    Ambiguous { reference: String, candidates: String },

    /// The folder is not a workspace.
    #[error("{} is not a Mellanrum workspace (create one with `mellanrum init {}`)", .0.display(), .0.display())]
    NotAWorkspace(PathBuf),

    /// `init` on a folder that already is one.
    #[error("{} is already a Mellanrum workspace", .0.display())]
    AlreadyAWorkspace(PathBuf),

    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The database refused an operation.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The database could not be brought to the current schema.
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// The database was written by a newer Mellanrum.
    #[error("this workspace was written by a newer Mellanrum (schema {found}, this build knows {known}); upgrade Mellanrum")]
    TooNew { found: i64, known: i64 },

    /// The search index failed; it is derived and can be rebuilt with `mellanrum reindex`.
    #[error("search index: {0} (rebuild it with `mellanrum reindex`)")]
    Index(String),

    /// The shared storage could not be read or written, or is set up differently (sync).
    #[error("sync: {0}")]
    Sync(String),

    /// Stored data did not decode (a corrupt row); `mellanrum doctor` reports it.
    #[error("corrupt data in the workspace: {0} (run `mellanrum doctor`)")]
    Corrupt(String),
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// True when the error is the user's input rather than the machine's state.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Invalid(_) | Error::NotFound(_) | Error::Ambiguous { .. } | Error::NotAWorkspace(_) | Error::AlreadyAWorkspace(_)
        )
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Corrupt(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
