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

pub use user::{RuleSide, UserRule};

use crate::model::{Hunk, ItemDiff, Lang, Tag};

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

/// Every tag id the engine emits by itself: the built-in pack ([`pack`]) and items that appear
/// in feeds and JSON lists ([`documents`]). A recipient's `tags = [...]` may name these or the
/// `tag` of one of the file's `[[rule]]`s. A new tag id in the pack must be added here (the test
/// below runs one example of each through the tagger and fails on any id missing from the list).
pub const BUILTIN_TAGS: &[&str] = &[
    "threshold_changed",
    "quota_changed",
    "tariff_changed",
    "tier_move",
    "effective_date_changed",
    "license_policy_changed",
    "bill_stage_changed",
    "eccn_changed",
    "chip_added",
    "chip_removed",
    "rule_rescinded",
    "new_document",
];
