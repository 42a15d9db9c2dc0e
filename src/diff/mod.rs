//! Block-level diff (with `similar`), a unified diff text, counts, and word-level spans of the blocks
//! that were edited in place.

mod items;

use std::time::{Duration, Instant};

use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices_deadline};

pub use items::diff_items;

/// Longest time one diff computation may search for the smallest edit script before settling
/// for a coarser (still correct) one: a hostile page costs at most this much CPU per diff.
pub const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// Lines of context around each hunk of the unified diff.
pub const CONTEXT: usize = 2;

pub use crate::model::{BlockEdit, Hunk, ItemDiff, Span, SpanKind};

/// The result of comparing two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// Blocks only in the new version.
    pub added: usize,
    /// Blocks only in the old version.
    pub removed: usize,
    /// Unified diff text (`@@ -a,b +c,d @@` hunks, `-`/`+`/` ` lines).
    pub unified: String,
    /// Changed regions.
    pub hunks: Vec<Hunk>,
    /// Per-block word-level edits for rendering.
    pub edits: Vec<BlockEdit>,
    /// For item lists (feeds, JSON lists): what appeared and what changed, item by item.
    pub items: Option<ItemDiff>,
}

impl Diff {
    /// True when the two versions have the same blocks.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }
}

/// Compares two versions; with `items`, the blocks are an item list and the result also says
/// which items appeared and changed ([`diff_items`]).
#[must_use]
pub fn diff_versions(old: &[String], new: &[String], items: bool) -> Diff {
    let mut diff = diff_blocks(old, new);
    if items {
        diff.items = Some(diff_items(old, new));
    }
    diff
}

/// Compares two lists of blocks.
#[must_use]
pub fn diff_blocks(old: &[String], new: &[String]) -> Diff {
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        old,
        new,
        Some(Instant::now() + DIFF_DEADLINE),
    );
    let mut added = 0;
    let mut removed = 0;
    let mut hunks = Vec::new();
    let mut edits = Vec::new();
    // Merge adjacent non-equal ops into one hunk (a Replace is often Delete+Insert).
    let mut pending: Option<(usize, usize, usize, usize)> = None; // old range, new range
    let flush =
        |range: (usize, usize, usize, usize), hunks: &mut Vec<Hunk>, edits: &mut Vec<BlockEdit>| {
            let (os, oe, ns, ne) = range;
            let o = &old[os..oe];
            let n = &new[ns..ne];
            hunks.push(Hunk {
                old: o.to_vec(),
                new: n.to_vec(),
                old_heading: heading_above(old, os),
                new_heading: heading_above(new, ns),
                context: new[ns.saturating_sub(CONTEXT + 1)..ns]
                    .iter()
                    .chain(new[ne..(ne + CONTEXT + 1).min(new.len())].iter())
                    .cloned()
                    .collect(),
            });
            edits.extend(pair_edits(o, n));
        };
    for op in &ops {
        match *op {
            DiffOp::Equal { .. } => {
                if let Some(r) = pending.take() {
                    flush(r, &mut hunks, &mut edits);
                }
            }
            _ => {
                let (_, old_r, new_r) = op.as_tag_tuple();
                removed += old_r.len();
                added += new_r.len();
                pending = Some(match pending {
                    None => (old_r.start, old_r.end, new_r.start, new_r.end),
                    Some((os, _, ns, _)) => (os, old_r.end, ns, new_r.end),
                });
            }
        }
    }
    if let Some(r) = pending.take() {
        flush(r, &mut hunks, &mut edits);
    }
    Diff {
        added,
        removed,
        unified: unified(old, new),
        hunks,
        edits,
        items: None,
    }
}

fn heading_above(blocks: &[String], idx: usize) -> Option<String> {
    blocks[..idx.min(blocks.len())]
        .iter()
        .rev()
        .find(|b| b.starts_with('#'))
        .cloned()
}

/// How far (in blocks, either side of the proportional position) a removed block looks for its
/// edited counterpart. Edited blocks stay roughly in place; a window keeps pairing linear in the
/// size of the hunk (a page of 6,000 paragraphs that all change costs 6,000 × 17 comparisons,
/// not 36 million).
pub const PAIR_WINDOW: usize = 8;

/// Pairs removed and added blocks of a hunk: the most similar ones become in-place edits with
/// word spans, the rest are whole-block insertions or deletions.
fn pair_edits(old: &[String], new: &[String]) -> Vec<BlockEdit> {
    let partner = pair_within_window(old, new, similarity);
    let mut out = Vec::new();
    // Removed-only blocks first, then each new block in new-text order.
    let paired_old: std::collections::HashSet<usize> = partner.iter().flatten().copied().collect();
    for (i, o) in old.iter().enumerate() {
        if !paired_old.contains(&i) {
            out.push(BlockEdit {
                old: o.clone(),
                new: String::new(),
                spans: vec![Span {
                    kind: SpanKind::Delete,
                    text: o.clone(),
                }],
            });
        }
    }
    for (j, n) in new.iter().enumerate() {
        out.push(match partner[j] {
            Some(i) => BlockEdit {
                old: old[i].clone(),
                new: n.clone(),
                spans: word_spans(&old[i], n),
            },
            None => BlockEdit {
                old: String::new(),
                new: n.clone(),
                spans: vec![Span {
                    kind: SpanKind::Insert,
                    text: n.clone(),
                }],
            },
        });
    }
    out
}

/// Hunks with at most this many old × new block pairs are paired exhaustively (every pair
/// compared, as cheap as the window for small hunks); larger ones within [`PAIR_WINDOW`].
pub const PAIR_ALL_BELOW: usize = 64 * 64;

