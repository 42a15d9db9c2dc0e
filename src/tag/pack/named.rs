//! ECCNs and chip models compared as sets: a name only on one side is added or removed.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;

/// Each item named on a side, with the first sentence that names it.
fn named<T: Ord>(side: &[Sent<'_>], find: impl Fn(&str) -> Vec<T>) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for (i, s) in side.iter().enumerate() {
        for item in find(&s.norm) {
            m.entry(item).or_insert(i);
        }
    }
    m
}

/// Tags the ECCNs and chip models named on one side only.
pub(super) fn set_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let (o, n) = (named(old, phrases::eccns), named(new, phrases::eccns));
    for (e, i) in &n {
        // "the bill closely follows ECCN 3A090", « reprend les paramètres de la rubrique 3A090 »:
        // a reference, not an entry added.
        if !o.contains_key(e) && !crate::tag::packs::any_in("reference_words", &new[*i].norm) {
            tags.push(mk(
                "eccn_changed",
                json!({ "eccn": e, "change": "added" }),
                "",
                new[*i].text,
            ));
        }
    }
    for (e, i) in &o {
        let refined = n
            .keys()
            .any(|k| k.starts_with(&format!("{e}.")) || e.starts_with(&format!("{k}.")));
        if !n.contains_key(e) && !refined {
            tags.push(mk(
                "eccn_changed",
                json!({ "eccn": e, "change": "removed" }),
                old[*i].text,
                "",
            ));
        }
    }
    let (o, n) = (named(old, phrases::chips), named(new, phrases::chips));
    for (c, i) in &n {
        if !o.contains_key(c) {
            tags.push(mk("chip_added", json!({ "chip": c }), "", new[*i].text));
        }
    }
    for (c, i) in &o {
        if !n.contains_key(c) {
            tags.push(mk("chip_removed", json!({ "chip": c }), old[*i].text, ""));
        }
    }
}
