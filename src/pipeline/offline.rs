//! The offline comparisons behind `regwatch tag` (two local documents) and `regwatch diff` (two
//! stored versions): the same stages a check runs (extract, diff, tag), storing nothing.

use crate::config::Source;
use crate::diff::diff_versions;
use crate::extract::extract_file;
use crate::model::{BlockEdit, Lang, Tag};
use crate::tag::{TagContext, UserRule, tag_change};

/// What two documents differ by.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
    /// Blocks only in the new document.
    pub added: usize,
    /// Blocks only in the old document.
    pub removed: usize,
}

/// Compares two documents (HTML or plain text) and tags the difference.
#[must_use]
pub fn compare_files(
    old: &[u8],
    new: &[u8],
    lang: Option<Lang>,
    rules: &[UserRule],
    packs: &[String],
) -> Compared {
    let old = extract_file(old);
    let new = extract_file(new);
    let diff = diff_versions(&old, &new, false);
    let tags = tag_change(
        &diff.hunks,
        None,
        &TagContext {
            lang,
            source_id: "",
            rules,
            packs,
            old: &old,
            new: &new,
        },
    );
    Compared {
        tags,
        added: diff.added,
        removed: diff.removed,
    }
}

/// Two stored versions of a source compared now, as a check would have compared them.
#[derive(Debug, Clone)]
pub struct ComparedVersions {
    /// Tags, strongest first.
    pub tags: Vec<Tag>,
    /// Blocks only in the new version.
    pub added: usize,
    /// Blocks only in the old version.
    pub removed: usize,
    /// Unified diff of the blocks.
    pub diff: String,
    /// Word-level edits of the changed blocks.
    pub spans: Vec<BlockEdit>,
}

/// Compares two versions of a source's blocks (diff and tags with the source's language, item
/// lists and the configuration's rules), storing nothing. `source` is `None` for a source no
/// longer in the configuration: plain blocks, no language.
#[must_use]
pub fn compare_versions(
    old: &[String],
    new: &[String],
    source: Option<&Source>,
    rules: &[UserRule],
) -> ComparedVersions {
    let items = source.is_some_and(Source::has_items);
    let diff = diff_versions(old, new, items);
    let tags = tag_change(
        &diff.hunks,
        diff.items.as_ref(),
        &TagContext {
            lang: source.and_then(|s| s.lang),
            source_id: source.map_or("", |s| s.id.as_str()),
            rules,
            packs: source.map_or(&[][..], |s| &s.packs[..]),
            old,
            new,
        },
    );
    ComparedVersions {
        tags,
        added: diff.added,
        removed: diff.removed,
        diff: diff.unified,
        spans: diff.edits,
    }
}
