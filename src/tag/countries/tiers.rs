//! Tiers of the AI Diffusion Rule: tier words ("tier 2", « deuxième niveau », „Stufe 2“), move
//! words (downgraded, promoted …), whether a block speaks of such tiers, and the tier a sentence
//! places each named country in.

use super::Placement;
use crate::tag::packs;
use crate::tag::text::{any_word, find_word};

/// Tier words in a sentence, not followed by a non-country noun: (byte offset, tier), in text
/// order.
fn tier_mentions(s: &str) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    for (w, t) in packs::pairs("tier_words") {
        let mut from = 0;
        while let Some(i) = find_word(&s[from..], w) {
            let pos = from + i;
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
    out
}

/// Whether a block speaks of export controls, chips or the AI rule (so "tier" means a tier of
/// countries, not of suppliers).
#[must_use]
pub fn tier_context(block: &str) -> bool {
    block.contains(" | ")
        || any_word(
            block,
            &[
                "export*",
                "chip*",
                "gpu*",
                "ai",
                "ia",
                "ki",
                "diffusion",
                "rule",
                "règle*",
                "regel*",
                "controls",
                "contrôle*",
                "kontroll*",
                "puce*",
                "semiconductor*",
                "semi-conducteur*",
                "halbleiter*",
                "country group*",
                "tier*",
                "compute",
                "computing",
                "licen*",
                "lizenz*",
                "ausfuhr*",
                "quota*",
                "plafond*",
                "obergrenze*",
            ],
        )
}

/// The tier each named country (`cs`, ISO code and byte offset) is placed in, when the sentence
/// names tiers and the block or document speaks of export controls.
pub(super) fn tier_placements(
    s: &str,
    block: &str,
    doc_context: bool,
    cs: &[(&'static str, usize)],
) -> Vec<(&'static str, Placement)> {
    let tiers = tier_mentions(s);
    if tiers.is_empty() || !(doc_context || tier_context(block)) {
        return Vec::new();
    }
    let down = any_word(s, packs::list("tier_down"));
    let up = any_word(s, packs::list("tier_up"));
    let moved = down || up || any_word(s, packs::list("move_words"));
    let explicit = explicit_move(s, &tiers);
    let mut out = Vec::new();
    for (iso, pos) in cs {
        let p = match explicit {
            Some((from, to)) => Placement::Tier {
                tier: to,
                from: Some(from),
                moved: true,
            },
            None => nearest_tier(&tiers, *pos, down, up, moved),
        };
        out.push((*iso, p));
    }
    out
}

/// "from tier 1 to tier 2" / « du premier au deuxième niveau » / „von Stufe 1 in Stufe 2“: the
/// first and last tier named, when a from-word precedes the first and they differ.
fn explicit_move(s: &str, tiers: &[(usize, u8)]) -> Option<(u8, u8)> {
    if tiers.len() >= 2 {
        let (a, b) = (tiers[0], tiers[tiers.len() - 1]);
        let head = &s[..a.0];
        let from_word = ["from", "de", "du", "von", "aus"]
            .iter()
            .any(|w| head.trim_end().ends_with(w));
        (from_word && a.1 != b.1).then_some((a.1, b.1))
    } else {
        None
    }
}

/// The tier named nearest a country at byte offset `pos`; a downgrade or upgrade implies the
/// tier it came from.
fn nearest_tier(tiers: &[(usize, u8)], pos: usize, down: bool, up: bool, moved: bool) -> Placement {
    let nearest = tiers
        .iter()
        .min_by_key(|(tp, _)| tp.abs_diff(pos))
        .map_or(0, |(_, t)| *t);
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
