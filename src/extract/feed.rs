//! RSS 2.0 and Atom feeds (feed-rs): one item per entry with its title, link and date.
//!
//! Summaries and bodies are left out on purpose: publishers rewrite them, re-time them and
//! insert tracking into them, and an entry's arrival is the signal a feed carries.

use super::items::{Item, item_blocks_with};
use super::{ExtractError, Filters, looks_like_html};

/// Blocks of a feed.
///
/// # Errors
/// [`ExtractError::Invalid`] when the body is not an RSS or Atom feed; [`ExtractError::Empty`]
/// when it has no entries.
pub fn feed_blocks(body: &[u8], filters: Filters<'_>) -> Result<Vec<String>, ExtractError> {
    let feed = feed_rs::parser::parse(body).map_err(|e| {
        let head = String::from_utf8_lossy(&body[..body.len().min(2048)]);
        if looks_like_html(&head) {
            ExtractError::Invalid(format!(
                "an HTML page where an RSS or Atom feed was expected{}",
                super::title_note(&head)
            ))
        } else {
            ExtractError::Invalid(format!("not an RSS or Atom feed: {e}"))
        }
    })?;
    let items: Vec<(Item, String)> = feed
        .entries
        .iter()
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.clone())
                .or_else(|| e.id.starts_with("http").then(|| e.id.clone()));
            let date = e
                .published
                .or(e.updated)
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            let item = Item {
                title: e
                    .title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                link,
                date,
                fields: Vec::new(),
            };
            let more = if filters.keep_items_in_all {
                searchable_text(e)
            } else {
                String::new()
            };
            (item, more)
        })
        .collect();
    let blocks = item_blocks_with(items, filters);
    if blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks)
}

/// What `keep_items_in = "all"` reads beyond the title: summary, content and categories, with
/// HTML tags taken out (never stored: see the module's note on summaries).
fn searchable_text(e: &feed_rs::model::Entry) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(s) = &e.summary {
        parts.push(&s.content);
    }
    if let Some(body) = e.content.as_ref().and_then(|c| c.body.as_deref()) {
        parts.push(body);
    }
    for c in &e.categories {
        parts.push(c.label.as_deref().unwrap_or(&c.term));
    }
    let mut text = String::new();
    for p in parts {
        text.push(' ');
        let mut in_tag = false;
        for ch in p.chars() {
            match ch {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(ch),
                _ => {}
            }
        }
    }
    super::normalize_line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Export news</title><link>https://news.example/</link>
<description>x</description>
<item><title>BIS lifts the review policy for H200 to case-by-case</title>
<link>https://news.example/h200</link><pubDate>Wed, 14 Jan 2026 09:30:00 +0000</pubDate>
<description>Long text that changes often.</description></item>
<item><title>Commerce will not enforce the diffusion rule</title>
<link>https://news.example/rescission</link><pubDate>Tue, 13 May 2025 18:00:00 +0000</pubDate></item>
</channel></rss>"#;

    #[test]
    fn rss_entries_become_items_newest_first() {
        let blocks = feed_blocks(RSS.as_bytes(), Filters::default()).unwrap();
        assert_eq!(
            blocks,
            [
                "# BIS lifts the review policy for H200 to case-by-case",
                "link: https://news.example/h200",
                "date: 2026-01-14T09:30:00Z",
                "# Commerce will not enforce the diffusion rule",
                "link: https://news.example/rescission",
                "date: 2025-05-13T18:00:00Z",
            ]
        );
    }

    #[test]
    fn keep_items_in_all_reads_a_summary_that_is_not_stored() {
        let keep = [regex::Regex::new("changes often").unwrap()];
        let filters = Filters {
            ignore: &[],
            keep_items: &keep,
            keep_items_in_all: true,
        };
        let blocks = feed_blocks(RSS.as_bytes(), filters).unwrap();
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert!(blocks[0].contains("H200"));
        let title_only = Filters {
            keep_items_in_all: false,
            ..filters
        };
        let blocks = feed_blocks(RSS.as_bytes(), title_only).unwrap();
        assert_eq!(blocks, [crate::extract::NO_MATCHING_ITEMS]);
    }

    #[test]
    fn atom_entries_become_items() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Trésor</title><id>urn:x</id>
<updated>2026-02-01T10:00:00Z</updated>
<entry><title>Biens à double usage : mise à jour de l'annexe I</title><id>urn:e1</id>
<link rel="alternate" href="https://tresor.example/annexe-i"/><updated>2026-02-01T10:00:00Z</updated></entry>
</feed>"#;
        let blocks = feed_blocks(atom.as_bytes(), Filters::default()).unwrap();
        assert_eq!(
            blocks[0],
            "# Biens à double usage : mise à jour de l'annexe I"
        );
        assert_eq!(blocks[1], "link: https://tresor.example/annexe-i");
    }

    #[test]
    fn html_where_a_feed_was_expected_is_named() {
        let page = b"<!DOCTYPE html><html><head><title>Request Access</title></head><body><p>Your request was blocked.</p></body></html>";
        let e = feed_blocks(page, Filters::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("an HTML page where an RSS or Atom feed was expected")
                && e.contains("Request Access"),
            "{e}"
        );
    }
}
