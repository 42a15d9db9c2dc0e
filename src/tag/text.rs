//! Text helpers for the tagger: normalization for matching, sentences, language guess, words.

use crate::model::Lang;

/// A sentence of a block, with the block it came from.
#[derive(Debug, Clone)]
pub struct Sentence<'a> {
    /// The sentence as written (trimmed).
    pub text: &'a str,
    /// Lower-cased, typography-normalized copy used for matching.
    pub norm: String,
    /// Lower-cased copy of the whole block (for context checks).
    pub block: &'a str,
}

/// Lower-case, with typographic apostrophes, quotes, dashes and odd spaces made plain, and
/// amounts written in words as digits ([`super::spelled`]).
#[must_use]
pub fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Entities left in plain text (EUR-Lex copies): a non-breaking space is a space.
    let s = if s.contains("&nbsp;") {
        std::borrow::Cow::Owned(s.replace("&nbsp;", " "))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    for c in s.chars() {
        // Most of a page is ASCII: the same mapping without the general case's tables.
        if c.is_ascii() {
            out.push(match c {
                '`' => '\'',
                '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' => ' ',
                c => c.to_ascii_lowercase(),
            });
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{201A}' | '\u{2039}' | '\u{203A}' | '\u{02BC}' | '`'
            | '\u{00B4}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                out.push('-')
            }
            c if c.is_whitespace() => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    super::spelled::digits(&out)
}

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "u.s", "h.r", "s", "r", "st", "mr", "mrs", "dr", "vs", "e.g", "i.e", "etc", "art", "nr",
    "abs", "z.b", "vgl", "ca", "inc", "corp", "ltd", "co", "sec", "pub", "l", "janv", "févr",
    "avr", "juil", "déc", "m", "mio", "mrd", "bzw", "u.a",
];

/// Words that open a sentence and never follow an ordinal ("2. Stufe", "15. Mai" do): after a
/// short number and a full stop, they start a new sentence.
const SENTENCE_OPENERS: &[&str] = &[
    "It", "Its", "This", "That", "These", "They", "The", "He", "She", "We", "In", "On", "As",
    "But", "However", "Since", "From", "Under", "Es", "Er", "Sie", "Das", "Der", "Die", "Dies",
    "Diese", "Damit", "Seit", "Nun", "Zudem", "Auch", "Dabei", "Wir", "Il", "Elle", "Ils", "Elles",
    "Le", "La", "Les", "Ce", "Cette", "Cela", "Depuis", "Mais", "Nous",
];

/// Splits a block into sentences (on `.`, `!`, `?`, `;` followed by a space and a capital or quote,
/// not after a known abbreviation or inside a number).
#[must_use]
pub fn sentences(block: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = block.char_indices().collect();
    for i in 0..chars.len() {
        let (pos, c) = chars[i];
        if !matches!(c, '.' | '!' | '?' | ';') {
            continue;
        }
        let Some(&(_, next)) = chars.get(i + 1) else {
            continue;
        };
        if !next.is_whitespace() {
            continue;
        }
        let Some(&(_, after)) = chars.get(i + 2) else {
            continue;
        };
        if !(after.is_uppercase() || matches!(after, '"' | '«' | '„' | '“' | '(' | '[')) {
            continue;
        }
        if c == '.' {
            let word: String = block[start..pos]
                .rsplit(|ch: char| ch.is_whitespace() || ch == '(')
                .next()
                .unwrap_or("")
                .to_lowercase();
            // German ordinals ("15. Mai") and single letters ("S. 3150") do not end sentences;
            // a short number before a word that opens sentences does ("… in Tier 2. It now …",
            // „… in Stufe 2. Es …“).
            let next_word: String = block[pos + 1..]
                .trim_start()
                .chars()
                .take_while(|ch| ch.is_alphabetic() || *ch == '\'')
                .collect();
            let short_number =
                word.len() <= 2 && !word.is_empty() && word.chars().all(|ch| ch.is_ascii_digit());
            if ABBREVIATIONS.contains(&word.as_str())
                || (word.len() == 1 && word.chars().all(char::is_alphabetic))
                || (short_number && !SENTENCE_OPENERS.contains(&next_word.as_str()))
            {
                continue;
            }
        }
        let s = block[start..=pos].trim();
        if !s.is_empty() {
            out.push(s);
        }
        start = pos + c.len_utf8();
    }
    let rest = block[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Guesses the language of a text from common short words.
#[must_use]
pub fn guess_lang(text: &str) -> Lang {
    const FR: &[&str] = &[
        "le", "la", "les", "des", "est", "et", "une", "du", "pour", "dans", "sur", "qui", "au",
        "aux", "pas", "sont", "d'un", "d'une", "l'", "cette",
    ];
    const DE: &[&str] = &[
        "der", "die", "das", "und", "ist", "mit", "für", "von", "den", "dem", "nicht", "ein",
        "eine", "auf", "wird", "sich", "auch", "zu", "im",
    ];
    const EN: &[&str] = &[
        "the", "and", "is", "of", "for", "with", "to", "in", "that", "are", "be", "by", "on",
        "this", "will", "an",
    ];
    let lower = norm(text);
    let (mut fr, mut de, mut en) = (0, 0, 0);
    for w in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        if FR.contains(&w) {
            fr += 1;
        }
        if DE.contains(&w) {
            de += 1;
        }
        if EN.contains(&w) {
            en += 1;
        }
    }
    if fr > en && fr >= de {
        Lang::Fr
    } else if de > en && de > fr {
        Lang::De
    } else {
        Lang::En
    }
}

/// True when `needle` occurs in `hay` at word boundaries (both already normalized).
#[must_use]
pub fn has_word(hay: &str, needle: &str) -> bool {
    find_word(hay, needle).is_some()
}

/// Byte offset of the first occurrence of `needle` at word boundaries. A needle with gaps
/// ("vom senat … verabschiedet") matches its parts in order, at most 120 bytes apart (German puts
/// the verb at the end of the clause).
#[must_use]
pub fn find_word(hay: &str, needle: &str) -> Option<usize> {
    if needle.contains(" … ") {
        return find_gapped(hay, needle);
    }
    find_plain(hay, needle)
}

/// [`find_word`] for a needle with " … " gaps.
fn find_gapped(hay: &str, needle: &str) -> Option<usize> {
    let parts: Vec<&str> = needle.split(" … ").collect();
    let first = parts.first()?;
    let mut from = 0;
    while let Some(i) = find_plain(&hay[from..], first) {
        let start = from + i;
        let mut at = start + first.len();
        let ok = parts[1..].iter().all(|p| {
            let window_end = hay.floor_char_boundary((at + 120 + p.len()).min(hay.len()));
            match find_plain(&hay[at..window_end], p) {
                Some(j) => {
                    at += j + p.len();
                    true
                }
                None => false,
            }
        });
        if ok {
            return Some(start);
        }
        from = start + first.len().max(1);
        // A word whose first part is empty (" … x") must still end at the text's end.
        if from > hay.len() {
            break;
        }
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// The first occurrence of `needle` in `hay` (as [`str::find`], with a vectorized search).
fn find_bytes(hay: &str, needle: &str) -> Option<usize> {
    find_str(hay, needle)
}

/// Haystacks shorter than this (a sentence, a short block) are searched from each place the
/// needle's first byte occurs: building a vectorized searcher for every word of a list costs
/// more than such a search.
const SHORT_HAY: usize = 512;

/// The byte offset of the first occurrence of `needle` in `hay`, exactly as [`str::find`] gives
/// it (a valid UTF-8 needle found in valid UTF-8 text starts at a character boundary), without
/// building a searcher for a short `hay`.
#[must_use]
pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if h.len() >= SHORT_HAY {
        return memchr::memmem::find(h, n);
    }
    let Some((&first, rest)) = n.split_first() else {
        return Some(0);
    };
    if n.len() > h.len() {
        return None;
    }
    find_from(h, first, rest, 0)
}

/// The first offset at or after `from` where `h` holds `first` followed by `rest`.
fn find_from(h: &[u8], first: u8, rest: &[u8], from: usize) -> Option<usize> {
    let last = h.len().checked_sub(rest.len() + 1)?;
    let mut i = from;
    while i <= last {
        let k = i + memchr::memchr(first, &h[i..=last])?;
        if h[k + 1..=k + rest.len()] == *rest {
            return Some(k);
        }
        i = k + 1;
    }
    None
}

/// The byte offsets at or after `from` where `needle` (not empty) starts in `hay`, overlapping
/// ones included, left to right: each place `hay[i..].starts_with(needle)` holds.
pub fn starts_from<'a>(
    hay: &'a str,
    needle: &'a str,
    from: usize,
) -> impl Iterator<Item = usize> + 'a {
    let h = hay.as_bytes();
    let (first, rest) = needle
        .as_bytes()
        .split_first()
        .map_or((0, &[][..]), |(f, r)| (*f, r));
    let mut at = if needle.is_empty() { usize::MAX } else { from };
    std::iter::from_fn(move || {
        if at > h.len() {
            return None;
        }
        let k = find_from(h, first, rest, at)?;
        at = k + 1;
        Some(k)
    })
}

/// The byte offsets of the non-overlapping occurrences of `needle` in `hay`, left to right,
/// exactly as [`str::match_indices`] gives them.
pub fn find_all<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        if needle.is_empty() {
            // As `match_indices("")`: every character boundary, the end included.
            let at = from;
            match hay[from..].chars().next() {
                Some(c) => from += c.len_utf8(),
                None => done = true,
            }
            return Some(at);
        }
        let at = from + find_str(&hay[from..], needle)?;
        from = at + needle.len();
        Some(at)
    })
}

/// The first occurrence of `prefix` that starts a word (no letter or digit right before it),
/// searched as a literal `str::find` resumed after each failed occurrence's end.
#[must_use]
pub fn find_prefix_at_word_start(hay: &str, prefix: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = hay[from..].find(prefix)? + from;
        if hay[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
        {
            return Some(at);
        }
        from = at + prefix.len();
    }
}

/// [`find_word`] for a plain needle.
fn find_plain(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_bytes(&hay[from..], needle) {
        let s = from + i;
        if at_word_boundaries(hay, s, s + needle.len(), false) {
            return Some(s);
        }
        from = s + needle.len().max(1);
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Whether the match `hay[start..end]` stands at word boundaries: no letter or digit glued before
/// it, nor after it unless it is a `prefix`. A match that starts or ends with punctuation
/// (": introduced") brings its own boundary on that side.
#[must_use]
pub fn at_word_boundaries(hay: &str, start: usize, end: usize, prefix: bool) -> bool {
    let m = &hay[start..end];
    let before_ok = !m.starts_with(char::is_alphanumeric)
        || !hay[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
    let after_ok = prefix
        || !m.ends_with(char::is_alphanumeric)
        || !hay[end..].chars().next().is_some_and(char::is_alphanumeric);
    before_ok && after_ok
}

/// True when any of the needles occurs at word boundaries. Needles ending in `*` match as
/// prefixes ("rescind*" matches "rescinded").
#[must_use]
pub fn any_word<S: AsRef<str>>(hay: &str, needles: &[S]) -> bool {
    needles.iter().any(|n| match n.as_ref().strip_suffix('*') {
        Some(prefix) => has_prefix_word(hay, prefix),
        None => has_word(hay, n.as_ref()),
    })
}

/// True when a word starting with `prefix` occurs (prefix at a word start).
#[must_use]
pub fn has_prefix_word(hay: &str, prefix: &str) -> bool {
    let mut from = 0;
    while let Some(i) = find_bytes(&hay[from..], prefix) {
        let s = from + i;
        if hay[..s]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
        {
            return true;
        }
        from = s + prefix.len().max(1);
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Words that open a new clause after ", and" (not a list's last item: "China, Russia, and Iran").
const CLAUSE_OPENERS: &[&str] = &[
    "this", "the", "it", "that", "these", "bis", "commerce", "we", "la", "le", "die", "der", "das",
];

/// Where the clauses of a (normalized) sentence meet: at ";", at "while"/« tandis que »/
/// „während“ after a comma, and at ", and"/« , et »/„, und“ followed by a clause opener.
#[must_use]
pub fn clause_cuts(s: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = s.match_indices(';').map(|(i, _)| i).collect();
    for sep in [", while ", ", tandis que ", ", während "] {
        cuts.extend(s.match_indices(sep).map(|(i, _)| i));
    }
    for sep in [", and ", ", et ", ", und "] {
        for (i, _) in s.match_indices(sep) {
            let next = s[i + sep.len()..]
                .split_whitespace()
                .next()
                .unwrap_or_default();
            if CLAUSE_OPENERS.contains(&next) {
                cuts.push(i);
            }
        }
    }
    cuts.sort_unstable();
    cuts
}

/// The clauses of a sentence, cut where [`clause_cuts`] says.
#[must_use]
pub fn clauses(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for c in clause_cuts(s) {
        out.push(&s[start..c]);
        start = c;
    }
    out.push(&s[start..]);
    out
}

/// The clause of `s` around byte offset `pos`.
#[must_use]
pub fn clause_at(s: &str, pos: usize) -> &str {
    let cuts = clause_cuts(s);
    let start = cuts.iter().rev().find(|c| **c < pos).copied().unwrap_or(0);
    let end = cuts.iter().find(|c| **c >= pos).copied().unwrap_or(s.len());
    &s[start..end]
}

/// Words of a normalized text (letters, digits, apostrophes, `:` and `.` inside tokens kept).
#[must_use]
pub fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '[' | ']'))
        .map(|w| w.trim_end_matches(['.', ':', '!', '?']))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gapped_word_with_an_empty_part_ends() {
        assert_eq!(find_word("abc", " … x"), None);
        assert_eq!(find_word("", " … x"), None);
        assert_eq!(
            find_word("vom senat heute verabschiedet", "vom senat … verabschiedet"),
            Some(0)
        );
    }

    #[test]
    fn sentence_split_respects_abbreviations_and_numbers() {
        let s = sentences("See S. 3150 and H.R. 5885. The TPP is 4,800.5 or more. Next one; Done");
        assert_eq!(
            s,
            vec![
                "See S. 3150 and H.R. 5885.",
                "The TPP is 4,800.5 or more.",
                "Next one;",
                "Done"
            ]
        );
        // An ordinal before a noun or month goes on; a short number before a sentence opener
        // ends the sentence.
        assert_eq!(
            sentences(
                "Ab dem 15. Mai gilt die 2. Stufe. Israel war in Stufe 2. Es gehört nun zu Stufe 1."
            ),
            vec![
                "Ab dem 15. Mai gilt die 2. Stufe.",
                "Israel war in Stufe 2.",
                "Es gehört nun zu Stufe 1."
            ]
        );
        assert_eq!(
            sentences("Singapore was in Tier 2. It now sits in Tier 1."),
            vec!["Singapore was in Tier 2.", "It now sits in Tier 1."]
        );
    }

    #[test]
    fn the_short_search_agrees_with_the_standard_one() {
        let pieces = [
            "a", "ab", "b", " ", "é", "ée", "e", "ba", "aa", "\u{2019}", "x",
        ];
        let mut seed = 3u64;
        let mut next = |m: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % m
        };
        for _ in 0..20_000 {
            let hay: String = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
            let needle: String = (0..next(4)).map(|_| pieces[next(pieces.len())]).collect();
            assert_eq!(
                find_str(&hay, &needle),
                hay.find(&needle),
                "{hay:?} {needle:?}"
            );
            let ours: Vec<usize> = find_all(&hay, &needle).collect();
            let std: Vec<usize> = hay.match_indices(&needle).map(|(i, _)| i).collect();
            assert_eq!(ours, std, "{hay:?} {needle:?}");
            if !needle.is_empty() {
                let from = next(hay.len() + 2);
                let ours: Vec<usize> = starts_from(&hay, &needle, from).collect();
                let std: Vec<usize> = hay
                    .char_indices()
                    .filter(|(i, _)| *i >= from && hay[*i..].starts_with(needle.as_str()))
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(ours, std, "{hay:?} {needle:?} {from}");
            }
        }
        // Long haystacks take the vectorized search.
        let long = "ab ".repeat(400) + "ée";
        assert_eq!(find_str(&long, "ée"), long.find("ée"));
        assert_eq!(
            find_all(&long, "b a").count(),
            long.match_indices("b a").count()
        );
    }

    #[test]
    fn words_and_prefixes() {
        assert!(any_word("the rule was rescinded today", &["rescind*"]));
        assert!(!any_word("prerescinded", &["rescind*"]));
        assert!(has_word("tier 1 country", "tier 1"));
        assert!(!has_word("tier 10", "tier 1"));
    }

    #[test]
    fn language_guess() {
        assert_eq!(
            guess_lang("La France est reléguée au deuxième niveau pour les puces"),
            Lang::Fr
        );
        assert_eq!(
            guess_lang("Die Obergrenze für die Chips ist nicht erhöht worden"),
            Lang::De
        );
        assert_eq!(guess_lang("The threshold of the rule is 4,800"), Lang::En);
    }
}
