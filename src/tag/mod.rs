//! Tagging: a pure function from the hunks of a diff (and the source's language) to structured tags.
//!
//! Two kinds of rules run: the built-in export-controls pack ([`pack`]) and the user's `[[rule]]`s
//! from `sources.toml` ([`user`]). Tags are sorted strongest first.

pub mod countries;
pub mod dates;
pub mod documents;
pub mod numbers;
pub mod pack;
pub mod phrases;
pub mod quantity;
pub mod text;
pub mod user;

use crate::config::UserRule;
use crate::model::{Hunk, ItemDiff, Lang, Tag};

/// Every tag id the built-in export-controls pack can emit (docs/ARCHITECTURE.md, "Tags").
pub const BUILTIN_TAGS: &[&str] = &[
    "rule_rescinded",
    "threshold_changed",
    "quota_changed",
    "tier_move",
    "effective_date_changed",
    "license_policy_changed",
    "bill_stage_changed",
    "eccn_changed",
    "chip_added",
    "chip_removed",
    "tariff_changed",
    "new_document",
];

/// What the tagger needs besides the hunks.
#[derive(Debug, Clone, Copy)]
pub struct TagContext<'a> {
    /// Language of the text (`None`: guessed from the text).
    pub lang: Option<Lang>,
    /// Source id, for user rules limited to some sources.
    pub source_id: &'a str,
    /// User rules.
    pub rules: &'a [UserRule],
}

/// The tagger's entry point: the tags of a change, strongest first. For item lists (`items`),
/// each item that appeared is a `new_document` and the other tags read the new and changed items
/// only, never items that merely fell off the list.
#[must_use]
pub fn tag_change(hunks: &[Hunk], items: Option<&ItemDiff>, ctx: &TagContext<'_>) -> Vec<Tag> {
    let Some(items) = items else {
        return tag_hunks(hunks, ctx);
    };
    let mut tags: Vec<Tag> = items.appeared.iter().map(documents::new_document).collect();
    tags.extend(tag_hunks(&items.hunks, ctx));
    sort_tags(&mut tags);
    tags
}

/// Tags for the hunks of a change, strongest first.
#[must_use]
pub fn tag_hunks(hunks: &[Hunk], ctx: &TagContext<'_>) -> Vec<Tag> {
    let mut tags = pack::tag(hunks, ctx.lang);
    tags.extend(user::apply(hunks, ctx.rules, ctx.source_id));
    sort_tags(&mut tags);
    tags
}

/// Strongest first; ties keep their order.
pub fn sort_tags(tags: &mut [Tag]) {
    tags.sort_by_key(|t| std::cmp::Reverse(t.severity));
}
