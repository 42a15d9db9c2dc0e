//! Limits that keep one page from taking the process down (issue 13): extraction memory, a
//! runaway `pdftotext`, JSON numbers beyond 64 bits, `tag` on a binary file. Every test runs the
//! real binary against pages served on 127.0.0.1 (and 127.0.0.2 … for several hosts).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{Project, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn typed(content_type: &str, body: impl Into<Vec<u8>>) -> Page {
    let mut p = Page::html("");
    p.content_type = content_type.into();
    p.body = body.into();
    p
}

fn health(p: &Project, id: &str) -> serde_json::Value {
    p.sources_json()
        .into_iter()
        .find(|h| h["id"] == id)
        .expect("source listed")
}

const SIZE: usize = 9_900_000;

/// A ~9.9 MB regulation page: paragraphs with inline markup and small tables.
fn big_html() -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html><head><title>Rules</title></head><body><main><h1>Rules</h1>",
    );
    let mut n = 0;
    while s.len() < SIZE - 200 {
        if n % 5 == 4 {
            s.push_str(&format!(
                "<table><tr><td>Country {n}</td><td>Tier {}</td></tr></table>",
                n % 3
            ));
        } else {
            s.push_str(&format!(
                "<div><p>Paragraph {n}: a chip is controlled when its <b>total processing performance</b> is <a href=\"/r/{n}\">4,800</a> or more.</p></div>"
            ));
        }
        n += 1;
    }
    s.push_str("</main></body></html>");
    s
}

/// A ~9.9 MB JSON answer with an `items` array of small objects (the case that costs most per
/// byte: a `serde_json::Value` tree took ~47 times the body).
fn big_json() -> String {
    let mut s = String::from("{\"count\": 1, \"results\": [");
    let mut n = 0;
    while s.len() < SIZE - 200 {
        if n > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("{{\"title\": \"D{n}\", \"n\": {n}}}"));
        n += 1;
    }
    s.push_str("]}");
    s
}

#[test]
fn eight_large_pages_at_once_stay_within_a_memory_bound() {
    let (html, json) = (big_html(), big_json());
    assert!(html.len() > 9_800_000 && json.len() > 9_800_000);
    // One host each: the per-host gate would otherwise run them one after the other.
    let servers: Vec<PageServer> = (1..=8)
        .map(|i| PageServer::start_in_thread_at(&format!("127.0.0.{i}")).expect("server"))
        .collect();
    let mut config = String::new();
    for (i, server) in servers.iter().enumerate() {
        if i % 2 == 0 {
            server.set("/page", Page::html(html.clone()));
            config.push_str(&format!(
                "[[source]]\nid = \"html{i}\"\nurl = \"{}\"\n\n",
                server.url("/page")
            ));
        } else {
            server.set("/page", typed("application/json", json.clone()));
            config.push_str(&format!(
                "[[source]]\nid = \"json{i}\"\nurl = \"{}\"\nkind = \"json\"\nitems = \"/results\"\n\n",
                server.url("/page")
            ));
        }
    }
    drop((html, json));
    let p = Project::new(&config);
    let usage_file = p.path().join("usage.json");
    // Measured by `regwatch measure` (wait4 of its own child): the figure is the check's alone.
    let out = Command::cargo_bin("regwatch")
        .expect("binary")
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .arg("measure")
        .arg("--out")
        .arg(&usage_file)
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("regwatch"))
        .arg("--config")
        .arg(p.config_path())
        .arg("check")
        .output()
        .expect("run regwatch measure");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("checked 8 source(s): 0 changed, 0 unchanged, 8 baseline, 0 failed"),
        "{text}\n{}",
        stderr(&out)
    );
    let usage: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&usage_file).expect("usage written"))
            .expect("usage is JSON");
    let kib = usage["max_rss_kib"].as_u64().expect("max_rss_kib");
    eprintln!("eight 9.9 MB pages: peak RSS {} MiB", kib / 1024);
    // Extraction estimates share a 1 GiB budget; bodies in flight and the process come on top.
    // Before the budget (and JSON read a level at a time) this case took 1.9 GB.
    assert!(
        kib < 1280 * 1024,
        "peak RSS {} MiB is over 1.25 GiB",
        kib / 1024
    );
}

