//! User rules (`[[rule]]` in `sources.toml`): keywords and/or a regex, on added, removed or any text.

use regex::Regex;

use crate::model::Hunk;
use crate::model::{Evidence, Severity, Tag};

/// Which side of a change a user rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSide {
    /// Text that appeared.
    Added,
    /// Text that disappeared.
    Removed,
    /// Either.
    Any,
}

/// `[[rule]]`: a user tagging rule beside the built-in pack (built and checked by `config`).
#[derive(Debug, Clone)]
pub struct UserRule {
    /// Tag id emitted.
    pub tag: String,
    /// Severity of the tag.
    pub severity: Severity,
    /// Case-insensitive keywords (any of them), lower-cased.
    pub keywords: Vec<String>,
    /// Regex (in addition to, or instead of, keywords).
    pub pattern: Option<Regex>,
    /// Only for these sources (empty: all).
    pub sources: Vec<String>,
    /// Which side of the change is searched.
    pub on: RuleSide,
}

/// One tag per matching rule (the first matching line is the evidence).
#[must_use]
pub fn apply(hunks: &[Hunk], rules: &[UserRule], source_id: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    for rule in rules {
        if !rule.sources.is_empty() && !rule.sources.iter().any(|s| s == source_id) {
            continue;
        }
        let hit = hunks.iter().find_map(|h| {
            let look = |lines: &[String]| lines.iter().find(|l| matches(rule, l)).cloned();
            let added = if rule.on == RuleSide::Removed {
                None
            } else {
                look(&h.new)
            };
            let removed = if rule.on == RuleSide::Added {
                None
            } else {
                look(&h.old)
            };
            match (removed, added) {
                (None, None) => None,
                (old, new) => Some((old.unwrap_or_default(), new.unwrap_or_default())),
            }
        });
        if let Some((old, new)) = hit {
            let (verb, text) = if new.is_empty() {
                ("removed", &old)
            } else {
                ("added", &new)
            };
            let what = rule
                .keywords
                .iter()
                .find(|k| text.to_lowercase().contains(k.as_str()))
                .cloned()
                .unwrap_or_else(|| rule.tag.clone());
            out.push(Tag {
                tag: rule.tag.clone(),
                severity: rule.severity,
                summary: format!("{}: \"{what}\" {verb}", rule.tag),
                detail: serde_json::json!({ "rule": rule.tag, "side": verb, "match": what }),
                evidence: Evidence { old, new },
            });
        }
    }
    out
}

fn matches(rule: &UserRule, line: &str) -> bool {
    let lower = line.to_lowercase();
    rule.keywords.iter().any(|k| lower.contains(k.as_str()))
        || rule.pattern.as_ref().is_some_and(|p| p.is_match(line))
}
