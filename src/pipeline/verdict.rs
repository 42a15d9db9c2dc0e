//! The pure decision at the heart of a check: given the newest stored version and the text just
//! extracted, is this a baseline, a new baseline, the same text, a suspicious shrink, or a change?
//! See docs/ARCHITECTURE.md, "Rules that keep alerts trustworthy".

/// A new text shorter than this fraction of the previous one is suspicious (a block page, a
/// half-rendered page), not a change: rule 3 ("more than 90 % shrunken").
pub const MAX_SHRINK: f64 = 0.10;
/// Texts shorter than this many bytes are too small for the shrink rule to mean anything.
pub const SHRINK_MIN_BYTES: i64 = 400;

/// What is known of a version: how it was extracted, its hash and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionInfo<'a> {
    /// Extraction fingerprint (settings that shape the text).
    pub fingerprint: &'a str,
    /// SHA-256 of the text.
    pub text_hash: &'a str,
    /// Length of the text in bytes.
    pub size: i64,
}

/// What to do with a newly extracted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No earlier version: store it as the baseline, report nothing (rule 1).
    Baseline,
    /// The extraction settings changed: store a new baseline, report nothing (rule 4).
    Rebaseline,
    /// Same text as the newest version (rule 2).
    Unchanged,
    /// The text lost more than 90 % at once: an error on the source, never a change (rule 3).
    Suspicious {
        /// Previous size in bytes.
        old: i64,
        /// New size in bytes.
        new: i64,
    },
    /// A real change: diff, tag, store and alert.
    Changed,
}

/// Decides what a newly extracted text is, compared with the newest stored version.
#[must_use]
pub fn verdict(latest: Option<VersionInfo<'_>>, new: VersionInfo<'_>) -> Verdict {
    let Some(old) = latest else {
        return Verdict::Baseline;
    };
    if old.fingerprint != new.fingerprint {
        return Verdict::Rebaseline;
    }
    if old.text_hash == new.text_hash {
        return Verdict::Unchanged;
    }
    #[allow(clippy::cast_precision_loss)] // sizes far below 2^52 bytes
    let shrank = (new.size as f64) < (old.size as f64) * MAX_SHRINK;
    if old.size >= SHRINK_MIN_BYTES && shrank {
        return Verdict::Suspicious {
            old: old.size,
            new: new.size,
        };
    }
    Verdict::Changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v<'a>(fingerprint: &'a str, text_hash: &'a str, size: i64) -> VersionInfo<'a> {
        VersionInfo {
            fingerprint,
            text_hash,
            size,
        }
    }

    #[test]
    fn first_version_is_a_baseline() {
        assert_eq!(verdict(None, v("f", "h", 10)), Verdict::Baseline);
    }

    #[test]
    fn new_settings_start_a_new_baseline_even_for_the_same_text() {
        assert_eq!(
            verdict(Some(v("f1", "h", 1000)), v("f2", "h", 1000)),
            Verdict::Rebaseline
        );
        // Settings win over the shrink rule: a narrower selector legitimately shrinks the text.
        assert_eq!(
            verdict(Some(v("f1", "h1", 10_000)), v("f2", "h2", 10)),
            Verdict::Rebaseline
        );
    }

    #[test]
    fn same_hash_is_unchanged() {
        assert_eq!(
            verdict(Some(v("f", "h", 500)), v("f", "h", 500)),
            Verdict::Unchanged
        );
    }

    #[test]
    fn losing_more_than_ninety_percent_is_suspicious() {
        assert_eq!(
            verdict(Some(v("f", "a", 1000)), v("f", "b", 99)),
            Verdict::Suspicious { old: 1000, new: 99 }
        );
        assert_eq!(
            verdict(Some(v("f", "a", 1000)), v("f", "b", 100)),
            Verdict::Changed,
            "exactly 10 % left is still a change"
        );
    }

    #[test]
    fn small_texts_may_shrink_freely() {
        assert_eq!(
            verdict(Some(v("f", "a", SHRINK_MIN_BYTES - 1)), v("f", "b", 1)),
            Verdict::Changed
        );
        assert_eq!(
            verdict(Some(v("f", "a", SHRINK_MIN_BYTES)), v("f", "b", 1)),
            Verdict::Suspicious {
                old: SHRINK_MIN_BYTES,
                new: 1
            }
        );
    }

    #[test]
    fn growth_is_a_change() {
        assert_eq!(
            verdict(Some(v("f", "a", 400)), v("f", "b", 40_000)),
            Verdict::Changed
        );
    }
}
