//! Issue 13, "never die, never freeze, never drop an alert": recipients whose names slugify alike,
//! long relay outages, oversized changes, stuck and early messages, explained.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use common::ports::ClosedPort;
use common::{Project, json_lines, rules_page};
use mail_parser::MessageParser;
use regwatch::dev::serve::{Page, PageServer};
use smtp::SmtpServer;

fn source(server: &PageServer) -> String {
    format!(
        "[[source]]\nid = \"rules\"\nname = \"Test rules\"\nurl = \"{}\"\nselect = [\"main\"]\nlang = \"en\"\n",
        server.url("/rules")
    )
}

fn smtp_mail(port: u16) -> String {
    format!(
        "[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nsmtp = \"smtp://127.0.0.1:{port}\"\n"
    )
}

fn parse(data: &str) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(data.as_bytes())
        .expect("a parsable message")
}

#[test]
fn recipients_whose_names_slugify_alike_each_get_their_alert_and_digest() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let config = format!(
        "{}\n[[recipient]]\nname = \"法务\"\nemails = [\"fawu@example.eu\"]\nalerts = \"high\"\ndigest = \"0 7 * * 1\"\n\n[[recipient]]\nname = \"合规\"\nemails = [\"hegui@example.eu\"]\nalerts = \"high\"\ndigest = \"0 7 * * 1\"\n\n{}",
        smtp_mail(mail.port),
        source(&pages)
    );
    let p = Project::new(&config);
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    let mut to: Vec<String> = mail.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        vec!["fawu@example.eu", "hegui@example.eu"],
        "one alert each"
    );

    p.ok(&["digest"]);
    let digests: Vec<Vec<String>> = mail
        .received()
        .iter()
        .filter(|m| {
            parse(&m.data)
                .subject()
                .is_some_and(|s| s.contains("Digest"))
        })
        .map(|m| m.to.clone())
        .collect();
    assert_eq!(digests.len(), 2, "one digest each: {digests:?}");
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 4, "{outbox:?}");
    assert!(outbox.iter().all(|m| m["state"] == "sent"), "{outbox:?}");
    let ids: std::collections::HashSet<&str> = outbox
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 4, "distinct Message-IDs");
}

fn ops_config(pages: &PageServer, port: u16) -> String {
    format!(
        "{}\n[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nalerts = \"high\"\n\n[[recipient]]\nname = \"cto\"\nemails = [\"cto@example.eu\"]\nalerts = \"never\"\ndigest = \"0 7 * * 1\"\n\n{}",
        smtp_mail(port),
        source(pages)
    )
}

/// A HIGH alert queued while the relay is down (its port closed).
fn alert_during_outage() -> (PageServer, ClosedPort, Project) {
    let pages = PageServer::start_in_thread().unwrap();
    let down = SmtpServer::closed_port();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&ops_config(&pages, down.port));
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    (pages, down, p)
}

fn sql(p: &Project, statement: &str) {
    let conn = rusqlite::Connection::open(p.db_path()).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[test]
fn a_long_relay_outage_leaves_the_alert_pending_and_it_is_sent_when_the_relay_returns() {
    let (_pages, down, p) = alert_during_outage();
    let mut last = String::new();
    for _ in 0..12 {
        last = p.ok(&["deliver"]);
    }
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["state"], "pending", "{:?}", outbox[0]);
    assert_eq!(outbox[0]["attempts"], 13);
    assert!(outbox[0]["first_failed_at"].is_string(), "{:?}", outbox[0]);
    assert!(
        last.contains("1 will be retried") && last.contains("next attempt due"),
        "{last}"
    );

    let mail = SmtpServer::start_on(&down);
    p.ok(&["deliver"]);
    assert_eq!(mail.received().len(), 1);
}

