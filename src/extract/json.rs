//! JSON documents and API answers.
//!
//! With an `items` mapping, each item of the array becomes an *item*: a `# title` line, then
//! `link:` and `date:` lines, then its other scalar fields as `key: value` lines sorted by key
//! (see [`super::items`]). Without one, the document is rendered as canonical JSON: keys sorted,
//! one line per scalar, so the key order a server happens to use never causes a change.
//!
//! The document is read one level at a time: an object or array is parsed into its children as
//! raw text (`RawValue`, borrowed from the document, no copy), and only the children that matter
//! are read further. No tree of the whole document is ever built (a `serde_json::Value` tree takes
//! 20 to 150 times the size of the text), and numbers keep the digits they were written with
//! whenever a 64-bit reading would lose some (an integer beyond 64 bits, a decimal with more than
//! 15 significant digits), so that a change in their last digits is a change.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::items::{Item, item_blocks_with};
use super::{ExtractError, Filters, normalize_line};

/// Default field names tried, in order, when the source does not name one.
const TITLE_FIELDS: &[&str] = &["title"];
const LINK_FIELDS: &[&str] = &["html_url", "url", "link"];
const DATE_FIELDS: &[&str] = &["publication_date", "date"];

/// Deepest nesting read (serde_json's own limit when it builds a tree): each level re-reads the
/// text of its children, so the depth bounds the work too.
const MAX_DEPTH: usize = 128;

/// How the items of a JSON document are found and named (`kind = "json"` settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonItems {
    /// JSON Pointer to the array of items ("" = the document itself).
    pub items: String,
    /// Field holding an item's title (default `title`).
    pub title: Option<String>,
    /// Field holding an item's link (default `html_url`, `url`, then `link`).
    pub link: Option<String>,
    /// Field holding an item's date (default `publication_date`, then `date`).
    pub date: Option<String>,
    /// Fields that identify an item across versions (`key = ["identifier", "issue_date"]`);
    /// empty: its link, else its title. Stored as a first `_key: …` field.
    pub key: Vec<String>,
}

/// One level of a JSON value: containers with their children still as raw text.
enum Level<'a> {
    /// Keys sorted; a repeated key keeps its last value (as serde_json does).
    Object(BTreeMap<String, &'a RawValue>),
    Array(Vec<&'a RawValue>),
    String(String),
    /// As written in the document.
    Number(&'a str),
    Bool(bool),
    Null,
}

fn invalid(e: &serde_json::Error) -> ExtractError {
    ExtractError::Invalid(format!("not valid JSON: {e}"))
}

/// Reads one level of `text` (a whole JSON value).
fn level(text: &str) -> Result<Level<'_>, ExtractError> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r']);
    Ok(match t.as_bytes().first() {
        Some(b'{') => Level::Object(serde_json::from_str(text).map_err(|e| invalid(&e))?),
        Some(b'[') => Level::Array(serde_json::from_str(text).map_err(|e| invalid(&e))?),
        Some(b'"') => Level::String(serde_json::from_str(text).map_err(|e| invalid(&e))?),
        Some(b't' | b'f') => Level::Bool(serde_json::from_str(text).map_err(|e| invalid(&e))?),
        Some(b'n') => {
            serde_json::from_str::<()>(text).map_err(|e| invalid(&e))?;
            Level::Null
        }
        _ => {
            let raw: &RawValue = serde_json::from_str(text).map_err(|e| invalid(&e))?;
            Level::Number(raw.get())
        }
    })
}

/// A number as text: as serde_json prints it when its 64-bit reading is exact (so that stored
/// versions keep their text), else as written.
fn number_text(raw: &str) -> String {
    let integer = !raw.contains(['.', 'e', 'E']);
    let exact = match serde_json::from_str::<serde_json::Number>(raw) {
        Ok(n) if integer => (n.is_u64() || n.is_i64()).then_some(n),
        Ok(n) => {
            let mantissa = raw.split(['e', 'E']).next().unwrap_or(raw);
            let digits = mantissa
                .bytes()
                .filter(u8::is_ascii_digit)
                .skip_while(|&b| b == b'0')
                .count();
            (digits <= 15).then_some(n)
        }
        Err(_) => None,
    };
    exact.map_or_else(|| raw.to_string(), |n| n.to_string())
}

