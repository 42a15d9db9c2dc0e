//! Rendering of alert and digest messages: plain text and HTML (inline styles only, so they survive
//! mail clients; one narrow column, so they read on a phone). Everything that came from a fetched
//! page is HTML-escaped, and nothing from a page reaches a header unsanitized.

use std::fmt::Write as _;

use crate::model::SpanKind;
use crate::model::Timestamp;
use crate::model::{Change, Severity};
use crate::store::SourceHealth;
use crate::util::shorten;

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line (one line, no control characters).
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes text safe for a header: one line, no control characters and no bidi overrides or
/// isolates ([`crate::util::is_unsafe_char`]: a subject must read as it is), bounded length.
#[must_use]
pub fn header_safe(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| {
            if crate::util::is_unsafe_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    shorten(
        one_line
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
        200,
    )
}

/// An `href` only for http(s) URLs; anything else (javascript:, data:) becomes plain text.
fn link(url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        format!(
            "<a href=\"{}\" style=\"color:#1a56db\">{}</a>",
            esc(url),
            esc(url)
        )
    } else {
        esc(url)
    }
}

fn sev_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#b00020",
        Severity::High => "#d9480f",
        Severity::Medium => "#b08800",
        Severity::Low => "#6b7280",
    }
}

fn badge(s: Severity) -> String {
    format!(
        "<span style=\"display:inline-block;padding:1px 6px;border-radius:3px;background:{};color:#fff;font-size:12px;font-weight:bold\">{}</span>",
        sev_color(s),
        s.as_str().to_uppercase()
    )
}

/// A time in the configured time zone ("2026-11-21 11:07 CET").
#[must_use]
pub fn local_time(t: Timestamp, tz: chrono_tz::Tz) -> String {
    t.local(tz)
}

const WRAP_OPEN: &str = "<div style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;color:#111;max-width:640px;margin:0 auto;padding:12px\">";

/// An immediate alert for one change.
#[must_use]
pub fn alert(c: &Change, tz: chrono_tz::Tz) -> Rendered {
    let subject = header_safe(&format!(
        "[{}] {} — {}",
        c.severity.as_str().to_uppercase(),
        c.headline(),
        c.source_name
    ));
    let when = local_time(c.detected_at, tz);
    // Plain text.
    let mut t = String::new();
    let _ = writeln!(t, "{}\n", c.headline());
    let _ = writeln!(t, "Source:   {} ({})", c.source_name, c.source);
    let _ = writeln!(t, "URL:      {}", c.url);
    let _ = writeln!(t, "Detected: {when}");
    let _ = writeln!(
        t,
        "Change:   #{} (+{} −{} blocks; `regwatch show {}`)\n",
        c.id, c.added, c.removed, c.id
    );
    if c.tags.is_empty() {
        let _ = writeln!(
            t,
            "No rule recognised this change; the text below is what moved.\n"
        );
    } else {
        let _ = writeln!(t, "What it means:");
        for tag in &c.tags {
            let _ = writeln!(
                t,
                "  [{}] {} ({})",
                tag.severity.as_str().to_uppercase(),
                tag.summary,
                tag.tag
            );
            if !tag.evidence.old.is_empty() {
                let _ = writeln!(t, "      was: {}", shorten(&tag.evidence.old, 300));
            }
            if !tag.evidence.new.is_empty() {
                let _ = writeln!(t, "      now: {}", shorten(&tag.evidence.new, 300));
            }
        }
        t.push('\n');
    }
    let _ = writeln!(t, "Diff:\n{}", c.diff);
    // HTML.
    let mut h = String::from(WRAP_OPEN);
    let _ = write!(
        h,
        "<p style=\"margin:0 0 4px\">{} <span style=\"color:#555\">{}</span></p><h1 style=\"font-size:20px;margin:0 0 12px\">{}</h1>",
        badge(c.severity),
        esc(&c.source_name),
        esc(&c.headline())
    );
    if !c.tags.is_empty() {
        h.push_str("<h2 style=\"font-size:16px;margin:16px 0 6px\">What it means</h2>");
        for tag in &c.tags {
            let _ = write!(
                h,
                "<div style=\"border-left:4px solid {};padding:4px 10px;margin:0 0 10px\"><div>{} <b>{}</b> <span style=\"color:#666;font-size:12px\">{}</span></div>",
                sev_color(tag.severity),
                badge(tag.severity),
                esc(&tag.summary),
                esc(&tag.tag)
            );
            if !tag.evidence.old.is_empty() {
                let _ = write!(
                    h,
                    "<div style=\"color:#900;font-size:14px\">was: {}</div>",
                    esc(&shorten(&tag.evidence.old, 300))
                );
            }
            if !tag.evidence.new.is_empty() {
                let _ = write!(
                    h,
                    "<div style=\"color:#060;font-size:14px\">now: {}</div>",
                    esc(&shorten(&tag.evidence.new, 300))
                );
            }
            h.push_str("</div>");
        }
    }
    h.push_str("<h2 style=\"font-size:16px;margin:16px 0 6px\">The text that changed</h2>");
    for edit in c.spans.iter().take(40) {
        h.push_str(
            "<p style=\"margin:0 0 8px;padding:6px 8px;background:#f8f8f8;border-radius:4px\">",
        );
        for (i, s) in edit.spans.iter().enumerate() {
            // Headings are stored as "## Title": show the title, not the marker.
            let text = if i == 0 {
                s.text.trim_start_matches('#').trim_start()
            } else {
                s.text.as_str()
            };
            match s.kind {
                SpanKind::Equal => h.push_str(&esc(text)),
                SpanKind::Delete => {
                    let _ = write!(
                        h,
                        "<del style=\"background:#ffe0e0;color:#900;text-decoration:line-through\">{}</del>",
                        esc(text)
                    );
                }
                SpanKind::Insert => {
                    let _ = write!(
                        h,
                        "<ins style=\"background:#dcfce7;color:#064e00;text-decoration:none;font-weight:bold\">{}</ins>",
                        esc(text)
                    );
                }
            }
        }
        h.push_str("</p>");
    }
    if c.spans.len() > 40 {
        let _ = write!(
            h,
            "<p>… and {} more blocks (regwatch show {}).</p>",
            c.spans.len() - 40,
            c.id
        );
    }
    let _ = write!(
        h,
        "<p style=\"color:#555;font-size:13px;margin-top:16px\">Source: {}<br>Detected: {}<br>Change #{} · +{} −{} blocks · <code>regwatch show {}</code></p></div>",
        link(&c.url),
        esc(&when),
        c.id,
        c.added,
        c.removed,
        c.id
    );
    Rendered {
        subject,
        text: t,
        html: h,
    }
}

