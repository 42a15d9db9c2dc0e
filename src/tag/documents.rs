//! Items of feeds and JSON lists: an item that appears is a `new_document`; an item that
//! disappears means nothing (feeds drop their oldest entries all the time); the other tags run
//! over the text of new and changed items only.

use std::collections::HashMap;

use serde_json::json;

use crate::model::{Evidence, Item, Severity, Tag};

/// What two versions of an item list say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemDelta {
    /// One `new_document` tag per item that appeared.
    pub new_documents: Vec<Tag>,
    /// Old blocks of the items that changed.
    pub old: Vec<String>,
    /// New blocks of the items that changed, then of the items that appeared.
    pub new: Vec<String>,
}

/// Items keyed by link (or title), with an occurrence number for repeated keys.
fn keyed(items: &[Item]) -> Vec<((&str, usize), &Item)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    items
        .iter()
        .map(|it| {
            let n = seen.entry(it.key()).or_default();
            *n += 1;
            ((it.key(), *n), it)
        })
        .collect()
}

/// Compares two versions of an item list (blocks as stored).
#[must_use]
pub fn item_delta(old: &[String], new: &[String]) -> ItemDelta {
    let old_items = Item::parse_blocks(old);
    let new_items = Item::parse_blocks(new);
    let before: HashMap<(&str, usize), &Item> = keyed(&old_items).into_iter().collect();
    let mut delta = ItemDelta::default();
    let mut appeared: Vec<&Item> = Vec::new();
    for (key, item) in keyed(&new_items) {
        match before.get(&key) {
            None => appeared.push(item),
            Some(prev) if *prev != item => {
                delta.old.extend(prev.to_blocks());
                delta.new.extend(item.to_blocks());
            }
            Some(_) => {}
        }
    }
    for item in appeared {
        delta.new.extend(item.to_blocks());
        delta.new_documents.push(new_document(item));
    }
    delta
}

fn new_document(item: &Item) -> Tag {
    let short: String = item.title.chars().take(120).collect();
    let ellipsis = if item.title.chars().count() > 120 {
        "…"
    } else {
        ""
    };
    Tag {
        tag: "new_document".into(),
        severity: Severity::Medium,
        summary: format!("New document: {short}{ellipsis}"),
        detail: json!({
            "title": item.title,
            "url": item.link,
            "published": item.date,
        }),
        evidence: Evidence {
            old: String::new(),
            new: match &item.link {
                Some(l) => format!("{} ({l})", item.title),
                None => item.title.clone(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(items: &[(&str, &str, &str)]) -> Vec<String> {
        items
            .iter()
            .flat_map(|(t, l, d)| {
                Item {
                    title: (*t).into(),
                    link: Some((*l).into()),
                    date: Some((*d).into()),
                    fields: Vec::new(),
                }
                .to_blocks()
            })
            .collect()
    }

    #[test]
    fn a_new_entry_is_a_new_document_and_a_dropped_one_is_nothing() {
        let old = blocks(&[("B", "/b", "2026-01-02"), ("A", "/a", "2026-01-01")]);
        let new = blocks(&[("C", "/c", "2026-01-03"), ("B", "/b", "2026-01-02")]);
        let d = item_delta(&old, &new);
        assert_eq!(d.new_documents.len(), 1);
        let t = &d.new_documents[0];
        assert_eq!(t.detail["title"], "C");
        assert_eq!(t.detail["url"], "/c");
        assert_eq!(t.detail["published"], "2026-01-03");
        assert!(d.old.is_empty());
        assert_eq!(d.new, blocks(&[("C", "/c", "2026-01-03")]));
    }

    #[test]
    fn an_edited_entry_is_compared_not_announced() {
        let old = blocks(&[("TPP of 4,800 or more", "/r", "2026-01-01")]);
        let new = blocks(&[("TPP of 4,000 or more", "/r", "2026-01-01")]);
        let d = item_delta(&old, &new);
        assert!(d.new_documents.is_empty());
        assert_eq!(d.old[0], "# TPP of 4,800 or more");
        assert_eq!(d.new[0], "# TPP of 4,000 or more");
        assert_eq!(item_delta(&old, &old), ItemDelta::default());
    }
}
