//! Countries by name (EN/FR/DE, with aliases) → ISO 3166 alpha-2, and back to an English name.

use crate::tag::packs;
use crate::tag::text::find_word;

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
    let mut names: Vec<(&'static str, &'static str)> = packs::groups("countries")
        .iter()
        .flat_map(|g| g.words.iter().map(move |n| (g.key.as_str(), n.as_str())))
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
