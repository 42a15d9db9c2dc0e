//! Tiers of the AI Diffusion Rule: tier words ("tier 2", « deuxième niveau », „Stufe 2“), move
//! words (downgraded, promoted …), whether a block speaks of such tiers, and the tier a sentence
//! places each named country in.

use super::Placement;
use crate::tag::packs;
use crate::tag::text::find_word;

/// Tier words in a sentence, not followed by a non-country noun: (byte offset, tier), in text
/// order.
fn tier_mentions(s: &str) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    // Every tier word's places from one pass over the sentence (the same places as searching
    // each word).
    let finder = packs::pair_finder("tier_words");
    let occ = finder.map(|f| f.occurrences(s));
    for (k, (w, t)) in packs::pairs("tier_words").iter().enumerate() {
        let mut from = 0;
        while let Some(pos) = match (finder, &occ) {
            (Some(f), Some(o)) => f.find_word_from(o, s, from, k),
            _ => find_word(&s[from..], w).map(|i| from + i),
        } {
            let end = pos + w.len();
            let next: String = s[end..]
                .trim_start_matches(['-', ' '])
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            if !packs::has("not_country_tier", next.as_str()) && !out.iter().any(|(p, _)| *p == pos)
            {
                out.push((pos, *t));
            }
            from = end;
        }
    }
    out.sort_by_key(|(p, _)| *p);
    // "Tier 2 (EU Member States outside Tier 1): …": a tier named inside a gloss, beside one
    // named outside it, only explains the label ("Singapore (Tier 2)" alone keeps its own).
    let inside = |pos: usize| {
        let head = &s[..pos];
        head.matches('(').count() > head.matches(')').count()
    };
    if out.iter().any(|(p, _)| !inside(*p)) {
        out.retain(|(p, _)| !inside(*p));
    }
    out
}

/// Whether a block speaks of export controls, chips or the AI rule (so "tier" means a tier of
/// countries, not of suppliers).
#[must_use]
pub fn tier_context(block: &str) -> bool {
    block.contains(" | ") || crate::tag::packs::any_in("tier_context_words", block)
}

