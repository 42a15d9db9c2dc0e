//! `regwatch web` end to end: the real binary on a free port, a real SQLite file seeded by
//! `regwatch check` against pages served on 127.0.0.1, pages, API and feed read over HTTP.

mod common;

use common::web::{WebServer, client, config, get, get_with, notes, rules, seeded};
use common::{Project, json_lines};
use regwatch::dev::serve::{Page, PageServer};
use serde_json::Value;

fn tags_of(c: &Value) -> Vec<String> {
    c["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_show_tags_evidence_and_a_diff_that_reads_without_colour() {
    let (_server, p) = seeded();
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    assert_eq!(changes.len(), 3, "{changes:?}");
    let threshold = changes
        .iter()
        .find(|c| c["source"] == "rules" && tags_of(c).contains(&"threshold_changed".to_string()))
        .expect("threshold change");
    let tier = changes
        .iter()
        .find(|c| tags_of(c).contains(&"tier_move".to_string()))
        .expect("tier move");
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);

    let (status, ctype, home) = get(&web.url("/")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    for want in [
        "threshold_changed",
        "tier_move",
        "Test rules page",
        "Newsletter notes",
        "badge sev-high",
        "badge sev-low",
    ] {
        assert!(home.contains(want), "{want} missing from /:\n{home}");
    }
    // Newest first: the tier move (last check) comes before the threshold change.
    let at = |s: &str| {
        home.find(&format!("<code>{s}</code>"))
            .unwrap_or_else(|| panic!("{s}"))
    };
    assert!(at("tier_move") < at("threshold_changed"), "{home}");

    let (status, _, page) = get(&web.url(&format!("/changes/{}", tier["id"]))).await;
    assert_eq!(status, 200);
    let summary = tier["tags"][0]["summary"].as_str().unwrap();
    assert!(
        page.contains(&askama_escape(summary)),
        "{summary} missing:\n{page}"
    );
    assert!(
        page.contains("<dt>was</dt>") && page.contains("<dt>now</dt>"),
        "{page}"
    );
    // Removed and added words are marked so that "Tier 1 2" never reads "Tier 12".
    assert!(
        page.contains("<del><span class=\"vh\">[-</span>1<span class=\"vh\">-]</span></del>"),
        "{page}"
    );
    assert!(
        page.contains("<ins><span class=\"vh\">{+</span>2<span class=\"vh\">+}</span></ins>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"{}\"", tier["url"].as_str().unwrap())),
        "source link"
    );
    // Previous change of the same source: the threshold change, not the notes one.
    assert!(
        page.contains(&format!("href=\"/changes/{}\"", threshold["id"])),
        "{page}"
    );
    let (_, _, first) = get(&web.url(&format!("/changes/{}", threshold["id"]))).await;
    assert!(
        first.contains(&format!("href=\"/changes/{}\"", tier["id"])),
        "next link:\n{first}"
    );
    assert!(first.contains("First change of this source"), "{first}");

    let (status, _, sources) = get(&web.url("/sources")).await;
    assert_eq!(status, 200);
    for want in [
        "Test rules page",
        "Newsletter notes",
        "<td>html</td>",
        "/sources/rules",
    ] {
        assert!(
            sources.contains(want),
            "{want} missing from /sources:\n{sources}"
        );
    }

    let (status, _, source) = get(&web.url("/sources/rules?from=1&to=3")).await;
    assert_eq!(status, 200);
    assert!(source.contains("Version 1 → version 3"), "{source}");
    assert!(
        source.contains("compared now"),
        "1→3 is no stored change:\n{source}"
    );
    assert!(source.contains("/feed.atom?source=rules"), "{source}");
    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    assert_eq!(versions.len(), 3);
    for v in &versions {
        assert!(
            source.contains(v["sha256"].as_str().unwrap()),
            "hash of version {}",
            v["version"]
        );
    }
    let (status, _, stored) = get(&web.url("/sources/rules?from=2&to=3")).await;
    assert_eq!(status, 200);
    assert!(
        stored.contains(&format!("change #{}", tier["id"])),
        "{stored}"
    );

    let (status, _, outbox) = get(&web.url("/outbox")).await;
    assert_eq!(status, 200);
    for state in ["pending", "sending", "sent", "dead"] {
        assert!(
            outbox.contains(&format!("<h2>{state} ")),
            "{state}:\n{outbox}"
        );
    }
}

