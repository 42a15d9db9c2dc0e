//! The `robots` table: the last robots.txt answer per origin.

use rusqlite::params;

use super::{Ctx, Store, StoreError};

/// A stored robots.txt answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsRecord {
    /// `scheme://host[:port]`.
    pub origin: String,
    /// When it was fetched (RFC 3339, UTC).
    pub fetched_at: String,
    /// HTTP status of the answer (200, or a 4xx meaning "no rules").
    pub status: u16,
    /// The file (empty for a 4xx).
    pub body: String,
}

impl Store {
    /// Every stored robots.txt answer.
    ///
    /// # Errors
    /// On database failure.
    pub fn robots(&self) -> Result<Vec<RobotsRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT origin, fetched_at, status, body FROM robots ORDER BY origin")
            .ctx("read robots.txt cache")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RobotsRecord {
                    origin: r.get(0)?,
                    fetched_at: r.get(1)?,
                    status: u16::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    body: r.get(3)?,
                })
            })
            .ctx("read robots.txt cache")?;
        rows.collect::<Result<Vec<_>, _>>()
            .ctx("read robots.txt cache")
    }

    /// Stores (or replaces) the robots.txt answer of one origin.
    ///
    /// # Errors
    /// On database failure.
    pub fn save_robots(&mut self, r: &RobotsRecord) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO robots (origin, fetched_at, status, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (origin) DO UPDATE SET
                     fetched_at = excluded.fetched_at, status = excluded.status, body = excluded.body",
            )
            .ctx("save robots.txt")?
            .execute(params![r.origin, r.fetched_at, i64::from(r.status), r.body])
            .ctx("save robots.txt")?;
        Ok(())
    }
}