/// The tier each named country (`cs`, ISO code and byte offset) is placed in, when the sentence
/// names tiers and the block or document speaks of export controls.
pub(super) fn tier_placements(
    s: &str,
    block: &str,
    doc_context: bool,
    cs: &[(&'static str, usize)],
) -> Vec<(&'static str, Placement)> {
    // The Trafficking in Persons Report's "Tier 2 Watch List" is not the AI rule's tiers.
    if packs::any_in("tier_other_contexts", s) {
        return Vec::new();
    }
    // Countries named inside another's aside are left out (unless all are).
    let main: Vec<(&'static str, usize)> = cs
        .iter()
        .copied()
        .filter(|(_, p)| !in_aside(s, *p, cs))
        .collect();
    let cs: &[(&'static str, usize)] = if main.is_empty() { cs } else { &main };
    let tiers = tier_mentions(s);
    // A tier word with a list of countries ("Tier 1: Australia, Belgium, …", « Premier niveau :
    // … ») is the rule's own shape, context enough.
    let list = cs.len() >= 3;
    if tiers.is_empty() || !(doc_context || list || tier_context(block)) {
        return Vec::new();
    }
    let down = crate::tag::packs::any_in("tier_down", s);
    let up = crate::tag::packs::any_in("tier_up", s);
    let moved = down || up || crate::tag::packs::any_in("move_words", s);
    let explicit = explicit_move(s, &tiers);
    let mut out = Vec::new();
    for (iso, pos) in cs {
        // A stated move ("Poland moves from tier 2 to tier 1, while France stays …") is about
        // the countries of its own clause only.
        // A tier named as the old one ("Poland, previously in Tier 2, …") moves the country
        // nearest to it, across commas, with the list it belongs to ("Austria, Portugal and
        // Greece, previously in Tier 2, …").
        let nearest_to_marked = |at: usize| {
            cs.iter()
                .min_by_key(|(_, p)| p.abs_diff(at))
                .is_some_and(|(i, p)| i == iso || list_span(s, cs, *p) == list_span(s, cs, *pos))
        };
        let p = match explicit {
            Some((from, to, at, marked))
                if (marked && nearest_to_marked(at)) || same_clause(s, *pos, at) =>
            {
                Placement::Tier {
                    tier: to,
                    from: Some(from),
                    moved: true,
                }
            }
            Some(_) => nearest_tier(s, &tiers, list_span(s, cs, *pos), false, false, false),
            None => nearest_tier(s, &tiers, list_span(s, cs, *pos), down, up, moved),
        };
        out.push((*iso, p));
    }
    out
}

/// Words and marks that end a clause.
const CLAUSE_BREAKS: &[&str] = &[
    ",",
    ";",
    " while ",
    " whereas ",
    " but ",
    " tandis que ",
    " alors que ",
    " mais ",
    " während ",
    " wohingegen ",
    " aber ",
];

/// Whether a text opens with a country name (its first two words): ", die Niederlande, …" is
/// the next item of a list, not an aside.
fn starts_with_country(t: &str) -> bool {
    super::countries(t)
        .first()
        .is_some_and(|(_, p)| t[..*p].split_whitespace().count() <= 1)
}

/// Whether the country at byte offset `pos` stands inside an aside that another country of the
/// sentence opens („Polen, das sich um eine Gleichstellung mit Deutschland und Frankreich bemüht
/// hatte, wird … hochgestuft“, "Norway, which with the USA was in Tier 1, …"): such a country is
/// not the subject of the sentence's move.
fn in_aside(s: &str, pos: usize, cs: &[(&'static str, usize)]) -> bool {
    packs::list("aside_openers").iter().any(|o| {
        s.match_indices(o.as_str()).any(|(i, _)| {
            let Some(close) = s[i + o.len()..].find(',').map(|k| i + o.len() + k) else {
                return false;
            };
            pos > i
                && pos < close
                && !starts_with_country(&s[i + 1..close])
                && cs.iter().any(|(_, p)| {
                    *p < i && !s[*p..i].contains(',') && s[*p..i].split_whitespace().count() <= 3
                })
        })
    })
}

/// Whether nothing ends a clause between byte offsets `a` and `b` of `s`.
fn same_clause(s: &str, a: usize, b: usize) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    let between = s.get(lo..hi).unwrap_or("");
    let breaks = |t: &str| CLAUSE_BREAKS.iter().any(|w| t.contains(w));
    if !breaks(between) {
        return true;
    }
    // "Israel, which has a large AI sector, was moved from Tier 2 to Tier 1": an aside (the
    // pack's `aside_openers` up to the next comma) that names no country and no tier is left out.
    let mut rest = between.to_string();
    while let Some((at, len)) = packs::list("aside_openers")
        .iter()
        .filter_map(|o| rest.find(o.as_str()).map(|i| (i, o.len())))
        .min()
    {
        let Some(close) = rest[at + len..].find(',').map(|i| at + len + i) else {
            break;
        };
        let aside = &rest[at + 1..close];
        if !tier_mentions(aside).is_empty() || starts_with_country(aside) {
            break;
        }
        rest.replace_range(at..=close, "");
    }
    !breaks(&rest)
}

/// "from tier 1 to tier 2" / « du premier au deuxième niveau » / „von Stufe 1 in Stufe 2“: the
/// first and last tier named, when a from-word precedes the first and they differ.
fn explicit_move(s: &str, tiers: &[(usize, u8)]) -> Option<(u8, u8, usize, bool)> {
    // The first pair "from-word + tier … tier" in the same clause.
    for (k, a) in tiers.iter().enumerate() {
        let head = s[..a.0].trim_end();
        // "is no longer a Tier 2 destination and is now treated as Tier 3".
        let window: Vec<&str> = head.split_whitespace().rev().take(4).collect();
        let no_longer = window.windows(2).any(|w| {
            matches!(
                (w[1], w[0]),
                ("no", "longer") | ("nicht", "mehr") | ("n'est", "plus")
            )
        });
        // "Cambodia is no longer in Tier 3; … it now falls in Tier 2", « ne figure plus dans la
        // catégorie 3 : il relève désormais de la catégorie 2 »: a tier the pack's
        // `tier_left_phrases` say was left is the old one when a later clause says where the
        // country is now (a `present_markers` or `but_words` word before the next tier named:
        // „nicht mehr zur zweiten Stufe, sondern zur ersten“).
        let left = packs::list("tier_left_phrases")
            .iter()
            .any(|m| head.ends_with(m.as_str()) && head[..head.len() - m.len()].ends_with(' '));
        if left
            && let Some(b) = tiers[k + 1..].iter().find(|b| b.1 != a.1)
            && s.get(a.0..b.0).is_some_and(|between| {
                packs::any_in("present_markers", between) || packs::any_in("but_words", between)
            })
        {
            return Some((a.1, b.1, a.0, true));
        }
        // „Polen, das bisher der zweiten Stufe zugeordnet war, wird … in die erste Stufe
        // aufgenommen“, "– new, previously Tier 2 –": a tier named as the old one moves the
        // country to the other tier of the sentence, across commas and in either order.
        // "Singapore was in Tier 2. It now sits in Tier 1.": the pack's `tier_old_phrases`
        // right before the tier name it as the old one too.
        let said_before = packs::list("tier_old_phrases")
            .iter()
            .any(|m| head.ends_with(m.as_str()) && head[..head.len() - m.len()].ends_with(' '));
        // „Norwegen, das bislang zu den Verbündeten in der ersten Stufe zählte, …“: an old-tier
        // marker anywhere in the aside the tier stands in.
        let aside_marked = || {
            packs::list("aside_openers")
                .iter()
                .filter_map(|o| head.rfind(o.as_str()).map(|i| i + o.len()))
                .max()
                .is_some_and(|from| {
                    let aside = &head[from..];
                    !aside.contains(',')
                        && aside
                            .split_whitespace()
                            .any(|w| packs::has("tier_old_markers", w))
                })
        };
        if (said_before
            || window
                .iter()
                .any(|w| packs::has("tier_old_markers", w.trim_matches(',')))
            || aside_marked())
            && let Some(b) = tiers[k + 1..]
                .iter()
                .chain(tiers[..k].iter().rev())
                .find(|b| b.1 != a.1)
        {
            return Some((a.1, b.1, a.0, true));
        }
        let from_word = no_longer
            || [" from", " de", " du", " von", " aus"]
                .iter()
                .any(|w| head.ends_with(w));
        if !from_word {
            continue;
        }
        if let Some(b) = tiers[k + 1..]
            .iter()
            .find(|b| b.1 != a.1 && same_clause(s, a.0, b.0))
        {
            return Some((a.1, b.1, a.0, false));
        }
    }
    None
}

/// The country at `pos` with the list it belongs to ("Estland, Lettland und Litauen"): the byte
/// offsets of the list's first and last names, so a comma inside the list ends no clause.
fn list_span(s: &str, cs: &[(&'static str, usize)], pos: usize) -> (usize, usize) {
    const JOINERS: &[&str] = &["and", "und", "et", "or", "oder", "ou", "sowie"];
    let Some(k) = cs.iter().position(|(_, p)| *p == pos) else {
        return (pos, pos);
    };
    // From the start of one name to the start of the next: the name (up to three words), then a
    // comma or a joiner, nothing else.
    let joined = |a: usize, b: usize| {
        let Some(gap) = s.get(a..b) else {
            return false;
        };
        if gap.contains([';', ':', '.', '(', ')']) {
            return false;
        }
        let words: Vec<&str> = gap
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        // Clause words end the list ("…, while …", « …, tandis que … »).
        const BREAKS: &[&str] = &[
            "while",
            "whereas",
            "but",
            "which",
            "that",
            "tandis",
            "alors",
            "mais",
            "que",
            "dont",
            "während",
            "aber",
            "wohingegen",
            "die",
            "der",
            "sowie",
        ];
        if words.iter().any(|w| BREAKS.contains(w)) {
            return false;
        }
        let joiners = words.iter().filter(|w| JOINERS.contains(w)).count();
        let name_words = words.len() - joiners;
        name_words <= 3 && joiners <= 1 && (gap.contains(',') || joiners == 1)
    };
    let (mut first, mut last) = (k, k);
    while first > 0 && joined(cs[first - 1].1, cs[first].1) {
        first -= 1;
    }
    while last + 1 < cs.len() && joined(cs[last].1, cs[last + 1].1) {
        last += 1;
    }
    (cs[first].1, cs[last].1)
}

/// An ordinal ("zweiten", « deuxième », "second") in the clause after the country at `pos`.
fn elliptic_tier(s: &str, pos: usize) -> Option<u8> {
    const ORDINALS: &[(&str, u8)] = &[
        ("ersten", 1),
        ("erste", 1),
        ("zweiten", 2),
        ("zweite", 2),
        ("dritten", 3),
        ("dritte", 3),
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("premier", 1),
        ("première", 1),
        ("deuxième", 2),
        ("troisième", 3),
    ];
    let rest = s.get(pos..)?;
    let end = CLAUSE_BREAKS
        .iter()
        .filter_map(|w| crate::tag::text::find_str(rest, w))
        .min()
        .unwrap_or(rest.len());
    crate::tag::text::words(&rest[..end])
        .iter()
        .find_map(|w| ORDINALS.iter().find(|(o, _)| o == w).map(|(_, t)| *t))
}

/// The tier named nearest a country at byte offset `pos`; a downgrade or upgrade implies the
/// tier it came from.
fn nearest_tier(
    s: &str,
    tiers: &[(usize, u8)],
    (pos, list_end): (usize, usize),
    down: bool,
    up: bool,
    moved: bool,
) -> Placement {
    // A tier named in the country's own clause first ("…, tandis que la France et l'Allemagne
    // restent au premier niveau"), else the nearest anywhere.
    let in_clause: Vec<&(usize, u8)> = tiers
        .iter()
        .filter(|(tp, _)| same_clause(s, *tp, pos) || same_clause(s, *tp, list_end))
        .collect();
    let none_in_clause = in_clause.is_empty();
    let pool: Vec<&(usize, u8)> = if none_in_clause {
        tiers.iter().collect()
    } else {
        in_clause
    };
    // „Deutschland gehört zur ersten Stufe, Österreich dagegen zur zweiten“: an ordinal alone in
    // the country's clause names its tier (the tier noun is left out).
    let elliptic = none_in_clause.then(|| elliptic_tier(s, pos)).flatten();
    let nearest = elliptic.unwrap_or_else(|| {
        pool.iter()
            .min_by_key(|(tp, _)| tp.abs_diff(pos))
            .map_or(0, |(_, t)| *t)
    });
    let from = if down && nearest > 1 {
        Some(nearest - 1)
    } else if up && nearest < 3 {
        Some(nearest + 1)
    } else {
        None
    };
    Placement::Tier {
        tier: nearest,
        from,
        moved,
    }
}
