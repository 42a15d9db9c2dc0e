//! `regwatch bench` runs end to end on a small workload and finds exactly the changed pages.
//! (Its speed is reported, never asserted: see BENCHMARKS.md.)

mod common;

use common::{Project, json_lines};

#[test]
fn bench_finds_exactly_the_mutated_pages_and_reports_every_figure() {
    let p = Project::new("");
    let out = p.ok(&["bench", "--pages", "20", "--hosts", "2", "--json"]);
    let cycles = json_lines(&out);
    assert_eq!(cycles.len(), 3, "{out}");
    for c in &cycles {
        assert_eq!(c["tool"], "regwatch");
        assert_eq!(c["changes"], c["expected"], "{c}");
        assert!(c["peak_rss_mib"].as_f64().unwrap() > 0.0, "{c}");
        assert!(c["cpu_s"].as_f64().is_some() && c["db_bytes"].as_u64().unwrap() > 0);
    }
    assert_eq!(cycles[1]["cycle"], "second");
    assert_eq!(cycles[1]["expected"], 2, "10 % of 20 pages");
}

#[test]
fn bench_on_one_host_with_several_requests_in_flight_finds_the_same_changes() {
    let p = Project::new("");
    let keep = p.path().join("work");
    let keep = keep.to_str().unwrap();
    let out = p.ok(&[
        "bench",
        "--pages",
        "20",
        "--hosts",
        "1",
        "--per-host",
        "4",
        "--keep",
        keep,
        "--json",
    ]);
    let cycles = json_lines(&out);
    assert_eq!(cycles.len(), 3, "{out}");
    for c in &cycles {
        assert_eq!(c["changes"], c["expected"], "{c}");
    }
    let config = std::fs::read_to_string(p.path().join("work/regwatch/sources.toml")).unwrap();
    assert!(config.contains("per_host_concurrency = 4"), "{config}");
    let out = p.run(&["bench", "--per-host", "0"]);
    assert_eq!(out.status.code(), Some(2), "1 to 64");
}
