//! Item lists (feeds, JSON lists): which items appeared and which changed, matched by link (or
//! title), so a list that reorders or drops its oldest entries says nothing new.

use std::collections::HashMap;

use crate::model::{Item, ItemDiff};

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

/// Compares two versions of an item list (blocks as stored): the items that appeared, and the
/// hunks of the items that changed followed by the items that appeared. Items that disappeared
/// are left out: feeds drop their oldest entries all the time.
#[must_use]
pub fn diff_items(old: &[String], new: &[String]) -> ItemDiff {
    let old_items = Item::parse_blocks(old);
    let new_items = Item::parse_blocks(new);
    let before: HashMap<(&str, usize), &Item> = keyed(&old_items).into_iter().collect();
    let (mut old_text, mut new_text) = (Vec::new(), Vec::new());
    let mut appeared: Vec<Item> = Vec::new();
    for (key, item) in keyed(&new_items) {
        match before.get(&key) {
            None => appeared.push(item.clone()),
            Some(prev) if *prev != item => {
                old_text.extend(prev.to_blocks());
                new_text.extend(item.to_blocks());
            }
            Some(_) => {}
        }
    }
    for item in &appeared {
        new_text.extend(item.to_blocks());
    }
    let hunks = if old_text.is_empty() && new_text.is_empty() {
        Vec::new()
    } else {
        super::diff_blocks(&old_text, &new_text).hunks
    };
    ItemDiff { appeared, hunks }
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
    fn a_new_entry_appears_and_a_dropped_one_is_nothing() {
        let old = blocks(&[("B", "/b", "2026-01-02"), ("A", "/a", "2026-01-01")]);
        let new = blocks(&[("C", "/c", "2026-01-03"), ("B", "/b", "2026-01-02")]);
        let d = diff_items(&old, &new);
        assert_eq!(d.appeared.len(), 1);
        let it = &d.appeared[0];
        assert_eq!(it.title, "C");
        assert_eq!(it.link.as_deref(), Some("/c"));
        assert_eq!(it.date.as_deref(), Some("2026-01-03"));
        assert_eq!(d.hunks.len(), 1);
        assert!(d.hunks[0].old.is_empty());
        assert_eq!(d.hunks[0].new, blocks(&[("C", "/c", "2026-01-03")]));
    }

    #[test]
    fn an_edited_entry_is_compared_not_announced() {
        let old = blocks(&[("TPP of 4,800 or more", "/r", "2026-01-01")]);
        let new = blocks(&[("TPP of 4,000 or more", "/r", "2026-01-01")]);
        let d = diff_items(&old, &new);
        assert!(d.appeared.is_empty());
        assert_eq!(d.hunks[0].old[0], "# TPP of 4,800 or more");
        assert_eq!(d.hunks[0].new[0], "# TPP of 4,000 or more");
        assert_eq!(diff_items(&old, &old), ItemDiff::default());
    }
}
