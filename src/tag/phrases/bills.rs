//! Bill stages (introduced, referred, reported, passed a chamber, conference, enacted, dropped)
//! stated in a sentence about a bill.

use crate::tag::packs;
use crate::tag::text::find_word;

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

/// Whether a normalized text speaks of a bill (bill words, or "S. 1234").
#[must_use]
pub fn speaks_of_bill(t: &str) -> bool {
    crate::tag::packs::any_in("bill_words", t) || names_senate_bill(t)
}

/// Whether a negation stands in the stage phrase found at `p` or just before it ("has not yet
/// passed the Senate", „noch nicht … verabschiedet“), not elsewhere in the sentence ("referred in
/// November and has not moved since").
fn denied(s: &str, p: usize, phrase: &str) -> bool {
    let last = phrase.rsplit(" … ").next().unwrap_or(phrase);
    let end = s[p..]
        .find(last)
        .map_or(p + phrase.len(), |i| p + i + last.len());
    let start = s.floor_char_boundary(p.saturating_sub(24));
    let end = s.ceil_char_boundary(end.min(s.len()));
    packs::any_in("stage_negations", &s[start..end])
}

/// Bill stages a sentence states; `context` (the block and its heading) must speak of a bill.
#[must_use]
pub fn bill_stages(s: &str, context: &str) -> Vec<&'static str> {
    // Most sentences hold no stage word at all: one pass tells.
    if !packs::any_in_group("bill_stages", s) {
        return Vec::new();
    }
    // "Tracker: Introduced > Passed Senate > … > Became Law" lists every stage a bill may
    // reach, not the ones it reached.
    // "Related Bills: S.3150 — … Latest Action: Passed Senate": another bill's stage.
    let related = crate::tag::packs::list("related_bill_markers")
        .iter()
        .any(|m| s.trim_start().starts_with(m.as_str()));
    if !(speaks_of_bill(s) || speaks_of_bill(context)) || s.matches('>').count() >= 2 || related {
        return Vec::new();
    }
    let mut out = Vec::new();
    // "has not yet passed the Senate", „noch nicht verabschiedet“: a denied stage is not one
    // (except a dropped provision, which says "not included" by nature).
    let may_deny = packs::any_in("stage_negations", s);
    // Every stage word's place from one pass over the sentence (the same places as searching
    // each word).
    let finder = packs::group_finder("bill_stages", false);
    let occ = finder.map(|f| f.occurrences(s));
    let mut base = 0;
    for g in packs::groups("bill_stages") {
        let at = |j: usize, w: &str| match (finder, &occ) {
            (Some(f), Some(o)) => f.find_word(o, s, base + j),
            _ => find_word(s, w),
        };
        let stated = g.words.iter().enumerate().any(|(j, w)| {
            at(j, w).is_some_and(|p| !may_deny || g.key == "dropped" || !denied(s, p, w))
        });
        base += g.words.len();
        if stated {
            out.push(g.key.as_str());
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
