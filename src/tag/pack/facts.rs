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

/// What a block must contain to possibly state a value: a pattern over its raw text (an amount
/// with any thousands separator, a code, a name, a year), or nothing cheap to test.
enum Anchor {
    /// Regular-expression alternatives (case-insensitive) one of which the block must match.
    Pattern(Vec<String>),
    /// No cheap test: every block is read.
    Any,
}

/// Separators that may stand between digit groups (comma, point, space, apostrophes, NBSPs).
const SEP: &str = "[,. '\u{2019}\u{a0}\u{202f}]?";

/// Patterns an amount may be written as: "4,800" / "4 800" / "4.800" / "4’800", and its
/// significant digits for scaled forms ("4.8 TB/s", "26,9 Mio.", "26.9 million").
fn amount_patterns(v: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut push_number = |x: f64| {
        if !(x.is_finite() && x > 0.0) {
            return;
        }
        let text = format!("{}", (x * 1000.0).round() / 1000.0);
        let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
        let digits: Vec<char> = int.chars().collect();
        let mut groups = Vec::new();
        let mut end = digits.len();
        while end > 3 {
            groups.push(digits[end - 3..end].iter().collect::<String>());
            end -= 3;
        }
        groups.push(digits[..end].iter().collect::<String>());
        groups.reverse();
        let mut p = format!("(?-u:\\b){}", groups.join(SEP));
        if !frac.is_empty() {
            p.push_str("[.,]");
            p.push_str(frac);
        }
        p.push_str("(?-u:\\b)");
        out.push(p);
    };
    push_number(v);
    // Scaled forms only with decimals ("4.8 TB/s", "26,9 Mio."): a bare "4" would match anything.
    for scale in [1e3, 1e6, 1e9] {
        let x = v / scale;
        if x >= 1.0 && x.fract() != 0.0 {
            push_number(x);
        }
    }
    out
}

