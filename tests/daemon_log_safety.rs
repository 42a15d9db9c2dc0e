//! The daemon's default (text) log carries page text cleaned: no terminal escapes, no bidi
//! overrides.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Project;
use regwatch::dev::serve::{Page, PageServer};

#[test]
fn a_hostile_page_title_reaches_the_text_log_clean() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/wall",
        Page::html(
            "<html><head><title>\x1b]0;pwned\x07Request Access \u{202E}gnp.exe\u{2066}</title></head><body><main><p>Your request has been blocked.</p></main></body></html>",
        ),
    );
    let p = Project::new(&format!(
        "[[source]]\nid = \"wall\"\nurl = \"{}\"\ninterval = \"1h\"\nrespect_robots = false\n",
        server.url("/wall")
    ));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
        .current_dir(p.path())
        .env_remove("REGWATCH_LOG")
        .arg("--config")
        .arg(p.config_path())
        .args(["run", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start daemon");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let line = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) if l.contains("Request Access") => break l,
            Ok(l) => seen.push(l),
            Err(_) => {
                let _ = child.kill();
                panic!("no failed check in the log; saw:\n{}", seen.join("\n"));
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("wall"), "{line}");
    let bad = line
        .chars()
        .find(|c| matches!(c, '\x1b' | '\x07' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'));
    assert_eq!(bad, None, "{line:?}");
    assert!(line.contains("gnp.exe"), "{line}");
}
