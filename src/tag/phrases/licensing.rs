//! License review policies (presumption of denial, case-by-case …) and license exceptions (LPP,
//! ACA …), named or withdrawn.

use crate::tag::text::{any_word, find_word};

/// License review policies named in a sentence, with where each is first named, in text order.
#[must_use]
pub fn review_policies(s: &str) -> Vec<(&'static str, usize)> {
    const POLICIES: &[(&str, &[&str])] = &[
        (
            "presumption of denial",
            &[
                "presumption of denial",
                "présomption de refus",
                "ablehnungsvermutung",
                "vermutung der ablehnung",
                "regelvermutung der ablehnung",
                "policy of denial",
            ],
        ),
        (
            "presumption of approval",
            &[
                "presumption of approval",
                "présomption d'approbation",
                "présomption favorable",
                "genehmigungsvermutung",
                "vermutung der genehmigung",
            ],
        ),
        (
            "case-by-case",
            &[
                "case-by-case",
                "case by case",
                "au cas par cas",
                "cas par cas",
                "einzelfallprüfung",
                "im einzelfall",
                "einzelfallbasis",
                "von fall zu fall",
            ],
        ),
    ];
    let mut found: Vec<(&'static str, usize)> = POLICIES
        .iter()
        .filter_map(|(p, ws)| {
            ws.iter()
                .filter_map(|w| crate::tag::text::find_str(s, w))
                .min()
                .map(|pos| (*p, pos))
        })
        .collect();
    found.sort_by_key(|(_, pos)| *pos);
    found
}

/// License exceptions named in a sentence ("License Exception LPP", « exception de licence ACA »,
/// „Lizenzausnahme NAC“, or a bare symbol next to "exception").
#[must_use]
pub fn license_exceptions(s: &str) -> Vec<&'static str> {
    const SYMBOLS: &[&str] = &[
        "nac", "aca", "hbm", "aia", "acm", "lpp", "tmp", "rpl", "gov", "tsu", "enc", "sta",
    ];
    if !any_word(
        s,
        &[
            "exception*",
            "lizenzausnahme*",
            "ausnahme*",
            "§ 740",
            "§740",
            "740.",
        ],
    ) {
        return Vec::new();
    }
    SYMBOLS
        .iter()
        .filter(|sym| find_word(s, sym).is_some())
        .map(|sym| match *sym {
            "nac" => "NAC",
            "aca" => "ACA",
            "hbm" => "HBM",
            "aia" => "AIA",
            "acm" => "ACM",
            "lpp" => "LPP",
            "tmp" => "TMP",
            "rpl" => "RPL",
            "gov" => "GOV",
            "tsu" => "TSU",
            "enc" => "ENC",
            _ => "STA",
        })
        .collect()
}

/// Whether a sentence says an exception is no longer available.
#[must_use]
pub fn exception_withdrawn(s: &str) -> bool {
    crate::tag::packs::any_in("exception_withdrawn", s)
}
