//! Real document shapes through `check`: a new Federal Register API item with `effective_on`
//! is a `new_document` carrying its dates, never a date *change*; an eCFR versioner answer whose
//! items share a name is keyed by `key = [...]`, so a new version is a new document with its own
//! date.

mod common;

use common::Project;
use regwatch::dev::serve::{Page, PageServer};

fn json(body: &str) -> Page {
    Page {
        content_type: "application/json".into(),
        ..Page::html(body)
    }
}

fn fr_item(n: &str, title: &str, effective: &str) -> String {
    format!(
        r#"{{"document_number": "{n}", "title": "{title}", "html_url": "https://www.federalregister.gov/d/{n}",
            "publication_date": "2025-01-15", "effective_on": "{effective}", "comments_close_on": "2025-05-15",
            "abstract": "This rule takes effect on {effective} and revises the controls on advanced computing items."}}"#
    )
}

#[test]
fn a_new_federal_register_item_carries_its_dates_without_a_date_change() {
    let pages = PageServer::start_in_thread().unwrap();
    let old = format!(
        r#"{{"count": 1, "results": [{}]}}"#,
        fr_item(
            "2024-30000",
            "Earlier rule on semiconductor items",
            "2024-12-02"
        )
    );
    pages.set("/api", json(&old));
    let p = Project::new(&format!(
        "[[source]]\nid = \"fr\"\nurl = \"{}\"\nkind = \"json\"\nitems = \"/results\"\nlang = \"en\"\n",
        pages.url("/api")
    ));
    assert!(p.check_json(&[]).is_empty());
    let new = format!(
        r#"{{"count": 2, "results": [{}, {}]}}"#,
        fr_item(
            "2025-00636",
            "Framework for Artificial Intelligence Diffusion",
            "2025-01-13"
        ),
        fr_item(
            "2024-30000",
            "Earlier rule on semiconductor items",
            "2024-12-02"
        )
    );
    pages.set("/api", json(&new));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let tags = changes[0]["tags"].as_array().unwrap();
    let ids: Vec<&str> = tags.iter().filter_map(|t| t["tag"].as_str()).collect();
    assert_eq!(ids, ["new_document"], "{tags:?}");
    assert_eq!(tags[0]["detail"]["effective"], "2025-01-13");
    assert_eq!(tags[0]["detail"]["comments_close"], "2025-05-15");
    assert_eq!(tags[0]["detail"]["published"], "2025-01-15");
}

fn versions(list: &[(&str, &str)]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|(date, amendment)| {
            format!(
                r#"{{"date": "{date}", "amendment_date": "{amendment}", "identifier": "740.29", "name": "§ 740.29 Limited Processing Performance (LPP).", "part": "740", "type": "section"}}"#
            )
        })
        .collect();
    format!(r#"{{"content_versions": [{}]}}"#, items.join(", "))
}

#[test]
fn a_new_versioner_entry_is_keyed_and_carries_its_own_date() {
    let pages = PageServer::start_in_thread().unwrap();
    pages.set(
        "/versions",
        json(&versions(&[("2025-01-15", "2025-01-15")])),
    );
    let p = Project::new(&format!(
        "[[source]]\nid = \"ecfr\"\nurl = \"{}\"\nkind = \"json\"\nitems = \"/content_versions\"\ntitle = \"name\"\ndate = \"date\"\nkey = [\"identifier\", \"date\"]\n",
        pages.url("/versions")
    ));
    assert!(p.check_json(&[]).is_empty());
    pages.set(
        "/versions",
        json(&versions(&[
            ("2025-01-15", "2025-01-15"),
            ("2025-05-13", "2025-05-13"),
        ])),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let tags = changes[0]["tags"].as_array().unwrap();
    let docs: Vec<_> = tags.iter().filter(|t| t["tag"] == "new_document").collect();
    assert_eq!(docs.len(), 1, "{tags:?}");
    assert_eq!(docs[0]["detail"]["published"], "2025-05-13", "{tags:?}");
    assert!(
        tags.iter().all(|t| t["tag"] != "effective_date_changed"),
        "{tags:?}"
    );
}

#[test]
fn key_is_refused_outside_json_lists() {
    let p = Project::new(
        "[[source]]\nid = \"a\"\nurl = \"http://127.0.0.1:9/a\"\nkey = [\"identifier\"]\n",
    );
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains(":4:") && err.contains("`key`"), "{err}");
}
