//! Operating real sources day to day: `accept` and `settings.accept_shrink_after` for a page
//! that really lost its text, `check --strict` for cron, completions and manual pages, and a
//! demo whose database outlives it. The real binary, a real SQLite file, pages on 127.0.0.1.

mod common;

use common::{Project, json_lines, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

const LONG: &str = "<p>Items in ECCN 3A090 are controlled when their total processing performance is 4,800 or more.</p>\
    <p>Items with a TPP of 1,600 or more and a performance density of 5.92 or more are controlled as well.</p>\
    <p>License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.</p>\
    <p>Tier 2 countries are capped at 790,000,000 TPP for 2025 through 2027.</p>\
    <p>Compliance with the new requirements is required from May 15, 2025, 120 days after publication.</p>";

fn page(body: &str) -> Page {
    Page::html(format!(
        "<html><head><title>Rules</title></head><body><main><h1>Advanced computing</h1>{body}</main></body></html>"
    ))
}

/// One source, a recipient who gets every alert as an .eml file, and `extra` settings.
fn project(server: &PageServer, extra: &str) -> Project {
    Project::new(&format!(
        r#"[settings]
timeout = "5s"
{extra}

[[source]]
id = "rules"
url = "{}"
select = ["main"]

[mail]
mail_dir = "mail"

[[recipient]]
name = "veille"
emails = ["veille@example.eu"]
alerts = "low"
digest = "0 7 * * 1"
"#,
        server.url("/rules")
    ))
}

fn health(p: &Project) -> serde_json::Value {
    p.sources_json().remove(0)
}

fn versions(p: &Project) -> Vec<serde_json::Value> {
    json_lines(&p.ok(&["versions", "rules", "--json"]))
}

fn outbox_is_empty(p: &Project) {
    assert!(json_lines(&p.ok(&["outbox", "--json"])).is_empty());
}

#[test]
fn accept_stores_the_shrunken_text_as_a_baseline_and_the_next_check_is_quiet() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", page(LONG));
    let p = project(&server, "");
    p.ok(&["check"]);
    server.set("/rules", page("<p>Items in ECCN 3A090.</p>"));
    assert!(p.check_json(&[]).is_empty());
    assert_eq!(health(&p)["failure_streak"], 1);

    let said = p.ok(&["accept", "rules"]);
    assert!(
        said.contains("stored as version 2, an accepted baseline"),
        "{said}"
    );
    let v = versions(&p);
    assert_eq!(v.len(), 2);
    assert_eq!(v[1]["accepted"], "manual");
    assert_eq!(v[1]["baseline"], true);
    assert!(v[1]["change"].is_null());
    assert_eq!(health(&p)["failure_streak"], 0);

    // Quiet from now on: no change, no alert; accepting again has nothing to do.
    let human = p.ok(&["check"]);
    assert!(human.contains("rules  unchanged"), "{human}");
    assert!(json_lines(&p.ok(&["changes", "--json"])).is_empty());
    outbox_is_empty(&p);
    assert!(
        p.ok(&["accept", "rules"])
            .contains("already is the latest version (2)")
    );
    assert_eq!(versions(&p).len(), 2);

    // A real edit afterwards is a change against the accepted text.
    server.set("/rules", page("<p>Items in ECCN 3A090 and 4A090.</p>"));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0]["diff"]
            .as_str()
            .unwrap()
            .contains("-Items in ECCN 3A090.")
    );
}

#[test]
fn accept_of_an_unreachable_page_stores_nothing() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", page(LONG));
    let p = project(&server, "");
    p.ok(&["check"]);
    server.set("/rules", Page::status(503));
    let out = p.run(&["accept", "rules"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("accept rules: HTTP 503"),
        "{}",
        stderr(&out)
    );
    assert_eq!(versions(&p).len(), 1);
}

#[test]
fn identical_shrunken_fetches_are_accepted_once_after_accept_shrink_after_and_told_in_the_digest() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", page(LONG));
    let p = project(&server, "accept_shrink_after = 2");
    p.ok(&["check"]);

    // Two different shrunken texts: the count starts again with the second.
    server.set("/rules", page("<p>Items in ECCN 3A090.</p>"));
    assert!(p.check_json(&[]).is_empty());
    server.set("/rules", page("<p>Items in ECCN 3A090 only.</p>"));
    let out = p.run(&["check"]);
    assert!(stderr(&out).contains("shrank"), "{}", stderr(&out));
    assert_eq!(health(&p)["failure_streak"], 2);
    assert_eq!(versions(&p).len(), 1);

    // The same text a second time in a row: accepted, not a change, not an alert.
    let human = p.ok(&["check"]);
    assert!(human.contains("accepted as a new baseline"), "{human}");
    assert!(human.contains("0 changed"), "{human}");
    let v = versions(&p);
    assert_eq!(v.len(), 2);
    assert_eq!(v[1]["accepted"], "auto");
    assert!(v[1]["change"].is_null());
    assert_eq!(health(&p)["failure_streak"], 0);
    outbox_is_empty(&p);
    assert!(p.ok(&["check"]).contains("rules  unchanged"));
    assert_eq!(versions(&p).len(), 2, "accepted once");

    // Reported once, in the health section of the next digest only.
    let digest = p.ok(&["digest", "--recipient", "veille", "--preview"]);
    let health_section = digest
        .split("== Source health ==")
        .nth(1)
        .expect("health section");
    assert_eq!(
        health_section.matches("new baseline accepted").count(),
        1,
        "{digest}"
    );
    assert!(health_section.contains("2 checks in a row"), "{digest}");
    p.ok(&["digest", "--recipient", "veille"]);
    let next = p.ok(&["digest", "--recipient", "veille", "--preview"]);
    assert!(!next.contains("new baseline accepted"), "{next}");
}

