//! Bill stages compared across the two sides: the furthest stage newly stated, from the furthest
//! stage the old text stated.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;
use crate::tag::text::{norm, sentences};

/// How far a stage is along a bill's path: the order of `phrases::STAGES`, with
/// `passed_both` between the Senate's passage and conference; `dropped` is last.
fn stage_rank(s: &str) -> usize {
    match s {
        "dropped" => 100,
        "passed_both" => 9,
        _ => phrases::STAGES.iter().position(|x| *x == s).unwrap_or(0) * 2,
    }
}

/// Tags the furthest bill stage the new text newly states.
pub(super) fn bill_tags(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    about: &super::About<'_>,
    tags: &mut Vec<Tag>,
) {
    let stages = |side: &[Sent<'_>]| {
        let mut v: Vec<(&'static str, usize)> = Vec::new();
        for (i, s) in side.iter().enumerate() {
            // "Separately, the House passed the farm bill": a stage of another bill; a stage in
            // another country's legislature (« adopté par la Diète ») is that country's.
            let foreign = crate::tag::packs::any_in("foreign_legislatures", &s.norm)
                && !crate::tag::packs::any_in("tracked_bills", &s.norm);
            if foreign || other_bill(&s.norm) {
                continue;
            }
            // "…, and the House passed the farm bill": each clause for itself. The stages a
            // clause would state in a bill's own text first: with none, the document need not
            // be read.
            let found: Vec<(&str, Vec<&'static str>)> = crate::tag::text::clauses(&s.norm)
                .into_iter()
                .filter(|c| !other_bill(c))
                .map(|c| (c, phrases::bill_stages(c, "bill")))
                .filter(|(_, st)| !st.is_empty())
                .collect();
            if found.is_empty() {
                continue;
            }
            let doc_bill = about.bill();
            if !(doc_bill || domain(&s.context)) {
                continue;
            }
            // In a text about a tracked bill, the vehicle (the NDAA) dates nothing of its own
            // but a provision left out of it ("dropped from the final NDAA"); each clause for
            // itself ("the President signed the defense bill, and the House passed H.R. 2683").
            let sentence_vehicle = about.tracked() && vehicle_only(&s.norm);
            let carried = crate::tag::packs::any_in("vehicle_carries", &s.norm);
            for (clause, in_bill) in found {
                let vehicle =
                    sentence_vehicle || (about.tracked() && !carried && vehicle_only(clause));
                // On a page about one tracked bill, a clause naming only another tracked bill
                // states that bill's stage ("Separately, the House passed H.R. 2683").
                let named = super::tracked_bills_named(clause);
                let subject = about.subject();
                if !subject.is_empty()
                    && !named.is_empty()
                    && named.iter().all(|k| !subject.contains(k))
                {
                    continue;
                }
                let stated = if doc_bill {
                    in_bill
                } else {
                    phrases::bill_stages(clause, &s.context)
                };
                for st in stated {
                    if !vehicle || st == "dropped" {
                        v.push((st, i));
                    }
                }
            }
        }
        v
    };
    let o = stages(old);
    let n = stages(new);
    push_move(&o, &n, old, new, tags);
}

/// Whether a sentence names a bill other than a tracked one ("the farm bill") and says nothing
/// of the tracked bills' domain.
fn other_bill(s: &str) -> bool {
    if domain(s) {
        return false;
    }
    if names_untracked_bill_number(s) {
        return true;
    }
    let ws: Vec<&str> = s
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    ws.windows(2).any(|w| {
        // Words before "bill" that do not name it ("the bill", "this bill"): the pack's
        // `bill_unnamed`; words after « loi » that name no other law: `loi_not_a_name`.
        (w[1] == "bill" && !crate::tag::packs::has("bill_unnamed", w[0]))
            // « la loi agricole », „das Agrargesetz“: a law named by its subject.
            || (w[0] == "loi" && !crate::tag::packs::has("loi_not_a_name", w[1]) && w[1].len() > 3)
    }) || ws
        .iter()
        .any(|w| w.len() > 9 && w.ends_with("gesetz") && !w.starts_with("ki"))
}

/// Bill numbers ("H.R.4102", "S. 2877") in a normalized text.
static BILL_NUMBER: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?:^|[^.\w])(?:h\.\s?r\.|s\.)\s?(\d{2,5})\b").ok()
});

/// Whether a sentence names a bill by a number that is neither a tracked bill's nor a vehicle's
/// ("Most viewed bills: H.R.4102 — Rural Broadband Permitting Act: Passed House"), and no
/// tracked bill's: a stage there is that bill's.
fn names_untracked_bill_number(s: &str) -> bool {
    let Some(re) = BILL_NUMBER.as_ref() else {
        return false;
    };
    let known = |n: &str| {
        crate::tag::packs::has("tracked_bills", n)
            || crate::tag::packs::list("vehicle_bills")
                .iter()
                .any(|v| v.ends_with(n) && v.len() > n.len())
    };
    let mut untracked = false;
    for c in re.captures_iter(s) {
        let Some(n) = c.get(1) else { continue };
        if known(n.as_str()) {
            return false;
        }
        untracked = true;
    }
    untracked && !crate::tag::packs::any_in("tracked_bills", s)
}

