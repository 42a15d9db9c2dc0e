//! Language the pack recognises in a sentence: rescission and non-enforcement, license review
//! policies and exceptions, bill stages, ECCNs and accelerator models.

use super::text::{any_word, find_word};

/// Regulation nouns: a rescission verb must be about a rule, not a job offer.
const RULE_NOUNS: &[&str] = &[
    "rule*",
    "regulation*",
    "framework",
    "diffusion",
    "export control*",
    "controls",
    "ifr",
    "interim final",
    "requirement*",
    "restriction*",
    "règle*",
    "règlement*",
    "réglementation*",
    "dispositif",
    "cadre",
    "restriction*",
    "contrôle*",
    "regel*",
    "verordnung*",
    "vorschrift*",
    "exportkontroll*",
    "ausfuhrkontroll*",
    "beschränkung*",
    "rahmen*",
    "ai diffusion",
    "license requirement*",
    "policy",
    "guidance",
];

/// Kinds of rescission language, in the order they are tried.
const RESCISSION: &[(&str, &[&str])] = &[
    (
        "not_enforced",
        &[
            "will not enforce",
            "not to enforce",
            "not be enforced",
            "won't enforce",
            "non-enforcement",
            "nonenforcement",
            "stop enforcing",
            "cease enforcing",
            "ne sera pas appliqué*",
            "ne seront pas appliqué*",
            "ne pas appliquer",
            "pas appliquée",
            "ne pas faire appliquer",
            "nicht durchsetzen",
            "nicht durchgesetzt",
            "nicht anwenden",
            "nicht angewendet",
            "nicht vollstreckt",
            "nicht mehr durchsetzen",
            "nicht mehr durchgesetzt",
            "nicht mehr anwenden",
            "nicht mehr angewendet",
            "renonce à appliquer",
            "renoncer à appliquer",
            "renonce à faire appliquer",
            "ne plus appliquer",
            "n'appliquera pas",
            "n'appliquera plus",
            "not enforce",
            "no longer enforce",
            "halt enforcement",
            "pause enforcement",
        ],
    ),
    (
        "suspended",
        &[
            "suspend",
            "suspends",
            "suspended",
            "suspension",
            "suspendu*",
            "suspendre",
            "aussetzen",
            "ausgesetzt",
            "aussetzung",
            "setzt aus",
        ],
    ),
    (
        "rescinded",
        &[
            "rescind*",
            "rescission*",
            "recission*",
            "repeal*",
            "revok*",
            "revocation",
            "withdr*",
            "scrap*",
            "replacement rule",
            "abrog*",
            "annul*",
            "révoqu*",
            "aufheb*",
            "aufgehoben",
            "widerruf*",
            "zurückgezogen",
            "zurückziehen",
            "zurücknahme",
        ],
    ),
];

/// Negations that keep rescission language from being a rescission ("has not been rescinded",
/// "no formal rescission notice").
fn negated_before(s: &str, pos: usize) -> bool {
    let head: Vec<&str> = s[..pos].split_whitespace().rev().take(4).collect();
    head.iter().any(|w| {
        matches!(
            *w,
            "not"
                | "no"
                | "never"
                | "nor"
                | "without"
                | "pas"
                | "jamais"
                | "aucune"
                | "aucun"
                | "sans"
                | "nicht"
                | "kein"
                | "keine"
                | "keinen"
                | "nie"
                | "n'a"
                | "n'ont"
                | "yet"
                | "hasn't"
                | "haven't"
                | "didn't"
                | "isn't"
        )
    })
}

fn first_match(s: &str, needles: &[&str]) -> Option<usize> {
    needles
        .iter()
        .filter_map(|n| match n.strip_suffix('*') {
            Some(p) => {
                let mut from = 0;
                loop {
                    let i = s[from..].find(p)? + from;
                    if s[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
                    {
                        break Some(i);
                    }
                    from = i + p.len();
                }
            }
            None => find_word(s, n),
        })
        .min()
}

/// The rescission kind a sentence announces, if any.
#[must_use]
pub fn rescission(s: &str) -> Option<&'static str> {
    // German compounds ("KI-Diffusionsregel", "Exportvorschriften") hide the noun inside a word.
    let compound = ["regel", "verordnung", "vorschrift", "kontrolle"]
        .iter()
        .any(|w| s.contains(w));
    if !compound && !any_word(s, RULE_NOUNS) {
        return None;
    }
    for (kind, words) in RESCISSION {
        if let Some(pos) = first_match(s, words) {
            // "will not enforce" carries its own negation; others must not be negated.
            if *kind == "not_enforced" || !negated_before(s, pos) {
                return Some(kind);
            }
        }
    }
    None
}

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
                .filter_map(|w| s.find(w))
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
    any_word(
        s,
        &[
            "no longer",
            "not available",
            "unavailable",
            "removed",
            "eliminated",
            "ineligible",
            "not eligible",
            "n'est plus",
            "ne peut plus",
            "supprimé*",
            "nicht mehr",
            "entfällt",
            "gestrichen",
        ],
    )
}

