//! Unit tests of config loading: defaults, located messages, validation of every section.

use super::*;
use crate::tag::RuleSide;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_str_at(text, Path::new("/etc/regwatch/sources.toml"))
}

fn err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn durations_and_sizes() {
    assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
    assert!(parse_duration("soon").is_err());
    assert!(parse_duration("").is_err());
    assert!(parse_duration("15 minutes").is_err());
    assert_eq!(parse_size("10MB"), Ok(10_000_000));
    assert_eq!(parse_size("1 MiB"), Ok(1_048_576));
    assert!(parse_size("lots").is_err());
}

#[test]
fn minimal_config_gets_defaults_and_relative_database() {
    let c = parse("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\n").unwrap();
    assert_eq!(
        c.settings.database,
        PathBuf::from("/etc/regwatch/regwatch.db")
    );
    assert_eq!(c.settings.timeout, DEFAULT_TIMEOUT);
    assert_eq!(c.settings.max_body, DEFAULT_MAX_BODY);
    assert_eq!(c.sources[0].interval, DEFAULT_INTERVAL);
    assert_eq!(c.sources[0].name, "a");
}

#[test]
fn unknown_key_names_line_column_and_key() {
    let e = err("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\nintervall = \"1h\"\n");
    assert!(e.starts_with("/etc/regwatch/sources.toml:4:1:"), "{e}");
    assert!(e.contains("intervall"), "{e}");
}

#[test]
fn bad_duration_names_key_and_expectation() {
    let e = err("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\ninterval = \"soon\"\n");
    assert!(e.contains(":4:"), "{e}");
    assert!(e.contains("interval"), "{e}");
    assert!(e.contains("expected a number and a unit"), "{e}");
}

#[test]
fn duplicate_ids_bad_regex_bad_selector_bad_url() {
    let e = err(
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\n[[source]]\nid = \"a\"\nurl = \"https://y.eu/\"\n",
    );
    assert!(
        e.contains(":5:6:") && e.contains("duplicate source id"),
        "{e}"
    );
    let e = err("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nignore = ['(unclosed']\n");
    assert!(
        e.contains(":4:") && e.contains("invalid regular expression"),
        "{e}"
    );
    let e = err("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = ['main >> >']\n");
    assert!(
        e.contains(":4:") && e.contains("invalid CSS selector"),
        "{e}"
    );
    let e = err("[[source]]\nid = \"a\"\nurl = \"ftp://x.eu/\"\n");
    assert!(e.contains(":3:") && e.contains("http(s) URL"), "{e}");
    let e = err("[settings]\ntimezone = \"Mars/Olympus\"\n");
    assert!(e.contains(":2:") && e.contains("IANA"), "{e}");
}

#[test]
fn rules_are_validated() {
    let e = err("[[rule]]\ntag = \"x\"\npattern = \"(\"\n");
    assert!(e.contains(":3:") && e.contains("pattern"), "{e}");
    let e = err("[[rule]]\ntag = \"x\"\nseverity = \"urgent\"\nkeywords = [\"a\"]\n");
    assert!(e.contains(":3:") && e.contains("severity"), "{e}");
    let c =
        parse("[[rule]]\ntag = \"entity_list\"\nkeywords = [\"Entity List\"]\non = \"added\"\n")
            .unwrap();
    assert_eq!(c.rules[0].keywords, vec!["entity list".to_string()]);
    assert_eq!(c.rules[0].on, RuleSide::Added);
}

#[test]
fn fingerprint_moves_with_extraction_settings() {
    let a =
        parse("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"main\"]\n").unwrap();
    let b =
        parse("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"article\"]\n").unwrap();
    let c = parse(
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"main\"]\ninterval = \"1h\"\n",
    )
    .unwrap();
    assert_ne!(
        a.sources[0].extraction_fingerprint(),
        b.sources[0].extraction_fingerprint()
    );
    assert_eq!(
        a.sources[0].extraction_fingerprint(),
        c.sources[0].extraction_fingerprint()
    );
}

const SOURCE: &str = "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\n";

