//! HTML → blocks.
//!
//! The walk over the tree is iterative (ego-tree's `traverse`), so a page nested 100,000 elements
//! deep costs memory proportional to its size and never the stack.

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::{ExtractError, Spec, finish_blocks};

/// Elements whose content is never text a reader sees.
const INVISIBLE: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas",
];
/// Page furniture dropped when no `select` is given, wherever it stands.
const FURNITURE: &[&str] = &["nav", "aside", "footer", "form", "button", "dialog"];
/// Elements that start and end a block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "li",
    "dt",
    "dd",
    "ul",
    "ol",
    "dl",
    "table",
    "caption",
    "figcaption",
    "figure",
    "address",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "summary",
    "details",
    "center",
    "legend",
    "fieldset",
    "tbody",
    "thead",
    "tfoot",
    "body",
    "html",
    "header",
    "footer",
    "nav",
    "aside",
    "option",
];

/// Deepest element nesting accepted. Real pages nest a few dozen levels; the HTML parser's cost
/// grows with the square of the depth, so a page nested 100,000 deep would hold a worker for
/// minutes. Such a page is refused as hostile (an error on the source, never a change).
pub const MAX_DEPTH: usize = 1_000;

/// Elements that never have content, or whose end tag may be left out: not counted as nesting.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rt", "rp", "html", "head", "body",
];

/// Estimates the deepest nesting of elements with a cheap scan of the tags (no parse).
#[must_use]
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = text[start..start + name_len].to_ascii_lowercase();
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'>')
                .map(|p| start + p);
            let self_closing = end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
            if !self_closing {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

/// Extracts blocks from an HTML document: `remove`, then `select` (or the main content), then
/// blocks, then `ignore`.
///
/// # Errors
/// [`ExtractError::SelectorMiss`] when `select` matches nothing, [`ExtractError::Empty`] when no
/// text is left.
pub fn extract_html(text: &str, spec: Spec<'_>) -> Result<Vec<String>, ExtractError> {
    let depth = nesting_depth(text);
    if depth > MAX_DEPTH {
        return Err(ExtractError::TooDeep {
            depth,
            limit: MAX_DEPTH,
        });
    }
    let doc = Html::parse_document(text);
    let mut skip: HashSet<NodeId> = HashSet::new();
    for sel in &spec.css.remove {
        skip.extend(doc.select(sel).map(|e| e.id()));
    }
    let roots: Vec<ElementRef<'_>> = if spec.css.select.is_empty() {
        default_roots(&doc, &mut skip)
    } else {
        let roots = selected(&doc, &spec.css.select, &skip);
        if roots.is_empty() {
            let list: Vec<String> = spec
                .css
                .select
                .iter()
                .map(|s| format!("\"{}\"", selector_text(s)))
                .collect();
            return Err(ExtractError::SelectorMiss(list.join(", ")));
        }
        roots
    };
    let mut walker = Walker::default();
    for root in roots {
        walker.walk(root, &skip);
        walker.flush();
    }
    let blocks = finish_blocks(walker.lines, spec.ignore);
    if blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks)
}

/// A selector as CSS (`#content, main`), cut to 120 characters for the message.
fn selector_text(s: &Selector) -> String {
    use cssparser::ToCss as _;
    crate::util::shorten(&s.to_css_string(), 120)
}

/// `<main>` if there is one, else the `<article>`s, else `<body>` without furniture.
fn default_roots<'a>(doc: &'a Html, skip: &mut HashSet<NodeId>) -> Vec<ElementRef<'a>> {
    static MAIN: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("main, [role=main]").ok());
    static ARTICLE: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("article").ok());
    static FURN: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse(&FURNITURE.join(", ")).ok());
    static HEADER: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("body > header, body > div > header").ok());
    if let Some(sel) = FURN.as_ref() {
        skip.extend(doc.select(sel).map(|e| e.id()));
    }
    if let Some(sel) = MAIN.as_ref() {
        let found = selected(doc, std::slice::from_ref(sel), skip);
        if !found.is_empty() {
            return found;
        }
    }
    if let Some(sel) = ARTICLE.as_ref() {
        let found = selected(doc, std::slice::from_ref(sel), skip);
        if !found.is_empty() {
            return found;
        }
    }
    // A page header (site banner) is furniture; an article's own header is content.
    if let Some(sel) = HEADER.as_ref() {
        skip.extend(doc.select(sel).map(|e| e.id()));
    }
    vec![doc.root_element()]
}

/// Elements matching any selector, in document order, without those nested in another match or
/// inside a removed element.
fn selected<'a>(doc: &'a Html, sels: &[Selector], skip: &HashSet<NodeId>) -> Vec<ElementRef<'a>> {
    let mut ids: HashSet<NodeId> = HashSet::new();
    for sel in sels {
        ids.extend(doc.select(sel).map(|e| e.id()));
    }
    let mut out = Vec::new();
    for node in doc.tree.root().descendants() {
        if !ids.contains(&node.id()) {
            continue;
        }
        let nested = node
            .ancestors()
            .any(|a| ids.contains(&a.id()) || skip.contains(&a.id()));
        if nested || skip.contains(&node.id()) {
            continue;
        }
        if let Some(el) = ElementRef::wrap(node) {
            out.push(el);
        }
    }
    out
}

