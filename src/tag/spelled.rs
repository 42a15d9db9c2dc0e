//! Numbers written in words ("fifty thousand", « cinquante mille », „fünfzigtausend“), turned into
//! digits in normalized text so the number readers see them. Only amounts of a hundred or more
//! are rewritten: "one of the rules" and "tier one" stay words.

/// Number words (lower case) and their value; `*` marks a multiplier.
const MORPHEMES: &[(&str, u64)] = &[
    // English.
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("thousand", 1_000),
    ("million", 1_000_000),
    // French.
    ("un", 1),
    ("une", 1),
    ("deux", 2),
    ("trois", 3),
    ("quatre-vingts", 80),
    ("quatre-vingt", 80),
    ("quatre", 4),
    ("cinq", 5),
    ("sept", 7),
    ("huit", 8),
    ("neuf", 9),
    ("dix", 10),
    ("onze", 11),
    ("douze", 12),
    ("treize", 13),
    ("quatorze", 14),
    ("quinze", 15),
    ("seize", 16),
    ("vingt", 20),
    ("trente", 30),
    ("quarante", 40),
    ("cinquante", 50),
    ("soixante", 60),
    ("cents", 100),
    ("cent", 100),
    ("mille", 1_000),
    ("millions", 1_000_000),
    ("milliards", 1_000_000_000),
    ("milliard", 1_000_000_000),
    // German (compounds are split into these).
    ("eins", 1),
    ("eine", 1),
    ("ein", 1),
    ("zwei", 2),
    ("drei", 3),
    ("vier", 4),
    ("fünf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("acht", 8),
    ("neun", 9),
    ("zehn", 10),
    ("elf", 11),
    ("zwölf", 12),
    ("zwanzig", 20),
    ("dreißig", 30),
    ("vierzig", 40),
    ("fünfzig", 50),
    ("sechzig", 60),
    ("siebzig", 70),
    ("achtzig", 80),
    ("neunzig", 90),
    ("hundert", 100),
    ("tausend", 1_000),
    ("millionen", 1_000_000),
    ("milliarden", 1_000_000_000),
    ("milliarde", 1_000_000_000),
    ("und", 0),
];

/// Punctuation that may close a word of a run ("cent,", "percent.").
const CLOSERS: [char; 5] = [',', '.', ';', ':', ')'];

/// Whether `words[k]` is the "cent" of "per cent" / « pour cent » (a percent sign in words, not
/// a hundred).
fn percent_cent(words: &[&str], k: usize) -> bool {
    words[k].trim_end_matches(CLOSERS) == "cent" && k > 0 && matches!(words[k - 1], "per" | "pour")
}

/// Whether a rate word follows at `end` ("fifteen percent", « quinze pour cent », „fünfzehn
/// Prozent“).
fn rate_after(words: &[&str], end: usize) -> bool {
    words.get(end).is_some_and(|w| {
        matches!(w.trim_end_matches(CLOSERS), "percent" | "prozent" | "%")
            || (matches!(*w, "per" | "pour")
                && words.get(end + 1).is_some_and(|x| x.starts_with("cent")))
    })
}

/// Words that may join number words ("one hundred and fifty", « vingt et un »).
const JOINERS: &[&str] = &["and", "et", "und"];

/// The morphemes a word is made of (greedy, longest first), or `None` if it is not a number word.
fn split(word: &str) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    let mut rest = word;
    while !rest.is_empty() {
        rest = rest.trim_start_matches('-');
        if rest.is_empty() {
            break;
        }
        let first = rest.as_bytes()[0];
        let (m, v) = MORPHEMES
            .iter()
            .filter(|(m, _)| m.as_bytes()[0] == first && rest.starts_with(m))
            .max_by_key(|(m, _)| m.len())?;
        out.push(*v);
        rest = &rest[m.len()..];
    }
    (!out.is_empty()).then_some(out)
}

/// The value of a run of morphemes: units add up, hundred multiplies what is pending, thousand
/// and above close a group.
fn value(ms: &[u64]) -> u64 {
    let (mut total, mut current) = (0u64, 0u64);
    for &m in ms {
        match m {
            0 => {}
            100 => current = current.max(1).saturating_mul(100),
            m if m >= 1_000 => {
                total = total.saturating_add(current.max(1).saturating_mul(m));
                current = 0;
            }
            m => current = current.saturating_add(m),
        }
    }
    total.saturating_add(current)
}

/// Magnitude words: an amount of a hundred or more holds one.
const MAGNITUDES: &[&str] = &[
    "hundred", "thousand", "million", "mille", "cent", "hundert", "tausend", "milliard", "percent",
    "prozent",
];

/// The magnitude words, found in one pass.
static MAGNITUDE_FINDER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(MAGNITUDES).ok());

/// The byte offsets in `s` where a magnitude word occurs, in order (every word holding one
/// has one of them).
fn magnitude_offsets(s: &str) -> Vec<usize> {
    match &*MAGNITUDE_FINDER {
        Some(ac) => ac.find_iter(s).map(|m| m.start()).collect(),
        None => {
            let mut at: Vec<usize> = MAGNITUDES
                .iter()
                .flat_map(|m| s.match_indices(m).map(|(i, _)| i))
                .collect();
            at.sort_unstable();
            at
        }
    }
}