/// What a digest covers.
#[derive(Debug, Clone)]
pub struct DigestInput<'a> {
    /// Recipient name.
    pub recipient: &'a str,
    /// Period start.
    pub since: Timestamp,
    /// Period end.
    pub until: Timestamp,
    /// Changes in the period.
    pub changes: &'a [Change],
    /// Sources, for the health section.
    pub health: &'a [SourceHealth],
    /// Display time zone.
    pub tz: chrono_tz::Tz,
}

/// Up to `max` characters of `text` around byte offset `pos` (a little context before it).
fn window(text: &str, pos: usize, max: usize) -> String {
    let start_char = text[..pos.min(text.len())]
        .chars()
        .count()
        .saturating_sub(50);
    let tail: String = text.chars().skip(start_char).collect();
    let cut = shorten(&tail, max);
    if start_char > 0 {
        format!("…{cut}")
    } else {
        cut
    }
}

/// Short excerpt of the first edited block, before and after, around the first difference.
fn excerpt(c: &Change) -> (String, String) {
    let Some(e) = c.spans.first() else {
        return (String::new(), String::new());
    };
    // Offset of the first difference on each side.
    let (mut old_pos, mut new_pos, mut found) = (0usize, 0usize, false);
    for s in &e.spans {
        match s.kind {
            SpanKind::Equal if !found => {
                old_pos += s.text.len();
                new_pos += s.text.len();
            }
            SpanKind::Equal => {}
            _ => found = true,
        }
    }
    let strip = |t: &str| t.trim_start_matches('#').trim_start().to_string();
    let old = if e.old.is_empty() {
        String::new()
    } else {
        window(&e.old, old_pos, 160)
    };
    let new = if e.new.is_empty() {
        String::new()
    } else {
        window(&e.new, new_pos, 160)
    };
    (strip(&old), strip(&new))
}

