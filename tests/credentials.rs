//! A password in a source URL is used (sent to its host) but never shown: `sources`, `sources
//! --json`, `check`, changes and errors show `user:***`; loading such a file warns with the
//! line and column.

mod common;

use common::{Project, json_lines, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

const SECRET: &str = "s3cret-Pa55";

#[test]
fn a_password_in_a_url_is_sent_but_never_shown() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "1")));
    let url = server
        .url("/rules")
        .replace("http://", &format!("http://ops:{SECRET}@"));
    let redacted = server.url("/rules").replace("http://", "http://ops:***@");
    let p = Project::new(&format!(
        "[[source]]\nid = \"rules\"\nurl = \"{url}\"\nrespect_robots = false\n"
    ));
    let everything = |out: &std::process::Output| format!("{}{}", stdout(out), stderr(out));

    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let warning = stderr(&out);
    let at = format!("{}:3:7:", p.config_path().display());
    assert!(
        warning.contains(&at) && warning.contains("carries credentials"),
        "{warning}"
    );
    assert!(warning.contains(&redacted), "{warning}");

    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!everything(&out).contains(SECRET), "{}", everything(&out));
    // The credentials were used.
    let auth = server.requests()[0].headers.get("authorization").cloned();
    assert!(
        auth.is_some_and(|a| a.starts_with("Basic ")),
        "no Authorization header"
    );

    server.set("/rules", Page::html(rules_page("4,000", "2")));
    let out = p.run(&["check"]);
    assert!(stdout(&out).contains("1 changed"), "{}", stdout(&out));
    assert!(!everything(&out).contains(SECRET), "{}", everything(&out));

    // A failure names the URL's host, never the password.
    server.set("/rules", Page::status(503));
    let out = p.run(&["check"]);
    assert!(stderr(&out).contains("HTTP 503"), "{}", stderr(&out));
    assert!(!everything(&out).contains(SECRET), "{}", everything(&out));

    let text = p.run(&["sources"]);
    assert!(stdout(&text).contains(&redacted), "{}", stdout(&text));
    for args in [
        &["sources", "--json"][..],
        &["changes"],
        &["changes", "--json"],
        &["show", "1"],
        &["show", "1", "--json"],
    ] {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            !everything(&out).contains(SECRET),
            "{args:?}: {}",
            everything(&out)
        );
    }
    let health = json_lines(&p.ok(&["sources", "--json"]));
    assert_eq!(health[0]["url"], redacted.as_str());
}