/// Words a run of number words may span on each side of its magnitude word.
const RUN_REACH: usize = 8;

/// Digit words read one by one after a decimal word ("five point nine two", « cinq virgule neuf
/// deux », „fünf Komma neun zwei“).
const DIGIT_WORDS: &[(&str, char)] = &[
    ("zero", '0'),
    ("one", '1'),
    ("two", '2'),
    ("three", '3'),
    ("four", '4'),
    ("five", '5'),
    ("six", '6'),
    ("seven", '7'),
    ("eight", '8'),
    ("nine", '9'),
    ("zéro", '0'),
    ("un", '1'),
    ("deux", '2'),
    ("trois", '3'),
    ("quatre", '4'),
    ("cinq", '5'),
    ("sept", '7'),
    ("huit", '8'),
    ("neuf", '9'),
    ("null", '0'),
    ("eins", '1'),
    ("zwei", '2'),
    ("drei", '3'),
    ("vier", '4'),
    ("fünf", '5'),
    ("sechs", '6'),
    ("sieben", '7'),
    ("acht", '8'),
    ("neun", '9'),
];

/// Rewrites a decimal spelled digit by digit ("five point nine two" → "5.92"; « virgule » and
/// „Komma“ give "5,92", the decimal comma their languages read).
fn spelled_decimals(s: &str) -> String {
    let digit = |w: &str| {
        DIGIT_WORDS
            .iter()
            .find(|(d, _)| *d == w.trim_end_matches(['.', ',', ';', ':', ')']))
            .map(|(_, c)| *c)
    };
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let sep = match words.get(i + 1).copied() {
            Some("point") => Some('.'),
            Some("virgule" | "komma") => Some(','),
            _ => None,
        };
        if let (Some(sep), Some(int)) = (sep, digit(words[i]))
            && words.get(i + 2).is_some_and(|w| digit(w).is_some())
        {
            let mut num = format!("{int}{sep}");
            let mut j = i + 2;
            let mut tail = "";
            while let Some(w) = words.get(j) {
                let Some(d) = digit(w) else { break };
                num.push(d);
                j += 1;
                let bare = w.trim_end_matches(['.', ',', ';', ':', ')']);
                if bare.len() < w.len() {
                    tail = &w[bare.len()..];
                    break;
                }
            }
            num.push_str(tail);
            out.push(num);
            i = j;
            continue;
        }
        out.push(words[i].to_string());
        i += 1;
    }
    out.join(" ")
}

