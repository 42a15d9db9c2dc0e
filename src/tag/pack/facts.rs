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

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Placed, compare};
use crate::model::{Lang, Tag};
use crate::tag::countries::tier_context;

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
        // A rescission reported from a pending one is the fact "pending" (see
        // `rescission::rescission_tags`).
        "rule_rescinded" if t.detail[super::rescission::PENDING] == true => {
            ("rescission".into(), (None, Some("pending".to_string())))
        }
        "rule_rescinded" => ("rescission".into(), (None, text("kind"))),
        _ => return None,
    };
    Some((key, old, new))
}

/// Blocks longer than this are left out of a version's facts: a multi-megabyte paragraph is read
/// once, by the changed-sentence pass, not three times (its proposals then stand unfiltered).
const MAX_FACT_BLOCK: usize = 64 * 1024;

/// What a block must contain to possibly state a value: an amount with any thousands separator,
/// or a pattern over its raw text (a code, a name, a year), or nothing cheap to test.
enum Anchor {
    /// Amounts one of which the block must write.
    Amounts(Vec<Amount>),
    /// Regular-expression alternatives (case-insensitive) one of which the block must match.
    Pattern(Vec<String>),
    /// No cheap test: every block is read.
    Any,
}

/// Separators that may stand between digit groups (comma, point, space, apostrophes, NBSPs),
/// at most one between two groups.
const SEP: [&str; 7] = [",", ".", " ", "'", "\u{2019}", "\u{a0}", "\u{202f}"];

/// One way of writing an amount: its digit groups ("4", "800"), each pair joined by at most one
/// [`SEP`], then its decimals after a point or a comma (if any), between ASCII word boundaries.
/// "4,800" / "4 800" / "4.800" / "4’800" / "4800" all write `["4", "800"]`.
struct Amount {
    /// The digit groups of the integer part, most significant first (the first has 1–3 digits).
    groups: Vec<String>,
    /// Find the last group with the decimals ("4.8" and "4,8"), or the last group alone: the
    /// rarest fixed text of the amount. The rest is read around each find.
    tails: Vec<memchr::memmem::Finder<'static>>,
}

/// A byte of an ASCII word (what `(?-u:\b)` tells apart).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Amount {
    /// The way of writing `x` (rounded to three decimals), if it is a positive number.
    fn new(x: f64) -> Option<Amount> {
        if !(x.is_finite() && x > 0.0) {
            return None;
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
        let last = groups.last().map_or("", String::as_str);
        let tails: Vec<String> = if frac.is_empty() {
            vec![last.to_string()]
        } else {
            vec![format!("{last}.{frac}"), format!("{last},{frac}")]
        };
        Some(Amount {
            tails: tails
                .iter()
                .map(|t| memchr::memmem::Finder::new(t.as_bytes()).into_owned())
                .collect(),
            groups,
        })
    }

    /// Whether `hay` writes the amount this way.
    #[cfg(test)]
    fn found_in(&self, hay: &str) -> bool {
        let mut found = false;
        self.each_in(hay, |_| found = true);
        found
    }

    /// Calls `hit` with the byte offset of every place `hay` writes the amount this way (the
    /// offset of its tail): at every place its tail is found, a word end after it and, before
    /// it, the other groups (each followed by at most one separator) from a word start.
    fn each_in(&self, hay: &str, mut hit: impl FnMut(usize)) {
        let hay = hay.as_bytes();
        for tail in &self.tails {
            let mut from = 0;
            while let Some(i) = tail.find(&hay[from..]) {
                let at = from + i;
                if self.ends_at(hay, at, at + tail.needle().len()) {
                    hit(at);
                }
                from = at + 1;
            }
        }
    }

    /// Whether the tail found at `hay[at..end]` ends a writing of the amount.
    fn ends_at(&self, hay: &[u8], at: usize, end: usize) -> bool {
        if hay.get(end).is_some_and(|b| is_word_byte(*b)) {
            return false;
        }
        // Back through the groups before the last: a digit before a group is the end of the
        // previous one, anything else must be one separator.
        let mut head = &hay[..at];
        for g in self.groups.iter().rev().skip(1) {
            if !head.last().is_some_and(u8::is_ascii_digit) {
                let Some(sep) = SEP.iter().find(|s| head.ends_with(s.as_bytes())) else {
                    return false;
                };
                head = &head[..head.len() - sep.len()];
            }
            let Some(before) = head.strip_suffix(g.as_bytes()) else {
                return false;
            };
            head = before;
        }
        !head.last().is_some_and(|b| is_word_byte(*b))
    }
}