/// Blocks of a JSON document.
///
/// # Errors
/// [`ExtractError::Invalid`] when the text is not JSON or `items` does not point to an array;
/// [`ExtractError::Empty`] when nothing is left.
pub fn json_blocks(
    text: &str,
    map: Option<&JsonItems>,
    filters: Filters<'_>,
) -> Result<Vec<String>, ExtractError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Validates the whole document once (the levels below re-read parts of it).
    let doc: &RawValue = serde_json::from_str(text).map_err(|e| invalid(&e))?;
    let blocks = match map {
        None => {
            let mut lines = Lines {
                out: Vec::new(),
                ignore: filters.ignore,
            };
            canonical(doc, 0, None, true, &mut lines)?;
            lines.out
        }
        Some(map) => {
            let found = pointer(doc, &map.items)?.ok_or_else(|| {
                ExtractError::Invalid(format!(
                    "`items` \"{}\" points to nothing in this document",
                    map.items
                ))
            })?;
            let Level::Array(list) = level(found.get())? else {
                return Err(ExtractError::Invalid(format!(
                    "`items` \"{}\" points to {}, not an array",
                    map.items,
                    type_name(found)
                )));
            };
            let items = list
                .iter()
                .map(|v| {
                    let more = if filters.keep_items_in_all {
                        nested_text(v)?
                    } else {
                        String::new()
                    };
                    Ok((item(v, map)?, more))
                })
                .collect::<Result<Vec<(Item, String)>, ExtractError>>()?;
            drop(list);
            item_blocks_with(items, filters)
        }
    };
    if blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks)
}

/// The value a JSON Pointer (RFC 6901) names, reading only the levels on its way.
fn pointer<'a>(doc: &'a RawValue, path: &str) -> Result<Option<&'a RawValue>, ExtractError> {
    if path.is_empty() {
        return Ok(Some(doc));
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Ok(None);
    };
    let mut cur = doc;
    for token in rest.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match level(cur.get())? {
            Level::Object(obj) => obj.get(&token).copied(),
            Level::Array(list) => {
                let plain = !token.starts_with('+') && (token == "0" || !token.starts_with('0'));
                plain
                    .then(|| token.parse::<usize>().ok())
                    .flatten()
                    .and_then(|i| list.get(i).copied())
            }
            _ => None,
        };
        let Some(next) = next else {
            return Ok(None);
        };
        cur = next;
    }
    Ok(Some(cur))
}

fn type_name(v: &RawValue) -> &'static str {
    match v.get().trim_start().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

/// A scalar (or an array of scalars) as one line of text; `None` for objects, nested arrays
/// and nulls.
fn scalar(v: &RawValue) -> Result<Option<String>, ExtractError> {
    scalar_at(v, 0)
}

fn scalar_at(v: &RawValue, depth: usize) -> Result<Option<String>, ExtractError> {
    if depth > MAX_DEPTH {
        return Ok(None);
    }
    Ok(match level(v.get())? {
        Level::String(s) => Some(normalize_line(&s)),
        Level::Number(n) => Some(number_text(n)),
        Level::Bool(b) => Some(b.to_string()),
        Level::Array(a) if !a.is_empty() => {
            let mut parts = Vec::with_capacity(a.len());
            for x in a {
                match scalar_at(x, depth + 1)? {
                    Some(s) => parts.push(s),
                    None => return Ok(None),
                }
            }
            Some(parts.join(", "))
        }
        _ => None,
    })
}

fn field<'v>(
    obj: &BTreeMap<String, &'v RawValue>,
    named: Option<&str>,
    defaults: &[&'static str],
) -> Option<(String, &'v RawValue)> {
    match named {
        Some(n) => obj.get(n).map(|v| (n.to_string(), *v)),
        None => defaults.iter().find_map(|n| {
            obj.get(*n)
                .filter(|v| v.get().trim() != "null")
                .map(|v| (n.to_string(), *v))
        }),
    }
}