#[test]
fn accept_shrink_after_zero_never_accepts_and_bad_values_are_refused() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", page(LONG));
    let p = project(&server, "accept_shrink_after = 0");
    p.ok(&["check"]);
    server.set("/rules", page("<p>Items in ECCN 3A090.</p>"));
    for _ in 0..3 {
        assert!(p.check_json(&[]).is_empty());
    }
    assert_eq!(health(&p)["failure_streak"], 3);
    assert_eq!(versions(&p).len(), 1);

    p.write_config("[settings]\naccept_shrink_after = -1\n");
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("accept_shrink_after"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_strict_exits_1_when_a_source_failed_after_checking_the_others() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", page(LONG));
    server.set("/other", page("<p>Version one.</p>"));
    let p = project(&server, "");
    let mut config = std::fs::read_to_string(p.config_path()).unwrap();
    config.push_str(&format!(
        "\n[[source]]\nid = \"other\"\nurl = \"{}\"\n",
        server.url("/other")
    ));
    p.write_config(&config);
    assert_eq!(p.run(&["check", "--strict"]).status.code(), Some(0));

    server.set("/rules", Page::status(500));
    server.set("/other", page("<p>Version two.</p>"));
    let out = p.run(&["check", "--strict", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 of 2 source(s) failed (--strict)"),
        "{}",
        stderr(&out)
    );
    // The other source's change is still stored and printed.
    assert_eq!(json_lines(&stdout(&out)).len(), 1);
    // Without --strict, a failed source is not the command's failure.
    assert_eq!(p.run(&["check"]).status.code(), Some(0));
}

#[test]
fn completions_and_manual_pages_come_from_the_command_line_definitions() {
    let p = Project::new("");
    let bash = p.ok(&["completions", "bash"]);
    assert!(bash.contains("regwatch") && bash.contains("preview") && bash.contains("--strict"));
    assert!(
        p.ok(&["completions", "zsh"])
            .starts_with("#compdef regwatch")
    );
    assert!(
        p.ok(&["completions", "fish"])
            .contains("complete -c regwatch")
    );
    let out = p.run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    let man = p.ok(&["man"]);
    assert!(
        man.contains(".TH regwatch 1"),
        "{}",
        &man[..man.len().min(300)]
    );
    assert!(man.contains("verify"), "subcommands listed");
    let dir = p.path().join("man");
    p.ok(&["man", "--out-dir", dir.to_str().unwrap()]);
    for page in ["regwatch.1", "regwatch-preview.1", "regwatch-export.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(
            text.starts_with(".ie"),
            "{page}: {}",
            &text[..text.len().min(200)]
        );
    }
}

#[test]
fn the_demo_keeps_its_database_so_the_commands_it_suggests_work() {
    let p = Project::new("");
    for _ in 0..2 {
        // A second demo starts afresh: the same story, not "unchanged".
        let out = p.run(&["demo"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("2 changed"), "{text}");
        assert!(
            text.contains("regwatch --config regwatch-demo/sources.toml show 1"),
            "{text}"
        );
    }
    let config = p.path().join("regwatch-demo/sources.toml");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("regwatch")
            .unwrap()
            .current_dir(p.path())
            .env("NO_COLOR", "1")
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let shown = run(&["show", "1"]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    assert!(stdout(&shown).contains("change #1"));
    let listed = run(&["versions", "bis-advanced-computing"]);
    assert!(stdout(&listed).contains("2 version(s) of bis-advanced-computing"));
}

/// Starts `regwatch demo ARGS…` in `dir` with stdout piped.
fn spawn_demo(dir: &std::path::Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REGWATCH_WEB_TOKEN")
        .arg("demo")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start regwatch demo")
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_serve_prints_the_dashboard_url_serves_the_changes_and_stops_on_sigterm() {
    use std::io::BufRead as _;
    let p = Project::new("");
    let mut child = spawn_demo(p.path(), &["--serve", "--listen", "127.0.0.1:0"]);
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The demo's story, then the address; EOF (an early exit) ends the loop and fails below.
    let mut said = String::new();
    let mut url = None;
    for line in lines.by_ref().take(500) {
        let line = line.expect("stdout line");
        said.push_str(&line);
        said.push('\n');
        if let Some(u) = line.strip_prefix("Dashboard: ") {
            url = Some(u.trim().to_string());
            break;
        }
    }
    let url = url.unwrap_or_else(|| panic!("no \"Dashboard: URL\" line in:\n{said}"));
    assert!(said.contains("2 changed"), "{said}");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    assert!(!url.ends_with(":0/"), "the real port, not 0: {url}");

    let (status, _, home) = common::web::get(&url).await;
    assert_eq!(status, 200, "{home}");
    for want in [
        "threshold_changed",
        "tier_move",
        "BIS — advanced computing rules (demo)",
    ] {
        assert!(
            home.contains(want),
            "{want} missing from the demo's /:\n{home}"
        );
    }
    let (status, _, change) = common::web::get(&format!("{url}changes/1")).await;
    assert_eq!(status, 200, "{change}");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // The rest of stdout up to EOF (the process closed it by exiting), then its code.
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn demo_without_serve_says_how_to_open_the_dashboard_and_a_taken_port_is_named() {
    let p = Project::new("");
    let out = p.run(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("regwatch demo --serve"), "{text}");
    assert!(
        text.contains("regwatch --config regwatch-demo/sources.toml web"),
        "{text}"
    );

    // An address given with --listen that is taken is an error naming it, after the demo.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = p.run(&["demo", "--serve", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!("cannot listen on {addr}")),
        "{}",
        stderr(&out)
    );
    // --listen without --serve is a usage error.
    let out = p.run(&["demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