#[test]
fn a_message_failing_longer_than_the_retry_period_is_dead_reported_and_requeued_by_retry() {
    let (_pages, down, p) = alert_during_outage();
    // The first failure was eight days ago (the default period is seven).
    sql(
        &p,
        "UPDATE outbox SET first_failed_at = '2020-01-01T00:00:00.000Z'",
    );
    let out = p.ok(&["deliver"]);
    assert!(out.contains("1 dead"), "{out}");
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox[0]["state"], "dead");
    let err = outbox[0]["last_error"].as_str().unwrap();
    assert!(err.contains("gave up after retrying for 7d"), "{err}");

    // The relay is back: the digest reports the dead alert; retry requeues it; deliver sends it.
    let mail = SmtpServer::start_on(&down);
    p.ok(&["digest", "--recipient", "cto"]);
    let got = mail.received();
    assert_eq!(got.len(), 1);
    let digest = parse(&got[0].data).body_text(0).unwrap().into_owned();
    assert!(
        digest.contains("== Mail delivery ==") && digest.contains("1 message(s) given up"),
        "{digest}"
    );
    assert!(digest.contains("to ops (dead)"), "{digest}");

    let out = p.ok(&["outbox", "retry", "--dead"]);
    assert!(
        out.contains("requeued 1 message(s)") && out.contains("ops"),
        "{out}"
    );
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    let alert = outbox.iter().find(|m| m["kind"] == "alert").unwrap();
    assert_eq!(alert["state"], "pending");
    assert_eq!(alert["attempts"], 2, "attempts kept");
    assert!(alert["first_failed_at"].is_null());
    p.ok(&["deliver"]);
    let got = mail.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].to, vec!["ops@example.eu"]);
    // Nothing left to requeue; an id that is sent is refused with the reason.
    assert!(
        p.ok(&["outbox", "retry", "--dead"])
            .contains("nothing to requeue")
    );
    let id = alert["id"].to_string();
    let refused = p.run(&["outbox", "retry", &id]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(common::stderr(&refused).contains("already sent"));
}

#[test]
fn deliver_explains_a_message_claimed_by_another_process() {
    let (_pages, _down, p) = alert_during_outage();
    sql(
        &p,
        "UPDATE outbox SET state = 'sending', claimed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    );
    let out = p.ok(&["deliver"]);
    assert!(out.contains("0 sent"), "{out}");
    assert!(
        out.contains("is being sent by another process (claimed at ")
            && out.contains("reclaimed and retried at"),
        "{out}"
    );
}

fn huge_page(threshold: &str) -> String {
    let filler = "The agency publishes guidance on many topics for exporters. ".repeat(42_000);
    format!(
        "<main><p>{filler}A chip is controlled when its total processing performance is {threshold} or more. {filler}</p></main>"
    )
}

#[test]
fn a_five_megabyte_paragraph_with_one_number_changed_gives_a_small_alert_and_bounded_show() {
    let pages = PageServer::start_in_thread().unwrap();
    pages.set("/rules", Page::html(huge_page("4,800")));
    let config = format!(
        "[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nmail_dir = \"outbox-files\"\n\n[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nalerts = \"low\"\n\n{}",
        source(&pages)
    );
    let p = Project::new(&config);
    p.ok(&["check"]);
    pages.set("/rules", Page::html(huge_page("4,000")));
    let out = p.ok(&["check"]);
    assert!(out.len() < 64 * 1024, "check printed {} bytes", out.len());
    assert!(out.contains("4,800") && out.contains("4,000"), "{out}");

    let files: Vec<_> = std::fs::read_dir(p.path().join("outbox-files"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let data = std::fs::read_to_string(&files[0]).unwrap();
    assert!(data.len() < 1_000_000, "the alert is {} bytes", data.len());
    let m = parse(&data);
    let text = m.body_text(0).unwrap();
    assert!(text.contains("4,800") && text.contains("4,000"), "{text}");
    assert!(
        text.contains("more characters not shown; full diff: regwatch show"),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    assert!(html.contains("4,800") && html.contains("4,000"));

    let changes = json_lines(&p.ok(&["changes", "--json"]));
    let id = changes[0]["id"].to_string();
    let shown = p.ok(&["show", &id]);
    assert!(
        shown.len() < 64 * 1024,
        "show printed {} bytes",
        shown.len()
    );
    assert!(
        shown.contains("4,800") && shown.contains("4,000"),
        "{shown}"
    );
    assert!(shown.contains(&format!("full diff: regwatch show {id} --json")));
    // JSON stays complete.
    let json = p.ok(&["show", &id, "--json"]);
    assert!(json.len() > 5_000_000, "{}", json.len());
}
