//! Tagging: a pure function from the hunks of a diff (and the source's language) to structured tags.
//!
//! Two kinds of rules run: the built-in export-controls pack ([`pack`]) and the user's `[[rule]]`s
//! from `sources.toml` ([`user`]). Tags are sorted strongest first.

pub mod countries;
pub mod dates;
pub mod documents;
pub mod numbers;
pub mod pack;
pub mod packs;
pub mod phrases;
pub mod quantity;
pub mod spelled;
pub mod text;
pub mod user;

pub use user::{RuleSide, UserRule};

use crate::model::{Hunk, ItemDiff, Lang, Tag};

/// What the tagger needs besides the hunks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TagContext<'a> {
    /// Language of the text (`None`: guessed from the text).
    pub lang: Option<Lang>,
    /// Source id, for user rules limited to some sources.
    pub source_id: &'a str,
    /// User rules.
    pub rules: &'a [UserRule],
    /// Packs to run (empty: all).
    pub packs: &'a [String],
    /// Every block of the old version (empty: only the hunks are known).
    pub old: &'a [String],
    /// Every block of the new version (empty: only the hunks are known).
    pub new: &'a [String],
}

/// The tagger's entry point: the tags of a change, strongest first. A tag is a difference between
/// the facts the old and the new version state, resting on a block the diff touched: the
/// recognizers read the changed sentences, and a fact still stated somewhere in the new version
/// (or already stated in the old) is no change. For item lists (`items`), each item that appeared
/// is a `new_document` and the other tags read the new and changed items only, never items that
/// merely fell off the list.
#[must_use]
pub fn tag_change(hunks: &[Hunk], items: Option<&ItemDiff>, ctx: &TagContext<'_>) -> Vec<Tag> {
    let Some(items) = items else {
        return tag_hunks(hunks, ctx);
    };
    let mut tags: Vec<Tag> = items.appeared.iter().map(documents::new_document).collect();
    tags.extend(
        tag_hunks(&items.hunks, ctx)
            .into_iter()
            .filter(|t| !documents::restates_new_item(t, &items.appeared)),
    );
    sort_tags(&mut tags);
    tags
}

/// Tags for the hunks of a change, strongest first.
#[must_use]
pub fn tag_hunks(hunks: &[Hunk], ctx: &TagContext<'_>) -> Vec<Tag> {
    let mut tags = Vec::new();
    if packs::enabled(ctx.packs, packs::EXPORT_CONTROLS) {
        tags.extend(pack::tag(hunks, ctx.lang, ctx.old, ctx.new));
    }
    let (old_changed, new_changed) = changed_blocks(hunks);
    let (old_all, new_all) = if ctx.old.is_empty() && ctx.new.is_empty() {
        (old_changed.clone(), new_changed.clone())
    } else {
        (
            ctx.old.iter().map(String::as_str).collect(),
            ctx.new.iter().map(String::as_str).collect(),
        )
    };
    let sides = packs::generic::Sides {
        old_all: &old_all,
        new_all: &new_all,
        old_changed: &old_changed,
        new_changed: &new_changed,
    };
    for p in packs::all() {
        if packs::enabled(ctx.packs, &p.id) {
            let chosen = ctx.packs.contains(&p.id);
            tags.extend(packs::generic::run(p, &sides, chosen));
        }
    }
    tags.extend(user::apply(hunks, ctx.rules, ctx.source_id));
    sort_tags(&mut tags);
    tags
}

/// The blocks the diff removed or changed (old side) and added or changed (new side).
fn changed_blocks(hunks: &[Hunk]) -> (Vec<&str>, Vec<&str>) {
    let old = hunks
        .iter()
        .flat_map(|h| h.old.iter().map(String::as_str))
        .collect();
    let new = hunks
        .iter()
        .flat_map(|h| h.new.iter().map(String::as_str))
        .collect();
    (old, new)
}

/// Strongest first; ties keep their order.
pub fn sort_tags(tags: &mut [Tag]) {
    tags.sort_by_key(|t| std::cmp::Reverse(t.severity));
}

/// Every tag id the engine emits by itself: the catalogs of the packs (`packs/*.toml`), which
/// include `new_document` for items that appear in feeds and JSON lists. A recipient's
/// `tags = [...]` may name these or the `tag` of one of the file's `[[rule]]`s.
#[must_use]
pub fn builtin_tags() -> Vec<&'static str> {
    packs::tag_ids()
}
