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
    for s in new {
        if let Some(kind) = phrases::rescission(&s.norm)
            && !old_kinds.contains(kind)
        {
            tags.push(mk("rule_rescinded", json!({ "kind": kind }), "", s.text));
        }
    }
}
