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

use crate::model::{Hunk, Lang, Tag};

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

/// Tags for a change, strongest first.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_blocks;
    use crate::model::Item;

    /// (old, new) texts, one per built-in tag (from the tag corpus, tests/tag_corpus.rs).
    const EXAMPLES: &[(&str, &str)] = &[
        (
            "An integrated circuit is controlled when its TPP is 4,800 or more.",
            "An integrated circuit is controlled when its TPP is 4,000 or more.",
        ),
        (
            "License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.",
            "License Exception LPP allows up to 30,000,000 TPP per consignee per calendar year.",
        ),
        (
            "A 25 % tariff applies to H200 imports.",
            "A 15 % tariff applies to H200 imports.",
        ),
        (
            "Country | Tier\nFrance | Tier 1\nGermany | Tier 1",
            "Country | Tier\nFrance | Tier 2\nGermany | Tier 1",
        ),
        (
            "Compliance with the rule is required from May 15, 2025.",
            "Compliance with the rule is required from January 15, 2026.",
        ),
        (
            "Exports of such chips to China are reviewed under a presumption of denial.",
            "Exports of such chips to China are now reviewed case by case.",
        ),
        (
            "S. 3150 — Introduced in Senate (11/06/2025).",
            "S. 3150 — Passed Senate (12/01/2025).",
        ),
        (
            "The rule adds new controls.",
            "The rule adds new controls.\nECCN 4E091 controls the weights of certain closed AI models.",
        ),
        (
            "Exports to China need a license.",
            "Exports to China need a license.\nNvidia's H20 now needs a license for China.",
        ),
        (
            "Sales of the H20 and MI308 chips resume.",
            "Sales of the H20 chips resume.",
        ),
        (
            "The AI Diffusion Rule was published on January 15, 2025.",
            "The AI Diffusion Rule was published on January 15, 2025.\nCommerce announced it will not enforce the AI Diffusion Rule.",
        ),
    ];

    fn emitted() -> Vec<String> {
        let ctx = TagContext {
            lang: Some(Lang::En),
            source_id: "s",
            rules: &[],
        };
        let mut ids = Vec::new();
        for (old, new) in EXAMPLES {
            let lines = |t: &str| t.split('\n').map(str::to_string).collect::<Vec<_>>();
            let diff = diff_blocks(&lines(old), &lines(new));
            ids.extend(tag_hunks(&diff.hunks, &ctx).into_iter().map(|t| t.tag));
        }
        let item = Item {
            title: "New rule".into(),
            link: Some("/r".into()),
            date: None,
            fields: Vec::new(),
        };
        let delta = documents::item_delta(&[], &item.to_blocks());
        ids.extend(delta.new_documents.into_iter().map(|t| t.tag));
        ids
    }

    #[test]
    fn builtin_tags_are_exactly_the_tags_the_engine_emits() {
        let ids = emitted();
        for id in &ids {
            assert!(
                BUILTIN_TAGS.contains(&id.as_str()),
                "tag {id:?} is emitted but missing from BUILTIN_TAGS"
            );
        }
        for id in BUILTIN_TAGS {
            assert!(
                ids.iter().any(|t| t == id),
                "BUILTIN_TAGS lists {id:?} but no example emits it"
            );
        }
    }
}
