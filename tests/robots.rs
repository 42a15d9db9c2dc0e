//! robots.txt: honoured per source unless `respect_robots = false`, fetched once a day per site
//! (cached in the database across runs), and an unreadable robots.txt stops only its own site.

mod common;

use common::{Project, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn text(body: &str) -> Page {
    let mut p = Page::html(body);
    p.content_type = "text/plain".into();
    p
}

fn page(words: &str) -> Page {
    Page::html(format!("<main><p>{words}</p></main>"))
}

fn source(id: &str, url: &str, extra: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nurl = \"{url}\"\n{extra}\n")
}

fn paths(server: &PageServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

#[test]
fn disallowed_pages_are_failures_never_fetched_and_robots_txt_is_read_once_a_day() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/robots.txt",
        text("User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n"),
    );
    server.set(
        "/public",
        page("The tier-2 country cap is 790,000,000 TPP."),
    );
    server.set("/private/rules", page("Members only."));
    server.set("/private/granted", page("Opened to regwatch by agreement."));
    let config = format!(
        "[settings]\nper_host_delay = \"10ms\"\n\n{}{}{}",
        source("public", &server.url("/public"), ""),
        source("private", &server.url("/private/rules"), ""),
        source(
            "granted",
            &server.url("/private/granted"),
            "respect_robots = false"
        ),
    );
    let p = Project::new(&config);

    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("private: blocked by")
            && err.contains("/robots.txt (\"Disallow: /private\" applies to /private/rules"),
        "{err}"
    );
    let seen = paths(&server);
    assert_eq!(
        seen.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "one robots.txt for three sources of one site: {seen:?}"
    );
    assert!(!seen.contains(&"/private/rules".to_string()), "{seen:?}");
    assert!(seen.contains(&"/public".to_string()), "{seen:?}");
    assert!(
        seen.contains(&"/private/granted".to_string()),
        "respect_robots = false: {seen:?}"
    );

    let health = p.sources_json();
    let private = health.iter().find(|h| h["id"] == "private").unwrap();
    assert_eq!(private["failure_streak"], 1);
    assert!(
        private["last_error"]
            .as_str()
            .unwrap()
            .contains("respect_robots = false"),
        "{private}"
    );
    let public = health.iter().find(|h| h["id"] == "public").unwrap();
    assert_eq!(public["failure_streak"], 0);

    // A second run (a new process) uses the cached robots.txt: no new request for it.
    let before = paths(&server).len();
    p.ok(&["check"]);
    let again: Vec<String> = paths(&server)[before..].to_vec();
    assert!(!again.contains(&"/robots.txt".to_string()), "{again:?}");
    assert!(!again.contains(&"/private/rules".to_string()), "{again:?}");
}

#[test]
fn our_own_group_wins_over_the_star_group() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/robots.txt",
        text("User-agent: *\nDisallow: /\n\nUser-agent: regwatch\nAllow: /\n"),
    );
    server.set(
        "/rules",
        page("License Exception LPP covers 26,900,000 TPP."),
    );
    let p = Project::new(&source("rules", &server.url("/rules"), ""));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("rules  baseline"), "{}", stdout(&out));
}

#[test]
fn missing_robots_txt_allows_and_unreachable_robots_txt_blocks_only_its_site() {
    let open = PageServer::start_in_thread().unwrap();
    open.set("/rules", page("Chips of TPP 4,800 or more need a license."));
    let down = PageServer::start_in_thread().unwrap();
    down.set("/robots.txt", Page::status(503));
    down.set("/rules", page("Case-by-case review below TPP 21,000."));
    let p = Project::new(&format!(
        "{}{}",
        source("open", &open.url("/rules"), ""),
        source("down", &down.url("/rules"), "")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("open  baseline"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("down: robots.txt unreachable (HTTP 503 Service Unavailable)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        paths(&down),
        vec!["/robots.txt"],
        "the page itself was not fetched"
    );
    assert_eq!(paths(&open), vec!["/robots.txt", "/rules"]);

    // Once robots.txt answers (404 = no rules), the page is fetched; the 503 was not cached.
    down.set("/robots.txt", Page::status(404));
    let out = p.run(&["check", "down"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("down  baseline"), "{}", stdout(&out));
}

#[test]
fn a_robots_txt_that_never_answers_is_asked_once_for_all_pages_of_its_host() {
    let slow = PageServer::start_in_thread().unwrap();
    let mut silent = Page::status(200);
    silent.delay = Some(std::time::Duration::from_secs(30));
    slow.set("/robots.txt", silent);
    let mut config = String::from("[settings]\ntimeout = \"1s\"\nper_host_delay = \"10ms\"\n\n");
    for i in 0..4 {
        let path = format!("/page{i}");
        slow.set(&path, page("Chips of TPP 4,800 or more need a license."));
        config.push_str(&source(&format!("p{i}"), &slow.url(&path), ""));
    }
    let p = Project::new(&config);
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("4 failed"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        paths(&slow),
        vec!["/robots.txt"],
        "one time-out for the host, not one per page"
    );
}

#[test]
fn an_unreachable_host_is_named_as_such_not_as_a_robots_txt_problem() {
    let down = common::ports::ClosedPort::reserve();
    let port = down.port;
    let p = Project::new(&source(
        "gone",
        &format!("http://127.0.0.1:{port}/rules"),
        "",
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("127.0.0.1 is unreachable (connection refused)"),
        "{err}"
    );
    assert!(!err.contains("respect_robots"), "{err}");
}
