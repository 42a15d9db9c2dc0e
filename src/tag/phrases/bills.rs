//! Bill stages (introduced, referred, reported, passed a chamber, conference, enacted, dropped)
//! stated in a sentence about a bill.

use crate::tag::text::{any_word, find_word};

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

/// Words that show a text speaks of a bill.
const BILL_WORDS: &[&str] = &[
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

/// Each stage (and `dropped`) with the phrases that state it.
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

/// Whether a text names a Senate bill as "S. 1234".
fn names_senate_bill(t: &str) -> bool {
    t.match_indices("s. ").any(|(i, _)| {
        t[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
            && t[i + 3..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Bill stages a sentence states; `context` (the block and its heading) must speak of a bill.
#[must_use]
pub fn bill_stages(s: &str, context: &str) -> Vec<&'static str> {
    if !(any_word(s, BILL_WORDS)
        || any_word(context, BILL_WORDS)
        || names_senate_bill(s)
        || names_senate_bill(context))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (stage, words) in STAGE_WORDS {
        if words.iter().any(|w| find_word(s, w).is_some()) {
            out.push(*stage);
        }
    }
    // "Passed Senate" on an action line without bill words is handled by the caller's context.
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

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