#[derive(Default)]
struct Walker {
    lines: Vec<String>,
    cur: String,
    /// Cells of the table row being read, when inside a `<tr>`.
    row: Option<Vec<String>>,
    /// Depth of `<td>/<th>` nesting: block elements inside a cell do not break the row.
    cell_depth: usize,
}

impl Walker {
    fn flush(&mut self) {
        if !self.cur.trim().is_empty() {
            let line = std::mem::take(&mut self.cur);
            self.lines.push(line);
        } else {
            self.cur.clear();
        }
    }

    fn walk(&mut self, root: ElementRef<'_>, skip: &HashSet<NodeId>) {
        let mut skipping: Option<NodeId> = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skipping.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) if self.cell_depth > 0 || self.row.is_none() => {
                            self.cur.push_str(t);
                        }
                        Node::Element(el) => {
                            let name = el.name();
                            if skip.contains(&node.id()) || INVISIBLE.contains(&name) {
                                skipping = Some(node.id());
                                continue;
                            }
                            self.open(name);
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skipping {
                        if id == node.id() {
                            skipping = None;
                        }
                        continue;
                    }
                    if let Node::Element(el) = node.value() {
                        self.close(el.name());
                    }
                }
            }
        }
    }

    fn open(&mut self, name: &str) {
        match name {
            "tr" => {
                self.flush();
                self.row = Some(Vec::new());
                self.cell_depth = 0;
            }
            "td" | "th" => {
                if self.cell_depth == 0 {
                    self.cur.clear();
                }
                self.cell_depth += 1;
            }
            _ if self.cell_depth > 0 && BLOCKS.contains(&name) => self.cur.push(' '),
            _ if self.cell_depth > 0 => {}
            _ if BLOCKS.contains(&name) => self.flush(),
            _ => {}
        }
        if let Some(level) = heading_level(name)
            && self.cell_depth == 0
        {
            self.cur.push_str(&"#".repeat(level));
            self.cur.push(' ');
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "td" | "th" => {
                self.cell_depth = self.cell_depth.saturating_sub(1);
                if self.cell_depth == 0 {
                    let cell = super::normalize_line(&std::mem::take(&mut self.cur));
                    if let Some(row) = self.row.as_mut() {
                        row.push(cell);
                    } else {
                        self.lines.push(cell);
                    }
                }
            }
            "tr" => {
                if let Some(row) = self.row.take() {
                    // Keep empty cells in the middle (columns stay aligned), drop trailing ones.
                    let mut row = row;
                    while row.last().is_some_and(String::is_empty) {
                        row.pop();
                    }
                    if !row.is_empty() {
                        self.lines.push(row.join(" | "));
                    }
                }
                self.cell_depth = 0;
                self.cur.clear();
            }
            _ if self.cell_depth > 0 && BLOCKS.contains(&name) => self.cur.push(' '),
            _ if self.cell_depth > 0 => {}
            _ if BLOCKS.contains(&name) => self.flush(),
            _ => {}
        }
    }
}

fn heading_level(name: &str) -> Option<usize> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Css;

    fn css(select: &[&str], remove: &[&str]) -> Css {
        Css {
            select: select.iter().map(|s| Selector::parse(s).unwrap()).collect(),
            remove: remove.iter().map(|s| Selector::parse(s).unwrap()).collect(),
        }
    }

    fn run(html: &str, c: &Css) -> Result<Vec<String>, ExtractError> {
        extract_html(
            html,
            Spec {
                css: c,
                ignore: &[],
            },
        )
    }

    #[test]
    fn selector_miss_is_an_error_that_names_the_selectors() {
        let c = css(&["#rules", "main > .content"], &[]);
        let e = run("<html><body><p>x</p></body></html>", &c).unwrap_err();
        assert!(matches!(e, ExtractError::SelectorMiss(_)));
        assert_eq!(
            e.to_string(),
            "selector matched nothing: \"#rules\", \"main > .content\""
        );
    }

    #[test]
    fn empty_page_is_an_error() {
        let c = css(&[], &[]);
        assert_eq!(
            run("<html><body>  </body></html>", &c),
            Err(ExtractError::Empty)
        );
    }

    #[test]
    fn nested_selection_is_kept_once() {
        let c = css(&["section", ".x"], &[]);
        let b = run("<section><p class=x>one</p><p>two</p></section>", &c).unwrap();
        assert_eq!(b, vec!["one", "two"]);
    }

    #[test]
    fn deep_nesting_is_refused_quickly_without_overflow() {
        let c = css(&[], &[]);
        let mut html = "<div>".repeat(100_000);
        html.push_str("deep text");
        assert!(matches!(run(&html, &c), Err(ExtractError::TooDeep { .. })));
        // Within the limit, the walk is iterative and the text comes out.
        let mut html = "<div><span>".repeat(MAX_DEPTH / 2);
        html.push_str("deep text");
        assert_eq!(run(&html, &c).unwrap(), vec!["deep text"]);
    }

    #[test]
    fn depth_estimate_ignores_void_and_optional_end_tags() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x><li>c</div>"), 1);
        assert_eq!(nesting_depth("<div><div/><span>x</span></div>"), 2);
        assert_eq!(nesting_depth("a < b and <3"), 0);
    }
}
