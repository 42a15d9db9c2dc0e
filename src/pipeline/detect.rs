//! Writing one source's result: a short list of named steps over the pure [`verdict`], all in
//! one detection transaction (version, change, tags and alerts together or not at all).

use crate::config::Source;
use crate::diff::diff_versions;
use crate::model::{Change, Timestamp};
use crate::notify::enqueue_alerts;
use crate::store::{
    Acceptance, Detection, FetchLogEntry, FetchState, LatestSnapshot, NewChange, Store, Version,
    join_blocks, text_hash,
};
use crate::tag::{TagContext, tag_change};

use super::verdict::{Verdict, VersionInfo, verdict};
use super::{CheckError, Checker, Got, Outcome, Response};

/// When a check happened, how long it took, and when the next one is due after a success.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    pub(super) at: Timestamp,
    pub(super) duration_ms: u64,
    pub(super) next_check: Timestamp,
}

impl Checker {
    /// Decides and writes what a fetch means for its source, in one transaction.
    pub(super) fn detect(
        &self,
        store: &mut Store,
        source: &Source,
        prev: &FetchState,
        got: Got,
        timing: &Timing,
    ) -> Result<Outcome, CheckError> {
        let (response, body_hash, blocks) = match got {
            Got::NotModified(r) => (r, prev.body_hash.clone(), None),
            Got::SameBody(r, hash) => (r, Some(hash), None),
            Got::Text(r, hash, blocks) => (r, Some(hash), Some(blocks)),
        };
        let state = FetchState {
            validators: response.validators.clone(),
            body_hash,
            body_fingerprint: Some(source.extraction_fingerprint().to_string()),
        };
        let det = store.begin_detection(&source.id)?;
        let latest = det.latest()?;
        let outcome = match blocks {
            // 304 or identical body: nothing to extract, nothing to compare.
            None => {
                if let Some(l) = &latest {
                    det.touch(l.id, timing.at)?;
                }
                if response.not_modified {
                    Outcome::NotModified
                } else {
                    Outcome::Unchanged
                }
            }
            Some(blocks) => {
                self.compare(&det, source, latest.as_ref(), &blocks, &response, timing.at)?
            }
        };
        let log = FetchLogEntry {
            at: timing.at,
            outcome: outcome.kind(),
            http_status: Some(response.status),
            duration_ms: timing.duration_ms,
            bytes: response.bytes,
            error: None,
        };
        let changed = matches!(outcome, Outcome::Changed(_));
        det.record_success(&state, changed, &log, timing.next_check)?;
        det.commit()?;
        Ok(outcome)
    }

    /// Compares new blocks with the newest stored version and stores what the verdict says.
    fn compare(
        &self,
        det: &Detection<'_>,
        source: &Source,
        latest: Option<&LatestSnapshot>,
        blocks: &[String],
        response: &Response,
        at: Timestamp,
    ) -> Result<Outcome, CheckError> {
        let text = join_blocks(blocks);
        let hash = text_hash(&text);
        let fingerprint = source.extraction_fingerprint();
        let version = Version {
            text: &text,
            hash: &hash,
            blocks: blocks.len(),
            facts: response.facts(),
        };
        let info = |fingerprint, text_hash, size| VersionInfo {
            fingerprint,
            text_hash,
            size,
        };
        let new = info(
            fingerprint,
            &hash,
            i64::try_from(text.len()).unwrap_or(i64::MAX),
        );
        let old = latest.map(|l| info(&l.fingerprint, &l.text_hash, l.size));
        let baseline = |first: bool| -> Result<Outcome, CheckError> {
            det.insert_snapshot(&version, fingerprint, true, at)?;
            let blocks = blocks.len();
            Ok(if first {
                Outcome::Baseline { blocks }
            } else {
                Outcome::Rebaselined { blocks }
            })
        };
        match (verdict(old, new), latest) {
            (Verdict::Unchanged, Some(l)) => {
                det.touch(l.id, at)?;
                Ok(Outcome::Unchanged)
            }
            (Verdict::Changed, Some(l)) => {
                let change = self.record_change(det, source, l, blocks, &version, response, at)?;
                Ok(Outcome::Changed(Box::new(change)))
            }
            (Verdict::Suspicious { old, new }, _) => {
                self.suspicious(det, &version, fingerprint, (old, new), at)
            }
            (Verdict::Rebaseline, Some(_)) => baseline(false),
            // No earlier version (the verdict says Unchanged or Changed only when there is one).
            _ => baseline(true),
        }
    }

    /// A text that lost more than 90 % at once is an error, unless the same text came back
    /// `settings.accept_shrink_after` times in a row: then it is accepted as a new baseline.
    fn suspicious(
        &self,
        det: &Detection<'_>,
        version: &Version<'_>,
        fingerprint: &str,
        (old, new): (i64, i64),
        at: Timestamp,
    ) -> Result<Outcome, CheckError> {
        let limit = i64::from(self.config.settings.accept_shrink_after);
        let in_a_row = match det.suspect()? {
            Some((hash, count)) if hash == version.hash => count.saturating_add(1),
            _ => 1,
        };
        if limit == 0 || in_a_row < limit {
            return Err(CheckError::Suspicious {
                old,
                new,
                hash: version.hash.to_string(),
            });
        }
        det.insert_accepted(version, fingerprint, Acceptance::Auto, at)?;
        Ok(Outcome::Accepted {
            blocks: version.blocks,
            old,
            new,
        })
    }

    /// Diffs, tags and stores a change, and queues its alerts in the same transaction.
    #[allow(clippy::too_many_arguments)]
    fn record_change(
        &self,
        det: &Detection<'_>,
        source: &Source,
        latest: &LatestSnapshot,
        blocks: &[String],
        version: &Version<'_>,
        response: &Response,
        at: Timestamp,
    ) -> Result<Change, CheckError> {
        let old = det.load_blocks(&latest.text_hash)?;
        let diff = diff_versions(&old, blocks, source.has_items());
        let ctx = TagContext {
            lang: source.lang,
            source_id: &source.id,
            rules: &self.config.rules,
            packs: &source.packs,
            old: &old,
            new: blocks,
        };
        let tags = tag_change(&diff.hunks, diff.items.as_ref(), &ctx);
        let new_id = det.insert_snapshot(version, source.extraction_fingerprint(), false, at)?;
        let id = det.insert_change(&NewChange {
            old_snapshot_id: latest.id,
            new_snapshot_id: new_id,
            url: &response.final_url,
            detected_at: at,
            added: diff.added,
            removed: diff.removed,
            diff: &diff.unified,
            edits: &diff.edits,
            tags: &tags,
        })?;
        let change = Change {
            id,
            source: source.id.clone(),
            source_name: source.name.clone(),
            url: response.final_url.clone(),
            detected_at: at,
            severity: Change::severity_of(&tags),
            added: diff.added,
            removed: diff.removed,
            tags,
            diff: diff.unified,
            spans: diff.edits,
        };
        enqueue_alerts(det, &self.config, &change)?;
        Ok(change)
    }
}
