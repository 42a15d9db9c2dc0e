//! Countries' AI-rule tiers and Country Groups compared across the two sides: a tier move (stated
//! or seen as a different tier), an explicit addition to or removal from a group, or a country
//! that joined or left a group's list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use serde_json::json;

use super::{Sent, mk};
use crate::model::Tag;
use crate::tag::countries::Placement;
use crate::tag::packs::matcher::WordFinder;

/// A placement stated on a side: ISO code, placement, index of the sentence.
pub(super) type Stated = (&'static str, Placement, usize);

/// A tier as shown in summaries and details.
pub(super) fn tier_label(t: u8) -> String {
    format!("tier {t}")
}

/// Tags tier moves and Country Group changes between the two sides.
pub(super) fn tier_tags(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    doc_context: bool,
    tags: &mut Vec<Tag>,
) {
    let old_p = stated(old, doc_context);
    let new_p = stated(new, doc_context);
    tier_moves(old, new, &old_p, &new_p, tags);
    explicit_group_changes(new, &old_p, &new_p, tags);
    let moved = group_moves(old, new, &old_p, &new_p, tags);
    group_list_changes(old, new, &old_p, &new_p, &moved, tags);
}

/// The groups each country is listed in on a side, with the sentence.
fn listed_groups(side_p: &[Stated]) -> BTreeMap<&'static str, BTreeMap<String, usize>> {
    let mut m: BTreeMap<&'static str, BTreeMap<String, usize>> = BTreeMap::new();
    for (iso, p, i) in side_p {
        if let Placement::Group {
            group, added: None, ..
        } = p
        {
            m.entry(iso).or_default().insert(group.clone(), *i);
        }
    }
    m
}

/// Country Groups: a country listed in exactly one group the old side had and not the new, and in
/// exactly one the new side has and the old did not ("listed in Country Group D:3" → "A:5"), moved
/// from one to the other. Returns the countries so tagged.
fn group_moves(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    old_p: &[Stated],
    new_p: &[Stated],
    tags: &mut Vec<Tag>,
) -> BTreeSet<&'static str> {
    let (o, n) = (listed_groups(old_p), listed_groups(new_p));
    let mut moved = BTreeSet::new();
    for (iso, new_groups) in &n {
        let Some(old_groups) = o.get(iso) else {
            continue;
        };
        let gone: Vec<_> = old_groups
            .iter()
            .filter(|(g, _)| !new_groups.contains_key(*g))
            .collect();
        let came: Vec<_> = new_groups
            .iter()
            .filter(|(g, _)| !old_groups.contains_key(*g))
            .collect();
        if let ([(from, oi)], [(to, ni)]) = (gone.as_slice(), came.as_slice()) {
            moved.insert(*iso);
            push_group_tag(
                tags,
                iso,
                Some((*from).clone()),
                Some((*to).clone()),
                old[**oi].text,
                new[**ni].text,
            );
        }
    }
    moved
}

/// A move sentence without the countries it compares with: „Italien ist in die zweite Stufe
/// herabgestuft worden und unterliegt nun wie Österreich und Polen einer Obergrenze“, « la
/// Belgique a été rétrogradée et est soumise, comme l'Autriche, à un plafond ».
fn without_comparisons(s: &str) -> &str {
    // The move words (their `*` endings cut) in one finder, built once: one pass over the
    // sentence gives each word's first place, as searching it would.
    static MOVES: LazyLock<WordFinder> = LazyLock::new(|| {
        let words: Vec<&str> = crate::tag::packs::list("tier_change_words")
            .iter()
            .map(|w| w.trim_end_matches('*'))
            .collect();
        WordFinder::new(&words)
    });
    let occ = MOVES.occurrences(s);
    let Some(moved_at) = (0..MOVES.words().len())
        .filter_map(|i| MOVES.find_word(&occ, s, i))
        .min()
    else {
        return s;
    };
    let s = [" wie ", " comme ", " just like ", " as with ", " like "]
        .iter()
        .filter_map(|c| s[moved_at..].find(c).map(|i| moved_at + i))
        .min()
        .map_or(s, |cut| &s[..cut]);
    // "Singapore has been moved into Tier 1; Malaysia is unaffected": a later clause that leaves
    // its countries where they were (the pack's `unaffected_words`) is not part of the move.
    let rest = s.get(moved_at..).unwrap_or_default();
    let mut starts: Vec<usize> = MOVE_CLAUSE_BREAKS
        .iter()
        .flat_map(|b| rest.match_indices(b).map(|(i, _)| moved_at + i))
        .collect();
    starts.sort_unstable();
    for (k, at) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(s.len());
        if crate::tag::packs::any_in("unaffected_words", &s[*at..end]) {
            return &s[..*at];
        }
    }
    s
}

/// Where a clause after a move may start: a semicolon, or a contrast ("…, while Malaysia …").
const MOVE_CLAUSE_BREAKS: &[&str] = &[";", ", while ", ", whereas ", ", tandis que ", ", während "];

