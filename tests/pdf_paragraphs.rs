//! PDF text cut into paragraphs, end to end: a page that `pdftotext` prints without a blank
//! line (the fixture `tests/fixtures/pdf/wrapped_page.txt`, typeset by `tests/common/pdf.rs`)
//! is stored as paragraphs, so a one-number change is a one-paragraph diff and `show` stays
//! short, with the changed sentence as evidence.

mod common;
#[path = "common/pdf.rs"]
mod pdf;

use common::{Project, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

/// The fixture page twice (two pages, so the running header and page numbers repeat), ASCII
/// only (the test writer's font has no section sign), with the LPP cap set to `cap`.
fn rule_pdf(cap: &str) -> Vec<u8> {
    let text = include_str!("fixtures/pdf/wrapped_page.txt")
        .replace('§', "Sec.")
        .replace("26,900,000", cap);
    let lines: Vec<&str> = text.lines().collect();
    pdf::pdf(
        "Federal Register / Vol. 90 / Rules and Regulations",
        &[vec![lines.clone()], vec![lines]],
    )
}

fn served(body: Vec<u8>) -> Page {
    let mut page = Page::html("");
    page.content_type = "application/pdf".into();
    page.body = body;
    page
}

#[test]
fn a_page_without_blank_lines_is_stored_as_paragraphs_and_a_change_stays_small() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rule.pdf", served(rule_pdf("26,900,000")));
    let p = Project::new(&format!(
        "[[source]]\nid = \"rule\"\nurl = \"{}\"\nkind = \"pdf\"\nrespect_robots = false\n",
        server.url("/rule.pdf")
    ));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Six paragraphs a page, two pages: the section heading, the same at the top of both pages,
    // reads as a running header and is dropped with it.
    assert!(
        stdout(&out).contains("rule  baseline stored (12 blocks"),
        "{}",
        stdout(&out)
    );

    server.set("/rule.pdf", served(rule_pdf("13,450,000")));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let diff = changes[0]["diff"].as_str().unwrap();
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .collect();
    assert_eq!(removed.len(), 2, "one paragraph on each page: {diff}");
    assert!(
        removed[0].starts_with("-(b) Limits.") && removed[0].ends_with("BIS on request."),
        "{diff}"
    );
    assert!(removed.iter().all(|l| l.len() < 400), "{diff}");

    let id = changes[0]["id"].to_string();
    let show = p.ok(&["show", &id]);
    assert!(show.len() < 4000, "{} bytes:\n{show}", show.len());
    for t in changes[0]["tags"].as_array().into_iter().flatten() {
        let (was, now) = (&t["evidence"]["old"], &t["evidence"]["new"]);
        assert!(was.as_str().unwrap_or("").len() < 400, "{t}");
        assert!(now.as_str().unwrap_or("").len() < 400, "{t}");
    }
}
