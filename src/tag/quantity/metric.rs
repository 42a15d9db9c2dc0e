//! A metric named just before a number, with only small words in between ("TPP of 4,800 or
//! more", « densité de performance de 5,92 »), and the words allowed right after such a bare number.

use super::units::after;
use crate::tag::numbers::Num;
use crate::tag::packs;
use crate::tag::text::words;

/// How a before/after table row is written as a move ("TPP | 4,800 | 4,000" →
/// "TPP: changed from 4,800 to 4,000"): the row's label stands before it.
pub const ROW_MOVE: &str = ": changed from ";

/// The metric (`tpp` or `performance_density`) whose name ends before byte offset `pos`, if only
/// fillers, numbers and parts of metric names stand between (at most 12 words back).
pub(super) fn metric_before(s: &str, pos: usize) -> Option<&'static str> {
    let before = &s[..pos];
    // A before/after table row read as a move ("tpp, stand-alone prong: changed from 4,800 or
    // more to 4,000 or more"): the row's label names the metric, whatever else it says.
    if let Some((label, moved)) = before.rsplit_once(ROW_MOVE)
        && !moved.contains(':')
    {
        let has = |list: &str| {
            packs::list(list)
                .iter()
                .any(|w| crate::tag::text::has_word(label, w))
        };
        if has("pd_words") {
            return Some("performance_density");
        }
        if has("tpp_words") {
            return Some("tpp");
        }
    }
    // Quoted defined terms ("a 'total processing performance' of 4800") read as the bare name.
    let toks: Vec<&str> = words(before)
        .into_iter()
        .map(|w| w.trim_matches(|c: char| matches!(c, '\'' | '"' | '(' | ')')))
        .collect();
    // Walk back over fillers and numbers (a "from X to" pattern) for at most 12 tokens; an
    // aside between dashes („deren Gesamtverarbeitungsleistung – die sich … errechnet –
    // mindestens 4.800 beträgt“) is skipped whole.
    let mut n = 0;
    let mut skip_to: Option<usize> = None;
    for (i, w) in toks.iter().enumerate().rev() {
        if let Some(j) = skip_to {
            if i > j {
                continue;
            }
            skip_to = None;
            continue;
        }
        if matches!(*w, "–" | "—" | "-")
            && let Some(j) = toks[..i].iter().rposition(|t| t == w)
        {
            skip_to = Some(j);
            continue;
        }
        let w = w.trim_matches(|c: char| c == '(' || c == ')' || c == ',');
        n += 1;
        if n > 12 {
            return None;
        }
        let joined_tail = toks[..=i].join(" ");
        for kw in packs::list("tpp_words") {
            if joined_tail.ends_with(kw) && (kw.contains(' ') || w == *kw) {
                return Some("tpp");
            }
        }
        for kw in packs::list("pd_words") {
            if joined_tail.ends_with(kw) && (kw.contains(' ') || w == *kw) {
                return Some("performance_density");
            }
        }
        let is_num = w.chars().next().is_some_and(|c| c.is_ascii_digit());
        // "a TPP in excess of 5,000": "in" only as part of "in excess".
        let in_excess = w == "in" && toks.get(i + 1).is_some_and(|t| *t == "excess");
        if packs::has("metric_fillers", w) || in_excess || is_num || w.is_empty() || w == "-" {
            continue;
        }
        // Words of a multi-word metric name that did not match yet ("total processing").
        if packs::has("metric_name_parts", w) {
            continue;
        }
        return None;
    }
    None
}

/// Words allowed right after a bare number bound to a metric (so "TPP of 12 nations" is refused).
pub(super) fn bare_number_ends_well(s: &str, n: &Num) -> bool {
    let rest = after(s, n.end);
    let Some(first) = words(rest).first().copied() else {
        return true;
    };
    if rest.starts_with([',', '.', ';', ')', ':', '-', '–', '→']) {
        return true;
    }
    // „… von 5,92 auf 3,2 herabgesetzt“: the verb that moved the value ends the clause.
    packs::has("metric_endings", first) || packs::has("limit_move_verbs", first)
}
