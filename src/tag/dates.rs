//! Dates in English, French and German ("May 15, 2025", "15 mai 2025", "1er mai 2025",
//! "15. Mai 2025", "2025-05-15", "15.05.2025"), and whether a sentence speaks of an effective,
//! compliance or entry-into-force date.

use crate::tag::packs;
use chrono::NaiveDate;

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("janvier", 1),
    ("janv", 1),
    ("januar", 1),
    ("jänner", 1),
    ("february", 2),
    ("feb", 2),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("februar", 2),
    ("march", 3),
    ("mar", 3),
    ("mars", 3),
    ("märz", 3),
    ("maerz", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("avr", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("jun", 6),
    ("juin", 6),
    ("juni", 6),
    ("july", 7),
    ("jul", 7),
    ("juillet", 7),
    ("juil", 7),
    ("juli", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("octobre", 10),
    ("oktober", 10),
    ("okt", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("dezember", 12),
    ("dez", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    MONTHS.iter().find(|(m, _)| *m == w).map(|(_, n)| *n)
}

fn num(tok: &str) -> Option<u32> {
    let t = tok
        .trim_end_matches(['.', ','])
        .trim_end_matches("er")
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn year(tok: &str) -> Option<i32> {
    let t = tok.trim_end_matches(['.', ',', ';', ')', ':']);
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// All full dates (with a year) in a normalized sentence, in order.
#[must_use]
pub fn dates(s: &str) -> Vec<NaiveDate> {
    dates_at(s).into_iter().map(|(d, _)| d).collect()
}

/// Dates with the byte offset where each starts.
#[must_use]
pub fn dates_at(s: &str) -> Vec<(NaiveDate, usize)> {
    dates_at_in(s, false)
}

/// Dates with the byte offset where each starts; `day_first` reads "01/07/2025" as 1 July (French
/// and German text), else as January 7 unless the first part cannot be a month.
#[must_use]
pub fn dates_at_in(s: &str, day_first: bool) -> Vec<(NaiveDate, usize)> {
    let toks: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].trim_end_matches([',', ';', ')', ':']);
        // ISO 2025-05-15 and dotted 15.05.2025 / US 05/15/2025.
        let at = |k: usize| toks[k].as_ptr() as usize - s.as_ptr() as usize;
        if let Some(d) = iso_or_numeric(t, day_first) {
            out.push((d, at(i)));
            i += 1;
            continue;
        }
        // Month D, YYYY  (also "January 13. 2025").
        if let Some(m) = month(t)
            && let (Some(dt), Some(yt)) = (toks.get(i + 1), toks.get(i + 2))
            && let (Some(d), Some(y)) = (num(dt), year(yt))
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            out.push((date, at(i)));
            i += 3;
            continue;
        }
        // D Month YYYY, D. Month YYYY, 1er mai 2025, "the 15th of August 2025".
        if let Some(d) = num(t) {
            let of = usize::from(toks.get(i + 1).is_some_and(|o| *o == "of"));
            if let (Some(mt), Some(yt)) = (toks.get(i + 1 + of), toks.get(i + 2 + of))
                && let (Some(m), Some(y)) = (month(mt), year(yt))
                && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            {
                out.push((date, at(i)));
                i += 3 + of;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn iso_or_numeric(t: &str, day_first: bool) -> Option<NaiveDate> {
    let t = t.trim_end_matches('.');
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    if t.len() == 10 && t.as_bytes().get(2) == Some(&b'.') {
        return NaiveDate::parse_from_str(t, "%d.%m.%Y").ok();
    }
    if t.len() == 10 && t.as_bytes().get(2) == Some(&b'/') {
        // US month first, unless the text is French or German or the first part cannot be a
        // month (15/05/2025 is day first).
        let (first, second) = if day_first {
            ("%d/%m/%Y", "%m/%d/%Y")
        } else {
            ("%m/%d/%Y", "%d/%m/%Y")
        };
        return NaiveDate::parse_from_str(t, first)
            .or_else(|_| NaiveDate::parse_from_str(t, second))
            .ok();
    }
    None
}

/// Which kind of date a sentence speaks of, if any.
#[must_use]
pub fn date_kind(s: &str) -> Option<&'static str> {
    if crate::tag::packs::any_in("compliance_cues", s) {
        return Some("compliance");
    }
    if crate::tag::packs::any_in("effective_cues", s)
        || crate::tag::packs::any_in("date_start_words", s)
    {
        return Some("effective");
    }
    None
}

/// Each date of a sentence with the kind of the nearest cue word (`compliance` or `effective`);
/// dates in a sentence without cue words are left out.
#[must_use]
pub fn dated_kinds(s: &str, day_first: bool) -> Vec<(NaiveDate, &'static str)> {
    if date_kind(s).is_none() {
        return Vec::new();
    }
    let cue_positions = |cues: &[String]| -> Vec<usize> {
        cues.iter()
            .flat_map(|c| {
                let c = c.trim_end_matches('*');
                s.match_indices(c).map(|(i, _)| i).collect::<Vec<_>>()
            })
            .collect()
    };
    // A cue inside another date's words ("as of" in "up to date as of") does not count: the
    // longer phrase says what it is.
    let other_spans: Vec<(usize, usize)> = packs::list("other_date_cues")
        .iter()
        .flat_map(|c| {
            let c = c.trim_end_matches('*');
            s.match_indices(c)
                .map(|(i, m)| (i, i + m.len()))
                .collect::<Vec<_>>()
        })
        .collect();
    let other: Vec<usize> = other_spans.iter().map(|(a, _)| *a).collect();
    let outside = |v: Vec<usize>| -> Vec<usize> {
        v.into_iter()
            .filter(|p| !other_spans.iter().any(|(a, z)| a <= p && p < z))
            .collect()
    };
    let compliance = outside(cue_positions(packs::list("compliance_cues")));
    let effective = outside(cue_positions(packs::list("effective_cues")));
    let neutral = outside(cue_positions(packs::list("date_start_words")));
    let dates = dates_at_in(s, day_first);
    // "moved from 15 May 2025 to 15 September 2025", « reportée du … au … », „vom … auf den …
    // verschoben“: the date after the shift's "from" is the old one, not stated now.
    let dates: Vec<(NaiveDate, usize)> = if packs::any_in("date_shift_words", s) {
        let froms = cue_positions(packs::list("date_shift_from"));
        dates
            .iter()
            .enumerate()
            .filter(|(k, (_, p))| {
                let shifted_from = froms.iter().any(|f| {
                    f < p
                        && !s[..*f].ends_with(char::is_alphanumeric)
                        && s[*f..*p].split_whitespace().count() <= 2
                });
                !(shifted_from && dates.len() > *k + 1)
            })
            .map(|(_, d)| *d)
            .collect()
    } else {
        dates
    };
    // Each cue binds the date nearest to it; in a sentence that also names publication or
    // signature, other dates (a publication date beside "take effect") are not kept.
    // Distances count from the cue's end for a date after it (« publié le 14 novembre et entre
    // en vigueur le 15 novembre »: the 15th is the cue's, though both start as far from "entre").
    let cue_ends = |cues: &[String]| -> Vec<(usize, usize)> {
        cues.iter()
            .flat_map(|c| {
                let c = c.trim_end_matches('*');
                s.match_indices(c)
                    .map(|(i, m)| (i, i + m.len()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let spans: Vec<(usize, usize)> = [
        cue_ends(packs::list("compliance_cues")),
        cue_ends(packs::list("effective_cues")),
        cue_ends(packs::list("date_start_words")),
    ]
    .concat();
    // "published on DATE", « publié le DATE », „veröffentlicht am DATE“: the first date after
    // the word (else the nearest before it, „am DATE veröffentlicht“).
    let other_bound: Vec<usize> = other
        .iter()
        .filter_map(|c| {
            let after = dates.iter().map(|(_, p)| *p).filter(|p| p > c).min();
            // ", a annoncé le BIS", ", BIS announced", „, teilte das BIS mit“: a trailing
            // attribution says who spoke, it dates nothing before it.
            let head = s[..*c].trim_end();
            let head = ["a", "has", "have", "hat", "haben", "ont", "was"]
                .iter()
                .find_map(|w| head.strip_suffix(w).filter(|h| h.ends_with(' ')))
                .unwrap_or(head)
                .trim_end();
            if after.is_none() && head.ends_with(',') {
                return None;
            }
            // Before the word only when it closes the date's own clause („am 14. Januar im
            // Bundesanzeiger veröffentlicht“), not a span counted from it ("May 15, 2025, 120
            // days after it was published").
            after.or_else(|| {
                dates
                    .iter()
                    .map(|(_, p)| *p)
                    .filter(|p| p < c)
                    .max()
                    .filter(|p| {
                        let between: Vec<&str> = s[*p..*c].split_whitespace().collect();
                        between.len() <= 8
                            && !between.iter().any(|w| packs::any_in("elapsed_words", w))
                    })
            })
        })
        .collect();
    let semicolons: Vec<usize> = s.match_indices(';').map(|(i, _)| i).collect();
    let bound: Vec<usize> = spans
        .iter()
        .filter_map(|(c, e)| {
            dates.iter().map(|(_, p)| *p).min_by_key(|p| {
                // A date after its cue is its usual place in EN and FR ("pushed the compliance
                // date for most requirements back to July 14"): half the distance counts.
                // A cue binds across a semicolon only when nothing nearer is left ("trat am 13.
                // Januar 2025 in Kraft; die Pflichten sind ab dem 15. Mai 2025 einzuhalten").
                let (lo, hi) = ((*p).min(*c), (*p).max(*e));
                let k = semicolons.partition_point(|x| *x < lo);
                let crosses = semicolons.get(k).is_some_and(|x| *x < hi);
                let d = if *p >= *e {
                    (p - e) / 2
                } else {
                    p.abs_diff(*c)
                };
                (crosses, d)
            })
        })
        .collect();
    let many = dates.len() > 1;
    dates
        .into_iter()
        .filter_map(|(d, pos)| {
            let dist = |v: &[usize]| {
                v.iter()
                    .map(|p| p.abs_diff(pos))
                    .min()
                    .unwrap_or(usize::MAX)
            };
            let (c, e, n) = (dist(&compliance), dist(&effective), dist(&neutral));
            // A date a publication or signature word binds is not kept, unless an effective or
            // compliance word binds it too and stands nearer; a list of dates under one cue
            // ("… am 15. Mai, für … am 15. Juli") keeps them all.
            // "not on 15 January but on 16 February": the negated date is not stated.
            let window: Vec<&str> = s[..pos].split_whitespace().rev().take(4).collect();
            // « n'est plus exigée au 15 mai mais au … », "initially set for", „ursprünglich
            // für … vorgesehen“: the date named as the old one is not stated now.
            let joined = window.iter().rev().copied().collect::<Vec<_>>().join(" ");
            // "is not required until July 15, 2026", « n'est pas exigée avant le 15 mai »: a
            // negation before "until" (the pack's `deadline_words`) sets a deadline.
            let negated = window
                .iter()
                .position(|w| matches!(*w, "not" | "nicht" | "pas" | "non" | "no"))
                .is_some_and(|k| !window[..k].iter().any(|w| packs::has("deadline_words", w)))
                || packs::list("date_old_markers").iter().any(|m| {
                    // „abweichend von der ursprünglichen Bekanntmachung erst am …“: a word of
                    // the new date after the marker (the pack's `date_new_words`) keeps it.
                    joined.find(m.as_str()).is_some_and(|i| {
                        !joined[i + m.len()..]
                            .split_whitespace()
                            .any(|w| packs::has("date_new_words", w))
                    })
                });
            // "The compliance date was January 15, 2026. It has been brought forward to
            // October 15, 2025.": a date a past copula stands right before is the old one when
            // the sentence names another.
            let was = many
                && packs::list("old_value_copulas")
                    .iter()
                    .any(|m| joined.ends_with(&format!(" {m}")) || joined == *m);
            if negated || was {
                return None;
            }
            // A date no cue binds, far from every bound date ("…; items exported before then
            // are exempt if they arrive by 16 June 2025"), is not the cue's.
            // "before: May 15th, 2025; after: July 15th, 2025": a labelled new value is the cue's
            // however the clause is cut (the pack's `date_new_labels`).
            let labelled_new = packs::list("date_new_labels")
                .iter()
                .any(|m| joined.ends_with(m.as_str()));
            if !bound.contains(&pos) && !bound.is_empty() && !labelled_new {
                let gap_ok = bound.iter().any(|b| {
                    let (a, z) = if *b < pos { (*b, pos) } else { (pos, *b) };
                    let between = &s[a..z];
                    !between.contains(';') && between.split_whitespace().count() <= 12
                });
                if !gap_ok {
                    return None;
                }
            }
            let claimed = other_bound.contains(&pos);
            if claimed && (!bound.contains(&pos) || dist(&other) < c.min(e).min(n)) {
                return None;
            }
            // A start word ("ab dem", « à compter du ») takes its kind from the sentence.
            let kind = match (compliance.is_empty(), effective.is_empty()) {
                (false, true) => "compliance",
                (true, _) => "effective",
                (false, false) if c <= e => "compliance",
                _ => "effective",
            };
            Some((d, kind))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::text::norm;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_cue_does_not_reach_across_a_semicolon_for_a_date() {
        let n = norm(
            "Die Regel trat am 13. Januar 2025 in Kraft; die Pflichten sind ab dem 15. Mai 2025 einzuhalten.",
        );
        assert_eq!(
            dated_kinds(&n, true),
            vec![
                (d(2025, 1, 13), "effective"),
                (d(2025, 5, 15), "compliance")
            ]
        );
    }

    #[test]
    fn dates_in_three_languages() {
        assert_eq!(
            dates(&norm("effective May 15, 2025.")),
            vec![d(2025, 5, 15)]
        );
        assert_eq!(
            dates(&norm("effective Jan. 13, 2025")),
            vec![d(2025, 1, 13)]
        );
        assert_eq!(
            dates(&norm("effective January 13. 2025")),
            vec![d(2025, 1, 13)]
        );
        assert_eq!(
            dates(&norm("à compter du 15 mai 2025")),
            vec![d(2025, 5, 15)]
        );
        assert_eq!(dates(&norm("le 1er mai 2025")), vec![d(2025, 5, 1)]);
        assert_eq!(dates(&norm("ab dem 15. Mai 2025")), vec![d(2025, 5, 15)]);
        assert_eq!(
            dates(&norm("on 2026-01-15 and 15.01.2026")),
            vec![d(2026, 1, 15), d(2026, 1, 15)]
        );
        assert!(dates(&norm("in May 2025 and 4,800")).is_empty());
    }

    #[test]
    fn kinds() {
        assert_eq!(
            date_kind(&norm("Compliance is required from May 15, 2025")),
            Some("compliance")
        );
        assert_eq!(
            date_kind(&norm("La règle entre en vigueur le 15 mai 2025")),
            Some("effective")
        );
        assert_eq!(
            date_kind(&norm("Die Regeln treten am 15. Mai 2025 in Kraft")),
            Some("effective")
        );
        assert_eq!(date_kind(&norm("Published on May 15, 2025")), None);
    }
}