/// The ways an amount may be written: "4,800" / "4 800" / "4.800" / "4’800", and its
/// significant digits for scaled forms ("4.8 TB/s", "26,9 Mio.", "26.9 million").
fn amounts(v: f64) -> Vec<Amount> {
    let mut out: Vec<Amount> = Amount::new(v).into_iter().collect();
    // Scaled forms only with decimals ("4.8 TB/s", "26,9 Mio."): a bare "4" would match anything.
    for scale in [1e3, 1e6, 1e9] {
        let x = v / scale;
        if x >= 1.0 && x.fract() != 0.0 {
            out.extend(Amount::new(x));
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
        "threshold_changed" | "quota_changed" | "tariff_changed" => Anchor::Amounts(
            [num("old"), num("new")]
                .into_iter()
                .flatten()
                .flat_map(amounts)
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

/// One test for all anchors: a block passes when it writes one of the amounts or matches one of
/// the patterns (none of either: no block passes).
struct AnchorTest {
    amounts: Vec<Amount>,
    patterns: Option<regex::Regex>,
}

impl AnchorTest {
    /// Whether each block may state one of the anchored values. The amounts are searched in all
    /// blocks at once, joined by line breaks (no amount spans one, and a line break is a word
    /// boundary as the end of a block is): one search per amount instead of one per block.
    fn passing(&self, blocks: &[String]) -> Vec<bool> {
        let mut pass = vec![false; blocks.len()];
        if !self.amounts.is_empty() {
            let mut text = String::with_capacity(blocks.iter().map(|b| b.len() + 1).sum());
            let mut starts = Vec::with_capacity(blocks.len());
            for b in blocks {
                starts.push(text.len());
                // Blocks left out of the facts anyway are not copied.
                if b.len() <= MAX_FACT_BLOCK {
                    text.push_str(b);
                }
                text.push('\n');
            }
            for a in &self.amounts {
                a.each_in(&text, |at| {
                    let k = starts.partition_point(|&s| s <= at).saturating_sub(1);
                    if let Some(p) = pass.get_mut(k) {
                        *p = true;
                    }
                });
            }
        }
        if let Some(re) = &self.patterns {
            for (p, b) in pass.iter_mut().zip(blocks) {
                if !*p && b.len() <= MAX_FACT_BLOCK && re.is_match(b) {
                    *p = true;
                }
            }
        }
        pass
    }
}

/// Compiled pattern alternations, by their source: the names, codes and years anchors name
/// recur from change to change (a country's names, a chip's, an ECCN), and compiling one costs
/// more than reading a whole page with it.
static PATTERNS: std::sync::LazyLock<std::sync::Mutex<HashMap<String, regex::Regex>>> =
    std::sync::LazyLock::new(Default::default);

/// Alternations kept compiled at most (then the cache starts over).
const MAX_PATTERNS: usize = 256;

/// The compiled alternation of `alts` (from the cache when it was compiled before), `None` when
/// it does not compile.
fn alternation(alts: &[String]) -> Option<regex::Regex> {
    let source = alts.join("|");
    if let Ok(cache) = PATTERNS.lock()
        && let Some(re) = cache.get(&source)
    {
        return Some(re.clone());
    }
    let re = regex::Regex::new(&source).ok()?;
    if let Ok(mut cache) = PATTERNS.lock() {
        if cache.len() >= MAX_PATTERNS {
            cache.clear();
        }
        cache.insert(source, re.clone());
    }
    Some(re)
}

/// One test for all anchors: `None` when some anchor cannot be tested cheaply (read every block),
/// or when the patterns do not compile.
fn anchor_test(anchors: Vec<Anchor>) -> Option<AnchorTest> {
    let mut amounts = Vec::new();
    let mut alts = Vec::new();
    for a in anchors {
        match a {
            Anchor::Any => return None,
            Anchor::Amounts(xs) => amounts.extend(xs),
            Anchor::Pattern(ps) => alts.extend(ps),
        }
    }
    let patterns = if alts.is_empty() {
        None
    } else {
        Some(alternation(&alts)?)
    };
    Some(AnchorTest { amounts, patterns })
}

/// Every (key, value) the blocks of a version that may state an anchored value state.
fn facts_of(
    blocks: &[String],
    lang: Lang,
    test: Option<&AnchorTest>,
    wanted: &[&str],
) -> HashSet<(String, String)> {
    facts_with(blocks, lang, test, false, wanted)
}

/// [`facts_of`]; with `tiers`, also every tier a country is placed in, moved there or not
/// ("Poland, Austria and Portugal are in Tier 2"), as `placement|ISO` facts. Only the
/// recognizers of the `wanted` tags read the blocks (the facts of the others are not asked for).
fn facts_with(
    blocks: &[String],
    lang: Lang,
    test: Option<&AnchorTest>,
    tiers: bool,
    wanted: &[&str],
) -> HashSet<(String, String)> {
    // A before/after table states its "after" column only ("TPP | 4,800 or more | 4,000 or
    // more" under "Parameter | Before | After"): its rows are read as moves, as in the changed
    // blocks.
    let rewritten;
    let blocks = if blocks
        .iter()
        .any(|b| b.contains('|') && super::before_after_columns(b).is_some())
    {
        rewritten = super::before_after_rows(blocks.to_vec(), None);
        rewritten.as_slice()
    } else {
        blocks
    };
    // Each block under the heading it follows.
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut heading: Option<&str> = None;
    let pass = test.map(|t| t.passing(blocks));
    for (k, b) in blocks.iter().enumerate() {
        if b.starts_with('#') {
            heading = Some(b.as_str());
        }
        let may_state = pass
            .as_ref()
            .is_none_or(|p| p.get(k).copied().unwrap_or(false));
        if b.len() <= MAX_FACT_BLOCK && may_state {
            placed.push((b.as_str(), heading));
        }
    }
    if placed.is_empty() {
        return HashSet::new();
    }
    // The first blocks are mostly the same in both versions, and the placed ones are read again
    // by `compare`: their normalized text is remembered for the call.
    // Only a placement needs to know whether the document speaks of tiers.
    let doc_context = (tiers || wanted.contains(&"tier_move"))
        && (blocks
            .iter()
            .take(40)
            .any(|b| tier_context(&super::memo::norm(b)))
            || placed
                .iter()
                .any(|(b, _)| tier_context(&super::memo::norm(b))));
    let nothing = super::About::nothing();
    let doc = super::Doc {
        tiers: doc_context,
        about: &nothing,
        whole: true,
        wanted: Some(wanted),
    };
    let mut out: HashSet<(String, String)> = compare(&[], &placed, lang, doc)
        .iter()
        .filter_map(fact)
        .filter_map(|(k, _, new)| new.map(|v| (k, v)))
        .collect();
    if tiers {
        let sents = super::side(&placed, std::collections::BTreeMap::new());
        for (iso, p, _) in super::tiers::stated(&super::stated(&sents), doc_context) {
            if let crate::tag::countries::Placement::Tier { tier, .. } = p {
                out.insert((format!("placement|{iso}"), super::tiers::tier_label(tier)));
            }
        }
    }
    out
}

/// Whether a sentence says that a value it states replaces an earlier one (the pack's
/// `superseding_words`, `limit_move_verbs`, `date_shift_words` or `tier_change_words`).
pub(super) fn says_superseded(n: &str) -> bool {
    [
        "superseding_words",
        "limit_move_verbs",
        "date_shift_words",
        "tier_change_words",
    ]
    .iter()
    .any(|l| crate::tag::packs::any_in(l, n))
}

/// A tier move proposed without the tier it leaves (see [`fill_superseded`]).
fn tier_unknown_from(t: &Tag) -> bool {
    t.tag == "tier_move"
        && t.detail["from"].is_null()
        && t.detail["to"]
            .as_str()
            .is_some_and(|v| v.starts_with("tier "))
}

/// A new value with no old one whose sentence says it replaces an earlier value.
fn superseding(t: &Tag) -> bool {
    let one_sided_new = matches!(fact(t), Some((_, None, Some(_))));
    let kind = match t.tag.as_str() {
        "threshold_changed" | "quota_changed" | "tariff_changed" | "effective_date_changed" => {
            says_superseded(&crate::tag::text::norm(&t.evidence.new))
        }
        // Proposed only by a sentence that moves the country or says it is elsewhere now.
        "tier_move" => tier_unknown_from(t),
        _ => false,
    };
    one_sided_new && kind
}

/// What a block must contain to state the earlier value of a superseding tag's fact: the unit's
/// words for an amount, a year for a date, the country's names for a tier.
fn earlier_value_anchor(t: &Tag) -> Anchor {
    match t.tag.as_str() {
        "tier_move" => anchor(t),
        "effective_date_changed" => Anchor::Pattern(vec![r"\b(?:19|20)\d\d\b".to_string()]),
        _ => {
            let ws = unit_words(t);
            if ws.is_empty() {
                Anchor::Any
            } else {
                Anchor::Pattern(
                    ws.iter()
                        .map(|w| format!("(?i:{})", regex::escape(w.trim_end_matches('*'))))
                        .collect(),
                )
            }
        }
    }
}

/// A new value stated by a sentence that says it replaces an earlier one ("Update: the
/// per-consignee allowance has been halved, to 13,450,000 TPP"; "Poland … is now treated as a
/// Tier 1 destination"), where the changed text names no old value, takes as old value the one
/// other value the old version stated for the same fact (the unchanged body still saying
/// "26,900,000 TPP per consignee"; "Poland … in Tier 2"). With no such value, or several, an
/// amount or date stays "none → X"; a tier move with no tier to leave is dropped.
pub(super) fn fill_superseded(tags: &mut Vec<Tag>, old_all: &[String], lang: Lang) {
    let idx: Vec<usize> = (0..tags.len()).filter(|&i| superseding(&tags[i])).collect();
    if !idx.is_empty() && !old_all.is_empty() {
        let test = anchor_test(
            idx.iter()
                .map(|&i| earlier_value_anchor(&tags[i]))
                .collect(),
        );
        let tiers = idx.iter().any(|&i| tags[i].tag == "tier_move");
        let wanted: Vec<&str> = idx.iter().map(|&i| tags[i].tag.as_str()).collect();
        let before = facts_with(old_all, lang, test.as_ref(), tiers, &wanted);
        for &i in &idx {
            let Some((key, _, Some(new))) = fact(&tags[i]) else {
                continue;
            };
            // The old version already stated the new value somewhere: nothing to replace.
            if before.contains(&(key.clone(), new.clone())) {
                continue;
            }
            let earlier: std::collections::BTreeSet<&String> = before
                .iter()
                .filter(|(k, v)| *k == key && *v != new)
                .map(|(_, v)| v)
                .collect();
            let [v] = earlier.into_iter().collect::<Vec<_>>()[..] else {
                continue;
            };
            let t = &tags[i];
            let mut detail = t.detail.clone();
            let field = if t.tag == "tier_move" { "from" } else { "old" };
            detail[field] = match t.tag.as_str() {
                "threshold_changed" | "quota_changed" | "tariff_changed" => {
                    match v.parse::<f64>() {
                        Ok(x) => crate::tag::numbers::json_value(x),
                        Err(_) => continue,
                    }
                }
                _ => Value::String(v.clone()),
            };
            let ev = t.evidence.clone();
            tags[i] = super::mk(&t.tag.clone(), detail, &ev.old, &ev.new);
        }
    }
    tags.retain(|t| !tier_unknown_from(t));
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
    let test = anchor_test(anchors);
    let wanted: Vec<&str> = tags
        .iter()
        .zip(&facts)
        .filter(|(_, f)| f.is_some())
        .map(|(t, _)| t.tag.as_str())
        .collect();
    let needs_before = facts.iter().flatten().any(|(_, _, new)| new.is_some());
    let needs_after = facts.iter().flatten().any(|(_, old, _)| old.is_some());
    let before = if needs_before {
        facts_of(old_all, lang, test.as_ref(), &wanted)
    } else {
        HashSet::new()
    };
    let after = if needs_after {
        facts_of(new_all, lang, test.as_ref(), &wanted)
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

/// Words one of which a block (or the few blocks before it: a table's header row) must name for
/// an amount in it to be read in the tag's unit: the pack's `unit_words` group of the unit.
fn unit_words(t: &Tag) -> &'static [String] {
    let unit = t.detail["unit"].as_str().unwrap_or_default();
    crate::tag::packs::groups("unit_words")
        .iter()
        .find(|g| g.key == unit)
        .map_or(&[], |g| g.words.as_slice())
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
        let written = amounts(v);
        let names_unit = |b: &String| {
            let n = crate::tag::text::norm(b);
            words.iter().any(|w| n.contains(w.as_str()))
        };
        blocks.iter().enumerate().any(|(k, b)| {
            let n = crate::tag::text::norm(b);
            let has_amount = written.iter().any(|a| {
                let mut found = false;
                a.each_in(&n, |_| found = true);
                found
            });
            // The unit in the block itself, or in a table's header row or caption just above
            // ("Criterion | Limit" … "TPP | 4 800"; a sentence split into a table).
            has_amount
                && (words.iter().any(|w| n.contains(w.as_str()))
                    || blocks[k.saturating_sub(4)..k].iter().any(names_unit))
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
    use super::{AnchorTest, amounts};

    /// The regular expression the amount anchors were once compiled to, per change: the scan
    /// must agree with it on every text.
    fn reference(v: f64) -> regex::Regex {
        const SEP: &str = "[,. '\u{2019}\u{a0}\u{202f}]?";
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
        for scale in [1e3, 1e6, 1e9] {
            let x = v / scale;
            if x >= 1.0 && x.fract() != 0.0 {
                push_number(x);
            }
        }
        if out.is_empty() {
            return regex::Regex::new("$^").unwrap();
        }
        regex::Regex::new(&out.join("|")).unwrap()
    }

    fn found(v: f64, hay: &str) -> bool {
        amounts(v).iter().any(|a| a.found_in(hay))
    }

    #[test]
    fn amounts_match_every_way_of_writing_them_and_nothing_else() {
        for yes in [
            "4,800",
            "4 800",
            "4.800",
            "4\u{2019}800",
            "4\u{a0}800",
            "4.8 TB/s",
            "4800",
        ] {
            assert!(found(4800.0, yes), "{yes}");
        }
        for no in ["14,823", "4,8000", "48", "§ 744.8x"] {
            assert!(!found(4800.0, no), "{no}");
        }
    }

    #[test]
    fn the_scan_agrees_with_the_regular_expression() {
        let values = [
            4800.0,
            4000.0,
            5.92,
            0.5,
            1600.0,
            26_900_000.0,
            790_000_000.0,
            1.6,
            25.0,
            1700.0,
            60000.0,
            1_234_567.891,
            100.0,
            1e21,
            0.0,
            -3.0,
        ];
        let pieces = [
            "4", "8", "800", "000", "5", "92", "0", "26", "9", "790", "1", "6", "2", "17", "00",
            "234", "567", "891", ",", ".", " ", "'", "\u{2019}", "\u{a0}", "\u{202f}", ",,", "a",
            "_", "é", "x", "-", "\u{2009}", "Mio.", " TB/s",
        ];
        // Every text of three pieces, and longer ones from a simple generator.
        let mut texts: Vec<String> = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut seed = 7u64;
        for _ in 0..5_000 {
            let mut t = String::new();
            for _ in 0..8 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            texts.push(t);
        }
        for v in values {
            let re = reference(v);
            for t in &texts {
                assert_eq!(found(v, t), re.is_match(t), "{v} in {t:?}");
            }
        }
    }

    #[test]
    fn blocks_searched_together_pass_as_searched_alone() {
        let pieces = ["4", "800", ",", " ", "x", "4.8", "\n", "0", "8", "é"];
        let mut seed = 11u64;
        for v in [4800.0, 4.8, 800.0] {
            let test = AnchorTest {
                amounts: amounts(v),
                patterns: None,
            };
            for _ in 0..2_000 {
                let mut blocks = Vec::new();
                for _ in 0..4 {
                    let mut b = String::new();
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    for _ in 0..(seed >> 61) {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        b.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                    }
                    blocks.push(b);
                }
                let alone: Vec<bool> = blocks.iter().map(|b| found(v, b)).collect();
                assert_eq!(test.passing(&blocks), alone, "{blocks:?}");
            }
        }
    }
}
