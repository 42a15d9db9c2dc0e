//! Tiers of the AI Diffusion Rule: tier words ("tier 2", « deuxième niveau », „Stufe 2“), move
//! words (downgraded, promoted …), whether a block speaks of such tiers, and the tier a sentence
//! places each named country in.

use super::Placement;
use crate::tag::text::{any_word, find_word};

/// Tier words and the tier they name.
const TIER_WORDS: &[(&str, u8)] = &[
    ("tier 1", 1),
    ("tier 2", 2),
    ("tier 3", 3),
    ("tier-1", 1),
    ("tier-2", 2),
    ("tier-3", 3),
    ("tier one", 1),
    ("tier two", 2),
    ("tier three", 3),
    ("first tier", 1),
    ("second tier", 2),
    ("third tier", 3),
    ("tier i", 1),
    ("tier ii", 2),
    ("premier niveau", 1),
    ("deuxième niveau", 2),
    ("second niveau", 2),
    ("troisième niveau", 3),
    ("niveau 1", 1),
    ("niveau 2", 2),
    ("niveau 3", 3),
    ("catégorie 1", 1),
    ("catégorie 2", 2),
    ("catégorie 3", 3),
    ("première catégorie", 1),
    ("deuxième catégorie", 2),
    ("seconde catégorie", 2),
    ("troisième catégorie", 3),
    ("premier groupe", 1),
    ("deuxième groupe", 2),
    ("troisième groupe", 3),
    ("statut de second rang", 2),
    ("stufe 1", 1),
    ("stufe 2", 2),
    ("stufe 3", 3),
    ("stufe eins", 1),
    ("stufe zwei", 2),
    ("stufe drei", 3),
    ("erste stufe", 1),
    ("ersten stufe", 1),
    ("zweite stufe", 2),
    ("zweiten stufe", 2),
    ("dritte stufe", 3),
    ("dritten stufe", 3),
    ("kategorie 1", 1),
    ("kategorie 2", 2),
    ("kategorie 3", 3),
    ("erste kategorie", 1),
    ("zweite kategorie", 2),
    ("zweiten kategorie", 2),
    ("dritte kategorie", 3),
    ("dritten kategorie", 3),
];

/// Nouns after a tier word that show it is not about countries ("tier-1 suppliers").
const NOT_COUNTRY_TIER: &[&str] = &[
    "supplier",
    "suppliers",
    "data",
    "datacenter",
    "datacenters",
    "datacentre",
    "provider",
    "providers",
    "operator",
    "operators",
    "customer",
    "customers",
    "vendor",
    "vendors",
    "bank",
    "banks",
    "city",
    "cities",
    "capital",
    "fournisseur",
    "fournisseurs",
    "sous-traitant",
    "sous-traitants",
    "zulieferer",
    "lieferant",
    "lieferanten",
    "kunden",
    "anbieter",
    "cloud",
    "hyperscaler",
    "hyperscalers",
    "carrier",
    "carriers",
    "network",
    "networks",
    "automotive",
    "support",
    "clients",
];

const DOWN: &[&str] = &[
    "downgrad*",
    "demot*",
    "relegat*",
    "moved down",
    "relégu*",
    "rétrograd*",
    "déclass*",
    "herabgestuft",
    "zurückgestuft",
    "abgestuft",
    "herabgesetzt",
];
const UP: &[&str] = &[
    "upgrad*",
    "promot*",
    "elevat*",
    "moved up",
    "promu",
    "promue",
    "rehauss*",
    "surclass*",
    "hochgestuft",
    "heraufgestuft",
    "aufgewertet",
];

/// Words that state a move without a direction.
const MOVE_WORDS: &[&str] = &[
    "move*",
    "moved",
    "shift*",
    "passe*",
    "bascul*",
    "verschoben",
    "wechselt",
    "rutscht",
];

/// Tier words in a sentence, not followed by a non-country noun: (byte offset, tier), in text
/// order.
fn tier_mentions(s: &str) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    for (w, t) in TIER_WORDS {
        let mut from = 0;
        while let Some(i) = find_word(&s[from..], w) {
            let pos = from + i;
            let end = pos + w.len();
            let next: String = s[end..]
                .trim_start_matches(['-', ' '])
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            if !NOT_COUNTRY_TIER.contains(&next.as_str()) && !out.iter().any(|(p, _)| *p == pos) {
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
    let down = any_word(s, DOWN);
    let up = any_word(s, UP);
    let moved = down || up || any_word(s, MOVE_WORDS);
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
