//! Quantities bound to what they measure: control thresholds (TPP, performance density,
//! bandwidths, training operations), caps (GPUs, TPP per consignee/country/order), and tariff or
//! fee percentages.
//!
//! A number is only a fact when something binds it: a unit written after it ("4.8 TB/s",
//! "26,900,000 TPP", "50,000 GPUs", "25 %") or a metric named just before it with nothing but
//! small connecting words in between ("TPP of 4,800 or more", « densité de performance de 5,92 »).
//! A count of public comments, a year, or "TPP" meaning the Trans-Pacific Partnership binds nothing.

use crate::model::Lang;

use super::numbers::{Num, numbers};
use super::text::{any_word, words};

/// What a quantity is.
#[derive(Debug, Clone, PartialEq)]
pub enum QKind {
    /// A control parameter; `metric` as in DESIGN.md §7.
    Threshold {
        /// `tpp`, `performance_density`, `dram_bandwidth`, `interconnect_bandwidth`,
        /// `memory_bandwidth_density`, `training_operations`.
        metric: &'static str,
    },
    /// A cap on chips or TPP.
    Quota {
        /// `GPU`, `H100-equivalent` or `TPP`.
        unit: &'static str,
        /// `per_consignee`, `per_country`, `per_order` or `unspecified`.
        scope: &'static str,
    },
    /// A tariff, fee or revenue share in percent.
    Tariff,
}

impl QKind {
    /// The key facts are paired by.
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            QKind::Threshold { metric } => format!("threshold:{metric}"),
            QKind::Quota { unit, scope } => {
                let family = if *unit == "TPP" { "tpp" } else { "chips" };
                format!("quota:{family}:{scope}")
            }
            QKind::Tariff => "tariff".into(),
        }
    }

    /// The unit values are expressed in.
    #[must_use]
    pub fn unit(&self) -> &'static str {
        match self {
            QKind::Threshold { metric } => match *metric {
                "tpp" => "TPP",
                "performance_density" => "TPP/mm²",
                "dram_bandwidth" | "interconnect_bandwidth" => "GB/s",
                "memory_bandwidth_density" => "GB/s/mm²",
                _ => "operations",
            },
            QKind::Quota { unit, .. } => unit,
            QKind::Tariff => "%",
        }
    }
}

/// A quantity found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// What it is.
    pub kind: QKind,
    /// Its value in the kind's unit (bandwidths in GB/s).
    pub value: f64,
    /// When the sentence states a move ("from 4,800 to 4,000"), the value it moved from.
    pub from: Option<f64>,
    /// The sentence states a comparison or a threshold ("or more", "at least", "seuil").
    pub has_comparator: bool,
}

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
const COMPARATORS: &[&str] = &[
    "or more",
    "or greater",
    "or above",
    "or higher",
    "at least",
    "and above",
    "more than",
    "greater than",
    "less than",
    "exceeding",
    "exceeds",
    "above",
    "below",
    "under",
    "threshold",
    "≥",
    "≤",
    ">=",
    "<=",
    "ou plus",
    "au moins",
    "supérieure",
    "supérieur",
    "inférieure",
    "seuil",
    "dépassant",
    "oder mehr",
    "mindestens",
    "über",
    "unter",
    "schwelle",
    "schwellenwert",
    "grenzwert",
    "controlled",
    "contrôlé",
    "kontrolliert",
    "covered",
    "captured",
    "meets",
];
const CAP_WORDS: &[&str] = &[
    "cap",
    "caps",
    "capped",
    "limit",
    "limits",
    "limited",
    "quota",
    "quotas",
    "allocation",
    "allocations",
    "ceiling",
    "maximum",
    "no more than",
    "plafond",
    "plafonds",
    "plafonné",
    "plafonnée",
    "plafonnés",
    "plafonnées",
    "limite",
    "limité",
    "limitée",
    "limitées",
    "obergrenze",
    "obergrenzen",
    "gedeckelt",
    "begrenzt",
    "kontingent",
    "kontingente",
    "höchstmenge",
    "länderobergrenze",
    "länderobergrenzen",
    "without a license",
    "without a licence",
    "sans licence",
    "ohne lizenz",
    "ohne genehmigung",
];
/// "Up to" is a cap only next to regulatory words ("up to 1,700 GPUs without a license").
const WEAK_CAP: &[&str] = &["up to", "jusqu'à", "bis zu"];
const REGULATORY: &[&str] = &[
    "license*",
    "licence*",
    "exception",
    "consignee*",
    "country",
    "countries",
    "rule",
    "règle",
    "regel",
    "allowed",
    "authori*",
    "export*",
    "pays",
    "land",
    "länder",
    "lizenz*",
    "genehmigung*",
    "destinataire*",
    "per",
    "par",
    "pro",
];
const TARIFF_WORDS: &[&str] = &[
    "tariff*",
    "duty",
    "duties",
    "fee",
    "fees",
    "levy",
    "revenue share",
    "share of revenue",
    "share of the revenue",
    "cut of",
    "droit de douane",
    "droits de douane",
    "taxe*",
    "prélèvement",
    "part des revenus",
    "part du chiffre",
    "zoll",
    "zölle",
    "zollsatz",
    "abgabe*",
    "umsatzbeteiligung",
    "gebühr*",
    "importzoll",
    "surtaxe",
];
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

