//! The generic primitives that run a pack's data-defined rules over whole versions.
//!
//! - `[[symbols]]`: every code the pattern matches is a fact of the version that states it. A code
//!   stated in the new version and nowhere in the old is `added`, and the reverse `removed`, when
//!   a block the diff touched states it: moved text and partial removals cancel by construction.
//! - `[[citations]]`: the acts a version cites. An act cited now and never before, in a changed
//!   block, is the `new` one; the latest act the old version cited is the `old` one.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{CitationRule, Pack, SymbolRule, make};
use crate::model::Tag;
use crate::tag::text::sentences;

/// What the rules read: the whole versions and the blocks the diff touched on each side.
#[derive(Debug, Clone, Copy)]
pub struct Sides<'a> {
    /// Every block of the old version.
    pub old_all: &'a [&'a str],
    /// Every block of the new version.
    pub new_all: &'a [&'a str],
    /// Old blocks the diff removed or changed.
    pub old_changed: &'a [&'a str],
    /// New blocks the diff added or changed.
    pub new_changed: &'a [&'a str],
}

/// Runs a pack's data-defined rules. `chosen`: the source named this pack (`packs = [...]`), so
/// its text is known to be about the pack's subject and rules need not find their context words.
#[must_use]
pub fn run(pack: &Pack, sides: &Sides<'_>, chosen: bool) -> Vec<Tag> {
    let mut tags = Vec::new();
    for rule in &pack.symbols {
        symbol_tags(rule, sides, chosen, &mut tags);
    }
    for rule in &pack.citations {
        citation_tags(rule, sides, &mut tags);
    }
    tags
}

/// Whether a lower-cased text holds one of the words.
fn has_any(lower: &str, words: &[String]) -> bool {
    words.iter().any(|w| lower.contains(w.as_str()))
}

/// Words between two codes that make them a range ("EU001–EU008", „EU001 bis EU008“,
/// « EU001 à EU008 »).
const RANGE_WORDS: &[&str] = &["-", "–", "—", "to", "through", "bis", "à", "au"];

/// The codes a rule finds in a text, each with the sentence that states it; a range of codes
/// that differ only in their last digits states every code between.
fn codes<'a>(rule: &SymbolRule, text: &'a str) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    for s in sentences(text) {
        // Most sentences hold no code: nothing below finds one there.
        if !rule.pattern.is_match(s) {
            continue;
        }
        if !rule.skip_words.is_empty()
            && crate::tag::text::any_word(&crate::tag::text::norm(s), &rule.skip_words)
        {
            continue;
        }
        let mut prev: Option<(usize, String)> = None;
        for c in rule.pattern.captures_iter(s) {
            let (Some(whole), Some(code)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if after_excluded_word(rule, &s[..whole.start()]) {
                continue;
            }
            if let Some((end, first)) = &prev {
                let gap = s[*end..whole.start()].trim().to_lowercase();
                if RANGE_WORDS.contains(&gap.as_str()) {
                    out.extend(
                        range_between(first, code.as_str())
                            .into_iter()
                            .map(|c| (c, s)),
                    );
                }
            }
            prev = Some((whole.end(), code.as_str().to_string()));
            out.push((code.as_str().to_string(), s));
        }
    }
    out
}

/// The codes strictly between `a` and `b` when they share a prefix and end in numbers
/// ("EU001", "EU008" → EU002 … EU007); at most 50.
fn range_between(a: &str, b: &str) -> Vec<String> {
    let split = |x: &str| {
        let i = x.len() - x.bytes().rev().take_while(u8::is_ascii_digit).count();
        (x[..i].to_string(), x[i..].to_string())
    };
    let ((pa, na), (pb, nb)) = (split(a), split(b));
    if pa != pb || na.len() != nb.len() || na.is_empty() {
        return Vec::new();
    }
    let (Ok(x), Ok(y)) = (na.parse::<u32>(), nb.parse::<u32>()) else {
        return Vec::new();
    };
    if y <= x || y - x > 50 {
        return Vec::new();
    }
    ((x + 1)..y)
        .map(|k| format!("{pa}{k:0width$}", width = na.len()))
        .collect()
}

/// Words that join the codes of a list ("ECCN 3A090 or 4A090", « 3A090 et 4A090 »).
const LIST_JOINERS: &[&str] = &["and", "or", "und", "oder", "et", "ou", "&", "/"];

/// Whether the text before a code ends with one of the rule's `not_after` words, possibly
/// followed by other codes of a list ("ECCN 3A090, 4A090 or 5A992").
fn after_excluded_word(rule: &SymbolRule, before: &str) -> bool {
    let lower = before.to_lowercase();
    let mut rest = lower.trim_end();
    loop {
        if rule.not_after.iter().any(|w| rest.ends_with(w.as_str())) {
            return true;
        }
        let cut = rest.trim_end_matches(',').trim_end();
        let last = cut.rsplit(' ').next().unwrap_or("");
        let is_code = !last.is_empty() && rule.pattern.is_match(&last.to_uppercase());
        if last.is_empty() || !(is_code || LIST_JOINERS.contains(&last)) {
            return false;
        }
        rest = cut[..cut.len() - last.len()].trim_end();
    }
}

