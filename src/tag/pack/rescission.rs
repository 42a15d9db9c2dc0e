//! Rescission, suspension or non-enforcement announced in the new text and not in the old.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;

/// A sentence's rescission kind; a rescission said to be under way or to come ("has initiated a
/// rescission", "will publish a notice formalizing the rescission") is `pending`.
fn kind_of(s: &Sent<'_>) -> Option<&'static str> {
    let kinds = phrases::rescission_kinds_in(&s.norm, &s.context);
    let kind = *kinds.first()?;
    if kind == "rescinded" && crate::tag::packs::any_in("rescission_pending", &s.norm) {
        // "has initiated its rescission and will not enforce it until then": what holds now.
        return Some(
            kinds
                .iter()
                .copied()
                .find(|k| *k != "rescinded")
                .unwrap_or("pending"),
        );
    }
    Some(kind)
}

/// Tags a rescission kind the new text announces and the old did not. A pending rescission is
/// reported as `rescinded` only when nothing else is (with a non-enforcement stated now, that is
/// the kind that holds), and a rescission done after one pending is reported.
pub(super) fn rescission_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_kinds: BTreeSet<&str> = old.iter().filter_map(kind_of).collect();
    let found: Vec<(&str, &Sent<'_>)> = new
        .iter()
        .filter_map(|s| kind_of(s).map(|k| (k, s)))
        .filter(|(k, _)| !old_kinds.contains(k))
        .collect();
    let holds_now = found
        .iter()
        .any(|(k, _)| !matches!(*k, "rescinded" | "pending"));
    // One tag per kind: `compare` keeps the first of equal tags.
    for (kind, s) in found {
        let kind = match kind {
            "pending" if holds_now || old_kinds.contains("rescinded") => continue,
            "pending" => "rescinded",
            k => k,
        };
        tags.push(mk("rule_rescinded", json!({ "kind": kind }), "", s.text));
    }
}
