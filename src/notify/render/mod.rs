//! Rendering of alert and digest messages: plain text and HTML (inline styles only, so they survive
//! mail clients; one narrow column, so they read on a phone). Everything that came from a fetched
//! page is HTML-escaped, and nothing from a page reaches a header unsanitized.

use std::fmt::Write as _;

use crate::model::{BlockEdit, Change, Severity, SpanKind, Tag, Timestamp};
use crate::store::{OutboxRow, SourceHealth};
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

use crate::util::evidence_pair;

/// Characters of tag evidence shown, before and after: the changed sentence, centred on the
/// change when longer.
const EVIDENCE_MAX: usize = 300;

/// Edited blocks an alert shows; the rest are counted and left to `regwatch show`.
const ALERT_BLOCKS: usize = 40;

/// An immediate alert for one change.
#[must_use]
pub fn alert(c: &Change, tz: chrono_tz::Tz) -> Rendered {
    let when = local_time(c.detected_at, tz);
    Rendered {
        subject: alert_subject(c),
        text: alert_text(c, &when),
        html: alert_html(c, &when),
    }
}

/// Alert subject: severity, headline, source name.
fn alert_subject(c: &Change) -> String {
    header_safe(&format!(
        "[{}] {} — {}",
        c.severity.as_str().to_uppercase(),
        c.headline(),
        c.source_name
    ))
}

/// Plain-text alert: headline and particulars, what the tags mean, then the unified diff.
fn alert_text(c: &Change, when: &str) -> String {
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
    text_tags(&mut t, &c.tags);
    let _ = writeln!(t, "Diff:\n{}", c.diff);
    t
}

/// Plain-text "What it means": each tag with its evidence before and after, or a note that no
/// rule recognised the change.
fn text_tags(t: &mut String, tags: &[Tag]) {
    if tags.is_empty() {
        let _ = writeln!(
            t,
            "No rule recognised this change; the text below is what moved.\n"
        );
        return;
    }
    let _ = writeln!(t, "What it means:");
    for tag in tags {
        let _ = writeln!(
            t,
            "  [{}] {} ({})",
            tag.severity.as_str().to_uppercase(),
            tag.summary,
            tag.tag
        );
        let (was, now) = evidence_pair(&tag.evidence.old, &tag.evidence.new, EVIDENCE_MAX);
        if !was.is_empty() {
            let _ = writeln!(t, "      was: {was}");
        }
        if !now.is_empty() {
            let _ = writeln!(t, "      now: {now}");
        }
    }
    t.push('\n');
}

/// HTML alert: header, tags with evidence, the changed blocks with word spans, footer.
fn alert_html(c: &Change, when: &str) -> String {
    let mut h = String::from(WRAP_OPEN);
    html_alert_header(&mut h, c);
    html_tags(&mut h, &c.tags);
    html_changed_blocks(&mut h, c);
    html_alert_footer(&mut h, c, when);
    h
}

/// Severity badge, source name and the headline as the title.
fn html_alert_header(h: &mut String, c: &Change) {
    let _ = write!(
        h,
        "<p style=\"margin:0 0 4px\">{} <span style=\"color:#555\">{}</span></p><h1 style=\"font-size:20px;margin:0 0 12px\">{}</h1>",
        badge(c.severity),
        esc(&c.source_name),
        esc(&c.headline())
    );
}

/// "What it means": one bordered box per tag, with its evidence before and after (nothing when
/// the change is untagged).
fn html_tags(h: &mut String, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    h.push_str("<h2 style=\"font-size:16px;margin:16px 0 6px\">What it means</h2>");
    for tag in tags {
        let _ = write!(
            h,
            "<div style=\"border-left:4px solid {};padding:4px 10px;margin:0 0 10px\"><div>{} <b>{}</b> <span style=\"color:#666;font-size:12px\">{}</span></div>",
            sev_color(tag.severity),
            badge(tag.severity),
            esc(&tag.summary),
            esc(&tag.tag)
        );
        let (was, now) = evidence_pair(&tag.evidence.old, &tag.evidence.new, EVIDENCE_MAX);
        if !was.is_empty() {
            let _ = write!(
                h,
                "<div style=\"color:#900;font-size:14px\">was: {}</div>",
                esc(&was)
            );
        }
        if !now.is_empty() {
            let _ = write!(
                h,
                "<div style=\"color:#060;font-size:14px\">now: {}</div>",
                esc(&now)
            );
        }
        h.push_str("</div>");
    }
}

