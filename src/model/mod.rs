//! Plain shared types that flow between the pipeline stages (so stages never import each other).
//!
//! Nothing here does I/O: these are the values that `fetch`, `extract`, `diff`, `tag` and `store`
//! hand to one another.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod states;
mod time;

pub use states::{Channel, CheckOutcome, MessageKind, OutboxState, WebhookFormat};
pub use time::Timestamp;

/// Validators from the previous response, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag` of the last response.
    pub etag: Option<String>,
    /// `Last-Modified` of the last response.
    pub last_modified: Option<String>,
}

/// How much a change matters. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A change with no tag: text moved, nothing the rule packs recognise.
    Low,
    /// Worth knowing this week (an ECCN, a chip named, a new document).
    Medium,
    /// Someone must act (a threshold, a tier, a quota, a date).
    High,
    /// The ground moved (a rule rescinded or suspended).
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name used in config, JSON and the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity \"{other}\": expected low, medium, high or critical"
            )),
        }
    }
}

/// Language of a source's text, used to read numbers and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (the default when nothing else is known).
    #[default]
    En,
    /// French: `4 800`, `5,92`, « 15 mai 2025 ».
    Fr,
    /// German: `4.800`, `5,92`, „15. Mai 2025“.
    De,
}

impl Lang {
    /// The two-letter code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            "de" => Ok(Lang::De),
            other => Err(format!(
                "unknown language \"{other}\": expected en, fr or de"
            )),
        }
    }
}

/// One structured finding about a change: what it means and the text it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Tag id, e.g. `threshold_changed` (docs/ARCHITECTURE.md, "Tags") or a user rule's tag.
    pub tag: String,
    /// How much it matters.
    pub severity: Severity,
    /// Short human summary, e.g. "TPP threshold 4,800 → 4,000".
    pub summary: String,
    /// Structured values (fields per tag id).
    pub detail: serde_json::Value,
    /// The old and new text the tag rests on.
    pub evidence: Evidence,
}

/// The text a tag rests on, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evidence {
    /// Text before the change (empty when the text was added).
    pub old: String,
    /// Text after the change (empty when the text was removed).
    pub new: String,
}

/// A stored change, as listed by `changes` and `show` and printed by `check --json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    /// Database id.
    pub id: i64,
    /// Source id.
    pub source: String,
    /// Source name.
    pub source_name: String,
    /// URL the text was fetched from.
    pub url: String,
    /// When it was detected (RFC 3339, UTC in JSON).
    pub detected_at: Timestamp,
    /// Highest tag severity (`low` when untagged).
    pub severity: Severity,
    /// Number of blocks added.
    pub added: usize,
    /// Number of blocks removed.
    pub removed: usize,
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
    /// Unified diff of the blocks.
    pub diff: String,
    /// Word-level spans of the changed blocks, for rendering.
    pub spans: Vec<BlockEdit>,
}

impl Change {
    /// The change's severity from its tags: the highest one, or `Low` when untagged.
    #[must_use]
    pub fn severity_of(tags: &[Tag]) -> Severity {
        tags.iter()
            .map(|t| t.severity)
            .max()
            .unwrap_or(Severity::Low)
    }

    /// The one-line summary of a change: its strongest tag, or its size.
    #[must_use]
    pub fn headline(&self) -> String {
        match self.tags.first() {
            Some(t) => t.summary.clone(),
            None => format!("text changed (+{} −{} blocks)", self.added, self.removed),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the diff produces and the tagger and renderers read.

/// A word-level piece of an edited block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// `equal`, `delete` or `insert`.
    pub kind: SpanKind,
    /// The text of this piece (words with their spacing).
    pub text: String,
}

/// What happened to a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    /// In both versions.
    Equal,
    /// Only in the old version.
    Delete,
    /// Only in the new version.
    Insert,
}

/// One block of the change, for rendering: an edited block carries word spans, an added or removed
/// block carries one span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEdit {
    /// Old text (empty for an added block).
    pub old: String,
    /// New text (empty for a removed block).
    pub new: String,
    /// Word-level pieces, in reading order.
    pub spans: Vec<Span>,
}