/// Every code of a version with the first sentence stating it; a code only named as withdrawn
/// ("EU007 has been withdrawn", « l'autorisation EU007 est supprimée ») is not stated.
fn code_set<'a>(rule: &SymbolRule, blocks: &[&'a str]) -> BTreeMap<String, &'a str> {
    let mut m = BTreeMap::new();
    for b in blocks {
        for (c, s) in codes(rule, b) {
            if withdrawn(rule, s) {
                continue;
            }
            m.entry(c).or_insert(s);
        }
    }
    m
}

/// Every code a version names as withdrawn, with the sentence.
fn withdrawn_set<'a>(rule: &SymbolRule, blocks: &[&'a str]) -> BTreeMap<String, &'a str> {
    let mut m = BTreeMap::new();
    for b in blocks {
        for (c, s) in codes(rule, b) {
            if withdrawn(rule, s) {
                m.entry(c).or_insert(s);
            }
        }
    }
    m
}

/// Whether a sentence says its code is withdrawn.
fn withdrawn(rule: &SymbolRule, s: &str) -> bool {
    !rule.removed_words.is_empty()
        && crate::tag::text::any_word(&crate::tag::text::norm(s), &rule.removed_words)
}

fn symbol_tags(rule: &SymbolRule, sides: &Sides<'_>, chosen: bool, tags: &mut Vec<Tag>) {
    // The changed blocks first: most changes name no code, and the whole versions stay unread.
    let (old_ch, new_ch) = (
        code_set(rule, sides.old_changed),
        code_set(rule, sides.new_changed),
    );
    if old_ch.is_empty() && new_ch.is_empty() && withdrawn_set(rule, sides.new_changed).is_empty() {
        return;
    }
    if !chosen && !rule.context.is_empty() {
        let in_context = |blocks: &[&str]| {
            blocks
                .iter()
                .any(|b| has_any(&b.to_lowercase(), &rule.context))
        };
        if !in_context(sides.old_all) && !in_context(sides.new_all) {
            return;
        }
    }
    let (old_all, new_all) = (code_set(rule, sides.old_all), code_set(rule, sides.new_all));
    let detail = |code: &str, change: &str| {
        let mut m = Map::new();
        m.insert(rule.field.clone(), json!(code));
        m.insert("change".into(), json!(change));
        Value::Object(m)
    };
    for (code, ev) in &new_ch {
        if !old_all.contains_key(code) {
            tags.push(make(&rule.tag, detail(code, "added"), "", ev));
        }
    }
    for (code, ev) in &old_ch {
        if !new_all.contains_key(code) {
            tags.push(make(&rule.tag, detail(code, "removed"), ev, ""));
        }
    }
    // Named as withdrawn in a changed sentence, and not so named before: stated before, or an
    // amending text's new instruction (« la rubrique 1C353 est supprimée »).
    let withdrawn_new = withdrawn_set(rule, sides.new_changed);
    let withdrawn_old = if withdrawn_new.is_empty() {
        BTreeMap::new()
    } else {
        withdrawn_set(rule, sides.old_all)
    };
    for (code, ev) in withdrawn_new {
        if !withdrawn_old.contains_key(&code)
            && !new_all.contains_key(&code)
            && !old_ch.contains_key(&code)
        {
            tags.push(make(&rule.tag, detail(&code, "removed"), "", ev));
        }
    }
}

/// An act number ("2024/2547") as a sortable pair (year, number).
fn act_order(n: &str) -> (u32, u32) {
    let (y, k) = n.split_once('/').unwrap_or((n, "0"));
    (y.parse().unwrap_or(0), k.parse().unwrap_or(0))
}

/// Every act a version cites, with the first sentence citing it.
fn cited<'a>(rule: &CitationRule, blocks: &[&'a str]) -> BTreeMap<String, &'a str> {
    let mut m = BTreeMap::new();
    for b in blocks {
        for s in sentences(b) {
            for c in rule.pattern.captures_iter(s) {
                if let Some(n) = c.get(1) {
                    m.entry(n.as_str().to_string()).or_insert(s);
                }
            }
        }
    }
    m
}

fn citation_tags(rule: &CitationRule, sides: &Sides<'_>, tags: &mut Vec<Tag>) {
    let new_ch = cited(rule, sides.new_changed);
    if new_ch.is_empty() {
        return;
    }
    let old_all = cited(rule, sides.old_all);
    let newest = new_ch
        .iter()
        .filter(|(n, _)| !old_all.contains_key(*n))
        .max_by_key(|(n, _)| act_order(n));
    let Some((new, new_ev)) = newest else {
        return;
    };
    let old = old_all.iter().max_by_key(|(n, _)| act_order(n));
    // Amending acts only move forward: an older act cited anew (a recital recalling the previous
    // amendment) is history, not a new amending act.
    if old.is_some_and(|(o, _)| act_order(o) >= act_order(new)) {
        return;
    }
    tags.push(make(
        &rule.tag,
        json!({ "old": old.map(|(n, _)| n), "new": new }),
        old.map_or("", |(_, s)| s),
        new_ev,
    ));
}

#[cfg(test)]
mod tests {
    use super::range_between;

    #[test]
    fn a_range_states_the_codes_between_its_ends() {
        assert_eq!(
            range_between("EU001", "EU004"),
            vec!["EU002".to_string(), "EU003".to_string()]
        );
        assert_eq!(range_between("3A001", "3A003"), vec!["3A002".to_string()]);
        // Different prefixes, a reversed or huge range: no range.
        assert!(range_between("3A001", "4A003").is_empty());
        assert!(range_between("EU008", "EU001").is_empty());
        assert!(range_between("EU001", "EU999").is_empty());
    }
}
