//! Unit tests of the parent module.

use super::*;

#[test]
fn escaping_and_headers() {
    assert_eq!(
        esc("<script>alert('x')</script>&"),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
    );
    assert_eq!(
        header_safe("a\r\nBcc: evil@example.com"),
        "a Bcc: evil@example.com"
    );
    assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
}

use crate::model::{Evidence, Span};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn tag(id: &str, severity: Severity, summary: &str, old: &str, new: &str) -> Tag {
    Tag {
        tag: id.into(),
        severity,
        summary: summary.into(),
        detail: serde_json::Value::Null,
        evidence: Evidence {
            old: old.into(),
            new: new.into(),
        },
    }
}

fn span(kind: SpanKind, text: &str) -> Span {
    Span {
        kind,
        text: text.into(),
    }
}

fn change(id: i64, source: &str, name: &str, tags: Vec<Tag>, spans: Vec<BlockEdit>) -> Change {
    Change {
        id,
        source: source.into(),
        source_name: name.into(),
        url: format!("https://example.gov/{source}?a=1&b=\"2\""),
        detected_at: at("2026-11-21T10:07:00Z"),
        severity: Change::severity_of(&tags),
        added: 2,
        removed: 1,
        tags,
        diff: "-old <line> & 'x'\n+new <line> & \"y\"\n".into(),
        spans,
    }
}

/// An edited heading, an edited paragraph past the excerpt's context window, an added block.
fn edits() -> Vec<BlockEdit> {
    let lead = "Under the rule <§ 734.9> & its \"notes\", the Department's threshold that applies to \
                every exporter of record, ";
    vec![
        BlockEdit {
            old: format!(
                "{lead}is 4,800 or more TPP for 'advanced' chips; see Annex <A> for the full list of items concerned by this paragraph and the next one."
            ),
            new: format!(
                "{lead}is 4,000 or more TPP for 'advanced' chips; see Annex <A> for the full list of items concerned by this paragraph and the next one."
            ),
            spans: vec![
                span(SpanKind::Equal, &format!("{lead}is ")),
                span(SpanKind::Delete, "4,800"),
                span(SpanKind::Insert, "4,000"),
                span(
                    SpanKind::Equal,
                    " or more TPP for 'advanced' chips; see Annex <A> for the full list of items concerned by this paragraph and the next one.",
                ),
            ],
        },
        BlockEdit {
            old: "## Dates & <deadlines>".into(),
            new: "## Status & <deadlines>".into(),
            spans: vec![
                span(SpanKind::Equal, "## "),
                span(SpanKind::Delete, "Dates"),
                span(SpanKind::Insert, "Status"),
                span(SpanKind::Equal, " & <deadlines>"),
            ],
        },
        BlockEdit {
            old: String::new(),
            new: "The rule is <b>rescinded</b> & \"void\".".into(),
            spans: vec![span(
                SpanKind::Insert,
                "The rule is <b>rescinded</b> & \"void\".",
            )],
        },
    ]
}

fn tagged() -> Change {
    change(
        7,
        "bis-rules",
        "BIS <rules> & \"notes\"",
        vec![
            tag(
                "rule_rescinded",
                Severity::Critical,
                "Rule <rescinded> & 'void'",
                "",
                "The rule is <b>rescinded</b> & \"void\".",
            ),
            tag(
                "threshold_changed",
                Severity::High,
                "TPP threshold 4,800 → 4,000",
                &"is 4,800 or more TPP <old> ".repeat(20),
                "is 4,000 or more TPP <new>",
            ),
            tag(
                "heading_removed",
                Severity::Medium,
                "Heading \"Dates\" removed",
                "## Dates & <deadlines>",
                "",
            ),
        ],
        edits(),
    )
}

/// No tags, more edited blocks than an alert shows, a URL that must not become a link.
fn untagged() -> Change {
    let one = BlockEdit {
        old: "a < b".into(),
        new: "a > b".into(),
        spans: vec![
            span(SpanKind::Equal, "a "),
            span(SpanKind::Delete, "<"),
            span(SpanKind::Insert, ">"),
            span(SpanKind::Equal, " b"),
        ],
    };
    let mut c = change(
        9,
        "presse",
        "Presse — puces d'IA",
        Vec::new(),
        vec![one; 42],
    );
    c.url = "javascript:alert('x')".into();
    c.detected_at = at("2026-11-22T23:30:00Z");
    c
}

fn health(id: &str, streak: i64, since: Option<&str>, error: Option<&str>) -> SourceHealth {
    SourceHealth {
        id: id.into(),
        name: format!("{id} <name> & co"),
        url: format!("https://example.gov/{id}"),
        last_check: None,
        last_success: None,
        last_change: None,
        failure_streak: streak,
        failing_since: since.map(at),
        last_error: error.map(Into::into),
        next_check: None,
        snapshots: 3,
        changes: 1,
    }
}

/// Compares with `tests/fixtures/render/NAME.{subject,txt,html}`, captured from the renderer
/// before it was split into steps. `REGWATCH_BLESS=1` writes missing files.
fn assert_golden(name: &str, r: &Rendered) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render");
    for (ext, got) in [("subject", &r.subject), ("txt", &r.text), ("html", &r.html)] {
        let path = dir.join(format!("{name}.{ext}"));
        if !path.exists() && std::env::var_os("REGWATCH_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, got).unwrap();
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
        assert_eq!(got, &want, "{} differs", path.display());
    }
}

#[test]
fn rendering_matches_golden_files() {
    let tz = chrono_tz::Europe::Paris;
    assert_golden("alert_tagged", &alert(&tagged(), tz));
    assert_golden("alert_untagged", &alert(&untagged(), tz));
    let mut other = tagged();
    other.id = 8;
    other.source = "another".into();
    other.source_name = "Another source".into();
    other.tags.remove(0);
    other.severity = Change::severity_of(&other.tags);
    let mut medium = tagged();
    medium.id = 10;
    medium.tags.drain(..2);
    medium.severity = Change::severity_of(&medium.tags);
    medium.spans.clear();
    let changes = [tagged(), other, untagged(), medium, tagged()];
    let sources = [
        health("ok-source", 0, None, None),
        health(
            "broken",
            4,
            Some("2026-11-20T06:00:00Z"),
            Some("HTTP 503 <Service Unavailable> & \"retry\""),
        ),
        health("never-worked", 1, None, None),
    ];
    let full = DigestInput {
        recipient: "veille <équipe>",
        since: at("2026-11-20T23:00:00Z"),
        until: at("2026-11-27T23:00:00Z"),
        changes: &changes,
        health: &sources,
        tz,
    };
    assert_golden("digest_full", &digest(&full));
    let quiet = DigestInput {
        changes: &[],
        health: &sources[..1],
        tz: chrono_tz::UTC,
        ..full
    };
    assert_golden("digest_quiet", &digest(&quiet));
}
