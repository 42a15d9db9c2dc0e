//! `regwatch preview`: one fetch and extraction printed exactly as a check would store it, with
//! nothing stored — the real binary, pages served on 127.0.0.1.

mod common;

use common::{Project, json_lines, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn rules_project(server: &PageServer) -> Project {
    Project::new(&format!(
        "[settings]\ntimeout = \"5s\"\n\n[[source]]\nid = \"rules\"\nurl = \"{}\"\nselect = [\"main\"]\n",
        server.url("/rules")
    ))
}

fn fails(p: &Project, args: &[&str], code: i32, needle: &str) {
    let out = p.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn preview_prints_the_blocks_a_check_would_store_and_stores_nothing() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = rules_project(&server);

    let human = p.ok(&["preview", "rules"]);
    assert!(human.contains("preview of rules (html)"), "{human}");
    assert!(
        human.contains("\n# Advanced computing controls\nA chip is controlled when its total processing performance is 4,800 or more.\n"),
        "{human}"
    );
    assert!(
        !human.contains("Generated 09:00"),
        "outside the selection: {human}"
    );
    let json = json_lines(&p.ok(&["preview", "rules", "--json"]));
    assert_eq!(json[0]["source"], "rules");
    assert_eq!(json[0]["status"], 200);
    assert!(json[0]["items"].is_null());
    assert!(!p.db_path().exists(), "preview must not create a database");

    // The text a check then stores is exactly the one previewed.
    p.ok(&["check"]);
    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    assert_eq!(versions[0]["sha256"], json[0]["sha256"]);
    let stored = p.ok(&["text", "rules"]);
    let blocks: Vec<&str> = json[0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    assert_eq!(stored, format!("{}\n", blocks.join("\n")));

    // A preview after that leaves the history as it was.
    let before = std::fs::read(p.db_path()).unwrap();
    server.set("/rules", Page::html(rules_page("4,000", "10:00")));
    assert!(p.ok(&["preview", "rules"]).contains("4,000 or more"));
    assert_eq!(json_lines(&p.ok(&["versions", "rules", "--json"])).len(), 1);
    assert_eq!(std::fs::read(p.db_path()).unwrap(), before);
}

#[test]
fn flags_replace_the_source_settings_and_a_bare_url_needs_no_configuration() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = rules_project(&server);
    let footer = p.ok(&["preview", "rules", "--select", "footer"]);
    assert!(footer.contains("\nGenerated 09:00\n"), "{footer}");
    assert!(!footer.contains("A chip is controlled"), "{footer}");
    let trimmed = p.ok(&[
        "preview", "rules", "--remove", "table", "--lang", "fr", "--json",
    ]);
    let blocks = json_lines(&trimmed)[0]["blocks"].to_string();
    assert!(
        blocks.contains("A chip is controlled") && !blocks.contains("Poland"),
        "{blocks}"
    );
    assert_eq!(json_lines(&trimmed)[0]["lang"], "fr");

    // No configuration file at all: a URL still previews, with the default settings.
    std::fs::remove_file(p.config_path()).unwrap();
    let bare = p.ok(&["preview", &server.url("/rules"), "--select", "main table"]);
    assert!(
        bare.contains("\nCountry | Tier\nPoland | Tier 2\n"),
        "{bare}"
    );
    assert!(!p.db_path().exists());
}

#[test]
fn json_lists_are_previewed_item_by_item() {
    let server = PageServer::start_in_thread().unwrap();
    let mut page = Page::html("");
    page.content_type = "application/json".into();
    page.body = br#"{"count": 2, "results": [
        {"title": "Revision of License Review Policy", "html_url": "https://fr.example/d/2", "publication_date": "2026-01-15", "type": "Rule"},
        {"title": "Framework for AI Diffusion", "html_url": "https://fr.example/d/1", "publication_date": "2025-01-15", "type": "Rule"}
    ]}"#
    .to_vec();
    server.set("/api", page);
    let p = Project::new("");
    let url = server.url("/api");
    let json = json_lines(&p.ok(&[
        "preview", &url, "--kind", "json", "--items", "/results", "--json",
    ]));
    let items = json[0]["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{json:?}");
    assert_eq!(items[0]["title"], "Revision of License Review Policy");
    assert_eq!(items[0]["link"], "https://fr.example/d/2");
    assert_eq!(items[0]["date"], "2026-01-15");
    assert_eq!(items[0]["fields"]["type"], "Rule");
    assert!(json[0]["source"].is_null());
    let human = p.ok(&["preview", &url, "--kind", "json", "--items", "/results"]);
    assert!(human.contains("--- 2 item(s) ---"), "{human}");
    assert!(
        human.contains("  1. Revision of License Review Policy"),
        "{human}"
    );
    assert!(!p.db_path().exists());
}

#[test]
fn bad_input_is_a_clear_error_and_stores_nothing() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = rules_project(&server);
    let gone = {
        let dead = PageServer::start_in_thread().unwrap();
        dead.url("/rules")
    };
    // Usage errors (exit 2): a bad selector, a bad pointer, a flag the kind cannot use, a target
    // that is neither a source id nor a URL.
    fails(
        &p,
        &["preview", "rules", "--select", "main >"],
        2,
        "--select: invalid CSS selector \"main >\"",
    );
    fails(
        &p,
        &["preview", "rules", "--kind", "json", "--items", "results"],
        2,
        "--items: \"results\" is not a JSON Pointer",
    );
    fails(
        &p,
        &["preview", "rules", "--items", "/results"],
        2,
        "--items applies to kind json only",
    );
    fails(
        &p,
        &["preview", "rules", "--kind", "feed", "--select", "main"],
        2,
        "--select/--remove apply to HTML pages only",
    );
    fails(
        &p,
        &["preview", "nope"],
        2,
        "neither a source id of the configuration nor an http(s) URL",
    );
    fails(&p, &["preview", "rules", "--lang", "xx"], 2, "--lang");
    // Runtime errors (exit 1): unreachable, a selector that matches nothing, a pointer to nothing.
    fails(&p, &["preview", &gone], 1, "nothing stored");
    fails(
        &p,
        &["preview", "rules", "--select", "#nowhere"],
        1,
        "selector matched nothing",
    );
    fails(
        &p,
        &["preview", "rules", "--kind", "json", "--items", "/results"],
        1,
        "preview of rules",
    );
    assert!(!p.db_path().exists());
    let out = p.run(&["preview", &gone]);
    assert!(stdout(&out).is_empty());
}

#[test]
fn page_text_reaches_the_terminal_without_escapes_or_bidi_overrides() {
    let server = PageServer::start_in_thread().unwrap();
    let hostile = "TPP 4,800 \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m evil\u{202e}txt.exe";
    let mut page = Page::html(
        serde_json::json!({"results": [{"title": hostile, "url": "https://example.eu/1"}]})
            .to_string(),
    );
    page.content_type = "application/json".into();
    server.set("/docs", page);
    let p = Project::new(&format!(
        "[[source]]\nid = \"docs\"\nurl = \"{}\"\nkind = \"json\"\nitems = \"/results\"\n",
        server.url("/docs")
    ));
    let shown = p.ok(&["preview", "docs"]);
    p.ok(&["check"]);
    let stored = p.ok(&["text", "docs"]);
    for out in [&shown, &stored] {
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!out.contains(c), "{c:?} in {out:?}");
        }
        assert!(out.contains("# TPP 4,800"), "{out:?}");
    }
    // The JSON output keeps the text as stored (escaped by JSON).
    let json = json_lines(&p.ok(&["preview", "docs", "--json"]));
    assert_eq!(json[0]["items"][0]["title"], hostile);
}
