//! What a sentence and its block say around their numbers: comparators, caps and their scope,
//! tariffs, a trade pact rather than chips, and which bandwidth is meant.

use crate::tag::packs;
use crate::tag::text::any_word;

/// The cues of one sentence (and its block) that decide what its numbers are.
pub(super) struct Cues {
    /// The sentence states a comparison or a threshold ("or more", "at least", "seuil").
    pub(super) comparator: bool,
    /// The block speaks of a trade pact ("TPP" as the Trans-Pacific Partnership).
    pub(super) trade_pact: bool,
    /// The block speaks of chips or export controls.
    pub(super) chips: bool,
    /// The sentence speaks of a cap ("capped at", "up to … without a license").
    pub(super) cap: bool,
    /// The sentence speaks of a tariff, fee or revenue share.
    pub(super) tariff: bool,
}

impl Cues {
    /// Reads the cues of sentence `s` in `block` (both normalized).
    pub(super) fn read(s: &str, block: &str) -> Self {
        Cues {
            comparator: crate::tag::packs::any_in("comparators", s),
            trade_pact: is_trade_pact(block),
            chips: chip_context(block),
            // Whole words: "cap" is not in "capacity", "limit" not in "unlimited".
            cap: crate::tag::packs::any_in("cap_words", s)
                || (crate::tag::packs::any_in("weak_cap", s)
                    && crate::tag::packs::any_in("regulatory_words", s)),
            // « Celui-ci … est abaissé à quinze pour cent »: the rate of the duty named just before.
            tariff: crate::tag::packs::any_in("tariff_words", s)
                || (crate::tag::packs::any_in("rate_pronouns", s)
                    && crate::tag::packs::any_in("tariff_words", block)),
        }
    }
}

/// The scope of a cap: the scope words (`quota_scopes` in the pack) nearest to the number at
/// `at..end`, so each of two caps in one sentence keeps its own ("1,700 GPUs per consignee and
/// 50,000 per country").
pub(super) fn scope_of(s: &str, at: usize, end: usize) -> &'static str {
    nearest_scope(s, at, end).map_or_else(|| distributive_scope(s, end), |(_, k)| k)
}

/// "most countries … would face a cap of 50,000 GPUs each", « les pays … 50 000 GPU chacun »,
/// „die Länder … jeweils 50.000 GPUs“: a distributive word after the amount, in a sentence
/// about countries, makes the cap per country; so do countries named as the ones capped, a few
/// words before the amount („Länder der zweiten Stufe dürfen … höchstens 50.000 GPUs beziehen“,
/// „Für Länder wie Polen gilt … eine Obergrenze von …“). Both word lists are the pack's
/// (`distributive_words`, `country_nouns`).
fn distributive_scope(s: &str, end: usize) -> &'static str {
    let after: Vec<&str> = crate::tag::text::words(&s[end..])
        .into_iter()
        .take(4)
        .collect();
    let before: Vec<&str> = crate::tag::text::words(&s[..end])
        .into_iter()
        .rev()
        .take(6)
        .collect();
    let each = after
        .iter()
        .chain(before.iter())
        .any(|w| packs::has("distributive_words", w));
    let countries = crate::tag::text::words(s)
        .iter()
        .any(|w| packs::has("country_nouns", w));
    // The capped countries: a country noun opens the clause, within 16 words before the amount.
    // "a customer in most countries can receive up to …": countries named where the buyer
    // is (after "in") are not the ones capped.
    let head: Vec<&str> = crate::tag::text::words(&s[..end]);
    let from = head.len().saturating_sub(16);
    let capped_countries = (from..head.len())
        .filter(|&i| packs::has("country_nouns", head[i]))
        .any(|i| {
            !head[i.saturating_sub(2)..i]
                .iter()
                .any(|w| matches!(*w, "in" | "dans" | "im" | "en"))
        })
        && packs::any_in("country_cap_words", s);
    if (each && countries) || capped_countries {
        "per_country"
    } else {
        "unspecified"
    }
}

/// Whether scope words stand within 60 bytes of the number ("2,000 H100-equivalents per
/// order", « 1 700 GPU par destinataire »): a scoped amount of chips is a cap.
pub(super) fn scoped(s: &str, at: usize, end: usize) -> bool {
    nearest_scope(s, at, end).is_some_and(|(d, _)| d <= 60)
}

/// Whether the text before a scope word ends with a locative ("located in a", « établi dans
/// un », „ansässig in einem“; the pack's `scope_locatives`).
fn located(head: &str) -> bool {
    let head = head.trim_end();
    packs::list("scope_locatives").iter().any(|l| {
        head.strip_suffix(l.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
    })
}

/// The scope words nearest to the number, with their distance.
fn nearest_scope(s: &str, at: usize, end: usize) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    // Every scope word's places from one pass over the sentence (the same places as searching
    // each word).
    let finder = packs::group_finder("quota_scopes", false);
    let occ = finder.map(|f| f.occurrences(s));
    let mut base = 0;
    for g in packs::groups("quota_scopes") {
        for (j, w) in g.words.iter().enumerate() {
            let places: Vec<usize> = match (finder, &occ) {
                (Some(f), Some(o)) => f.find_all(o, s, base + j),
                _ => crate::tag::text::find_all(s, w).collect(),
            };
            for i in places {
                // "each consignee located in a Tier 2 country", « chaque destinataire établi
                // dans un pays du deuxième niveau »: where the buyer sits, not the cap's scope.
                if g.key == "per_country" && located(&s[..i]) {
                    continue;
                }
                let dist = if i >= end {
                    i - end
                } else {
                    at.saturating_sub(i + w.len())
                };
                if best.is_none_or(|(d, _)| dist < d) {
                    best = Some((dist, g.key.as_str()));
                }
            }
        }
        base += g.words.len();
    }
    best
}

