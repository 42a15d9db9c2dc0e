//! Email end to end against a real SMTP server on 127.0.0.1: one alert per qualifying change and
//! recipient, no duplicates, digests for the rest, outages survived, page text escaped, and `.eml`
//! files when no SMTP server is configured.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use common::{Project, json_lines, rules_page, stderr};
use mail_parser::MessageParser;
use regwatch::dev::serve::{Page, PageServer};
use smtp::SmtpServer;

fn config(server: &PageServer, smtp_port: Option<u16>) -> String {
    let mail = match smtp_port {
        Some(p) => format!(
            "[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nsmtp = \"smtp://127.0.0.1:{p}\"\n"
        ),
        None => "[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nmail_dir = \"outbox-files\"\n"
            .to_string(),
    };
    format!(
        r#"{mail}
[[recipient]]
name = "ops"
emails = ["ops@example.eu"]
alerts = "high"

[[recipient]]
name = "cto"
emails = ["cto@example.eu"]
alerts = "never"
digest = "0 7 * * 1"

[[source]]
id = "rules"
name = "Test rules"
url = "{}"
select = ["main"]
lang = "en"
"#,
        server.url("/rules")
    )
}

fn parse(data: &str) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(data.as_bytes())
        .expect("a parsable message")
}

#[test]
fn a_high_change_sends_exactly_one_alert_and_a_recheck_sends_nothing() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&pages, Some(mail.port)));
    p.ok(&["check"]);
    assert!(mail.received().is_empty(), "a baseline is never alerted");

    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    let got = mail.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, vec!["ops@example.eu"]);
    assert_eq!(got[0].from, "regwatch@example.eu");
    let m = parse(&got[0].data);
    assert_eq!(
        m.subject(),
        Some("[HIGH] TPP threshold 4,800 → 4,000 — Test rules")
    );
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("was: A chip is controlled when its total processing performance is 4,800"),
        "{text}"
    );
    assert!(text.contains(&pages.url("/rules")));
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("<del")
            && html.contains("4,800")
            && html.contains("<ins")
            && html.contains("4,000"),
        "{html}"
    );
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["state"], "sent");
    assert_eq!(
        m.message_id(),
        outbox[0]["message_id"]
            .as_str()
            .map(|s| s.trim_matches(['<', '>']))
    );

    // Re-check, deliver again: nothing new.
    p.ok(&["check"]);
    p.ok(&["deliver"]);
    assert_eq!(mail.received().len(), 1);
}

#[test]
fn a_low_change_is_not_alerted_but_is_in_the_digest() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set(
        "/rules",
        Page::html("<main><p>Background: the agency publishes guidance.</p></main>"),
    );
    let p = Project::new(&config(&pages, Some(mail.port)));
    p.ok(&["check"]);
    pages.set(
        "/rules",
        Page::html(
            "<main><p>Background: the agency publishes guidance and answers questions.</p></main>",
        ),
    );
    p.ok(&["check"]);
    assert!(
        mail.received().is_empty(),
        "low changes wait for the digest"
    );

    let preview = p.ok(&["digest", "--recipient", "cto", "--preview"]);
    assert!(
        preview.contains("1 change(s)")
            && preview.contains("LOW")
            && preview.contains("answers questions"),
        "{preview}"
    );
    assert!(mail.received().is_empty(), "--preview sends nothing");
    assert!(
        json_lines(&p.ok(&["outbox", "--json"])).is_empty(),
        "--preview records nothing"
    );

    p.ok(&["digest", "--recipient", "cto"]);
    let got = mail.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["cto@example.eu"]);
    let m = parse(&got[0].data);
    assert!(
        m.subject().unwrap().starts_with("[regwatch] Digest"),
        "{:?}",
        m.subject()
    );
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("== LOW (1) ==")
            && text.contains("Test rules")
            && text.contains("Source health"),
        "{text}"
    );

    // The next digest starts where this one ended: nothing new to report.
    p.ok(&["digest", "--recipient", "cto"]);
    let got = mail.received();
    assert_eq!(got.len(), 2);
    assert!(
        parse(&got[1].data)
            .body_text(0)
            .unwrap()
            .contains("Nothing changed"),
        "second digest is empty"
    );
}

#[test]
fn an_smtp_outage_leaves_the_alert_pending_until_deliver_sends_it_once() {
    let pages = PageServer::start_in_thread().unwrap();
    let down = SmtpServer::closed_port();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&pages, Some(down.port)));
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["state"], "pending");
    assert_eq!(outbox[0]["attempts"], 1);
    assert!(
        outbox[0]["last_error"].as_str().unwrap().contains("SMTP"),
        "{:?}",
        outbox[0]
    );

    let mail = SmtpServer::start_on(&down);
    p.ok(&["deliver"]);
    assert_eq!(mail.received().len(), 1);
    p.ok(&["deliver"]);
    p.ok(&["check"]);
    assert_eq!(mail.received().len(), 1, "sent once");
    assert_eq!(json_lines(&p.ok(&["outbox", "--json"]))[0]["state"], "sent");
}

