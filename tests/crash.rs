//! Crash safety and concurrency: `kill -9` in the middle of a `check`, twice, loses nothing and
//! stores nothing twice; two `check` processes on one database store each change once.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Project, json_lines};
use regwatch::dev::serve::{Page, PageServer};

const SOURCES: usize = 40;

fn page(i: usize, tpp: &str) -> Page {
    let mut p = Page::html(format!(
        "<html><body><main><h1>Rule {i}</h1><p>Chips with a total processing performance of {tpp} or more need a license under rule {i}.</p></main></body></html>"
    ));
    // Slow enough that a kill lands in the middle of the run.
    p.delay = Some(Duration::from_millis(20));
    p
}

fn config(server: &PageServer) -> String {
    let mut c = String::from(
        "[settings]\nper_host_delay = \"0s\"\nmax_concurrency = 4\n\n[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nmail_dir = \"mail\"\n\n\
         [[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nalerts = \"high\"\n\n",
    );
    for i in 0..SOURCES {
        c.push_str(&format!(
            "[[source]]\nid = \"r{i}\"\nurl = \"{}\"\nrespect_robots = false\n\n",
            server.url(&format!("/r{i}"))
        ));
    }
    c
}

fn spawn_check(p: &Project) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
        .current_dir(p.path())
        .arg("--config")
        .arg(p.config_path())
        .arg("check")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start regwatch check")
}

/// A kill point in 1..=SOURCES from the clock (printed, so a failure can be replayed).
fn kill_point(salt: u64) -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let k = 1 + ((nanos ^ salt.wrapping_mul(0x9e37_79b9)) % SOURCES as u64) as usize;
    eprintln!("kill after {k} requests");
    k
}

fn message_ids(dir: &std::path::Path) -> Vec<String> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir).expect("mail dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("eml");
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .expect("Message-ID header")
            .to_string();
        ids.push(id);
    }
    ids
}

/// Baseline of every page, then every page's threshold edited (40 high changes waiting).
fn baseline_then_edit_every_page() -> (PageServer, Project) {
    let server = PageServer::start_in_thread().unwrap();
    for i in 0..SOURCES {
        server.set(&format!("/r{i}"), page(i, "4,800"));
    }
    let p = Project::new(&config(&server));
    p.ok(&["check"]);
    for i in 0..SOURCES {
        server.set(&format!("/r{i}"), page(i, "4,000"));
    }
    (server, p)
}

#[test]
fn kill_9_twice_then_a_normal_run_stores_every_change_once_and_delivers_every_alert() {
    let (server, p) = baseline_then_edit_every_page();

    for salt in [1, 2] {
        let before = server.requests().len();
        let mut child = spawn_check(&p);
        let k = kill_point(salt);
        assert!(server.wait_for_requests(before + k, Duration::from_secs(60)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
    }
    p.ok(&["check"]);
    p.ok(&["deliver"]);

    // Every change stored exactly once.
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    let mut per_source: HashMap<String, usize> = HashMap::new();
    for c in &changes {
        *per_source
            .entry(c["source"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_source.len(), SOURCES, "{per_source:?}");
    assert!(per_source.values().all(|&n| n == 1), "{per_source:?}");

    // Every alert delivered; a kill can duplicate at most the one message it interrupted
    // between "written" and "marked sent".
    let ids = message_ids(&p.path().join("mail"));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), SOURCES, "one alert per change");
    assert!(ids.len() <= SOURCES + 2, "{} files", ids.len());
    assert!(
        json_lines(&p.ok(&["outbox", "--json"]))
            .iter()
            .all(|m| m["state"] == "sent"),
        "nothing left pending"
    );

    let store = regwatch::store::Store::open(&p.db_path()).expect("open");
    assert_eq!(store.integrity_check().expect("integrity check"), "ok");
}

#[test]
fn two_checks_at_once_on_one_database_store_each_change_once() {
    // The server must outlive the checks: keep it bound.
    let (_server, p) = baseline_then_edit_every_page();
    let mut a = spawn_check(&p);
    let mut b = spawn_check(&p);
    assert!(a.wait().expect("wait a").success());
    assert!(b.wait().expect("wait b").success());
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    assert_eq!(changes.len(), SOURCES, "each change once, not twice");
    let ids = message_ids(&p.path().join("mail"));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), SOURCES);
    assert_eq!(
        ids.len(),
        SOURCES,
        "two deliverers never send one message twice"
    );
}