#[test]
fn a_page_over_its_memory_budget_fails_its_own_source_only() {
    let server = PageServer::start_in_thread().expect("server");
    // 3 MB of empty elements: a parsed tree of ~200 bytes per element, ~70 times the body.
    server.set("/soup", Page::html("<i>".repeat(1_000_000)));
    server.set("/ok", Page::html(common::rules_page("4,800", "today")));
    let p = Project::new(&format!(
        "[[source]]\nid = \"soup\"\nurl = \"{}\"\n\n[[source]]\nid = \"ok\"\nurl = \"{}\"\n",
        server.url("/soup"),
        server.url("/ok")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok  baseline"), "{}", stdout(&out));
    let e = health(&p, "soup")["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        e.starts_with("page too large to extract within 92 MB: an HTML page of 3 MB"),
        "{e}"
    );
    assert!(health(&p, "ok")["last_error"].is_null());
}

#[test]
fn a_json_integer_beyond_64_bits_changing_in_its_last_digit_is_a_change() {
    let server = PageServer::start_in_thread().expect("server");
    let doc = |v: &str| {
        typed(
            "application/json",
            format!("{{\"name\": \"cap\", \"value\": {v}}}"),
        )
    };
    server.set("/v", doc("123456789012345678901234567890"));
    let p = Project::new(&format!(
        "[[source]]\nid = \"v\"\nurl = \"{}\"\nkind = \"json\"\n",
        server.url("/v")
    ));
    assert!(p.ok(&["check"]).contains("v  baseline"));
    server.set("/v", doc("123456789012345678901234567891"));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let diff = changes[0]["diff"].as_str().unwrap_or_default();
    assert!(
        diff.contains("-\"value\": 123456789012345678901234567890")
            && diff.contains("+\"value\": 123456789012345678901234567891"),
        "{diff}"
    );
}

/// Writes an executable `pdftotext` into `dir`.
fn fake_pdftotext(dir: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pdftotext");
    std::fs::write(&path, script).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Runs `check` with `bin` first on PATH.
fn check_with_path(p: &Project, bin: &Path) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::cargo_bin("regwatch")
        .expect("binary")
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .env("PATH", path)
        .arg("--config")
        .arg(p.config_path())
        .arg("check")
        .output()
        .expect("run regwatch")
}

/// Whether process `pid` is gone (or a zombie no one has reaped yet: it runs no more).
fn dead(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// Waits (bounded) until `pid` is dead: SIGKILL is delivered asynchronously.
fn wait_dead(pid: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if dead(pid) {
            return true;
        }
        std::thread::yield_now();
    }
    dead(pid)
}

fn pdf_project(server: &PageServer, settings: &str) -> Project {
    server.set("/doc.pdf", typed("application/pdf", &b"%PDF-1.4 fake"[..]));
    Project::new(&format!(
        "[settings]\n{settings}\n\n[[source]]\nid = \"doc\"\nurl = \"{}\"\nkind = \"pdf\"\n",
        server.url("/doc.pdf")
    ))
}

#[test]
fn a_pdftotext_that_prints_without_end_is_stopped_at_its_cap_and_recorded() {
    let server = PageServer::start_in_thread().expect("server");
    let p = pdf_project(&server, "max_body = \"1MB\"");
    let bin = p.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    let pid_file = p.path().join("tool.pid");
    fake_pdftotext(
        &bin,
        &format!(
            "#!/bin/sh\necho $$ > '{}'\nexec yes 'endless text'\n",
            pid_file.display()
        ),
    );
    let out = check_with_path(&p, &bin);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 failed"), "{}", stdout(&out));
    let e = health(&p, "doc")["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        e.contains("pdftotext printed more than 10 MB of text for this PDF and was stopped"),
        "{e}"
    );
    let pid = std::fs::read_to_string(&pid_file).expect("pid written");
    assert!(wait_dead(pid.trim()), "the tool survived: {pid}");
}

#[test]
fn a_pdftotext_wrapper_and_its_child_are_both_killed_on_time_out() {
    let server = PageServer::start_in_thread().expect("server");
    let p = pdf_project(&server, "timeout = \"2s\"");
    let bin = p.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    let pid_file = p.path().join("child.pid");
    fake_pdftotext(
        &bin,
        &format!(
            "#!/bin/sh\nsleep 600 &\necho $! > '{}'\nsleep 600\n",
            pid_file.display()
        ),
    );
    let out = check_with_path(&p, &bin);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = health(&p, "doc")["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        e.contains("pdftotext did not finish within 2s and was stopped"),
        "{e}"
    );
    let pid = std::fs::read_to_string(&pid_file).expect("pid written");
    assert!(wait_dead(pid.trim()), "the wrapper's child survived: {pid}");
}

#[test]
fn tag_refuses_a_binary_file_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.html");
    std::fs::write(&old, common::rules_page("4,800", "today")).expect("write");
    // A few MB of bytes that are not text (NULs and control bytes throughout).
    let binary: Vec<u8> = (0..4_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let new = dir.path().join("new.bin");
    std::fs::write(&new, &binary).expect("write");
    let p = Project::new("");
    // `tag` works without a configuration.
    std::fs::remove_file(p.config_path()).expect("no config");
    for (a, b) in [(&old, &new), (&new, &old)] {
        let out = p.run(&["tag", &a.to_string_lossy(), &b.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        let e = stderr(&out);
        assert!(
            e.contains("new.bin' is binary data, not a text or HTML document"),
            "{e}"
        );
    }
    let pdf = dir.path().join("rule.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n").expect("write");
    let out = p.run(&["tag", &old.to_string_lossy(), &pdf.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is a PDF document"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tag_refuses_a_file_over_its_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = dir.path().join("a.txt");
    std::fs::write(&small, "Threshold 4,800\n").expect("write");
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "x".repeat(50 * 1024 * 1024 + 1)).expect("write");
    let p = Project::new("");
    // `tag` works without a configuration.
    std::fs::remove_file(p.config_path()).expect("no config");
    let out = p.run(&["tag", &small.to_string_lossy(), &big.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("big.txt' is larger than 50 MB"),
        "{}",
        stderr(&out)
    );
}
