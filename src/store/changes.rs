//! The `changes` and `change_tags` tables.

use rusqlite::{OptionalExtension, Row, params};

use super::{Ctx, Store, StoreError};
use crate::model::{BlockEdit, Change, Evidence, Severity, Tag, Timestamp};

/// A change to store.
#[derive(Debug)]
pub struct NewChange<'a> {
    /// Snapshot compared against.
    pub old_snapshot_id: i64,
    /// Snapshot that differs.
    pub new_snapshot_id: i64,
    /// URL fetched.
    pub url: &'a str,
    /// When.
    pub detected_at: Timestamp,
    /// Blocks added.
    pub added: usize,
    /// Blocks removed.
    pub removed: usize,
    /// Unified diff.
    pub diff: &'a str,
    /// Word-level edits.
    pub edits: &'a [BlockEdit],
    /// Tags, strongest first.
    pub tags: &'a [Tag],
}

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// Only changes detected at or after this time.
    pub since: Option<Timestamp>,
    /// Only this source.
    pub source: Option<String>,
    /// Only changes carrying this tag.
    pub tag: Option<String>,
    /// At most this many (newest first).
    pub limit: Option<usize>,
    /// Skip this many of the newest first (pagination).
    pub offset: usize,
    /// Only changes at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only changes whose diff or a tag summary contains this text (case-insensitive for
    /// ASCII letters; `%` and `_` are literal).
    pub text: Option<String>,
    /// Only changes listed after this one: detected before it, or at the same time with a
    /// smaller id (keyset pagination: `(detected_at, id)` of the last change of the previous
    /// batch; unlike `offset`, each batch costs the same however deep it is).
    pub after: Option<(Timestamp, i64)>,
}

