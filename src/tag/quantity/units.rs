//! Units written right after a number: percent, bandwidths, bandwidth density, TPP, training
//! operations, and chips (with up to two adjectives before the noun).

use crate::tag::numbers::Num;
use crate::tag::packs;
use crate::tag::text::words;

/// The text after a number's end, leading whitespace trimmed.
pub(super) fn after(s: &str, end: usize) -> &str {
    let rest = s[end..].trim_start();
    // "the 3,600-TPP line", „eine 4.800-TPP-Schwelle“: a unit joined by a hyphen.
    match rest.strip_prefix('-') {
        Some(r) if r.starts_with(char::is_alphabetic) => r,
        _ => rest,
    }
}

/// The unit written after a number — `pct`, `mbd`, `bw`, `tpp`, `ops`, `h100` or `chips` — with
/// the factor to the kind's unit (TB/s → GB/s: 1000).
pub(super) fn unit_after(s: &str, n: &Num) -> Option<(&'static str, f64)> {
    let rest = after(s, n.end);
    // "… to 6,000; chips need a license": a unit never stands past a clause's end.
    if rest.starts_with([';', ',', ')', ':', '.']) {
        return None;
    }
    let rest = rest.strip_prefix("en ").unwrap_or(rest);
    measure_unit(rest, n.value).or_else(|| chip_unit(rest))
}

/// A bandwidth unit written just before a number ("a total DRAM bandwidth in GB/s of 1,400 or
/// more", "the ceiling is GB/s of 7,000"): at most three words back, ending in "of"/« de »/„von“
/// or a comparator sign.
pub(super) fn bandwidth_unit_before(s: &str, n: &Num) -> Option<f64> {
    let head = crate::tag::text::words(&s[..n.start]);
    let back = &head[head.len().saturating_sub(3)..];
    let last = back.last().copied().unwrap_or_default();
    if !matches!(
        last,
        "of" | "de" | "von" | "<" | ">" | "<=" | ">=" | "≤" | "≥"
    ) {
        return None;
    }
    back.iter().rev().find_map(|w| {
        if packs::has("gigabytes_per_second", w) {
            Some(1.0)
        } else if packs::has("terabytes_per_second", w) {
            Some(1000.0)
        } else {
            None
        }
    })
}

/// A unit of measure at the start of `rest`; operations count only from 10²⁰ on.
fn measure_unit(rest: &str, value: f64) -> Option<(&'static str, f64)> {
    let starts = |opts: &[String]| opts.iter().any(|o| rest.starts_with(o.as_str()));
    if starts(packs::list("percent_units")) {
        return Some(("pct", 1.0));
    }
    if starts(packs::list("bandwidth_density")) {
        return Some(("mbd", 1.0));
    }
    if starts(packs::list("terabytes_per_second")) {
        return Some(("bw", 1000.0));
    }
    if starts(packs::list("gigabytes_per_second")) {
        return Some(("bw", 1.0));
    }
    // "1,6 TPP/mm²": a performance density, not a TPP.
    if [
        "tpp/mm",
        "tpp / mm",
        "tpp per mm",
        "tpp pro mm",
        "tpp par mm",
    ]
    .iter()
    .any(|u| rest.starts_with(u))
    {
        return Some(("pd", 1.0));
    }
    if rest.starts_with("tpp") || (rest.starts_with("de tpp") || rest.starts_with("of tpp")) {
        return Some(("tpp", 1.0));
    }
    // "26,900,000 cumulative total processing performance (TPP)": the metric's name as unit.
    // « 26 900 000 de performance de traitement totale (TPP) »: "de"/"of" before the name.
    let rest = rest
        .strip_prefix("de ")
        .or_else(|| rest.strip_prefix("of "))
        .unwrap_or(rest);
    let named = rest
        .strip_prefix("cumulative ")
        .or_else(|| rest.strip_prefix("cumulated "))
        .or_else(|| rest.strip_prefix("aggregate "))
        .or_else(|| rest.strip_prefix("kumulierte "))
        .or_else(|| rest.strip_prefix("cumulée "))
        .unwrap_or(rest);
    // A quoted defined term as unit: "26,900,000 cumulative 'TPP'", « 4 800 “TPP” ».
    let named = named.trim_start_matches(['\'', '"', '‘', '’', '“', '”', '«', '„', ' ', '\u{a0}']);
    if named.starts_with("tpp") && !named[3..].starts_with(|c: char| c.is_alphanumeric()) {
        return Some(("tpp", 1.0));
    }
    if packs::list("tpp_words")
        .iter()
        .any(|w| w.len() > 3 && named.starts_with(w.as_str()))
    {
        return Some(("tpp", 1.0));
    }
    if starts(packs::list("operation_units")) && value >= 1e20 {
        return Some(("ops", 1.0));
    }
    None
}

/// Chips, with up to two adjectives in between ("50,000 advanced AI chips").
fn chip_unit(rest: &str) -> Option<(&'static str, f64)> {
    let ws: Vec<&str> = words(rest);
    for skip in 0..=2 {
        if ws.len() <= skip {
            break;
        }
        if ws[..skip].iter().all(|w| packs::has("chip_adjectives", w)) {
            let tail = ws[skip..].join(" ");
            if packs::list("h100_units")
                .iter()
                .any(|u| tail.starts_with(u))
            {
                return Some(("h100", 1.0));
            }
            if packs::has("chip_units", ws[skip]) || compound_chip(ws[skip]) {
                return Some(("chips", 1.0));
            }
        }
    }
    None
}

/// A compound whose last part names chips: „Hochleistungs-GPUs“, „Spitzen-KI-Chips“,
/// „Rechenbeschleuniger“ (German writes the adjective into the noun).
fn compound_chip(w: &str) -> bool {
    if let Some((_, last)) = w.rsplit_once('-') {
        return packs::has("chip_units", last);
    }
    packs::list("chip_units")
        .iter()
        .any(|u| u.len() >= 5 && u != "units" && w.len() > u.len() && w.ends_with(u.as_str()))
}