/// Bill stages, in order of progress (dropped is apart).
pub const STAGES: &[&str] = &[
    "introduced",
    "referred",
    "reported",
    "passed_house",
    "passed_senate",
    "conference",
    "enacted",
];

/// Bill stages a sentence states; `context` (the block and its heading) must speak of a bill.
#[must_use]
pub fn bill_stages(s: &str, context: &str) -> Vec<&'static str> {
    let bill_words = [
        "bill",
        "act",
        "h.r",
        "amendment",
        "ndaa",
        "legislation",
        "proposition de loi",
        "projet de loi",
        "loi",
        "amendement",
        "gesetzentwurf",
        "gesetz*",
        "änderungsantrag",
        "vorlage",
        "gain",
        "s.3150",
        "s.4456",
        "h.r.5885",
    ];
    let senate_bill = |t: &str| {
        t.match_indices("s. ").any(|(i, _)| {
            t[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
                && t[i + 3..].starts_with(|c: char| c.is_ascii_digit())
        })
    };
    if !(any_word(s, &bill_words)
        || any_word(context, &bill_words)
        || senate_bill(s)
        || senate_bill(context))
    {
        return Vec::new();
    }
    const STAGE_WORDS: &[(&str, &[&str])] = &[
        (
            "dropped",
            &[
                "dropped from",
                "was dropped",
                "were dropped",
                "been dropped",
                "stripped from",
                "stripped out",
                "not included in the final",
                "left out of the final",
                "excluded from the final",
                "removed from the final",
                "omitted from the final",
                "retiré du texte final",
                "retirée du texte final",
                "ne figure pas dans la version finale",
                "ne figure pas dans le texte final",
                "abandonné",
                "abandonnée",
                "écarté",
                "écartée",
                "gestrichen",
                "nicht aufgenommen",
                "nicht enthalten",
                "fallen gelassen",
            ],
        ),
        (
            "enacted",
            &[
                "signed into law",
                "became public law",
                "became law",
                "enacted",
                "signed by the president",
                "promulgué",
                "promulguée",
                "promulgation",
                "unterzeichnet",
                "in kraft gesetzt",
                "ist gesetz",
            ],
        ),
        (
            "conference",
            &[
                "conference committee",
                "conference report",
                "compromise text",
                "compromise version",
                "house amendment to s",
                "commission mixte",
                "texte de compromis",
                "version de compromis",
                "vermittlungsausschuss",
                "kompromisstext",
                "kompromissfassung",
            ],
        ),
        (
            "passed_senate",
            &[
                "passed the senate",
                "passed senate",
                "senate passed",
                "senate approved",
                "approved by the senate",
                "adopted by the senate",
                "adopté par le sénat",
                "adoptée par le sénat",
                "vom senat verabschiedet",
                "vom senat angenommen",
                "senat verabschiedete",
                "senat hat",
                "le sénat a adopté",
            ],
        ),
        (
            "passed_house",
            &[
                "passed the house",
                "passed house",
                "house passed",
                "house approved",
                "approved by the house",
                "adopted by the house",
                "adopté par la chambre",
                "adoptée par la chambre",
                "vom repräsentantenhaus verabschiedet",
                "repräsentantenhaus verabschiedete",
                "la chambre des représentants a adopté",
            ],
        ),
        (
            "reported",
            &[
                "reported by",
                "ordered to be reported",
                "reported favorably",
                "reported to the senate",
                "reported to the house",
            ],
        ),
        (
            "referred",
            &[
                "referred to the committee",
                "referred to committee",
                "read twice and referred",
                "renvoyé en commission",
                "renvoyée en commission",
                "renvoyé à la commission",
                "renvoyée à la commission",
                "an den ausschuss überwiesen",
                "an den ausschuss verwiesen",
                "dem ausschuss zugewiesen",
            ],
        ),
        (
            "introduced",
            &[
                "introduced in the senate",
                "introduced in the house",
                "introduced in senate",
                "introduced in house",
                "was introduced",
                "were introduced",
                "introduced by",
                "introduced the",
                "introduced a",
                "introduced on",
                "déposé",
                "déposée",
                "a été déposé",
                "a été déposée",
                "eingebracht",
            ],
        ),
    ];
    let mut out = Vec::new();
    for (stage, words) in STAGE_WORDS {
        if words.iter().any(|w| find_word(s, w).is_some()) {
            out.push(*stage);
        }
    }
    // "Passed Senate" on an action line without bill words is handled by the caller's context.
    out
}