/// Every placement each sentence of a side states.
pub(super) fn stated(side: &[Sent<'_>], doc_context: bool) -> Vec<Stated> {
    let mut v = Vec::new();
    for (i, s) in side.iter().enumerate() {
        for (iso, p) in
            super::memo::placements(without_comparisons(&s.norm), &s.context, doc_context)
        {
            // The rules' own country ("a United States arms embargo", "U.S. persons") is never
            // moved by them.
            if iso != "US" {
                v.push((iso, p, i));
            }
        }
    }
    v
}

/// Tiers: a country whose new tier differs from its old one (or from the tier a move states it
/// left), once per country.
fn tier_moves(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    old_p: &[Stated],
    new_p: &[Stated],
    tags: &mut Vec<Tag>,
) {
    let old_tier: HashMap<&str, (u8, usize)> = old_p
        .iter()
        .filter_map(|(iso, p, i)| match p {
            Placement::Tier { tier, .. } => Some((*iso, (*tier, *i))),
            Placement::Group { .. } => None,
        })
        .collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut candidates: Vec<(&str, Tag)> = Vec::new();
    for (iso, p, i) in new_p {
        let Placement::Tier { tier, from, moved } = p else {
            continue;
        };
        if done.contains(iso) {
            continue;
        }
        let (prev, old_ev) = match old_tier.get(iso) {
            Some((t, oi)) => (Some(*t), old[*oi].text),
            None => (*from, ""),
        };
        let from_tier =
            if *moved && from.is_some() && old_tier.get(iso).is_none_or(|(t, _)| t == tier) {
                *from
            } else {
                prev
            };
        if let Some(f) = from_tier
            && f != *tier
        {
            done.insert(iso);
            tags.push(mk(
                "tier_move",
                json!({ "country": iso, "from": tier_label(f), "to": tier_label(*tier) }),
                old_ev,
                new[*i].text,
            ));
        } else if from_tier.is_none() && (*moved || super::facts::says_superseded(&new[*i].norm)) {
            // "Update: Poland has been added to paragraph (a) … and is now a Tier 1
            // destination": the tier it left is the one the old version gave it elsewhere, which
            // `facts::fill_superseded` reads (no such tier: no move).
            if !candidates.iter().any(|(c, _)| c == iso) {
                candidates.push((
                    *iso,
                    mk(
                        "tier_move",
                        json!({ "country": iso, "from": null, "to": tier_label(*tier) }),
                        "",
                        new[*i].text,
                    ),
                ));
            }
        }
    }
    tags.extend(
        candidates
            .into_iter()
            .filter(|(iso, _)| !done.contains(iso))
            .map(|(_, t)| t),
    );
}

/// Country Groups: explicit additions and removals in the new text. A country the old text
/// already placed in the group is not added to it ("D:5 comprises China, Russia … and, newly
/// added, Nicaragua": only Nicaragua joins).
fn explicit_group_changes(
    new: &[Sent<'_>],
    old_p: &[Stated],
    new_p: &[Stated],
    tags: &mut Vec<Tag>,
) {
    let was_in = |iso: &str, g: &str| {
        old_p.iter().any(|(o, p, _)| {
            *o == iso && matches!(p, Placement::Group { group, added, .. } if group == g && *added != Some(false))
        })
    };
    for (iso, p, i) in new_p {
        if let Placement::Group {
            group,
            added: Some(add),
            from_group,
        } = p
        {
            if *add && was_in(iso, group) {
                continue;
            }
            let (from, to) = if *add {
                (from_group.clone(), Some(group.clone()))
            } else {
                (Some(group.clone()), None)
            };
            push_group_tag(tags, iso, from, to, "", new[*i].text);
        }
    }
}

/// Country Groups: a country that joined or left the list of a group both sides list.
fn group_list_changes(
    old: &[Sent<'_>],
    new: &[Sent<'_>],
    old_p: &[Stated],
    new_p: &[Stated],
    moved: &BTreeSet<&'static str>,
    tags: &mut Vec<Tag>,
) {
    let (old_lists, new_lists) = (group_lists(old_p), group_lists(new_p));
    for (group, olds) in &old_lists {
        let Some(news) = new_lists.get(group) else {
            continue;
        };
        for (iso, i) in news {
            if !olds.contains_key(iso) && !moved.contains(iso) {
                push_group_tag(tags, iso, None, Some(group.clone()), "", new[*i].text);
            }
        }
        for (iso, i) in olds {
            if !news.contains_key(iso) && !moved.contains(iso) {
                push_group_tag(tags, iso, Some(group.clone()), None, old[*i].text, "");
            }
        }
    }
}

/// The members each group's lists name on a side (not additions or removals), with the last
/// sentence that lists them.
fn group_lists(side_p: &[Stated]) -> BTreeMap<String, BTreeMap<&'static str, usize>> {
    let mut lists: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for (iso, p, i) in side_p {
        if let Placement::Group {
            group, added: None, ..
        } = p
        {
            lists.entry(group.clone()).or_default().insert(iso, *i);
        }
    }
    lists
}

/// Pushes the tag for a country leaving group `from` for group `to` (either may be none).
fn push_group_tag(
    tags: &mut Vec<Tag>,
    iso: &str,
    from: Option<String>,
    to: Option<String>,
    old_ev: &str,
    new_ev: &str,
) {
    tags.push(mk(
        "tier_move",
        json!({ "country": iso, "from": from, "to": to }),
        old_ev,
        new_ev,
    ));
}
