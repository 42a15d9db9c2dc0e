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
    /// The gapped words' parts (an occurrence of each is needed for a match).
    parts_ac: Option<AhoCorasick>,
    /// Per gapped word: its non-empty parts' patterns in `parts_ac`.
    parts: Vec<Vec<usize>>,
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
        let mut part_pats: Vec<&str> = Vec::new();
        let parts = gapped
            .iter()
            .map(|w| {
                let w = w.strip_suffix('*').unwrap_or(w);
                w.split(" … ")
                    .filter(|p| !p.is_empty())
                    .map(|p| match part_pats.iter().position(|q| *q == p) {
                        Some(i) => i,
                        None => {
                            part_pats.push(p);
                            part_pats.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        let parts_ac = AhoCorasick::new(&part_pats).ok();
        ListMatcher {
            ac: AhoCorasick::new(&pats).ok(),
            prefix,
            parts_ac,
            parts,
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
        if self.gapped.is_empty() {
            return false;
        }
        // A gapped word is only searched when each of its parts occurs somewhere in the text
        // (as a substring): without one, its search finds nothing.
        let Some(parts_ac) = &self.parts_ac else {
            return any_word(hay, &self.gapped);
        };
        let mut present = vec![false; parts_ac.patterns_len()];
        for m in parts_ac.find_overlapping_iter(hay) {
            present[m.pattern().as_usize()] = true;
        }
        self.gapped
            .iter()
            .zip(&self.parts)
            .any(|(w, ps)| ps.iter().all(|p| present[*p]) && any_word(hay, &[w]))
    }
}

/// Where each word of a fixed list occurs in one text, found in one pass of an Aho-Corasick
/// automaton over the list's distinct words: a list searched word by word (a phrase group read
/// with [`crate::tag::text::find_word`]) asks the pass's occurrences instead of searching the text
/// once per word. Every answer is the word-by-word search's own, step for step (the same
/// non-overlapping walk over the occurrences, the same boundary tests); words with " … " gaps and
/// the empty word are searched the slow way.
#[derive(Debug, Clone)]
pub struct WordFinder {
    /// The distinct plain words.
    ac: Option<AhoCorasick>,
    /// Per word of the list: its pattern in `ac` (none: searched the slow way).
    pat: Vec<Option<u32>>,
    /// The words as given.
    words: Vec<String>,
}

/// Every occurrence of a [`WordFinder`]'s words in one text: (pattern, start), sorted.
#[derive(Debug, Clone, Default)]
pub struct Occurrences {
    hits: Vec<(u32, u32)>,
}

impl Occurrences {
    /// The starts of pattern `p`, in order.
    fn starts(&self, p: u32) -> impl Iterator<Item = usize> + '_ {
        let lo = self.hits.partition_point(|(q, _)| *q < p);
        self.hits[lo..]
            .iter()
            .take_while(move |(q, _)| *q == p)
            .map(|(_, s)| *s as usize)
    }

    /// The first start of pattern `p` at or after `from`.
    fn first_from(&self, p: u32, from: usize) -> Option<usize> {
        self.starts(p).find(|s| *s >= from)
    }
}

impl WordFinder {
    /// Compiles a list (its words taken literally: no `*` meaning here).
    #[must_use]
    pub fn new<S: AsRef<str>>(words: &[S]) -> WordFinder {
        let mut pats: Vec<&str> = Vec::new();
        let mut pat = Vec::new();
        for w in words {
            let w = w.as_ref();
            if w.is_empty() || w.contains(" … ") || u32::try_from(pats.len()).is_err() {
                pat.push(None);
                continue;
            }
            let i = match pats.iter().position(|p| *p == w) {
                Some(i) => i,
                None => {
                    pats.push(w);
                    pats.len() - 1
                }
            };
            pat.push(u32::try_from(i).ok());
        }
        WordFinder {
            ac: AhoCorasick::new(&pats).ok(),
            pat,
            words: words.iter().map(|w| w.as_ref().to_string()).collect(),
        }
    }

    /// The words, as given.
    #[must_use]
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Every occurrence of the list's plain words in `hay` (overlapping ones included).
    #[must_use]
    pub fn occurrences(&self, hay: &str) -> Occurrences {
        let mut hits = Vec::new();
        if let Some(ac) = &self.ac
            && u32::try_from(hay.len()).is_ok()
        {
            for m in ac.find_overlapping_iter(hay) {
                hits.push((m.pattern().as_u32(), m.start() as u32));
            }
        }
        hits.sort_unstable();
        Occurrences { hits }
    }

    /// The automaton's pattern for `words[i]`, when it was compiled (gapped and empty words are
    /// searched the slow way).
    fn compiled(&self, i: usize) -> Option<u32> {
        self.pat
            .get(i)
            .copied()
            .flatten()
            .filter(|_| self.ac.is_some())
    }

    /// [`crate::tag::text::find_word`]`(&hay[from..], words[i])`, as an offset into `hay`;
    /// `occ` is [`Self::occurrences`] of `hay`.
    #[must_use]
    pub fn find_word_from(
        &self,
        occ: &Occurrences,
        hay: &str,
        from: usize,
        i: usize,
    ) -> Option<usize> {
        let w = self.words.get(i)?;
        let Some(p) = self.compiled(i) else {
            return crate::tag::text::find_word(&hay[from..], w).map(|j| from + j);
        };
        // The walk of `find_plain` over `hay[from..]`: the first occurrence, else the first one
        // after its end.
        let sub = &hay[from..];
        let mut at = from;
        while let Some(s) = occ.first_from(p, at) {
            if at_word_boundaries(sub, s - from, s - from + w.len(), false) {
                return Some(s);
            }
            at = s + w.len().max(1);
            while !hay.is_char_boundary(at) {
                at += 1;
            }
        }
        None
    }

    /// The first start of `words[i]` as a prefix at a word start: the walk of a literal
    /// `str::find` from each failed start's end, a start counting when no letter or digit stands
    /// before it (as the rescission words' `*` needles are searched).
    #[must_use]
    pub fn find_prefix(&self, occ: &Occurrences, hay: &str, i: usize) -> Option<usize> {
        let w = self.words.get(i)?;
        let starts_word = |at: usize| {
            hay[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        };
        let Some(p) = self.compiled(i) else {
            return crate::tag::text::find_prefix_at_word_start(hay, w);
        };
        let mut from = 0;
        loop {
            let at = occ.first_from(p, from)?;
            if starts_word(at) {
                return Some(at);
            }
            from = at + w.len();
        }
    }

    /// [`crate::tag::text::find_all`]`(hay, words[i])`: the literal occurrences, left to right,
    /// each after the end of the one before.
    #[must_use]
    pub fn find_all(&self, occ: &Occurrences, hay: &str, i: usize) -> Vec<usize> {
        let Some(w) = self.words.get(i) else {
            return Vec::new();
        };
        let Some(p) = self.compiled(i) else {
            return crate::tag::text::find_all(hay, w).collect();
        };
        let mut out = Vec::new();
        let mut from = 0;
        for s in occ.starts(p) {
            if s >= from {
                out.push(s);
                from = s + w.len();
            }
        }
        out
    }

    /// [`crate::tag::text::find_word`]`(hay, words[i])`.
    #[must_use]
    pub fn find_word(&self, occ: &Occurrences, hay: &str, i: usize) -> Option<usize> {
        self.find_word_from(occ, hay, 0, i)
    }
}

#[cfg(test)]
mod tests {
    use super::{ListMatcher, WordFinder};
    use crate::tag::text::{any_word, find_word};

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
            "vom senat verabschiedet",
            "vom senat … verabschiedet",
            "senat vom verabschiedet",
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

    #[test]
    fn the_finder_agrees_with_the_word_search() {
        let pieces = [
            "a", "ab", "b", " ", "é", "e", "ba", "1", "-", "a a", ":", "\u{2019}",
        ];
        let mut seed = 7u64;
        let mut next = |m: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % m
        };
        for _ in 0..5_000 {
            let hay: String = (0..next(30)).map(|_| pieces[next(pieces.len())]).collect();
            let words: Vec<String> = (0..next(6))
                .map(|_| (0..next(4)).map(|_| pieces[next(pieces.len())]).collect())
                .chain(["a … b".to_string()])
                .collect();
            let f = WordFinder::new(&words);
            let occ = f.occurrences(&hay);
            for (i, w) in words.iter().enumerate() {
                assert_eq!(
                    f.find_word(&occ, &hay, i),
                    find_word(&hay, w),
                    "{hay:?} {w:?}"
                );
                assert_eq!(
                    f.find_all(&occ, &hay, i),
                    crate::tag::text::find_all(&hay, w).collect::<Vec<_>>(),
                    "{hay:?} {w:?}"
                );
                if !w.is_empty() {
                    let literal = crate::tag::text::find_prefix_at_word_start(&hay, w);
                    assert_eq!(f.find_prefix(&occ, &hay, i), literal, "{hay:?} {w:?}");
                }
                for from in 0..=hay.len() {
                    if hay.is_char_boundary(from) {
                        assert_eq!(
                            f.find_word_from(&occ, &hay, from, i),
                            find_word(&hay[from..], w).map(|j| from + j),
                            "{hay:?} {w:?} {from}"
                        );
                    }
                }
            }
        }
    }
}
