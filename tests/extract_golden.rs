//! Table-driven golden tests for HTML extraction: each `tests/fixtures/extract/NAME.html` stands
//! beside `NAME.blocks`, the blocks it must give (one per line).
//!
//! A fixture may start with `<!-- regwatch: select=A, B; remove=C; ignore=REGEX -->` to set the
//! source's selectors and ignore patterns. Set `REGWATCH_BLESS=1` to write missing `.blocks` files.

use std::path::Path;

use regwatch::extract::{Css, Spec, extract_html};

fn spec_of(html: &str) -> (Css, Vec<regex::Regex>) {
    let mut css = Css::default();
    let mut ignore = Vec::new();
    let Some(rest) = html.trim_start().strip_prefix("<!-- regwatch:") else {
        return (css, ignore);
    };
    let header = &rest[..rest.find("-->").expect("closed header")];
    for part in header.split(';') {
        let (key, value) = part.split_once('=').expect("key=value");
        match key.trim() {
            "select" => css
                .select
                .push(scraper::Selector::parse(value.trim()).unwrap()),
            "remove" => css
                .remove
                .push(scraper::Selector::parse(value.trim()).unwrap()),
            "ignore" => ignore.push(regex::Regex::new(value.trim()).unwrap()),
            other => panic!("unknown fixture key {other}"),
        }
    }
    (css, ignore)
}

#[test]
fn golden_extraction() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let mut cases = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).unwrap();
        let (css, ignore) = spec_of(&html);
        let got = extract_html(
            &html,
            Spec {
                css: &css,
                ignore: &ignore,
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected_path = path.with_extension("blocks");
        if !expected_path.exists() && std::env::var_os("REGWATCH_BLESS").is_some() {
            std::fs::write(&expected_path, got.join("\n") + "\n").unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(got, expected, "{}", path.display());
        cases += 1;
    }
    assert!(cases >= 7, "only {cases} golden cases found");
}