/// "The text that changed": the first [`ALERT_BLOCKS`] edited blocks, then how many were left out.
fn html_changed_blocks(h: &mut String, c: &Change) {
    h.push_str("<h2 style=\"font-size:16px;margin:16px 0 6px\">The text that changed</h2>");
    for edit in c.spans.iter().take(ALERT_BLOCKS) {
        html_block(h, edit);
    }
    if c.spans.len() > ALERT_BLOCKS {
        let _ = write!(
            h,
            "<p>… and {} more blocks (regwatch show {}).</p>",
            c.spans.len() - ALERT_BLOCKS,
            c.id
        );
    }
}

/// One edited block as a paragraph: kept words plain, deleted ones struck out, inserted ones bold.
fn html_block(h: &mut String, edit: &BlockEdit) {
    h.push_str("<p style=\"margin:0 0 8px;padding:6px 8px;background:#f8f8f8;border-radius:4px\">");
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

/// Source link, detection time and how to see the change in full; closes the wrapper.
fn html_alert_footer(h: &mut String, c: &Change, when: &str) {
    let _ = write!(
        h,
        "<p style=\"color:#555;font-size:13px;margin-top:16px\">Source: {}<br>Detected: {}<br>Change #{} · +{} −{} blocks · <code>regwatch show {}</code></p></div>",
        link(&c.url),
        esc(when),
        c.id,
        c.added,
        c.removed,
        c.id
    );
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

/// A message being built: its plain-text and HTML parts, written side by side.
struct Parts {
    text: String,
    html: String,
}

/// Changes of one severity.
fn count(changes: &[Change], s: Severity) -> usize {
    changes.iter().filter(|c| c.severity == s).count()
}

/// A digest: counts, then changes grouped by severity and source, then source health.
#[must_use]
pub fn digest(d: &DigestInput<'_>) -> Rendered {
    let failing: Vec<&SourceHealth> = d.health.iter().filter(|h| h.failure_streak > 0).collect();
    let mut p = digest_header(d, &digest_counts(d.changes, failing.len()));
    for sev in Severity::ALL.iter().rev() {
        digest_severity(&mut p, d, *sev);
    }
    if d.changes.is_empty() {
        p.text.push_str("\nNothing changed in this period.\n");
        p.html.push_str("<p>Nothing changed in this period.</p>");
    }
    digest_health(&mut p, d, &failing);
    p.html.push_str("</div>");
    Rendered {
        subject: digest_subject(d),
        text: p.text,
        html: p.html,
    }
}

/// Digest subject: the period's days, how many changes, how many of them high or critical.
fn digest_subject(d: &DigestInput<'_>) -> String {
    let day = |t: Timestamp| local_time(t, d.tz).chars().take(10).collect::<String>();
    header_safe(&format!(
        "[regwatch] Digest {} → {}: {} change(s), {} high or critical",
        day(d.since),
        day(d.until),
        d.changes.len(),
        count(d.changes, Severity::High) + count(d.changes, Severity::Critical)
    ))
}

/// The counts line: changes per severity and sources failing.
fn digest_counts(changes: &[Change], failing: usize) -> String {
    format!(
        "{} change(s): {} critical, {} high, {} medium, {} low. {} source(s) failing.",
        changes.len(),
        count(changes, Severity::Critical),
        count(changes, Severity::High),
        count(changes, Severity::Medium),
        count(changes, Severity::Low),
        failing
    )
}

/// Opens both parts: recipient (text only), period and the counts line.
fn digest_header(d: &DigestInput<'_>, counts: &str) -> Parts {
    let text = format!(
        "regwatch digest for {}\n{} → {}\n\n{counts}\n",
        d.recipient,
        local_time(d.since, d.tz),
        local_time(d.until, d.tz)
    );
    let mut html = String::from(WRAP_OPEN);
    let _ = write!(
        html,
        "<h1 style=\"font-size:20px;margin:0 0 4px\">regwatch digest</h1><p style=\"color:#555;margin:0 0 12px\">{} → {}</p><p style=\"font-weight:bold\">{}</p>",
        esc(&local_time(d.since, d.tz)),
        esc(&local_time(d.until, d.tz)),
        esc(counts)
    );
    Parts { text, html }
}

/// The changes of one severity (nothing when there are none): a heading, then one group per
/// source, sources in id order.
fn digest_severity(p: &mut Parts, d: &DigestInput<'_>, sev: Severity) {
    let in_sev: Vec<&Change> = d.changes.iter().filter(|c| c.severity == sev).collect();
    if in_sev.is_empty() {
        return;
    }
    let _ = writeln!(
        p.text,
        "\n== {} ({}) ==",
        sev.as_str().to_uppercase(),
        in_sev.len()
    );
    let _ = write!(
        p.html,
        "<h2 style=\"font-size:16px;margin:18px 0 6px;color:{}\">{} ({})</h2>",
        sev_color(sev),
        sev.as_str().to_uppercase(),
        in_sev.len()
    );
    let mut sources: Vec<&str> = in_sev.iter().map(|c| c.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    for src in sources {
        let of_src: Vec<&Change> = in_sev.iter().copied().filter(|c| c.source == src).collect();
        let name = of_src.first().map_or(src, |c| c.source_name.as_str());
        let _ = writeln!(p.text, "\n{name}");
        let _ = write!(
            p.html,
            "<h3 style=\"font-size:15px;margin:10px 0 4px\">{}</h3>",
            esc(name)
        );
        for c in of_src {
            digest_entry(p, c, d.tz);
        }
    }
}

/// One change in the digest: its tag summaries (or headline), id, time and link, and an excerpt
/// of the first edited block before and after.
fn digest_entry(p: &mut Parts, c: &Change, tz: chrono_tz::Tz) {
    let (removed, added) = excerpt(c);
    let summaries: Vec<String> = if c.tags.is_empty() {
        vec![c.headline()]
    } else {
        c.tags.iter().map(|t| t.summary.clone()).collect()
    };
    let summary = summaries.join("; ");
    let when = local_time(c.detected_at, tz);
    let _ = writeln!(p.text, "  - #{} {summary} ({when})", c.id);
    if !removed.is_empty() {
        let _ = writeln!(p.text, "      − {removed}");
    }
    if !added.is_empty() {
        let _ = writeln!(p.text, "      + {added}");
    }
    let _ = write!(
        p.html,
        "<div style=\"margin:0 0 10px;padding:6px 8px;background:#f8f8f8;border-radius:4px\"><div><b>{}</b></div><div style=\"color:#666;font-size:12px\">#{} · {} · {}</div>",
        esc(&summary),
        c.id,
        esc(&when),
        link(&c.url)
    );
    if !removed.is_empty() {
        let _ = write!(
            p.html,
            "<div style=\"color:#900;font-size:14px\">− {}</div>",
            esc(&removed)
        );
    }
    if !added.is_empty() {
        let _ = write!(
            p.html,
            "<div style=\"color:#060;font-size:14px\">+ {}</div>",
            esc(&added)
        );
    }
    p.html.push_str("</div>");
}

/// "Source health": every failing source with when it began failing, how often and its last
/// error, or a line saying all sources are healthy.
fn digest_health(p: &mut Parts, d: &DigestInput<'_>, failing: &[&SourceHealth]) {
    let _ = writeln!(p.text, "\n== Source health ==");
    p.html
        .push_str("<h2 style=\"font-size:16px;margin:18px 0 6px\">Source health</h2>");
    if failing.is_empty() {
        let _ = writeln!(p.text, "All {} source(s) healthy.", d.health.len());
        let _ = write!(p.html, "<p>All {} source(s) healthy.</p>", d.health.len());
        return;
    }
    for f in failing {
        let since = f
            .failing_since
            .map_or_else(|| "?".to_string(), |s| local_time(s, d.tz));
        let err = f.last_error.as_deref().unwrap_or("");
        let _ = writeln!(
            p.text,
            "  ✗ {} — failing since {since} ({} in a row): {err}",
            f.name, f.failure_streak
        );
        let _ = write!(
            p.html,
            "<div style=\"border-left:4px solid #b00020;padding:4px 10px;margin:0 0 8px\"><b>{}</b><br><span style=\"font-size:13px\">failing since {} ({} in a row)</span><br><span style=\"color:#900;font-size:13px\">{}</span></div>",
            esc(&f.name),
            esc(&since),
            f.failure_streak,
            esc(err)
        );
    }
}

/// Most undelivered messages a digest lists one by one.
const MAX_LISTED_PROBLEMS: usize = 20;

/// Adds a "Mail delivery" section to a rendered digest, after source health: messages given up
/// (`dead`) and messages the relay has been refusing for a while, so that an alert that reached
/// nobody is seen by someone. Without such messages the digest is returned unchanged.
#[must_use]
pub fn with_delivery_problems(
    mut r: Rendered,
    problems: &[OutboxRow],
    tz: chrono_tz::Tz,
) -> Rendered {
    if problems.is_empty() {
        return r;
    }
    let dead = problems
        .iter()
        .filter(|m| m.state == crate::model::OutboxState::Dead)
        .count();
    let intro = format!(
        "{dead} message(s) given up, {} still being retried. `regwatch outbox` lists them; `regwatch outbox retry --dead` requeues the dead ones.",
        problems.len() - dead
    );
    let mut t = format!("\n== Mail delivery ==\n{intro}\n");
    let mut h = format!(
        "<h2 style=\"font-size:16px;margin:18px 0 6px\">Mail delivery</h2><p>{}</p>",
        esc(&intro)
    );
    for m in problems.iter().take(MAX_LISTED_PROBLEMS) {
        let since = m
            .first_failed_at
            .map_or_else(|| "?".to_string(), |s| local_time(s, tz));
        let err = shorten(m.last_error.as_deref().unwrap_or(""), 300);
        let line = format!(
            "#{} {} to {} ({}), failing since {since}, {} attempt(s)",
            m.id,
            m.kind,
            header_safe(&m.recipient),
            m.state,
            m.attempts
        );
        let _ = writeln!(t, "  ✗ {line}: {}", header_safe(&m.subject));
        let _ = writeln!(t, "      {err}");
        let _ = write!(
            h,
            "<div style=\"border-left:4px solid #b00020;padding:4px 10px;margin:0 0 8px\"><b>{}</b><br><span style=\"font-size:13px\">{}</span><br><span style=\"color:#900;font-size:13px\">{}</span></div>",
            esc(&m.subject),
            esc(&line),
            esc(&err)
        );
    }
    if problems.len() > MAX_LISTED_PROBLEMS {
        let more = format!("… and {} more.", problems.len() - MAX_LISTED_PROBLEMS);
        let _ = writeln!(t, "  {more}");
        let _ = write!(h, "<p>{}</p>", esc(&more));
    }
    r.text.push_str(&t);
    // Inside the wrapper `digest` closes last.
    let at = r.html.rfind("</div>").unwrap_or(r.html.len());
    r.html.insert_str(at, &h);
    r
}

#[cfg(test)]
mod tests;