/// The anchor of a tag's values (old and new): reading only blocks that match it keeps the
/// whole versions' facts cheap (a 100 KB change reads a handful of blocks, not all of them).
fn anchor(t: &Tag) -> Anchor {
    let d = &t.detail;
    let num = |k: &str| d.get(k).and_then(Value::as_f64);
    let text = |k: &str| {
        d.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let literal = |ws: Vec<String>| {
        Anchor::Pattern(
            ws.iter()
                .filter(|w| !w.is_empty())
                .map(|w| format!("(?i:{})", regex::escape(w.trim_end_matches('*'))))
                .collect(),
        )
    };
    let group_words = |group: &str, key: &str| -> Vec<String> {
        crate::tag::packs::groups(group)
            .iter()
            .filter(|g| g.key.eq_ignore_ascii_case(key))
            .flat_map(|g| g.words.iter().cloned())
            .collect()
    };
    match t.tag.as_str() {
        "threshold_changed" | "quota_changed" | "tariff_changed" => Anchor::Pattern(
            [num("old"), num("new")]
                .into_iter()
                .flatten()
                .flat_map(amount_patterns)
                .collect(),
        ),
        "eccn_changed" => literal(vec![text("eccn")]),
        "chip_added" | "chip_removed" => {
            let c = text("chip");
            let mut ws = group_words("chips", &c);
            ws.push(c);
            literal(ws)
        }
        "tier_move" => literal(group_words("countries", &text("country"))),
        "license_policy_changed" => match d.get("exception").and_then(Value::as_str) {
            Some(e) => literal(vec![e.to_string()]),
            None => literal(
                [
                    "presumption",
                    "case-by-case",
                    "case by case",
                    "présomption",
                    "cas par cas",
                    "vermutung",
                    "einzelfall",
                ]
                .iter()
                .map(ToString::to_string)
                .collect(),
            ),
        },
        "effective_date_changed" => literal(
            ["old", "new"]
                .iter()
                .filter_map(|k| d.get(*k).and_then(Value::as_str))
                .filter_map(|v| v.get(..4).map(str::to_string))
                .collect(),
        ),
        _ => Anchor::Any,
    }
}

/// One test for all anchors: `None` when some anchor cannot be tested cheaply (read every block).
fn anchor_test(anchors: &[Anchor]) -> Option<regex::Regex> {
    let mut alts = Vec::new();
    for a in anchors {
        match a {
            Anchor::Any => return None,
            Anchor::Pattern(ps) => alts.extend(ps.iter().cloned()),
        }
    }
    if alts.is_empty() {
        return regex::Regex::new("$^").ok();
    }
    regex::Regex::new(&alts.join("|")).ok()
}

/// Every (key, value) the blocks of a version that may state an anchored value state.
fn facts_of(
    blocks: &[String],
    lang: Lang,
    test: Option<&regex::Regex>,
) -> HashSet<(String, String)> {
    // Each block under the heading it follows.
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut heading: Option<&str> = None;
    for b in blocks {
        if b.starts_with('#') {
            heading = Some(b.as_str());
        }
        if b.len() <= MAX_FACT_BLOCK && test.is_none_or(|t| t.is_match(b)) {
            placed.push((b.as_str(), heading));
        }
    }
    if placed.is_empty() {
        return HashSet::new();
    }
    let doc_context = blocks.iter().take(40).any(|b| tier_context(&norm(b)))
        || placed.iter().any(|(b, _)| tier_context(&norm(b)));
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

/// Keeps the tags whose fact the whole versions really disagree on. A version's facts are read
/// only when a proposal needs them, and only from blocks that may state its values.
pub(super) fn keep_differences(
    tags: &mut Vec<Tag>,
    old_all: &[String],
    new_all: &[String],
    lang: Lang,
) {
    let facts: Vec<_> = tags.iter().map(fact).collect();
    let anchors: Vec<Anchor> = tags.iter().map(anchor).collect();
    let test = anchor_test(&anchors);
    let needs_before = facts.iter().flatten().any(|(_, _, new)| new.is_some());
    let needs_after = facts.iter().flatten().any(|(_, old, _)| old.is_some());
    let before = if needs_before {
        facts_of(old_all, lang, test.as_ref())
    } else {
        HashSet::new()
    };
    let after = if needs_after {
        facts_of(new_all, lang, test.as_ref())
    } else {
        HashSet::new()
    };
    let mut i = 0;
    tags.retain(|_| {
        let keep = match &facts[i] {
            None => true,
            Some((key, old, new)) => {
                let new_was_there = new
                    .as_ref()
                    .is_none_or(|v| before.contains(&(key.clone(), v.clone())));
                let old_still_there = old
                    .as_ref()
                    .is_none_or(|v| after.contains(&(key.clone(), v.clone())));
                // A country has one place at a time: a move into the place the old version
                // already gave it ("Italy moved to tier 2, like Austria and Poland") is none.
                let placed_before = key.starts_with("placement|") && new.is_some() && new_was_there;
                !(placed_before || (new_was_there && old_still_there))
            }
        };
        i += 1;
        keep
    });
}

/// Words one of which a block must name for an amount in it to be read in the tag's unit.
fn unit_words(t: &Tag) -> &'static [&'static str] {
    let unit = t.detail["unit"].as_str().unwrap_or_default();
    match unit {
        "TPP" => &[
            "tpp",
            "total processing performance",
            "puissance de traitement",
        ],
        "TPP/mm²" => &["densit", "dichte"],
        "GPU" => &[
            "gpu",
            "chip",
            "puce",
            "grafik",
            "processeur",
            "prozessor",
            "accelerat",
            "beschleuniger",
        ],
        "H100-equivalent" => &["h100"],
        "GB/s" => &[
            "gb/s",
            "go/s",
            "tb/s",
            "to/s",
            "gbyte",
            "gigabyte",
            "gigaoctet",
        ],
        "%" => &["%", "percent", "per cent", "prozent", "pour cent"],
        _ => &[],
    }
}

/// A quantity said to be dropped ("4,800 → none") whose amount the new version still writes in a
/// block about the same unit (a table re-laid out, a sentence rephrased around the figure), or said
/// to appear ("none → 4,800") where the old version already wrote it, is no change: removal means
/// "no longer stated anywhere", addition "stated now and nowhere before".
pub(super) fn drop_one_sided_still_written(
    tags: &mut Vec<Tag>,
    old_all: &[String],
    new_all: &[String],
) {
    let written = |blocks: &[String], v: f64, t: &Tag| -> bool {
        let words = unit_words(t);
        if words.is_empty() {
            return false;
        }
        let Ok(re) = regex::Regex::new(&amount_patterns(v).join("|")) else {
            return false;
        };
        blocks.iter().any(|b| {
            let n = crate::tag::text::norm(b);
            words.iter().any(|w| n.contains(w)) && re.is_match(&n)
        })
    };
    tags.retain(|t| {
        if !matches!(
            t.tag.as_str(),
            "threshold_changed" | "quota_changed" | "tariff_changed"
        ) {
            return true;
        }
        let (old, new) = (t.detail["old"].as_f64(), t.detail["new"].as_f64());
        match (old, new) {
            (Some(o), None) => !written(new_all, o, t),
            (None, Some(n)) => !written(old_all, n, t),
            _ => true,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::amount_patterns;

    #[test]
    fn amounts_match_every_way_of_writing_them_and_nothing_else() {
        let re = regex::Regex::new(&amount_patterns(4800.0).join("|")).unwrap();
        for yes in [
            "4,800",
            "4 800",
            "4.800",
            "4\u{2019}800",
            "4\u{a0}800",
            "4.8 TB/s",
            "4800",
        ] {
            assert!(re.is_match(yes), "{yes}");
        }
        for no in ["14,823", "4,8000", "48", "§ 744.8x"] {
            assert!(!re.is_match(no), "{no}");
        }
    }
}
