//! Word-list matching in one pass: an Aho-Corasick automaton over a list's words, with the same
//! rules as [`crate::tag::text::any_word`] (whole words; a trailing `*` matches any ending;
//! " … " gaps are matched part by part).

use aho_corasick::AhoCorasick;

use crate::tag::text::{any_word, at_word_boundaries};

/// A compiled word list.
#[derive(Debug, Clone)]
pub struct ListMatcher {
    /// Plain words and prefixes (without their `*`).
    ac: Option<AhoCorasick>,
    /// Per pattern: whether it is a prefix (`word*`).
    prefix: Vec<bool>,
    /// Words with gaps, matched the slow way.
    gapped: Vec<String>,
}

impl ListMatcher {
    /// Compiles a list.
    #[must_use]
    pub fn new(words: &[String]) -> ListMatcher {
        let mut pats = Vec::new();
        let mut prefix = Vec::new();
        let mut gapped = Vec::new();
        for w in words {
            if w.contains(" … ") {
                gapped.push(w.clone());
            } else if let Some(p) = w.strip_suffix('*') {
                pats.push(p.to_string());
                prefix.push(true);
            } else {
                pats.push(w.clone());
                prefix.push(false);
            }
        }
        ListMatcher {
            ac: AhoCorasick::new(&pats).ok(),
            prefix,
            gapped,
        }
    }

    /// Whether `hay` holds one of the words at word boundaries.
    #[must_use]
    pub fn any(&self, hay: &str) -> bool {
        // Most texts hold none of a list's words anywhere: one search that stops at the first
        // occurrence (and skips ahead on the words' rare bytes) settles those; the overlapping
        // search then only runs where a word occurs, to test its boundaries.
        if let Some(ac) = self.ac.as_ref().filter(|ac| ac.is_match(hay)) {
            let found = ac.find_overlapping_iter(hay).any(|m| {
                let prefix = self
                    .prefix
                    .get(m.pattern().as_usize())
                    .copied()
                    .unwrap_or(false);
                at_word_boundaries(hay, m.start(), m.end(), prefix)
            });
            if found {
                return true;
            }
        }
        !self.gapped.is_empty() && any_word(hay, &self.gapped)
    }
}

#[cfg(test)]
mod tests {
    use super::ListMatcher;
    use crate::tag::text::any_word;

    #[test]
    fn agrees_with_the_word_by_word_matcher() {
        let words: Vec<String> = [
            "cap",
            "limit*",
            "no more than",
            "≥",
            "vom senat … verabschiedet",
            "de",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        let m = ListMatcher::new(&words);
        for hay in [
            "capacity grows",
            "capped at",
            "a cap of 50,000",
            "limited to",
            "unlimited supply",
            "no more than 1,700",
            "tpp ≥ 4800",
            "vom senat am mittwoch verabschiedet",
            "made in taiwan",
            "seuil de 4 800",
        ] {
            assert_eq!(m.any(hay), any_word(hay, &words), "{hay}");
        }
    }
}
