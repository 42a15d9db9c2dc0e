//! The `/metrics` contract: every metric of the README's table is in the exposition of a real
//! `regwatch run`, with the documented type and label, parsed as Prometheus parses it
//! (`prometheus-parse`), not searched as text. `regwatch web` (no loop) serves the database's
//! gauges only.

mod common;

use common::Project;
use common::daemon::{Daemon, http_get, source};
use common::web::{WebServer, seeded};
use prometheus_parse::{Scrape, Value};
use regwatch::dev::serve::{Page, PageServer};

/// A documented metric: name, label (if any) and type, read from the README's table.
#[derive(Debug)]
struct Documented {
    name: String,
    label: Option<String>,
    kind: String,
}

/// The rows of the metric table in README.md (`| \`name{label}\` | type | meaning |`).
fn documented() -> Vec<Documented> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let rows: Vec<Documented> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let metric = cells
                .get(1)?
                .strip_prefix("`regwatch_")?
                .strip_suffix('`')?;
            let (name, label) = match metric.split_once('{') {
                Some((n, l)) => (n, Some(l.trim_end_matches('}').to_string())),
                None => (metric, None),
            };
            Some(Documented {
                name: format!("regwatch_{name}"),
                label,
                kind: (*cells.get(2)?).to_string(),
            })
        })
        .collect();
    assert!(rows.len() >= 8, "the README's metric table: {rows:?}");
    rows
}

fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("a Prometheus exposition")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Counter(_) => "counter",
        Value::Gauge(_) => "gauge",
        Value::Histogram(_) => "histogram",
        Value::Summary(_) => "summary",
        Value::Untyped(_) => "untyped",
    }
}

/// Checks one documented metric against a scrape: present, of its type, with its label.
fn check(scrape: &Scrape, text: &str, m: &Documented) {
    let samples: Vec<_> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == m.name)
        .collect();
    assert!(!samples.is_empty(), "{} missing from\n{text}", m.name);
    for s in &samples {
        assert_eq!(kind(&s.value), m.kind, "type of {}:\n{text}", m.name);
        if let Some(label) = &m.label {
            assert!(
                s.labels.get(label).is_some(),
                "{} without its label {label}:\n{text}",
                m.name
            );
        }
    }
    assert!(
        text.contains(&format!("# TYPE {} {}\n", m.name, m.kind)),
        "TYPE line of {}:\n{text}",
        m.name
    );
    assert!(
        scrape.docs.contains_key(&m.name),
        "HELP line of {}:\n{text}",
        m.name
    );
}

#[test]
fn the_daemon_exposes_every_documented_metric_with_its_type_and_label() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/rules",
        Page::html("<main><p>Chips with a TPP of 4,800 or more are controlled.</p></main>"),
    );
    let p = Project::new(&format!(
        "[settings]\nper_host_delay = \"10ms\"\n\n{}",
        source("rules", &server.url("/rules"), "1s")
    ));
    let mut d = Daemon::start(&p);
    let addr = d.addr();
    d.wait_check("rules", "baseline");
    server.set(
        "/rules",
        Page::html("<main><p>Chips with a TPP of 4,000 or more are controlled.</p></main>"),
    );
    d.wait_check("rules", "changed");

    let (status, text) = http_get(&addr, "/metrics");
    assert_eq!(status, 200, "{text}");
    let scrape = parse(&text);
    for m in documented() {
        check(&scrape, &text, &m);
    }
    // Values mean what they meant: one baseline, one high change, every state of the outbox.
    let value = |name: &str, label: (&str, &str)| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && s.labels.get(label.0) == Some(label.1))
            .map(|s| s.value.clone())
    };
    assert_eq!(
        value("regwatch_checks_total", ("outcome", "baseline")),
        Some(Value::Counter(1.0)),
        "{text}"
    );
    assert_eq!(
        value("regwatch_changes_total", ("severity", "high")),
        Some(Value::Counter(1.0)),
        "{text}"
    );
    // Every outcome and severity is a series from the start, at 0 until it happens.
    assert_eq!(
        value("regwatch_checks_total", ("outcome", "failed")),
        Some(Value::Counter(0.0)),
        "{text}"
    );
    assert_eq!(
        value("regwatch_changes_total", ("severity", "critical")),
        Some(Value::Counter(0.0)),
        "{text}"
    );
    for state in ["pending", "sending", "sent", "dead"] {
        assert!(
            value("regwatch_outbox_messages", ("state", state)).is_some(),
            "{state}: {text}"
        );
    }
    let histogram = scrape
        .samples
        .iter()
        .find(|s| s.metric == "regwatch_fetch_duration_seconds")
        .map(|s| s.value.clone());
    match histogram {
        Some(Value::Histogram(buckets)) => {
            assert!(
                buckets.iter().any(|b| b.less_than == 0.05)
                    && buckets.iter().any(|b| b.less_than == 60.0),
                "buckets 0.05 s … 60 s: {text}"
            );
            let within_a_minute = buckets
                .iter()
                .find(|b| b.less_than == 60.0)
                .map(|b| b.count);
            assert!(within_a_minute >= Some(2.0), "two checks counted: {text}");
        }
        other => panic!("histogram: {other:?}\n{text}"),
    }
    assert_eq!(d.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn regwatch_web_exposes_the_database_gauges_without_loop_counters() {
    let (_server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    let (status, ctype, text) = common::web::get(&web.url("/metrics")).await;
    assert_eq!(status, 200, "{text}");
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let scrape = parse(&text);
    for m in documented() {
        let from_database =
            m.name.starts_with("regwatch_outbox_") || m.name == "regwatch_sources_failing";
        if from_database {
            check(&scrape, &text, &m);
        } else {
            assert!(
                !scrape.samples.iter().any(|s| s.metric == m.name),
                "{} needs the loop:\n{text}",
                m.name
            );
        }
    }
}
