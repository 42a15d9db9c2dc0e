//! The `fetch_log` table: the last few attempts per source, pruned as new ones arrive so that
//! storage stays flat when nothing changes.

use rusqlite::params;

use super::{Ctx, FETCH_LOG_KEEP, StoreError};
use crate::model::{CheckOutcome, Timestamp};

/// One fetch attempt.
#[derive(Debug, Clone)]
pub struct FetchLogEntry {
    /// When.
    pub at: Timestamp,
    /// How the check ended.
    pub outcome: CheckOutcome,
    /// HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// Duration of the fetch.
    pub duration_ms: u64,
    /// Body size.
    pub bytes: u64,
    /// Error text for failures.
    pub error: Option<String>,
}

pub(super) fn insert(
    tx: &rusqlite::Transaction<'_>,
    source_id: &str,
    e: &FetchLogEntry,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO fetch_log (source_id, at, outcome, http_status, duration_ms, bytes, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .ctx("log fetch")?
    .execute(params![
        source_id,
        e.at,
        e.outcome,
        e.http_status,
        i64::try_from(e.duration_ms).unwrap_or(i64::MAX),
        i64::try_from(e.bytes).unwrap_or(i64::MAX),
        e.error
    ])
    .ctx("log fetch")?;
    // Keep only the newest rows of this source; freed pages are reused by the next inserts.
    tx.prepare_cached(
        "DELETE FROM fetch_log WHERE source_id = ?1 AND id <=
             (SELECT id FROM fetch_log WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )
    .ctx("prune fetch log")?
    .execute(params![source_id, FETCH_LOG_KEEP])
    .ctx("prune fetch log")?;
    Ok(())
}
