//! `regwatch run` as a real process: scheduling, conditional GET, per-host politeness, a slow page
//! that stalls nobody else, SIGTERM, SIGHUP and a restart that resumes the persisted schedule.
//!
//! The daemon logs one JSON line per event on stderr; tests read those lines as they come (with a
//! generous deadline) instead of sleeping.

mod common;

use std::time::Duration;

use common::Project;
use common::daemon::{Daemon, http_get, source};
use regwatch::dev::serve::{Page, PageServer};

#[test]
fn detects_a_change_within_its_interval_sends_if_none_match_serves_health_and_stops_on_sigterm() {
    let server = PageServer::start_in_thread().unwrap();
    let mut page =
        Page::html("<main><p>Chips with a TPP of 4,800 or more are controlled.</p></main>");
    page.etag = true;
    server.set("/rules", page.clone());
    let p = Project::new(&format!(
        "[settings]\nper_host_delay = \"100ms\"\n\n{}",
        source("rules", &server.url("/rules"), "1s")
    ));
    let mut d = Daemon::start(&p);
    let addr = d.addr();
    d.wait_check("rules", "baseline");
    d.wait_check("rules", "not_modified");
    let reqs: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/rules")
        .collect();
    assert!(reqs.len() >= 2);
    assert!(
        reqs[1].headers.contains_key("if-none-match"),
        "{:?}",
        reqs[1].headers
    );

    page.body = b"<main><p>Chips with a TPP of 4,000 or more are controlled.</p></main>".to_vec();
    server.set("/rules", page);
    let changed = d.wait_check("rules", "changed");
    assert_eq!(changed["fields"]["severity"], "high");

    let (status, body) = http_get(&addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    let (status, metrics) = http_get(&addr, "/metrics");
    assert_eq!(status, 200);
    for needle in [
        "regwatch_checks_total{outcome=\"changed\"} 1",
        "regwatch_changes_total{severity=\"high\"} 1",
        "regwatch_fetch_duration_seconds_count",
        "regwatch_outbox_messages{state=\"dead\"} 0",
        "regwatch_sources_failing 0",
        "regwatch_last_success_timestamp_seconds",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn a_slow_page_stalls_nobody_else_and_requests_to_one_host_keep_their_gap() {
    let slow_host = PageServer::start_in_thread_at("127.0.0.2").unwrap();
    let mut slow = Page::html("<main><p>slow</p></main>");
    slow.delay = Some(Duration::from_secs(40));
    slow_host.set("/slow", slow);
    let fast_host = PageServer::start_in_thread().unwrap();
    fast_host.set("/a", Page::html("<main><p>page a</p></main>"));
    fast_host.set("/b", Page::html("<main><p>page b</p></main>"));
    let config = format!(
        "[settings]\ntimeout = \"60s\"\nper_host_delay = \"700ms\"\n\n{}{}{}",
        source("slow", &slow_host.url("/slow"), "1s"),
        source("a", &fast_host.url("/a"), "1s"),
        source("b", &fast_host.url("/b"), "1s"),
    );
    let p = Project::new(&config);
    let mut d = Daemon::start(&p);
    // While the slow page is still being served, the others are checked again and again.
    d.wait_check("a", "baseline");
    d.wait_check("b", "baseline");
    d.wait_check("a", "unchanged");
    d.wait_check("b", "unchanged");
    d.wait_check("a", "unchanged");
    assert_eq!(
        d.count_checks("slow", "baseline"),
        0,
        "the slow page is still in flight"
    );
    // One host, one request at a time, at least 700 ms apart (start to start ≥ end to start).
    let times: Vec<_> = fast_host.requests().iter().map(|r| r.at).collect();
    assert!(times.len() >= 4, "{times:?}");
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(690),
            "gap {:?}",
            w[1] - w[0]
        );
    }
    // SIGTERM: in-flight work gets a bounded grace period, then the daemon exits 0.
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn a_restart_resumes_the_schedule_and_sighup_adds_a_source() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/a", Page::html("<main><p>page a</p></main>"));
    server.set("/b", Page::html("<main><p>page b</p></main>"));
    let base = source("a", &server.url("/a"), "1h");
    let p = Project::new(&base);
    let mut d = Daemon::start(&p);
    d.wait_check("a", "baseline");
    assert_eq!(d.stop(), Some(0));
    let before = server.requests().len();

    // Restart: "a" was checked a moment ago with a 1 h interval, so nothing is fetched.
    let mut d = Daemon::start(&p);
    d.addr();
    // An invalid config on SIGHUP is refused and the old one keeps running.
    p.write_config(&format!("{base}[[source]]\nid = \"b\"\n"));
    d.signal("HUP");
    d.wait_for("refused reload", |v| {
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("reload refused"))
    });
    // A valid one adds "b", which is checked right away; "a" is still not due.
    p.write_config(&format!("{base}{}", source("b", &server.url("/b"), "1h")));
    d.signal("HUP");
    d.wait_for("reload", |v| {
        v["fields"]["message"] == "configuration reloaded"
    });
    d.wait_check("b", "baseline");
    let paths: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        paths,
        vec!["/b"],
        "only the new source was fetched after the restart"
    );
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn retry_after_on_429_holds_the_next_request_back_then_the_source_recovers() {
    let server = PageServer::start_in_thread().unwrap();
    let mut limited = Page::status(429);
    limited.headers.push(("Retry-After".into(), "4".into()));
    server.set("/r", limited);
    let p = Project::new(&format!(
        "[settings]\nper_host_delay = \"10ms\"\n\n{}",
        source("r", &server.url("/r"), "1s")
    ));
    let mut d = Daemon::start(&p);
    let failed = d.wait_check("r", "failed");
    assert!(
        failed["fields"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("429")),
        "{failed}"
    );
    server.set("/r", Page::html("<main><p>Served again.</p></main>"));
    d.wait_check("r", "baseline");
    let times: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/r")
        .map(|r| r.at)
        .collect();
    assert_eq!(times.len(), 2, "{times:?}");
    // Without Retry-After the retry would come after the 1 s interval; the server asked for 4 s.
    assert!(
        times[1] - times[0] >= Duration::from_millis(3900),
        "{:?}",
        times[1] - times[0]
    );
    assert_eq!(d.stop(), Some(0));
}
