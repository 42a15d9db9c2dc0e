//! Configured values out of sane bounds are configuration errors (exit 2, with file, line and
//! column), and error messages never echo a huge value whole.

mod common;

use common::{Project, stderr};

fn source_with(extra: &str) -> String {
    format!("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\n{extra}\n")
}

/// (config text, expected "line:column", words the message must contain)
fn out_of_range() -> Vec<(String, &'static str, Vec<&'static str>)> {
    vec![
        (
            source_with("interval = \"18446744073709551615s\""),
            "4:12",
            vec!["interval", "out of range", "from 1s to 366d"],
        ),
        (
            source_with("interval = \"600000000000d\""),
            "4:12",
            vec!["interval", "600000000000d", "out of range"],
        ),
        (
            source_with("interval = \"99999999999999999999999h\""),
            "4:12",
            vec!["interval", "out of range"],
        ),
        (
            source_with("interval = \"500ms\""),
            "4:12",
            vec!["interval", "out of range", "from 1s"],
        ),
        (
            "[settings]\ndefault_interval = \"367d\"\n".to_string(),
            "2:20",
            vec!["default_interval", "from 1s to 366d"],
        ),
        (
            "[settings]\ntimeout = \"2h\"\n".to_string(),
            "2:11",
            vec!["timeout", "from 1s to 1h"],
        ),
        (
            "[settings]\ntimeout = \"0s\"\n".to_string(),
            "2:11",
            vec!["timeout", "from 1s to 1h"],
        ),
        (
            "[settings]\nper_host_delay = \"1w\"\n".to_string(),
            "2:18",
            vec!["per_host_delay", "from 0s to 1h"],
        ),
    ]
}

#[test]
fn durations_outside_their_bounds_are_refused_at_load_with_their_location() {
    for (text, at, words) in out_of_range() {
        let p = Project::new(&text);
        for cmd in [&["config", "check"][..], &["check"][..]] {
            let out = p.run(cmd);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} on\n{text}\n{err}");
            let prefix = format!("{}:{at}:", p.config_path().display());
            assert!(err.contains(&prefix), "expected {prefix} in: {err}");
            for w in &words {
                assert!(err.contains(w), "expected {w:?} in: {err}");
            }
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn durations_at_their_bounds_are_accepted() {
    let p = Project::new(&format!(
        "[settings]\ndefault_interval = \"366d\"\ntimeout = \"1h\"\nper_host_delay = \"0s\"\n\n{}",
        source_with("interval = \"1s\"")
    ));
    let out = p.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_huge_invalid_value_is_echoed_cut_short() {
    let huge = format!("[{}", "a".repeat(1_000_000));
    for (key, text) in [
        ("ignore", source_with(&format!("ignore = [\"{huge}\"]"))),
        (
            "pattern",
            format!("[[rule]]\ntag = \"t\"\npattern = \"{huge}\"\n"),
        ),
        ("kind", source_with(&format!("kind = \"{huge}\""))),
        ("interval", source_with(&format!("interval = \"{huge}\""))),
        ("url", format!("[[source]]\nid = \"a\"\nurl = \"{huge}\"\n")),
    ] {
        let p = Project::new(&text);
        let out = p.run(&["config", "check"]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{key}: {}",
            &err[..err.len().min(500)]
        );
        assert!(err.contains(key), "{key}: {}", &err[..err.len().min(500)]);
        assert!(err.len() < 1000, "{key}: {} bytes of message", err.len());
        assert!(
            err.contains(&format!("[{}…", "a".repeat(198))),
            "{key}: {err}"
        );
    }
}
