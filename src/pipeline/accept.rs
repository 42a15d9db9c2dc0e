//! `regwatch accept`: fetch a source now and store its text as a new baseline, whatever the
//! verdict would say (a page that really did lose most of its text). The version is marked
//! accepted (`manual`), has no change row and is never alerted.

use crate::config::Source;
use crate::model::{CheckOutcome, Timestamp};
use crate::scheduler::{LastCheck, jitter_unit, next_due};
use crate::store::{Acceptance, FetchLogEntry, FetchState, Store, Version, join_blocks, text_hash};

use super::{CheckError, Checker, Got};

/// What `accept` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// The text was stored as a new baseline.
    Stored {
        /// Blocks stored.
        blocks: usize,
        /// Length of the text in bytes.
        size: usize,
        /// SHA-256 of the text.
        sha256: String,
    },
    /// The text fetched is already the latest version (same settings): nothing to accept.
    AlreadyLatest {
        /// SHA-256 of the text.
        sha256: String,
    },
}

impl Checker {
    /// Fetches `source` (robots.txt and redirects as for a check, no conditional GET) and
    /// stores its text as an accepted baseline in one transaction; the source's failure streak
    /// and its count of suspicious fetches start again from zero.
    ///
    /// # Errors
    /// The fetch's or extraction's [`CheckError`] (nothing is written then), or the database's.
    pub async fn accept(&self, store: &mut Store, source: &Source) -> Result<Accepted, CheckError> {
        store.sync_sources(std::iter::once((
            source.id.as_str(),
            source.name.as_str(),
            source.url.as_str(),
        )))?;
        self.load_robots(store)?;
        let fetched = self.fetch(source, &FetchState::default()).await;
        for r in &fetched.robots {
            store.save_robots(r)?;
        }
        let duration_ms = u64::try_from(fetched.elapsed.as_millis()).unwrap_or(u64::MAX);
        // Without validators or a previous body, a fetch always extracts.
        let Got::Text(response, body_hash, blocks) = fetched.result? else {
            return Err(CheckError::Internal(
                "a fetch without validators came back without a text".into(),
            ));
        };
        let at = Timestamp::now();
        let text = join_blocks(&blocks);
        let hash = text_hash(&text);
        let fingerprint = source.extraction_fingerprint();
        let version = Version {
            text: &text,
            hash: &hash,
            blocks: blocks.len(),
            facts: response.facts(),
        };
        let det = store.begin_detection(&source.id)?;
        let (outcome, result) = match det.latest()? {
            Some(l) if l.text_hash == hash && l.fingerprint == fingerprint => {
                det.touch(l.id, at)?;
                let sha256 = hash.clone();
                (CheckOutcome::Unchanged, Accepted::AlreadyLatest { sha256 })
            }
            _ => {
                det.insert_accepted(&version, fingerprint, Acceptance::Manual, at)?;
                let stored = Accepted::Stored {
                    blocks: blocks.len(),
                    size: text.len(),
                    sha256: hash.clone(),
                };
                (CheckOutcome::Accepted, stored)
            }
        };
        let state = FetchState {
            validators: response.validators.clone(),
            body_hash: Some(body_hash),
            body_fingerprint: Some(fingerprint.to_string()),
        };
        let log = FetchLogEntry {
            at,
            outcome,
            http_status: Some(response.status),
            duration_ms,
            bytes: response.bytes,
            error: None,
        };
        let next = next_due(
            at,
            source.interval,
            LastCheck::Succeeded,
            jitter_unit(&source.id),
        );
        det.record_success(&state, false, &log, next)?;
        det.commit()?;
        Ok(result)
    }
}
