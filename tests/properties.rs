//! Property tests: number parsing, extraction, tagging and config loading never panic on any
//! input, and a text compared with itself never yields a tag.

use proptest::prelude::*;
use regwatch::config::Config;
use regwatch::diff::diff_blocks;
use regwatch::extract::{Css, Spec, extract_html, extract_text, normalize_line};
use regwatch::model::Lang;
use regwatch::tag::numbers::numbers;
use regwatch::tag::{TagContext, tag_hunks};

const VALID: &str = r#"[settings]
default_interval = "6h"
timeout = "30s"
timezone = "Europe/Paris"

[mail]
from = "regwatch <regwatch@example.eu>"

[[recipient]]
name = "ops"
emails = ["ops@example.eu"]
alerts = "high"
digest = "0 7 * * 1"

[[source]]
id = "rules"
url = "https://www.bis.gov/rules"
select = ["main"]
ignore = ['^Last updated']

[[rule]]
tag = "entity_list_mention"
keywords = ["Entity List"]
"#;

/// Text drawn from the vocabulary the tagger reacts to, so that random sentences exercise it.
fn domain_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "TPP",
        "4,800",
        "4 800",
        "4.800",
        "4\u{202f}800",
        "5,92",
        "1.6",
        "GB/s",
        "TB/s",
        "H100",
        "H20",
        "3A090",
        "4A090",
        "tier",
        "Tier 2",
        "Poland",
        "Pologne",
        "Polen",
        "D:5",
        "LPP",
        "NAC",
        "rescinded",
        "abrogé",
        "aufgehoben",
        "not",
        "January 15, 2025",
        "15 mai 2025",
        "15. Mai 2025",
        "case-by-case",
        "presumption of denial",
        "%",
        "GPUs",
        "790,000,000",
        "per",
        "the",
        "is",
        "or more",
        "(",
        ")",
        ".",
        "\n",
        "€",
        "-",
        "1e9",
        "∞",
        "",
    ]);
    prop::collection::vec(words, 0..40).prop_map(|w| w.join(" "))
}

fn ctx() -> TagContext<'static> {
    TagContext {
        lang: None,
        source_id: "prop",
        ..TagContext::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn number_parsing_never_panics(s in any::<String>(), d in domain_text()) {
        for lang in [Lang::En, Lang::Fr, Lang::De] {
            let _ = numbers(&s, lang);
            let _ = numbers(&d, lang);
        }
    }

    #[test]
    fn extraction_never_panics(s in any::<String>(), d in domain_text()) {
        let css = Css::default();
        let spec = Spec { css: &css, ignore: &[] };
        let _ = extract_html(&s, spec);
        let _ = extract_html(&format!("<main><p>{d}</p><table><tr><td>{s}</td></tr></table></main>"), spec);
        let _ = extract_text(&s, &[]);
        prop_assert!(!normalize_line(&s).contains('\n'));
    }

    #[test]
    fn tagging_never_panics_and_a_text_against_itself_has_no_tag(a in domain_text(), b in domain_text()) {
        let old = extract_text(&a, &[]);
        let new = extract_text(&b, &[]);
        let _ = tag_hunks(&diff_blocks(&old, &new).hunks, &ctx());
        prop_assert!(tag_hunks(&diff_blocks(&old, &old).hunks, &ctx()).is_empty());
    }

    #[test]
    fn mangled_configs_load_or_fail_cleanly(
        cut in 0usize..VALID.len(),
        insert in prop::sample::select(vec!["\"", "[", "]", "=", "\n", "[[source]]\n", "id = 3\n", "ü", "\0", "#", "'''", "{", "1e400"]),
        drop_len in 0usize..20,
    ) {
        let mut text = VALID.to_string();
        let at = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let end = (at + drop_len).min(text.len());
        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        text.replace_range(at..end, insert);
        let path = std::path::Path::new("/tmp/mangled/sources.toml");
        match Config::from_str_at(&text, path) {
            Ok(_) => {}
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("sources.toml"), "{msg}");
            }
        }
    }
}
