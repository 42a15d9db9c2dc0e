//! Countries by name (EN/FR/DE, with aliases) → ISO 3166 alpha-2, and back to an English name.

use crate::tag::text::find_word;

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
}
