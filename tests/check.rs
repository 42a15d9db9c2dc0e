//! `regwatch check` end to end: the real binary, a real SQLite file, pages served on 127.0.0.1.

mod common;

use common::{Project, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn config_for(server: &PageServer) -> String {
    format!(
        r#"[settings]
timeout = "5s"

[[source]]
id = "rules"
name = "Test rules page"
url = "{}"
select = ["main"]
"#,
        server.url("/rules")
    )
}

#[test]
fn baseline_is_silent_and_a_change_is_reported_once_with_old_and_new_text() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = Project::new(&config_for(&server));

    // Baseline: stored, not reported.
    assert!(p.check_json(&[]).is_empty());
    let human = p.ok(&["check"]);
    assert!(human.contains("rules  unchanged"), "{human}");

    // Timestamp outside the selection moves: not a change.
    server.set("/rules", Page::html(rules_page("4,800", "10:00")));
    assert!(p.check_json(&[]).is_empty());

    // The threshold inside the selection moves: one change with both texts.
    server.set("/rules", Page::html(rules_page("4,000", "11:00")));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c["source"], "rules");
    assert_eq!(c["url"], server.url("/rules"));
    assert_eq!(c["added"], 1);
    assert_eq!(c["removed"], 1);
    assert!(c["tags"].is_array());
    let diff = c["diff"].as_str().unwrap();
    assert!(
        diff.contains(
            "-A chip is controlled when its total processing performance is 4,800 or more."
        ),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+A chip is controlled when its total processing performance is 4,000 or more."
        ),
        "{diff}"
    );
    let detected = c["detected_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(detected).is_ok(),
        "{detected}"
    );

    // Refetch of the unchanged page: nothing more.
    assert!(p.check_json(&[]).is_empty());

    // Exactly one change stored, listed and shown.
    let listed = common::json_lines(&p.ok(&["changes", "--json"]));
    assert_eq!(listed.len(), 1);
    let id = listed[0]["id"].as_i64().unwrap();
    let shown = common::json_lines(&p.ok(&["show", &id.to_string(), "--json"]));
    assert_eq!(shown[0]["diff"], listed[0]["diff"]);
    let human = p.ok(&["show", &id.to_string()]);
    assert!(
        human.contains("-A chip is controlled") && human.contains("4,000"),
        "{human}"
    );
    // An unknown source id is an error (exit 2), like `check other`, not an empty list.
    let unknown = p.run(&["changes", "--source", "other"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no source with id \"other\""),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(
        common::json_lines(&p.ok(&["changes", "--since", "1h", "--json"])).len(),
        1
    );

    let health = p.sources_json();
    assert_eq!(health[0]["failure_streak"], 0);
    assert!(health[0]["last_change"].is_string());
}

#[test]
fn http_500_is_a_failure_not_a_change_and_other_sources_still_report() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    server.set(
        "/other",
        Page::html("<main><p>Other page, version one.</p></main>"),
    );
    let config = format!(
        "{}\n[[source]]\nid = \"other\"\nurl = \"{}\"\n",
        config_for(&server),
        server.url("/other")
    );
    let p = Project::new(&config);
    p.ok(&["check"]);

    server.set("/rules", Page::status(500));
    server.set(
        "/other",
        Page::html("<main><p>Other page, version two.</p></main>"),
    );
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = common::json_lines(&stdout(&out));
    assert_eq!(changes.len(), 1, "only the healthy source reports");
    assert_eq!(changes[0]["source"], "other");
    assert!(
        stderr(&out).contains("rules: HTTP 500 Internal Server Error"),
        "{}",
        stderr(&out)
    );

    let health = p.sources_json();
    let rules = health.iter().find(|h| h["id"] == "rules").unwrap();
    assert_eq!(rules["failure_streak"], 1);
    assert_eq!(rules["last_error"], "HTTP 500 Internal Server Error");
    let human = p.ok(&["sources"]);
    assert!(
        human.contains("FAILING ×1") && human.contains("HTTP 500"),
        "{human}"
    );

    // Recovery: the same text as before the outage is no change, and the streak resets.
    server.set("/rules", Page::html(rules_page("4,800", "12:00")));
    assert!(p.check_json(&["rules"]).is_empty());
    let health = p.sources_json();
    let rules = health.iter().find(|h| h["id"] == "rules").unwrap();
    assert_eq!(rules["failure_streak"], 0);
    assert!(rules["last_error"].is_null());
}

