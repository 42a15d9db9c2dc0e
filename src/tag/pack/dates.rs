//! Effective and compliance dates compared across the two sides: a date only on the new side is
//! paired with an old one of the same kind (else any old one left).

use serde_json::json;

use super::{Sent, mk};
use crate::model::{Lang, Tag};
use crate::tag::dates::dated_kinds;

/// Whether a sentence dates a law or regulation in a block that says nothing of export controls
/// ("the EU supply-chain act enters into force on …", „das Lieferkettengesetz tritt … in Kraft“).
fn of_another_law(s: &str, context: &str) -> bool {
    // "Beijing extended its licensing requirement, effective …", „Japans Regelung ist am … in
    // Kraft getreten“: another authority's rule, unless the sentence also names the US rules.
    if crate::tag::packs::any_in("other_authorities", s)
        && !crate::tag::packs::any_in("us_rule_words", s)
    {
        return true;
    }
    // "The Chinese ministry made gallium exports subject to licences. The rule takes effect on
    // …": a block that names only another authority dates that authority's rule.
    if crate::tag::packs::any_in("other_authorities", context)
        && !crate::tag::packs::any_in("us_rule_words", context)
    {
        return true;
    }
    // A law named as another one ("the AI Act", „KI-Verordnung“, « règlement sur l'IA ») dates
    // that law, even in an export-control briefing, unless the sentence speaks of export rules.
    if crate::tag::packs::any_in("other_laws", s)
        && !crate::tag::packs::any_in("export_rule_words", s)
    {
        return true;
    }
    let law = crate::tag::packs::list("law_words");
    // A law named by its subject (« le règlement sur les emballages », "the packaging
    // regulation", „die Verpackungsverordnung“) in a sentence that says nothing of export rules
    // is another law, whatever the block speaks of.
    if !crate::tag::packs::any_in("export_rule_words", s) && qualified_law(s, law) {
        return true;
    }
    if crate::tag::countries::tier_context(context) {
        return false;
    }
    s.split(|c: char| !c.is_alphanumeric()).any(|w| {
        law.iter()
            .any(|l| w == l || (l.len() > 5 && w.ends_with(l.as_str())))
    })
}

/// Whether a law word is qualified by a subject: followed by « sur »/"on"/„über“/„zur“, or
/// preceded by a noun ("packaging regulation"), or the end of a longer compound.
fn qualified_law(s: &str, law: &[String]) -> bool {
    let ws: Vec<&str> = s
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    ws.iter().enumerate().any(|(i, w)| {
        if law
            .iter()
            .any(|l| l.len() > 5 && w.len() > l.len() + 3 && w.ends_with(l.as_str()))
        {
            return true;
        }
        if !law.iter().any(|l| w == l) {
            return false;
        }
        let next = ws.get(i + 1).copied().unwrap_or_default();
        let prev = if i > 0 { ws[i - 1] } else { "" };
        matches!(
            next,
            "sur" | "on" | "über" | "zur" | "zum" | "relatif" | "relative"
        ) || (!prev.is_empty()
            // Articles and adjectives that open a law's name (the pack's `law_openers`).
            && !crate::tag::packs::has("law_openers", prev)
            && !prev.ends_with('\'')
            && prev.chars().all(char::is_alphabetic)
            && prev.len() > 3)
    })
}

/// Whether a dated sentence speaks of people or events, not the rules: "She joins the firm
/// effective January 1", "Early-bird rates are effective until January 15", „Der Exporttag wird
/// auf den 15. Februar verlegt“.
fn of_people_or_events(s: &str) -> bool {
    crate::tag::packs::any_in("non_rule_date_subjects", s)
}

/// A paragraph's run-in heading ("(b) compliance date. …", « (b) date de mise en conformité. … »):
/// its first sentence when that is at most six words, without its enumerator.
fn run_in_heading(context: &str) -> Option<&str> {
    // Only the block's first 200 bytes are looked at: a heading is short.
    let start = context
        .get(..context.floor_char_boundary(200))
        .unwrap_or(context);
    let (head, _) = start.split_once(". ")?;
    let head = head.trim_start();
    let head = match head.strip_prefix('(') {
        Some(rest) => rest.split_once(')').map_or(head, |(_, r)| r.trim_start()),
        None => head,
    };
    (head.split_whitespace().count() <= 6).then_some(head)
}

/// Tags the dated effective or compliance statements that changed.
pub(super) fn date_tags(old: &[Sent<'_>], new: &[Sent<'_>], lang: Lang, tags: &mut Vec<Tag>) {
    let day_first = matches!(lang, Lang::Fr | Lang::De);
    let facts = |side: &[Sent<'_>]| {
        let mut v = Vec::new();
        for (i, s) in side.iter().enumerate() {
            if of_another_law(&s.norm, &s.context) || of_people_or_events(&s.norm) {
                continue;
            }
            let dated = dated_kinds(&s.norm, day_first);
            // "(b) Compliance date. The requirements apply from …": a date the sentence dates
            // only by a start word ("from", « à compter du ») takes the kind its paragraph's
            // run-in heading names.
            let heading_compliance = dated.iter().any(|(_, k)| *k == "effective")
                && !crate::tag::packs::any_in("effective_cues", &s.norm)
                && run_in_heading(&s.context)
                    .is_some_and(|h| crate::tag::packs::any_in("compliance_cues", h));
            for (d, kind) in dated {
                let kind = if kind == "effective" && heading_compliance {
                    "compliance"
                } else {
                    kind
                };
                v.push((kind, d, i));
            }
        }
        v
    };
    let mut o = facts(old);
    let mut n = facts(new);
    // The same date on both sides is no change, whatever cue word stands next to it.
    o.retain(|(_, d, _)| {
        if let Some(i) = n.iter().position(|(_, nd, _)| nd == d) {
            n.remove(i);
            false
        } else {
            true
        }
    });
    // Pair by kind, in order; then any leftovers across kinds.
    let mut used_old = vec![false; o.len()];
    for (kind, nd, ni) in &n {
        let pick = o
            .iter()
            .enumerate()
            .position(|(j, (k, _, _))| !used_old[j] && k == kind)
            .or_else(|| (0..o.len()).find(|j| !used_old[*j]));
        let (old_date, old_ev) = match pick {
            Some(j) => {
                used_old[j] = true;
                (Some(o[j].1), old[o[j].2].text)
            }
            None => (None, ""),
        };
        tags.push(mk(
            "effective_date_changed",
            json!({ "old": old_date.map(|d| d.to_string()), "new": nd.to_string(), "kind": kind }),
            old_ev,
            new[*ni].text,
        ));
    }
}