/// The error kept on the message says what failed once, in words: no "Connection error:
/// Connection error", no lettre internals.
#[test]
fn an_smtp_outage_is_explained_once() {
    let pages = PageServer::start_in_thread().unwrap();
    let down = SmtpServer::closed_port();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&pages, Some(down.port)));
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    let err = outbox[0]["last_error"].as_str().unwrap();
    assert!(err.starts_with("SMTP connection failed: "), "{err}");
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    let parts: Vec<&str> = err.split(": ").collect();
    assert!(parts.windows(2).all(|w| w[0] != w[1]), "{err}");
    assert!(!err.contains("Connection error"), "{err}");
}

#[test]
fn a_rejected_recipient_is_dead_and_does_not_block_the_other() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    mail.reject("ops@example.eu");
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let text = config(&pages, Some(mail.port)).replace("alerts = \"never\"", "alerts = \"high\"");
    let p = Project::new(&text);
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    let got = mail.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["cto@example.eu"]);
    let outbox = json_lines(&p.ok(&["outbox", "--json"]));
    let ops = outbox.iter().find(|m| m["recipient"] == "ops").unwrap();
    assert_eq!(ops["state"], "dead");
    assert!(
        ops["last_error"].as_str().unwrap().contains("550"),
        "{ops:?}"
    );
    let human = p.ok(&["outbox"]);
    assert!(human.contains("dead") && human.contains("550"), "{human}");
}

#[test]
fn page_text_is_escaped_in_the_html_part() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&pages, Some(mail.port)));
    p.ok(&["check"]);
    // Page text that looks like markup; the page itself escapes it, so the text holds "<script>".
    pages.set(
        "/rules",
        Page::html(rules_page("4,000", "2").replace(
            "<h1>",
            "<p>Note &lt;script&gt;alert('x')&lt;/script&gt; and &lt;b onclick=x&gt;</p><h1>",
        )),
    );
    p.ok(&["check"]);
    let got = mail.received();
    assert_eq!(got.len(), 1);
    let m = parse(&got[0].data);
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script>") && !html.contains("<b onclick"),
        "{html}"
    );
}

#[test]
fn without_smtp_alerts_are_written_as_eml_files() {
    let pages = PageServer::start_in_thread().unwrap();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&pages, None));
    p.ok(&["check"]);
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    p.ok(&["check"]);
    let dir = p.path().join("outbox-files");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    let data = std::fs::read_to_string(&files[0]).unwrap();
    let m = parse(&data);
    assert_eq!(
        m.subject(),
        Some("[HIGH] TPP threshold 4,800 → 4,000 — Test rules")
    );
    assert!(m.body_html(0).is_some() && m.body_text(0).is_some());
}

#[test]
fn the_smtp_password_never_appears_in_output_or_logs() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set("/rules", Page::html(rules_page("4,800", "1")));
    let text =
        config(&pages, Some(mail.port)).replace("smtp://127.0.0.1", "smtp://veille@127.0.0.1");
    let p = Project::new(&text);
    let secret = "s3cret-Pa55word-xyz";
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("regwatch")
            .unwrap()
            .current_dir(p.path())
            .env("REGWATCH_SMTP_PASSWORD", secret)
            .env("REGWATCH_LOG", "trace")
            .arg("--config")
            .arg(p.config_path())
            .args(args)
            .output()
            .unwrap()
    };
    let mut all = String::new();
    for args in [&["check"][..], &["config", "check"][..]] {
        let o = run(args);
        all.push_str(&String::from_utf8_lossy(&o.stdout));
        all.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    pages.set("/rules", Page::html(rules_page("4,000", "2")));
    for args in [&["check"][..], &["deliver"][..], &["outbox", "--json"][..]] {
        let o = run(args);
        all.push_str(&String::from_utf8_lossy(&o.stdout));
        all.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    let got = mail.received();
    assert_eq!(got.len(), 1, "the alert went out with credentials");
    assert!(got[0].auth.is_some(), "the client authenticated");
    assert!(!all.contains(secret), "the password leaked:\n{all}");
}

#[test]
fn a_password_in_the_smtp_url_is_refused() {
    let p = Project::new("[mail]\nsmtp = \"smtps://user:hunter2@smtp.example.eu:465\"\n");
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("REGWATCH_SMTP_PASSWORD") && !err.contains("hunter2"),
        "{err}"
    );
}
