//! Rule packs as data, end to end: `regwatch packs`, the README's tag table against the catalog,
//! the `eu-dual-use` pack on a watched page (`check --json`, an alert, a digest), `tag --pack`,
//! and facts compared over whole versions (a page of a long rule removed gives no "removed" tag).

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use common::{Project, json_lines, stderr};
use regwatch::dev::serve::{Page, PageServer};
use smtp::SmtpServer;

#[test]
fn packs_lists_every_catalog_tag_and_the_readme_table_matches_it() {
    let p = Project::new("");
    let packs = json_lines(&p.ok(&["packs", "--json"]));
    let ids: Vec<&str> = packs.iter().filter_map(|p| p["pack"].as_str()).collect();
    assert_eq!(ids, ["export-controls", "eu-dual-use"]);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for pack in &packs {
        for t in pack["tags"].as_array().unwrap() {
            let (id, severity) = (t["tag"].as_str().unwrap(), t["severity"].as_str().unwrap());
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{id}`")))
                .unwrap_or_else(|| panic!("README has no tag table row for `{id}`"));
            assert!(
                row.contains(&format!("| {severity} |")),
                "README row for `{id}` does not say {severity}: {row}"
            );
        }
    }
    let human = p.ok(&["packs"]);
    assert!(
        human.contains("eu_authorisation_changed") && human.contains("high"),
        "{human}"
    );
}

fn eu_config(pages: &PageServer, smtp: u16) -> String {
    format!(
        r#"[mail]
from = "regwatch <regwatch@example.eu>"
smtp = "smtp://127.0.0.1:{smtp}"

[[recipient]]
name = "eu-desk"
emails = ["eu@example.eu"]
alerts = "high"
packs = ["eu-dual-use"]

[[recipient]]
name = "cto"
emails = ["cto@example.eu"]
alerts = "never"
digest = "0 7 * * 1"

[[source]]
id = "annex"
url = "{}"
select = ["main"]
lang = "en"
packs = ["eu-dual-use"]
"#,
        pages.url("/annex")
    )
}

fn annex(extra: &str) -> String {
    format!(
        "<main><h1>Annex I to Regulation (EU) 2021/821</h1>\
         <p>As last replaced by Commission Delegated Regulation (EU) 2023/2616.</p>\
         <p>Entry 3A001 covers electronic components; entry 4A003 covers digital computers.</p>\
         <p>Exporters may rely on Union General Export Authorisations EU001 to EU008, in particular EU007 and EU008.</p>\
         {extra}</main>"
    )
}

#[test]
fn the_eu_pack_tags_a_watched_annex_and_its_tags_reach_alerts_and_digests() {
    let pages = PageServer::start_in_thread().unwrap();
    let mail = SmtpServer::start();
    pages.set("/annex", Page::html(annex("")));
    let p = Project::new(&eu_config(&pages, mail.port));
    assert!(p.check_json(&[]).is_empty(), "baseline");

    pages.set(
        "/annex",
        Page::html(
            annex("<p>Entry 4A006 is added by Commission Delegated Regulation (EU) 2024/2547.</p>")
                .replace(
                    "EU001 to EU008, in particular EU007 and EU008",
                    "EU001 to EU006 and EU008",
                ),
        ),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let tags: Vec<(String, String)> = changes[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tag"].as_str().unwrap().to_string(),
                t["detail"].to_string(),
            )
        })
        .collect();
    let has = |id: &str, detail: &str| tags.iter().any(|(t, d)| t == id && d.contains(detail));
    assert!(
        has("eu_control_entry_changed", r#""entry":"4A006""#),
        "{tags:?}"
    );
    assert!(
        has("eu_delegated_regulation_changed", r#""new":"2024/2547""#),
        "{tags:?}"
    );
    // A range states every code between: "EU001 to EU008" names EU007, "EU001 to EU006 and
    // EU008" no longer does.
    assert!(
        has("eu_authorisation_changed", r#""authorisation":"EU007""#),
        "{tags:?}"
    );
    // Only this pack ran: no US ECCN read out of the EU entries.
    assert!(tags.iter().all(|(t, _)| t.starts_with("eu_")), "{tags:?}");
    assert_eq!(changes[0]["severity"], "high");

    // The EU desk (packs = ["eu-dual-use"], alerts = "high") got one alert naming the tags.
    let received = mail.received();
    assert_eq!(received.len(), 1, "one alert");
    assert!(received[0].data.contains("EU007"), "{}", received[0].data);

    // The digest carries the same tags.
    let digest = p.ok(&["digest", "--recipient", "cto", "--preview"]);
    assert!(digest.contains("EU control entry 4A006 added"), "{digest}");
}

#[test]
fn a_pack_name_that_does_not_exist_is_a_config_error_with_its_position() {
    let p = Project::new(
        "[[source]]\nid = \"a\"\nurl = \"http://127.0.0.1:9/a\"\npacks = [\"eu-dual-usе\"]\n",
    );
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(":4:") && err.contains("unknown pack"), "{err}");
}

/// A long rule as plain text: many paragraphs naming ECCN 5A992, License Exception ACA and the
/// H100, one "page" of which is then removed.
fn long_rule(pages: usize) -> String {
    (0..pages)
        .map(|i| {
            format!(
                "Paragraph {i}. Items classified under ECCN 5A992 may be exported under License \
                 Exception ACA when the consignee is not headquartered in a Tier 3 destination; \
                 an H100 accelerator counts toward the allocation in paragraph ({i}).\n"
            )
        })
        .collect()
}

#[test]
fn removing_one_page_of_a_long_rule_gives_no_removed_tag() {
    let p = Project::new("");
    let old = long_rule(40);
    let new: String = old
        .lines()
        .filter(|l| !l.starts_with("Paragraph 39."))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(p.path().join("old.txt"), &old).unwrap();
    std::fs::write(p.path().join("new.txt"), &new).unwrap();
    let out = p.ok(&["tag", "old.txt", "new.txt", "--lang", "en", "--json"]);
    let tags: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tags["tags"], serde_json::json!([]), "{out}");

    // Removing the only mention is a removal.
    let gone = old.replace("ECCN 5A992", "ECCN 5A002");
    std::fs::write(p.path().join("gone.txt"), gone).unwrap();
    let out = p.ok(&["tag", "old.txt", "gone.txt", "--lang", "en", "--json"]);
    assert!(
        out.contains(r#""eccn":"5A992""#) && out.contains("removed"),
        "{out}"
    );
}

#[test]
fn tag_with_a_pack_runs_only_that_pack() {
    let p = Project::new("");
    std::fs::write(
        p.path().join("old.txt"),
        "Annex I to Regulation (EU) 2021/821 lists 3A001.\nECCN 3A090 covers chips with a TPP of 4,800 or more.\n",
    )
    .unwrap();
    std::fs::write(
        p.path().join("new.txt"),
        "Annex I to Regulation (EU) 2021/821 lists 3A001 and 3A003.\nECCN 3A090 covers chips with a TPP of 4,000 or more.\n",
    )
    .unwrap();
    let eu = p.ok(&[
        "tag",
        "old.txt",
        "new.txt",
        "--pack",
        "eu-dual-use",
        "--json",
    ]);
    assert!(
        eu.contains("eu_control_entry_changed") && !eu.contains("threshold_changed"),
        "{eu}"
    );
    let all = p.ok(&["tag", "old.txt", "new.txt", "--json"]);
    assert!(
        all.contains("eu_control_entry_changed") && all.contains("threshold_changed"),
        "{all}"
    );
    let bad = p.run(&["tag", "old.txt", "new.txt", "--pack", "nope"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}
