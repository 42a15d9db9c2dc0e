//! Quantities bound to what they measure: control thresholds (TPP, performance density,
//! bandwidths, training operations), caps (GPUs, TPP per consignee/country/order), and tariff or
//! fee percentages.
//!
//! A number is only a fact when something binds it: a unit written after it ("4.8 TB/s",
//! "26,900,000 TPP", "50,000 GPUs", "25 %") or a metric named just before it with nothing but
//! small connecting words in between ("TPP of 4,800 or more", « densité de performance de 5,92 »).
//! A count of public comments, a year, or "TPP" meaning the Trans-Pacific Partnership binds nothing.

mod cues;
mod metric;
mod units;

use crate::model::Lang;

use super::numbers::{Num, numbers};
use super::text::words;
use cues::{Cues, bandwidth_metric, comparator_near, scope_of, threshold_near};
pub use metric::ROW_MOVE;
use metric::{bare_number_ends_well, metric_before};
use units::unit_after;

/// What a quantity is.
#[derive(Debug, Clone, PartialEq)]
pub enum QKind {
    /// A control parameter; `metric` as in docs/ARCHITECTURE.md, "Tags".
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

/// Quantities in one sentence (`s`, normalized), with the block around it for context.
#[must_use]
pub fn quantities(s: &str, block: &str, lang: Lang) -> Vec<Quantity> {
    // A worked example ("3,300 H100s × 4,800 TPP ≈ 15.8 million TPP") or another authority's own
    // limit ("Japan lowers its own threshold to 4,000") states nothing of the US rule.
    let nums = numbers(s, lang);
    if nums.is_empty()
        || s.contains(['×', '≈'])
        || crate::tag::packs::any_in("example_words", s)
        // A block labelled as an example or its solution („Beispiel: …“, "Solution: …"):
        // every sentence of it.
        || crate::tag::packs::list("example_labels")
            .iter()
            .any(|l| block.trim_start().starts_with(l.as_str()))
        || (crate::tag::packs::any_in("other_authorities", s)
            && !crate::tag::packs::any_in("us_rule_words", s))
    {
        return Vec::new();
    }
    let cues = Cues::read(s, block);
    let mut out: Vec<Quantity> = Vec::new();
    for n in &nums {
        if is_delta(s, n) {
            continue;
        }
        // "ordered 18,000 GPUs", „hat 5.000 GPUs bestellt“: a purchase, not a cap.
        if purchase_near(s, n) {
            continue;
        }
        // "26,900,000 TPP, the equivalent of about 1,700 GPUs": the same amount in another unit.
        if restated(s, n) {
            continue;
        }
        if let Some((kind, value)) = classify(s, n, &cues) {
            // "no 25 % tariff", „kein Zoll von 25 Prozent“: a rate said not to apply.
            if matches!(kind, QKind::Tariff) && cues::negated_before(s, n.start) {
                continue;
            }
            out.push(Quantity {
                kind,
                value,
                from: None,
                has_comparator: cues.comparator,
            });
        }
    }
    scope_from_neighbours(s, block, &mut out);
    mark_bare_from(s, &nums, &mut out);
    mark_transitions(s, &nums, &mut out);
    mark_old_values(s, &nums, &mut out);
    mark_unbound_partners(s, &nums, &mut out);
    out
}

/// "… is raised from 790 million to 1.2 billion TPP. The cap applies to each country
/// separately.", « Chaque pays dispose d'un plafond. Ce plafond passe de … à … »: a quota with no
/// scope of its own takes the one stated by the next sentence of its block, when that sentence
/// takes the cap up (the pack's `cap_anaphors`), or by the sentence before, when its own sentence
/// does.
fn scope_from_neighbours(s: &str, block: &str, out: &mut [Quantity]) {
    let unscoped =
        |q: &Quantity| matches!(q.kind, QKind::Quota { scope, .. } if scope == "unspecified");
    if !out.iter().any(unscoped) {
        return;
    }
    let Some(at) = block.find(s) else {
        return;
    };
    let next = crate::tag::text::sentences(&block[at + s.len()..])
        .first()
        .copied()
        .unwrap_or_default();
    let prev = crate::tag::text::sentences(&block[..at])
        .last()
        .copied()
        .unwrap_or_default();
    // A scope word said not to apply ("counted for the country as a whole, not for each
    // buyer", « et non par client ») is not the scope.
    let scope_in = |t: &str| {
        crate::tag::packs::groups("quota_scopes")
            .iter()
            .find(|g| {
                g.words.iter().any(|w| {
                    crate::tag::text::find_word(t, w).is_some_and(|i| {
                        let head = words(&t[..i]);
                        !head[head.len().saturating_sub(2)..]
                            .iter()
                            .any(|x| *x == "non" || crate::tag::packs::has("quantity_negations", x))
                    })
                })
            })
            .map(|g| g.key.as_str())
    };
    // The neighbour speaks of the cap: it takes it up, or names a cap itself ("The limit in
    // this paragraph applies separately to each ultimate consignee. Cumulative shipments … may
    // not exceed 26,900,000 'TPP'").
    let of_cap = |t: &str| {
        crate::tag::packs::any_in("cap_anaphors", t) || crate::tag::packs::any_in("cap_words", t)
    };
    let scope = if of_cap(next) { scope_in(next) } else { None }.or_else(|| {
        (!prev.is_empty() && (of_cap(prev) || crate::tag::packs::any_in("cap_anaphors", s)))
            .then(|| scope_in(prev))
            .flatten()
    });
    let Some(found) = scope else {
        return;
    };
    if !matches!(found, "per_country" | "per_consignee" | "per_order") {
        return;
    }
    for q in out.iter_mut() {
        if let QKind::Quota { scope, .. } = &mut q.kind
            && *scope == "unspecified"
        {
            *scope = found;
        }
    }
}

/// Old and new values written bare right after a stated one, which the metric does not reach:
/// "a TPP of at least 4,000 instead of 4,800", „mindestens 4.000 statt bisher 4.800“, « 4 000
/// au lieu de 4 800 » (the pack's `replaced_value_markers` before the bare number: it is the old
/// value), and
/// "no longer a TPP of 4,800 but 6,000", „nicht mehr 4.800, sondern 6.000“ (the stated value is
/// said to be gone, the bare number after the pack's `but_words` is the new one).
fn mark_unbound_partners(s: &str, nums: &[Num], out: &mut [Quantity]) {
    // Each stated value with the bare number right after it (one no quantity states); with
    // several stated values ("… 6.000, contre 4.800 jusqu'ici ; il reste de 1.600 …"), each
    // looks only at its own next number.
    for k in 0..out.len() {
        if out[k].from.is_some() {
            continue;
        }
        let Some(n1) = nums.iter().find(|n| states(n, out[k].value)) else {
            continue;
        };
        let v = out[k].value;
        let Some(n2) = nums.iter().find(|n| n.start > n1.end && !states(n, v)) else {
            continue;
        };
        if out.iter().any(|q| states(n2, q.value)) {
            continue;
        }
        if let Some((from, value)) = unbound_partner(s, n1, n2, out[k].value, out.len()) {
            out[k].from = Some(from);
            out[k].value = value;
        }
    }
}

/// The (old, new) values of a stated value `v` (at `n1`) and the bare number `n2` after it, when
/// `n2` is its old value or its replacement; `stated` is how many values the sentence states.
fn unbound_partner(s: &str, n1: &Num, n2: &Num, v: f64, stated: usize) -> Option<(f64, f64)> {
    let between = &s[n1.end..n2.start];
    if between.contains([';', ':']) || words(between).len() > 5 {
        return None;
    }
    // The two amounts must be of one size, and the second no year ("4,800 instead of 2025's").
    let ratio = n2.value / v;
    let year = n2.value.fract() == 0.0 && (1990.0..=2100.0).contains(&n2.value);
    if !(0.1..=10.0).contains(&ratio) || year {
        return None;
    }
    let last_words = |upto: usize, k: usize| -> String {
        let ws = words(&s[..upto]);
        ws[ws.len().saturating_sub(k)..].join(" ")
    };
    let before_n2 = last_words(n2.start, 3);
    let marker_ends = |list: &str| {
        crate::tag::packs::list(list).iter().any(|m| {
            before_n2.ends_with(m.as_str())
                && before_n2[..before_n2.len() - m.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
    };
    // « 6.000, contre 4.800 jusqu'ici »: a word of the past right after the bare number (the
    // pack's `old_value_after`).
    let after_n2: Vec<&str> = words(&s[n2.end..]).into_iter().take(2).collect();
    let old_after = crate::tag::packs::any_in("old_value_after", &after_n2.join(" "));
    // Only a replacement: a comparison ("4,800, versus 2,368 for the H20") moves nothing.
    let old_marked = marker_ends("replaced_value_markers")
        || old_after
        || ["bisher", "auparavant", "previously", "zuvor"]
            .iter()
            .any(|w| before_n2.split_whitespace().any(|x| x == *w));
    if old_marked {
        return Some((n2.value, v));
    }
    if stated != 1 {
        return None;
    }
    let said_gone = ["no longer", "nicht mehr", "n'est plus", "ne sont plus"]
        .iter()
        .any(|m| last_words(n1.start, 6).contains(m));
    (said_gone && marker_ends("but_words")).then_some((v, n2.value))
}

/// Whether the number `n` as written states the quantity value `v` (equal, or `v` in thousands
/// as a bandwidth in TB/s is in GB/s).
fn states(n: &Num, v: f64) -> bool {
    (n.value - v).abs() < 1e-9 || (n.value * 1000.0 - v).abs() < 1e-6
}

/// Whether a from-word stands right before the number `n`.
fn after_from_word(s: &str, n: &Num) -> bool {
    let head = s[..n.start].trim_end();
    // The pack's `from_words` open a move's old value ("from 4,800 to 4,000", « passe de … à »,
    // „von … auf“).
    crate::tag::packs::list("from_words")
        .iter()
        .any(|f| head.ends_with(f.as_str()))
}

/// « passe de 1 400 à 1 200 Go/s », "from 1,400 to 1,200 GB/s": the first number, bare, has the
/// kind of the second.
fn mark_bare_from(s: &str, nums: &[Num], out: &mut [Quantity]) {
    for w in nums.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let between = s[a.end..b.start].trim();
        if !matches!(between, "à" | "to" | "auf" | "bis") {
            continue;
        }
        if !after_from_word(s, a) {
            continue;
        }
        let a_classified = out.iter().any(|q| states(a, q.value));
        if a_classified || b.value <= 0.0 {
            continue;
        }
        if let Some(q) = out
            .iter_mut()
            .find(|q| q.from.is_none() && states(b, q.value))
        {
            let factor = q.value / b.value;
            q.from = Some(a.value * factor);
        }
    }
}

/// "900 GB/s or more (no longer 1,100 GB/s)", „der bisher 25 Prozent betrug, wurde auf 15
/// Prozent gesenkt“, « 12 % contre 15 % auparavant »: a value an old-value marker stands right
/// before is the old one of the other value of its kind in the sentence.
fn mark_old_values(s: &str, nums: &[Num], out: &mut Vec<Quantity>) {
    let markers = crate::tag::packs::list("old_value_markers");
    let marked = |q: &Quantity| {
        nums.iter().filter(|n| states(n, q.value)).any(|n| {
            // Within the number's clause: « 6 000, contre 4 800 jusqu'ici ; il reste de 1 600 »
            // marks the 4 800, not the 1 600.
            let clause = s[..n.start].rfind(';').map_or(0, |i| i + 1);
            let head: Vec<&str> = words(&s[clause..n.start]);
            let tail = head[head.len().saturating_sub(4)..].join(" ");
            // A past copula right before the value ("the ceiling was 26,900,000 TPP. It has
            // been halved to …", "(was 4,800)"): only right before it.
            let bare = tail.replace('(', "");
            markers
                .iter()
                .any(|m| tail.ends_with(m.as_str()) || tail.contains(&format!("{m} ")))
                || crate::tag::packs::list("old_value_copulas")
                    .iter()
                    .any(|m| bare.ends_with(&format!(" {m}")) || bare == *m)
        })
    };
    let mut i = 0;
    while i < out.len() {
        let old = &out[i];
        let partner = out.iter().enumerate().position(|(j, q)| {
            j != i && q.from.is_none() && q.kind.key() == old.kind.key() && !marked(q)
        });
        if out.len() > 1
            && out[i].from.is_none()
            && marked(&out[i])
            && let Some(j) = partner
        {
            let v = out[i].value;
            out[j].from = Some(v);
            out.remove(i);
            continue;
        }
        i += 1;
    }
}

/// Whether purchase words stand right before the number (two words) or right after its unit.
fn purchase_near(s: &str, n: &Num) -> bool {
    let head = words(&s[..n.start]);
    let near = head[head.len().saturating_sub(2)..].join(" ");
    let tail: Vec<&str> = words(&s[n.end..]).into_iter().take(4).collect();
    crate::tag::packs::any_in("purchase_words", &near)
        || crate::tag::packs::any_in("purchase_words", &tail.join(" "))
}

/// Whether the number restates an amount just given in another unit (« soit l'équivalent
/// d'environ 1 700 GPU », "roughly equivalent to 1,700 H100s", „das entspricht etwa 1.700 GPUs“).
/// Only in apposition, after a comma, a dash or a bracket: "each country may import the
/// equivalent of 50,000 GPUs" states the cap itself.
fn restated(s: &str, n: &Num) -> bool {
    let head = &s[..n.start];
    let from = head.len().saturating_sub(48);
    let restates_at = |i: usize, m: &str| {
        head[i + m.len()..].split_whitespace().count() <= 3
            // Something to restate: an amount before the apposition.
            && head[..i].bytes().any(|b| b.is_ascii_digit())
            && head[..i]
                .trim_end()
                .ends_with([',', '(', '-', '–', '—', ':', ';'])
    };
    crate::tag::packs::list("restatement_words")
        .iter()
        .any(|m| {
            if m.is_empty() {
                return head
                    .char_indices()
                    .filter(|(i, _)| *i >= from)
                    .any(|(i, _)| restates_at(i, m));
            }
            // Each place the word starts (a character boundary) in the last 48 bytes.
            crate::tag::text::starts_from(head, m, from).any(|i| restates_at(i, m))
        })
}

/// "lowered by 800 to 4,000", „um 800 auf 4.000 gesenkt“: the 800 is the size of the move.
fn is_delta(s: &str, n: &Num) -> bool {
    let before = s[..n.start].trim_end();
    let by = before.ends_with(" by") || before.ends_with(" um");
    let rest = s[n.end..].trim_start();
    let to = ["to ", "auf ", "à "].iter().any(|w| {
        rest.split_once(w).is_some_and(|(gap, after)| {
            gap.len() < 24 && after.starts_with(|c: char| c.is_ascii_digit())
        })
    });
    by && to
}

/// What one number of the sentence is, with its value in the kind's unit; `None` when nothing
/// binds it.
fn classify(s: &str, n: &Num, cues: &Cues) -> Option<(QKind, f64)> {
    match unit_after(s, n) {
        Some((unit, factor)) => with_unit(s, n, unit, factor, cues),
        // A bare year ("for 2025") is never a threshold, unless a metric's name and a
        // comparator bind it ("a 'total processing performance' of 2000 or more").
        None if is_bare_year(s, n)
            && !(metric_before(s, n.start).is_some()
                && cues::comparator_near(s, n.start, n.end)) =>
        {
            None
        }
        None => units::bandwidth_unit_before(s, n)
            .and_then(|factor| with_unit(s, n, "bw", factor, cues))
            .or_else(|| after_metric_name(s, n, cues))
            .or_else(|| capped_tpp_total(s, n, cues))
            .or_else(|| set_limit(s, n, cues)),
    }
}

/// "The aggregate TPP of items exported … to any one destination … shall not exceed
/// 790,000,000": a large amount under a cap word in a sentence about TPP is a TPP quota, however
/// far the metric's name stands.
fn capped_tpp_total(s: &str, n: &Num, cues: &Cues) -> Option<(QKind, f64)> {
    (n.value >= 100_000.0
        && cues.cap
        && !cues.trade_pact
        && crate::tag::packs::any_in("tpp_words", s))
    .then(|| {
        (
            QKind::Quota {
                unit: "TPP",
                scope: scope_of(s, n.start, n.end),
            },
            n.value,
        )
    })
}

/// « Le seuil de TPP à partir duquel une autorisation est requise … est relevé à 6 000 », "BIS
/// sets at 5,600 the TPP threshold", „die Grenze … wird auf 25.000 angehoben“: a value set by a
/// verb in a sentence about one metric's limit, however far the metric's name stands. TPP limits
/// are 10 or more; densities under 100.
fn set_limit(s: &str, n: &Num, cues: &Cues) -> Option<(QKind, f64)> {
    let head = words(&s[..n.start]);
    // « Le seuil de TPP au-delà duquel … est de 4 800 », "the threshold … is 4,800": a copula
    // right before the number sets it as plainly as a verb does.
    let copula = {
        let h = s[..n.start].trim_end();
        crate::tag::packs::list("limit_copulas").iter().any(|c| {
            h.strip_suffix(c.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
        })
    };
    let tpp = crate::tag::packs::any_in("tpp_words", s);
    let pd = crate::tag::packs::any_in("pd_words", s);
    // „Die Leistungsdichte wird … von 5,92 auf 3,2 herabgesetzt“, "the density is lowered from
    // 5.92 to 3.2": a metric moved from one value to another by a verb names its limit.
    let moved_metric = || {
        (tpp || pd)
            && crate::tag::packs::any_in("limit_move_verbs", s)
            && !names_a_chip(s)
            && from_number_before(&head, 4)
    };
    if !(copula
        || head
            .last()
            .is_some_and(|w| crate::tag::packs::has("limit_at_words", w)))
        || !bare_number_ends_well(s, n)
        || cues.trade_pact
        || !(crate::tag::packs::any_in("threshold_words", s) || moved_metric())
        || !(copula
            || crate::tag::packs::any_in("limit_move_verbs", s)
            || crate::tag::packs::any_in("limit_set_verbs", s))
        || (copula && !cues.comparator && names_a_chip(s))
    {
        return None;
    }
    let metric = match (tpp, pd) {
        (_, true) if n.value < 100.0 => "performance_density",
        (true, _) if (10.0..100_000.0).contains(&n.value) => "tpp",
        // "each Tier 2 country faces a ceiling on advanced GPUs, which the revised rule sets at
        // 100,000": a cap on chips set by a verb far from the chips' noun.
        (false, false)
            if n.value >= 100.0
                && cues.cap
                && words(s)
                    .iter()
                    .any(|w| crate::tag::packs::has("chip_units", w)) =>
        {
            return Some((
                QKind::Quota {
                    unit: "GPU",
                    scope: scope_of(s, n.start, n.end),
                },
                n.value,
            ));
        }
        _ => return None,
    };
    Some((QKind::Threshold { metric }, n.value))
}

/// Whether a from-word followed by a number stands in the last `k` words of `head` ("from
/// 5.92 to", „von 5,92 auf“).
fn from_number_before(head: &[&str], k: usize) -> bool {
    let window = &head[head.len().saturating_sub(k)..];
    window.iter().enumerate().any(|(i, w)| {
        crate::tag::packs::has("from_words", w)
            && window
                .get(i + 1)
                .is_some_and(|x| x.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// A number written as four digits between 1990 and 2100.
fn is_bare_year(s: &str, n: &Num) -> bool {
    (1990.0..=2100.0).contains(&n.value)
        && n.value.fract() == 0.0
        && s[n.start..n.end].bytes().all(|b| b.is_ascii_digit())
}

/// A number bound by the unit written after it (`unit` and `factor` as from [`unit_after`]).
fn with_unit(s: &str, n: &Num, unit: &str, factor: f64, cues: &Cues) -> Option<(QKind, f64)> {
    match unit {
        // A tariff on chips, not a trade pact's duties.
        "pct"
            if cues.tariff
                && !cues.trade_pact
                && !cues::other_goods_near(s, n.start)
                && !share_of_goods(s, n) =>
        {
            Some((QKind::Tariff, n.value))
        }
        "pct" => None,
        "mbd" => Some((
            QKind::Threshold {
                metric: "memory_bandwidth_density",
            },
            n.value * factor,
        )),
        "bw" => {
            let metric = bandwidth_metric(s, n.start, n.end);
            // A bandwidth in a chip-spec sentence ("the H200 has 4.8 TB/s") is a spec,
            // not a control, unless the sentence speaks of a limit.
            if comparator_near(s, n.start, n.end)
                || (cues.cap && !cues.comparator)
                || moved_limit(s, n)
            {
                Some((QKind::Threshold { metric }, n.value * factor))
            } else {
                None
            }
        }
        "ops" => Some((
            QKind::Threshold {
                metric: "training_operations",
            },
            n.value,
        )),
        "tpp" => tpp_with_unit(s, n, cues),
        "pd" if n.value < 1000.0 => Some((
            QKind::Threshold {
                metric: "performance_density",
            },
            n.value,
        )),
        "chips" | "h100" if cues.cap || cues::scoped(s, n.start, n.end) => {
            let unit = if unit == "h100" {
                "H100-equivalent"
            } else {
                "GPU"
            };
            Some((
                QKind::Quota {
                    unit,
                    scope: scope_of(s, n.start, n.end),
                },
                n.value,
            ))
        }
        _ => None,
    }
}

/// "raises the memory prong from 1,400 GB/s up to 1,600 GB/s": a value moved from or to, in a
/// sentence that names a threshold, is a limit, not a chip's specification. The move must be
/// written out: "from" before one value and "to" before the next.
fn moved_limit(s: &str, n: &Num) -> bool {
    let head = words(&s[..n.start]);
    let last = head.last().copied().unwrap_or_default();
    let rest = words(&s[n.end..]);
    let to_follows = rest
        .iter()
        .take(5)
        .position(|w| crate::tag::packs::has("move_to_words", w))
        .is_some_and(|i| {
            rest.get(i + 1)
                .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        });
    let from_before = || from_number_before(&head, 6);
    // „… auf 1.800 GB/s anhebt“, "raised to 1,800 GB/s": a value set by a move verb.
    let set_by_move = crate::tag::packs::has("move_to_words", last)
        && crate::tag::packs::any_in("limit_move_verbs", s);
    let moved = (crate::tag::packs::has("from_words", last) && to_follows)
        || (crate::tag::packs::has("move_to_words", last) && from_before())
        || set_by_move;
    moved && crate::tag::packs::any_in("threshold_words", s)
}

/// "cuts tariffs on 95 percent of goods", „auf 95 Prozent der Waren“: a share of goods, not a rate;
/// „Bruttomargen von etwa 73 %“, "a market share of 66%": a margin or a share, though a tariff is
/// named elsewhere in the sentence.
fn share_of_goods(s: &str, n: &Num) -> bool {
    let rest: Vec<&str> = words(&s[n.end..]).into_iter().take(4).collect();
    let head = words(&s[..n.start]);
    let before = head[head.len().saturating_sub(5)..].join(" ");
    crate::tag::packs::any_in("share_of_goods", &rest.join(" "))
        || crate::tag::packs::any_in("percent_not_tariff", &before)
}

/// A number written with "TPP" after it: a quota when scoped, capped or large, else a threshold;
/// nothing in a trade pact's text.
fn tpp_with_unit(s: &str, n: &Num, cues: &Cues) -> Option<(QKind, f64)> {
    if cues.trade_pact && !cues.chips {
        return None;
    }
    let scope = scope_of(s, n.start, n.end);
    if n.value < 100_000.0 && threshold_near(s, n.start, n.end) {
        Some((QKind::Threshold { metric: "tpp" }, n.value))
    } else if scope != "unspecified" || cues.cap || n.value >= 100_000.0 {
        Some((QKind::Quota { unit: "TPP", scope }, n.value))
    } else {
        Some((QKind::Threshold { metric: "tpp" }, n.value))
    }
}

/// A bare number bound by the metric named just before it ("TPP of 4,800").
fn after_metric_name(s: &str, n: &Num, cues: &Cues) -> Option<(QKind, f64)> {
    // "its TPP is about 2,370", « sa densité de performance de 2,9 »: a chip's own figure, when
    // nothing compares it to a limit ("if its TPP is 4,800 or more" is the rule).
    if !cues.comparator
        && (possessive_metric(s, n.start)
            || names_a_chip(s)
            || crate::tag::packs::any_in("chip_spec_words", s))
    {
        return None;
    }
    let metric = match metric_before(s, n.start) {
        // No TPP limit is under 10: "Densité … (pour une TPP d'au moins 2 400) | 1,6" names the
        // density, whose name stands further back.
        Some("tpp") if n.value < 10.0 && crate::tag::packs::any_in("pd_words", s) => {
            Some("performance_density")
        }
        m => m,
    };
    match metric {
        Some("tpp") if (cues.chips || !cues.trade_pact) && bare_number_ends_well(s, n) => {
            // "TPP of 4,800" is a threshold; "26,900,000 TPP per consignee" a quota.
            let scope = scope_of(s, n.start, n.end);
            if n.value < 100_000.0 && threshold_near(s, n.start, n.end) {
                Some((QKind::Threshold { metric: "tpp" }, n.value))
            } else if scope != "unspecified" || (cues.cap && n.value >= 100_000.0) {
                Some((QKind::Quota { unit: "TPP", scope }, n.value))
            } else if n.value >= 10.0 {
                Some((QKind::Threshold { metric: "tpp" }, n.value))
            } else {
                None
            }
        }
        Some("performance_density")
            if cues.chips && bare_number_ends_well(s, n) && n.value < 1000.0 =>
        {
            Some((
                QKind::Threshold {
                    metric: "performance_density",
                },
                n.value,
            ))
        }
        _ => None,
    }
}

/// Whether a sentence names an accelerator model ("the H20's TPP is about 2,368"): a figure with
/// no comparator there is the chip's.
fn names_a_chip(s: &str) -> bool {
    crate::tag::phrases::chip_groups_found(s)
        .into_iter()
        .any(|found| found)
}

/// Whether a possessive stands right before the metric's name that ends before `pos` ("its
/// TPP", « sa performance de traitement totale », „seine TPP“).
fn possessive_metric(s: &str, pos: usize) -> bool {
    let head = words(&s[..pos]);
    head.iter()
        .rev()
        .take(8)
        .any(|w| crate::tag::packs::has("possessives", w))
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
            let na = nums.iter().find(|n| states(n, a.value));
            let nb = nums.iter().rev().find(|n| states(n, b.value));
            if let (Some(na), Some(nb)) = (na, nb)
                && na.end <= nb.start
            {
                let between = s[na.end..nb.start].trim();
                let between: Vec<&str> = words(between);
                let joiner = between
                    .iter()
                    .any(|w| ["to", "à", "auf", "zu", "→", "->", "a"].contains(w))
                    && between.len() <= 6;
                if joiner && after_from_word(s, na) {
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
    fn phrasings_of_other_languages_and_restatements() {
        // Compound chip nouns and a quoted unit.
        assert_eq!(
            q(
                "Jedes Land darf höchstens 50.000 Hochleistungs-GPUs einführen.",
                Lang::De
            ),
            vec![("quota:chips:per_country".into(), 50_000.0)]
        );
        assert_eq!(
            q(
                "No ultimate consignee may receive more than 26,900,000 cumulative 'TPP' per calendar year.",
                Lang::En
            ),
            vec![("quota:tpp:per_consignee".into(), 26_900_000.0)]
        );
        // A verb or an article after the number ends the metric's phrase.
        assert_eq!(
            q(
                "Genehmigt wird, wenn der Chip eine TPP von weniger als 21.000 aufweist.",
                Lang::De
            ),
            vec![("threshold:tpp".into(), 21_000.0)]
        );
        // The same amount restated in another unit is not a second cap.
        assert_eq!(
            q(
                "Chaque destinataire peut recevoir 26 900 000 TPP par an, soit l'équivalent d'environ 1 700 GPU.",
                Lang::Fr
            ),
            vec![("quota:tpp:per_consignee".into(), 26_900_000.0)]
        );
        // "each" after the amount, in a sentence about countries.
        assert_eq!(
            q(
                "Most countries would face a cap of 50,000 GPUs each.",
                Lang::En
            ),
            vec![("quota:chips:per_country".into(), 50_000.0)]
        );
        // A margin is not a tariff, though a levy is named.
        assert!(
            q(
                "Trotz der Abgabe rechnet man mit Bruttomargen von etwa 73 %.",
                Lang::De
            )
            .is_empty()
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

    #[test]
    fn a_bare_old_or_new_value_beside_a_stated_one_is_its_partner() {
        let moves = |text: &str, lang: Lang| {
            let n = norm(text);
            quantities(&n, &n, lang)
                .iter()
                .map(|q| (q.value, q.from))
                .collect::<Vec<_>>()
        };
        // An old-value marker before the bare number: it is the old value.
        for (text, lang) in [
            (
                "Chips with a TPP of at least 4,000 instead of 4,800 are controlled.",
                Lang::En,
            ),
            (
                "Ein Schaltkreis mit einer TPP von mindestens 4.000 statt bisher 4.800.",
                Lang::De,
            ),
        ] {
            assert_eq!(moves(text, lang), vec![(4000.0, Some(4800.0))], "{text}");
        }
        // "no longer X but Y": Y is the new value.
        assert_eq!(
            moves(
                "The main trigger is no longer a TPP of 4,800 but 6,000.",
                Lang::En
            ),
            vec![(6000.0, Some(4800.0))]
        );
        // A number of another size is not a partner ("4,000 instead of 2025's rule").
        assert_eq!(
            moves(
                "Chips with a TPP of at least 4,000 instead of 12 are controlled.",
                Lang::En
            ),
            vec![(4000.0, None)]
        );
    }
}
