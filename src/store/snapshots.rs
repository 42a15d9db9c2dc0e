//! Blobs (content-addressed text, zstd above 1 KiB), snapshots (versions of a source's text), and the
//! detection transaction that writes a version, its change and its tags at once.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::sources::{FetchState, record_success};
use super::{Ctx, FetchLogEntry, NewChange, Store, StoreError};
use crate::model::Timestamp;

/// Texts above this size are stored zstd-compressed.
pub const COMPRESS_ABOVE: usize = 1024;
/// zstd level 1: the fastest standard level; on regulatory prose its ratio is within about 10 %
/// of level 3 while it compresses markedly faster (`regwatch bench` profile).
const ZSTD_LEVEL: i32 = 1;

/// The newest version of a source's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestSnapshot {
    /// Snapshot id.
    pub id: i64,
    /// SHA-256 of the text.
    pub text_hash: String,
    /// Extraction fingerprint it was made with.
    pub fingerprint: String,
    /// Length of the text in bytes.
    pub size: i64,
}

/// SHA-256 of a text, hex.
#[must_use]
pub fn text_hash(text: &str) -> String {
    crate::util::hex(&Sha256::digest(text.as_bytes()))
}

/// One detection, inside a `BEGIN IMMEDIATE` transaction: the latest snapshot is read under the write
/// lock, so two processes checking the same source cannot both store the same change.
pub struct Detection<'a> {
    tx: Transaction<'a>,
    source_id: String,
}

impl Store {
    /// Starts a detection for a source (takes the write lock).
    ///
    /// # Errors
    /// [`StoreError::Sql`], e.g. when another writer holds the lock beyond the busy timeout.
    pub fn begin_detection(&mut self, source_id: &str) -> Result<Detection<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx("begin detection")?;
        Ok(Detection {
            tx,
            source_id: source_id.to_string(),
        })
    }

    /// The text of a snapshot, as blocks.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] or [`StoreError::Corrupt`].
    pub fn snapshot_blocks(&self, snapshot_id: i64) -> Result<Vec<String>, StoreError> {
        let hash: String = self
            .conn
            .prepare_cached("SELECT text_hash FROM snapshots WHERE id = ?1")
            .ctx("read snapshot")?
            .query_row([snapshot_id], |r| r.get(0))
            .optional()
            .ctx("read snapshot")?
            .ok_or_else(|| StoreError::NotFound(format!("no snapshot {snapshot_id}")))?;
        Ok(split_blocks(&load_blob(&self.conn, &hash)?))
    }
}

impl Detection<'_> {
    /// The newest snapshot of the source, if any.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn latest(&self) -> Result<Option<LatestSnapshot>, StoreError> {
        self.tx
            .prepare_cached(
                "SELECT s.id, s.text_hash, s.fingerprint, b.size FROM snapshots s
                 JOIN blobs b ON b.hash = s.text_hash
                 WHERE s.source_id = ?1 ORDER BY s.id DESC LIMIT 1",
            )
            .ctx("read latest snapshot")?
            .query_row([&self.source_id], |r| {
                Ok(LatestSnapshot {
                    id: r.get(0)?,
                    text_hash: r.get(1)?,
                    fingerprint: r.get(2)?,
                    size: r.get(3)?,
                })
            })
            .optional()
            .ctx("read latest snapshot")
    }

    /// The blocks of a stored text.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the blob cannot be decoded.
    pub fn load_blocks(&self, text_hash: &str) -> Result<Vec<String>, StoreError> {
        Ok(split_blocks(&load_blob(&self.tx, text_hash)?))
    }

    /// Same text seen again: only `last_seen_at` and `seen_count` move.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn touch(&self, snapshot_id: i64, at: Timestamp) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE snapshots SET last_seen_at = ?2, seen_count = seen_count + 1 WHERE id = ?1",
            )
            .ctx("touch snapshot")?
            .execute(params![snapshot_id, at])
            .ctx("touch snapshot")?;
        Ok(())
    }

    /// Stores a new version (its text deduplicated by hash) and returns its id.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn insert_snapshot(
        &self,
        version: &Version<'_>,
        fingerprint: &str,
        baseline: bool,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.insert(version, fingerprint, baseline, None, at)
    }

    /// Stores a text someone (or the shrink rule) accepted as a new baseline: a version with
    /// no change, never alerted, marked with how it was accepted. Returns its id.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn insert_accepted(
        &self,
        version: &Version<'_>,
        fingerprint: &str,
        how: Acceptance,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.insert(version, fingerprint, true, Some(how), at)
    }

    fn insert(
        &self,
        version: &Version<'_>,
        fingerprint: &str,
        baseline: bool,
        accepted: Option<Acceptance>,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let Version {
            text,
            hash,
            blocks,
            facts,
        } = *version;
        store_blob(&self.tx, hash, text)?;
        self.tx
            .prepare_cached(
                "INSERT INTO snapshots (source_id, text_hash, fingerprint, is_baseline, block_count,
                                        first_seen_at, last_seen_at, final_url, etag,
                                        last_modified, regwatch_version, accepted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .ctx("insert snapshot")?
            .execute(params![
                self.source_id,
                hash,
                fingerprint,
                baseline,
                i64::try_from(blocks).unwrap_or(i64::MAX),
                at,
                facts.final_url,
                facts.etag,
                facts.last_modified,
                env!("CARGO_PKG_VERSION"),
                accepted.map(Acceptance::as_str),
            ])
            .ctx("insert snapshot")?;
        Ok(self.tx.last_insert_rowid())
    }

    /// The text of the source's recent suspicious fetches (see `settings.accept_shrink_after`):
    /// its SHA-256 and how many such fetches came in a row, if any.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn suspect(&self) -> Result<Option<(String, i64)>, StoreError> {
        let row: Option<(Option<String>, i64)> = self
            .tx
            .prepare_cached("SELECT suspect_hash, suspect_count FROM sources WHERE id = ?1")
            .ctx("read suspect")?
            .query_row([&self.source_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("read suspect")?;
        Ok(row.and_then(|(hash, n)| hash.map(|h| (h, n))))
    }

    /// Stores a change and its tags; returns the change id.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn insert_change(&self, change: &NewChange<'_>) -> Result<i64, StoreError> {
        super::changes::insert(&self.tx, &self.source_id, change)
    }

    /// Marks the check successful, schedules the next one and logs it.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn record_success(
        &self,
        state: &FetchState,
        changed: bool,
        log: &FetchLogEntry,
        next_check: Timestamp,
    ) -> Result<(), StoreError> {
        record_success(
            &self.tx,
            &self.source_id,
            log.at,
            state,
            changed,
            next_check,
        )?;
        super::fetch_log::insert(&self.tx, &self.source_id, log)
    }

    pub(super) fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    /// Commits everything written in this detection at once.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().ctx("commit detection")
    }
}

