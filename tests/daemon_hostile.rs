//! The daemon under unlucky conditions: a relay that never answers, a second daemon, a database
//! removed under it, a clock that jumped forward, and results that cannot be written.

mod common;

use std::net::TcpListener;

use common::daemon::{Daemon, http_get, source};
use common::{Project, stderr};
use regwatch::dev::serve::{Page, PageServer};

/// A "relay" that accepts connections and never says a word.
fn tarpit() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    port
}

fn rules(tpp: &str) -> Page {
    Page::html(format!(
        "<main><p>Chips with a TPP of {tpp} or more are controlled.</p></main>"
    ))
}

#[test]
fn a_relay_that_never_answers_holds_neither_checks_nor_shutdown() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules("4,800"));
    let p = Project::new(&format!(
        "[mail]\nfrom = \"regwatch@example.org\"\nsmtp = \"smtp://127.0.0.1:{}\"\n\n\
         [[recipient]]\nname = \"veille\"\nemails = [\"veille@example.org\"]\nalerts = \"high\"\n\n{}",
        tarpit(),
        source("rules", &server.url("/rules"), "1s")
    ));
    let mut d = Daemon::start(&p);
    d.wait_check("rules", "baseline");
    server.set("/rules", rules("4,000"));
    d.wait_check("rules", "changed");
    // The alert is now stuck on the silent relay; checking goes on regardless.
    server.set("/rules", rules("3,000"));
    d.wait_check("rules", "changed");
    d.wait_check("rules", "unchanged");
    assert_eq!(d.stop(), Some(0));
    // Nothing was sent, and nothing is left claimed: both alerts wait as pending.
    let outbox = common::json_lines(&p.ok(&["outbox", "--json"]));
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    for m in &outbox {
        assert_eq!(m["state"], "pending", "{m}");
    }
}

#[test]
fn a_second_daemon_on_the_same_database_refuses_to_start() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules("4,800"));
    let p = Project::new(&source("rules", &server.url("/rules"), "1h"));
    let mut first = Daemon::start(&p);
    first.addr();
    let out = p.run(&["run", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let pid = first.child.id().to_string();
    assert!(
        stderr(&out).contains("already running") && stderr(&out).contains(&pid),
        "{}",
        stderr(&out)
    );
    assert_eq!(first.stop(), Some(0));
}

#[test]
fn a_database_removed_while_running_turns_health_red_and_is_never_recreated() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules("4,800"));
    let p = Project::new(&source("rules", &server.url("/rules"), "1s"));
    let mut d = Daemon::start(&p);
    let addr = d.addr();
    d.wait_check("rules", "baseline");
    for suffix in ["", "-wal", "-shm"] {
        let mut name = p.db_path().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    d.wait_for("database lost", |v| {
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("removed or replaced"))
    });
    d.wait_for("delivery stopped", |v| {
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("delivery stops"))
    });
    let (status, body) = http_get(&addr, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("removed or replaced"), "{body}");
    assert!(!p.db_path().exists(), "a health probe created a database");
}

#[test]
fn a_due_time_far_in_the_future_is_clamped_and_logged() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules("4,800"));
    let p = Project::new(&source("rules", &server.url("/rules"), "1s"));
    p.ok(&["check"]);
    // As if the clock had read 2036 during the last check.
    let db = rusqlite::Connection::open(p.db_path()).unwrap();
    db.execute(
        "UPDATE sources SET next_check_at = '2036-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    drop(db);
    let mut d = Daemon::start(&p);
    d.wait_for("clamp warning", |v| {
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("far in the future"))
    });
    d.wait_check("rules", "unchanged");
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn a_result_that_cannot_be_written_still_backs_off_and_shows_in_health() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/broken", rules("4,800"));
    server.set("/healthy", rules("4,800"));
    let p = Project::new(&format!(
        "{}{}",
        source("broken", &server.url("/broken"), "1s"),
        source("healthy", &server.url("/healthy"), "1s")
    ));
    p.ok(&["check"]);
    // Every write about "broken" fails, as on a full disk.
    let db = rusqlite::Connection::open(p.db_path()).unwrap();
    db.execute_batch(
        "CREATE TRIGGER full BEFORE UPDATE ON sources WHEN NEW.id = 'broken'
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    )
    .unwrap();
    drop(db);
    let before = server.requests().len();
    let mut d = Daemon::start(&p);
    let addr = d.addr();
    d.wait_check("broken", "failed");
    for _ in 0..4 {
        d.wait_check("healthy", "unchanged");
    }
    let broken = server.requests()[before..]
        .iter()
        .filter(|r| r.path == "/broken")
        .count();
    assert_eq!(broken, 1, "an unrecorded failure must still back off");
    let (status, body) = http_get(&addr, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot be written"), "{body}");
    assert_eq!(d.stop(), Some(0));
}

#[test]
fn a_message_due_far_in_the_future_is_made_due_and_sent() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules("4,800"));
    let p = Project::new(&format!(
        "[mail]\nfrom = \"regwatch@example.org\"\nmail_dir = \"mail\"\n\n\
         [[recipient]]\nname = \"veille\"\nemails = [\"veille@example.org\"]\nalerts = \"high\"\n\n{}",
        source("rules", &server.url("/rules"), "1h")
    ));
    p.ok(&["check"]);
    server.set("/rules", rules("4,000"));
    p.ok(&["check"]);
    // As if the clock had read 2036 when the message was last tried.
    let db = rusqlite::Connection::open(p.db_path()).unwrap();
    db.execute(
        "UPDATE outbox SET state = 'pending', sent_at = NULL, next_attempt_at = '2036-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    drop(db);
    std::fs::remove_dir_all(p.path().join("mail")).unwrap();
    let mut d = Daemon::start(&p);
    d.wait_for("clamp warning", |v| {
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("messages due far in the future"))
    });
    d.wait_for("delivery", |v| {
        v["fields"]["message"] == "delivery" && v["fields"]["sent"] == 1
    });
    assert_eq!(d.stop(), Some(0));
    assert_eq!(std::fs::read_dir(p.path().join("mail")).unwrap().count(), 1);
}
