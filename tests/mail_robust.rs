//! Issue 13, "never die, never freeze, never drop an alert": recipients whose names slugify alike,
//! long relay outages, oversized changes, stuck and early messages, explained.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

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
