//! Sources beyond HTML (PDF, feeds, JSON) and the noise rules: every test runs the real binary
//! against documents served on 127.0.0.1 and a real SQLite file.

mod common;
#[path = "common/pdf.rs"]
mod pdf;

use common::{Project, json_lines, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn typed(content_type: &str, body: impl Into<Vec<u8>>) -> Page {
    let mut p = Page::html("");
    p.content_type = content_type.into();
    p.body = body.into();
    p
}

fn source(id: &str, url: &str, extra: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nurl = \"{url}\"\n{extra}\n")
}

fn health(p: &Project, id: &str) -> serde_json::Value {
    p.sources_json()
        .into_iter()
        .find(|h| h["id"] == id)
        .expect("source listed")
}

fn tags_of(change: &serde_json::Value, tag: &str) -> Vec<serde_json::Value> {
    change["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["tag"] == tag)
        .cloned()
        .collect()
}

fn lpp_pdf(cap: &str) -> Vec<u8> {
    pdf::pdf(
        "Federal Register / Vol. 90, No. 9 / Rules and Regulations",
        &[
            vec![
                vec!["Framework for Artificial Intelligence Diffusion, RIN 0694-AJ90."],
                vec![
                    "Under License Exception LPP, a consignee may receive up to",
                    &format!("{cap} TPP in each calendar year."),
                ],
            ],
            vec![vec![
                "Compliance with these provisions is required from May 15, 2025.",
            ]],
            vec![vec![
                "Tier 2 countries are capped at 790,000,000 TPP for 2025 to 2027.",
            ]],
        ],
    )
}

#[test]
fn a_pdf_change_is_detected_and_tagged_without_its_running_header_or_page_numbers() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rule.pdf", typed("application/pdf", lpp_pdf("26,900,000")));
    let p = Project::new(&source("rule", &server.url("/rule.pdf"), "kind = \"pdf\""));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("rule  baseline"), "{}", stdout(&out));

    server.set("/rule.pdf", typed("application/pdf", lpp_pdf("13,450,000")));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    let diff = c["diff"].as_str().unwrap();
    assert!(
        diff.contains("-Under License Exception LPP, a consignee may receive up to 26,900,000 TPP in each calendar year."),
        "{diff}"
    );
    assert!(
        !diff.contains("Page 1 of 3") && !diff.contains("Federal Register / Vol"),
        "{diff}"
    );
    let quota = tags_of(c, "quota_changed");
    assert_eq!(quota.len(), 1, "{c}");
    assert_eq!(quota[0]["detail"]["old"], 26_900_000.0);
    assert_eq!(quota[0]["detail"]["new"], 13_450_000.0);
}