/// A digest: counts, then changes grouped by severity and source, then source health.
#[must_use]
pub fn digest(d: &DigestInput<'_>) -> Rendered {
    let count = |s: Severity| d.changes.iter().filter(|c| c.severity == s).count();
    let failing: Vec<&SourceHealth> = d.health.iter().filter(|h| h.failure_streak > 0).collect();
    let day = |t: Timestamp| local_time(t, d.tz).chars().take(10).collect::<String>();
    let subject = header_safe(&format!(
        "[regwatch] Digest {} → {}: {} change(s), {} high or critical",
        day(d.since),
        day(d.until),
        d.changes.len(),
        count(Severity::High) + count(Severity::Critical)
    ));
    let counts = format!(
        "{} change(s): {} critical, {} high, {} medium, {} low. {} source(s) failing.",
        d.changes.len(),
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        failing.len()
    );
    let mut t = format!(
        "regwatch digest for {}\n{} → {}\n\n{counts}\n",
        d.recipient,
        local_time(d.since, d.tz),
        local_time(d.until, d.tz)
    );
    let mut h = String::from(WRAP_OPEN);
    let _ = write!(
        h,
        "<h1 style=\"font-size:20px;margin:0 0 4px\">regwatch digest</h1><p style=\"color:#555;margin:0 0 12px\">{} → {}</p><p style=\"font-weight:bold\">{}</p>",
        esc(&local_time(d.since, d.tz)),
        esc(&local_time(d.until, d.tz)),
        esc(&counts)
    );
    for sev in Severity::ALL.iter().rev() {
        let in_sev: Vec<&Change> = d.changes.iter().filter(|c| c.severity == *sev).collect();
        if in_sev.is_empty() {
            continue;
        }
        let _ = writeln!(
            t,
            "\n== {} ({}) ==",
            sev.as_str().to_uppercase(),
            in_sev.len()
        );
        let _ = write!(
            h,
            "<h2 style=\"font-size:16px;margin:18px 0 6px;color:{}\">{} ({})</h2>",
            sev_color(*sev),
            sev.as_str().to_uppercase(),
            in_sev.len()
        );
        let mut sources: Vec<&str> = in_sev.iter().map(|c| c.source.as_str()).collect();
        sources.dedup();
        sources.sort_unstable();
        sources.dedup();
        for src in sources {
            let of_src: Vec<&&Change> = in_sev.iter().filter(|c| c.source == src).collect();
            let name = of_src.first().map_or(src, |c| c.source_name.as_str());
            let _ = writeln!(t, "\n{name}");
            let _ = write!(
                h,
                "<h3 style=\"font-size:15px;margin:10px 0 4px\">{}</h3>",
                esc(name)
            );
            for c in of_src {
                let (removed, added) = excerpt(c);
                let summaries: Vec<String> = if c.tags.is_empty() {
                    vec![c.headline()]
                } else {
                    c.tags.iter().map(|t| t.summary.clone()).collect()
                };
                let _ = writeln!(
                    t,
                    "  - #{} {} ({})",
                    c.id,
                    summaries.join("; "),
                    local_time(c.detected_at, d.tz)
                );
                if !removed.is_empty() {
                    let _ = writeln!(t, "      − {removed}");
                }
                if !added.is_empty() {
                    let _ = writeln!(t, "      + {added}");
                }
                let _ = write!(
                    h,
                    "<div style=\"margin:0 0 10px;padding:6px 8px;background:#f8f8f8;border-radius:4px\"><div><b>{}</b></div><div style=\"color:#666;font-size:12px\">#{} · {} · {}</div>",
                    esc(&summaries.join("; ")),
                    c.id,
                    esc(&local_time(c.detected_at, d.tz)),
                    link(&c.url)
                );
                if !removed.is_empty() {
                    let _ = write!(
                        h,
                        "<div style=\"color:#900;font-size:14px\">− {}</div>",
                        esc(&removed)
                    );
                }
                if !added.is_empty() {
                    let _ = write!(
                        h,
                        "<div style=\"color:#060;font-size:14px\">+ {}</div>",
                        esc(&added)
                    );
                }
                h.push_str("</div>");
            }
        }
    }
    if d.changes.is_empty() {
        t.push_str("\nNothing changed in this period.\n");
        h.push_str("<p>Nothing changed in this period.</p>");
    }
    let _ = writeln!(t, "\n== Source health ==");
    h.push_str("<h2 style=\"font-size:16px;margin:18px 0 6px\">Source health</h2>");
    if failing.is_empty() {
        let _ = writeln!(t, "All {} source(s) healthy.", d.health.len());
        let _ = write!(h, "<p>All {} source(s) healthy.</p>", d.health.len());
    } else {
        for f in &failing {
            let since = f
                .failing_since
                .map_or_else(|| "?".to_string(), |s| local_time(s, d.tz));
            let err = f.last_error.as_deref().unwrap_or("");
            let _ = writeln!(
                t,
                "  ✗ {} — failing since {since} ({} in a row): {err}",
                f.name, f.failure_streak
            );
            let _ = write!(
                h,
                "<div style=\"border-left:4px solid #b00020;padding:4px 10px;margin:0 0 8px\"><b>{}</b><br><span style=\"font-size:13px\">failing since {} ({} in a row)</span><br><span style=\"color:#900;font-size:13px\">{}</span></div>",
                esc(&f.name),
                esc(&since),
                f.failure_streak,
                esc(err)
            );
        }
    }
    h.push_str("</div>");
    Rendered {
        subject,
        text: t,
        html: h,
    }
}

#[cfg(test)]
mod tests {
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
}
