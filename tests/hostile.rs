//! Hostile responses: each is an error on its own source and never a change, while a healthy
//! source in the same run still reports its change. Pages are served on 127.0.0.1.

mod common;

use common::{Project, json_lines, stderr, stdout};
use regwatch::dev::serve::{Behavior, Page, PageServer};

fn good(id: &str) -> Page {
    Page::html(format!(
        "<html><body><main><p>Baseline text of {id}: chips with a TPP of 4,800 or more need a license.</p></main></body></html>"
    ))
}

fn with(mut p: Page, f: impl FnOnce(&mut Page)) -> Page {
    f(&mut p);
    p
}

#[test]
fn hostile_responses_are_errors_on_their_source_and_the_healthy_source_still_reports() {
    let server = PageServer::start_in_thread().unwrap();
    let url = |path: &str| server.url(path);
    let deep = format!(
        "<html><body><main>{}<p>deep</p></main></body></html>",
        "<div>".repeat(100_000)
    );
    let mut binary = b"<html>".to_vec();
    binary.extend((0u8..=255).cycle().take(20_000));
    let bad_utf8: Vec<u8> = b"<html><body><main><p>"
        .iter()
        .copied()
        .chain((0..4000).map(|i| {
            if i % 7 == 0 {
                b' '
            } else {
                0xC3 ^ (i as u8 & 0x3F) | 0x80
            }
        }))
        .chain(b"</p></main></body></html>".iter().copied())
        .collect();
    let hostile: Vec<(&str, Page, &str)> = vec![
        ("s500", Page::status(500), "HTTP 500 Internal Server Error"),
        ("s404", Page::status(404), "HTTP 404 Not Found"),
        (
            "stall",
            with(good("stall"), |p| {
                p.delay = Some(std::time::Duration::from_secs(30))
            }),
            "timed out after 1s",
        ),
        (
            "huge",
            with(good("huge"), |p| p.behavior = Behavior::Stream(300_000_000)),
            "larger than the 1048576-byte limit",
        ),
        (
            "loop",
            with(Page::status(302), |p| {
                p.headers.push(("Location".into(), "/loop".into()));
            }),
            "redirect refused",
        ),
        (
            "ftp",
            with(Page::status(302), |p| {
                p.headers
                    .push(("Location".into(), "ftp://127.0.0.1/rules.txt".into()));
            }),
            "redirect refused",
        ),
        (
            "binary",
            with(good("binary"), |p| p.body = binary.clone()),
            "binary data where an HTML page was expected",
        ),
        (
            "badutf8",
            with(good("badutf8"), |p| p.body = bad_utf8.clone()),
            "not valid text in its declared encoding",
        ),
        (
            "truncated",
            with(good("truncated"), |p| p.behavior = Behavior::Truncate),
            "",
        ),
        ("empty", Page::html(""), "no text extracted"),
        (
            "reset",
            with(good("reset"), |p| p.behavior = Behavior::Reset),
            "",
        ),
        (
            "wall",
            Page::html(
                "<html><head><title>Request Access</title></head><body><main><p>Your request has been blocked. Request access to continue.</p></main></body></html>",
            ),
            "block or login page",
        ),
        ("deep", Page::html(deep), "nests elements"),
    ];

    let mut config = String::from(
        "[settings]\ntimeout = \"1s\"\nmax_body = \"1MiB\"\nper_host_delay = \"0s\"\n\n",
    );
    for (id, _, _) in &hostile {
        server.set(&format!("/{id}"), good(id));
        config.push_str(&format!(
            "[[source]]\nid = \"{id}\"\nurl = \"{}\"\nrespect_robots = false\n\n",
            url(&format!("/{id}"))
        ));
    }
    server.set("/healthy", good("healthy"));
    config.push_str(&format!(
        "[[source]]\nid = \"healthy\"\nurl = \"{}\"\nrespect_robots = false\n",
        url("/healthy")
    ));
    let p = Project::new(&config);
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).trim().is_empty(), "{}", stderr(&out));

    for (id, page, _) in &hostile {
        server.set(&format!("/{id}"), page.clone());
    }
    server.set(
        "/healthy",
        Page::html("<html><body><main><p>Baseline text of healthy: chips with a TPP of 4,000 or more need a license.</p></main></body></html>"),
    );
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = json_lines(&stdout(&out));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["source"], "healthy");

    let health = p.sources_json();
    for (id, _, expected) in &hostile {
        let h = health.iter().find(|h| h["id"] == *id).unwrap();
        assert_eq!(h["failure_streak"], 1, "{id}: {h}");
        let err = h["last_error"].as_str().unwrap_or("");
        assert!(!err.is_empty() && err.contains(expected), "{id}: {err}");
    }
    // Nothing but the healthy change was ever stored.
    assert_eq!(json_lines(&p.ok(&["changes", "--json"])).len(), 1);
}
