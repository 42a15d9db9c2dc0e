//! Corrupt or hostile state: clear errors and exit codes 1 or 2, never a panic; page text can
//! never add a mail header.

mod common;

use common::{Project, stderr};
use regwatch::dev::serve::{Page, PageServer};

fn no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(out.status.code(), Some(1..=2)),
        "{:?}: {err}",
        out.status
    );
}

fn one_source(server: &PageServer) -> String {
    format!(
        "[[source]]\nid = \"rules\"\nurl = \"{}\"\nrespect_robots = false\n",
        server.url("/rules")
    )
}

#[test]
fn a_corrupt_database_is_a_clear_error() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html("<main><p>TPP 4,800.</p></main>"));
    let p = Project::new(&one_source(&server));
    std::fs::write(
        p.db_path(),
        b"this is not an SQLite database, just forty bytes of junk....".repeat(200),
    )
    .unwrap();
    for args in [&["check"][..], &["sources"], &["changes"]] {
        let out = p.run(args);
        no_panic(&out);
        let err = stderr(&out);
        assert!(
            err.contains("regwatch.db") && err.contains("not a database"),
            "{err}"
        );
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html("<main><p>TPP 4,800.</p></main>"));
    let p = Project::new(&one_source(&server));
    p.ok(&["check"]);
    {
        let conn = rusqlite::Connection::open(p.db_path()).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let out = p.run(&["check"]);
    no_panic(&out);
    let err = stderr(&out);
    assert!(err.contains("99"), "{err}");
    let conn = rusqlite::Connection::open(p.db_path()).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99, "left as it was");
}

#[test]
fn an_unwritable_database_location_is_a_clear_error() {
    // /proc refuses new files even to root, so this holds whoever runs the tests.
    let server = PageServer::start_in_thread().unwrap();
    let p = Project::new(&format!(
        "[settings]\ndatabase = \"/proc/regwatch-test/regwatch.db\"\n\n{}",
        one_source(&server)
    ));
    let out = p.run(&["check"]);
    no_panic(&out);
    assert!(
        stderr(&out).contains("/proc/regwatch-test"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unwritable_mail_directory_keeps_the_alert_pending_until_it_can_be_written() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/rules",
        Page::html("<main><p>Chips with a TPP of 4,800 or more need a license.</p></main>"),
    );
    let mail = |dir: &str| {
        format!(
            "[mail]\nfrom = \"regwatch@example.eu\"\nmail_dir = \"{dir}\"\n\n[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nalerts = \"high\"\n\n{}",
            one_source(&server)
        )
    };
    let p = Project::new(&mail("/proc/regwatch-mail"));
    p.ok(&["check"]);
    server.set(
        "/rules",
        Page::html("<main><p>Chips with a TPP of 4,000 or more need a license.</p></main>"),
    );
    let out = p.run(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the check itself succeeds: {}",
        stderr(&out)
    );
    let out = p.run(&["deliver"]);
    assert!(!stderr(&out).contains("panicked"));
    let outbox = common::json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["state"], "pending");
    assert!(
        outbox[0]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("/proc/regwatch-mail"),
        "{}",
        outbox[0]
    );
    // Fixed: the same message goes out, once.
    p.write_config(&mail("mail"));
    p.ok(&["deliver"]);
    let files: Vec<_> = std::fs::read_dir(p.path().join("mail")).unwrap().collect();
    assert_eq!(files.len(), 1);
}

#[test]
fn tag_on_binary_files_is_clean() {
    let p = Project::new("");
    let a = p.path().join("a.bin");
    let b = p.path().join("b.bin");
    std::fs::write(&a, (0u8..=255).cycle().take(50_000).collect::<Vec<_>>()).unwrap();
    std::fs::write(
        &b,
        (0u8..=255).rev().cycle().take(70_000).collect::<Vec<_>>(),
    )
    .unwrap();
    let out = p.run(&["tag", a.to_str().unwrap(), b.to_str().unwrap(), "--json"]);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(matches!(out.status.code(), Some(0..=2)));
}

#[test]
fn a_mangled_config_file_exits_2_with_its_position() {
    let p = Project::new(
        "[[source]]\nid = \"x\"\nurl = \"https://example.org\"\ninterval = \"6 hours\n",
    );
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sources.toml:4:"), "{}", stderr(&out));
}

#[test]
fn page_text_cannot_add_a_mail_header_or_markup() {
    let server = PageServer::start_in_thread().unwrap();
    let feed = |titles: &[&str]| {
        let items: String = titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!("<item><title>{t}</title><link>https://news.example/{i}</link></item>")
            })
            .collect();
        let mut p = Page::html("");
        p.content_type = "application/rss+xml".into();
        p.body = format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title><link>https://news.example/</link><description>x</description>{items}</channel></rss>").into_bytes();
        p
    };
    server.set("/rss", feed(&["Harmless entry"]));
    let p = Project::new(&format!(
        "[mail]\nfrom = \"regwatch@example.eu\"\nmail_dir = \"mail\"\n\n[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nalerts = \"medium\"\n\n[[source]]\nid = \"news\"\nurl = \"{}\"\nkind = \"feed\"\nrespect_robots = false\n",
        server.url("/rss")
    ));
    p.ok(&["check"]);
    server.set(
        "/rss",
        feed(&[
            "Harmless entry",
            "Export rule&#13;&#10;Bcc: attacker@evil.example&#13;&#10;&#13;&#10;&lt;script&gt;alert(1)&lt;/script&gt;",
        ]),
    );
    p.ok(&["check"]);
    let files: Vec<_> = std::fs::read_dir(p.path().join("mail"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    let (head, _) = eml.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("\nbcc:"), "{head}");
    let m = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("a parsable message");
    assert!(m.bcc().is_none(), "{head}");
    let subject = m.subject().unwrap_or("");
    assert!(
        subject.contains("Export rule") && !subject.contains('\n'),
        "{subject}"
    );
    let html = m.body_html(0).expect("an HTML part");
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
}
