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
            comparator: packs::list("comparators").iter().any(|c| s.contains(c)),
            trade_pact: is_trade_pact(block),
            chips: chip_context(block),
            cap: packs::list("cap_words").iter().any(|c| s.contains(c))
                || (packs::list("weak_cap").iter().any(|c| s.contains(c)) && any_word(s, packs::list("regulatory_words"))),
            tariff: any_word(s, packs::list("tariff_words")),
        }
    }
}

/// Scope words of a cap.
pub(super) fn scope_of(s: &str) -> &'static str {
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

/// Whether a bandwidth written after `head` (the sentence up to the number) is an interconnect
/// bandwidth rather than a DRAM bandwidth.
pub(super) fn bandwidth_metric(head: &str) -> &'static str {
    if any_word(
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
    }
}

/// Whether the block speaks of a trade pact ("TPP" as the Trans-Pacific Partnership).
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