#[test]
fn html_served_where_a_pdf_was_expected_is_a_failure() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rule.pdf", typed("application/pdf", lpp_pdf("26,900,000")));
    let p = Project::new(&source("rule", &server.url("/rule.pdf"), "kind = \"pdf\""));
    p.ok(&["check"]);
    server.set(
        "/rule.pdf",
        Page::html("<html><head><title>Request Access</title></head><body><p>Your address is not allowed.</p></body></html>"),
    );
    assert!(p.check_json(&[]).is_empty());
    let h = health(&p, "rule");
    assert_eq!(h["failure_streak"], 1);
    let err = h["last_error"].as_str().unwrap();
    assert!(
        err.contains("an HTML page where a PDF document was expected")
            && err.contains("Request Access"),
        "{err}"
    );
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Export control news</title><link>https://news.example/</link><description>Test feed</description>\n",
    );
    for (title, link, date) in items {
        out.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate><description>Teaser text {date}</description></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

#[test]
fn a_new_feed_entry_is_one_new_document_and_a_dropped_entry_is_low() {
    let server = PageServer::start_in_thread().unwrap();
    let old_entry = (
        "Commerce announces it will not enforce the AI diffusion rule",
        "https://news.example/2025/05/rescission",
        "Tue, 13 May 2025 18:00:00 +0000",
    );
    let mid_entry = (
        "BIS guidance on Huawei Ascend chips",
        "https://news.example/2025/05/ascend",
        "Wed, 14 May 2025 09:00:00 +0000",
    );
    let new_entry = (
        "Commerce publishes answers to questions on advanced computing exports",
        "https://news.example/2026/01/faq",
        "Wed, 14 Jan 2026 15:30:00 +0000",
    );
    server.set(
        "/feed.xml",
        typed("application/rss+xml", rss(&[old_entry, mid_entry])),
    );
    let p = Project::new(&format!(
        "[[recipient]]\nname = \"team\"\nemails = [\"team@example.org\"]\nalerts = \"medium\"\n\n{}",
        source("news", &server.url("/feed.xml"), "kind = \"feed\"")
    ));
    p.ok(&["check"]);

    // Same entries, served in the other order: nothing.
    server.set(
        "/feed.xml",
        typed("application/rss+xml", rss(&[mid_entry, old_entry])),
    );
    assert!(p.check_json(&[]).is_empty());

    // One entry arrives.
    server.set(
        "/feed.xml",
        typed(
            "application/rss+xml",
            rss(&[new_entry, mid_entry, old_entry]),
        ),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let docs = tags_of(&changes[0], "new_document");
    assert_eq!(docs.len(), 1, "{}", changes[0]);
    assert_eq!(docs[0]["detail"]["title"], new_entry.0);
    assert_eq!(docs[0]["detail"]["url"], new_entry.1);
    assert_eq!(docs[0]["detail"]["published"], "2026-01-14T15:30:00Z");
    assert_eq!(changes[0]["severity"], "medium");

    // The oldest entry falls off the feed: a low change (digest material), never an alert.
    server.set(
        "/feed.xml",
        typed("application/rss+xml", rss(&[new_entry, mid_entry])),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["severity"], "low", "{}", changes[0]);
    assert!(changes[0]["tags"].as_array().unwrap().is_empty());
    let alerts: Vec<_> = json_lines(&p.ok(&["outbox", "--json"]))
        .into_iter()
        .filter(|m| m["kind"] == "alert")
        .collect();
    assert_eq!(
        alerts.len(),
        1,
        "only the new entry was alerted: {alerts:?}"
    );
}

#[test]
fn keep_items_keeps_a_press_feed_to_its_topic() {
    let server = PageServer::start_in_thread().unwrap();
    let chips = (
        "Les contrôles à l'exportation des puces H20 durcis",
        "https://presse.example/puces-h20",
        "Mon, 02 Feb 2026 08:00:00 +0100",
    );
    let football = (
        "Le PSG s'impose à Lyon",
        "https://presse.example/psg",
        "Mon, 02 Feb 2026 22:00:00 +0100",
    );
    let gain = (
        "Le GAIN AI Act retiré du projet de loi de défense",
        "https://presse.example/gain-ai-act",
        "Tue, 03 Feb 2026 07:00:00 +0100",
    );
    server.set("/rss", typed("application/rss+xml", rss(&[chips])));
    let p = Project::new(&source(
        "presse",
        &server.url("/rss"),
        "kind = \"feed\"\nlang = \"fr\"\nkeep_items = ['(?i)export|puces?|semi-?conducteurs?|GAIN AI']",
    ));
    p.ok(&["check"]);
    server.set(
        "/rss",
        typed("application/rss+xml", rss(&[football, chips])),
    );
    assert!(
        p.check_json(&[]).is_empty(),
        "an off-topic article is no change"
    );
    server.set(
        "/rss",
        typed("application/rss+xml", rss(&[gain, football, chips])),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1);
    let docs = tags_of(&changes[0], "new_document");
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["detail"]["url"], gain.1);
}

fn fr_api(docs: &[(&str, &str, &str, &str)]) -> String {
    let results: Vec<String> = docs
        .iter()
        .map(|(number, title, date, abstract_)| {
            format!(
                r#"{{"document_number": "{number}", "title": "{title}", "type": "Rule", "abstract": "{abstract_}", "html_url": "https://fr.example/d/{number}", "publication_date": "{date}", "agencies": [{{"slug": "industry-and-security-bureau"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"count": {}, "results": [{}]}}"#,
        docs.len(),
        results.join(", ")
    )
}

#[test]
fn a_new_json_item_is_one_new_document_and_its_text_is_tagged() {
    let server = PageServer::start_in_thread().unwrap();
    let diffusion = (
        "2025-00636",
        "Framework for Artificial Intelligence Diffusion",
        "2025-01-15",
        "Sets worldwide license requirements for advanced computing items.",
    );
    let revision = (
        "2026-00412",
        "Revision of License Review Policy for Advanced Computing Commodities",
        "2026-01-15",
        "Adds ECCN 4A090 items to the case-by-case review.",
    );
    server.set(
        "/api/documents.json",
        typed("application/json", fr_api(&[diffusion])),
    );
    let p = Project::new(&source(
        "fr-bis",
        &server.url("/api/documents.json"),
        "kind = \"json\"\nitems = \"/results\"",
    ));
    p.ok(&["check"]);
    server.set(
        "/api/documents.json",
        typed("application/json", fr_api(&[revision, diffusion])),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let docs = tags_of(&changes[0], "new_document");
    assert_eq!(docs.len(), 1, "{}", changes[0]);
    assert_eq!(docs[0]["detail"]["title"], revision.1);
    assert_eq!(docs[0]["detail"]["url"], "https://fr.example/d/2026-00412");
    assert_eq!(docs[0]["detail"]["published"], "2026-01-15");
    // Other tags run over the new item's text.
    let eccn = tags_of(&changes[0], "eccn_changed");
    assert!(
        eccn.iter().any(|t| t["detail"]["eccn"] == "4A090"),
        "{}",
        changes[0]
    );
}

#[test]
fn reordered_json_keys_are_no_change() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/titles.json",
        typed(
            "application/json",
            r#"{"titles": [{"number": 15, "latest_amended_on": "2026-01-15", "up_to_date_as_of": "2026-11-19", "name": "Commerce and Foreign Trade"}], "meta": {"date": "2026-11-19"}}"#,
        ),
    );
    let p = Project::new(&source(
        "ecfr",
        &server.url("/titles.json"),
        "kind = \"json\"",
    ));
    p.ok(&["check"]);
    server.set(
        "/titles.json",
        typed(
            "application/json",
            "{\"meta\":{\"date\":\"2026-11-19\"},\"titles\":[{\"name\":\"Commerce and Foreign Trade\",\"up_to_date_as_of\":\"2026-11-19\",\"latest_amended_on\":\"2026-01-15\",\"number\":15}]}",
        ),
    );
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(json_lines(&stdout(&out)).is_empty(), "{}", stdout(&out));
    assert_eq!(health(&p, "ecfr")["failure_streak"], 0);

    // A real value change is one change.
    server.set(
        "/titles.json",
        typed(
            "application/json",
            r#"{"meta": {"date": "2026-11-20"}, "titles": [{"name": "Commerce and Foreign Trade", "up_to_date_as_of": "2026-11-20", "latest_amended_on": "2026-11-18", "number": 15}]}"#,
        ),
    );
    assert_eq!(p.check_json(&[]).len(), 1);
}

#[test]
fn a_latin1_page_without_a_declared_charset_is_decoded() {
    let server = PageServer::start_in_thread().unwrap();
    let text = "<html><body><main><p>Le règlement délégué met à jour l'annexe I : les équipements à double usage restent soumis à autorisation.</p></main></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    server.set("/fr", typed("text/html", bytes.into_owned()));
    let p = Project::new(&source("fr", &server.url("/fr"), "lang = \"fr\""));
    p.ok(&["check"]);
    let edited = text.replace("restent", "ne sont plus");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&edited);
    server.set("/fr", typed("text/html", bytes.into_owned()));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1);
    let diff = changes[0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+Le règlement délégué met à jour l'annexe I : les équipements à double usage ne sont plus soumis à autorisation."),
        "{diff}"
    );
}