/// The template engine's escaping of text, for comparing a summary with a page.
fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_answers_the_objects_of_the_cli_json() {
    let (_server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);

    let cli: Vec<Value> = json_lines(&p.ok(&["changes", "--json"]));
    let (status, ctype, body) = get(&web.url("/api/v1/changes")).await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "application/json");
    let api: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(api["changes"].as_array().unwrap(), &cli);
    assert_eq!(api["page"], 1);
    assert!(api["next"].is_null());

    let id = cli[0]["id"].as_i64().unwrap();
    let shown = json_lines(&p.ok(&["show", &id.to_string(), "--json"]));
    let (status, _, body) = get(&web.url(&format!("/api/v1/changes/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), shown[0]);

    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    let (status, _, body) = get(&web.url("/api/v1/sources/rules/versions")).await;
    assert_eq!(status, 200);
    let api: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(api["versions"].as_array().unwrap(), &versions);

    let (status, _, body) = get(&web.url("/api/v1/sources")).await;
    assert_eq!(status, 200);
    let api: Value = serde_json::from_str(&body).unwrap();
    let cli = p.sources_json();
    let ids = |v: &[Value]| v.iter().map(|s| s["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(api["sources"].as_array().unwrap()), ids(&cli));
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&api["sources"][0]),
        keys(&cli[0]),
        "same fields as `sources --json`"
    );

    for (path, status) in [
        ("/api/v1/changes/999999", 404),
        ("/api/v1/changes/abc", 404),
        ("/api/v1/sources/nope/versions", 404),
        ("/api/v1/nothing", 404),
        ("/api/v1/changes?severity=urgent", 400),
        ("/api/v1/changes?since=soon", 400),
        ("/api/v1/changes?tag=no_such_tag", 400),
        ("/api/v1/changes?page=0", 400),
    ] {
        let (got, ctype, body) = get(&web.url(path)).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(ctype, "application/json", "{path}");
        let v: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        assert!(
            v["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}: {body}"
        );
    }
    let (_, _, body) = get(&web.url("/api/v1/changes?severity=urgent")).await;
    assert!(
        body.contains("expected low, medium, high or critical"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_narrow_the_list_and_bad_values_are_a_400_page() {
    let (_server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    let api = |query: &'static str| {
        let url = web.url(&format!("/api/v1/changes?{query}"));
        async move {
            let (status, _, body) = get(&url).await;
            assert_eq!(status, 200, "{query}: {body}");
            let v: Value = serde_json::from_str(&body).unwrap();
            v["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["source"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(api("severity=high").await, ["rules", "rules"]);
    assert_eq!(api("severity=low").await.len(), 3);
    assert_eq!(api("source=notes").await, ["notes"]);
    assert_eq!(api("tag=tier_move").await, ["rules"]);
    assert_eq!(api("q=newsletter").await, ["notes"]);
    assert_eq!(api("q=NEWSLETTER").await, ["notes"]);
    assert_eq!(api("q=100%25").await.len(), 0, "% is literal");
    assert_eq!(
        api("since=1h&severity=&tag=").await.len(),
        3,
        "empty values are no filter"
    );
    assert_eq!(
        api("since=1h&source=rules&severity=critical").await.len(),
        0
    );

    // The dashboard takes the same filters and keeps them in its form.
    let (status, _, page) = get(&web.url("/?source=notes&q=newsletter")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Newsletter notes") && !page.contains("tier_move</code>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"notes\" selected>"), "{page}");

    for (query, expected) in [
        ("severity=urgent", "expected low, medium, high or critical"),
        ("since=soon", "expected a number and a unit"),
        ("tag=no_such_tag", "expected one of"),
        ("source=nope", "unknown source"),
        ("page=-1", "expected a whole number from 1"),
    ] {
        let (status, ctype, page) = get(&web.url(&format!("/?{query}"))).await;
        assert_eq!(status, 400, "{query}");
        assert!(ctype.starts_with("text/html"), "{query}: {ctype}");
        assert!(page.contains(expected), "{query}: {page}");
    }
    for path in [
        "/changes/999999",
        "/changes/abc",
        "/sources/nope",
        "/no/such/page",
    ] {
        let (status, ctype, page) = get(&web.url(path)).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            ctype.starts_with("text/html") && page.contains("Not found"),
            "{path}: {page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_changes_a_page_with_a_next_link_to_the_rest() {
    let server = PageServer::start_in_thread().unwrap();
    let extra: Vec<String> = (0..25).map(|i| format!("s{i:02}")).collect();
    let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    server.set("/rules", Page::html(rules("4,800", "1")));
    server.set("/notes", Page::html(notes("blue")));
    let set_all = |colour: &str| {
        for id in &extra {
            server.set(
                &format!("/{id}"),
                Page::html(notes(&format!("{colour} {id}"))),
            );
        }
    };
    set_all("white");
    let p = Project::new(&config(&server, &extra_refs));
    p.ok(&["check"]);
    set_all("grey");
    p.ok(&["check"]);
    set_all("black");
    server.set("/notes", Page::html(notes("green")));
    p.ok(&["check"]);
    let all = json_lines(&p.ok(&["changes", "--json"]));
    assert_eq!(all.len(), 51, "25 sources × 2 changes + 1");

    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    let (_, _, body) = get(&web.url("/api/v1/changes")).await;
    let first: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(first["changes"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().expect("a next link");
    assert_eq!(next, "/api/v1/changes?page=2");
    let (_, _, body) = get(&web.url(next)).await;
    let second: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(second["changes"].as_array().unwrap().len(), 1);
    assert!(second["next"].is_null());
    let mut ids: Vec<Value> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["changes"].as_array().unwrap())
        .map(|c| c["id"].clone())
        .collect();
    let cli: Vec<Value> = all.iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, cli, "the two pages are the CLI's list, in order");
    ids.dedup();
    assert_eq!(ids.len(), 51);

    // Filters survive paging.
    let (_, _, body) = get(&web.url("/api/v1/changes?severity=low&q=paper")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["next"], "/api/v1/changes?severity=low&q=paper&page=2");

    let (status, _, page) = get(&web.url("/")).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<li class=\"change\">").count(), 50);
    assert!(page.contains("href=\"/?page=2\""), "older link");
    let (_, _, page2) = get(&web.url("/?page=2")).await;
    assert_eq!(page2.matches("<li class=\"change\">").count(), 1);
    assert!(page2.contains("href=\"/\""), "newer link");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_atom_feed_parses_with_stable_ids_and_the_same_filters() {
    let (server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    let cli = json_lines(&p.ok(&["changes", "--json"]));
    let (status, ctype, body) = get(&web.url("/feed.atom")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/atom+xml"), "{ctype}");
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("valid Atom");
    // RFC 4287 §4.1.1: the entries have no author, so the feed names one.
    assert_eq!(
        feed.authors
            .iter()
            .map(|a| a.name.as_deref())
            .collect::<Vec<_>>(),
        [Some("regwatch")],
        "{body}"
    );
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let want: Vec<String> = cli
        .iter()
        .map(|c| format!("tag:regwatch,2026:change/{}", c["id"]))
        .collect();
    assert_eq!(ids, want);
    let (_, _, again) = get(&web.url("/feed.atom")).await;
    let again = feed_rs::parser::parse(again.as_bytes()).unwrap();
    assert_eq!(
        again
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
        ids,
        "stable ids"
    );

    let tier = &cli[0];
    let entry = &feed.entries[0];
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        tier["tags"][0]["summary"].as_str().unwrap()
    );
    let content = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(
        content.contains("was: ") && content.contains("now: "),
        "{content}"
    );
    assert!(
        content.contains("Tier 1") && content.contains("Tier 2"),
        "{content}"
    );
    assert!(
        entry
            .links
            .iter()
            .any(|l| l.href == web.url(&format!("/changes/{}", tier["id"]))),
        "{:?}",
        entry.links
    );
    let untagged = feed
        .entries
        .iter()
        .find(|e| e.id.ends_with(&format!("/{}", cli[1]["id"])))
        .unwrap();
    assert_eq!(
        untagged.title.as_ref().unwrap().content,
        "Change in Newsletter notes"
    );

    // With `settings.public_url`, the links name it, whatever Host the request came with.
    p.write_config(&config(&server, &[]).replace(
        "[settings]\n",
        "[settings]\npublic_url = \"https://rw.example.eu/\"\n",
    ));
    let public = WebServer::start(&p, "127.0.0.1:0", &[]);
    let (_, _, body) = get(&public.url("/feed.atom")).await;
    let linked = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert_eq!(
        linked.entries[0].links[0].href,
        format!("https://rw.example.eu/changes/{}", tier["id"]),
        "{body}"
    );
    drop(public);

    let (_, _, high) = get(&web.url("/feed.atom?severity=high")).await;
    let high = feed_rs::parser::parse(high.as_bytes()).unwrap();
    assert_eq!(high.entries.len(), 2);
    let (status, _, bad) = get(&web.url("/feed.atom?severity=urgent")).await;
    assert_eq!(status, 400);
    assert!(
        bad.contains("expected low, medium, high or critical"),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn off_loopback_a_token_is_required_and_never_logged() {
    let (_server, p) = seeded();
    let refused = WebServer::try_start(&p, "0.0.0.0:0", &[])
        .err()
        .expect("refused without a token");
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(refused.stderr.contains("REGWATCH_WEB_TOKEN"), "{refused:?}");
    // An empty token is no token.
    assert!(WebServer::try_start(&p, "0.0.0.0:0", &[("REGWATCH_WEB_TOKEN", Some(""))]).is_err());

    let token = "t0ken-8c1f0e5d2b9a";
    let web = WebServer::start(&p, "0.0.0.0:0", &[("REGWATCH_WEB_TOKEN", Some(token))]);
    let c = client();
    for path in [
        "/",
        "/changes/1",
        "/api/v1/changes",
        "/feed.atom",
        "/metrics",
        "/healthz",
        "/static/style.css",
    ] {
        let (status, _, _) = get_with(&c, &web.url(path), None).await;
        assert_eq!(status, 401, "{path} without the token");
        let (status, _, _) = get_with(&c, &web.url(path), Some("Bearer wrong-token")).await;
        assert_eq!(status, 401, "{path} with a wrong token");
        let (status, _, _) = get_with(&c, &web.url(path), Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, 200, "{path} with the token");
    }
    let resp = c.get(web.url("/")).send().await.unwrap();
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"),
        "browsers are asked"
    );
    let resp = c
        .get(web.url("/"))
        .basic_auth("me", Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        200,
        "HTTP Basic with the token as password"
    );
    let (status, _, _) = get_with(&c, &web.url(&format!("/feed.atom?token={token}")), None).await;
    assert_eq!(status, 200, "feed readers pass it in the query");
    let (status, _, _) = get_with(&c, &web.url(&format!("/?token={token}")), None).await;
    assert_eq!(status, 401, "only the feed takes it in the query");
    let (status, _, _) = get_with(
        &c,
        &web.url(&format!("/api/v1/changes?token={token}")),
        None,
    )
    .await;
    assert_eq!(status, 401);

    // Once set, the token is required on loopback too.
    let local = WebServer::start(&p, "127.0.0.1:0", &[("REGWATCH_WEB_TOKEN", Some(token))]);
    assert_eq!(get(&local.url("/")).await.0, 401);

    drop(web);
    drop(local);
    let logs = std::fs::read_dir(p.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".stderr"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(
        !logs.contains(token),
        "the token leaked into stderr:\n{logs}"
    );

    // The daemon refuses a public address without a token as well.
    let out = p.run_env(
        &["run", "--listen", "0.0.0.0:0"],
        &[("REGWATCH_WEB_TOKEN", None)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("REGWATCH_WEB_TOKEN"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_that_cannot_be_read_is_a_plain_503() {
    let (_server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    assert_eq!(get(&web.url("/")).await.0, 200);
    std::fs::remove_file(p.db_path()).unwrap();
    for wal in ["regwatch.db-wal", "regwatch.db-shm"] {
        let _ = std::fs::remove_file(p.path().join(wal));
    }
    std::fs::write(p.db_path(), b"this is not a database, just bytes that are long enough to be read by SQLite as a header: 0123456789").unwrap();
    for path in [
        "/",
        "/changes/1",
        "/api/v1/changes",
        "/feed.atom",
        "/sources",
    ] {
        let (status, ctype, body) = get(&web.url(path)).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert!(ctype.starts_with("text/plain"), "{path}: {ctype}");
        assert!(body.contains("database is unavailable"), "{path}: {body}");
    }
    std::fs::remove_file(p.db_path()).unwrap();
    let (status, _, _) = get(&web.url("/api/v1/sources")).await;
    assert_eq!(status, 503, "a missing database too");
    assert!(!p.db_path().exists(), "the web never creates a database");
}

#[test]
fn every_answer_carries_the_content_security_policy() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_server, p) = seeded();
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    rt.block_on(async {
        for path in ["/", "/changes/1", "/nope", "/api/v1/changes", "/static/style.css"] {
            let r = client().get(web.url(path)).send().await.unwrap();
            let csp = r.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
            assert_eq!(
                csp.as_deref(),
                Some("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"),
                "{path}"
            );
            let body = r.text().await.unwrap();
            assert!(!body.contains("<script") && !body.contains("style=\""), "{path}: no scripts, no inline styles");
        }
        // No write endpoints: every other method is refused, with the same headers.
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            for path in ["/", "/changes/1", "/api/v1/changes", "/api/v1/changes/1", "/feed.atom", "/healthz"] {
                let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let r = client().request(m, web.url(path)).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 405, "{method} {path}");
                assert!(r.headers().contains_key("content-security-policy"), "{method} {path}");
            }
        }
    });
}

#[test]
fn the_daemon_serves_the_same_pages_beside_health_and_metrics() {
    let (_server, p) = seeded();
    let mut d = common::daemon::Daemon::start(&p);
    let addr = d.addr();
    let (status, body) = common::daemon::http_get(&addr, "/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("tier_move"), "{body}");
    let (status, body) = common::daemon::http_get(&addr, "/api/v1/changes/1");
    assert_eq!(status, 200, "{body}");
    assert_eq!(common::daemon::http_get(&addr, "/healthz").0, 200);
    let (status, metrics) = common::daemon::http_get(&addr, "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("regwatch_checks_total") && metrics.contains("regwatch_outbox_messages"),
        "{metrics}"
    );
    assert_eq!(d.stop(), Some(0));
}

/// Peak resident memory (`VmHWM`) of a process, in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb * 1024
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_changes_stream_whole_as_valid_json_within_a_memory_bound() {
    const N: usize = 10_000;
    let p = Project::new("[settings]\n");
    {
        let mut store = regwatch::Store::open(&p.db_path()).unwrap();
        regwatch::dev::seed::seed_changes(&mut store, N).unwrap();
    }
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    // A page first, so that the connection, the caches and the template are warm.
    let (status, _, first) = get(&web.url("/api/v1/changes")).await;
    assert_eq!(status, 200, "{first}");
    let first: Value = serde_json::from_str(&first).unwrap();
    let before = peak_rss(web.child.id());

    let (status, ctype, body) = get(&web.url("/api/v1/changes?limit=all")).await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "application/json");
    let after = peak_rss(web.child.id());
    let all: Value = serde_json::from_str(&body).expect("complete, valid JSON");
    let changes = all["changes"].as_array().unwrap();
    assert_eq!(changes.len(), N);
    assert_eq!(all["page"], 1);
    assert!(all["next"].is_null());
    // Newest first, each change once, and the first page is its start.
    let ids: std::collections::HashSet<i64> =
        changes.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), N);
    assert!(
        changes
            .windows(2)
            .all(|w| w[0]["detected_at"].as_str() >= w[1]["detected_at"].as_str()),
        "newest first"
    );
    assert_eq!(
        &changes[..50],
        first["changes"].as_array().unwrap().as_slice()
    );
    // The whole answer is far larger than what the server held at once.
    let grew = after.saturating_sub(before);
    eprintln!(
        "{N} changes: {} bytes of JSON; server peak RSS {before} → {after} (+{grew})",
        body.len()
    );
    assert!(body.len() > 8_000_000, "{}", body.len());
    assert!(
        grew < 8 * 1024 * 1024,
        "peak RSS grew by {grew} bytes for a {}-byte answer",
        body.len()
    );

    // Filters apply to the streamed list as to pages.
    let (status, _, body) =
        get(&web.url("/api/v1/changes?limit=all&tag=tier_move&severity=high")).await;
    assert_eq!(status, 200);
    let tiers: Value = serde_json::from_str(&body).unwrap();
    let tiers = tiers["changes"].as_array().unwrap();
    assert_eq!(tiers.len(), N / 4);
    assert!(tiers.iter().all(|c| tags_of(c) == ["tier_move"]));

    for (query, expected) in [
        ("limit=5", "limit: expected \\\"all\\\""),
        ("limit=all&page=2", "page: not with limit=all"),
        ("limit=all&tag=no_such_tag", "unknown tag"),
    ] {
        let (status, ctype, body) = get(&web.url(&format!("/api/v1/changes?{query}"))).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(ctype, "application/json", "{query}");
        assert!(body.contains(expected), "{query}: {body}");
    }
}
