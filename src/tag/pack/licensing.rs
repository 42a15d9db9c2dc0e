//! License review policies and license exceptions compared across the two sides.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;
use crate::tag::text::norm;

/// Tags a review policy the new text states and the old did not, from the policy it replaced.
pub(super) fn review_policy_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_set: Vec<(&str, &str)> = old
        .iter()
        .flat_map(|s| {
            phrases::review_policies(&s.norm)
                .into_iter()
                .map(move |(p, _)| (p, s.text))
        })
        .collect();
    let old_names: BTreeSet<&str> = old_set.iter().map(|(p, _)| *p).collect();
    for s in new {
        // A sentence that describes the policy of before ("under the earlier rule, exports had
        // faced a presumption of denial") states no new policy.
        if crate::tag::packs::any_in("other_authorities", &s.norm) {
            continue;
        }
        // Clauses that describe the policy of before ("Until January 2026, these chips fell under
        // a presumption of denial; …") are left out, unless they also say what holds now
        // (« qui se heurtaient jusqu'ici à une présomption de refus, sont désormais instruites au
        // cas par cas »).
        let today: Vec<&str> = crate::tag::text::clauses(&s.norm)
            .into_iter()
            .filter(|c| {
                !crate::tag::packs::any_in("past_markers", c)
                    || crate::tag::packs::any_in("present_markers", c)
            })
            .collect();
        if today.is_empty() {
            continue;
        }
        let today = today.join(" ; ");
        // In text order: the last policy the old text did not state is the new one.
        let ps = phrases::review_policies(&today);
        let Some(&(newest, newest_pos)) = ps.iter().rev().find(|(p, _)| !old_names.contains(p))
        else {
            continue;
        };
        // The old policy: one the old text had, or an earlier one in the same sentence
        // ("from a presumption of denial to case-by-case").
        let before = ps
            .iter()
            .find(|(p, pos)| *p != newest && *pos < newest_pos)
            .map(|(p, _)| *p);
        let (old_p, old_ev) = match old_set.iter().find(|(p, _)| *p != newest) {
            Some((p, ev)) => (Some(*p), *ev),
            None => (before, ""),
        };
        tags.push(mk(
            "license_policy_changed",
            json!({ "old": old_p, "new": newest }),
            old_ev,
            s.text,
        ));
    }
}

/// Tags license exceptions added or withdrawn: named only in the new text, named as withdrawn in
/// the new text, or named only in the old text (when the new side has changed sentences and the
/// old sentence did not already withdraw it).
pub(super) fn exception_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_ex: BTreeMap<&str, &str> = old
        .iter()
        .flat_map(|s| {
            phrases::license_exceptions(&s.norm)
                .into_iter()
                .map(move |e| (e, s.text))
        })
        .collect();
    let mut new_ex: BTreeMap<&str, (&str, bool)> = BTreeMap::new();
    for s in new {
        for e in phrases::license_exceptions(&s.norm) {
            new_ex
                .entry(e)
                .or_insert((s.text, phrases::exception_withdrawn(&s.norm)));
        }
    }
    let mut ex_tag = |e: &str, added: bool, old_ev: &str, new_ev: &str| {
        tags.push(exception_tag(e, added, old_ev, new_ev));
    };
    for (e, (ev, withdrawn)) in &new_ex {
        match (old_ex.get(e), withdrawn) {
            (_, true) => ex_tag(e, false, old_ex.get(e).copied().unwrap_or(""), ev),
            (None, false) => ex_tag(e, true, "", ev),
            (Some(_), false) => {}
        }
    }
    for (e, ev) in &old_ex {
        if !new_ex.contains_key(e) && !phrases::exception_withdrawn(&norm(ev)) {
            ex_tag(e, false, ev, "");
        }
    }
}

/// The tag for license exception `e` being added or removed.
fn exception_tag(e: &str, added: bool, old_ev: &str, new_ev: &str) -> Tag {
    let name = format!("License Exception {e}");
    let (o, n) = if added {
        (Value::Null, json!(name))
    } else {
        (json!(name), Value::Null)
    };
    mk(
        "license_policy_changed",
        json!({ "old": o, "new": n, "exception": e, "change": if added { "added" } else { "removed" } }),
        old_ev,
        new_ev,
    )
}

/// A license exception withdrawn and a review policy stated in the same block of the new text
/// ("… da die Lizenzausnahme NAC für sie entfällt. Anträge werden mit der Vermutung der
/// Ablehnung geprüft.", « privées de l'exception NAC, … au cas par cas ») are one change: the
/// exception gives way to the policy (`License Exception NAC → presumption of denial`), when
/// the change withdraws one exception and states one new policy.
pub(super) fn exception_to_policy(new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let removed: Vec<usize> = (0..tags.len())
        .filter(|&i| {
            tags[i].tag == "license_policy_changed"
                && tags[i].detail["change"] == "removed"
                && !tags[i].evidence.new.is_empty()
        })
        .collect();
    let stated: Vec<usize> = (0..tags.len())
        .filter(|&i| {
            tags[i].tag == "license_policy_changed"
                && tags[i].detail.get("exception").is_none()
                && tags[i].detail["old"].is_null()
                && tags[i].detail["new"].is_string()
        })
        .collect();
    let (&[r], &[p]) = (removed.as_slice(), stated.as_slice()) else {
        return;
    };
    let block_of = |text: &str| new.iter().find(|s| s.text == text).map(|s| &s.context);
    let same_block = match (
        block_of(&tags[r].evidence.new),
        block_of(&tags[p].evidence.new),
    ) {
        (Some(a), Some(b)) => std::rc::Rc::ptr_eq(a, b),
        _ => false,
    };
    if !same_block {
        return;
    }
    let mut detail = tags[p].detail.clone();
    detail["old"] = tags[r].detail["old"].clone();
    let (old_ev, new_ev) = (tags[r].evidence.old.clone(), tags[p].evidence.new.clone());
    tags[p] = mk("license_policy_changed", detail, &old_ev, &new_ev);
    tags.remove(r);
}
