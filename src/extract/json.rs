//! JSON documents and API answers.
//!
//! With an `items` mapping, each item of the array becomes an *item*: a `# title` line, then
//! `link:` and `date:` lines, then its other scalar fields as `key: value` lines sorted by key
//! (see [`super::items`]). Without one, the document is rendered as canonical JSON: keys sorted,
//! one line per scalar, so the key order a server happens to use never causes a change.

use std::fmt::Write as _;

use serde_json::Value;

use super::items::{Item, item_blocks};
use super::{ExtractError, Filters, finish_blocks, normalize_line};

/// Default field names tried, in order, when the source does not name one.
const TITLE_FIELDS: &[&str] = &["title"];
const LINK_FIELDS: &[&str] = &["html_url", "url", "link"];
const DATE_FIELDS: &[&str] = &["publication_date", "date"];

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
    // serde_json refuses nesting deeper than 128 levels, so the renderers below recurse safely.
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| ExtractError::Invalid(format!("not valid JSON: {e}")))?;
    let blocks = match map {
        None => {
            let mut lines = Vec::new();
            canonical(&doc, 0, None, true, &mut lines);
            finish_blocks(lines, filters.ignore)
        }
        Some(map) => {
            let found = doc.pointer(&map.items).ok_or_else(|| {
                ExtractError::Invalid(format!(
                    "`items` \"{}\" points to nothing in this document",
                    map.items
                ))
            })?;
            let Value::Array(list) = found else {
                return Err(ExtractError::Invalid(format!(
                    "`items` \"{}\" points to {}, not an array",
                    map.items,
                    type_name(found)
                )));
            };
            let items: Vec<Item> = list.iter().map(|v| item(v, map)).collect();
            item_blocks(items, filters)
        }
    };
    if blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A scalar (or an array of scalars) as one line of text; `None` for objects, nested arrays
/// and nulls.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(normalize_line(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) if !a.is_empty() && a.iter().all(|x| scalar(x).is_some()) => {
            Some(a.iter().filter_map(scalar).collect::<Vec<_>>().join(", "))
        }
        _ => None,
    }
}

fn field<'v>(
    obj: &'v serde_json::Map<String, Value>,
    named: Option<&str>,
    defaults: &[&'static str],
) -> Option<(String, &'v Value)> {
    match named {
        Some(n) => obj.get(n).map(|v| (n.to_string(), v)),
        None => defaults.iter().find_map(|n| {
            obj.get(*n)
                .filter(|v| !v.is_null())
                .map(|v| (n.to_string(), v))
        }),
    }
}

fn item(v: &Value, map: &JsonItems) -> Item {
    let Value::Object(obj) = v else {
        return Item {
            title: scalar(v).unwrap_or_default(),
            ..Item::default()
        };
    };
    let title = field(obj, map.title.as_deref(), TITLE_FIELDS);
    let link = field(obj, map.link.as_deref(), LINK_FIELDS);
    let date = field(obj, map.date.as_deref(), DATE_FIELDS);
    let used: Vec<&str> = [&title, &link, &date]
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .collect();
    // Object maps are sorted by key (serde_json without `preserve_order`); sort anyway so
    // that a dependency enabling that feature cannot change the output.
    let mut fields: Vec<(String, String)> = obj
        .iter()
        .filter(|(k, _)| !used.contains(&k.as_str()))
        .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    fields.sort();
    Item {
        title: title.and_then(|(_, v)| scalar(v)).unwrap_or_default(),
        link: link.and_then(|(_, v)| scalar(v)),
        date: date.and_then(|(_, v)| scalar(v)),
        fields,
    }
}

/// Canonical pretty JSON, one line per scalar, keys sorted.
fn canonical(v: &Value, depth: usize, key: Option<&str>, last: bool, out: &mut Vec<String>) {
    let mut line = "  ".repeat(depth);
    if let Some(k) = key {
        let _ = write!(line, "{}: ", Value::String(k.to_string()));
    }
    let comma = if last { "" } else { "," };
    match v {
        Value::Object(obj) if !obj.is_empty() => {
            line.push('{');
            out.push(line);
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            let n = keys.len();
            for (i, k) in keys.into_iter().enumerate() {
                if let Some(child) = obj.get(k) {
                    canonical(child, depth + 1, Some(k), i + 1 == n, out);
                }
            }
            out.push(format!("{}}}{comma}", "  ".repeat(depth)));
        }
        Value::Array(a) if !a.is_empty() => {
            line.push('[');
            out.push(line);
            let n = a.len();
            for (i, child) in a.iter().enumerate() {
                canonical(child, depth + 1, None, i + 1 == n, out);
            }
            out.push(format!("{}]{comma}", "  ".repeat(depth)));
        }
        other => {
            let _ = write!(line, "{other}{comma}");
            out.push(line);
        }
    }
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
    fn named_fields_and_errors() {
        let doc = r#"{"data": {"rows": [{"name": "Bill S. 3150", "href": "https://c.example/s3150", "when": "2025-11-06"}]}}"#;
        let m = JsonItems {
            items: "/data/rows".into(),
            title: Some("name".into()),
            link: Some("href".into()),
            date: Some("when".into()),
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
    fn deep_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(json_blocks(&deep, None, Filters::default()).is_err());
    }
}
