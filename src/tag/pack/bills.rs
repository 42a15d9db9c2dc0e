//! Bill stages compared across the two sides: the furthest stage newly stated, from the furthest
//! stage the old text stated.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::phrases;
use crate::tag::text::any_word;

/// How far a stage is along a bill's path; `dropped` is last.
fn stage_rank(s: &str) -> usize {
    if s == "dropped" {
        return 100;
    }
    phrases::STAGES.iter().position(|x| *x == s).unwrap_or(0)
}

/// Tags the furthest bill stage the new text newly states.
pub(super) fn bill_tags(old: &[Sent<'_>], new: &[Sent<'_>], tags: &mut Vec<Tag>) {
    let domain = |ctx: &str| {
        any_word(
            ctx,
            &[
                "ai",
                "artificial intelligence",
                "chip*",
                "export*",
                "gain",
                "ndaa",
                "semiconductor*",
                "ia",
                "ki",
                "puce*",
                "intelligence artificielle",
                "künstliche intelligenz",
                "halbleiter*",
                "overwatch",
                "defense authorization",
                "défense",
                "verteidigung*",
                "3150",
                "5885",
                "4456",
                "6875",
                "2296",
                "1071",
            ],
        )
    };
    let stages = |side: &[Sent<'_>]| {
        let mut v: Vec<(&'static str, usize)> = Vec::new();
        for (i, s) in side.iter().enumerate() {
            if domain(&s.context) {
                for st in phrases::bill_stages(&s.norm, &s.context) {
                    v.push((st, i));
                }
            }
        }
        v
    };
    let o = stages(old);
    let n = stages(new);
    let old_set: BTreeSet<&str> = o.iter().map(|(s, _)| *s).collect();
    let Some(&(to, ni)) = n
        .iter()
        .filter(|(s, _)| !old_set.contains(s))
        .max_by_key(|(s, _)| stage_rank(s))
    else {
        return;
    };
    let from = o
        .iter()
        .filter(|(s, _)| *s != "dropped")
        .max_by_key(|(s, _)| stage_rank(s));
    tags.push(mk(
        "bill_stage_changed",
        json!({ "from": from.map(|(s, _)| *s), "to": to }),
        from.map_or("", |(_, i)| old[*i].text),
        new[ni].text));
}
