//! The stage's entry point: a fetched body of a given kind → blocks. The decisions taken before
//! reading live here too: is this body what the kind expects (a PDF, a feed, JSON — not an HTML
//! block page), and is an HTML page a login or captcha wall rather than the document.

use std::sync::Arc;
use std::time::Duration;

use regex::Regex;

use super::{
    BodyKind, Css, ExtractError, Filters, JsonItems, Spec, block_page, check_decoded, decode,
    extract_html, feed_blocks, json_blocks, pdf_blocks, pdf_text, sniff, title_note,
};

/// The kind of document a source serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An HTML page.
    Html,
    /// A PDF document (text by `pdftotext`).
    Pdf,
    /// An RSS or Atom feed.
    Feed,
    /// A JSON document or API answer.
    Json,
}

impl SourceKind {
    /// The name used in `sources.toml`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Html => "html",
            SourceKind::Pdf => "pdf",
            SourceKind::Feed => "feed",
            SourceKind::Json => "json",
        }
    }

    /// How an error message names what this kind expects.
    fn expected(self) -> &'static str {
        match self {
            SourceKind::Html => "an HTML page",
            SourceKind::Pdf => "a PDF document",
            SourceKind::Feed => "an RSS or Atom feed",
            SourceKind::Json => "a JSON document",
        }
    }

    /// Whether a body that looks like `found` can be read as this kind.
    fn accepts(self, found: BodyKind) -> bool {
        match self {
            SourceKind::Pdf => found == BodyKind::Pdf,
            SourceKind::Json => found == BodyKind::Json,
            SourceKind::Html | SourceKind::Feed => {
                !matches!(found, BodyKind::Binary | BodyKind::Pdf)
            }
        }
    }
}

/// Everything extraction needs to know about a source (owned, so it can cross to a worker
/// thread).
#[derive(Debug, Clone)]
pub struct ExtractSpec {
    /// The document kind.
    pub kind: SourceKind,
    /// Selectors (HTML).
    pub css: Css,
    /// Lines matching any of these are dropped.
    pub ignore: Vec<Regex>,
    /// Feed entries and JSON items kept (empty: all).
    pub keep_items: Vec<Regex>,
    /// `keep_items_in = "all"`: `keep_items` also reads summaries and nested fields.
    pub keep_items_in_all: bool,
    /// How the items of a JSON document are found (`None`: the whole document).
    pub json_items: Option<JsonItems>,
    /// Longest run of an external tool (`pdftotext`).
    pub tool_timeout: Duration,
    /// Most bytes of output read from an external tool; more stops it (`pdftotext` printing
    /// without end).
    pub tool_output_cap: u64,
}

/// A fetched body and what the server said it is.
#[derive(Debug, Clone)]
pub struct Body {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
}

/// Extracts the blocks of `body` as `spec.kind` says. CPU-heavy work runs on tokio's blocking
/// pool and `pdftotext` in a subprocess, so the caller's async loop is never held.
///
/// # Errors
/// [`ExtractError`]: a body of the wrong type (named with its page title and `Content-Type`), a
/// block page, a selector that matched nothing, an empty text, a missing or failing tool.
pub async fn extract(spec: Arc<ExtractSpec>, body: Body) -> Result<Vec<String>, ExtractError> {
    let found = sniff(&body.bytes);
    if !spec.kind.accepts(found) {
        return Err(wrong_body(spec.kind.expected(), found, &body));
    }
    // Held until the blocks are made: large bodies wait their turn (extract/budget.rs).
    let reservation = super::reserve(spec.kind, &body.bytes).await?;
    let text = match spec.kind {
        SourceKind::Pdf => {
            // The text, its decoded copy and the blocks are about three copies of what the tool
            // prints: keep that within the page's reservation (see budget.rs).
            let cap = spec
                .tool_output_cap
                .min(super::page_budget(body.bytes.len()) / 3);
            Some(pdf_text(&body.bytes, spec.tool_timeout, cap).await?)
        }
        _ => None,
    };
    let blocks = tokio::task::spawn_blocking(move || match text {
        Some(text) => pdf_blocks(&text, &spec.ignore),
        None => extract_text_kinds(&spec, body),
    })
    .await
    .map_err(|e| ExtractError::Crashed(e.to_string()))?;
    drop(reservation);
    blocks
}

/// A local file's blocks, for `regwatch tag`: HTML (default selectors) when it looks like HTML,
/// else one block per line. A page that yields nothing gives no blocks, not an error.
#[must_use]
pub fn extract_file(bytes: &[u8]) -> Vec<String> {
    let text = decode(bytes, None);
    if super::looks_like_html(&text) {
        let css = Css::default();
        extract_html(
            &text,
            Spec {
                css: &css,
                ignore: &[],
            },
        )
        .unwrap_or_default()
    } else if hard_wrapped(&text) {
        super::extract_text(&join_wrapped(&text), &[])
    } else {
        super::extract_text(&text, &[])
    }
}

/// Whether plain text is hard-wrapped: most lines are short and run on into the next one (an
/// e-mail, a `pdftotext` dump, a Federal Register text copy), so a line is not a paragraph.
fn hard_wrapped(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let full: Vec<usize> = (0..lines.len())
        .filter(|i| !lines[*i].trim().is_empty())
        .collect();
    if full.len() < 4 || full.iter().any(|i| lines[*i].chars().count() > 120) {
        return false;
    }
    let runs_on = full
        .iter()
        .filter(|i| lines.get(**i + 1).is_some_and(|l| !l.trim().is_empty()))
        .count();
    runs_on * 2 >= full.len()
}

