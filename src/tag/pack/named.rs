//! ECCNs and chip models compared as sets: a name only on one side is added or removed.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;

/// Each item named on a side, with the first sentence that names it.
fn named<T: Ord>(side: &[Sent<'_>], find: impl Fn(&str) -> Vec<T>) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for (i, s) in side.iter().enumerate() {
        for item in find(&s.norm) {
            m.entry(item).or_insert(i);
        }
    }
    m
}

/// Items named on a side, each with the first sentence that names it.
type Named = BTreeMap<&'static str, usize>;

/// The chips each sentence of a side names, with the first sentence: every mention, and the
/// mentions as a chip (not as a measure). One chip search per sentence, two only where a measure
/// was blanked.
fn named_chips(side: &[Sent<'_>]) -> (Named, Named) {
    let (mut all, mut as_chip) = (BTreeMap::new(), BTreeMap::new());
    for (i, s) in side.iter().enumerate() {
        let found = phrases::chips(&s.norm);
        let chips = match without_measures(&s.norm) {
            std::borrow::Cow::Borrowed(_) => found.clone(),
            std::borrow::Cow::Owned(masked) => phrases::chips(&masked),
        };
        for c in found {
            all.entry(c).or_insert(i);
        }
        for c in chips {
            as_chip.entry(c).or_insert(i);
        }
    }
    (all, as_chip)
}

/// The text with each chip name used as a measure blanked out ("50,000 H100-class
/// accelerators", "850 H100-equivalents", « 1 700 équivalents H100 »): the pack's
/// `chip_measure_suffixes` after the name, `chip_measure_prefixes` before it.
fn without_measures(n: &str) -> std::borrow::Cow<'_, str> {
    let suffixes = crate::tag::packs::list("chip_measure_suffixes");
    let prefixes = crate::tag::packs::list("chip_measure_prefixes");
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let is_break = |c: char| c.is_whitespace() || matches!(c, '(' | ',' | ';' | '"');
    for suf in suffixes {
        for (i, _) in n.match_indices(suf.as_str()) {
            let start = n[..i]
                .char_indices()
                .rev()
                .find(|(_, c)| is_break(*c))
                .map_or(0, |(k, c)| k + c.len_utf8());
            spans.push((start, i));
        }
    }
    for pre in prefixes {
        for (i, m) in n.match_indices(pre.as_str()) {
            let from = i + m.len();
            let end = n[from..].find(is_break).map_or(n.len(), |k| from + k);
            spans.push((from, end));
        }
    }
    // "about 1,700 H100 GPUs", „rund 1.700 H100“: a chip counted is a measure of an amount
    // (or an order), not the chip named as controlled.
    let mut prev_number = false;
    for (i, w) in n.split(' ').scan(0usize, |at, w| {
        let i = *at;
        *at += w.len() + 1;
        Some((i, w))
    }) {
        if prev_number && !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()) {
            spans.push((i, i + w.len()));
        }
        prev_number = !w.is_empty()
            && w.starts_with(|c: char| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '\'' | '’'))
            && w.len() >= 3;
    }
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(n);
    }
    let mut out = n.as_bytes().to_vec();
    for (a, z) in spans {
        // Whole characters become as many ASCII spaces as their bytes: the text stays UTF-8.
        for b in out.iter_mut().take(z).skip(a) {
            *b = b' ';
        }
    }
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| n.to_string()))
}

/// Tags the ECCNs and chip models named on one side only.
pub(super) fn set_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let (o, n) = (named(old, phrases::eccns), named(new, phrases::eccns));
    for (e, i) in &n {
        // "the bill closely follows ECCN 3A090", « reprend les paramètres de la rubrique 3A090 »:
        // a reference, not an entry added.
        if !o.contains_key(e) && !crate::tag::packs::any_in("reference_words", &new[*i].norm) {
            tags.push(mk(
                "eccn_changed",
                json!({ "eccn": e, "change": "added" }),
                "",
                new[*i].text,
            ));
        }
    }
    for (e, i) in &o {
        let refined = n
            .keys()
            .any(|k| k.starts_with(&format!("{e}.")) || e.starts_with(&format!("{k}.")));
        if !n.contains_key(e) && !refined {
            tags.push(mk(
                "eccn_changed",
                json!({ "eccn": e, "change": "removed" }),
                old[*i].text,
                "",
            ));
        }
    }
    // A chip counts as named on a side where it is named as a chip, not only as a measure
    // ("H100-equivalents"); a measure still counts as a mention, so rewording one removes nothing.
    let ((o, o_chip), (n, n_chip)) = (named_chips(old), named_chips(new));
    for (c, i) in &n {
        if !o.contains_key(c) && n_chip.contains_key(c) {
            tags.push(mk("chip_added", json!({ "chip": c }), "", new[*i].text));
        }
    }
    for (c, i) in &o {
        if !n.contains_key(c) && o_chip.contains_key(c) {
            tags.push(mk("chip_removed", json!({ "chip": c }), old[*i].text, ""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_measures;

    #[test]
    fn a_chip_named_as_a_measure_is_blanked_and_the_text_keeps_its_length() {
        for text in [
            "about 50,000 h100-class accelerators, and the h20",
            "rund 1.700 h100-äquivalente, und der h20",
            "soit 1 700 équivalents h100, et le h20",
        ] {
            let out = without_measures(text);
            assert!(!out.contains("h100"), "{out}");
            assert!(out.contains("h20"), "{out}");
            assert_eq!(out.len(), text.len());
        }
        assert_eq!(
            without_measures("the h100 and the h20"),
            "the h100 and the h20"
        );
    }
}