/// Whether goods other than chips (steel, cars, « acier », „Stahl“) are named in the clause
/// before the rate at `at`: a tariff on them is not a chip tariff.
pub(super) fn other_goods_near(s: &str, at: usize) -> bool {
    let from = s.floor_char_boundary(at.saturating_sub(80));
    let before = &s[from..at];
    let before = before.rsplit(';').next().unwrap_or(before);
    // « Pékin a porté à 84 % ses droits de douane sur l'ensemble des importations américaines »:
    // goods named right after the rate, or another country's authority as the clause's subject.
    let to = s.floor_char_boundary((at + 80).min(s.len()));
    let after = &s[at..to];
    let after = after.split([';', ',']).next().unwrap_or(after);
    crate::tag::packs::any_in("tariff_other_goods", before)
        || crate::tag::packs::any_in("tariff_other_goods", after)
        || (crate::tag::packs::any_in("other_authorities", before)
            && !crate::tag::packs::any_in("us_rule_words", before))
}

/// Whether a negation stands in the few words before byte offset `at` ("no", „kein“, « aucun »).
pub(super) fn negated_before(s: &str, at: usize) -> bool {
    // Elided forms count as their word: « qu'aucun » is « aucun ».
    s[..at].split_whitespace().rev().take(5).any(|w| {
        let w = w.rsplit(['\'', '\u{2019}']).next().unwrap_or(w);
        packs::has(
            "quantity_negations",
            w.trim_matches(|c: char| !c.is_alphanumeric()),
        )
    })
}

/// Whether a comparison word ("at least", "ab", "≥") stands right around the number at
/// `at..end` (a comparison elsewhere in the sentence does not make a spec a threshold).
pub(super) fn comparator_near(s: &str, at: usize, end: usize) -> bool {
    let from = s.floor_char_boundary(at.saturating_sub(48));
    let to = s.ceil_char_boundary((end + 40).min(s.len()));
    // Within the number's own clause: "…4,800 or more; the part ships with 8 TB/s" is a spec.
    let before = &s[from..at];
    let before = before.rsplit(';').next().unwrap_or(before);
    let after = &s[end..to];
    let after = after.split(';').next().unwrap_or(after);
    // A preposition ("unter", "below", « sous ») compares the number after it: after the
    // number ("… mit 4,8 TB/s anbindet, unter Auflagen") it is no limit.
    crate::tag::packs::any_in("comparators", before)
        || crate::tag::packs::any_in("comparators", &without_prepositions(after))
}

/// Comparators that are prepositions: they bind the number right after them only.
const PREPOSITIONS: &[&str] = &[
    "unter", "under", "below", "above", "sous", "über", "ab", "dès", "over",
];

/// The text with its prepositional comparators blanked out.
fn without_prepositions(t: &str) -> String {
    t.split(' ')
        .map(|w| {
            let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
            if PREPOSITIONS.contains(&bare) { "_" } else { w }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether threshold words ("threshold", « seuil », „Schwelle“, "or more", "≥") stand right
/// around the number at `at..end`: such a number is a threshold, not a cap.
pub(super) fn threshold_near(s: &str, at: usize, end: usize) -> bool {
    let from = s.floor_char_boundary(at.saturating_sub(48));
    let to = s.ceil_char_boundary((end + 32).min(s.len()));
    let window = &s[from..to];
    packs::list("threshold_words")
        .iter()
        .any(|w| window.contains(w.as_str()))
}

/// Which bandwidth a value in GB/s is: the one named right after it ("900 GB/s or more of
/// interconnect bandwidth, 1,400 GB/s … of total DRAM bandwidth"), else the one named nearest
/// before it; DRAM by default. The names are the pack's `interconnect_words` and `dram_words`.
pub(super) fn bandwidth_metric(s: &str, start: usize, end: usize) -> &'static str {
    let tail = &s[end..];
    let tail = &tail[..tail
        .find(|c: char| matches!(c, ',' | ';' | '(') || c.is_ascii_digit())
        .unwrap_or(tail.len())];
    // The next item of a list ("1.200 GB/s oder eine Interconnect-Bandbreite von …") names its
    // own value's metric.
    let tail = packs::list("list_item_openers")
        .iter()
        .filter_map(|w| tail.find(w.as_str()))
        .min()
        .map_or(tail, |k| &tail[..k]);
    let names = |t: &str, list: &str| packs::any_in(list, t);
    if names(tail, "interconnect_words") {
        return "interconnect_bandwidth";
    }
    if names(tail, "dram_words") {
        return "dram_bandwidth";
    }
    let head = &s[..start];
    let last = |list: &str| {
        packs::list(list)
            .iter()
            .filter_map(|w| {
                let w = w.trim_end_matches('*');
                head.rfind(w)
            })
            .max()
    };
    match (last("interconnect_words"), last("dram_words")) {
        (Some(i), Some(d)) if i > d => "interconnect_bandwidth",
        (Some(_), None) => "interconnect_bandwidth",
        _ => "dram_bandwidth",
    }
}

/// Whether the block speaks of a trade pact ("TPP" as the Trans-Pacific Partnership).
fn is_trade_pact(block: &str) -> bool {
    crate::tag::packs::any_in("trade_pact_words", block)
}

/// Whether the block speaks of chips, compute or export controls.
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
