//! Reading the history back: every version of a source (`versions`, `diff`, `text`), the audit
//! export of every change with the facts of its fetch, accepted baselines for the digest, and
//! the re-hashing of every stored text (`verify`).
//!
//! A version's *number* is its rank among the source's versions, oldest first (1, 2, 3 …): the
//! number `versions` prints and `diff` and `text` take.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::snapshots::{decode_blob, read_blob, text_hash};
use super::{Ctx, Store, StoreError};
use crate::model::{Change, Severity, Tag, Timestamp};

/// Snapshots with their number among their source's versions.
const NUMBERED: &str = "SELECT *, row_number() OVER (PARTITION BY source_id ORDER BY id) AS version
                        FROM snapshots";

/// One stored version of a source's text, as `versions` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredVersion {
    /// Source id.
    pub source: String,
    /// Number among the source's versions, oldest first, from 1.
    pub version: i64,
    /// Snapshot id (internal).
    #[serde(skip)]
    pub snapshot_id: i64,
    /// When this text was first seen.
    pub first_seen: Timestamp,
    /// When it was last seen (it stays the latest until another text is stored).
    pub last_seen: Timestamp,
    /// How many checks saw it.
    pub seen_count: i64,
    /// Length of the text in bytes.
    pub size: i64,
    /// Number of blocks.
    pub blocks: i64,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// Stored without a change: the first version, new extraction settings, or accepted.
    pub baseline: bool,
    /// `manual` (`regwatch accept`) or `auto` (`settings.accept_shrink_after`), when accepted.
    pub accepted: Option<String>,
    /// Id of the change that introduced it (`None` for baselines).
    pub change: Option<i64>,
    /// URL of the fetch that produced it (after redirects); unknown before schema version 5.
    pub final_url: Option<String>,
    /// `ETag` the server sent with it.
    pub etag: Option<String>,
    /// `Last-Modified` the server sent with it.
    pub last_modified: Option<String>,
    /// The regwatch version that stored it.
    pub regwatch_version: Option<String>,
}

/// One change of the audit export: what was detected, when, from what fetch, by which regwatch.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    /// Change id.
    pub id: i64,
    /// Source id.
    pub source: String,
    /// Source name.
    pub source_name: String,
    /// The source's configured URL (password redacted).
    pub source_url: String,
    /// URL of the fetch that detected the change, after redirects (password redacted).
    pub final_url: String,
    /// When the change was detected.
    pub detected_at: Timestamp,
    /// The change's severity.
    pub severity: Severity,
    /// SHA-256 of the text before.
    pub old_sha256: String,
    /// SHA-256 of the text after.
    pub new_sha256: String,
    /// `ETag` of the fetch that detected it (`None`: none sent, or stored before schema 5).
    pub etag: Option<String>,
    /// `Last-Modified` of that fetch.
    pub last_modified: Option<String>,
    /// The regwatch version that detected it (`None` before schema version 5).
    pub regwatch_version: Option<String>,
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
}

/// A baseline accepted by a person or by the shrink rule, for the digest's health section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedVersion {
    /// Source id.
    pub source: String,
    /// Source name.
    pub source_name: String,
    /// When it was stored.
    pub at: Timestamp,
    /// `manual` or `auto`.
    pub how: String,
    /// Length of the text in bytes.
    pub size: i64,
}

/// A stored text that failed verification, and the versions that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProblem {
    /// The SHA-256 the text is stored under.
    pub hash: String,
    /// What is wrong.
    pub problem: String,
    /// (source id, version number) of every version that uses it.
    pub versions: Vec<(String, i64)>,
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Texts re-hashed.
    pub blobs: i64,
    /// Versions that use them.
    pub versions: i64,
    /// Texts that do not match their hash, cannot be read, or are missing.
    pub problems: Vec<BlobProblem>,
}