/// Whether a sentence speaks of a vehicle bill (the NDAA) and of no tracked bill: in a text about
/// the GAIN AI Act, "the NDAA was signed into law" is not its enactment.
fn vehicle_only(s: &str) -> bool {
    crate::tag::packs::any_in("vehicle_bills", s)
        && (!crate::tag::packs::any_in("tracked_bills", s)
            || crate::tag::packs::any_in("tracked_excluded", s))
        && !crate::tag::packs::any_in("vehicle_carries", s)
}

/// Whether a (normalized) text speaks of the AI-chip domain a tracked bill belongs to.
pub(super) fn domain(ctx: &str) -> bool {
    crate::tag::packs::any_in("bill_domain", ctx)
}

/// The tag for the furthest stage the new side newly states, from the furthest the old states.
fn push_move(
    o: &[(&'static str, usize)],
    n: &[(&'static str, usize)],
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    tags: &mut Vec<Tag>,
) {
    let old_set: BTreeSet<&str> = o.iter().map(|(s, _)| *s).collect();
    let Some(&(to, ni)) = n
        .iter()
        .filter(|(s, _)| !old_set.contains(s))
        .max_by_key(|(s, _)| stage_rank(s))
    else {
        return;
    };
    let from = furthest(o.iter().map(|(s, _)| *s));
    // The second chamber's passage after the first's: both chambers have passed it.
    let to = match (to, from) {
        ("passed_senate", Some("passed_house")) | ("passed_house", Some("passed_senate")) => {
            "passed_both"
        }
        _ => to,
    };
    // A bill does not go back: "Received in the Senate and … referred to the Committee" after
    // the House passed it is the next chamber's first step, not a stage of its own.
    if from.is_some_and(|f| to != "dropped" && stage_rank(to) <= stage_rank(f)) {
        return;
    }
    let from_ev = o
        .iter()
        .find(|(s, _)| from.is_some_and(|f| f == *s || f == "passed_both"))
        .map_or("", |(_, i)| old[*i].text);
    tags.push(mk(
        "bill_stage_changed",
        json!({ "from": from, "to": to }),
        from_ev,
        new[ni].text,
    ));
}

/// The furthest of some stages (not `dropped`); both chambers' passage is `passed_both`.
fn furthest<'a>(stages: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let max = stages
        .clone()
        .filter(|s| *s != "dropped")
        .max_by_key(|s| stage_rank(s))?;
    let both = stages.clone().any(|s| s == "passed_house")
        && stages.into_iter().any(|s| s == "passed_senate");
    Some(if both && stage_rank(max) <= stage_rank("passed_senate") {
        "passed_both"
    } else {
        max
    })
}

/// A bill tag with no `from` takes the furthest stage the whole old version states (a status
/// page keeps "Introduced in Senate" in a block the diff did not touch).
pub(super) fn fill_from(tags: &mut Vec<Tag>, old_all: &[String], about: &super::About<'_>) {
    let no_from = |t: &Tag| t.tag == "bill_stage_changed" && t.detail["from"].is_null();
    if !tags.iter().any(no_from) {
        return;
    }
    let doc_bill = about.bill();
    let mut backwards = Vec::new();
    for (k, t) in tags.iter_mut().enumerate().filter(|(_, t)| no_from(t)) {
        let mut stated = Vec::new();
        let mut ev = "";
        for b in old_all {
            let context = if doc_bill {
                "bill".to_string()
            } else {
                norm(b)
            };
            for s in sentences(b) {
                let found = phrases::bill_stages(&norm(s), &context);
                if !found.is_empty() {
                    ev = s;
                }
                stated.extend(found);
            }
        }
        let mut to = t.detail["to"].as_str().unwrap_or_default().to_string();
        let from = furthest(stated.iter().copied());
        if matches!(
            (to.as_str(), from),
            ("passed_senate", Some("passed_house")) | ("passed_house", Some("passed_senate"))
        ) {
            to = "passed_both".to_string();
        }
        // A stage the old page already passed ("Shown Here: Introduced in Senate" on a page
        // whose bill was referred) is no move.
        if let Some(from) = from
            && to != "dropped"
            && stage_rank(from) >= stage_rank(&to)
        {
            backwards.push(k);
            continue;
        }
        if let Some(from) = from
            && from != to
            && stage_rank(from) < stage_rank(&to)
        {
            *t = mk(
                "bill_stage_changed",
                json!({ "from": from, "to": to }),
                ev,
                &t.evidence.new,
            );
        }
    }
    for k in backwards.into_iter().rev() {
        tags.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::names_untracked_bill_number;

    #[test]
    fn an_untracked_bill_number_names_another_bill() {
        assert!(names_untracked_bill_number(
            "- h.r.4102 — rural broadband permitting act: passed house (voice vote)"
        ));
        // Tracked and vehicle bills, and the "U.S." abbreviation, are not other bills.
        assert!(!names_untracked_bill_number("s. 3150 passed the senate"));
        assert!(!names_untracked_bill_number(
            "the senate passed s. 2296 on october 9"
        ));
        assert!(!names_untracked_bill_number("u.s. 2025 export rules"));
    }
}
