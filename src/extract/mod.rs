//! Extraction: bytes of a document → normalized *blocks* of text, one line per paragraph, heading,
//! list item or table row.
//!
//! Blocks are what regwatch stores, diffs and tags, so they must be stable: whitespace collapsed,
//! no-break spaces made plain, invisible characters dropped, and lines the user chose to ignore
//! (timestamps, counters) removed before anything is compared.

mod charset;
mod html;

pub use charset::decode;
pub use html::extract_html;

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
}

/// Collapses whitespace (no-break and narrow no-break spaces included), drops invisible
/// characters, and trims.
#[must_use]
pub fn normalize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        // Zero-width and soft-hyphen characters change nothing a reader sees.
        if matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        ) {
            continue;
        }
        // `char::is_whitespace` covers U+00A0 and U+202F (White_Space property).
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
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
