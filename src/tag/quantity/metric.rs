//! A metric named just before a number, with only small words in between ("TPP of 4,800 or
//! more", « densité de performance de 5,92 »), and the words allowed right after such a bare number.

use super::units::after;
use crate::tag::numbers::Num;
use crate::tag::text::words;

/// Names of total processing performance.
const TPP_WORDS: &[&str] = &[
    "tpp",
    "total processing performance",
    "total processing power",
    "performance totale de traitement",
    "performance de traitement totale",
    "puissance de traitement totale",
    "gesamtverarbeitungsleistung",
    "gesamtrechenleistung",
];
/// Names of performance density.
const PD_WORDS: &[&str] = &[
    "performance density",
    "densité de performance",
    "leistungsdichte",
    "pd",
];
/// Words that may stand between a metric's name and its number.
const FILLERS: &[&str] = &[
    "of",
    "is",
    "at",
    "least",
    "or",
    "more",
    "than",
    "above",
    "over",
    "exceeding",
    "exceeds",
    "exceed",
    "equal",
    "to",
    "greater",
    "less",
    "below",
    "under",
    "≥",
    "≤",
    ">",
    "<",
    "=",
    ">=",
    "<=",
    "a",
    "an",
    "its",
    "the",
    "threshold",
    "de",
    "d'au",
    "au",
    "moins",
    "supérieure",
    "supérieur",
    "inférieure",
    "inférieur",
    "égale",
    "égal",
    "à",
    "ou",
    "plus",
    "un",
    "une",
    "seuil",
    "von",
    "mindestens",
    "über",
    "unter",
    "ab",
    "bei",
    "liegt",
    "beträgt",
    "einer",
    "eine",
    "tpp",
    "pd",
    "en",
    "reaches",
    "with",
    "has",
    "having",
    "value",
    "set",
    "now",
    "was",
    "will",
    "be",
    "been",
    "raised",
    "lowered",
    "reduced",
    "increased",
    "changed",
    "from",
    "est",
    "sera",
    "passe",
    "fixé",
    "fixée",
    "relevé",
    "relevée",
    "abaissé",
    "abaissée",
    "ramené",
    "ramenée",
    "ist",
    "wird",
    "auf",
    "gesenkt",
    "angehoben",
    "erhöht",
    "reste",
    "restera",
    "remains",
    "stays",
    "bleibt",
    "still",
    "encore",
    "toujours",
    "noch",
    "by",
    "um",
    "de:",
    "d'une",
    "d'un",
    "der",
    "die",
    "das",
    "le",
    "la",
    "des",
    "l'",
    "cap",
    "limit",
    "wert",
    "valeur",
    "level",
    "niveau",
    "that",
    "which",
    "minimum",
    "min",
    "only",
    "seulement",
    "nur",
    "atteint",
    "atteignant",
    "reaching",
    "reach",
    "erreicht",
    "erreichen",
    "for",
    "advanced",
    "chips",
    "chip",
    "ai",
    "gpus",
    "integrated",
    "circuits",
    "puces",
    "pour",
    "les",
    "für",
    "avancées",
    "ia",
    "stays",
    "stay",
    "stood",
    "lies",
    "liegt",
];

/// Words of a multi-word metric name that may stand alone before the full name matches
/// ("total processing").
const METRIC_NAME_PARTS: &[&str] = &[
    "total",
    "processing",
    "performance",
    "totale",
    "traitement",
    "puissance",
    "density",
    "densité",
    "power",
];

/// Words allowed first after a bare number bound to a metric.
const ENDINGS: &[&str] = &[
    "or",
    "and",
    "ou",
    "et",
    "oder",
    "und",
    "tpp",
    "per",
    "par",
    "pro",
    "for",
    "in",
    "to",
    "à",
    "bis",
    "is",
    "was",
    "were",
    "est",
    "ist",
    "war",
    "as",
    "will",
    "would",
    "has",
    "have",
    "under",
    "but",
    "mais",
    "aber",
    "while",
    "tandis",
    "alors",
    "whereas",
    "with",
    "avec",
    "mit",
    "restent",
    "reste",
    "remain",
    "remains",
    "bleibt",
    "bleiben",
    "sont",
    "sind",
    "from",
    "since",
    "depuis",
    "seit",
    "(",
    "en",
    "au",
    "im",
    "pour",
    "für",
    "dans",
    "applies",
    "apply",
    "s'applique",
    "gilt",
    "gelten",
    "on",
    "sur",
    "auf",
    "when",
    "lorsque",
    "wenn",
    "if",
    "si",
    "falls",
];

/// The metric (`tpp` or `performance_density`) whose name ends before byte offset `pos`, if only
/// fillers, numbers and parts of metric names stand between (at most 12 words back).
pub(super) fn metric_before(s: &str, pos: usize) -> Option<&'static str> {
    let before = &s[..pos];
    let toks = words(before);
    // Walk back over fillers and numbers (a "from X to" pattern) for at most 12 tokens.
    let mut n = 0;
    for (i, w) in toks.iter().enumerate().rev() {
        let w = w.trim_matches(|c: char| c == '(' || c == ')');
        n += 1;
        if n > 12 {
            return None;
        }
        let joined_tail = toks[..=i].join(" ");
        for kw in TPP_WORDS {
            if joined_tail.ends_with(kw) && (kw.contains(' ') || w == *kw) {
                return Some("tpp");
            }
        }
        for kw in PD_WORDS {
            if joined_tail.ends_with(kw) && (kw.contains(' ') || w == *kw) {
                return Some("performance_density");
            }
        }
        let is_num = w.chars().next().is_some_and(|c| c.is_ascii_digit());
        if FILLERS.contains(&w) || is_num || w.is_empty() || w == "-" {
            continue;
        }
        // Words of a multi-word metric name that did not match yet ("total processing").
        if METRIC_NAME_PARTS.contains(&w) {
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
    ENDINGS.contains(&first)
}
