//! The stored history and the audit trail, end to end: `versions`, `diff`, `text`, `export` and
//! `verify` run as the real binary on a real SQLite file, pages served on 127.0.0.1.

mod common;

use common::{Project, json_lines, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};
use sha2::{Digest, Sha256};

/// A page that sends an `ETag` (and answers 304 to it), so the export has validators to show.
fn tagged(threshold: &str) -> Page {
    let mut page = Page::html(rules_page(threshold, "09:00"));
    page.etag = true;
    page.headers.push((
        "Last-Modified".into(),
        "Mon, 30 Nov 2026 09:00:00 GMT".into(),
    ));
    page
}

/// A project with one source whose text went 4,800 → 4,000 → 3,000: three versions, two
/// changes.
fn three_versions() -> (PageServer, Project) {
    let server = PageServer::start_in_thread().unwrap();
    let p = Project::new(&format!(
        "[settings]\ntimeout = \"5s\"\n\n[[source]]\nid = \"rules\"\nname = \"Test rules page\"\nurl = \"{}\"\nselect = [\"main\"]\n",
        server.url("/rules")
    ));
    for threshold in ["4,800", "4,000", "3,000"] {
        server.set("/rules", tagged(threshold));
        p.ok(&["check"]);
    }
    (server, p)
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn exit_code(p: &Project, args: &[&str]) -> (Option<i32>, String) {
    let out = p.run(args);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn versions_list_every_text_with_its_hash_and_the_change_that_introduced_it() {
    let (_server, p) = three_versions();
    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    assert_eq!(versions.len(), 3, "{versions:?}");
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    let mut change_ids: Vec<i64> = changes.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    change_ids.sort_unstable();
    for (i, v) in versions.iter().enumerate() {
        assert_eq!(v["version"], i as i64 + 1);
        assert_eq!(v["source"], "rules");
        assert!(v["first_seen"].is_string() && v["last_seen"].is_string());
        // The hash is the SHA-256 of exactly the text `text` prints.
        let text = p.ok(&["text", "rules", &(i + 1).to_string()]);
        let text = text.strip_suffix('\n').unwrap();
        assert_eq!(v["sha256"], sha256(text), "{v}");
        assert_eq!(v["size"], text.len() as i64);
    }
    assert!(versions[0]["change"].is_null());
    assert_eq!(versions[0]["baseline"], true);
    assert_eq!(versions[1]["change"], change_ids[0]);
    assert_eq!(versions[2]["change"], change_ids[1]);
    assert!(p.ok(&["text", "rules", "1"]).contains("4,800 or more"));
    assert!(p.ok(&["text", "rules"]).contains("3,000 or more"));
    let human = p.ok(&["versions", "rules"]);
    assert!(
        human.contains("3 version(s) of rules")
            && human.contains(&format!("change #{}", change_ids[1])),
        "{human}"
    );
}

#[test]
fn diff_shows_the_stored_change_or_compares_any_two_versions_now() {
    let (_server, p) = three_versions();
    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));

    // Default: the last two, which a stored change links: rendered as `show` renders it.
    let last = json_lines(&p.ok(&["diff", "rules", "--json"]));
    let change_id = versions[2]["change"].as_i64().unwrap();
    assert_eq!(last[0]["change"], change_id);
    assert_eq!(
        (last[0]["from"].as_i64(), last[0]["to"].as_i64()),
        (Some(2), Some(3))
    );
    let shown = json_lines(&p.ok(&["show", &change_id.to_string(), "--json"]));
    assert_eq!(last[0]["diff"], shown[0]["diff"]);
    assert_eq!(last[0]["tags"], shown[0]["tags"]);
    let human = p.ok(&["diff", "rules"]);
    assert!(
        human.contains(&p.ok(&["show", &change_id.to_string()])),
        "{human}"
    );

    // Any two: compared now, in the same shape.
    let far = json_lines(&p.ok(&["diff", "rules", "1", "3", "--json"]));
    assert!(far[0]["change"].is_null());
    assert_eq!(far[0]["from_sha256"], versions[0]["sha256"]);
    assert_eq!(far[0]["to_sha256"], versions[2]["sha256"]);
    let diff = far[0]["diff"].as_str().unwrap();
    assert!(
        diff.contains(
            "-A chip is controlled when its total processing performance is 4,800 or more."
        ) && diff.contains(
            "+A chip is controlled when its total processing performance is 3,000 or more."
        ),
        "{diff}"
    );
    let human = p.ok(&["diff", "rules", "1", "3"]);
    assert!(
        human.contains("versions 1 → 3 of rules") && human.contains("compared now"),
        "{human}"
    );
    // FROM alone: against the latest.
    let from_one = json_lines(&p.ok(&["diff", "rules", "1", "--json"]));
    assert_eq!(from_one[0]["diff"], far[0]["diff"]);
}