#[test]
fn digest_lines_are_parsed_once_at_load() {
    let c = parse(&format!(
        "{SOURCE}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"0 7 * * 1\"\n"
    ))
    .unwrap();
    let cron = c.recipients[0].digest.as_ref().unwrap();
    assert_eq!(cron.line(), "0 7 * * 1");
    for (line, field, range) in [
        ("0 25 * * *", "hour", "0-23"),
        ("61 7 * * *", "minute", "0-59"),
        ("0 7 * * 8", "weekday", "0-7"),
        ("0 7 32 * *", "day of month", "1-31"),
        ("0 7 * 13 *", "month", "1-12"),
    ] {
        let e = err(&format!(
            "{SOURCE}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"{line}\"\n"
        ));
        assert!(
            e.starts_with("/etc/regwatch/sources.toml:7:10: `digest`:"),
            "{e}"
        );
        assert!(e.contains(&format!("\"{line}\"")), "{e}");
        assert!(e.contains(&format!("the {field} (")), "{e}");
        assert!(e.contains(&format!("is outside {range}")), "{e}");
        assert!(e.contains("expected a cron line of five fields"), "{e}");
    }
    let e = err(&format!(
        "{SOURCE}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"0 7 * *\"\n"
    ));
    assert!(
        e.contains(":7:10:") && e.contains("has 4 fields, expected 5"),
        "{e}"
    );
}

#[test]
fn recipient_tags_must_be_tags_the_engine_emits() {
    let rule = "[[rule]]\ntag = \"entity_list\"\nkeywords = [\"Entity List\"]\n";
    let c = parse(&format!(
        "{SOURCE}{rule}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ntags = [\"tier_move\", \"entity_list\", \"new_document\"]\n"
    ))
    .unwrap();
    assert_eq!(c.recipients[0].tags.len(), 3);
    let e = err(&format!(
        "{SOURCE}{rule}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ntags = [\"tier_move\", \"treshold_changed\"]\n"
    ));
    assert!(
        e.starts_with("/etc/regwatch/sources.toml:10:22: `tags`:"),
        "{e}"
    );
    assert!(e.contains("unknown tag \"treshold_changed\""), "{e}");
    assert!(e.contains("did you mean \"threshold_changed\"?"), "{e}");
    assert!(
        e.contains("quota_changed") && e.contains("entity_list"),
        "{e}"
    );
    let e = err(&format!(
        "{SOURCE}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ntags = [\"entity_list\"]\n"
    ));
    assert!(
        e.contains(":7:") && e.contains("unknown tag \"entity_list\""),
        "{e}"
    );
    assert!(!e.contains("did you mean"), "{e}");
}

#[test]
fn recipient_sources_must_be_configured_sources() {
    let e = err(&format!(
        "{SOURCE}[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\nsources = [\"b\"]\n"
    ));
    assert!(
        e.contains(":7:12:") && e.contains("no [[source]] has the id \"b\""),
        "{e}"
    );
}

#[test]
fn bad_selectors_are_explained_without_parser_internals() {
    let e = err(&format!("{SOURCE}select = [\"main >\"]\n"));
    assert!(
        e.starts_with("/etc/regwatch/sources.toml:4:11: `select`:"),
        "{e}"
    );
    assert!(
        e.contains(
            "invalid CSS selector \"main >\": a combinator (>, +, ~) must be followed by a selector"
        ),
        "{e}"
    );
    assert!(!e.contains("report this") && !e.contains("Dangling"), "{e}");
    let e = err(&format!("{SOURCE}remove = [\"nav\", \"a:hover\"]\n"));
    assert!(
        e.contains(":4:18: `remove`:") && e.contains("unsupported pseudo-class"),
        "{e}"
    );
}

#[test]
fn recipient_names_differing_only_in_case_are_refused_with_their_place() {
    let text = "[[recipient]]\nname = \"legal\"\nemails = [\"a@example.eu\"]\n\n[[recipient]]\nname = \"Legal\"\nemails = [\"b@example.eu\"]\n";
    let e = err(text);
    assert!(e.starts_with("/etc/regwatch/sources.toml:6:8:"), "{e}");
    assert!(e.contains("differs only in case"), "{e}");
    // Names that only slugify alike are distinct people and are accepted.
    let ok = parse(
        "[[recipient]]\nname = \"法务\"\nemails = [\"a@example.eu\"]\n\n[[recipient]]\nname = \"合规\"\nemails = [\"b@example.eu\"]\n\n[[recipient]]\nname = \"Zoë\"\nemails = [\"c@example.eu\"]\n\n[[recipient]]\nname = \"Zoé\"\nemails = [\"d@example.eu\"]\n",
    );
    assert_eq!(ok.map(|c| c.recipients.len()).ok(), Some(4));
}