/// What `keep_items_in = "all"` reads beyond an item's stored lines: the scalars of its nested
/// objects and arrays (e.g. the `slug` of each of a Federal Register document's `agencies`),
/// space-separated.
fn nested_text(v: &RawValue) -> Result<String, ExtractError> {
    fn walk(v: &RawValue, depth: usize, top: bool, out: &mut String) -> Result<(), ExtractError> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        match level(v.get())? {
            Level::Object(obj) => {
                for x in obj.values() {
                    // At the top, scalars are the item's own fields: already stored.
                    if !top || scalar(x)?.is_none() {
                        walk(x, depth + 1, false, out)?;
                    }
                }
            }
            Level::Array(list) => {
                for x in list {
                    walk(x, depth + 1, false, out)?;
                }
            }
            Level::String(s) if !top => {
                out.push(' ');
                out.push_str(&normalize_line(&s));
            }
            Level::Number(n) if !top => {
                out.push(' ');
                out.push_str(n);
            }
            _ => {}
        }
        Ok(())
    }
    let mut out = String::new();
    walk(v, 0, true, &mut out)?;
    Ok(out)
}

fn item(v: &RawValue, map: &JsonItems) -> Result<Item, ExtractError> {
    let obj = match level(v.get())? {
        Level::Object(obj) => obj,
        _ => {
            return Ok(Item {
                title: scalar(v)?.unwrap_or_default(),
                ..Item::default()
            });
        }
    };
    let title = field(&obj, map.title.as_deref(), TITLE_FIELDS);
    let link = field(&obj, map.link.as_deref(), LINK_FIELDS);
    let date = field(&obj, map.date.as_deref(), DATE_FIELDS);
    let used: Vec<&str> = [&title, &link, &date]
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .collect();
    // The map is sorted by key, so the fields are too; a configured key comes first.
    let mut fields: Vec<(String, String)> = Vec::new();
    if !map.key.is_empty() {
        let mut parts = Vec::new();
        for k in &map.key {
            let v = match obj.get(k) {
                Some(v) => scalar(v)?.unwrap_or_default(),
                None => String::new(),
            };
            parts.push(v);
        }
        fields.push((crate::model::ITEM_KEY.to_string(), parts.join(" | ")));
    }
    for (k, v) in &obj {
        if used.contains(&k.as_str()) {
            continue;
        }
        if let Some(s) = scalar(v)?
            && !s.is_empty()
        {
            fields.push((k.clone(), s));
        }
    }
    let read = |f: Option<(String, &RawValue)>| match f {
        Some((_, v)) => scalar(v),
        None => Ok(None),
    };
    Ok(Item {
        title: read(title)?.unwrap_or_default(),
        link: read(link)?,
        date: read(date)?,
        fields,
    })
}

/// Lines of the canonical rendering, normalized and filtered as they are made.
struct Lines<'r> {
    out: Vec<String>,
    ignore: &'r [regex::Regex],
}

impl Lines<'_> {
    fn push(&mut self, line: &str) {
        let line = normalize_line(line);
        if !line.is_empty() && !self.ignore.iter().any(|r| r.is_match(&line)) {
            self.out.push(line);
        }
    }
}

/// Canonical pretty JSON, one line per scalar, keys sorted (indentation is left out: lines are
/// normalized, which would drop it).
fn canonical(
    v: &RawValue,
    depth: usize,
    key: Option<&str>,
    last: bool,
    out: &mut Lines<'_>,
) -> Result<(), ExtractError> {
    if depth > MAX_DEPTH {
        return Err(ExtractError::Invalid(format!(
            "not valid JSON: nested more than {MAX_DEPTH} levels deep"
        )));
    }
    let mut line = match key {
        Some(k) => format!("{}: ", quoted(k)),
        None => String::new(),
    };
    let comma = if last { "" } else { "," };
    match level(v.get())? {
        Level::Object(obj) if !obj.is_empty() => {
            line.push('{');
            out.push(&line);
            let n = obj.len();
            for (i, (k, child)) in obj.iter().enumerate() {
                canonical(child, depth + 1, Some(k), i + 1 == n, out)?;
            }
            out.push(&format!("}}{comma}"));
        }
        Level::Array(a) if !a.is_empty() => {
            line.push('[');
            out.push(&line);
            let n = a.len();
            for (i, child) in a.iter().enumerate() {
                canonical(child, depth + 1, None, i + 1 == n, out)?;
            }
            out.push(&format!("]{comma}"));
        }
        Level::Object(_) => out.push(&format!("{line}{{}}{comma}")),
        Level::Array(_) => out.push(&format!("{line}[]{comma}")),
        Level::String(s) => out.push(&format!("{line}{}{comma}", quoted(&s))),
        Level::Number(n) => out.push(&format!("{line}{}{comma}", number_text(n))),
        Level::Bool(b) => out.push(&format!("{line}{b}{comma}")),
        Level::Null => out.push(&format!("{line}null{comma}")),
    }
    Ok(())
}

