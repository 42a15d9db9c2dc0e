//! Tags end to end: through `check --json` with evidence, `changes --tag`, `show`, user rules with
//! their configured severity, and the offline `regwatch tag` command.

mod common;

use common::{Project, json_lines, rules_page, stderr, stdout};
use regwatch::dev::serve::{Page, PageServer};

fn config(server: &PageServer, extra: &str) -> String {
    format!(
        "[[source]]\nid = \"rules\"\nname = \"Test rules\"\nurl = \"{}\"\nselect = [\"main\"]\nlang = \"en\"\n{extra}",
        server.url("/rules")
    )
}

#[test]
fn tags_flow_through_check_changes_and_show() {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules_page("4,800", "1")));
    let p = Project::new(&config(&server, ""));
    p.ok(&["check"]);
    server.set("/rules", Page::html(rules_page("4,000", "2")));
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!(c["severity"], "high");
    let tags = c["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1, "{tags:?}");
    let t = &tags[0];
    assert_eq!(t["tag"], "threshold_changed");
    assert_eq!(t["severity"], "high");
    assert_eq!(t["summary"], "TPP threshold 4,800 → 4,000");
    assert_eq!(
        t["detail"],
        serde_json::json!({"metric": "tpp", "old": 4800, "new": 4000, "unit": "TPP"})
    );
    assert!(
        t["evidence"]["old"]
            .as_str()
            .unwrap()
            .contains("4,800 or more")
    );
    assert!(
        t["evidence"]["new"]
            .as_str()
            .unwrap()
            .contains("4,000 or more")
    );

    assert_eq!(
        json_lines(&p.ok(&["changes", "--tag", "threshold_changed", "--json"])).len(),
        1
    );
    assert!(
        p.ok(&["changes", "--tag", "tier_move"])
            .contains("no changes")
    );
    let id = c["id"].as_i64().unwrap().to_string();
    let human = p.ok(&["show", &id]);
    assert!(
        human.contains("threshold_changed")
            && human.contains("HIGH")
            && human.contains("TPP threshold 4,800 → 4,000"),
        "{human}"
    );
    let listed = p.ok(&["changes"]);
    assert!(listed.contains("TPP threshold 4,800 → 4,000"), "{listed}");
}

#[test]
fn user_rules_fire_with_their_configured_severity() {
    let server = PageServer::start_in_thread().unwrap();
    server.set(
        "/rules",
        Page::html("<main><p>Two firms were named today.</p></main>"),
    );
    let rule = "\n[[rule]]\ntag = \"entity_list_mention\"\nseverity = \"critical\"\nkeywords = [\"Entity List\"]\non = \"added\"\n\n[[rule]]\ntag = \"only_elsewhere\"\nkeywords = [\"firms\"]\nsources = [\"rules\"]\non = \"removed\"\n";
    let p = Project::new(&config(&server, rule));
    p.ok(&["check"]);
    server.set(
        "/rules",
        Page::html("<main><p>Two firms were named today.</p><p>BIS added them to the Entity List.</p></main>"),
    );
    let changes = p.check_json(&[]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["severity"], "critical");
    let tags = changes[0]["tags"].as_array().unwrap();
    assert_eq!(
        tags.len(),
        1,
        "the removed-side rule must not fire: {tags:?}"
    );
    assert_eq!(tags[0]["tag"], "entity_list_mention");
    assert_eq!(tags[0]["severity"], "critical");
    assert_eq!(
        tags[0]["evidence"]["new"],
        "BIS added them to the Entity List."
    );
}

#[test]
fn invalid_user_rule_regex_is_a_config_error_with_its_line() {
    let p = Project::new("[[rule]]\ntag = \"x\"\nseverity = \"high\"\npattern = \"(unclosed\"\n");
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sources.toml:4:"), "{}", stderr(&out));
}