/// One side-by-side region of the block diff, as the tagger sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// Blocks removed (in old order).
    pub old: Vec<String>,
    /// Blocks added (in new order).
    pub new: Vec<String>,
    /// Nearest heading (a block starting with `#`) above the hunk in the old text.
    pub old_heading: Option<String>,
    /// Nearest heading above the hunk in the new text.
    pub new_heading: Option<String>,
    /// Unchanged blocks around the hunk (up to [`crate::diff::CONTEXT`] + 1 on each side, new text), for
    /// readers that need the surrounding paragraphs to understand a short sentence.
    pub context: Vec<String>,
}

/// One entry of a feed or one item of a JSON list, as stored: a `# title` block, then `link:`
/// and `date:` blocks, then `key: value` blocks. The extractors write this shape and the tagger
/// reads it back to tell new documents from changed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// Title (one line).
    pub title: String,
    /// Link, when it has one.
    pub link: Option<String>,
    /// Date as the source wrote it (feeds: RFC 3339).
    pub date: Option<String>,
    /// Other fields, in the order they are stored.
    pub fields: Vec<(String, String)>,
}

/// What changed in an item list (a feed, a JSON list), as the tagger reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemDiff {
    /// Items that appeared (each one a new document).
    pub appeared: Vec<Item>,
    /// Hunks over the items that changed, then the items that appeared.
    pub hunks: Vec<Hunk>,
}

/// Prefix of the block that starts an item.
pub const ITEM_TITLE: &str = "# ";
const ITEM_LINK: &str = "link: ";
const ITEM_DATE: &str = "date: ";
/// Name of the field that holds an item's configured key (`key = [...]` of a JSON source).
pub const ITEM_KEY: &str = "_key";

impl Item {
    /// What identifies the item across versions: its configured key (see [`ITEM_KEY`]), else
    /// its link, else its title.
    #[must_use]
    pub fn key(&self) -> &str {
        if let Some((_, k)) = self.fields.iter().find(|(n, _)| n == ITEM_KEY) {
            return k;
        }
        self.link.as_deref().unwrap_or(&self.title)
    }

    /// The item as blocks (each already one line).
    #[must_use]
    pub fn to_blocks(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(3 + self.fields.len());
        out.push(format!("{ITEM_TITLE}{}", self.title));
        if let Some(l) = &self.link {
            out.push(format!("{ITEM_LINK}{l}"));
        }
        if let Some(d) = &self.date {
            out.push(format!("{ITEM_DATE}{d}"));
        }
        for (k, v) in &self.fields {
            // A key that starts with '#' must not read back as a title.
            let k = if k.starts_with('#') {
                format!("\\{k}")
            } else {
                k.clone()
            };
            out.push(format!("{k}: {v}"));
        }
        out
    }

    /// Reads items back from stored blocks; lines before the first title are not part of any
    /// item.
    #[must_use]
    pub fn parse_blocks(blocks: &[String]) -> Vec<Item> {
        let mut items: Vec<Item> = Vec::new();
        for b in blocks {
            if let Some(title) = b.strip_prefix(ITEM_TITLE) {
                items.push(Item {
                    title: title.to_string(),
                    ..Item::default()
                });
                continue;
            }
            let Some(item) = items.last_mut() else {
                continue;
            };
            if item.link.is_none()
                && item.date.is_none()
                && item.fields.is_empty()
                && let Some(l) = b.strip_prefix(ITEM_LINK)
            {
                item.link = Some(l.to_string());
            } else if item.date.is_none()
                && item.fields.is_empty()
                && let Some(d) = b.strip_prefix(ITEM_DATE)
            {
                item.date = Some(d.to_string());
            } else {
                let (k, v) = b.split_once(": ").unwrap_or((b.as_str(), ""));
                item.fields.push((k.to_string(), v.to_string()));
            }
        }
        items
    }
}