fn rules(body: &str, stamp: &str) -> Page {
    Page::html(format!(
        "<html><head><title>Advanced computing rules</title></head><body><nav>Home</nav><main><h1>Advanced computing</h1>{body}<p>Last updated: {stamp}</p></main></body></html>"
    ))
}

const LONG_BODY: &str = "<p>Items in ECCN 3A090 are controlled when their total processing performance is 4,800 or more.</p>\
    <p>Items with a TPP of 1,600 or more and a performance density of 5.92 or more are controlled as well.</p>\
    <p>License Exception LPP allows up to 26,900,000 TPP per consignee per calendar year.</p>\
    <p>Tier 2 countries are capped at 790,000,000 TPP for 2025 through 2027, doubled under a government-to-government arrangement.</p>\
    <p>Compliance with the new requirements is required from May 15, 2025, 120 days after publication.</p>";

#[test]
fn noise_is_never_a_change_and_suspicious_pages_mark_the_source_failing() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules(LONG_BODY, "2026-11-01 09:00"));
    let p = Project::new(&source(
        "rules",
        &server.url("/rules"),
        "select = [\"main\"]\nignore = ['^Last updated:']",
    ));
    p.ok(&["check"]);

    // An ignored line moves: nothing.
    server.set("/rules", rules(LONG_BODY, "2026-11-02 10:30"));
    assert!(p.check_json(&[]).is_empty());
    assert_eq!(health(&p, "rules")["failure_streak"], 0);

    // A block page (short, titled as such): a failure, not a change.
    server.set(
        "/rules",
        Page::html("<html><head><title>Just a moment...</title></head><body><main><p>Checking your browser before accessing the site.</p></main></body></html>"),
    );
    assert!(p.check_json(&[]).is_empty());
    let h = health(&p, "rules");
    assert_eq!(h["failure_streak"], 1);
    assert!(
        h["last_error"]
            .as_str()
            .unwrap()
            .contains("block or login page"),
        "{h}"
    );

    // A page that lost 95 % of its text at once: a failure.
    server.set(
        "/rules",
        rules("<p>Items in ECCN 3A090.</p>", "2026-11-03 08:00"),
    );
    assert!(p.check_json(&[]).is_empty());
    let h = health(&p, "rules");
    assert_eq!(h["failure_streak"], 2);
    assert!(h["last_error"].as_str().unwrap().contains("shrank"), "{h}");

    // A redesign: the selector matches nothing any more.
    server.set(
        "/rules",
        Page::html(format!(
            "<html><body><div id=\"content\">{LONG_BODY}</div></body></html>"
        )),
    );
    assert!(p.check_json(&[]).is_empty());
    let h = health(&p, "rules");
    assert_eq!(h["failure_streak"], 3);
    assert!(
        h["last_error"]
            .as_str()
            .unwrap()
            .contains("selector matched nothing"),
        "{h}"
    );
    assert!(p.ok(&["sources"]).contains("FAILING ×3"));

    // The page is back as it was: no change, healthy again; nothing was ever stored as a change.
    server.set("/rules", rules(LONG_BODY, "2026-11-04 07:00"));
    assert!(p.check_json(&[]).is_empty());
    assert_eq!(health(&p, "rules")["failure_streak"], 0);
    assert!(json_lines(&p.ok(&["changes", "--json"])).is_empty());
}

