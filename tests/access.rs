//! How sources are reached, end to end (real binary, real SQLite, pages on 127.0.0.1): secret
//! headers from the environment, sources skipped when their variable is unset, proxies from the
//! environment with loopback direct, requests in flight per host, `keep_items_in`, and the
//! sooner retries of a failing source.

mod common;

use common::{Project, json_lines, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

const SECRET: &str = "k3y-9f2c7e1b-SECRET-41d0";

fn keyed_source(id: &str, url: &str, var: &str) -> String {
    format!(
        "[[source]]\nid = \"{id}\"\nurl = \"{url}\"\nselect = [\"main\"]\nrespect_robots = false\nheaders = {{ \"X-Api-Key\" = \"env:{var}\", \"Accept-Language\" = \"en\" }}\n\n"
    )
}

fn plain_source(id: &str, url: &str) -> String {
    format!(
        "[[source]]\nid = \"{id}\"\nurl = \"{url}\"\nselect = [\"main\"]\nrespect_robots = false\n\n"
    )
}

/// Every byte of the database files (WAL included), for a search.
fn database_bytes(p: &Project) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", p.db_path().display());
        all.extend(std::fs::read(path).unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_secret_header_reaches_the_server_and_nothing_else() {
    let server = PageServer::start_in_thread().unwrap();
    let mut page = Page::html(rules_page("4,800", "1"));
    page.require_header = Some(("X-Api-Key".into(), SECRET.into()));
    server.set("/api", page);
    let p = Project::new(&keyed_source("api", &server.url("/api"), "RW_TEST_KEY_A"));
    let env = [
        ("RW_TEST_KEY_A", Some(SECRET)),
        ("REGWATCH_LOG", Some("trace")),
    ];
    let everything = |out: &std::process::Output| format!("{}{}", stdout(out), stderr(out));

    let out = p.run_env(&["config", "check"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!everything(&out).contains(SECRET));
    assert!(!stderr(&out).contains("warning"), "the variable is set");

    // The server answers 401 without the key: a baseline proves it arrived.
    let out = p.run_env(&["check"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", everything(&out));
    assert!(
        stdout(&out).contains("baseline stored"),
        "{}",
        everything(&out)
    );
    assert!(!everything(&out).contains(SECRET), "logs at trace level");
    let seen = server.requests();
    assert_eq!(
        seen[0].headers.get("x-api-key").map(String::as_str),
        Some(SECRET)
    );
    assert_eq!(
        seen[0].headers.get("accept-language").map(String::as_str),
        Some("en")
    );

    // A change, and a rejected key: neither output nor the database holds the key.
    server.set("/api", {
        let mut page = Page::html(rules_page("4,000", "2"));
        page.require_header = Some(("X-Api-Key".into(), SECRET.into()));
        page
    });
    let out = p.run_env(&["check", "--json"], &env);
    assert_eq!(json_lines(&stdout(&out)).len(), 1, "{}", everything(&out));
    assert!(!everything(&out).contains(SECRET));
    let wrong = [
        ("RW_TEST_KEY_A", Some("wrong-key")),
        ("REGWATCH_LOG", Some("trace")),
    ];
    let out = p.run_env(&["check"], &wrong);
    assert!(stderr(&out).contains("HTTP 401"), "{}", everything(&out));
    for args in [
        &["sources", "--json"][..],
        &["sources"],
        &["changes", "--json"],
        &["show", "1"],
        &["export"],
        &["export", "--format", "csv"],
    ] {
        let out = p.run_env(args, &env);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", everything(&out));
        assert!(!everything(&out).contains(SECRET), "{args:?}");
    }
    assert!(
        !contains(&database_bytes(&p), SECRET),
        "the key is in the database"
    );
}

#[test]
fn an_unset_variable_skips_its_source_and_the_others_run() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/api", Page::html(rules_page("4,800", "1")));
    server.set("/open", Page::html(rules_page("4,800", "1")));
    let config = format!(
        "{}{}{}",
        keyed_source("api-1", &server.url("/api"), "RW_TEST_UNSET_KEY"),
        keyed_source("api-2", &server.url("/api"), "RW_TEST_UNSET_KEY"),
        plain_source("open", &server.url("/open"))
    );
    let p = Project::new(&config);
    let unset = [("RW_TEST_UNSET_KEY", None)];

    let out = p.run_env(&["config", "check"], &unset);
    assert_eq!(out.status.code(), Some(0), "a warning, not an error");
    let warnings = stderr(&out);
    let at = format!("{}:6:", p.config_path().display());
    assert!(
        warnings.contains(&at)
            && warnings.contains("warning: environment variable RW_TEST_UNSET_KEY is not set"),
        "{warnings}"
    );

    let out = p.run_env(&["check"], &unset);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(
        err.matches("environment variable RW_TEST_UNSET_KEY is not set")
            .count(),
        1,
        "one warning per check: {err}"
    );
    assert!(err.contains("skipped api-1, api-2"), "{err}");
    assert!(
        stdout(&out).contains("open  baseline stored"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("0 failed, 2 skipped"),
        "{}",
        stdout(&out)
    );
    assert!(
        server.requests().iter().all(|r| r.path == "/open"),
        "nothing fetched without the key"
    );

    // Recorded, but not a failure streak.
    p.run_env(&["check"], &unset);
    let rows = p.sources_json();
    let api = rows.iter().find(|r| r["id"] == "api-1").unwrap();
    assert_eq!(api["failure_streak"], 0);
    assert_eq!(
        api["last_error"],
        "environment variable RW_TEST_UNSET_KEY is not set"
    );
    assert!(api["next_check"].is_string(), "{api}");
    let text = p.ok(&["sources"]);
    assert!(text.contains("api-1  skipped"), "{text}");
    assert!(text.contains("not counted as a failure"), "{text}");

    // With the key, it runs.
    let out = p.run_env(&["check", "api-1"], &[("RW_TEST_UNSET_KEY", Some("k"))]);
    assert!(
        stdout(&out).contains("api-1  baseline stored"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn headers_are_checked_where_they_are_written() {
    let cases = [
        (
            "headers = { \"X Api\" = \"v\" }",
            "not a valid HTTP header name",
            5,
            13,
        ),
        (
            "headers = { \"X-Api-Key\" = \"a\\nb\" }",
            "not a valid HTTP header value",
            5,
            27,
        ),
        (
            "headers = { \"X-Api-Key\" = \"env:9KEY\" }",
            "not a valid environment variable name",
            5,
            27,
        ),
        (
            "headers = { \"Host\" = \"example.org\" }",
            "set by regwatch itself",
            5,
            13,
        ),
        (
            "keep_items_in = \"body\"",
            "expected \"title\" or \"all\"",
            5,
            17,
        ),
        ("per_host_concurrency = 0", "from 1 to 64", 5, 24),
        ("ca_file = \"no-such.pem\"", "cannot read", 5, 11),
    ];
    for (line, message, row, column) in cases {
        let p = Project::new(&format!(
            "[[source]]\nid = \"a\"\nurl = \"http://127.0.0.1:9/\"\nrespect_robots = false\n{line}\n"
        ));
        let out = p.run(&["config", "check"]);
        assert_eq!(out.status.code(), Some(2), "{line}");
        let err = stderr(&out);
        let at = format!("{}:{row}:{column}:", p.config_path().display());
        assert!(err.contains(&at) && err.contains(message), "{line}: {err}");
    }
    let p = Project::new("[settings]\nper_host_concurrency = 65\n");
    let err = stderr(&p.run(&["config", "check"]));
    assert!(
        err.contains("sources.toml:2:24:") && err.contains("from 1 to 64"),
        "{err}"
    );
}

#[test]
fn proxies_come_from_the_environment_and_loopback_stays_direct() {
    let proxy = PageServer::start_in_thread().unwrap();
    // A proxy receives the absolute URL as the request target.
    proxy.set(
        "http://regs.example.invalid/rules",
        Page::html(rules_page("4,800", "proxied")),
    );
    let direct = PageServer::start_in_thread().unwrap();
    direct.set("/rules", Page::html(rules_page("4,800", "direct")));
    let p = Project::new(&format!(
        "{}{}",
        plain_source("remote", "http://regs.example.invalid/rules"),
        plain_source("local", &direct.url("/rules"))
    ));
    let proxy_url = format!("http://{}", proxy.addr());
    let env = [
        ("HTTP_PROXY", Some(proxy_url.as_str())),
        ("http_proxy", None),
        ("ALL_PROXY", None),
        ("all_proxy", None),
        ("NO_PROXY", None),
        ("no_proxy", None),
    ];
    let out = p.run_env(&["check"], &env);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("remote  baseline stored"), "{text}");
    assert!(text.contains("local  baseline stored"), "{text}");
    let through_proxy: Vec<String> = proxy.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(through_proxy, ["http://regs.example.invalid/rules"]);
    assert_eq!(direct.requests().len(), 1, "loopback is never proxied");
}

#[test]
fn per_host_concurrency_lets_that_many_requests_in_flight_and_never_more() {
    for (limit, expected) in [(None, 1), (Some(4), 4)] {
        let server = PageServer::start_in_thread().unwrap();
        let mut config =
            String::from("[settings]\nper_host_delay = \"0s\"\nmax_concurrency = 16\n");
        if let Some(n) = limit {
            config.push_str(&format!("per_host_concurrency = {n}\n"));
        }
        config.push('\n');
        for i in 0..12 {
            let mut page = Page::html(rules_page("4,800", &i.to_string()));
            // Long enough for every request let through to overlap the others.
            page.delay = Some(std::time::Duration::from_millis(400));
            server.set(&format!("/p{i}"), page);
            config.push_str(&plain_source(
                &format!("p{i}"),
                &server.url(&format!("/p{i}")),
            ));
        }
        let p = Project::new(&config);
        let out = p.run(&["check"]);
        assert!(
            stdout(&out).contains("12 baseline, 0 failed"),
            "{}",
            stdout(&out)
        );
        assert_eq!(server.requests().len(), 12);
        assert_eq!(
            server.max_concurrent_requests(),
            expected,
            "limit {limit:?}"
        );
    }
}

#[test]
fn keep_items_in_all_reads_summaries_that_are_not_stored() {
    let feed = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>http://n/</link><description>d</description>
<item><title>Weekly roundup</title><link>http://n/1</link><pubDate>Wed, 14 Jan 2026 09:30:00 +0000</pubDate><description>New &lt;b&gt;export controls&lt;/b&gt; on chips</description></item>
<item><title>Football results</title><link>http://n/2</link><pubDate>Wed, 14 Jan 2026 08:30:00 +0000</pubDate><description>Cup final</description></item>
</channel></rss>"#;
    let server = PageServer::start_in_thread().unwrap();
    let mut page = Page::html(feed);
    page.content_type = "application/rss+xml".into();
    server.set("/feed", page);
    let source = |extra: &str| {
        format!(
            "[[source]]\nid = \"news\"\nurl = \"{}\"\nkind = \"feed\"\nrespect_robots = false\nkeep_items = ['(?i)export controls']\n{extra}",
            server.url("/feed")
        )
    };
    let p = Project::new(&source(""));
    p.ok(&["check"]);
    let db = database_bytes(&p);
    assert!(
        !contains(&db, "Weekly roundup"),
        "title only: the summary is not read"
    );

    let p = Project::new(&source("keep_items_in = \"all\"\n"));
    p.ok(&["check"]);
    let db = database_bytes(&p);
    assert!(contains(&db, "Weekly roundup") && !contains(&db, "Football"));
    assert!(
        !contains(&db, "Cup final"),
        "summaries are still not stored"
    );
}

#[test]
fn a_failing_weekly_source_is_retried_within_minutes() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::status(503));
    let p = Project::new(&format!(
        "[[source]]\nid = \"weekly\"\nurl = \"{}\"\ninterval = \"7d\"\nrespect_robots = false\n",
        server.url("/rules")
    ));
    let minutes_to_next = |p: &Project| {
        let rows = p.sources_json();
        let at =
            |k: &str| chrono::DateTime::parse_from_rfc3339(rows[0][k].as_str().unwrap()).unwrap();
        (at("next_check") - at("last_check")).num_seconds() as f64 / 60.0
    };
    p.ok(&["check"]);
    let first = minutes_to_next(&p);
    assert!((4.5..=5.5).contains(&first), "5 min ± 10 %: {first}");
    p.ok(&["check"]);
    let second = minutes_to_next(&p);
    assert!((9.0..=11.0).contains(&second), "10 min ± 10 %: {second}");
    let text = p.ok(&["sources"]);
    assert!(text.contains("next check:"), "{text}");
    // A success goes back to the interval.
    server.set("/rules", Page::html(rules_page("4,800", "1")));
    p.ok(&["check"]);
    let days = minutes_to_next(&p) / 1440.0;
    assert!((6.3..=7.7).contains(&days), "{days}");
}

#[test]
fn check_draws_no_progress_line_when_stderr_is_not_a_terminal() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&plain_source("rules", &server.url("/rules")));
    let out = p.run(&["check"]);
    assert!(!stderr(&out).contains('\r') && !stderr(&out).contains("checked 1 of"));
}
