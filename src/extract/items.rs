//! Items (feed entries, JSON list items) in a stable order, as blocks.

pub use crate::model::Item;

use super::{Filters, normalize_line};

/// The block stored when a list has items but none passes `keep_items`: a quiet, stable text
/// (not an item), so that an empty selection is neither an error nor a change.
pub const NO_MATCHING_ITEMS: &str = "(no item matches keep_items)";

/// Sorts items newest first (then by link, then by title) so that a server reordering its list
/// changes nothing, and renders them as blocks. `ignore` applies per line; an item whose title
/// line is ignored is dropped whole, and so is one with no line matching `keep_items` (when
/// given).
#[must_use]
pub fn item_blocks(items: Vec<Item>, filters: Filters<'_>) -> Vec<String> {
    item_blocks_with(
        items.into_iter().map(|i| (i, String::new())).collect(),
        filters,
    )
}

/// [`item_blocks`] for items that carry more text than they store (a feed entry's summary, a
/// JSON item's nested fields): with `keep_items_in = "all"`, `keep_items` reads that text too.
#[must_use]
pub fn item_blocks_with(mut items: Vec<(Item, String)>, filters: Filters<'_>) -> Vec<String> {
    let had_items = !items.is_empty();
    for (it, _) in &mut items {
        it.title = normalize_line(&it.title);
        if it.title.is_empty() {
            it.title = it.link.clone().unwrap_or_else(|| "(untitled)".into());
        }
        it.link = it
            .link
            .as_deref()
            .map(normalize_line)
            .filter(|l| !l.is_empty());
        it.date = it
            .date
            .as_deref()
            .map(normalize_line)
            .filter(|d| !d.is_empty());
    }
    items.sort_by(|(a, _), (b, _)| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.link.cmp(&b.link))
            .then_with(|| a.title.cmp(&b.title))
    });
    let ignored = |l: &str| filters.ignore.iter().any(|r| r.is_match(l));
    let keep = filters.keep_items;
    let mut out = Vec::new();
    let kept = |l: &str| keep.iter().any(|r| r.is_match(l));
    for (it, more) in &items {
        let blocks = it.to_blocks();
        if blocks.first().is_some_and(|t| ignored(t)) {
            continue;
        }
        let wanted = blocks.iter().any(|l| kept(l)) || (filters.keep_items_in_all && kept(more));
        if !keep.is_empty() && !wanted {
            continue;
        }
        out.extend(blocks.into_iter().filter(|l| !ignored(l)));
    }
    if out.is_empty() && had_items && !keep.is_empty() {
        out.push(NO_MATCHING_ITEMS.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn it(title: &str, link: &str, date: &str) -> Item {
        Item {
            title: title.into(),
            link: Some(link.into()),
            date: Some(date.into()),
            fields: vec![("type".into(), "Rule".into())],
        }
    }

    #[test]
    fn order_is_newest_first_whatever_the_server_order() {
        let a = item_blocks(
            vec![it("Old", "/a", "2025-01-15"), it("New", "/b", "2026-01-13")],
            Filters::default(),
        );
        let b = item_blocks(
            vec![it("New", "/b", "2026-01-13"), it("Old", "/a", "2025-01-15")],
            Filters::default(),
        );
        assert_eq!(a, b);
        assert_eq!(a[0], "# New");
        assert_eq!(
            Item::parse_blocks(&a),
            vec![it("New", "/b", "2026-01-13"), it("Old", "/a", "2025-01-15")]
        );
    }

    #[test]
    fn ignored_title_drops_the_item() {
        let re = Regex::new("^# Weekly").unwrap();
        let out = item_blocks(
            vec![
                it("Weekly roundup", "/w", "2026-01-01"),
                it("Rule", "/r", "2026-01-02"),
            ],
            Filters {
                ignore: &[re],
                keep_items: &[],
                keep_items_in_all: false,
            },
        );
        assert_eq!(out[0], "# Rule");
        assert!(!out.iter().any(|l| l.contains("Weekly")));
    }

    #[test]
    fn keep_items_filters_and_an_empty_selection_is_a_placeholder() {
        let keep = [Regex::new("(?i)export control").unwrap()];
        let f = Filters {
            ignore: &[],
            keep_items: &keep,
            keep_items_in_all: false,
        };
        let out = item_blocks(
            vec![
                it("Export controls on chips", "/a", "2026-01-01"),
                it("Football", "/f", "2026-01-02"),
            ],
            f,
        );
        assert_eq!(out[0], "# Export controls on chips");
        assert!(!out.iter().any(|l| l.contains("Football")));
        assert_eq!(
            item_blocks(vec![it("Football", "/f", "2026-01-02")], f),
            [NO_MATCHING_ITEMS]
        );
        assert!(item_blocks(Vec::new(), f).is_empty());
    }

    #[test]
    fn keep_items_in_all_reads_the_summary_too() {
        let keep = [Regex::new("(?i)export control").unwrap()];
        let items = || {
            vec![
                (
                    it("Weekly trade news", "/w", "2026-01-01"),
                    "New export controls on chips".to_string(),
                ),
                (it("Football", "/f", "2026-01-02"), "Cup final".to_string()),
            ]
        };
        let title_only = Filters {
            ignore: &[],
            keep_items: &keep,
            keep_items_in_all: false,
        };
        assert_eq!(item_blocks_with(items(), title_only), [NO_MATCHING_ITEMS]);
        let all = Filters {
            keep_items_in_all: true,
            ..title_only
        };
        let out = item_blocks_with(items(), all);
        assert_eq!(out[0], "# Weekly trade news");
        assert!(!out.iter().any(|l| l.contains("Football")));
        assert!(
            !out.iter().any(|l| l.contains("chips")),
            "the summary is read, not stored"
        );
    }

    #[test]
    fn hash_keys_do_not_read_back_as_titles() {
        let item = Item {
            title: "T".into(),
            link: None,
            date: None,
            fields: vec![("# sneaky".into(), "v".into())],
        };
        let parsed = Item::parse_blocks(&item.to_blocks());
        assert_eq!(parsed.len(), 1);
    }
}