#[test]
fn changing_select_rebaselines_silently() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", rules(LONG_BODY, "2026-11-01 09:00"));
    let p = Project::new(&source(
        "rules",
        &server.url("/rules"),
        "select = [\"main\"]",
    ));
    p.ok(&["check"]);
    // The user narrows the selection: the text differs a lot, yet nothing is reported.
    p.write_config(&source(
        "rules",
        &server.url("/rules"),
        "select = [\"main p\"]",
    ));
    let out = p.run(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(json_lines(&stdout(&out)).is_empty(), "{}", stdout(&out));
    assert!(p.ok(&["check"]).contains("rules  unchanged"));
    assert!(json_lines(&p.ok(&["changes", "--json"])).is_empty());
}

#[test]
fn kind_specific_keys_are_checked_at_load() {
    let p = Project::new(&source(
        "x",
        "https://example.org/feed",
        "kind = \"feed\"\nselect = [\"main\"]",
    ));
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("sources.toml:5:") && err.contains("apply to HTML pages only"),
        "{err}"
    );
    p.write_config(&source(
        "x",
        "https://example.org/api",
        "kind = \"json\"\nitems = \"results\"",
    ));
    let err = stderr(&p.run(&["config", "check"]));
    assert!(err.contains("is not a JSON Pointer"), "{err}");
    p.write_config(&source("x", "https://example.org/a", "kind = \"docx\""));
    let err = stderr(&p.run(&["config", "check"]));
    assert!(
        err.contains("expected \"html\", \"pdf\", \"feed\" or \"json\""),
        "{err}"
    );
}