/// Rewrites spelled amounts of at least 100 in a normalized (lower-case) text as digits.
#[must_use]
pub fn digits(s: &str) -> String {
    let decimals;
    let s = if s.contains(" point ") || s.contains(" virgule ") || s.contains(" komma ") {
        decimals = spelled_decimals(s);
        decimals.as_str()
    } else {
        s
    };
    // Cheap test before the rewrite: a magnitude word occurs.
    let found = magnitude_offsets(s);
    if found.is_empty() {
        return s.to_string();
    }
    let words: Vec<&str> = s.split(' ').collect();
    // Only words near a magnitude word can belong to an amount of a hundred or more: the others
    // are not split into morphemes at all (most of a long page).
    let mut starts = Vec::with_capacity(words.len());
    let mut at = 0;
    for w in &words {
        starts.push(at);
        at += w.len() + 1;
    }
    let mut near = vec![false; words.len()];
    let mut last = None;
    for pos in found {
        let k = starts.partition_point(|&st| st <= pos).saturating_sub(1);
        if last != Some(k) {
            last = Some(k);
            let end = (k + RUN_REACH + 1).min(words.len());
            near[k.saturating_sub(RUN_REACH)..end].fill(true);
        }
    }
    // The words (or amounts) joined by single spaces, as they are decided.
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < words.len() {
        if i > 0 {
            out.push(' ');
        }
        let percent = |k: usize| percent_cent(&words, k);
        if !near[i] || percent(i) {
            out.push_str(words[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        let mut ms = Vec::new();
        let mut end = i;
        // Punctuation closing the run ("… huit cents."), kept after the number.
        let mut tail = "";
        while j < words.len() && near[j] && !percent(j) {
            let w = words[j];
            if j > i && JOINERS.contains(&w) {
                j += 1;
                continue;
            }
            let bare = w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let Some(parts) = split(bare) else { break };
            ms.extend(parts);
            j += 1;
            end = j;
            if bare.len() < w.len() {
                tail = &w[bare.len()..];
                break;
            }
        }
        let v = value(&ms);
        // "790 millions": a magnitude word after digits is the number readers' business (what
        // is written so far ends with the last word or amount, then this word's space).
        let written = &out[..out.len() - usize::from(i > 0)];
        let after_digits = i > 0 && written.ends_with(|c: char| c.is_ascii_digit());
        let rate_after = rate_after(&words, end);
        if end > i && (v >= 100 || (rate_after && v > 0 && tail.is_empty())) && !after_digits {
            out.push_str(&v.to_string());
            out.push_str(tail);
            i = end;
        } else {
            out.push_str(words[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{JOINERS, MAGNITUDES, RUN_REACH, digits, percent_cent, rate_after, split, value};

    /// The rewrite as first written (a `String` per word, every word searched for every
    /// magnitude word): the one-pass version must agree with it.
    fn reference(s: &str) -> String {
        if !MAGNITUDES.iter().any(|w| s.contains(w)) {
            return s.to_string();
        }
        let words: Vec<&str> = s.split(' ').collect();
        let mut near = vec![false; words.len()];
        for (k, w) in words.iter().enumerate() {
            if MAGNITUDES.iter().any(|m| w.contains(m)) {
                let end = (k + RUN_REACH + 1).min(words.len());
                near[k.saturating_sub(RUN_REACH)..end].fill(true);
            }
        }
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let percent = |k: usize| percent_cent(&words, k);
            if !near[i] || percent(i) {
                out.push(words[i].to_string());
                i += 1;
                continue;
            }
            let mut j = i;
            let mut ms = Vec::new();
            let mut end = i;
            let mut tail = "";
            while j < words.len() && near[j] && !percent(j) {
                let w = words[j];
                if j > i && JOINERS.contains(&w) {
                    j += 1;
                    continue;
                }
                let bare = w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
                let Some(parts) = split(bare) else { break };
                ms.extend(parts);
                j += 1;
                end = j;
                if bare.len() < w.len() {
                    tail = &w[bare.len()..];
                    break;
                }
            }
            let v = value(&ms);
            let after_digits = out
                .last()
                .is_some_and(|w| w.ends_with(|c: char| c.is_ascii_digit()));
            let rate_after = rate_after(&words, end);
            if end > i && (v >= 100 || (rate_after && v > 0 && tail.is_empty())) && !after_digits {
                out.push(format!("{v}{tail}"));
                i = end;
            } else {
                out.push(words[i].to_string());
                i += 1;
            }
        }
        out.join(" ")
    }

    #[test]
    fn agrees_with_the_first_version() {
        let vocab = [
            "one",
            "two",
            "hundred",
            "thousand",
            "and",
            "et",
            "und",
            "fifty",
            "cinquante",
            "mille",
            "cent",
            "percent",
            "deux",
            "millions",
            "790",
            "12",
            "",
            "tier",
            "gpus",
            "fünfzigtausend",
            "eintausendsiebenhundert",
            "quatre-vingt",
            "x",
            "1,700",
            "centre",
            "milliard",
            "hundertfünfzig",
            "of",
            "the",
            "recent",
        ];
        let mut seed = 3u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let n = 1 + (seed >> 60) as usize;
            let mut words = Vec::new();
            for _ in 0..n * 2 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                words.push(vocab[(seed >> 33) as usize % vocab.len()]);
            }
            let s = words.join(" ");
            assert_eq!(digits(&s), reference(&s), "{s:?}");
        }
    }

    #[test]
    fn spelled_amounts_in_three_languages() {
        assert_eq!(digits("fifty thousand gpus"), "50000 gpus");
        assert_eq!(digits("one hundred and fifty thousand"), "150000");
        assert_eq!(digits("cinquante mille puces"), "50000 puces");
        assert_eq!(digits("deux cent mille"), "200000");
        assert_eq!(digits("quatre-vingt mille"), "80000");
        assert_eq!(digits("fünfzigtausend chips"), "50000 chips");
        assert_eq!(digits("eintausendsiebenhundert"), "1700");
        assert_eq!(digits("fünfundzwanzigtausend"), "25000");
        assert_eq!(digits("a 25 per cent duty"), "a 25 per cent duty");
        assert_eq!(
            digits("une tpp de quatre mille huit cents."),
            "une tpp de 4800."
        );
        assert_eq!(digits("fifty thousand, or more"), "50000, or more");
        assert_eq!(digits("ramené à quinze pour cent"), "ramené à 15 pour cent");
        assert_eq!(digits("auf fünfzehn prozent"), "auf 15 prozent");
        assert_eq!(digits("one of the rules"), "one of the rules");
        assert_eq!(digits("25 pour cent"), "25 pour cent");
    }

    #[test]
    fn decimals_spelled_digit_by_digit() {
        assert_eq!(
            digits("density reaches five point nine two and more"),
            "density reaches 5.92 and more"
        );
        assert_eq!(
            digits("densité de cinq virgule neuf deux."),
            "densité de 5,92."
        );
        assert_eq!(digits("dichte von fünf komma neun zwei"), "dichte von 5,92");
        assert_eq!(
            digits("at one point of the debate"),
            "at one point of the debate"
        );
    }

    #[test]
    fn small_numbers_and_other_words_stay() {
        assert_eq!(digits("tier one and thousands"), "tier one and thousands");
        assert_eq!(digits("one of the hundred"), "one of the 100");
        assert_eq!(digits("a century"), "a century");
        assert_eq!(digits("percent"), "percent");
        assert_eq!(digits("790 millions de tpp"), "790 millions de tpp");
    }
}
