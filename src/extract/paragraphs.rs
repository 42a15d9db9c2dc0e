//! Paragraphs of a page of `pdftotext` text. The tool often prints a whole page without a blank
//! line, hard-wrapped at the column width, so a blank line alone would make page-sized blocks:
//! a paragraph also ends where the indentation changes, and where a line ends a sentence and
//! the next one starts with a capital letter or a number. Wrapped lines are joined, and a word
//! hyphenated at a line end ("regu-" + "lation") is made whole again.

/// Words that end in "." without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "U.S", "e.g", "i.e", "etc", "No", "Nos", "Inc", "Co", "Corp", "Ltd", "Sec", "Secs", "Art",
    "Arts", "Fig", "Vol", "vol", "pp", "p", "cf", "approx", "Mr", "Mrs", "Ms", "Dr", "St", "Jan",
    "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "para", "Para", "v", "vs",
];

/// Prefixes that keep their hyphen when a line breaks after them ("non-" + "proliferation").
const HYPHEN_PREFIXES: &[&str] = &[
    "non", "anti", "co", "self", "cross", "multi", "semi", "dual", "end", "third", "well", "pre",
    "post", "inter", "intra", "counter", "ex", "sub", "de", "re",
];

/// One line of a page: its text (trimmed) and its indentation in characters.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    /// The text, trimmed.
    pub(super) text: &'a str,
    /// Leading whitespace, in characters.
    pub(super) indent: usize,
}

impl<'a> Line<'a> {
    /// A line as the tool printed it (`None` stands for a paragraph break: a blank line, or a
    /// running header taken out).
    pub(super) fn new(raw: &'a str) -> Option<Line<'a>> {
        let text = raw.trim();
        (!text.is_empty()).then(|| Line {
            text,
            indent: raw.chars().take_while(|c| c.is_whitespace()).count(),
        })
    }
}

/// Paragraphs of one page, its lines given in order (`None`: a break).
pub(super) fn paragraphs(lines: &[Option<Line<'_>>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    // Indentation of the paragraph's first line and of its last line.
    let mut first_indent = 0;
    let mut prev: Option<Line<'_>> = None;
    let mut lines_in = 0;
    for line in lines {
        let Some(line) = *line else {
            flush(&mut cur, &mut out);
            prev = None;
            continue;
        };
        if let Some(p) = prev
            && breaks_before(p, line, first_indent, lines_in)
        {
            flush(&mut cur, &mut out);
        }
        if cur.is_empty() {
            first_indent = line.indent;
            lines_in = 0;
            cur.push_str(line.text);
        } else {
            join(&mut cur, line.text);
        }
        lines_in += 1;
        prev = Some(line);
    }
    flush(&mut cur, &mut out);
    out
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
}

/// Whether `line` starts a new paragraph after `prev`, the last line of a paragraph that began
/// at `first_indent` and has `lines_in` lines.
fn breaks_before(prev: Line<'_>, line: Line<'_>, first_indent: usize, lines_in: usize) -> bool {
    let shifted = prev.indent.abs_diff(line.indent) >= 2;
    // A first-line indent: the second line comes back left and continues the paragraph.
    let first_line_indent = lines_in == 1 && first_indent > line.indent;
    if shifted && !first_line_indent {
        return true;
    }
    ends_sentence(prev.text) && starts_like_a_paragraph(line.text)
}

/// Whether a line ends with the end of a sentence (".", "?", "!", ":" or ";", maybe followed by
/// a closing quote or bracket), and not with an abbreviation such as "U.S." or an initial.
pub(super) fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['"', '\'', '”', '’', ')', ']']);
    let Some(last) = t.chars().last() else {
        return false;
    };
    if !matches!(last, '.' | '?' | '!' | ':' | ';') {
        return false;
    }
    if last != '.' {
        return true;
    }
    let word = t[..t.len() - 1]
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let single_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(single_initial || ABBREVIATIONS.contains(&word))
}

/// Whether a line starts the way a paragraph does: a capital letter, a digit, a numbering such as
/// "(a)" or "(2)", a section sign or a bullet.
pub(super) fn starts_like_a_paragraph(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() || c.is_ascii_digit() => true,
        Some('§' | '•' | '–' | '—' | '*') => true,
        Some('(') => chars.next().is_some_and(char::is_alphanumeric),
        Some('"' | '“') => chars.next().is_some_and(char::is_uppercase),
        _ => false,
    }
}

/// Appends a wrapped line to its paragraph: a space between words, no space after a hyphen, and
/// the hyphen itself dropped when a word was cut in two ("regu-" + "lation").
fn join(cur: &mut String, next: &str) {
    if !cur.ends_with('-') {
        cur.push(' ');
        cur.push_str(next);
        return;
    }
    let word_start = cur.rfind(|c: char| c.is_whitespace()).map_or(0, |i| i + 1);
    let word = &cur[word_start..cur.len() - 1];
    let cut_word = word.chars().count() >= 2
        && word.chars().all(|c| c.is_lowercase())
        && !HYPHEN_PREFIXES.contains(&word)
        && next.chars().next().is_some_and(char::is_lowercase);
    if cut_word {
        cur.pop();
    }
    cur.push_str(next);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let lines: Vec<Option<Line<'_>>> = text.lines().map(Line::new).collect();
        paragraphs(&lines)
    }

    #[test]
    fn hard_wrapped_page_without_blank_lines_splits_at_sentence_ends() {
        let text = include_str!("../../tests/fixtures/pdf/wrapped_page.txt");
        let expected = include_str!("../../tests/fixtures/pdf/wrapped_page.blocks");
        let got = split(text);
        let want: Vec<&str> = expected.lines().collect();
        assert_eq!(got, want);
        assert!(got.iter().all(|p| p.len() < 600), "no page-sized block");
    }

    #[test]
    fn words_cut_at_a_line_end_are_joined() {
        assert_eq!(
            split(
                "the export regu-\nlation applies on a case-by-\ncase basis to non-\nproliferation"
            ),
            ["the export regulation applies on a case-by-case basis to non-proliferation"]
        );
        assert_eq!(split("Tier-\n2 countries"), ["Tier-2 countries"]);
    }

    #[test]
    fn indentation_and_numbering_start_paragraphs() {
        let text = "(a) Scope. This section applies to\nitems in ECCN 3A090.\n(b) Exceptions:\n    License Exception LPP\n    License Exception ACA\nThe rest follows.";
        assert_eq!(
            split(text),
            [
                "(a) Scope. This section applies to items in ECCN 3A090.",
                "(b) Exceptions:",
                "License Exception LPP License Exception ACA",
                "The rest follows."
            ]
        );
        // A first-line indent does not split its own paragraph.
        assert_eq!(
            split("    The rule applies\nto every exporter."),
            ["The rule applies to every exporter."]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        assert!(!ends_sentence("exports from the U.S."));
        assert!(!ends_sentence("see e.g."));
        assert!(!ends_sentence("signed by John F."));
        assert!(ends_sentence("per consignee."));
        assert!(ends_sentence("as follows:"));
        assert!(ends_sentence("the rule (as amended)."));
        assert_eq!(
            split("Goods shipped from the U.S.\nDepartment of Commerce rules apply."),
            ["Goods shipped from the U.S. Department of Commerce rules apply."]
        );
    }
}
