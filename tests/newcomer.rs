//! What a newcomer runs into first: read-only commands on a missing database, unknown ids and
//! tags, and times that say which zone they are in.

mod common;

use common::{Project, rules_page, stderr};
use regwatch::dev::serve::{Page, PageServer};

fn config(url: &str) -> String {
    format!(
        "[settings]\ntimezone = \"Europe/Paris\"\n\n[[source]]\nid = \"rules\"\nname = \"Rules\"\nurl = \"{url}\"\nselect = [\"main\"]\n"
    )
}

#[test]
fn read_only_commands_never_create_a_database() {
    let p = Project::new(&config("http://127.0.0.1:9/rules"));
    for args in [
        &["changes"][..],
        &["show", "1"],
        &["sources"],
        &["outbox"],
        &["deliver"],
    ] {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let expected = format!("no database at {}", p.db_path().display());
        assert!(
            stderr(&out).contains(&expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!p.db_path().exists(), "{args:?} created the database");
    }
}

#[test]
fn unknown_source_ids_and_tags_are_errors_and_times_carry_their_zone() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "t1")));
    let p = Project::new(&config(&server.url("/rules")));
    p.ok(&["check"]);
    server.set("/rules", Page::html(rules_page("4,000", "t2")));
    p.ok(&["check"]);

    let out = p.run(&["changes", "--tag", "treshold_changed"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown tag \"treshold_changed\"")
            && stderr(&out).contains("threshold_changed"),
        "{}",
        stderr(&out)
    );
    let out = p.run(&["changes", "--source", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(p.ok(&["changes", "--source", "rules"]).contains("rules"));
    assert!(
        !p.ok(&["changes", "--tag", "threshold_changed"])
            .contains("no changes")
    );

    // Human output: times in settings.timezone, labelled (Paris is CET or CEST).
    let zoned = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d CES?T").unwrap();
    let listed = p.ok(&["changes"]);
    assert!(zoned.is_match(&listed), "{listed}");
    let shown = p.ok(&["show", "1"]);
    assert!(zoned.is_match(&shown), "{shown}");
    let health = p.ok(&["sources"]);
    assert!(zoned.is_match(&health), "{health}");
    // JSON stays RFC 3339 UTC.
    let json = common::json_lines(&p.ok(&["changes", "--json"]));
    assert!(json[0]["detected_at"].as_str().unwrap().ends_with('Z'));
}
