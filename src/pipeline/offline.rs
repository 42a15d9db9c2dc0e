//! The offline comparisons behind `regwatch tag` (two local documents) and `regwatch diff` (two
//! stored versions): the same stages a check runs (extract, diff, tag), storing nothing.

use crate::config::{Config, Source};
use crate::diff::diff_versions;
use crate::extract::extract_file;
use crate::model::{BlockEdit, Change, Lang, Tag};
use crate::store::{Store, StoreError, StoredVersion};
use crate::tag::{TagContext, UserRule, tag_change};

/// What two documents differ by.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
    /// Blocks only in the new document.
    pub added: usize,
    /// Blocks only in the old document.
    pub removed: usize,
}

/// Compares two documents (HTML or plain text) and tags the difference.
#[must_use]
pub fn compare_files(
    old: &[u8],
    new: &[u8],
    lang: Option<Lang>,
    rules: &[UserRule],
    packs: &[String],
) -> Compared {
    let old = extract_file(old);
    let new = extract_file(new);
    let diff = diff_versions(&old, &new, false);
    let tags = tag_change(
        &diff.hunks,
        None,
        &TagContext {
            lang,
            source_id: "",
            rules,
            packs,
            old: &old,
            new: &new,
        },
    );
    Compared {
        tags,
        added: diff.added,
        removed: diff.removed,
    }
}

/// Two stored versions of a source compared now, as a check would have compared them.
#[derive(Debug, Clone)]
pub struct ComparedVersions {
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
    /// Blocks only in the new version.
    pub added: usize,
    /// Blocks only in the old version.
    pub removed: usize,
    /// Unified diff of the blocks.
    pub diff: String,
    /// Word-level edits of the changed blocks.
    pub spans: Vec<BlockEdit>,
}

/// Compares two versions of a source's blocks (diff and tags with the source's language, item
/// lists and the configuration's rules), storing nothing. `source` is `None` for a source no
/// longer in the configuration: plain blocks, no language.
#[must_use]
pub fn compare_versions(
    old: &[String],
    new: &[String],
    source: Option<&Source>,
    rules: &[UserRule],
) -> ComparedVersions {
    let items = source.is_some_and(Source::has_items);
    let diff = diff_versions(old, new, items);
    let tags = tag_change(
        &diff.hunks,
        diff.items.as_ref(),
        &TagContext {
            lang: source.and_then(|s| s.lang),
            source_id: source.map_or("", |s| s.id.as_str()),
            rules,
            packs: source.map_or(&[][..], |s| &s.packs[..]),
            old,
            new,
        },
    );
    ComparedVersions {
        tags,
        added: diff.added,
        removed: diff.removed,
        diff: diff.unified,
        spans: diff.edits,
    }
}

/// Two stored versions of a source and the change between them: the stored one when a check
/// recorded it, else one computed now with the same stages (`regwatch diff`, the web's version
/// comparison).
#[derive(Debug, Clone)]
pub struct VersionDiff {
    /// The change (`id` 0 when computed now).
    pub change: Change,
    /// Whether `change` is a stored change.
    pub stored: bool,
    /// The older version's number.
    pub from: i64,
    /// The newer version's number.
    pub to: i64,
    /// SHA-256 of the older text.
    pub from_sha256: String,
    /// SHA-256 of the newer text.
    pub to_sha256: String,
}

impl VersionDiff {
    /// The JSON of `regwatch diff --json`: a change object (without `id`), with `change` (the
    /// stored change's id, or null when compared now), `from`, `to` and the SHA-256 of both
    /// texts.
    ///
    /// # Errors
    /// The message of a failed encoding.
    pub fn to_json(&self) -> Result<serde_json::Value, String> {
        let mut v =
            serde_json::to_value(&self.change).map_err(|e| format!("cannot encode JSON: {e}"))?;
        if let Some(map) = v.as_object_mut() {
            map.remove("id");
            map.insert(
                "change".into(),
                self.stored.then_some(self.change.id).into(),
            );
            map.insert("from".into(), self.from.into());
            map.insert("to".into(), self.to.into());
            map.insert("from_sha256".into(), self.from_sha256.clone().into());
            map.insert("to_sha256".into(), self.to_sha256.clone().into());
        }
        Ok(v)
    }
}

/// Compares two stored versions of a source: the stored change between them when there is
/// one, else a comparison made now (with the source's language, item lists and the
/// configuration's rules).
///
/// # Errors
/// [`StoreError`] reading the change or the texts.
pub fn version_diff(
    config: &Config,
    store: &Store,
    older: &StoredVersion,
    newer: &StoredVersion,
) -> Result<VersionDiff, StoreError> {
    let (change, stored) = match store.change_between(older.snapshot_id, newer.snapshot_id)? {
        Some(c) => (c, true),
        None => (compare_now(config, store, older, newer)?, false),
    };
    Ok(VersionDiff {
        change,
        stored,
        from: older.version,
        to: newer.version,
        from_sha256: older.sha256.clone(),
        to_sha256: newer.sha256.clone(),
    })
}

/// Two versions compared now, as a change would have been.
fn compare_now(
    config: &Config,
    store: &Store,
    older: &StoredVersion,
    newer: &StoredVersion,
) -> Result<Change, StoreError> {
    let old = store.snapshot_blocks(older.snapshot_id)?;
    let new = store.snapshot_blocks(newer.snapshot_id)?;
    let source = config.source(&older.source);
    let c = compare_versions(&old, &new, source, &config.rules);
    let (name, url) = match source {
        Some(s) => (s.name.clone(), crate::util::redact_url(&s.url)),
        None => (
            older.source.clone(),
            newer.final_url.clone().unwrap_or_default(),
        ),
    };
    Ok(Change {
        id: 0,
        source: older.source.clone(),
        source_name: name,
        url: newer.final_url.clone().unwrap_or(url),
        detected_at: newer.first_seen,
        severity: Change::severity_of(&c.tags),
        added: c.added,
        removed: c.removed,
        tags: c.tags,
        diff: c.diff,
        spans: c.spans,
    })
}
