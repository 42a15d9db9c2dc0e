//! Rescission, suspension or non-enforcement announced in the new text and not in the old.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;

/// Tags a rescission kind the new text announces and the old did not.
pub(super) fn rescission_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let old_kinds: BTreeSet<&str> = old
        .iter()
        .filter_map(|s| phrases::rescission(&s.norm))
        .collect();
    let found: Vec<(&str, &Sent<'_>)> = new
        .iter()
        .filter_map(|s| phrases::rescission(&s.norm).map(|k| (k, s)))
        .filter(|(k, _)| !old_kinds.contains(k))
        .collect();
    // "BIS has initiated a rescission … and will not enforce the rule": what holds today is the
    // non-enforcement; the rescission is still to come.
    let holds_now = found.iter().any(|(k, _)| *k != "rescinded");
    for (kind, s) in found {
        if kind == "rescinded"
            && holds_now
            && crate::tag::packs::any_in("rescission_pending", &s.norm)
        {
            continue;
        }
        tags.push(mk("rule_rescinded", json!({ "kind": kind }), "", s.text));
    }
}
