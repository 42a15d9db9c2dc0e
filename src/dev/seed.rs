//! A database with many stored changes, written fast through the store's own detection API
//! (one transaction per source instead of one per change): the web benchmark
//! (`benches/web.rs`) and the streaming tests of the API seed one. The changes look like real
//! ones: a version chain per source, a unified diff, word spans, and tags of several kinds and
//! severities (a quarter each: `threshold_changed` high, `tier_move` high, `chip_added` medium,
//! none, which is low).

use std::time::Duration;

use crate::model::{BlockEdit, Evidence, Severity, Span, SpanKind, Tag, Timestamp};
use crate::store::{FetchFacts, NewChange, Store, StoreError, Version, join_blocks, text_hash};

/// Sources the changes are spread over.
pub const SEED_SOURCES: usize = 20;

/// The id of seeded source `i`.
#[must_use]
pub fn source_id(i: usize) -> String {
    format!("seed-{i:02}")
}

/// The blocks of version `v` of a source: a few paragraphs, one of which moves each time.
fn blocks(source: usize, v: usize) -> Vec<String> {
    vec![
        format!("# Advanced computing controls, part {source}"),
        "Items in ECCN 3A090 are controlled when their total processing performance meets the threshold below.".to_string(),
        format!(
            "A chip is controlled when its total processing performance is {} or more.",
            4_800 + v
        ),
        format!("| France | Tier {} |", 1 + v % 2),
        "License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.".to_string(),
    ]
}

/// The tags of change number `i` (a quarter of each kind; the last quarter has none).
fn tags(i: usize, v: usize) -> Vec<Tag> {
    let tag = |tag: &str, severity, summary: String, detail, old: String, new: String| Tag {
        tag: tag.to_string(),
        severity,
        summary,
        detail,
        evidence: Evidence { old, new },
    };
    match i % 4 {
        0 => vec![tag(
            "threshold_changed",
            Severity::High,
            format!("TPP threshold {} → {}", 4_800 + v - 1, 4_800 + v),
            serde_json::json!({"metric": "TPP", "old": (4_800 + v - 1).to_string(), "new": (4_800 + v).to_string(), "unit": ""}),
            format!("total processing performance is {} or more", 4_800 + v - 1),
            format!("total processing performance is {} or more", 4_800 + v),
        )],
        1 => vec![tag(
            "tier_move",
            Severity::High,
            format!("France: tier {} → tier {}", 1 + (v - 1) % 2, 1 + v % 2),
            serde_json::json!({"country": "FR", "from": 1 + (v - 1) % 2, "to": 1 + v % 2}),
            format!("France | Tier {}", 1 + (v - 1) % 2),
            format!("France | Tier {}", 1 + v % 2),
        )],
        2 => vec![tag(
            "chip_added",
            Severity::Medium,
            "Chip added: H20".to_string(),
            serde_json::json!({"chip": "H20"}),
            String::new(),
            "sales of H20 chips".to_string(),
        )],
        _ => Vec::new(),
    }
}

/// Writes `n` changes (and their versions) over [`SEED_SOURCES`] sources into `store`, the
/// newest detected a minute before now and each earlier one a minute before the next.
///
/// # Errors
/// [`StoreError`] from the store.
pub fn seed_changes(store: &mut Store, n: usize) -> Result<(), StoreError> {
    let ids: Vec<String> = (0..SEED_SOURCES).map(source_id).collect();
    let names: Vec<String> = (0..SEED_SOURCES)
        .map(|i| format!("Seeded rules page {i}"))
        .collect();
    let urls: Vec<String> = (0..SEED_SOURCES)
        .map(|i| format!("https://example.invalid/rules/{i}"))
        .collect();
    store.sync_sources(
        (0..SEED_SOURCES).map(|i| (ids[i].as_str(), names[i].as_str(), urls[i].as_str())),
    )?;
    let now = Timestamp::now();
    let minutes = |k: usize| Duration::from_secs(60 * u64::try_from(k).unwrap_or(u64::MAX));
    for (s, id) in ids.iter().enumerate() {
        // Change i (0 = oldest) belongs to source i % SEED_SOURCES.
        let mine: Vec<usize> = (s..n).step_by(SEED_SOURCES).collect();
        let det = store.begin_detection(id)?;
        let first = mine.first().map_or(now, |i| now.minus(minutes(n - i + 1)));
        let mut previous = insert_version(&det, &urls[s], &blocks(s, 0), true, first)?;
        for (k, i) in mine.iter().enumerate() {
            let v = k + 1;
            let at = now.minus(minutes(n - i));
            let old = blocks(s, v - 1);
            let new = blocks(s, v);
            let snapshot = insert_version(&det, &urls[s], &new, false, at)?;
            let diff = format!(
                "@@ -3,2 +3,2 @@\n-{}\n-{}\n+{}\n+{}\n",
                old[2], old[3], new[2], new[3]
            );
            let edits = vec![BlockEdit {
                old: old[2].clone(),
                new: new[2].clone(),
                spans: vec![
                    Span {
                        kind: SpanKind::Equal,
                        text: "A chip is controlled when its total processing performance is "
                            .into(),
                    },
                    Span {
                        kind: SpanKind::Delete,
                        text: (4_800 + v - 1).to_string(),
                    },
                    Span {
                        kind: SpanKind::Insert,
                        text: (4_800 + v).to_string(),
                    },
                    Span {
                        kind: SpanKind::Equal,
                        text: " or more.".into(),
                    },
                ],
            }];
            let tags = tags(*i, v);
            det.insert_change(&NewChange {
                old_snapshot_id: previous,
                new_snapshot_id: snapshot,
                url: &urls[s],
                detected_at: at,
                added: 2,
                removed: 2,
                diff: &diff,
                edits: &edits,
                tags: &tags,
            })?;
            previous = snapshot;
        }
        det.commit()?;
    }
    Ok(())
}

fn insert_version(
    det: &crate::store::Detection<'_>,
    url: &str,
    blocks: &[String],
    baseline: bool,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let text = join_blocks(blocks);
    let hash = text_hash(&text);
    det.insert_snapshot(
        &Version {
            text: &text,
            hash: &hash,
            blocks: blocks.len(),
            facts: FetchFacts {
                final_url: url,
                etag: None,
                last_modified: None,
            },
        },
        "seed",
        baseline,
        at,
    )
}