impl Store {
    /// Every stored version of a source, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn versions(&self, source_id: &str) -> Result<Vec<StoredVersion>, StoreError> {
        let sql = format!(
            "SELECT s.source_id, s.version, s.id, s.first_seen_at, s.last_seen_at, s.seen_count,
                    coalesce(b.size, -1), s.block_count, s.text_hash, s.is_baseline, s.accepted,
                    c.id, s.final_url, s.etag, s.last_modified, s.regwatch_version
             FROM ({NUMBERED}) s
             LEFT JOIN blobs b ON b.hash = s.text_hash
             LEFT JOIN changes c ON c.new_snapshot_id = s.id
             WHERE s.source_id = ?1 ORDER BY s.id"
        );
        self.conn
            .prepare_cached(&sql)
            .ctx("list versions")?
            .query_map([source_id], |r| {
                Ok(StoredVersion {
                    source: r.get(0)?,
                    version: r.get(1)?,
                    snapshot_id: r.get(2)?,
                    first_seen: r.get(3)?,
                    last_seen: r.get(4)?,
                    seen_count: r.get(5)?,
                    size: r.get(6)?,
                    blocks: r.get(7)?,
                    sha256: r.get(8)?,
                    baseline: r.get(9)?,
                    accepted: r.get(10)?,
                    change: r.get(11)?,
                    final_url: r.get(12)?,
                    etag: r.get(13)?,
                    last_modified: r.get(14)?,
                    regwatch_version: r.get(15)?,
                })
            })
            .ctx("list versions")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list versions")
    }

    /// The stored change from one snapshot to another, when there is one.
    ///
    /// # Errors
    /// [`StoreError::Sql`] or [`StoreError::Corrupt`].
    pub fn change_between(&self, old: i64, new: i64) -> Result<Option<Change>, StoreError> {
        let id: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM changes WHERE old_snapshot_id = ?1 AND new_snapshot_id = ?2",
            )
            .ctx("read change")?
            .query_row([old, new], |r| r.get(0))
            .optional()
            .ctx("read change")?;
        match id {
            Some(id) => self.change(id),
            None => Ok(None),
        }
    }

    /// Every change detected at or after `since` (all when `None`), of one source or all,
    /// oldest first, with the facts of the fetch that detected it.
    ///
    /// # Errors
    /// [`StoreError::Sql`] or [`StoreError::Corrupt`].
    pub fn export(
        &self,
        since: Option<Timestamp>,
        source: Option<&str>,
    ) -> Result<Vec<ExportRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.source_id, s.name, s.url, c.url, c.detected_at, c.severity,
                        o.text_hash, n.text_hash, n.etag, n.last_modified, n.regwatch_version
                 FROM changes c
                 JOIN sources s ON s.id = c.source_id
                 JOIN snapshots o ON o.id = c.old_snapshot_id
                 JOIN snapshots n ON n.id = c.new_snapshot_id
                 WHERE (?1 IS NULL OR c.detected_at >= ?1) AND (?2 IS NULL OR c.source_id = ?2)
                 ORDER BY c.detected_at, c.id",
            )
            .ctx("export changes")?;
        let rows = stmt
            .query_map(params![since, source], |r| {
                let severity: String = r.get(6)?;
                Ok(ExportRow {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    source_name: r.get(2)?,
                    source_url: crate::util::redact_url(&r.get::<_, String>(3)?),
                    final_url: crate::util::redact_url(&r.get::<_, String>(4)?),
                    detected_at: r.get(5)?,
                    severity: severity.parse().unwrap_or(Severity::Low),
                    old_sha256: r.get(7)?,
                    new_sha256: r.get(8)?,
                    etag: r.get(9)?,
                    last_modified: r.get(10)?,
                    regwatch_version: r.get(11)?,
                    tags: Vec::new(),
                })
            })
            .ctx("export changes")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("export changes")?;
        rows.into_iter()
            .map(|mut row| {
                row.tags = self.tags_of(row.id)?;
                Ok(row)
            })
            .collect()
    }

    /// Baselines accepted (by `accept` or the shrink rule) in `[since, until)`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn accepted_versions(
        &self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<AcceptedVersion>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT s.source_id, src.name, s.first_seen_at, s.accepted, coalesce(b.size, 0)
                 FROM snapshots s JOIN sources src ON src.id = s.source_id
                 LEFT JOIN blobs b ON b.hash = s.text_hash
                 WHERE s.accepted IS NOT NULL AND s.first_seen_at >= ?1 AND s.first_seen_at < ?2
                 ORDER BY s.first_seen_at, s.id",
            )
            .ctx("list accepted versions")?
            .query_map(params![since, until], |r| {
                Ok(AcceptedVersion {
                    source: r.get(0)?,
                    source_name: r.get(1)?,
                    at: r.get(2)?,
                    how: r.get(3)?,
                    size: r.get(4)?,
                })
            })
            .ctx("list accepted versions")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list accepted versions")
    }

    /// Re-reads and re-hashes every stored text, and finds versions whose text is missing.
    ///
    /// # Errors
    /// [`StoreError::Sql`] when the database cannot be read at all.
    pub fn verify(&self) -> Result<Verified, StoreError> {
        let hashes: Vec<String> = self
            .conn
            .prepare("SELECT hash FROM blobs ORDER BY hash")
            .ctx("verify")?
            .query_map([], |r| r.get(0))
            .ctx("verify")?
            .collect::<Result<_, _>>()
            .ctx("verify")?;
        let mut found = Verified {
            blobs: i64::try_from(hashes.len()).unwrap_or(i64::MAX),
            versions: self
                .conn
                .query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
                .ctx("verify")?,
            problems: Vec::new(),
        };
        for hash in hashes {
            if let Some(problem) = self.blob_problem(&hash)? {
                let versions = self.versions_using(&hash)?;
                found.problems.push(BlobProblem {
                    hash,
                    problem,
                    versions,
                });
            }
        }
        let missing: Vec<String> = self
            .conn
            .prepare(
                "SELECT DISTINCT s.text_hash FROM snapshots s
                 LEFT JOIN blobs b ON b.hash = s.text_hash WHERE b.hash IS NULL",
            )
            .ctx("verify")?
            .query_map([], |r| r.get(0))
            .ctx("verify")?
            .collect::<Result<_, _>>()
            .ctx("verify")?;
        for hash in missing {
            let versions = self.versions_using(&hash)?;
            found.problems.push(BlobProblem {
                hash,
                problem: "is missing".into(),
                versions,
            });
        }
        Ok(found)
    }

    /// What is wrong with one stored text, if anything.
    fn blob_problem(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let Some((compression, size, data)) = read_blob(&self.conn, hash)? else {
            return Ok(Some("is missing".into()));
        };
        let text = match decode_blob(&compression, size, data) {
            Ok(text) => text,
            Err(why) => return Ok(Some(why)),
        };
        let actual = text_hash(&text);
        if actual != hash {
            return Ok(Some(format!(
                "does not match its SHA-256: the stored text hashes to {actual}"
            )));
        }
        if i64::try_from(text.len()).ok() != Some(size) {
            return Ok(Some(format!(
                "has {} bytes where {size} are recorded",
                text.len()
            )));
        }
        Ok(None)
    }

    /// (source id, version number) of every version whose text is `hash`.
    fn versions_using(&self, hash: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = format!(
            "SELECT source_id, version FROM ({NUMBERED}) WHERE text_hash = ?1
             ORDER BY source_id, version"
        );
        self.conn
            .prepare(&sql)
            .ctx("verify")?
            .query_map([hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("verify")?
            .collect::<Result<_, _>>()
            .ctx("verify")
    }

    /// The text of one snapshot, as stored (blocks joined by newlines).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] or [`StoreError::Corrupt`].
    pub fn snapshot_text(&self, snapshot_id: i64) -> Result<String, StoreError> {
        Ok(self.snapshot_blocks(snapshot_id)?.join("\n"))
    }
}
