//! Units written right after a number: percent, bandwidths, bandwidth density, TPP, training
//! operations, and chips (with up to two adjectives before the noun).

use crate::tag::numbers::Num;
use crate::tag::text::words;

/// Nouns that make a number a count of chips.
const CHIP_UNITS: &[&str] = &[
    "gpu",
    "gpus",
    "chips",
    "chip",
    "puces",
    "processeurs",
    "accelerators",
    "accélérateurs",
    "grafikprozessoren",
    "grafikchips",
    "hochleistungschips",
    "ki-chips",
    "beschleuniger",
    "processors",
    "units",
];
/// Nouns that make a number a count of H100 equivalents.
const H100_UNITS: &[&str] = &[
    "h100-equivalent",
    "h100-equivalents",
    "h100 equivalents",
    "h100 equivalent",
    "h100-eq",
    "h100s",
    "h100",
    "équivalents h100",
    "équivalent h100",
    "h100-äquivalente",
    "h100-äquivalent",
];
/// Words allowed between a number and its chip noun ("50,000 advanced AI chips").
const CHIP_ADJECTIVES: &[&str] = &[
    "advanced",
    "ai",
    "additional",
    "more",
    "avancés",
    "avancées",
    "d'ia",
    "de",
    "fortschrittliche",
    "fortschrittlichen",
    "high-end",
    "nvidia",
    "leading-edge",
    "cutting-edge",
    "modern",
    "top-end",
];
/// Percent, as written after a number.
const PERCENT: &[&str] = &[
    "%",
    "percent",
    "per cent",
    "pour cent",
    "prozent",
    "pourcent",
];
/// Memory bandwidth density (GB/s per mm²).
const BANDWIDTH_DENSITY: &[&str] = &[
    "gb/s/mm",
    "gb/s per mm",
    "gbyte/s/mm",
    "gigabytes per second per square",
    "go/s/mm",
    "gb/s pro mm",
];
/// Bandwidth in TB/s.
const TERABYTES_PER_SECOND: &[&str] = &[
    "tb/s",
    "to/s",
    "tbyte/s",
    "terabytes per second",
    "téraoctets par seconde",
    "terabyte pro sekunde",
    "tb per second",
];
/// Bandwidth in GB/s.
const GIGABYTES_PER_SECOND: &[&str] = &[
    "gb/s",
    "gbyte/s",
    "gbytes/s",
    "go/s",
    "gigabytes per second",
    "gigabyte per second",
    "gigaoctets par seconde",
    "gigabyte pro sekunde",
    "gb per second",
];
/// Counts of operations (training compute).
const OPERATIONS: &[&str] = &[
    "operations",
    "computational operations",
    "flop",
    "opérations",
    "rechenoperationen",
    "operationen",
    "integer or floating-point operations",
];

/// The text after a number's end, leading whitespace trimmed.
pub(super) fn after(s: &str, end: usize) -> &str {
    s[end..].trim_start()
}

/// The unit written after a number — `pct`, `mbd`, `bw`, `tpp`, `ops`, `h100` or `chips` — with
/// the factor to the kind's unit (TB/s → GB/s: 1000).
pub(super) fn unit_after(s: &str, n: &Num) -> Option<(&'static str, f64)> {
    let rest = after(s, n.end);
    let rest = rest.strip_prefix("en ").unwrap_or(rest);
    measure_unit(rest, n.value).or_else(|| chip_unit(rest))
}

/// A unit of measure at the start of `rest`; operations count only from 10²⁰ on.
fn measure_unit(rest: &str, value: f64) -> Option<(&'static str, f64)> {
    let starts = |opts: &[&str]| opts.iter().any(|o| rest.starts_with(o));
    if starts(PERCENT) {
        return Some(("pct", 1.0));
    }
    if starts(BANDWIDTH_DENSITY) {
        return Some(("mbd", 1.0));
    }
    if starts(TERABYTES_PER_SECOND) {
        return Some(("bw", 1000.0));
    }
    if starts(GIGABYTES_PER_SECOND) {
        return Some(("bw", 1.0));
    }
    if starts(&["tpp"]) || (rest.starts_with("de tpp") || rest.starts_with("of tpp")) {
        return Some(("tpp", 1.0));
    }
    if starts(OPERATIONS) && value >= 1e20 {
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
        if ws[..skip].iter().all(|w| CHIP_ADJECTIVES.contains(w)) {
            let tail = ws[skip..].join(" ");
            if H100_UNITS.iter().any(|u| tail.starts_with(u)) {
                return Some(("h100", 1.0));
            }
            if CHIP_UNITS.contains(&ws[skip]) {
                return Some(("chips", 1.0));
            }
        }
    }
    None
}