/// A string as JSON writes it (quotes and escapes).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(items: &str) -> JsonItems {
        JsonItems {
            items: items.into(),
            title: None,
            link: None,
            date: None,
            key: Vec::new(),
        }
    }

    #[test]
    fn key_order_never_matters_without_items() {
        let a = r#"{"count": 2, "results": [{"title": "A", "n": 1}], "b": {"y": 1, "x": [1, 2]}}"#;
        let b = r#"{"b": {"x": [1, 2], "y": 1}, "results": [{"n": 1, "title": "A"}], "count": 2}"#;
        let ba = json_blocks(a, None, Filters::default()).unwrap();
        assert_eq!(ba, json_blocks(b, None, Filters::default()).unwrap());
        assert_eq!(ba[0], "{");
        assert!(ba.contains(&"\"count\": 2,".to_string()), "{ba:?}");
    }

    #[test]
    fn items_become_title_link_date_then_sorted_fields() {
        let doc = r#"{"results": [
            {"title": "Revision to License Exception ACA", "html_url": "https://fr.example/d/2026-00001",
             "publication_date": "2026-01-13", "type": "Rule", "document_number": "2026-00001",
             "agencies": [{"name": "BIS"}], "abstract": null},
            {"title": "Older notice", "html_url": "https://fr.example/d/2025-00636",
             "publication_date": "2025-01-15", "type": "Rule", "document_number": "2025-00636"}
        ]}"#;
        let blocks = json_blocks(doc, Some(&map("/results")), Filters::default()).unwrap();
        assert_eq!(
            blocks[..5],
            [
                "# Revision to License Exception ACA",
                "link: https://fr.example/d/2026-00001",
                "date: 2026-01-13",
                "document_number: 2026-00001",
                "type: Rule",
            ]
        );
        assert_eq!(blocks[5], "# Older notice");
    }

    #[test]
    fn keep_items_in_all_reads_nested_fields() {
        let doc = r#"{"results": [
            {"title": "Entity List additions", "html_url": "/a", "filed_at": "2026-01-02",
             "agencies": [{"slug": "industry-and-security-bureau", "id": 241}]},
            {"title": "Fisheries", "html_url": "/b", "filed_at": "2026-01-02",
             "agencies": [{"slug": "national-oceanic-and-atmospheric-administration"}]}
        ]}"#;
        let keep = [regex::Regex::new("industry-and-security-bureau").unwrap()];
        let filters = Filters {
            ignore: &[],
            keep_items: &keep,
            keep_items_in_all: true,
        };
        let blocks = json_blocks(doc, Some(&map("/results")), filters).unwrap();
        assert_eq!(blocks[0], "# Entity List additions");
        assert!(
            !blocks.iter().any(|b| b.contains("Fisheries")),
            "{blocks:?}"
        );
        assert!(
            !blocks.iter().any(|b| b.contains("slug")),
            "nested fields are not stored"
        );
        let title_only = Filters {
            keep_items_in_all: false,
            ..filters
        };
        let blocks = json_blocks(doc, Some(&map("/results")), title_only).unwrap();
        assert_eq!(blocks, [crate::extract::NO_MATCHING_ITEMS]);
    }

    #[test]
    fn a_configured_key_identifies_items_sharing_a_name() {
        let doc = r#"[{"name": "Part 740", "identifier": "740", "issue_date": "2025-01-15", "date": "2025-01-15"},
                      {"name": "Part 740", "identifier": "740", "issue_date": "2025-05-13", "date": "2025-05-13"}]"#;
        let m = JsonItems {
            title: Some("name".into()),
            key: vec!["identifier".into(), "issue_date".into()],
            ..map("")
        };
        let blocks = json_blocks(doc, Some(&m), Filters::default()).unwrap();
        let items = crate::model::Item::parse_blocks(&blocks);
        let mut keys: Vec<(&str, Option<&str>)> =
            items.iter().map(|i| (i.key(), i.date.as_deref())).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                ("740 | 2025-01-15", Some("2025-01-15")),
                ("740 | 2025-05-13", Some("2025-05-13"))
            ]
        );
    }

    #[test]
    fn named_fields_and_errors() {
        let doc = r#"{"data": {"rows": [{"name": "Bill S. 3150", "href": "https://c.example/s3150", "when": "2025-11-06"}]}}"#;
        let m = JsonItems {
            items: "/data/rows".into(),
            title: Some("name".into()),
            link: Some("href".into()),
            date: Some("when".into()),
            key: Vec::new(),
        };
        let blocks = json_blocks(doc, Some(&m), Filters::default()).unwrap();
        assert_eq!(
            blocks,
            [
                "# Bill S. 3150",
                "link: https://c.example/s3150",
                "date: 2025-11-06"
            ]
        );
        let e = json_blocks(doc, Some(&map("/data")), Filters::default()).unwrap_err();
        assert!(e.to_string().contains("an object, not an array"), "{e}");
        let e = json_blocks(doc, Some(&map("/nope")), Filters::default()).unwrap_err();
        assert!(e.to_string().contains("points to nothing"), "{e}");
        let e = json_blocks(
            "<html><title>Request Access</title>",
            None,
            Filters::default(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("not valid JSON"), "{e}");
    }

    #[test]
    fn numbers_keep_their_digits_when_64_bits_would_lose_some() {
        let a = json_blocks(
            r#"{"n": 123456789012345678901234567890}"#,
            None,
            Filters::default(),
        );
        let b = json_blocks(
            r#"{"n": 123456789012345678901234567891}"#,
            None,
            Filters::default(),
        );
        assert_eq!(a.unwrap()[1], "\"n\": 123456789012345678901234567890");
        assert_eq!(b.unwrap()[1], "\"n\": 123456789012345678901234567891");
        // Exact readings print as before (stored versions keep their text).
        let c = json_blocks(
            r#"[1, -2, 1.50, 1e2, 18446744073709551615, -0, 0.1, 3.141592653589793238]"#,
            None,
            Filters::default(),
        )
        .unwrap();
        assert_eq!(
            c,
            [
                "[",
                "1,",
                "-2,",
                "1.5,",
                "100.0,",
                "18446744073709551615,",
                "-0,",
                "0.1,",
                "3.141592653589793238",
                "]"
            ]
        );
        let doc = r#"{"r": [{"title": "T", "amount": 98765432109876543210987}]}"#;
        let blocks = json_blocks(doc, Some(&map("/r")), Filters::default()).unwrap();
        assert_eq!(blocks[1], "amount: 98765432109876543210987");
    }

    #[test]
    fn canonical_rendering_is_unchanged() {
        let doc = r#"{"z": {"e": {}, "f": [], "g": null}, "a": [true, "x\u00e9\"  y", [1, {"k": 2}], -0, 1e2, 2.50], "a": "dup"}"#;
        let blocks = json_blocks(doc, None, Filters::default()).unwrap();
        let tree: serde_json::Value = serde_json::from_str(doc).unwrap();
        let mut old = Vec::new();
        old_canonical(&tree, 0, None, true, &mut old);
        assert_eq!(blocks, crate::extract::finish_blocks(old, &[]));
    }

    /// The rendering before documents were read a level at a time (a whole `Value` tree).
    fn old_canonical(
        v: &serde_json::Value,
        depth: usize,
        key: Option<&str>,
        last: bool,
        out: &mut Vec<String>,
    ) {
        use serde_json::Value;
        use std::fmt::Write as _;
        let mut line = "  ".repeat(depth);
        if let Some(k) = key {
            let _ = write!(line, "{}: ", Value::String(k.to_string()));
        }
        let comma = if last { "" } else { "," };
        match v {
            Value::Object(obj) if !obj.is_empty() => {
                line.push('{');
                out.push(line);
                let n = obj.len();
                for (i, (k, child)) in obj.iter().enumerate() {
                    old_canonical(child, depth + 1, Some(k), i + 1 == n, out);
                }
                out.push(format!("{}}}{comma}", "  ".repeat(depth)));
            }
            Value::Array(a) if !a.is_empty() => {
                line.push('[');
                out.push(line);
                let n = a.len();
                for (i, child) in a.iter().enumerate() {
                    old_canonical(child, depth + 1, None, i + 1 == n, out);
                }
                out.push(format!("{}]{comma}", "  ".repeat(depth)));
            }
            other => {
                let _ = write!(line, "{other}{comma}");
                out.push(line);
            }
        }
    }

    #[test]
    fn deep_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(json_blocks(&deep, None, Filters::default()).is_err());
    }
}
