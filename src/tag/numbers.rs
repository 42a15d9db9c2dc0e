//! Numbers as values, read the way each language writes them: `4,800` / `4800` (EN), `4 800` and
//! `5,92` (FR), `4.800` and `5,92` (DE), magnitudes ("26.9 million", « 26,9 millions », „26,9 Mio.“)
//! and powers of ten (`10^26`, `10²⁶`, `1e26`, « 10 puissance 26 », „10 hoch 26“).

use crate::model::Lang;

/// A number found in a normalized (lower-case) text.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    /// Its value.
    pub value: f64,
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset after it (and after its magnitude word, if any).
    pub end: usize,
}

const SUPERSCRIPTS: &[(char, u32)] = &[
    ('⁰', 0),
    ('¹', 1),
    ('²', 2),
    ('³', 3),
    ('⁴', 4),
    ('⁵', 5),
    ('⁶', 6),
    ('⁷', 7),
    ('⁸', 8),
    ('⁹', 9),
];

fn superscript(c: char) -> Option<u32> {
    SUPERSCRIPTS.iter().find(|(s, _)| *s == c).map(|(_, d)| *d)
}

/// Magnitude words and their factor, by language ("billion" is 10^12 in French and German).
fn magnitude(word: &str, lang: Lang) -> Option<f64> {
    let w = word.trim_end_matches('.');
    match (w, lang) {
        ("thousand", _) => Some(1e3),
        ("million" | "millions" | "millionen" | "mio" | "mln", _) => Some(1e6),
        ("billion" | "billions", Lang::En) => Some(1e9),
        ("milliard" | "milliards" | "milliarde" | "milliarden" | "mrd" | "bn", _) => Some(1e9),
        ("billion" | "billions" | "billionen", _) => Some(1e12),
        ("trillion" | "trillions", Lang::En) => Some(1e12),
        _ => None,
    }
}

fn digits_at(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// All numbers in a normalized text.
#[must_use]
pub fn numbers(s: &str, lang: Lang) -> Vec<Num> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // Not the tail of a word or of another token (H100, 3A090, v2).
        let prev = s[..i].chars().next_back();
        if prev.is_some_and(|c| c.is_alphabetic() || c == '_') {
            i += digits_at(b, i);
            continue;
        }
        let start = i;
        let (value, mut end) = parse_at(s, i, lang);
        let mut value = value;
        // "1e26": scientific notation.
        if s[end..].starts_with('e') {
            let n = digits_at(b, end + 1);
            if (1..=3).contains(&n) {
                let exp: i32 = s[end + 1..end + 1 + n].parse().unwrap_or(0);
                value *= 10f64.powi(exp);
                end += 1 + n;
            }
        }
        // A glued magnitude letter closing the token: "21k", "790M TPP", "1.58B" (not "0B001").
        if let Some(c @ ('k' | 'm' | 'b')) = s[end..].chars().next()
            && s[end + 1..]
                .chars()
                .next()
                .is_none_or(|a| !a.is_alphanumeric() && a != '/' && a != '²')
        {
            value *= match c {
                'k' => 1e3,
                'm' => 1e6,
                _ => 1e9,
            };
            end += 1;
        }
        // Glued letters: an identifier (3a090, 10x), except known units.
        let next = s[end..].chars().next();
        if next.is_some_and(char::is_alphabetic) {
            let tail = &s[end..];
            let unit_like = ["gb/s", "tb/s", "go/s", "to/s", "tpp", "gb", "tb", "k "]
                .iter()
                .any(|u| tail.starts_with(u));
            if !unit_like {
                // Skip the whole identifier.
                end += tail
                    .char_indices()
                    .find(|(_, c)| !c.is_alphanumeric() && *c != '.')
                    .map_or(tail.len(), |(j, _)| j);
                i = end;
                continue;
            }
        }
        // Powers of ten: 10^26, 10**26, 10²⁶, "10 puissance 26", "10 hoch 26", "10 to the 26th".
        if (value - 10.0).abs() < f64::EPSILON
            && let Some((exp, e)) = power_suffix(s, end)
        {
            value = 10f64.powi(exp);
            end = e;
        }
        // Magnitude word: "26.9 million", "26,9 millions", "26,9 mio.".
        let rest = &s[end..];
        let trimmed = rest.trim_start();
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '.')
            .collect();
        if let Some(f) = magnitude(&word, lang) {
            value *= f;
            end += (rest.len() - trimmed.len()) + word.len();
        }
        out.push(Num { value, start, end });
        i = end.max(start + 1);
    }
    out
}

/// Parses the digits at `i` with the language's separators; returns (value, end offset).
fn parse_at(s: &str, i: usize, lang: Lang) -> (f64, usize) {
    let b = s.as_bytes();
    let mut j = i + digits_at(b, i);
    let mut int = s[i..j].to_string();
    let lead = j - i;
    // Thousands groups.
    // Apostrophes (Swiss style, "50'000", "50’000" once normalized) and spaces (EUR-Lex house
    // style, also non-breaking ones once normalized) group thousands in every language.
    let group_seps: &[u8] = match lang {
        Lang::En => b",' ",
        Lang::Fr => b" .'",
        Lang::De => b".' ",
    };
    if lead <= 3 {
        while let Some(&sep) = b.get(j) {
            if !group_seps.contains(&sep) {
                break;
            }
            let n = digits_at(b, j + 1);
            // Exactly three digits, then not another digit (so "2025 100" is not one number).
            if n != 3 {
                break;
            }
            int.push_str(&s[j + 1..j + 4]);
            j += 4;
        }
    }
    // Decimal part.
    let dec_sep = match lang {
        Lang::En => b'.',
        Lang::Fr | Lang::De => b',',
    };
    let mut frac = String::new();
    if b.get(j) == Some(&dec_sep) {
        let n = digits_at(b, j + 1);
        if n > 0 {
            frac = s[j + 1..j + 1 + n].to_string();
            j += 1 + n;
        }
    } else if lang != Lang::En && b.get(j) == Some(&b'.') {
        // "4.8 TB/s" in French or German text written the English way.
        let n = digits_at(b, j + 1);
        if n > 0 && n != 3 {
            frac = s[j + 1..j + 1 + n].to_string();
            j += 1 + n;
        }
    } else if lang == Lang::En && j == i + lead && b.get(j) == Some(&b',') {
        // "a density of 5,92" quoted in English from a continental text: one or two digits
        // after a comma group no thousands.
        let n = digits_at(b, j + 1);
        if (1..=2).contains(&n) {
            frac = s[j + 1..j + 1 + n].to_string();
            j += 1 + n;
        }
    }
    let text = if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    };
    (text.parse().unwrap_or(0.0), j)
}

