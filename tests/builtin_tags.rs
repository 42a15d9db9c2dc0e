//! `tag::builtin_tags()` is exactly the set of tags the engine emits: one example of each runs
//! through the tagger (recipients' `tags` and `changes --tag` are validated against the list).

#[path = "common/tagging.rs"]
mod tagging;

use regwatch::diff::diff_items;
use regwatch::model::Item;
use regwatch::tag::{TagContext, builtin_tags, tag_change};

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
    (
        "Annex I to Regulation (EU) 2021/821 lists 3A001 and 4A003.",
        "Annex I to Regulation (EU) 2021/821 lists 3A001, 4A003 and 4A006.",
    ),
    (
        "Exporters may use EU007 and EU008 under Regulation (EU) 2021/821.",
        "Exporters may use EU008 under Regulation (EU) 2021/821.",
    ),
    (
        "Annex I was last replaced by Commission Delegated Regulation (EU) 2023/2616.",
        "Annex I was last replaced by Commission Delegated Regulation (EU) 2024/2547.",
    ),
];

fn emitted() -> Vec<String> {
    let mut ids = Vec::new();
    for (old, new) in EXAMPLES {
        ids.extend(tagging::tags_of_lines(old, new).into_iter().map(|t| t.tag));
    }
    let item = Item {
        title: "New rule".into(),
        link: Some("/r".into()),
        date: None,
        fields: Vec::new(),
    };
    let items = diff_items(&[], &item.to_blocks());
    ids.extend(
        tag_change(&[], Some(&items), &TagContext::default())
            .into_iter()
            .map(|t| t.tag),
    );
    ids
}

#[test]
fn builtin_tags_are_exactly_the_tags_the_engine_emits() {
    let ids = emitted();
    for id in &ids {
        assert!(
            builtin_tags().contains(&id.as_str()),
            "tag {id:?} is emitted but missing from builtin_tags()"
        );
    }
    for id in builtin_tags() {
        assert!(
            ids.iter().any(|t| t == id),
            "builtin_tags() lists {id:?} but no example emits it"
        );
    }
}
