//! What the templates show: changes, tags and edited blocks turned into plain strings (times
//! in `settings.timezone`, evidence cut around the change), and the response helpers. The
//! templates escape every value; nothing here builds HTML.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;

use crate::model::{BlockEdit, Change, SpanKind, Tag, Timestamp};

/// Longest evidence shown, in characters (centred on what changed).
const EVIDENCE_MAX: usize = 400;

/// An HTML answer.
pub(super) fn html(body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A JSON answer body with its content type.
pub(super) fn json_body(v: &serde_json::Value) -> Response {
    let mut r = v.to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A time as people read it: in the configured zone, labelled.
pub(super) fn time(t: Timestamp, tz: Tz) -> String {
    t.local(tz)
}

/// An optional time, or a dash.
pub(super) fn time_or_dash(t: Option<Timestamp>, tz: Tz) -> String {
    t.map_or_else(|| "—".to_string(), |t| time(t, tz))
}

/// An interval as `sources.toml` writes it: the largest whole unit (`6h`, `90s`, `2d`).
pub(super) fn interval(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 || d.subsec_millis() != 0 {
        return crate::util::humanize(d);
    }
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// A tag as shown: id, severity, summary and its evidence (was / now).
pub(super) struct TagView {
    pub tag: String,
    pub severity: &'static str,
    pub summary: String,
    pub was: String,
    pub now: String,
}

impl TagView {
    pub(super) fn of(t: &Tag) -> TagView {
        let (was, now) = crate::util::evidence_pair(&t.evidence.old, &t.evidence.new, EVIDENCE_MAX);
        TagView {
            tag: t.tag.clone(),
            severity: t.severity.as_str(),
            summary: t.summary.clone(),
            was,
            now,
        }
    }
}

/// A piece of an edited block: `eq`, `del` or `ins`, and its text.
pub(super) struct Segment {
    pub kind: &'static str,
    pub text: String,
}

/// One changed block as segments (a heading's `#` markers left out, as in the alert e-mail).
pub(super) fn segments(edit: &BlockEdit) -> Vec<Segment> {
    edit.spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = if i == 0 {
                s.text.trim_start_matches('#').trim_start()
            } else {
                s.text.as_str()
            };
            Segment {
                kind: match s.kind {
                    SpanKind::Equal => "eq",
                    SpanKind::Delete => "del",
                    SpanKind::Insert => "ins",
                },
                text: text.to_string(),
            }
        })
        .collect()
}

/// A change in a list: badge, summaries, source, time.
pub(super) struct ChangeRow {
    pub id: i64,
    pub severity: &'static str,
    pub headline: String,
    pub tags: Vec<TagView>,
    pub source: String,
    pub source_name: String,
    pub when: String,
    pub added: usize,
    pub removed: usize,
}

impl ChangeRow {
    pub(super) fn of(c: &Change, tz: Tz) -> ChangeRow {
        ChangeRow {
            id: c.id,
            severity: c.severity.as_str(),
            headline: c.headline(),
            tags: c.tags.iter().map(TagView::of).collect(),
            source: c.source.clone(),
            source_name: c.source_name.clone(),
            when: time(c.detected_at, tz),
            added: c.added,
            removed: c.removed,
        }
    }
}

/// What a change or a comparison of two versions shows: tags with evidence and the blocks.
pub(super) struct DiffView {
    pub severity: &'static str,
    pub tags: Vec<TagView>,
    pub blocks: Vec<Vec<Segment>>,
    pub added: usize,
    pub removed: usize,
}

impl DiffView {
    pub(super) fn of(c: &Change) -> DiffView {
        DiffView {
            severity: c.severity.as_str(),
            tags: c.tags.iter().map(TagView::of).collect(),
            blocks: c.spans.iter().map(segments).collect(),
            added: c.added,
            removed: c.removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    #[test]
    fn intervals_read_as_in_the_configuration() {
        use std::time::Duration;
        assert_eq!(interval(Duration::from_secs(21_600)), "6h");
        assert_eq!(interval(Duration::from_secs(90)), "90s");
        assert_eq!(interval(Duration::from_secs(1_209_600)), "2w");
        assert_eq!(interval(Duration::from_secs(300)), "5m");
        assert_eq!(interval(Duration::from_millis(500)), "500ms");
        assert_eq!(interval(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn a_heading_loses_its_markers_and_kinds_are_named() {
        let edit = BlockEdit {
            old: "## Tier 1".into(),
            new: "## Tier 2".into(),
            spans: vec![
                Span {
                    kind: SpanKind::Equal,
                    text: "## Tier ".into(),
                },
                Span {
                    kind: SpanKind::Delete,
                    text: "1".into(),
                },
                Span {
                    kind: SpanKind::Insert,
                    text: "2".into(),
                },
            ],
        };
        let s = segments(&edit);
        let got: Vec<(&str, &str)> = s.iter().map(|s| (s.kind, s.text.as_str())).collect();
        assert_eq!(got, [("eq", "Tier "), ("del", "1"), ("ins", "2")]);
    }
}
