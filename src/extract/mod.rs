//! Extraction: bytes of a document → normalized *blocks* of text, one line per paragraph, heading,
//! list item or table row.
//!
//! Blocks are what regwatch stores, diffs and tags, so they must be stable: whitespace collapsed,
//! no-break spaces made plain, invisible characters dropped, and lines the user chose to ignore
//! (timestamps, counters) removed before anything is compared.

mod budget;
mod charset;
mod document;
mod feed;
mod html;
mod items;
mod json;
mod paragraphs;
mod pdf;

pub use budget::{PAGE_BUDGET, PAGE_FACTOR, TOTAL_BUDGET, estimate, page_budget, reserve};
pub use charset::decode;
pub use document::{Body, ExtractSpec, SourceKind, extract, extract_file};
pub use feed::feed_blocks;
pub use html::extract_html;
pub use items::{NO_MATCHING_ITEMS, item_blocks, item_blocks_with};
pub use json::{JsonItems, json_blocks};
pub use pdf::{PDF_BLOCKS_VERSION, PDFTOTEXT, pdf_blocks, pdf_text, pdf_text_with};

use regex::Regex;

/// Parsed CSS selectors of a source (parsed once, when the config is loaded).
#[derive(Debug, Clone, Default)]
pub struct Css {
    /// Keep only the content of these (document order; nested matches kept once).
    pub select: Vec<scraper::Selector>,
    /// Drop these before anything else.
    pub remove: Vec<scraper::Selector>,
}

/// What the extractor needs to know about a source.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// Selectors.
    pub css: &'a Css,
    /// Lines matching any of these are dropped.
    pub ignore: &'a [Regex],
}

/// Line and item filters of a source.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters<'a> {
    /// Lines matching any of these are dropped.
    pub ignore: &'a [Regex],
    /// Feed entries and JSON items are kept only when one of their lines matches one of these
    /// (empty: all are kept).
    pub keep_items: &'a [Regex],
    /// `keep_items_in = "all"`: `keep_items` also reads an item's summary and nested fields.
    pub keep_items_in_all: bool,
}

/// Why a document gave no usable text. Each is an error on the source, never a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// `select` was given and nothing in the page matched it.
    #[error("selector matched nothing: {0}")]
    SelectorMiss(String),
    /// The page nests elements deeper than any real page (a hostile or broken document).
    #[error("page nests elements {depth} deep (limit {limit}): refused as hostile")]
    TooDeep {
        /// Estimated depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// The page gave no text at all (after `remove`, `select` and `ignore`).
    #[error("no text extracted (empty page, or everything was removed or ignored)")]
    Empty,
    /// The body is not what the source's kind expects (HTML where JSON was expected, bytes
    /// that are not text, a JSON parse error …).
    #[error("{0}")]
    Invalid(String),
    /// A block, login or captcha page instead of the document.
    #[error("{0}")]
    Blocked(String),
    /// An external tool (`pdftotext`) is missing, failed or overran its time.
    #[error("{0}")]
    Tool(String),
    /// Reading the body would take more memory than its budget (see `extract/budget.rs`).
    #[error("{0}")]
    TooLarge(String),
    /// The extraction worker stopped unexpectedly (a bug); only this source is affected.
    #[error("extraction failed unexpectedly: {0}")]
    Crashed(String),
}

/// What a body looks like from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Nothing (or only whitespace).
    Empty,
    /// `%PDF-`.
    Pdf,
    /// An HTML page.
    Html,
    /// XML (RSS, Atom, or other).
    Xml,
    /// Starts like JSON.
    Json,
    /// NUL bytes or other control bytes: not text.
    Binary,
    /// Anything else.
    Text,
}

impl BodyKind {
    /// How an error message names it.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            BodyKind::Empty => "an empty body",
            BodyKind::Pdf => "a PDF document",
            BodyKind::Html => "an HTML page",
            BodyKind::Xml => "an XML document",
            BodyKind::Json => "a JSON document",
            BodyKind::Binary => "binary data",
            BodyKind::Text => "plain text",
        }
    }
}

/// Classifies a body by its first bytes (BOM and leading whitespace skipped).
#[must_use]
pub fn sniff(body: &[u8]) -> BodyKind {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 1024)];
    if head.is_empty() {
        return BodyKind::Empty;
    }
    if head.starts_with(b"%PDF-") {
        return BodyKind::Pdf;
    }
    // UTF-16 text has NULs too; only call it binary when no BOM says otherwise.
    let utf16 = body.starts_with(b"\xff\xfe") || body.starts_with(b"\xfe\xff");
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    if !utf16 && (head.contains(&0) || controls * 20 > head.len()) {
        return BodyKind::Binary;
    }
    let text = String::from_utf8_lossy(head);
    if looks_like_html(&text) {
        return BodyKind::Html;
    }
    if head.starts_with(b"<") {
        return BodyKind::Xml;
    }
    if head.starts_with(b"{") || head.starts_with(b"[") {
        return BodyKind::Json;
    }
    BodyKind::Text
}

