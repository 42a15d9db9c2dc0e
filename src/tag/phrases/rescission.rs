//! Rescission, suspension and non-enforcement language about a rule (not about a job offer),
//! unless negated ("has not been rescinded").

use crate::tag::packs;
use crate::tag::packs::matcher::{Occurrences, WordFinder};
use crate::tag::text::{find_prefix_at_word_start, find_word};

/// Whether a word joins two clauses (the pack's `clause_joiners`): a negation across one is the
/// other clause's.
fn joins_clauses(w: &str) -> bool {
    packs::has("clause_joiners", w)
}

/// Negations that keep rescission language from being a rescission ("has not been rescinded",
/// "no formal rescission notice").
fn negated_before(s: &str, pos: usize) -> bool {
    // Elided forms count as their word: « qu'aucun » is "aucun".
    // Within the word's own clause: "does not enforce it and rescinds it" is no negation.
    let head: Vec<&str> = s[..pos]
        .split_whitespace()
        .rev()
        .take_while(|w| !joins_clauses(w))
        .take(6)
        .flat_map(|w| [w, w.rsplit('\'').next().unwrap_or(w)])
        .collect();
    head.iter().any(|w| {
        matches!(
            *w,
            "not"
                | "no"
                | "never"
                | "nor"
                | "without"
                | "pas"
                | "jamais"
                | "aucune"
                | "aucun"
                | "sans"
                | "nicht"
                | "weder"
                | "noch"
                | "ni"
                | "neither"
                | "kein"
                | "keine"
                | "keinen"
                | "nie"
                | "n'a"
                | "n'ont"
                | "yet"
                | "hasn't"
                | "haven't"
                | "didn't"
                | "isn't"
        )
    })
}

/// A negation in the verb-final clause after the word: „Eine förmliche Aufhebung ist bis heute
/// nicht erschienen“, « la rescision n'a pas été publiée ».
fn negated_after(s: &str, pos: usize) -> bool {
    let clause = s[pos..].split([';', ',']).next().unwrap_or_default();
    clause
        .split_whitespace()
        .skip(1)
        .take_while(|w| !joins_clauses(w))
        .take(12)
        .any(|w| matches!(w, "nicht" | "pas" | "keine" | "not"))
}

/// The rescission words' places in one sentence, from one pass (the same places as searching
/// each word).
struct Found<'a> {
    s: &'a str,
    finder: Option<&'static WordFinder>,
    occ: std::cell::OnceCell<Occurrences>,
}

impl<'a> Found<'a> {
    fn new(s: &'a str) -> Found<'a> {
        Found {
            s,
            finder: packs::group_finder("rescission", true),
            occ: std::cell::OnceCell::new(),
        }
    }

    /// [`first_match`] of the words of the group's key that starts at word `base` of the whole
    /// group.
    fn first(&self, base: usize, needles: &[String]) -> Option<usize> {
        let Some(f) = self.finder else {
            return first_match(self.s, needles);
        };
        let occ = self.occ.get_or_init(|| f.occurrences(self.s));
        needles
            .iter()
            .enumerate()
            .filter_map(|(j, n)| {
                if n.ends_with('*') {
                    f.find_prefix(occ, self.s, base + j)
                } else {
                    f.find_word(occ, self.s, base + j)
                }
            })
            .min()
    }
}

/// Byte offset of the first needle found: needles ending in `*` as prefixes at a word start,
/// others as whole words.
fn first_match(s: &str, needles: &[String]) -> Option<usize> {
    needles
        .iter()
        .filter_map(|n| match n.strip_suffix('*') {
            Some(p) => find_prefix_at_word_start(s, p),
            None => find_word(s, n),
        })
        .min()
}

/// Whether the rescission word at `pos` is about a rule: not when a possessive object right
/// after it names no rule.
fn about_a_rule(s: &str, pos: usize) -> bool {
    let after: Vec<&str> = s[pos..].split_whitespace().skip(1).take(3).collect();
    match after.first() {
        // Possessives (the pack's `possessives`) give the verb an object of its own (« a annulé sa
        // commande », "the client cancelled its order", „hat seine Bestellung storniert“).
        Some(w) if packs::has("possessives", w) => after[1..]
            .iter()
            .any(|w| crate::tag::packs::any_in("rule_nouns", w)),
        _ => true,
    }
}

/// The rescission kind a sentence announces, if any.
#[must_use]
pub fn rescission(s: &str) -> Option<&'static str> {
    rescission_kinds(s).first().copied()
}

/// Every rescission kind a (normalized) sentence states, the first stated first: "BIS rescinds
/// the rule, which it said in May it would not enforce" rescinds before it does not enforce.
#[must_use]
pub fn rescission_kinds(s: &str) -> Vec<&'static str> {
    rescission_kinds_in(s, "")
}

/// Whether a text names a rule (German compounds hide the noun inside a word:
/// "KI-Diffusionsregel", "Exportvorschriften").
fn names_a_rule(s: &str) -> bool {
    packs::list("rule_noun_parts")
        .iter()
        .any(|w| s.contains(w.as_str()))
        || crate::tag::packs::any_in("rule_nouns", s)
}

/// [`rescission_kinds`], where the sentence may stand for a rule its block names with a pronoun.
#[must_use]
pub fn rescission_kinds_in(s: &str, block: &str) -> Vec<&'static str> {
    let pronoun = || {
        s.split_whitespace().any(|w| {
            // Pronouns that stand for a rule named before (the pack's `rule_pronouns`): „hat
            // das Ministerium sie formell aufgehoben“, "BIS rescinded it", « le BIS l'a abrogée ».
            packs::has(
                "rule_pronouns",
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''),
            )
        })
    };
    // Cheap tests first: a rule named in the sentence, or a pronoun, a rescission word and a rule
    // named in the block.
    let places = Found::new(s);
    let any_word = || {
        let mut base = 0;
        packs::groups("rescission").iter().any(|g| {
            let found = places.first(base, &g.words).is_some();
            base += g.words.len();
            found
        })
    };
    let about_rule = names_a_rule(s) || (pronoun() && names_a_rule(block) && any_word());
    if !about_rule || crate::tag::packs::any_in("rescission_not", s) {
        return Vec::new();
    }
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    let mut base = 0;
    for g in packs::groups("rescission") {
        let first = places.first(base, &g.words);
        base += g.words.len();
        if let Some(pos) = first
            && about_a_rule(s, pos)
            // "will not enforce" carries its own negation; others must not be negated.
            && (g.key == "not_enforced" || !(negated_before(s, pos) || negated_after(s, pos)))
        {
            found.push((pos, g.key.as_str()));
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.into_iter().map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    #[test]
    fn rescission_kinds_and_negation() {
        assert_eq!(
            rescission(&norm("Commerce will not enforce the AI Diffusion Rule.")),
            Some("not_enforced")
        );
        assert_eq!(
            rescission(&norm("The rule is rescinded.")),
            Some("rescinded")
        );
        assert_eq!(
            rescission(&norm("La règle est abrogée.")),
            Some("rescinded")
        );
        assert_eq!(
            rescission(&norm("Die Regel wird ausgesetzt.")),
            Some("suspended")
        );
        assert_eq!(
            rescission(&norm(
                "No formal rescission of the rule has been published."
            )),
            None
        );
        assert_eq!(
            rescission(&norm("The company rescinded its job offer.")),
            None
        );
    }
}