/// For each new block, the old block it is an edit of (if any): each old block takes the most
/// similar unpaired new block (similarity ≥ 0.4) — among all new blocks in a small hunk, within
/// [`PAIR_WINDOW`] of its proportional position in a large one.
fn pair_within_window(
    old: &[String],
    new: &[String],
    mut similar: impl FnMut(&str, &str) -> f32,
) -> Vec<Option<usize>> {
    let mut partner: Vec<Option<usize>> = vec![None; new.len()];
    if new.is_empty() {
        return partner;
    }
    for (i, o) in old.iter().enumerate() {
        let (lo, hi) = if old.len().saturating_mul(new.len()) <= PAIR_ALL_BELOW {
            (0, new.len())
        } else {
            let centre = i * new.len() / old.len().max(1);
            (
                centre.saturating_sub(PAIR_WINDOW),
                (centre + PAIR_WINDOW + 1).min(new.len()),
            )
        };
        let best = (lo..hi)
            .filter(|j| partner[*j].is_none())
            .map(|j| (j, similar(o, &new[j])))
            .filter(|(_, r)| *r >= 0.4)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((j, _)) = best {
            partner[j] = Some(i);
        }
    }
    partner
}

fn similarity(a: &str, b: &str) -> f32 {
    if a.len() + b.len() > 20_000 {
        // Long blocks: a cheap estimate from shared words keeps pairing linear.
        let aw: std::collections::HashSet<&str> = a.split_whitespace().collect();
        let bw: std::collections::HashSet<&str> = b.split_whitespace().collect();
        let inter = aw.intersection(&bw).count() as f32;
        return 2.0 * inter / (aw.len() + bw.len()).max(1) as f32;
    }
    TextDiff::from_words(a, b).ratio()
}

/// Word-level spans between two versions of one block.
#[must_use]
pub fn word_spans(old: &str, new: &str) -> Vec<Span> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(Instant::now() + DIFF_DEADLINE)
        .diff_words(old, new);
    let mut out: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Equal,
            ChangeTag::Delete => SpanKind::Delete,
            ChangeTag::Insert => SpanKind::Insert,
        };
        match out.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => out.push(Span {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    out
}

fn unified(old: &[String], new: &[String]) -> String {
    use std::fmt::Write as _;
    let diff = TextDiff::configure()
        .deadline(Instant::now() + DIFF_DEADLINE)
        .diff_slices(
            &old.iter().map(String::as_str).collect::<Vec<_>>(),
            &new.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    let mut out = String::new();
    for group in diff.grouped_ops(CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let os = first.old_range().start;
        let oe = last.old_range().end;
        let ns = first.new_range().start;
        let ne = last.new_range().end;
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            if oe > os { os + 1 } else { os },
            oe - os,
            if ne > ns { ns + 1 } else { ns },
            ne - ns
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                let _ = writeln!(out, "{sign}{}", change.value());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn pairing_looks_only_near_each_block_so_it_stays_linear() {
        let old: Vec<String> = (0..6000)
            .map(|i| format!("Paragraph {i} says 4,800."))
            .collect();
        let new: Vec<String> = (0..6000)
            .map(|i| format!("Paragraph {i} says 4,000."))
            .collect();
        let mut comparisons = 0usize;
        let partner = pair_within_window(&old, &new, |a, b| {
            comparisons += 1;
            similarity(a, b)
        });
        assert!(
            comparisons <= old.len() * (2 * PAIR_WINDOW + 1),
            "{comparisons}"
        );
        assert!(partner.iter().enumerate().all(|(j, p)| *p == Some(j)));
        // The whole diff of such a page pairs every block as an edit.
        let d = diff_blocks(&old, &new);
        assert_eq!(d.edits.len(), 6000);
        assert!(
            d.edits
                .iter()
                .all(|e| !e.old.is_empty() && !e.new.is_empty())
        );
    }

    #[test]
    fn a_small_hunk_pairs_an_edit_however_far_it_moved() {
        let old = v(&["The TPP threshold is 4,800."]);
        let mut new: Vec<String> = (0..10).map(|i| format!("New paragraph {i}.")).collect();
        new.push("The TPP threshold is 4,000.".into());
        let partner = pair_within_window(&old, &new, similarity);
        assert_eq!(partner[10], Some(0));
    }

    #[test]
    fn identical_is_empty() {
        let a = v(&["a", "b"]);
        let d = diff_blocks(&a, &a);
        assert!(d.is_empty());
        assert_eq!(d.unified, "");
        assert!(d.hunks.is_empty());
    }

    #[test]
    fn edit_in_place_has_word_spans_and_unified_text() {
        let old = v(&["# Rules", "intro", "The TPP threshold is 4,800.", "end"]);
        let new = v(&[
            "# Rules",
            "intro",
            "The TPP threshold is 4,000.",
            "end",
            "new line",
        ]);
        let d = diff_blocks(&old, &new);
        assert_eq!((d.added, d.removed), (2, 1));
        assert!(
            d.unified
                .contains("-The TPP threshold is 4,800.\n+The TPP threshold is 4,000.\n")
        );
        assert!(d.unified.starts_with("@@ -1,4 +1,5 @@\n"), "{}", d.unified);
        assert_eq!(d.hunks[0].old_heading.as_deref(), Some("# Rules"));
        let edit = &d.edits[0];
        assert!(
            edit.spans
                .iter()
                .any(|s| s.kind == SpanKind::Delete && s.text.contains("4,800"))
        );
        assert!(
            edit.spans
                .iter()
                .any(|s| s.kind == SpanKind::Insert && s.text.contains("4,000"))
        );
        assert_eq!(d.edits[1].new, "new line");
        assert_eq!(d.hunks.len(), 2);
    }
}