/// Joins hard-wrapped lines into paragraphs: a blank line, or a line opening a list item or
/// numbered paragraph ("(a)", "(1)", "•", "- ", "§"), starts a new one; "regu-" + "lation" keeps
/// its hyphen and no space, as PDF text does.
fn join_wrapped(text: &str) -> String {
    let opens = |l: &str| {
        let l = l.trim_start();
        l.starts_with('(') && l.get(1..4).is_some_and(|h| h.contains(')'))
            || l.starts_with(['•', '§', '#'])
            || l.starts_with("- ")
    };
    let mut out = String::with_capacity(text.len());
    let mut cur = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || (opens(line) && !cur.is_empty()) {
            if !cur.is_empty() {
                out.push_str(&std::mem::take(&mut cur));
                out.push('\n');
            }
            if line.is_empty() {
                continue;
            }
        }
        if !cur.is_empty() && !cur.ends_with('-') {
            cur.push(' ');
        }
        cur.push_str(line);
    }
    out.push_str(&cur);
    out
}

/// HTML, feeds and JSON: pure and synchronous.
fn extract_text_kinds(spec: &ExtractSpec, body: Body) -> Result<Vec<String>, ExtractError> {
    let filters = Filters {
        ignore: &spec.ignore,
        keep_items: &spec.keep_items,
        keep_items_in_all: spec.keep_items_in_all,
    };
    match spec.kind {
        SourceKind::Html => {
            let text = decode(&body.bytes, body.content_type.as_deref());
            // The bytes are not needed once decoded: free them before the tree is built.
            drop(body);
            check_decoded(&text)?;
            let blocks = extract_html(
                &text,
                Spec {
                    css: &spec.css,
                    ignore: &spec.ignore,
                },
            )?;
            let len: usize = blocks.iter().map(String::len).sum();
            if let Some(title) = block_page(&text, len) {
                return Err(ExtractError::Blocked(format!(
                    "a block or login page instead of the document (page title \"{title}\")"
                )));
            }
            Ok(blocks)
        }
        SourceKind::Feed => feed_blocks(&body.bytes, filters),
        SourceKind::Json => {
            let text = decode(&body.bytes, body.content_type.as_deref());
            drop(body);
            json_blocks(&text, spec.json_items.as_ref(), filters)
        }
        // Read by `pdftotext` in `extract`; never reaches here.
        SourceKind::Pdf => Err(ExtractError::Empty),
    }
}

/// "expected X, received Y": names an HTML page by its title, since that is how a block page
/// ("Request Access", "Just a moment…") shows itself.
fn wrong_body(expected: &str, found: BodyKind, body: &Body) -> ExtractError {
    let note = if found == BodyKind::Html {
        let head = &body.bytes[..body.bytes.len().min(64 * 1024)];
        title_note(&String::from_utf8_lossy(head))
    } else {
        String::new()
    };
    let ct = body
        .content_type
        .as_deref()
        .map(|c| format!(", Content-Type {c}"))
        .unwrap_or_default();
    let hint = if found == BodyKind::Html {
        ": a block, login or error page?"
    } else {
        ""
    };
    ExtractError::Invalid(format!(
        "{} where {expected} was expected{note}{ct}{hint}",
        found.describe()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: SourceKind) -> Arc<ExtractSpec> {
        Arc::new(ExtractSpec {
            kind,
            css: Css::default(),
            ignore: Vec::new(),
            keep_items: Vec::new(),
            keep_items_in_all: false,
            json_items: None,
            tool_timeout: Duration::from_secs(5),
            tool_output_cap: 1 << 20,
        })
    }

    fn body(bytes: &str, ct: Option<&str>) -> Body {
        Body {
            bytes: bytes.as_bytes().to_vec(),
            content_type: ct.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn each_kind_refuses_a_body_of_another_type_and_names_it() {
        let wall =
            "<html><head><title>Request Access</title></head><body>Please sign in</body></html>";
        let e = extract(spec(SourceKind::Json), body(wall, Some("text/html")))
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "an HTML page where a JSON document was expected (page title \"Request Access\"), Content-Type text/html: a block, login or error page?"
        );
        let e = extract(spec(SourceKind::Pdf), body("{\"a\": 1}", None))
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("a JSON document where a PDF document was expected")
        );
        let e = extract(spec(SourceKind::Html), body(wall, None))
            .await
            .unwrap_err();
        assert!(matches!(e, ExtractError::Blocked(_)), "{e}");
    }

    #[tokio::test]
    async fn html_and_json_are_read() {
        let blocks = extract(
            spec(SourceKind::Html),
            body(
                "<html><body><main><p>TPP of 4,800</p></main></body></html>",
                None,
            ),
        )
        .await
        .unwrap();
        assert_eq!(blocks, vec!["TPP of 4,800"]);
        let blocks = extract(spec(SourceKind::Json), body("{\"b\": 1, \"a\": 2}", None))
            .await
            .unwrap();
        assert!(!blocks.is_empty());
    }
}
