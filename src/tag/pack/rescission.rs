//! Rescission, suspension or non-enforcement announced in the new text and not in the old.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;

/// A sentence's rescission kinds, clause by clause (split at semicolons); a rescission said to
/// be under way or to come in its own clause ("has initiated a rescission", "will publish a
/// notice formalizing the rescission", „eine förmliche Aufhebung steht aus“) is `pending`,
/// unless the clause also states what holds now (a non-enforcement).
fn kinds_of(s: &Sent<'_>) -> Vec<&'static str> {
    let mut out = Vec::new();
    let clauses: Vec<&str> = s.norm.split(';').collect();
    for (i, clause) in clauses.iter().enumerate() {
        let clause = *clause;
        // "BIS announced a rescission …; still no notice formalizing the rescission has
        // appeared": a later clause that calls the rescission pending qualifies this one.
        let pending_later = clauses[i + 1..]
            .iter()
            .any(|c| crate::tag::packs::any_in("rescission_pending", c));
        // « Pékin suspend … », „Peking setzt … aus“: another government's measure; "the company
        // suspends its buyback": a company's own.
        if (crate::tag::packs::any_in("other_authorities", clause)
            || crate::tag::packs::any_in("private_actors", clause))
            && !crate::tag::packs::any_in("us_rule_words", clause)
        {
            continue;
        }
        let kinds = phrases::rescission_kinds_in(clause, &s.context);
        let Some(&kind) = kinds.first() else {
            continue;
        };
        let pending = pending_later || crate::tag::packs::any_in("rescission_pending", clause);
        let kind = if kind == "rescinded" && pending {
            kinds
                .iter()
                .copied()
                .find(|k| *k != "rescinded")
                .unwrap_or("pending")
        } else {
            kind
        };
        if !out.contains(&kind) {
            out.push(kind);
        }
        for k in kinds.into_iter().skip(1) {
            let k = if k == "rescinded" && pending {
                "pending"
            } else {
                k
            };
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// Tags a rescission kind the new text announces and the old did not. A pending rescission is
/// reported as `rescinded` only when nothing else is (with a non-enforcement stated now, that is
/// the kind that holds), and a rescission done after one pending is reported.
///
/// A rescission reported from a pending one carries `"pending": true` until the facts check has
/// compared it ([`PENDING`]): a version that only plans a rescission does not already state the
/// one a later version says is done. Reading a `whole` version for its facts, a done rescission
/// also counts as a pending one (it states at least that much).
pub(super) fn rescission_tags(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    whole: bool,
    tags: &mut Vec<Tag>,
) {
    let old_kinds: BTreeSet<&str> = old.iter().flat_map(kinds_of).collect();
    let found: Vec<(&str, &Sent<'_>)> = new
        .iter()
        .flat_map(|s| kinds_of(s).into_iter().map(move |k| (k, s)))
        .filter(|(k, _)| !old_kinds.contains(k))
        .collect();
    let holds_now = found
        .iter()
        .any(|(k, _)| !matches!(*k, "rescinded" | "pending"));
    // A done rescission said beside a pending one is the one reported.
    let done = found.iter().any(|(k, _)| *k == "rescinded");
    // One tag per kind: `compare` keeps the first of equal tags.
    for (kind, s) in found {
        let (kind, pending) = match kind {
            "pending" if !whole && (holds_now || done || old_kinds.contains("rescinded")) => {
                continue;
            }
            "pending" => ("rescinded", true),
            k => (k, false),
        };
        if pending || (whole && kind == "rescinded") {
            tags.push(mk(
                "rule_rescinded",
                json!({ "kind": kind, PENDING: true }),
                "",
                s.text,
            ));
        }
        if !pending {
            tags.push(mk("rule_rescinded", json!({ "kind": kind }), "", s.text));
        }
    }
}

/// The detail field that marks a rescission reported from a pending one, removed from the tags
/// once the facts check has read it ([`strip_pending`]).
pub(super) const PENDING: &str = "pending";

/// Removes the [`PENDING`] marks (the tag's detail is `kind` alone).
pub(super) fn strip_pending(tags: &mut [Tag]) {
    for t in tags.iter_mut().filter(|t| t.tag == "rule_rescinded") {
        if let Some(d) = t.detail.as_object_mut() {
            d.remove(PENDING);
        }
    }
}