/// `text` as a `LIKE` pattern: `%text%` with `\`, `%` and `_` escaped (`ESCAPE '\'`).
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The severities at or above `min`, as `,low,medium,` for an `instr` test (all when `None`).
fn severity_set(min: Option<Severity>) -> Option<String> {
    let min = min?;
    let mut set = String::from(",");
    for s in Severity::ALL.iter().filter(|s| **s >= min) {
        set.push_str(s.as_str());
        set.push(',');
    }
    Some(set)
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn insert(
    tx: &rusqlite::Transaction<'_>,
    source_id: &str,
    c: &NewChange<'_>,
) -> Result<i64, StoreError> {
    let spans = serde_json::to_string(c.edits)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode spans: {e}")))?;
    tx.prepare_cached(
        "INSERT INTO changes (source_id, old_snapshot_id, new_snapshot_id, url, detected_at,
                              severity, added, removed, diff, spans)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .ctx("insert change")?
    .execute(params![
        source_id,
        c.old_snapshot_id,
        c.new_snapshot_id,
        c.url,
        c.detected_at,
        Change::severity_of(c.tags).as_str(),
        to_i64(c.added),
        to_i64(c.removed),
        c.diff,
        spans
    ])
    .ctx("insert change")?;
    let id = tx.last_insert_rowid();
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO change_tags (change_id, ord, tag, severity, summary, detail, evidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .ctx("insert tags")?;
    for (ord, t) in c.tags.iter().enumerate() {
        let evidence = serde_json::to_string(&t.evidence)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode evidence: {e}")))?;
        stmt.execute(params![
            id,
            to_i64(ord),
            t.tag,
            t.severity.as_str(),
            t.summary,
            t.detail.to_string(),
            evidence
        ])
        .ctx("insert tags")?;
    }
    Ok(id)
}

const CHANGE_COLUMNS: &str = "c.id, c.source_id, s.name, c.url, c.detected_at, c.severity, c.added, c.removed, c.diff, c.spans";

fn change_from_row(r: &Row<'_>) -> rusqlite::Result<(Change, String)> {
    let severity: String = r.get(5)?;
    let added: i64 = r.get(6)?;
    let removed: i64 = r.get(7)?;
    Ok((
        Change {
            id: r.get(0)?,
            source: r.get(1)?,
            source_name: r.get(2)?,
            url: r.get(3)?,
            detected_at: r.get(4)?,
            severity: severity.parse().unwrap_or(Severity::Low),
            added: usize::try_from(added).unwrap_or(0),
            removed: usize::try_from(removed).unwrap_or(0),
            tags: Vec::new(),
            diff: r.get(8)?,
            spans: Vec::new(),
        },
        r.get(9)?,
    ))
}

impl Store {
    fn attach(&self, rows: Vec<(Change, String)>) -> Result<Vec<Change>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for (mut change, spans) in rows {
            change.spans = serde_json::from_str(&spans)
                .map_err(|e| StoreError::Corrupt(format!("spans of change {}: {e}", change.id)))?;
            change.tags = self.tags_of(change.id)?;
            out.push(change);
        }
        Ok(out)
    }

    /// The tags of a stored change, strongest first.
    pub(super) fn tags_of(&self, change_id: i64) -> Result<Vec<Tag>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT tag, severity, summary, detail, evidence FROM change_tags
                 WHERE change_id = ?1 ORDER BY ord",
            )
            .ctx("read tags")?
            .query_map([change_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .ctx("read tags")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("read tags")?;
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("{what} of a tag of change {change_id}: {e}"))
        };
        let mut tags = Vec::with_capacity(rows.len());
        for (tag, sev, summary, detail, evidence) in rows {
            tags.push(Tag {
                tag,
                severity: sev.parse().map_err(|e: String| bad("severity", &e))?,
                summary,
                detail: serde_json::from_str(&detail).map_err(|e| bad("detail", &e))?,
                evidence: serde_json::from_str::<Evidence>(&evidence)
                    .map_err(|e| bad("evidence", &e))?,
            });
        }
        Ok(tags)
    }

    /// Every tag id found on a stored change (a rule removed from the configuration leaves
    /// its tags in the history).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn stored_tags(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT DISTINCT tag FROM change_tags ORDER BY tag")
            .ctx("list tags")?
            .query_map([], |r| r.get(0))
            .ctx("list tags")?
            .collect::<Result<Vec<String>, _>>()
            .ctx("list tags")
    }

    /// Stored changes, newest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`] or [`StoreError::Corrupt`].
    pub fn changes(&self, f: &ChangeFilter) -> Result<Vec<Change>, StoreError> {
        // The keyset condition is only in the statement when used, so that SQLite can start
        // its walk down the time index at the cursor.
        let keyset = if f.after.is_some() {
            "AND (c.detected_at, c.id) < (?8, ?9)"
        } else {
            "AND ?8 IS NULL AND ?9 IS NULL"
        };
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c JOIN sources s ON s.id = c.source_id
             WHERE (?1 IS NULL OR c.detected_at >= ?1)
               AND (?2 IS NULL OR c.source_id = ?2)
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM change_tags t WHERE t.change_id = c.id AND t.tag = ?3))
               AND (?6 IS NULL OR instr(?6, ',' || c.severity || ',') > 0)
               AND (?7 IS NULL OR c.diff LIKE ?7 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM change_tags t
                               WHERE t.change_id = c.id AND t.summary LIKE ?7 ESCAPE '\\'))
               {keyset}
             ORDER BY c.detected_at DESC, c.id DESC LIMIT ?4 OFFSET ?5"
        );
        let limit = f.limit.map_or(-1, to_i64);
        let severities = severity_set(f.min_severity);
        let text = f.text.as_deref().map(like_pattern);
        let (after_time, after_id) = f.after.unzip();
        let rows = self
            .conn
            .prepare_cached(&sql)
            .ctx("list changes")?
            .query_map(
                params![
                    f.since,
                    f.source,
                    f.tag,
                    limit,
                    to_i64(f.offset),
                    severities,
                    text,
                    after_time,
                    after_id
                ],
                change_from_row,
            )
            .ctx("list changes")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list changes")?;
        self.attach(rows)
    }

    /// One change by id.
    ///
    /// # Errors
    /// [`StoreError::Sql`] or [`StoreError::Corrupt`]; `Ok(None)` when there is no such change.
    pub fn change(&self, id: i64) -> Result<Option<Change>, StoreError> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM changes c JOIN sources s ON s.id = c.source_id WHERE c.id = ?1"
        );
        let row = self
            .conn
            .prepare_cached(&sql)
            .ctx("read change")?
            .query_row([id], change_from_row)
            .optional()
            .ctx("read change")?;
        Ok(self.attach(row.into_iter().collect())?.pop())
    }

    /// The ids of the changes of the same source just before and just after `c` (in detection
    /// order): `(previous, next)`.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn neighbours(&self, c: &Change) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let one = |sql: &str| -> Result<Option<i64>, StoreError> {
            self.conn
                .prepare_cached(sql)
                .ctx("read neighbouring changes")?
                .query_row(params![c.source, c.detected_at, c.id], |r| r.get(0))
                .optional()
                .ctx("read neighbouring changes")
        };
        let previous = one("SELECT id FROM changes WHERE source_id = ?1
               AND (detected_at < ?2 OR (detected_at = ?2 AND id < ?3))
             ORDER BY detected_at DESC, id DESC LIMIT 1")?;
        let next = one("SELECT id FROM changes WHERE source_id = ?1
               AND (detected_at > ?2 OR (detected_at = ?2 AND id > ?3))
             ORDER BY detected_at, id LIMIT 1")?;
        Ok((previous, next))
    }
}