#[test]
fn unknown_sources_and_versions_are_usage_errors_naming_them() {
    let (_server, p) = three_versions();
    for args in [
        &["versions", "nope"][..],
        &["diff", "nope"],
        &["text", "nope"],
        &["accept", "nope"],
    ] {
        let (code, text) = exit_code(&p, args);
        assert_eq!(code, Some(2), "{args:?}: {text}");
        assert!(
            text.contains("no source with id \"nope\""),
            "{args:?}: {text}"
        );
    }
    for args in [
        &["diff", "rules", "9"][..],
        &["diff", "rules", "1", "4"],
        &["text", "rules", "0"],
        &["text", "rules", "7"],
    ] {
        let (code, text) = exit_code(&p, args);
        assert_eq!(code, Some(2), "{args:?}: {text}");
        assert!(
            text.contains("source \"rules\" has no version") && text.contains("1 to 3"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn export_writes_every_change_with_hashes_validators_and_version_as_jsonl_and_csv() {
    let (server, p) = three_versions();
    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    let rows = json_lines(&p.ok(&["export"]));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let first = &rows[0];
    assert_eq!(first["source"], "rules");
    assert_eq!(first["source_url"], server.url("/rules"));
    assert_eq!(first["final_url"], server.url("/rules"));
    assert!(first["detected_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["old_sha256"], versions[0]["sha256"]);
    assert_eq!(first["new_sha256"], versions[1]["sha256"]);
    assert_eq!(rows[1]["old_sha256"], versions[1]["sha256"]);
    assert_eq!(rows[1]["new_sha256"], versions[2]["sha256"]);
    let etag = first["etag"].as_str().expect("etag stored");
    assert!(etag.starts_with('"'), "{etag}");
    assert_eq!(first["last_modified"], "Mon, 30 Nov 2026 09:00:00 GMT");
    assert_eq!(first["regwatch_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        first["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["tag"] == "threshold_changed"),
        "{first}"
    );
    assert!(first["detected_at"].as_str() <= rows[1]["detected_at"].as_str());

    let csv = p.ok(&[
        "export", "--format", "csv", "--source", "rules", "--since", "1h",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("id,source,source_name,source_url,final_url,detected_at,severity,old_sha256,new_sha256,etag,last_modified,regwatch_version,tags"));
    let row = lines[1];
    assert!(row.contains(first["old_sha256"].as_str().unwrap()), "{row}");
    assert!(row.contains(first["new_sha256"].as_str().unwrap()), "{row}");
    // The ETag's quotes are doubled inside a quoted field; the date's comma is quoted.
    assert!(
        row.contains(&format!("\"{}\"", etag.replace('"', "\"\""))),
        "{row}"
    );
    assert!(row.contains("\"Mon, 30 Nov 2026 09:00:00 GMT\""), "{row}");
    assert!(row.contains("threshold_changed"), "{row}");

    let (code, text) = exit_code(&p, &["export", "--source", "nope"]);
    assert_eq!(code, Some(2), "{text}");
    // --since: a change detected two days ago is left out of the last day.
    {
        let conn = rusqlite::Connection::open(p.db_path()).unwrap();
        conn.execute(
            "UPDATE changes SET detected_at = '2020-01-01T00:00:00.000Z' WHERE id = ?1",
            [first["id"].as_i64().unwrap()],
        )
        .unwrap();
    }
    let recent = json_lines(&p.ok(&["export", "--since", "1d", "--source", "rules"]));
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!(recent[0]["id"], rows[1]["id"]);
}

#[test]
fn verify_names_an_altered_text_and_the_versions_that_use_it() {
    let (_server, p) = three_versions();
    let ok = p.ok(&["verify"]);
    assert_eq!(ok.lines().count(), 1, "{ok}");
    assert!(
        ok.contains("3 stored text(s)") && ok.contains("every text matches"),
        "{ok}"
    );

    let versions = json_lines(&p.ok(&["versions", "rules", "--json"]));
    let first = versions[0]["sha256"].as_str().unwrap().to_string();
    {
        let conn = rusqlite::Connection::open(p.db_path()).unwrap();
        let altered = conn
            .execute(
                "UPDATE blobs SET data = CAST(replace(CAST(data AS TEXT), '4,800', '9,999') AS BLOB)
                 WHERE hash = ?1 AND compression = 'none'",
                [&first],
            )
            .unwrap();
        assert_eq!(
            altered, 1,
            "the first text is small enough to be stored uncompressed"
        );
    }
    let out = p.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains(&format!("text {first} does not match its SHA-256")),
        "{report}"
    );
    assert!(report.contains("used by rules v1"), "{report}");
    assert!(!report.contains("rules v2"), "{report}");
    assert!(
        stderr(&out).contains("verification failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn history_commands_never_create_a_database() {
    let p = Project::new("[[source]]\nid = \"rules\"\nurl = \"http://127.0.0.1:9/rules\"\n");
    for args in [
        &["versions", "rules"][..],
        &["diff", "rules"],
        &["text", "rules"],
        &["export"],
        &["verify"],
    ] {
        let (code, text) = exit_code(&p, args);
        assert_eq!(code, Some(1), "{args:?}: {text}");
        assert!(text.contains("no database at"), "{args:?}: {text}");
    }
    assert!(!p.db_path().exists());
}
