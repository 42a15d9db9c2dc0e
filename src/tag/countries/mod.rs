//! Countries by name (EN/FR/DE, with aliases) → ISO 3166 alpha-2, and what a sentence says about a
//! country's tier (AI Diffusion Rule shorthand) or Country Group (A:5, D:5 …).

mod groups;
mod names;
mod tiers;

pub use names::{countries, english_name};
pub use tiers::tier_context;

/// The Country Group symbols a normalized text names ("d:5" → "D:5"), in text order.
#[must_use]
pub fn group_symbols(s: &str) -> Vec<String> {
    groups::group_mentions(s)
        .into_iter()
        .map(|(_, g)| g)
        .collect()
}

/// Where a sentence places countries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// "France | Tier 1", "Poland is in tier 2".
    Tier {
        /// 1, 2 or 3.
        tier: u8,
        /// Stated as a move: explicit origin ("from tier 1 to tier 2"), or +1/-1 for
        /// "downgraded"/"upgraded" with no origin.
        from: Option<u8>,
        /// The sentence states a move (moved, downgraded, relegated …).
        moved: bool,
    },
    /// "Country Group D:5: China, Macau …", "X is added to A:5", "X was removed from D:5".
    Group {
        /// "D:5".
        group: String,
        /// Some(true): added to, Some(false): removed from, None: listed in.
        added: Option<bool>,
        /// The group it left, for "moved from D:3 to A:5".
        from_group: Option<String>,
    },
}

/// What a sentence says about countries' tiers and groups: (ISO code, placement). Tier placements
/// come first, then group placements.
#[must_use]
pub fn placements(s: &str, block: &str, doc_context: bool) -> Vec<(&'static str, Placement)> {
    let cs = countries(s);
    // "is not in Tier 1" places nothing; "was removed from D:5 and is no longer in the group"
    // is the removal itself.
    if cs.is_empty()
        || (crate::tag::packs::any_in("negations", s)
            && !crate::tag::packs::any_in("group_removed", s))
    {
        return Vec::new();
    }
    let out = tiers::tier_placements(s, block, doc_context, &cs);
    // "Tier 3: China, Macao … and the other Country Group D:5 destinations" places its countries
    // in a tier; the group is named to define the tier, not to list them in it.
    if !out.is_empty() {
        return out;
    }
    groups::group_placements(s, &cs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    #[test]
    fn tiers_from_rows_and_sentences() {
        let s = norm("France | Tier 1");
        assert_eq!(
            placements(&s, &s, false),
            vec![(
                "FR",
                Placement::Tier {
                    tier: 1,
                    from: None,
                    moved: false
                }
            )]
        );
        let s = norm("La France est reléguée au deuxième niveau des règles sur les puces.");
        assert_eq!(
            placements(&s, &s, false),
            vec![(
                "FR",
                Placement::Tier {
                    tier: 2,
                    from: Some(1),
                    moved: true
                }
            )]
        );
        let s = norm("Poland moves from tier 2 to tier 1 under the AI rule.");
        assert_eq!(
            placements(&s, &s, false),
            vec![(
                "PL",
                Placement::Tier {
                    tier: 1,
                    from: Some(2),
                    moved: true
                }
            )]
        );
        // A tier said to be left is the old one, whatever clause names the new one.
        for text in [
            "Cambodia is no longer in Tier 3; since the revision, it now falls in Tier 2.",
            "Le Cambodge ne figure plus dans la catégorie 3 du dispositif : il relève désormais de la catégorie 2.",
        ] {
            let s = norm(text);
            assert_eq!(
                placements(&s, &s, true),
                vec![(
                    "KH",
                    Placement::Tier {
                        tier: 2,
                        from: Some(3),
                        moved: true
                    }
                )],
                "{text}"
            );
        }
        let s = norm("A tier-1 supplier in Germany signed a contract for chips.");
        assert!(placements(&s, &s, false).is_empty());
    }

    #[test]
    fn groups() {
        let s = norm("The United Arab Emirates is added to Country Group A:5.");
        assert_eq!(
            placements(&s, &s, false),
            vec![(
                "AE",
                Placement::Group {
                    group: "A:5".into(),
                    added: Some(true),
                    from_group: None
                }
            )]
        );
        let s = norm("Cambodia is removed from Country Group D:5.");
        assert_eq!(
            placements(&s, &s, false),
            vec![(
                "KH",
                Placement::Group {
                    group: "D:5".into(),
                    added: Some(false),
                    from_group: None
                }
            )]
        );
    }
}
