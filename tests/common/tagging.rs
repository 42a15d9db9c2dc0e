//! Tags of a change between two texts whose lines are the blocks, as regwatch stores them, read
//! in English with the built-in packs.

use regwatch::diff::diff_blocks;
use regwatch::model::{Lang, Tag};
use regwatch::tag::{TagContext, tag_change};

/// The tags of the change from `old` to `new`.
pub fn tags_of_lines(old: &str, new: &str) -> Vec<Tag> {
    let lines = |t: &str| t.lines().map(str::to_string).collect::<Vec<_>>();
    let (old, new) = (lines(old), lines(new));
    let diff = diff_blocks(&old, &new);
    let ctx = TagContext {
        lang: Some(Lang::En),
        source_id: "s",
        old: &old,
        new: &new,
        ..TagContext::default()
    };
    tag_change(&diff.hunks, None, &ctx)
}