/// ECCNs in a normalized sentence, upper-cased ("3A090", "4A090.a", "5A992.z").
#[must_use]
pub fn eccns(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 5 <= b.len() {
        let ok = b[i].is_ascii_digit()
            && (b'a'..=b'e').contains(&b[i + 1])
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && b[i + 4].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !ok {
            i += 1;
            continue;
        }
        let mut j = i + 5;
        if b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
            i = j;
            continue;
        }
        // Paragraph suffixes: .a, .a.1, .z
        while b.get(j) == Some(&b'.')
            && b.get(j + 1)
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !b.get(j + 2).is_some_and(u8::is_ascii_alphanumeric)
        {
            j += 2;
        }
        let raw = &s[i..j];
        let mut e = raw[..5].to_ascii_uppercase();
        e.push_str(&raw[5..]);
        if !out.contains(&e) {
            out.push(e);
        }
        i = j;
    }
    out
}

/// Accelerator models named in a sentence, canonical ("H100", "MI325X", "Ascend 910C").
#[must_use]
pub fn chips(s: &str) -> Vec<&'static str> {
    const MODELS: &[(&str, &[&str])] = &[
        ("GB200", &["gb200"]),
        ("GB300", &["gb300"]),
        ("H100", &["h100", "h100s"]),
        ("H200", &["h200", "h200s"]),
        ("H800", &["h800"]),
        ("H20", &["h20", "h20s"]),
        ("A100", &["a100", "a100s"]),
        ("A800", &["a800"]),
        ("B100", &["b100"]),
        ("B200", &["b200"]),
        ("B300", &["b300"]),
        ("B30A", &["b30a"]),
        ("RTX 4090", &["rtx 4090", "rtx4090"]),
        ("RTX 6000D", &["rtx pro 6000d", "rtx 6000d"]),
        ("L20", &["l20"]),
        ("MI250X", &["mi250x"]),
        ("MI300X", &["mi300x", "mi 300x", "instinct mi300x"]),
        ("MI300A", &["mi300a"]),
        ("MI308", &["mi308", "mi308x"]),
        ("MI325X", &["mi325x", "mi 325x"]),
        ("MI350", &["mi350", "mi350x"]),
        ("MI355X", &["mi355x"]),
        ("Ascend 910B", &["ascend 910b", "ascend910b"]),
        ("Ascend 910C", &["ascend 910c", "ascend910c"]),
        ("Ascend 910D", &["ascend 910d", "ascend910d"]),
        ("Gaudi 3", &["gaudi 3", "gaudi3"]),
    ];
    // Chip names collide with roads (A100), chemistry and models of other things: require a
    // chip context in the sentence unless the name is unmistakable.
    let context = any_word(
        s,
        &[
            "chip*",
            "gpu*",
            "nvidia",
            "amd",
            "huawei",
            "intel",
            "accelerator*",
            "processor*",
            "puce*",
            "processeur*",
            "semi-conducteur*",
            "semiconductor*",
            "halbleiter*",
            "prozessor*",
            "beschleuniger*",
            "ki-chip*",
            "export*",
            "ausfuhr*",
            "3a090*",
            "license*",
            "licen*",
            "lizenz*",
            "h100",
            "h200",
            "h20",
            "mi300x",
            "mi325x",
            "b200",
        ],
    );
    MODELS
        .iter()
        .filter(|(name, ws)| {
            let found = ws.iter().any(|w| find_word(s, w).is_some());
            found && (context || name.len() > 5)
        })
        .map(|(name, _)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    #[test]
    fn rescission_kinds_and_negation() {
        assert_eq!(
            rescission(&norm("Commerce will not enforce the AI Diffusion Rule.")),
            Some("not_enforced")
        );
        assert_eq!(
            rescission(&norm("The rule is rescinded.")),
            Some("rescinded")
        );
        assert_eq!(
            rescission(&norm("La règle est abrogée.")),
            Some("rescinded")
        );
        assert_eq!(
            rescission(&norm("Die Regel wird ausgesetzt.")),
            Some("suspended")
        );
        assert_eq!(
            rescission(&norm(
                "No formal rescission of the rule has been published."
            )),
            None
        );
        assert_eq!(
            rescission(&norm("The company rescinded its job offer.")),
            None
        );
    }

    #[test]
    fn eccns_and_chips() {
        assert_eq!(
            eccns(&norm("ECCN 3A090.a and 4A090, 5A992.z; not 3A0900")),
            vec!["3A090.a", "4A090", "5A992.z"]
        );
        assert_eq!(
            chips(&norm("Nvidia H20 and AMD MI308 chips")),
            vec!["H20", "MI308"]
        );
        assert!(chips(&norm("Traffic jam on the A100 near Berlin")).is_empty());
    }

    #[test]
    fn stages() {
        let st = |s: &str| bill_stages(&norm(s), "");
        assert_eq!(
            st("The GAIN AI Act passed the Senate on October 9."),
            vec!["passed_senate"]
        );
        assert_eq!(
            st("La proposition de loi a été déposée au Sénat."),
            vec!["introduced"]
        );
        assert_eq!(
            st("Die Bestimmung wurde aus dem Gesetz gestrichen."),
            vec!["dropped"]
        );
        assert_eq!(
            st("S. 3150 was introduced by Senator Banks."),
            vec!["introduced"]
        );
        assert!(st("The team passed the Senate building.").is_empty());
    }
}
