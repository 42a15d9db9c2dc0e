//! Items of feeds and JSON lists: an item that appears is a `new_document`.

use serde_json::json;

use crate::model::{Evidence, Item, Severity, Tag};

/// The `new_document` tag of an item that appeared in a feed or a JSON list.
#[must_use]
pub fn new_document(item: &Item) -> Tag {
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

    #[test]
    fn a_new_entry_is_a_new_document() {
        let t = new_document(&Item {
            title: "C".into(),
            link: Some("/c".into()),
            date: Some("2026-01-03".into()),
            fields: Vec::new(),
        });
        assert_eq!(t.tag, "new_document");
        assert_eq!(t.detail["title"], "C");
        assert_eq!(t.detail["url"], "/c");
        assert_eq!(t.detail["published"], "2026-01-03");
        assert_eq!(t.evidence.new, "C (/c)");
    }
}
