//! Redirects are followed hop by hop by regwatch itself: a hop to another host passes that
//! host's robots.txt and per-host gap like any page of it.

mod common;

use std::time::Duration;

use common::{Project, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn page(words: &str) -> Page {
    Page::html(format!("<main><p>{words}</p></main>"))
}

fn paths(server: &PageServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

#[test]
fn a_redirect_to_another_host_obeys_that_hosts_robots_txt() {
    let a = PageServer::start_in_thread().unwrap();
    let b = PageServer::start_in_thread_at("127.0.0.2").unwrap();
    let mut robots = Page::html("User-agent: *\nDisallow: /private\n");
    robots.content_type = "text/plain".into();
    b.set("/robots.txt", robots);
    b.set("/private/rules", page("Members only: TPP 4,800."));
    a.set("/moved", Page::redirect(&b.url("/private/rules")));
    let p = Project::new(&format!(
        "[settings]\nper_host_delay = \"10ms\"\n\n[[source]]\nid = \"moved\"\nurl = \"{}\"\n",
        a.url("/moved")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let robots_url = format!("{}/robots.txt", b.url(""));
    assert!(
        err.contains(&format!("moved: blocked by {robots_url}"))
            && err.contains("applies to /private/rules"),
        "{err}"
    );
    assert!(stdout(&out).contains("1 failed"), "{}", stdout(&out));
    assert_eq!(paths(&b), vec!["/robots.txt"], "B's page was never fetched");
    assert_eq!(paths(&a), vec!["/robots.txt", "/moved"]);
}

#[test]
fn hops_to_another_host_keep_that_hosts_gap() {
    let a = PageServer::start_in_thread().unwrap();
    let b = PageServer::start_in_thread_at("127.0.0.2").unwrap();
    let mut config = String::from("[settings]\nper_host_delay = \"400ms\"\n\n");
    for id in ["x", "y", "z"] {
        b.set(&format!("/{id}"), page(&format!("Page {id}: TPP 4,800.")));
        a.set(
            &format!("/to-{id}"),
            Page::redirect(&b.url(&format!("/{id}"))),
        );
        config.push_str(&format!(
            "[[source]]\nid = \"{id}\"\nurl = \"{}\"\nrespect_robots = false\n\n",
            a.url(&format!("/to-{id}"))
        ));
    }
    // And one source on B itself, checked at the same time.
    b.set("/direct", page("Direct page: TPP 4,800."));
    config.push_str(&format!(
        "[[source]]\nid = \"direct\"\nurl = \"{}\"\nrespect_robots = false\n",
        b.url("/direct")
    ));
    let p = Project::new(&config);
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("4 baseline"), "{}", stdout(&out));
    let seen = b.requests();
    assert_eq!(seen.len(), 4, "{:?}", paths(&b));
    // One request at a time on B, 400 ms apart (start to start ≥ end to start).
    for w in seen.windows(2) {
        assert!(
            w[1].at - w[0].at >= Duration::from_millis(390),
            "{} then {} after {:?}",
            w[0].path,
            w[1].path,
            w[1].at - w[0].at
        );
    }
    // The change records the last hop's URL.
    let health = p.sources_json();
    assert!(
        health.iter().all(|h| h["failure_streak"] == 0),
        "{health:?}"
    );
}

#[test]
fn validators_go_to_the_first_hop_only_and_loops_end() {
    let server = PageServer::start_in_thread().unwrap();
    let mut target = page("Chips of TPP 4,800 or more need a license.");
    target.etag = true;
    server.set("/final", target);
    server.set("/start", Page::redirect("/final"));
    server.set("/loop", Page::redirect("/loop"));
    let p = Project::new(&format!(
        "[settings]\nper_host_delay = \"0s\"\n\n[[source]]\nid = \"s\"\nurl = \"{}\"\nrespect_robots = false\n\n[[source]]\nid = \"loop\"\nurl = \"{}\"\nrespect_robots = false\n",
        server.url("/start"),
        server.url("/loop")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("loop: redirect refused: more than 10 redirects"),
        "{}",
        stderr(&out)
    );
    assert_eq!(paths(&server).iter().filter(|p| *p == "/loop").count(), 11);
    // The second check sends the stored ETag to the source's URL, not to the redirect target.
    p.ok(&["check", "s"]);
    let last_two: Vec<_> = server.requests().into_iter().rev().take(2).collect();
    assert_eq!(last_two[1].path, "/start");
    assert!(
        last_two[1].headers.contains_key("if-none-match"),
        "{:?}",
        last_two[1]
    );
    assert_eq!(last_two[0].path, "/final");
    assert!(!last_two[0].headers.contains_key("if-none-match"));
}