fn power_suffix(s: &str, end: usize) -> Option<(i32, usize)> {
    let rest = &s[end..];
    for prefix in ["^", "**", " puissance ", " hoch ", " to the "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 && n <= 3 {
                let exp: i32 = r[..n].parse().ok()?;
                let mut e = end + prefix.len() + n;
                for suffix in ["th", "e"] {
                    if s[e..].starts_with(suffix) {
                        e += suffix.len();
                    }
                }
                return Some((exp, e));
            }
        }
    }
    let mut exp = 0u32;
    let mut e = end;
    for c in rest.chars() {
        match superscript(c) {
            Some(d) => {
                exp = exp * 10 + d;
                e += c.len_utf8();
            }
            None => break,
        }
    }
    (e > end).then(|| (i32::try_from(exp).unwrap_or(0), e))
}

/// Formats a value the English way with thousands separators ("4,800", "5.92", "1e26").
#[must_use]
pub fn format_value(v: f64) -> String {
    if v >= 1e15 {
        let exp = v.log10().round();
        if (10f64.powf(exp) - v).abs() / v < 1e-9 {
            return format!("10^{exp}");
        }
        return format!("{v:e}");
    }
    let rounded = (v * 1000.0).round() / 1000.0;
    let int = rounded.trunc();
    let frac = rounded - int;
    let mut digits = format!("{}", int as u64);
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    grouped = format!("{digits}{grouped}");
    if frac.abs() > 1e-9 {
        let f = format!("{frac:.3}");
        let f = f.trim_start_matches('0').trim_end_matches('0');
        grouped.push_str(f);
    }
    grouped
}

/// A JSON number for a value: an integer when it is whole.
#[must_use]
pub fn json_value(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Value::from(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(s: &str, lang: Lang) -> Vec<f64> {
        numbers(s, lang).into_iter().map(|n| n.value).collect()
    }

    #[test]
    fn formats_per_language() {
        assert_eq!(vals("tpp of 4,800 or 4800", Lang::En), vec![4800.0, 4800.0]);
        assert_eq!(
            vals("seuil de 4 800 et densité de 5,92", Lang::Fr),
            vec![4800.0, 5.92]
        );
        assert_eq!(
            vals("schwelle von 4.800 und 5,92", Lang::De),
            vec![4800.0, 5.92]
        );
        assert_eq!(vals("density 5.92 and 1.6", Lang::En), vec![5.92, 1.6]);
        assert_eq!(vals("density 5,92 or more", Lang::En), vec![5.92]);
        assert_eq!(vals("in 2024, 25 percent", Lang::En), vec![2024.0, 25.0]);
        assert_eq!(vals("1.600 tpp", Lang::De), vec![1600.0]);
        assert_eq!(vals("4.8 tb/s", Lang::De), vec![4.8]);
        assert_eq!(vals("4'800", Lang::De), vec![4800.0]);
    }

    #[test]
    fn magnitudes_and_powers() {
        assert_eq!(vals("21k and 6.5k", Lang::En), vec![21_000.0, 6_500.0]);
        assert_eq!(vals("790m tpp, 1.58b tpp", Lang::En), vec![790e6, 1.58e9]);
        assert!(vals("0b001 and 3a090", Lang::En).is_empty());
        assert_eq!(vals("26.9 million tpp", Lang::En), vec![26_900_000.0]);
        assert_eq!(vals("26,9 millions de tpp", Lang::Fr), vec![26_900_000.0]);
        assert_eq!(vals("26,9 mio. tpp", Lang::De), vec![26_900_000.0]);
        assert_eq!(vals("1,58 milliard", Lang::Fr), vec![1_580_000_000.0]);
        assert_eq!(vals("1.58 billion", Lang::En), vec![1_580_000_000.0]);
        for s in [
            "10^26 operations",
            "10²⁶ operations",
            "1e26 operations",
            "10**26 ops",
        ] {
            assert_eq!(vals(s, Lang::En), vec![1e26], "{s}");
        }
        assert_eq!(vals("10 puissance 26 opérations", Lang::Fr), vec![1e26]);
        assert_eq!(vals("10 hoch 26 rechenoperationen", Lang::De), vec![1e26]);
    }

    #[test]
    fn identifiers_are_not_numbers() {
        assert!(vals("h100 and mi300x and 3a090.a", Lang::En).is_empty());
        assert_eq!(vals("in 2025 100 firms", Lang::Fr), vec![2025.0, 100.0]);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_value(4800.0), "4,800");
        assert_eq!(format_value(790_000_000.0), "790,000,000");
        assert_eq!(format_value(5.92), "5.92");
        assert_eq!(format_value(1e26), "10^26");
        assert_eq!(json_value(4800.0), serde_json::json!(4800));
        assert_eq!(json_value(5.92), serde_json::json!(5.92));
    }
}
