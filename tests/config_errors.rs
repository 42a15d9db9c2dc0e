//! Malformed configurations: exit code 2, and a message with file, line, column, key and expectation.

mod common;

use common::{Project, stderr};

/// (config text, expected line, words the message must contain)
const CASES: &[(&str, usize, &[&str])] = &[
    (
        "[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\nintervall = \"1h\"\n",
        4,
        &["intervall", "expected"],
    ),
    (
        "[settings]\ntimeout = \"thirty seconds\"\n",
        2,
        &["timeout", "expected a number and a unit"],
    ),
    (
        "[settings]\nmax_body = \"big\"\n",
        2,
        &["max_body", "expected"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\n\n[[source]]\nid = \"a\"\nurl = \"https://y.eu/\"\n",
        6,
        &["duplicate source id \"a\""],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"not a url\"\n",
        3,
        &["url", "http(s) URL"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nkind = \"word\"\n",
        4,
        &["kind", "expected"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nlang = \"es\"\n",
        4,
        &["lang", "expected en, fr or de"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nignore = [\"[unclosed\"]\n",
        4,
        &["ignore", "regular expression"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"div[\"]\n",
        4,
        &["select", "CSS selector"],
    ),
    ("[[source]]\nid = \"a\"\n", 1, &["url"]),
    ("[settings\n", 1, &["expected"]),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\ninterval = 15\n",
        4,
        &["interval"],
    ),
    (
        "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"main >\"]\n",
        4,
        &[
            ":4:11:",
            "select",
            "\"main >\": a combinator (>, +, ~) must be followed by a selector",
        ],
    ),
    (
        "[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"0 25 * * *\"\n",
        4,
        &[
            ":4:10:",
            "digest",
            "hour (0-23)",
            "\"25\" is outside 0-23",
            "expected",
        ],
    ),
    (
        "[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"61 7 * * *\"\n",
        4,
        &["digest", "minute (0-59)", "\"61\" is outside 0-59"],
    ),
    (
        "[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ndigest = \"0 7 * * 8\"\n",
        4,
        &["digest", "weekday", "\"8\" is outside 0-7"],
    ),
    (
        "[[recipient]]\nname = \"r\"\nemails = [\"r@x.eu\"]\ntags = [\"tarif_changed\"]\n",
        4,
        &[
            ":4:9:",
            "unknown tag \"tarif_changed\"",
            "did you mean \"tariff_changed\"?",
            "threshold_changed",
        ],
    ),
];

#[test]
fn malformed_configs_exit_2_with_file_line_and_expectation() {
    for (text, line, words) in CASES {
        let p = Project::new(text);
        for cmd in [&["config", "check"][..], &["check"][..]] {
            let out = p.run(cmd);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} on\n{text}\n{err}");
            let prefix = format!("{}:{line}:", p.config_path().display());
            assert!(err.contains(&prefix), "expected {prefix} in: {err}");
            for w in *words {
                assert!(err.contains(w), "expected {w:?} in: {err}");
            }
            assert!(!err.contains("panicked"), "{err}");
            assert!(!err.contains("report this"), "{err}");
        }
    }
}

#[test]
fn missing_config_file_is_exit_2_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("regwatch")
        .unwrap()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sources.toml"), "{}", stderr(&out));
}

#[test]
fn the_shipped_sources_toml_is_valid() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    let config = regwatch::Config::load(&shipped).unwrap();
    assert!(config.sources.len() >= 8);
    let out = assert_cmd::Command::cargo_bin("regwatch")
        .unwrap()
        .arg("--config")
        .arg(&shipped)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
