//! Countries by name (EN/FR/DE, with aliases) → ISO 3166 alpha-2, and what a sentence says about a
//! country's tier (AI Diffusion Rule shorthand) or Country Group (A:5, D:5 …).

use super::text::{any_word, find_word};

/// ISO code and the normalized names that denote it. Longer names are matched first.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AU", &["australia", "australie", "australien"]),
    ("AT", &["austria", "autriche", "österreich"]),
    ("BE", &["belgium", "belgique", "belgien"]),
    ("BG", &["bulgaria", "bulgarie", "bulgarien"]),
    ("HR", &["croatia", "croatie", "kroatien"]),
    ("CY", &["cyprus", "chypre", "zypern"]),
    (
        "CZ",
        &[
            "czech republic",
            "czechia",
            "république tchèque",
            "tchéquie",
            "tschechien",
            "tschechische republik",
        ],
    ),
    ("DK", &["denmark", "danemark", "dänemark"]),
    ("EE", &["estonia", "estonie", "estland"]),
    ("FI", &["finland", "finlande", "finnland"]),
    ("FR", &["france", "frankreich"]),
    ("DE", &["germany", "allemagne", "deutschland"]),
    ("GR", &["greece", "grèce", "griechenland"]),
    ("HU", &["hungary", "hongrie", "ungarn"]),
    ("IE", &["ireland", "irlande", "irland"]),
    ("IT", &["italy", "italie", "italien"]),
    ("LV", &["latvia", "lettonie", "lettland"]),
    ("LT", &["lithuania", "lituanie", "litauen"]),
    ("LU", &["luxembourg", "luxemburg"]),
    ("MT", &["malta", "malte"]),
    (
        "NL",
        &[
            "the netherlands",
            "netherlands",
            "pays-bas",
            "niederlande",
            "holland",
        ],
    ),
    ("PL", &["poland", "pologne", "polen"]),
    ("PT", &["portugal"]),
    ("RO", &["romania", "roumanie", "rumänien"]),
    ("SK", &["slovakia", "slovaquie", "slowakei"]),
    ("SI", &["slovenia", "slovénie", "slowenien"]),
    ("ES", &["spain", "espagne", "spanien"]),
    ("SE", &["sweden", "suède", "schweden"]),
    ("CA", &["canada", "kanada"]),
    ("JP", &["japan", "japon"]),
    ("NZ", &["new zealand", "nouvelle-zélande", "neuseeland"]),
    ("NO", &["norway", "norvège", "norwegen"]),
    (
        "KR",
        &[
            "republic of korea",
            "south korea",
            "korea, south",
            "corée du sud",
            "république de corée",
            "südkorea",
            "republik korea",
            "korea",
            "corée",
        ],
    ),
    ("TW", &["taiwan", "taïwan"]),
    (
        "GB",
        &[
            "united kingdom",
            "great britain",
            "britain",
            "royaume-uni",
            "grande-bretagne",
            "vereinigtes königreich",
            "großbritannien",
            "grossbritannien",
            "uk",
        ],
    ),
    (
        "US",
        &[
            "united states",
            "états-unis",
            "etats-unis",
            "vereinigte staaten",
            "usa",
        ],
    ),
    (
        "CN",
        &[
            "people's republic of china",
            "china",
            "chine",
            "volksrepublik china",
            "prc",
        ],
    ),
    ("MO", &["macau", "macao"]),
    ("HK", &["hong kong", "hongkong"]),
    ("RU", &["russia", "russie", "russland"]),
    ("BY", &["belarus", "biélorussie", "bélarus", "weißrussland"]),
    ("IR", &["iran"]),
    ("KP", &["north korea", "dprk", "corée du nord", "nordkorea"]),
    ("VE", &["venezuela"]),
    ("SY", &["syria", "syrie", "syrien"]),
    ("CU", &["cuba", "kuba"]),
    ("MM", &["burma", "myanmar", "birmanie"]),
    ("AF", &["afghanistan"]),
    ("IQ", &["iraq", "irak"]),
    ("LB", &["lebanon", "liban", "libanon"]),
    ("LY", &["libya", "libye", "libyen"]),
    ("KH", &["cambodia", "cambodge", "kambodscha"]),
    (
        "AE",
        &[
            "united arab emirates",
            "uae",
            "émirats arabes unis",
            "emirats arabes unis",
            "vereinigte arabische emirate",
            "vae",
        ],
    ),
    ("SA", &["saudi arabia", "arabie saoudite", "saudi-arabien"]),
    ("QA", &["qatar", "katar"]),
    ("IL", &["israel", "israël"]),
    ("IN", &["india", "inde", "indien"]),
    ("SG", &["singapore", "singapour", "singapur"]),
    ("MY", &["malaysia", "malaisie"]),
    ("VN", &["vietnam", "viêt nam", "viet nam"]),
    ("TH", &["thailand", "thaïlande"]),
    ("ID", &["indonesia", "indonésie", "indonesien"]),
    ("BR", &["brazil", "brésil", "brasilien"]),
    ("MX", &["mexico", "mexique", "mexiko"]),
    ("CH", &["switzerland", "suisse", "schweiz"]),
    ("TR", &["türkiye", "turkey", "turquie", "türkei"]),
    ("UA", &["ukraine"]),
    ("PK", &["pakistan"]),
    ("EG", &["egypt", "égypte", "ägypten"]),
    ("ZA", &["south africa", "afrique du sud", "südafrika"]),
    ("AR", &["argentina", "argentine", "argentinien"]),
    ("PH", &["philippines", "philippinen"]),
    ("KZ", &["kazakhstan", "kasachstan"]),
];

