//! Quantity facts compared across the two sides: thresholds, quotas and tariffs whose values
//! moved, appeared or disappeared; a transition written out in the new text ("lowered from 4,800
//! to 4,000") counts as one move.

use serde_json::{Value, json};

use super::{Sent, mk};
use crate::model::{Lang, Tag};
use crate::tag::numbers::json_value;
use crate::tag::quantity::QKind;

/// A quantity found on one side, with the sentence that states it.
struct QFact<'a> {
    kind: QKind,
    value: f64,
    from: Option<f64>,
    comparator: bool,
    evidence: &'a str,
}

/// The quantities each sentence of a side states.
fn q_facts<'a>(side: &[Sent<'a>], lang: Lang) -> Vec<QFact<'a>> {
    let mut out = Vec::new();
    for s in side {
        for q in super::memo::quantities(&s.norm, &s.context, lang) {
            out.push(QFact {
                kind: q.kind,
                value: q.value,
                from: q.from,
                comparator: q.has_comparator,
                evidence: s.text,
            });
        }
    }
    out
}

/// Equal up to rounding noise.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The tag for one quantity moving from `old` to `new` (either may be absent).
fn quantity_tag(
    kind: &QKind,
    old: Option<f64>,
    new: Option<f64>,
    old_ev: &str,
    new_ev: &str,
) -> Tag {
    let jv = |v: Option<f64>| v.map_or(Value::Null, json_value);
    match kind {
        QKind::Threshold { metric } => {
            let unit = kind.unit();
            mk(
                "threshold_changed",
                json!({ "metric": metric, "old": jv(old), "new": jv(new), "unit": unit }),
                old_ev,
                new_ev,
            )
        }
        QKind::Quota { unit, scope } => mk(
            "quota_changed",
            json!({ "old": jv(old), "new": jv(new), "unit": unit, "scope": scope }),
            old_ev,
            new_ev,
        ),
        QKind::Tariff => mk(
            "tariff_changed",
            json!({ "old": jv(old), "new": jv(new), "unit": "%" }),
            old_ev,
            new_ev,
        ),
    }
}

/// Tags the quantities that moved, appeared or disappeared between the two sides.
pub(super) fn quantity_tags(old: &[Sent<'_>], new: &[Sent<'_>], lang: Lang, tags: &mut Vec<Tag>) {
    let mut old_f = q_facts(old, lang);
    let new_f = q_facts(new, lang);
    let rest_new = transition_tags(&mut old_f, new_f, tags);
    // A value is gone ("X → none") only when its text was deleted or the new text says something
    // was removed (the pack's `value_removed_words`): a rewrite that merely stops repeating a
    // figure ("the country cap no longer counts"; a chip test rounding its own TPP) removes
    // nothing.
    let removal_said = new.is_empty()
        || new
            .iter()
            .any(|s| crate::tag::packs::any_in("value_removed_words", &s.norm));
    // Symmetrically, a value is new ("none → X") only when its text was inserted or its sentence
    // says something was added (the pack's `value_added_words`).
    // A sentence that extends an old one ("… 4,800 or more, or if its DRAM bandwidth is 1,400
    // GB/s or more") adds what it appends.
    let addition_said = |evidence: &str| {
        let n = super::memo::norm(evidence);
        old.is_empty()
            || crate::tag::packs::any_in("value_added_words", &n)
            || old.iter().any(|o| {
                let stem = o.norm.trim_end_matches(['.', ';', ':']);
                stem.len() > 20 && n.starts_with(stem)
            })
    };
    compared_tags(&old_f, &rest_new, removal_said, &addition_said, tags);
}

/// Transitions written out in the new text ("lowered from 4,800 to 4,000"): tags each real move
/// and takes the old facts it accounts for out of `old_f`. Returns the new facts that state no
/// transition.
fn transition_tags<'a>(
    old_f: &mut Vec<QFact<'a>>,
    new_f: Vec<QFact<'a>>,
    tags: &mut Vec<Tag>,
) -> Vec<QFact<'a>> {
    let mut rest_new = Vec::new();
    for f in new_f {
        if let Some(from) = f.from {
            if let Some(i) = old_f
                .iter()
                .position(|o| o.kind.key() == f.kind.key() && same(o.value, f.value))
            {
                // The old text already stated the new value: nothing moved.
                old_f.remove(i);
                continue;
            }
            let old_ev = old_f
                .iter()
                .position(|o| o.kind.key() == f.kind.key() && same(o.value, from))
                .map(|i| old_f.remove(i).evidence)
                .unwrap_or("");
            if !same(from, f.value) {
                tags.push(quantity_tag(
                    &f.kind,
                    Some(from),
                    Some(f.value),
                    old_ev,
                    f.evidence,
                ));
            }
        } else {
            rest_new.push(f);
        }
    }
    rest_new
}

/// The remaining facts compared by key: equal values cancel, the rest pair up in order as moves;
/// leftovers (thresholds only when stated with a comparator) are added or removed.
fn compared_tags(
    old_f: &[QFact<'_>],
    rest_new: &[QFact<'_>],
    removal_said: bool,
    addition_said: &dyn Fn(&str) -> bool,
    tags: &mut Vec<Tag>,
) {
    let mut keys: Vec<String> = old_f
        .iter()
        .chain(rest_new.iter())
        .map(|f| f.kind.key())
        .collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let mut o: Vec<&QFact<'_>> = old_f.iter().filter(|f| f.kind.key() == key).collect();
        let mut n: Vec<&QFact<'_>> = rest_new.iter().filter(|f| f.kind.key() == key).collect();
        // Equal values on both sides are the same fact, however written.
        o.retain(|of| {
            if let Some(i) = n.iter().position(|nf| same(nf.value, of.value)) {
                n.remove(i);
                false
            } else {
                true
            }
        });
        let pairs = o.len().min(n.len());
        for i in 0..pairs {
            tags.push(quantity_tag(
                &n[i].kind,
                Some(o[i].value),
                Some(n[i].value),
                o[i].evidence,
                n[i].evidence,
            ));
        }
        let strong = |f: &QFact<'_>| !matches!(f.kind, QKind::Threshold { .. }) || f.comparator;
        for f in n
            .iter()
            .skip(pairs)
            .filter(|f| strong(f) && addition_said(f.evidence))
        {
            tags.push(quantity_tag(&f.kind, None, Some(f.value), "", f.evidence));
        }
        for f in o.iter().skip(pairs).filter(|f| removal_said && strong(f)) {
            tags.push(quantity_tag(&f.kind, Some(f.value), None, f.evidence, ""));
        }
    }
}