/// Scope words of a cap.
fn scope_of(s: &str) -> &'static str {
    const SCOPES: &[(&str, &[&str])] = &[
        (
            "per_consignee",
            &[
                "per consignee",
                "per ultimate consignee",
                "single ultimate consignee",
                "per customer",
                "per buyer",
                "per end user",
                "per end-user",
                "par destinataire",
                "par client",
                "par acheteur",
                "pro empfänger",
                "pro kunde",
                "pro käufer",
                "pro endabnehmer",
                "each consignee",
                "per recipient",
            ],
        ),
        (
            "per_country",
            &[
                "per country",
                "each country",
                "per tier-2 country",
                "per tier 2 country",
                "country cap",
                "national cap",
                "country-level",
                "par pays",
                "plafond national",
                "chaque pays",
                "pro land",
                "je land",
                "länderobergrenze",
                "nationale obergrenze",
                "each tier-2 country",
                "each tier 2 country",
                "every country",
                "by country",
                "for each country",
                "country allocation",
                "national allocation",
            ],
        ),
        (
            "per_order",
            &[
                "per order",
                "par commande",
                "pro bestellung",
                "per shipment",
                "each order",
            ],
        ),
    ];
    for (scope, phrases) in SCOPES {
        if phrases.iter().any(|p| s.contains(p)) {
            return scope;
        }
    }
    "unspecified"
}

fn is_trade_pact(block: &str) -> bool {
    any_word(
        block,
        &[
            "trans-pacific",
            "tpp agreement",
            "tpp deal",
            "tpp members",
            "transpacific",
            "trans pacific",
            "partnership",
            "partenariat",
            "partnerschaft",
            "cptpp",
            "trade pact",
            "trade deal",
            "trade agreement",
            "accord commercial",
            "accord de libre-échange",
            "handelsabkommen",
            "freihandel*",
        ],
    )
}

fn chip_context(block: &str) -> bool {
    any_word(
        block,
        &[
            "chip*",
            "gpu*",
            "semiconductor*",
            "integrated circuit*",
            "processor*",
            "3a090*",
            "4a090*",
            "puce*",
            "semi-conducteur*",
            "circuit* intégré*",
            "halbleiter*",
            "prozessor*",
            "ki-chip*",
            "accelerator*",
            "computing",
            "compute",
            "macTOPS",
            "mactops",
            "density",
            "densité",
            "dichte",
            "eccn",
            "export*",
            "ausfuhr*",
            "hochleistungschip*",
            "processing performance",
            "ai",
            "ia",
            "ki",
            "nvidia",
            "amd",
            "huawei",
            "h100",
            "h20",
            "h200",
            "a100",
            "tpp",
        ],
    )
}

/// Position (byte offset) and length of the last metric keyword ending before `pos`, if only
/// fillers stand between.
fn metric_before(s: &str, pos: usize) -> Option<&'static str> {
    let before = &s[..pos];
    let toks = words(before);
    // Walk back over fillers and numbers (a "from X to" pattern) for at most 8 tokens.
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
        if [
            "total",
            "processing",
            "performance",
            "totale",
            "traitement",
            "puissance",
            "density",
            "densité",
            "power",
        ]
        .contains(&w)
        {
            continue;
        }
        return None;
    }
    None
}

/// Token right after a number (skipping one small word) and what follows.
fn after(s: &str, end: usize) -> &str {
    s[end..].trim_start()
}