#[test]
fn a_selector_that_matches_nothing_is_a_failure() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = Project::new(&config_for(&server));
    p.ok(&["check"]);
    server.set(
        "/rules",
        Page::html("<html><body><div>Site redesigned</div></body></html>"),
    );
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).trim().is_empty());
    assert!(
        stderr(&out).contains("selector matched nothing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.sources_json()[0]["failure_streak"], 1);
}

#[test]
fn fifteen_unchanged_checks_do_not_grow_the_database() {
    let server = PageServer::start_in_thread().unwrap();
    let big_body: String = (0..200)
        .map(|i| format!("<p>Paragraph {i} of the regulation text, long enough to matter.</p>"))
        .collect();
    server.set(
        "/rules",
        Page::html(format!("<main>{big_body}</main><footer>t0</footer>")),
    );
    let p = Project::new(&config_for(&server));
    p.ok(&["check"]);
    p.ok(&["check"]);
    let size_after_baseline = std::fs::metadata(p.db_path()).unwrap().len();
    for i in 0..15 {
        // The footer timestamp changes every time: the raw body differs, the text does not.
        server.set(
            "/rules",
            Page::html(format!("<main>{big_body}</main><footer>t{i}</footer>")),
        );
        p.ok(&["check"]);
    }
    let size_after = std::fs::metadata(p.db_path()).unwrap().len();
    assert!(
        size_after <= size_after_baseline + 8 * 1024,
        "database grew from {size_after_baseline} to {size_after} bytes"
    );
    let health = p.sources_json();
    assert_eq!(health[0]["snapshots"], 1);
    assert_eq!(health[0]["changes"], 0);
}

#[test]
fn db_flag_overrides_and_relative_database_is_next_to_the_config() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = Project::new(&format!(
        "[settings]\ndatabase = \"data/watch.db\"\n{}",
        config_for(&server).replace("[settings]\n", "")
    ));
    // Run from another folder: the database still lands next to the config file.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("regwatch")
        .unwrap()
        .current_dir(elsewhere.path())
        .arg("--config")
        .arg(p.config_path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(p.path().join("data/watch.db").exists());
    let other = p.path().join("other.db");
    p.ok(&["--db", other.to_str().unwrap(), "check"]);
    assert!(other.exists());
}

#[test]
fn unknown_ids_fail_cleanly() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "09:00")));
    let p = Project::new(&config_for(&server));
    p.ok(&["check"]);
    let out = p.run(&["show", "999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no change with id 999"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
    let out = p.run(&["check", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no source with id \"nope\""),
        "{}",
        stderr(&out)
    );
    let out = p.run(&["show", "abc"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn demo_runs_offline_and_shows_changes() {
    let p = Project::new("");
    let out = p.run(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("baseline stored"), "{text}");
    assert!(text.contains("change #1"), "{text}");
    assert!(
        text.contains("+Compliance with the rule is required from January 15, 2026."),
        "{text}"
    );
    assert!(text.contains("2 changed"), "{text}");
    // The demo's alerts are written as .eml files to ./mail.
    let emls: Vec<_> = std::fs::read_dir(p.path().join("mail"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(emls.len(), 2, "{emls:?}");
}

/// Two runs of the demo, each in its own folder, print the same story: the same change ids for
/// the same pages (checked in the configuration's order, one at a time), the same tags, diffs
/// and alerts. Only what must differ is masked: the local server's port, the folder, the
/// detection minute and the database's random instance token in Message-IDs (which keeps the
/// Message-IDs of two databases apart, as mail needs).
#[test]
fn demo_output_and_change_ids_are_the_same_on_every_run() {
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let detected = regex::Regex::new(r"(?m)^(\s*detected:).*$").unwrap();
    let token = regex::Regex::new(r"\.[0-9a-f]{16}@demo\.invalid>").unwrap();
    let run = || {
        let p = Project::new("");
        let out = p.run(&["demo"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out).replace(&p.path().display().to_string(), "DIR");
        let text = port.replace_all(&text, "PORT");
        let text = detected.replace_all(&text, "$1 TIME");
        token
            .replace_all(&text, ".TOKEN@demo.invalid>")
            .into_owned()
    };
    let (first, second) = (run(), run());
    assert_eq!(first, second);
    let ids: Vec<&str> = first
        .lines()
        .filter(|l| l.starts_with("change #"))
        .collect();
    assert_eq!(ids.len(), 2, "{first}");
    assert!(
        ids[0].starts_with("change #1 [CRITICAL]") && ids[0].contains("BIS"),
        "{first}"
    );
    assert!(
        ids[1].starts_with("change #2 [HIGH]") && ids[1].contains("Presse"),
        "{first}"
    );
    assert!(first.contains("<alert.1.veille-"), "{first}");
}
