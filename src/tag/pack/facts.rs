//! Facts per version, compared as sets.
//!
//! The recognizers read the sentences the diff touched and propose tags; each tag states a fact
//! (a key such as a threshold's metric, a country, an ECCN, and a value) that was there before
//! and/or is there now. A proposal stands only when the whole versions disagree on it: a value
//! said to be removed must be stated nowhere in the new version, one said to be added nowhere in
//! the old. So removing one page of a rule that names ECCN 5A992 on forty others, or moving a
//! paragraph, gives nothing.
//!
//! A version's facts are what the recognizers find when they read it against an empty old side
//! (every fact it states, as an addition).

use std::collections::HashSet;

use serde_json::Value;

use super::{Placed, compare};
use crate::model::{Lang, Tag};
use crate::tag::countries::tier_context;
use crate::tag::text::norm;

/// The key of a tag's fact and its old and new values (as text; `None` when absent).
fn fact(t: &Tag) -> Option<(String, Option<String>, Option<String>)> {
    let d = &t.detail;
    let text = |k: &str| match d.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => Some(v.to_string()),
    };
    let field = |k: &str| text(k).unwrap_or_default();
    let change = |present: String| {
        if field("change") == "removed" {
            (Some(present), None)
        } else {
            (None, Some(present))
        }
    };
    let (key, (old, new)) = match t.tag.as_str() {
        "threshold_changed" => (
            format!("threshold|{}|{}", field("metric"), field("unit")),
            (text("old"), text("new")),
        ),
        "quota_changed" => (
            format!("quota|{}|{}", field("unit"), field("scope")),
            (text("old"), text("new")),
        ),
        "tariff_changed" => ("tariff".into(), (text("old"), text("new"))),
        "tier_move" => (
            format!("placement|{}", field("country")),
            (text("from"), text("to")),
        ),
        "effective_date_changed" => (
            format!("date|{}", field("kind")),
            (text("old"), text("new")),
        ),
        "license_policy_changed" => match text("exception") {
            Some(e) => (format!("exception|{e}"), change(e.clone())),
            None => ("policy".into(), (text("old"), text("new"))),
        },
        "bill_stage_changed" => ("bill".into(), (text("from"), text("to"))),
        "eccn_changed" => {
            let e = field("eccn");
            (format!("eccn|{e}"), change(e))
        }
        "chip_added" => ("chip".into(), (None, text("chip"))),
        "chip_removed" => ("chip".into(), (text("chip"), None)),
        "rule_rescinded" => ("rescission".into(), (None, text("kind"))),
        _ => return None,
    };
    Some((key, old, new))
}

/// Blocks longer than this are left out of a version's facts: a multi-megabyte paragraph is read
/// once, by the changed-sentence pass, not three times (its proposals then stand unfiltered).
const MAX_FACT_BLOCK: usize = 64 * 1024;

/// Every (key, value) a version states.
fn facts_of(blocks: &[String], lang: Lang) -> HashSet<(String, String)> {
    // Each block under the heading it follows.
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut heading: Option<&str> = None;
    for b in blocks {
        if b.starts_with('#') {
            heading = Some(b.as_str());
        }
        if b.len() <= MAX_FACT_BLOCK {
            placed.push((b.as_str(), heading));
        }
    }
    let doc_context = blocks.iter().any(|b| tier_context(&norm(b)));
    let doc = super::Doc {
        tiers: doc_context,
        bill: false,
        tracked: false,
    };
    compare(&[], &placed, lang, doc)
        .iter()
        .filter_map(fact)
        .filter_map(|(k, _, new)| new.map(|v| (k, v)))
        .collect()
}

/// Keeps the tags whose fact the whole versions really disagree on.
pub(super) fn keep_differences(
    tags: &mut Vec<Tag>,
    old_all: &[String],
    new_all: &[String],
    lang: Lang,
) {
    let before = facts_of(old_all, lang);
    let after = facts_of(new_all, lang);
    tags.retain(|t| {
        let Some((key, old, new)) = fact(t) else {
            return true;
        };
        let new_was_there = new
            .as_ref()
            .is_none_or(|v| before.contains(&(key.clone(), v.clone())));
        let old_still_there = old
            .as_ref()
            .is_none_or(|v| after.contains(&(key.clone(), v.clone())));
        !(new_was_there && old_still_there)
    });
}
