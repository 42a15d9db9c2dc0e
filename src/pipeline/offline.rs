//! The offline comparison behind `regwatch tag`: the same stages a check runs (extract, diff,
//! tag), over two local documents, storing nothing.

use crate::diff::diff_versions;
use crate::extract::extract_file;
use crate::model::{Lang, Tag};
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
