//! Text from pages reaches people cleaned: no terminal escapes (screen clear, window title,
//! OSC 52 clipboard), no C1 controls and no bidi overrides in terminal output, errors or mail
//! headers; the stored text keeps them (JSON escapes them).

mod common;

use common::{Project, json_lines, stderr, stdout};
use mail_parser::MessageParser;
use regwatch::dev::serve::{Page, PageServer};

/// Escapes a hostile page might carry: window title, screen clear, clipboard write, C1 CSI,
/// right-to-left override, isolate.
const HOSTILE: &str =
    "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u{9b}31m\u{202E}gnp.exe\u{2066}";

/// The first unsafe character in `s`, if any.
fn unsafe_char(s: &str) -> Option<char> {
    s.chars().find(|c| {
        matches!(c, '\x1b' | '\x07' | '\u{9b}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

fn assert_clean(what: &str, s: &str) {
    if let Some(c) = unsafe_char(s) {
        panic!("{what}: {c:?} reached the output:\n{s:?}");
    }
}

fn docs(titles: &[&str]) -> Page {
    let items: Vec<_> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"title": t, "url": format!("https://example.eu/doc/{i}")}))
        .collect();
    let mut p = Page::html(serde_json::json!({ "results": items }).to_string());
    p.content_type = "application/json".into();
    p
}

fn rules(threshold: &str) -> Page {
    Page::html(format!(
        "<html><head><title>Rules</title></head><body><main><h1>Export rules {HOSTILE}</h1>\
         <p>A chip is controlled when its total processing performance is {threshold} or more. {HOSTILE}</p></main></body></html>"
    ))
}

#[test]
fn page_text_reaches_terminals_logs_and_mail_headers_clean_and_storage_intact() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/wall",
        Page::html(
            "<html><head><title>\x1b]0;pwned\x07Request Access\u{202E}</title></head><body><main><p>Your request has been blocked.</p></main></body></html>",
        ),
    );
    server.set("/docs", docs(&["First rule"]));
    server.set("/rules", rules("4,800"));
    let p = Project::new(&format!(
        r#"[settings]
per_host_delay = "0s"

[mail]
from = "regwatch <regwatch@example.eu>"
mail_dir = "outbox-files"

[[recipient]]
name = "ops"
emails = ["ops@example.eu"]
alerts = "medium"
digest = "0 7 * * 1"

[[source]]
id = "wall"
url = "{}"
respect_robots = false

[[source]]
id = "docs"
url = "{}"
kind = "json"
items = "/results"
respect_robots = false

[[source]]
id = "rules"
url = "{}"
respect_robots = false
"#,
        server.url("/wall"),
        server.url("/docs"),
        server.url("/rules")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Request Access"), "{}", stderr(&out));
    assert_clean("check stdout", &stdout(&out));
    assert_clean("check stderr", &stderr(&out));

    let hostile_title = format!("{HOSTILE} Export rule");
    server.set("/docs", docs(&["First rule", &hostile_title]));
    server.set("/rules", rules("4,000"));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 changed"), "{}", stdout(&out));
    assert_clean("check stdout", &stdout(&out));
    assert_clean("check stderr", &stderr(&out));

    for args in [
        &["sources"][..],
        &["changes"],
        &["show", "1"],
        &["show", "2"],
        &["digest", "--preview"],
        &["outbox"],
    ] {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_clean(&format!("{args:?} stdout"), &stdout(&out));
        assert_clean(&format!("{args:?} stderr"), &stderr(&out));
    }
    assert!(
        p.ok(&["digest", "--preview"]).contains("Export rule"),
        "the text itself is kept"
    );

    // Mail: subjects (decoded) carry no controls or overrides.
    let dir = p.path().join("outbox-files");
    let mut subjects = Vec::new();
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        let data = std::fs::read(f.path()).unwrap();
        let m = MessageParser::default().parse(&data[..]).unwrap();
        let subject = m.subject().unwrap_or_default().to_string();
        assert_clean("e-mail subject", &subject);
        subjects.push(subject);
    }
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("gnp.exe") && s.contains("Export rule")),
        "{subjects:?}"
    );

    // Storage keeps the page's text as it was: `show --json` returns it (JSON-escaped).
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    let docs_change = changes.iter().find(|c| c["source"] == "docs").unwrap();
    let id = docs_change["id"].to_string();
    let shown = p.ok(&["show", &id, "--json"]);
    assert!(!shown.contains('\x1b'), "JSON escapes ESC: {shown:?}");
    let change: serde_json::Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(change["tags"][0]["detail"]["title"], hostile_title.as_str());
}
