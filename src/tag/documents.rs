//! Items of feeds and JSON lists: an item that appears is a `new_document`.

use serde_json::json;

use crate::model::{Item, Tag};

/// Item fields that hold a document's effective date (Federal Register API: `effective_on`).
const EFFECTIVE_FIELDS: &[&str] = &["effective_on", "effective_date", "effective"];
/// Item fields that hold the end of its comment period.
const COMMENTS_FIELDS: &[&str] = &["comments_close_on", "comment_date", "comments_close"];

/// The first of these fields the item has.
fn field<'a>(item: &'a Item, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        item.fields
            .iter()
            .find(|(k, v)| k == n && !v.is_empty())
            .map(|(_, v)| v.as_str())
    })
}

/// Whether a tag only restates a date of an item that appeared: a new document carries its own
/// dates in its `new_document` detail, never as a date *change* ("none → 2025-01-13").
#[must_use]
pub fn restates_new_item(tag: &Tag, appeared: &[Item]) -> bool {
    let evidence = tag.evidence.new.as_str();
    tag.tag == "effective_date_changed"
        && tag.detail["old"].is_null()
        && !evidence.is_empty()
        && appeared.iter().any(|i| {
            i.to_blocks()
                .iter()
                .any(|b| !b.is_empty() && (evidence.contains(b.as_str()) || b.contains(evidence)))
        })
}

/// The `new_document` tag of an item that appeared in a feed or a JSON list.
#[must_use]
pub fn new_document(item: &Item) -> Tag {
    let detail = json!({
        "title": item.title,
        "url": item.link,
        "published": item.date,
        "effective": field(item, EFFECTIVE_FIELDS),
        "comments_close": field(item, COMMENTS_FIELDS),
    });
    let evidence = match &item.link {
        Some(l) => format!("{} ({l})", item.title),
        None => item.title.clone(),
    };
    super::packs::make("new_document", detail, "", &evidence)
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
        assert!(t.detail["effective"].is_null());
    }

    #[test]
    fn a_new_federal_register_item_carries_its_own_dates() {
        let item = Item {
            title: "Framework for Artificial Intelligence Diffusion".into(),
            link: Some("https://www.federalregister.gov/d/2025-00636".into()),
            date: Some("2025-01-15".into()),
            fields: vec![
                ("comments_close_on".into(), "2025-05-15".into()),
                ("effective_on".into(), "2025-01-13".into()),
            ],
        };
        let t = new_document(&item);
        assert_eq!(t.detail["effective"], "2025-01-13");
        assert_eq!(t.detail["comments_close"], "2025-05-15");
    }
}