#[test]
fn offline_tag_command_on_text_html_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.txt");
    let new = dir.path().join("new.txt");
    std::fs::write(
        &old,
        "La France figure au premier niveau des règles sur les puces.\n",
    )
    .unwrap();
    std::fs::write(
        &new,
        "La France est reléguée au deuxième niveau des règles sur les puces.\n",
    )
    .unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        assert_cmd::Command::cargo_bin("regwatch")
            .unwrap()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "tag".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--lang".as_ref(),
        "fr".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["tags"][0]["tag"], "tier_move");
    assert_eq!(
        v["tags"][0]["detail"],
        serde_json::json!({"country": "FR", "from": "tier 1", "to": "tier 2"})
    );

    let old_html = dir.path().join("old.html");
    let new_html = dir.path().join("new.html");
    std::fs::write(&old_html, "<html><body><main><p>Exports are reviewed under a presumption of denial.</p></main></body></html>").unwrap();
    std::fs::write(
        &new_html,
        "<html><body><main><p>Exports are now reviewed case by case.</p></main></body></html>",
    )
    .unwrap();
    let out = run(&["tag".as_ref(), old_html.as_os_str(), new_html.as_os_str()]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("license_policy_changed")
            && text.contains("presumption of denial → case-by-case"),
        "{text}"
    );

    let bin_a = dir.path().join("a.bin");
    let bin_b = dir.path().join("b.bin");
    std::fs::write(&bin_a, (0..=255u8).cycle().take(4096).collect::<Vec<_>>()).unwrap();
    std::fs::write(
        &bin_b,
        (0..=255u8).rev().cycle().take(4096).collect::<Vec<_>>(),
    )
    .unwrap();
    let out = run(&[
        "tag".as_ref(),
        bin_a.as_os_str(),
        bin_b.as_os_str(),
        "--json".as_ref(),
    ]);
    // Binary input is refused at once with a message (issue 13: it used to run for minutes).
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a.bin' is binary data, not a text or HTML document"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));

    // Larger than the limit (an endless device here): refused after reading just past it.
    #[cfg(unix)]
    {
        let out = run(&["tag".as_ref(), "/dev/zero".as_ref(), new.as_os_str()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("'/dev/zero' is larger than 50 MB"),
            "{}",
            stderr(&out)
        );
    }

    let out = run(&["tag".as_ref(), "missing.txt".as_ref(), new.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.txt"), "{}", stderr(&out));
}

/// Hard-wrapped plain text (an e-mail, a text copy of a rule) is read as paragraphs, as PDF text
/// is: the threshold sentence, broken in the middle of "total processing performance", is one
/// block on each side, so its metric and value are bound and the change is tagged.
#[test]
fn offline_tag_command_joins_hard_wrapped_lines_into_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let text = |tpp: &str| {
        format!(
            "Supplement No. 1 to Part 740 - Advanced computing items\n\n\
             (a) Scope. This paragraph applies to integrated circuits and the\n\
             computers that contain them, when they are exported to the\n\
             destinations listed in Country Group D:5 of this part.\n\n\
             (b) Threshold. An integrated circuit is controlled when its total\n\
             processing performance is {tpp} or more, whatever its\n\
             memory bandwidth or the interconnect it offers.\n"
        )
    };
    let old = dir.path().join("old.txt");
    let new = dir.path().join("new.txt");
    std::fs::write(&old, text("4,800")).unwrap();
    std::fs::write(&new, text("4,000")).unwrap();
    let out = assert_cmd::Command::cargo_bin("regwatch")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "tag".as_ref(),
            old.as_os_str(),
            new.as_os_str(),
            "--json".as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let tags = v["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags[0]["tag"], "threshold_changed");
    assert_eq!(tags[0]["detail"]["metric"], "tpp");
    assert_eq!(tags[0]["detail"]["old"], 4800.0, "{:?}", tags[0]);
    assert_eq!(tags[0]["detail"]["new"], 4000.0, "{:?}", tags[0]);
    // The evidence is the whole joined sentence, not one of its lines.
    let evidence = tags[0]["evidence"]["new"].as_str().unwrap_or_default();
    assert!(
        evidence.contains("its total processing performance is 4,000 or more"),
        "{evidence}"
    );
}
