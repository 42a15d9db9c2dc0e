//! The `robots` table: the last robots.txt answer per origin.

use rusqlite::params;

use super::{Ctx, Store, StoreError};
use crate::model::Timestamp;

/// A stored robots.txt answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsRecord {
    /// `scheme://host[:port]`.
    pub origin: String,
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// HTTP status of the answer (200, or a 4xx meaning "no rules").
    pub status: u16,
    /// The file (empty for a 4xx).
    pub body: String,
}

impl Store {
    /// Every stored robots.txt answer (a row whose time cannot be read is skipped: it is only
    /// a cache).
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
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .ctx("read robots.txt cache")?;
        let rows = rows
            .collect::<Result<Vec<_>, _>>()
            .ctx("read robots.txt cache")?;
        Ok(rows
            .into_iter()
            .filter_map(|(origin, at, status, body)| {
                Some(RobotsRecord {
                    origin,
                    fetched_at: Timestamp::parse(&at).ok()?,
                    status: u16::try_from(status).unwrap_or(0),
                    body,
                })
            })
            .collect())
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