fn unit_after(s: &str, n: &Num) -> Option<(&'static str, f64)> {
    let rest = after(s, n.end);
    let rest = rest.strip_prefix("en ").unwrap_or(rest);
    let starts = |opts: &[&str]| opts.iter().any(|o| rest.starts_with(o));
    if starts(&[
        "%",
        "percent",
        "per cent",
        "pour cent",
        "prozent",
        "pourcent",
    ]) {
        return Some(("pct", 1.0));
    }
    if starts(&[
        "gb/s/mm",
        "gb/s per mm",
        "gbyte/s/mm",
        "gigabytes per second per square",
        "go/s/mm",
        "gb/s pro mm",
    ]) {
        return Some(("mbd", 1.0));
    }
    if starts(&[
        "tb/s",
        "to/s",
        "tbyte/s",
        "terabytes per second",
        "téraoctets par seconde",
        "terabyte pro sekunde",
        "tb per second",
    ]) {
        return Some(("bw", 1000.0));
    }
    if starts(&[
        "gb/s",
        "gbyte/s",
        "gbytes/s",
        "go/s",
        "gigabytes per second",
        "gigabyte per second",
        "gigaoctets par seconde",
        "gigabyte pro sekunde",
        "gb per second",
    ]) {
        return Some(("bw", 1.0));
    }
    if starts(&["tpp"]) || (rest.starts_with("de tpp") || rest.starts_with("of tpp")) {
        return Some(("tpp", 1.0));
    }
    if starts(&[
        "operations",
        "computational operations",
        "flop",
        "opérations",
        "rechenoperationen",
        "operationen",
        "integer or floating-point operations",
    ]) && n.value >= 1e20
    {
        return Some(("ops", 1.0));
    }
    // Chips, with up to two adjectives in between ("50,000 advanced AI chips").
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

/// Words allowed right after a bare number bound to a metric (so "TPP of 12 nations" is refused).
fn bare_number_ends_well(s: &str, n: &Num) -> bool {
    let rest = after(s, n.end);
    let Some(first) = words(rest).first().copied() else {
        return true;
    };
    if rest.starts_with([',', '.', ';', ')', ':', '-', '–', '→']) {
        return true;
    }
    [
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
    ]
    .contains(&first)
}

/// Quantities in one sentence (`s`, normalized), with the block around it for context.
#[must_use]
pub fn quantities(s: &str, block: &str, lang: Lang) -> Vec<Quantity> {
    let nums = numbers(s, lang);
    let has_comparator = COMPARATORS.iter().any(|c| s.contains(c));
    let trade_pact = is_trade_pact(block);
    let chips = chip_context(block);
    let cap = CAP_WORDS.iter().any(|c| s.contains(c))
        || (WEAK_CAP.iter().any(|c| s.contains(c)) && any_word(s, REGULATORY));
    let tariff = any_word(s, TARIFF_WORDS);
    let mut out: Vec<Quantity> = Vec::new();
    for n in &nums {
        let kind_value = match unit_after(s, n) {
            // A tariff on chips, not a trade pact's duties.
            Some(("pct", _)) if tariff && !trade_pact => Some((QKind::Tariff, n.value)),
            Some(("pct", _)) => None,
            Some(("mbd", f)) => Some((
                QKind::Threshold {
                    metric: "memory_bandwidth_density",
                },
                n.value * f,
            )),
            Some(("bw", f)) => {
                let head = &s[..n.start];
                let metric = if any_word(
                    head,
                    &[
                        "interconnect*",
                        "i/o",
                        "bidirectional",
                        "transfer rate",
                        "nvlink",
                        "interconnexion*",
                        "verbindung*",
                        "chip-to-chip",
                        "scale-up",
                    ],
                ) {
                    "interconnect_bandwidth"
                } else {
                    "dram_bandwidth"
                };
                // A bandwidth in a chip-spec sentence ("the H200 has 4.8 TB/s") is a spec,
                // not a control, unless the sentence speaks of a limit.
                if has_comparator || cap {
                    Some((QKind::Threshold { metric }, n.value * f))
                } else {
                    None
                }
            }
            Some(("ops", _)) => Some((
                QKind::Threshold {
                    metric: "training_operations",
                },
                n.value,
            )),
            Some(("tpp", _)) => {
                if trade_pact && !chips {
                    None
                } else {
                    let scope = scope_of(s);
                    if scope != "unspecified" || cap || n.value >= 100_000.0 {
                        Some((QKind::Quota { unit: "TPP", scope }, n.value))
                    } else {
                        Some((QKind::Threshold { metric: "tpp" }, n.value))
                    }
                }
            }
            Some((u @ ("chips" | "h100"), _)) if cap => {
                let unit = if u == "h100" {
                    "H100-equivalent"
                } else {
                    "GPU"
                };
                Some((
                    QKind::Quota {
                        unit,
                        scope: scope_of(s),
                    },
                    n.value,
                ))
            }
            Some(_) => None,
            // A bare year ("for 2025") is never a threshold.
            None if (1990.0..=2100.0).contains(&n.value)
                && n.value.fract() == 0.0
                && s[n.start..n.end].bytes().all(|b| b.is_ascii_digit()) =>
            {
                None
            }
            None => match metric_before(s, n.start) {
                Some("tpp") if (chips || !trade_pact) && bare_number_ends_well(s, n) => {
                    // "TPP of 4,800" is a threshold; "26,900,000 TPP per consignee" a quota.
                    let scope = scope_of(s);
                    if scope != "unspecified" || (cap && n.value >= 100_000.0) {
                        Some((QKind::Quota { unit: "TPP", scope }, n.value))
                    } else if n.value >= 10.0 {
                        Some((QKind::Threshold { metric: "tpp" }, n.value))
                    } else {
                        None
                    }
                }
                Some("performance_density")
                    if chips && bare_number_ends_well(s, n) && n.value < 1000.0 =>
                {
                    Some((
                        QKind::Threshold {
                            metric: "performance_density",
                        },
                        n.value,
                    ))
                }
                _ => None,
            },
        };
        if let Some((kind, value)) = kind_value {
            out.push(Quantity {
                kind,
                value,
                from: None,
                has_comparator,
            });
        }
    }
    mark_transitions(s, &nums, &mut out);
    out
}

/// "from 4,800 to 4,000", « de 4 800 à 4 000 », „von 4.800 auf 4.000“: the pair becomes one
/// quantity that carries its old value.
fn mark_transitions(s: &str, nums: &[Num], out: &mut Vec<Quantity>) {
    if out.len() < 2 {
        return;
    }
    let mut i = 0;
    while i + 1 < out.len() {
        let (a, b) = (&out[i], &out[i + 1]);
        if a.kind.key() == b.kind.key() {
            let na = nums.iter().find(|n| {
                (n.value - a.value).abs() < 1e-9 || (n.value * 1000.0 - a.value).abs() < 1e-6
            });
            let nb = nums.iter().rev().find(|n| {
                (n.value - b.value).abs() < 1e-9 || (n.value * 1000.0 - b.value).abs() < 1e-6
            });
            if let (Some(na), Some(nb)) = (na, nb)
                && na.end <= nb.start
            {
                let between = s[na.end..nb.start].trim();
                let between: Vec<&str> = words(between);
                let joiner = between
                    .iter()
                    .any(|w| ["to", "à", "auf", "zu", "→", "->", "a"].contains(w))
                    && between.len() <= 6;
                let head = &s[..na.start];
                let from_word = ["from", "de", "von", "passe de", "passé de"]
                    .iter()
                    .any(|f| head.trim_end().ends_with(f));
                if joiner && from_word {
                    let old = a.value;
                    out[i + 1].from = Some(old);
                    out.remove(i);
                    continue;
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    fn q(s: &str, lang: Lang) -> Vec<(String, f64)> {
        let n = norm(s);
        quantities(&n, &n, lang)
            .into_iter()
            .map(|q| (q.kind.key(), q.value))
            .collect()
    }

    #[test]
    fn thresholds_bind_to_their_metric() {
        assert_eq!(
            q(
                "A chip is controlled when its TPP is 4,800 or more.",
                Lang::En
            ),
            vec![("threshold:tpp".into(), 4800.0)]
        );
        assert_eq!(
            q(
                "Le seuil de la performance totale de traitement (TPP) est de 4 800 pour les puces.",
                Lang::Fr
            ),
            vec![("threshold:tpp".into(), 4800.0)]
        );
        assert_eq!(
            q(
                "Chips with a performance density of 5.92 or more are covered.",
                Lang::En
            ),
            vec![("threshold:performance_density".into(), 5.92)]
        );
        assert_eq!(
            q("DRAM bandwidth of 1,400 GB/s or more for chips", Lang::En),
            vec![("threshold:dram_bandwidth".into(), 1400.0)]
        );
        assert_eq!(
            q("chips with total DRAM bandwidth below 6.5 TB/s", Lang::En),
            vec![("threshold:dram_bandwidth".into(), 6500.0)]
        );
    }

    #[test]
    fn quotas_and_tariffs() {
        assert_eq!(
            q(
                "License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.",
                Lang::En
            ),
            vec![("quota:tpp:per_consignee".into(), 26_900_000.0)]
        );
        assert_eq!(
            q("Each country is capped at 50,000 advanced GPUs.", Lang::En),
            vec![("quota:chips:per_country".into(), 50_000.0)]
        );
        assert_eq!(
            q("A 25 % tariff applies to these chips.", Lang::En),
            vec![("tariff".into(), 25.0)]
        );
    }

    #[test]
    fn noise_binds_nothing() {
        assert!(
            q(
                "The company bought 20,000 GPUs for its new cluster.",
                Lang::En
            )
            .is_empty()
        );
        assert!(q("BIS received 4,800 comments on the rule.", Lang::En).is_empty());
        assert!(
            q(
                "The TPP trade pact covers 12 nations and 40 % of output.",
                Lang::En
            )
            .is_empty()
        );
        assert!(q("The H200 offers 4.8 TB/s of memory.", Lang::En).is_empty());
    }

    #[test]
    fn transitions_carry_their_old_value() {
        let n = norm("The TPP threshold was lowered from 4,800 to 4,000.");
        let qs = quantities(&n, &n, Lang::En);
        assert_eq!(qs.len(), 1);
        assert_eq!(qs[0].value, 4000.0);
        assert_eq!(qs[0].from, Some(4800.0));
    }
}