/// A version's text, joined and hashed once by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    /// The blocks joined by [`join_blocks`].
    pub text: &'a str,
    /// [`text_hash`] of `text`.
    pub hash: &'a str,
    /// Number of blocks.
    pub blocks: usize,
    /// The fetch it came from.
    pub facts: FetchFacts<'a>,
}

/// The fetch a version came from, kept with it for the audit trail (`regwatch export`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchFacts<'a> {
    /// URL of the last redirect hop, password redacted.
    pub final_url: &'a str,
    /// `ETag` the server sent.
    pub etag: Option<&'a str>,
    /// `Last-Modified` the server sent.
    pub last_modified: Option<&'a str>,
}

/// Why a text became a baseline without a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// `regwatch accept`.
    Manual,
    /// `settings.accept_shrink_after` identical suspicious fetches.
    Auto,
}

impl Acceptance {
    /// The word stored in `snapshots.accepted` and printed in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::Manual => "manual",
            Acceptance::Auto => "auto",
        }
    }
}

/// Blocks are stored as one text, one block per line (blocks never contain a newline).
#[must_use]
pub fn join_blocks(blocks: &[String]) -> String {
    blocks.join("\n")
}

thread_local! {
    /// One compression context per thread, reused: creating one costs about as much as
    /// compressing a page.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn compress(data: &[u8]) -> Result<Vec<u8>, StoreError> {
    let fail = |e: std::io::Error| StoreError::Corrupt(format!("zstd compression failed: {e}"));
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(fail)?);
        }
        match slot.as_mut() {
            Some(c) => c.compress(data).map_err(fail),
            None => zstd::bulk::compress(data, ZSTD_LEVEL).map_err(fail),
        }
    })
}

pub(super) fn split_blocks(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').map(str::to_string).collect()
    }
}

fn store_blob(tx: &Transaction<'_>, hash: &str, text: &str) -> Result<(), StoreError> {
    let exists: bool = tx
        .prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")
        .ctx("store text")?
        .exists([hash])
        .ctx("store text")?;
    if exists {
        return Ok(());
    }
    let (compression, data) = if text.len() > COMPRESS_ABOVE {
        let packed = compress(text.as_bytes())?;
        ("zstd", packed)
    } else {
        ("none", text.as_bytes().to_vec())
    };
    tx.prepare_cached("INSERT INTO blobs (hash, compression, size, data) VALUES (?1, ?2, ?3, ?4)")
        .ctx("store text")?
        .execute(params![
            hash,
            compression,
            i64::try_from(text.len()).unwrap_or(i64::MAX),
            data
        ])
        .ctx("store text")?;
    Ok(())
}

pub(super) fn load_blob(conn: &rusqlite::Connection, hash: &str) -> Result<String, StoreError> {
    let (compression, size, data) = read_blob(conn, hash)?
        .ok_or_else(|| StoreError::Corrupt(format!("text {hash} is missing")))?;
    let text = decode_blob(&compression, size, data)
        .map_err(|why| StoreError::Corrupt(format!("text {hash} {why}")))?;
    if text_hash(&text) != hash {
        return Err(StoreError::Corrupt(format!(
            "text {hash} does not match its hash"
        )));
    }
    Ok(text)
}

/// A blob's row as stored: compression, size, bytes (`None` when there is no such blob).
pub(super) fn read_blob(
    conn: &rusqlite::Connection,
    hash: &str,
) -> Result<Option<(String, i64, Vec<u8>)>, StoreError> {
    conn.prepare_cached("SELECT compression, size, data FROM blobs WHERE hash = ?1")
        .ctx("load text")?
        .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx("load text")
}

/// A blob's bytes back to its text, or why they cannot be (said after "text HASH").
pub(super) fn decode_blob(compression: &str, size: i64, data: Vec<u8>) -> Result<String, String> {
    let bytes = match compression {
        "none" => data,
        "zstd" => {
            let cap = usize::try_from(size).map_err(|_| "has a bad size".to_string())?;
            zstd::bulk::decompress(&data, cap)
                .map_err(|e| format!("cannot be decompressed: {e}"))?
        }
        other => return Err(format!("has unknown compression {other}")),
    };
    String::from_utf8(bytes).map_err(|_| "is not UTF-8".to_string())
}