/// Refuses a decoded text that is mostly undecodable: more than 16 replacement characters and
/// more than 1 % of the text. A stray bad byte in a real page passes; bytes that are not text in
/// the declared encoding (binary data, a wrong charset) do not become a "version".
///
/// # Errors
/// [`ExtractError::Invalid`] naming how many characters could not be decoded.
pub fn check_decoded(text: &str) -> Result<(), ExtractError> {
    let (bad, total) = text.chars().fold((0usize, 0usize), |(bad, total), c| {
        (bad + usize::from(c == '\u{FFFD}'), total + 1)
    });
    if bad > 16 && bad * 100 > total {
        return Err(ExtractError::Invalid(format!(
            "the body is not valid text in its declared encoding ({bad} of {total} characters undecodable)"
        )));
    }
    Ok(())
}

/// Words in a page title that mark a block, login or captcha page rather than content.
const BLOCK_TITLES: &[&str] = &[
    "request access",
    "access denied",
    "access to this page has been denied",
    "just a moment",
    "attention required",
    "captcha",
    "are you a robot",
    "verify you are human",
    "bot verification",
    "unusual traffic",
    "403 forbidden",
    "you have been blocked",
    "accès refusé",
    "zugriff verweigert",
];

/// The `<title>` of an HTML page (first 64 KiB), whitespace collapsed.
#[must_use]
pub fn html_title(text: &str) -> Option<String> {
    let end = text.len().min(64 * 1024);
    let end = (0..=end)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let head = &text[..end];
    let lower = head.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let after = open + lower[open..].find('>')? + 1;
    let close = after + lower[after..].find("</title")?;
    let title = normalize_line(&head[after..close]);
    (!title.is_empty()).then_some(title)
}

/// ` (page title "…")` for error messages, or nothing. The title is cleaned of control and bidi
/// characters ([`crate::util::sanitize`]): error messages are stored and shown as they are.
#[must_use]
pub fn title_note(text: &str) -> String {
    html_title(text)
        .map(|t| {
            format!(
                " (page title \"{}\")",
                crate::util::sanitize(&t.chars().take(80).collect::<String>())
            )
        })
        .unwrap_or_default()
}

/// When an HTML page is a block, login or captcha page: its title says so and it carries little
/// text (`text_len` bytes extracted). Real regulation pages are long; these walls are short.
#[must_use]
pub fn block_page(text: &str, text_len: usize) -> Option<String> {
    // Length first: most pages are long, and then the title is never looked for.
    if text_len >= 3000 {
        return None;
    }
    let title = html_title(text)?;
    let lower = title.to_lowercase();
    BLOCK_TITLES
        .iter()
        .any(|w| lower.contains(w))
        .then_some(title)
}

/// Collapses whitespace (no-break and narrow no-break spaces included), drops invisible
/// characters, and trims.
#[must_use]
pub fn normalize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Kept characters are copied a run at a time, and ASCII bytes are classified without
    // decoding: this is the hottest loop of extraction (every character of every page).
    let bytes = s.as_bytes();
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, space, invisible) = if b < 0x80 {
            (
                1,
                matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
                false,
            )
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            // Zero-width and soft-hyphen characters change nothing a reader sees.
            let invisible = matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            );
            // `char::is_whitespace` covers U+00A0 and U+202F (White_Space property).
            (c.len_utf8(), !invisible && c.is_whitespace(), invisible)
        };
        if space || invisible {
            if let Some(start) = run.take() {
                out.push_str(&s[start..i]);
            }
            if space {
                pending_space = !out.is_empty();
            }
        } else if run.is_none() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            run = Some(i);
        }
        i += len;
    }
    if let Some(start) = run {
        out.push_str(&s[start..]);
    }
    out
}

/// Normalizes each line, drops empty ones and those matching an `ignore` pattern.
#[must_use]
pub fn finish_blocks(raw: impl IntoIterator<Item = String>, ignore: &[Regex]) -> Vec<String> {
    raw.into_iter()
        .map(|l| normalize_line(&l))
        .filter(|l| !l.is_empty() && !ignore.iter().any(|r| r.is_match(l)))
        .collect()
}

/// Plain text (one block per non-empty line), for `regwatch tag` on text files.
#[must_use]
pub fn extract_text(text: &str, ignore: &[Regex]) -> Vec<String> {
    finish_blocks(text.lines().map(str::to_string), ignore)
}

/// Heuristic: does this text look like HTML rather than plain text?
#[must_use]
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<p>")
        || head.contains("<div")
        || head.contains("<main")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious char-by-char definition, to check the fast one against.
    fn normalize_reference(s: &str) -> String {
        let invisible = [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
        ];
        s.chars()
            .filter(|c| !invisible.contains(c))
            .collect::<String>()
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn fast_normalize_matches_the_reference() {
        let alphabet = [
            "a",
            "é",
            " ",
            "\t",
            "\n",
            "\u{a0}",
            "\u{202f}",
            "\u{200b}",
            "\u{ad}",
            "4",
            "€",
            "\u{3000}",
            "\u{85}",
            "x\u{200b}y",
            "\u{b}",
            "\u{c}",
            "語",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            assert_eq!(
                normalize_line(&text),
                normalize_reference(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn normalize_collapses_all_spaces() {
        assert_eq!(
            normalize_line("  4\u{202F}800\u{00A0}TPP \t\n x "),
            "4 800 TPP x"
        );
        assert_eq!(normalize_line("co\u{00AD}operation\u{200B}"), "cooperation");
    }

    #[test]
    fn ignore_drops_matching_lines() {
        let ignore = vec![Regex::new("^Last updated:").unwrap()];
        let b = extract_text("Title\n\nLast updated: today\nBody", &ignore);
        assert_eq!(b, vec!["Title", "Body"]);
    }
}