/// The country's first (English) name, capitalized ("France", "Czech Republic").
#[must_use]
pub fn english_name(iso: &str) -> String {
    let Some((_, names)) = COUNTRIES.iter().find(|(i, _)| *i == iso) else {
        return iso.to_string();
    };
    names
        .first()
        .map(|n| {
            n.split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| iso.to_string())
}

/// Countries named in a normalized text: (ISO code, byte offset), in text order, each place once.
#[must_use]
pub fn countries(s: &str) -> Vec<(&'static str, usize)> {
    let mut names: Vec<(&'static str, &'static str)> = COUNTRIES
        .iter()
        .flat_map(|(iso, names)| names.iter().map(move |n| (*iso, *n)))
        .collect();
    names.sort_by_key(|(_, n)| std::cmp::Reverse(n.len()));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for (iso, name) in names {
        let mut from = 0;
        while let Some(i) = find_word(&s[from..], name) {
            let start = from + i;
            let end = start + name.len();
            if !taken.iter().any(|(a, b)| start < *b && end > *a) {
                taken.push((start, end));
                out.push((iso, start));
            }
            from = end;
        }
    }
    out.sort_by_key(|(_, p)| *p);
    out
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

fn group_mentions(s: &str) -> Vec<(usize, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len() {
        if !(b'a'..=b'e').contains(&b[i]) || b.get(i + 1) != Some(&b':') {
            continue;
        }
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut j = i + 2;
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        let n = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 1 && !b.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
            out.push((
                i,
                format!("{}:{}", (b[i] as char).to_ascii_uppercase(), b[j] as char),
            ));
        }
    }
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

/// What a sentence says about countries' tiers and groups: (ISO code, placement).
#[must_use]
pub fn placements(s: &str, block: &str, doc_context: bool) -> Vec<(&'static str, Placement)> {
    let cs = countries(s);
    if cs.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let negated = any_word(
        s,
        &[
            "not in",
            "n'est pas",
            "ne sont pas",
            "nicht in",
            "no longer in",
        ],
    );
    let tiers = tier_mentions(s);
    if !tiers.is_empty() && (doc_context || tier_context(block)) && !negated {
        let down = any_word(s, DOWN);
        let up = any_word(s, UP);
        let moved = down
            || up
            || any_word(
                s,
                &[
                    "move*",
                    "moved",
                    "shift*",
                    "passe*",
                    "bascul*",
                    "verschoben",
                    "wechselt",
                    "rutscht",
                ],
            );
        // "from tier 1 to tier 2" / « du premier au deuxième niveau » / „von Stufe 1 in Stufe 2“.
        let explicit = if tiers.len() >= 2 {
            let (a, b) = (tiers[0], tiers[tiers.len() - 1]);
            let head = &s[..a.0];
            let from_word = ["from", "de", "du", "von", "aus"]
                .iter()
                .any(|w| head.trim_end().ends_with(w));
            (from_word && a.1 != b.1).then_some((a.1, b.1))
        } else {
            None
        };
        for (iso, pos) in &cs {
            let p = match explicit {
                Some((from, to)) => Placement::Tier {
                    tier: to,
                    from: Some(from),
                    moved: true,
                },
                None => {
                    let nearest = tiers
                        .iter()
                        .min_by_key(|(tp, _)| tp.abs_diff(*pos))
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
            };
            out.push((*iso, p));
        }
    }
    let groups = group_mentions(s);
    if !groups.is_empty() && !negated {
        let removed = any_word(
            s,
            &[
                "removed from",
                "removes",
                "taken off",
                "deleted from",
                "retiré*",
                "supprimé*",
                "sorti*",
                "gestrichen",
                "entfernt",
                "herausgenommen",
                "no longer",
            ],
        );
        let added = any_word(
            s,
            &[
                "added to",
                "adds",
                "moved to",
                "moves",
                "placed in",
                "placed on",
                "ajouté*",
                "inscrit*",
                "intégré*",
                "aufgenommen",
                "hinzugefügt",
                "verschoben",
            ],
        );
        let explicit = if groups.len() >= 2 {
            let head = &s[..groups[0].0];
            ["from", "de", "du", "von", "aus"]
                .iter()
                .any(|w| {
                    head.trim_end().ends_with(w) || head.contains(&format!("{w} country group"))
                })
                .then(|| (groups[0].1.clone(), groups[groups.len() - 1].1.clone()))
        } else {
            None
        };
        for (iso, pos) in &cs {
            let p = match &explicit {
                Some((from, to)) => Placement::Group {
                    group: to.clone(),
                    added: Some(true),
                    from_group: Some(from.clone()),
                },
                None => {
                    let g = groups
                        .iter()
                        .min_by_key(|(gp, _)| gp.abs_diff(*pos))
                        .map(|(_, g)| g.clone())
                        .unwrap_or_default();
                    let change = if removed {
                        Some(false)
                    } else if added {
                        Some(true)
                    } else {
                        None
                    };
                    Placement::Group {
                        group: g,
                        added: change,
                        from_group: None,
                    }
                }
            };
            out.push((*iso, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    fn isos(s: &str) -> Vec<&'static str> {
        countries(&norm(s)).into_iter().map(|(i, _)| i).collect()
    }

    #[test]
    fn names_and_aliases() {
        assert_eq!(
            isos("Republic of Korea, Corée du Sud and Südkorea"),
            vec!["KR", "KR", "KR"]
        );
        assert_eq!(
            isos("Türkiye (Turkey), Taïwan, Macao"),
            vec!["TR", "TR", "TW", "MO"]
        );
        assert_eq!(isos("North Korea and South Korea"), vec!["KP", "KR"]);
        assert!(isos("machine learning").is_empty());
    }

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
