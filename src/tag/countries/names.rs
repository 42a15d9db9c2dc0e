//! Countries by name (EN/FR/DE, with aliases) → ISO 3166 alpha-2, and back to an English name.

use crate::tag::packs;

/// The country's first (English) name, capitalized ("France", "Czech Republic").
#[must_use]
pub fn english_name(iso: &str) -> String {
    let Some(names) = packs::groups("countries")
        .iter()
        .find(|g| g.key == iso)
        .map(|g| &g.words)
    else {
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
    let Some((ac, isos)) = COUNTRY_NAMES.as_ref() else {
        return Vec::new();
    };
    // Leftmost-longest: "republic of korea" wins over "korea", and names never overlap.
    ac.find_iter(s)
        // German genitives count as the name: „die Aufnahme Griechenlands“, „Polens Status“.
        .filter(|m| {
            crate::tag::text::at_word_boundaries(s, m.start(), m.end(), false)
                || (s[m.end()..].starts_with('s')
                    && crate::tag::text::at_word_boundaries(s, m.start(), m.end() + 1, false))
        })
        .filter_map(|m| {
            isos.get(m.pattern().as_usize())
                .map(|iso| (*iso, m.start()))
        })
        .collect()
}

/// Every country name of the pack in one automaton, with the ISO code of each pattern.
static COUNTRY_NAMES: std::sync::LazyLock<Option<(aho_corasick::AhoCorasick, Vec<&'static str>)>> =
    std::sync::LazyLock::new(|| {
        let (names, isos): (Vec<&'static str>, Vec<&'static str>) = packs::groups("countries")
            .iter()
            .flat_map(|g| g.words.iter().map(move |n| (n.as_str(), g.key.as_str())))
            .unzip();
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&names)
            .ok()
            .map(|ac| (ac, isos))
    });

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
