//! SQLite storage: the only module that speaks SQL.
//!
//! One file per table group: `migrate` (schema versions), `sources` (health and schedule),
//! `snapshots` (content-addressed blobs and text versions, and the detection transaction),
//! `changes` (changes and their tags), `fetch_log` (recent attempts, pruned), `history` (versions
//! as `versions`, `diff` and `text` read them, the audit export, blob verification).

mod changes;
mod fetch_log;
mod history;
mod migrate;
mod outbox;
mod robots;
mod snapshots;
mod sources;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::{Channel, CheckOutcome, MessageKind, OutboxState, Timestamp, WebhookFormat};

pub use changes::{ChangeFilter, NewChange};
pub use fetch_log::FetchLogEntry;
pub use history::{AcceptedVersion, BlobProblem, ExportRow, StoredVersion, Verified};
pub use migrate::SCHEMA_VERSION;
pub use outbox::{NewMessage, OutboxRow, OutboxSummary};
pub use robots::RobotsRecord;
pub use snapshots::{Acceptance, Detection, FetchFacts, LatestSnapshot, Version};
pub use snapshots::{join_blocks, text_hash};
pub use sources::{FetchState, SourceHealth};

/// How long a writer waits for another process's lock before giving up: 10 s, far above any single
/// detection transaction (milliseconds), so two `check` processes simply take turns.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Fetch-log rows kept per source; older ones are deleted as new ones arrive.
pub const FETCH_LOG_KEEP: i64 = 20;

/// A storage error, with the database file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or is not a regwatch database.
    #[error("cannot open database '{path}': {message}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// There is no database file where one was expected.
    #[error(
        "no database at {path}: run `regwatch check` first, or point --db or settings.database at it"
    )]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer regwatch.
    #[error(
        "database '{path}' has schema version {found}, newer than this regwatch supports ({supported}); upgrade regwatch or use another --db"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Highest version known to this binary.
        supported: i64,
    },
    /// A migration failed.
    #[error("migration {name} failed on '{path}': {}", sqlite_text(.cause))]
    Migration {
        /// The file.
        path: PathBuf,
        /// Migration name.
        name: &'static str,
        /// SQLite's error. Its text is part of this error's message (once), so it is not also
        /// given as `source()`: a printer of the cause chain would repeat it.
        cause: rusqlite::Error,
    },
    /// A query failed.
    #[error("database error ({context}): {}", sqlite_text(.cause))]
    Sql {
        /// What was being done.
        context: &'static str,
        /// SQLite's error, said once in the message (not also given as `source()`).
        cause: rusqlite::Error,
    },
    /// Stored data could not be decoded (corrupt blob, bad JSON).
    #[error("corrupt data in database ({0})")]
    Corrupt(String),
    /// Something asked for does not exist.
    #[error("{0}")]
    NotFound(String),
}

/// SQLite's error and its causes on one line, each text once: rusqlite's message and the result
/// code's description ("Error code 5: database is locked") are often the same words.
fn sqlite_text(e: &rusqlite::Error) -> String {
    let mut text = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let full = err.to_string();
        let part = full
            .strip_prefix("Error code ")
            .and_then(|rest| rest.split_once(": "))
            .filter(|(code, _)| code.chars().all(|c| c.is_ascii_digit()))
            .map_or(full.as_str(), |(_, description)| description);
        if !part.is_empty() && !text.contains(part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(part);
        }
        cur = err.source();
    }
    text
}

/// Attaches a context to SQLite errors.
pub(crate) trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Ctx<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|cause| StoreError::Sql { context, cause })
    }
}

/// An open database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database, sets pragmas and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Open`] for an unreadable or non-SQLite file, [`StoreError::TooNew`] for a
    /// database written by a newer version, [`StoreError::Migration`] if a migration fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_err(format!("cannot create folder '{}': {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_err(e.to_string()))?;
        // journal_mode returns a row; it is also the first statement that reads the file, so a
        // file that is not SQLite fails here with "file is not a database".
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(|e| open_err(e.to_string()))?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
        )
        .map_err(|e| open_err(e.to_string()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrate::migrate(&mut store.conn, path)?;
        Ok(store)
    }

    /// Opens an existing database (for read-only commands): a missing file is an error, never
    /// a new empty database.
    ///
    /// # Errors
    /// [`StoreError::Missing`] when there is no file at `path`; otherwise as [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `PRAGMA quick_check` (the structural checks, without the cost of a full integrity
    /// check on a large database) and returns its first line (`ok` when healthy).
    ///
    /// # Errors
    /// [`StoreError::Sql`] if the check cannot run.
    pub fn quick_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
            .ctx("quick check")
    }

    /// Runs `PRAGMA integrity_check` and returns its first line (`ok` when healthy).
    ///
    /// # Errors
    /// [`StoreError::Sql`] if the check cannot run.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .ctx("integrity check")
    }
}

// The SQL edge of the domain's types: times are stored as RFC 3339 text (UTC, milliseconds, so
// that text order is time order) and states as their lower-case words.

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_rfc3339()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Timestamp::parse(text).map_err(|e| FromSqlError::Other(e.into()))
    }
}

/// Stores a word enum as its word.
macro_rules! sql_word {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    )+};
}

sql_word!(
    OutboxState,
    MessageKind,
    CheckOutcome,
    Channel,
    WebhookFormat
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole cause chain, as `main` prints an error (`{:#}` of anyhow).
    fn printed(e: &(dyn std::error::Error + 'static)) -> String {
        std::iter::successors(Some(e), |e| e.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ")
    }

    fn locked() -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        )
    }

    #[test]
    fn sqlite_errors_are_said_once() {
        let e = crate::Error::Store(StoreError::Sql {
            context: "record failure",
            cause: locked(),
        });
        let text = printed(&e);
        assert_eq!(text, "database error (record failure): database is locked");
        let e = StoreError::Migration {
            path: "x.db".into(),
            name: "0002_outbox",
            cause: locked(),
        };
        assert_eq!(
            printed(&e),
            "migration 0002_outbox failed on 'x.db': database is locked"
        );
        // A code description that adds something is kept, after the message.
        let e = StoreError::Sql {
            context: "sync sources",
            cause: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("disk I/O trouble".into()),
            ),
        };
        assert_eq!(
            printed(&e),
            "database error (sync sources): disk I/O trouble: database or disk is full"
        );
    }
}
