//! Everything regwatch prints on a terminal: readable text, coloured when stdout is a terminal,
//! times labelled and in `settings.timezone`, page text stripped of control characters.
//! (JSON output is the same serializer everywhere: `serde_json` over the model's types.)

use std::fmt::Write as _;

use crate::model::OutboxState;
use crate::model::{Change, Severity, Tag, Timestamp};
use crate::pipeline::{Outcome, Report};
use crate::store::{OutboxRow, OutboxSummary, SourceHealth};
use crate::util::sanitize as clean;

mod history;

pub use history::{preview_text, verify_text, version_diff_text, versions_text};

/// How to print: ANSI colours or not, and the time zone times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colours on.
    pub color: bool,
    /// Zone of every printed time (labelled, e.g. `CET`).
    pub tz: chrono_tz::Tz,
}

/// The ANSI colour of a severity.
fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;97;41",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "2",
    }
}

impl Style {
    /// Colours when stdout is a terminal and `NO_COLOR` is not set; times in `tz`.
    #[must_use]
    pub fn detect(tz: chrono_tz::Tz) -> Style {
        use std::io::IsTerminal as _;
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            tz,
        }
    }

    /// A time in the configured zone, labelled: `2026-11-30 11:15 CET`.
    #[must_use]
    pub fn time(self, t: Timestamp) -> String {
        t.local(self.tz)
    }

    fn time_or(self, t: Option<Timestamp>, none: &str) -> String {
        t.map_or_else(|| none.to_string(), |t| self.time(t))
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, s: Severity) -> String {
        self.paint(severity_code(s), &s.as_str().to_uppercase())
    }

    /// The severity padded to a column of 8 before colouring, so columns line up on a terminal
    /// (escape codes have no width).
    fn severity_column(self, s: Severity) -> String {
        self.paint(
            severity_code(s),
            &format!("{:<8}", s.as_str().to_uppercase()),
        )
    }
}

/// A change in full: header, tags with evidence, coloured diff.
#[must_use]
pub fn change_text(c: &Change, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} [{}] {} — {}",
        style.paint("1", &format!("change #{}", c.id)),
        style.severity(c.severity),
        clean(&c.headline()),
        clean(&c.source_name),
    );
    out.push_str(&change_body(
        c,
        &format!("regwatch show {} --json", c.id),
        style,
    ));
    out
}

/// What follows a change's header: source, time, counts, tags with evidence, the diff (long
/// blocks windowed around their edits; `full` says where the whole diff is).
fn change_body(c: &Change, full: &str, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  source:   {} ({})", clean(&c.source), clean(&c.url));
    let _ = writeln!(out, "  detected: {}", style.time(c.detected_at));
    let _ = writeln!(out, "  blocks:   +{} −{}", c.added, c.removed);
    if !c.tags.is_empty() {
        let _ = writeln!(out, "  tags:");
        for t in &c.tags {
            let _ = writeln!(out, "    {}", tag_line(t, style));
            // The changed sentence, centred on the change (docs/ARCHITECTURE.md §8: cleaned).
            let (was, now) = crate::util::evidence_pair(&t.evidence.old, &t.evidence.new, 200);
            if !was.is_empty() {
                let _ = writeln!(out, "             was: {}", clean(&was));
            }
            if !now.is_empty() {
                let _ = writeln!(out, "             now: {}", clean(&now));
            }
        }
    }
    let _ = writeln!(out, "  diff:");
    let diff = crate::notify::bound::bound_diff(&c.diff, full);
    for line in diff.lines() {
        let painted = match line.chars().next() {
            Some('-') => style.paint("31", &clean(line)),
            Some('+') => style.paint("32", &clean(line)),
            Some('@') => style.paint("36", &clean(line)),
            _ => style.paint("2", &clean(line)),
        };
        let _ = writeln!(out, "    {painted}");
    }
    out
}

/// One line per report (changes in full), as `check` prints them.
#[must_use]
pub fn report_text(r: &Report, style: Style) -> String {
    match &r.outcome {
        Outcome::Baseline { blocks } => {
            format!(
                "{}  baseline stored ({blocks} blocks, not reported)\n",
                r.source
            )
        }
        Outcome::Rebaselined { blocks } => format!(
            "{}  extraction settings changed: new baseline ({blocks} blocks, not reported)\n",
            r.source
        ),
        Outcome::Unchanged => format!("{}  unchanged\n", r.source),
        Outcome::NotModified => format!("{}  unchanged (304 Not Modified)\n", r.source),
        Outcome::Changed(c) => change_text(c, style),
        Outcome::Accepted { blocks, old, new } => format!(
            "{}  the same shrunken text ({old} → {new} bytes) came back settings.accept_shrink_after checks in a row: accepted as a new baseline ({blocks} blocks; not a change, never alerted)\n",
            r.source
        ),
        Outcome::Failed(e) => format!(
            "{}  {}: {}\n",
            r.source,
            style.paint("31", "FAILED"),
            clean(&e.to_string())
        ),
        Outcome::Skipped(why) => format!(
            "{}  {}: {}\n",
            r.source,
            style.paint("33", "skipped"),
            clean(&why.to_string())
        ),
    }
}

/// One warning per reason sources were skipped (an unset environment variable), naming them:
/// `regwatch: environment variable KEY is not set: skipped a, b`.
#[must_use]
pub fn skipped_lines(reports: &[Report]) -> Vec<String> {
    let mut by_reason: Vec<(String, Vec<&str>)> = Vec::new();
    for r in reports {
        if let Outcome::Skipped(why) = &r.outcome {
            let why = why.to_string();
            match by_reason.iter_mut().find(|(w, _)| *w == why) {
                Some((_, ids)) => ids.push(&r.source),
                None => by_reason.push((why, vec![&r.source])),
            }
        }
    }
    by_reason
        .into_iter()
        .map(|(why, ids)| failure_line(&why, &format!("skipped {}", ids.join(", "))))
        .collect()
}

/// The progress line `check` keeps on a terminal's stderr while it runs.
#[must_use]
pub fn progress_line(done: usize, total: usize) -> String {
    format!("regwatch: checked {done} of {total} source(s)…")
}

/// The closing line of `check`.
#[must_use]
pub fn summary_line(reports: &[Report]) -> String {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    format!(
        "checked {} source(s): {} changed, {} unchanged, {} baseline, {} failed{}",
        reports.len(),
        count(|o| matches!(o, Outcome::Changed(_))),
        count(|o| matches!(o, Outcome::Unchanged | Outcome::NotModified)),
        count(|o| matches!(
            o,
            Outcome::Baseline { .. } | Outcome::Rebaselined { .. } | Outcome::Accepted { .. }
        )),
        count(|o| matches!(o, Outcome::Failed(_))),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        }
    )
}

/// One line per change for `changes`.
#[must_use]
pub fn change_line(c: &Change, style: Style) -> String {
    format!(
        "#{:<5} {}  {}  {:<24} {}\n",
        c.id,
        style.time(c.detected_at),
        style.severity_column(c.severity),
        clean(&c.source),
        clean(&c.headline())
    )
}

/// The `sources` table.
#[must_use]
pub fn sources_text(rows: &[SourceHealth], style: Style) -> String {
    let mut out = String::new();
    for s in rows {
        let status = if s.failure_streak > 0 {
            style.paint("31", &format!("FAILING ×{}", s.failure_streak))
        } else if s.last_error.is_some() {
            style.paint("33", "skipped")
        } else if s.last_check.is_none() {
            "never checked".to_string()
        } else {
            style.paint("32", "ok")
        };
        let _ = writeln!(
            out,
            "{}  {}  — {}",
            style.paint("1", &s.id),
            status,
            clean(&s.name)
        );
        let _ = writeln!(out, "    url:          {}", clean(&s.url));
        let _ = writeln!(
            out,
            "    last check:   {}   last change: {}",
            style.time_or(s.last_check, "never"),
            style.time_or(s.last_change, "never")
        );
        let _ = writeln!(
            out,
            "    next check:   {}",
            style.time_or(s.next_check, "at the next run")
        );
        let _ = writeln!(
            out,
            "    versions:     {}   changes: {}",
            s.snapshots, s.changes
        );
        if let Some(e) = &s.last_error {
            let since = match s.failing_since {
                Some(t) => format!("failing since {}", style.time(t)),
                None => "not counted as a failure".to_string(),
            };
            let _ = writeln!(out, "    last error:   {} ({since})", clean(e));
        }
    }
    out
}

/// The `outbox` listing.
#[must_use]
pub fn outbox_text(rows: &[OutboxRow], style: Style) -> String {
    if rows.is_empty() {
        return "outbox is empty\n".to_string();
    }
    let mut text = String::new();
    for r in rows {
        let _ = writeln!(
            text,
            "#{:<5} {:<7} {:<8} {:<12} attempts {}  {}  {}{}",
            r.id,
            r.state.as_str(),
            r.kind.as_str(),
            clean(&r.recipient),
            r.attempts,
            style.time(r.created_at),
            clean(&r.subject),
            channel_note(r)
        );
        if let Some(e) = &r.last_error {
            let _ = writeln!(text, "       last error: {}", clean(e));
        }
    }
    text
}

/// ` (webhook, slack)` after a webhook message's subject; nothing for e-mail.
fn channel_note(r: &OutboxRow) -> String {
    match (r.channel, r.format) {
        (crate::model::Channel::Webhook, Some(f)) => format!(" (webhook, {f})"),
        (crate::model::Channel::Webhook, None) => " (webhook)".to_string(),
        (crate::model::Channel::Email, _) => String::new(),
    }
}

/// What `outbox retry` requeued.
#[must_use]
pub fn requeued_text(rows: &[OutboxRow], style: Style) -> String {
    if rows.is_empty() {
        return "nothing to requeue\n".to_string();
    }
    let mut text = format!(
        "requeued {} message(s), due now; `regwatch deliver` sends them now, the daemon on its next pass:\n",
        rows.len()
    );
    for r in rows {
        let _ = writeln!(
            text,
            "#{:<5} {:<8} {:<12} attempts {}  {}  {}",
            r.id,
            r.kind.as_str(),
            clean(&r.recipient),
            r.attempts,
            style.time(r.created_at),
            clean(&r.subject)
        );
    }
    text
}

/// Why ids given to `outbox retry` were not requeued (their state, or `None` when unknown).
#[must_use]
pub fn not_requeued_text(skipped: &[(i64, Option<OutboxState>)]) -> String {
    let mut text = String::new();
    for (id, state) in skipped {
        let why = match state {
            None => "there is no such message (see `regwatch outbox`)",
            Some(OutboxState::Sent) => "it was already sent",
            Some(OutboxState::Sending) => "it is being sent right now",
            Some(_) => "its state changed meanwhile",
        };
        let _ = writeln!(text, "message #{id} not requeued: {why}");
    }
    text
}

/// What a delivery pass left behind and when it moves: messages claimed by another process
/// (reclaimed `stale_after` their claim), then the next attempt of pending ones.
#[must_use]
pub fn delivery_waiting_text(
    summary: &OutboxSummary,
    claimed: &[OutboxRow],
    stale_after: std::time::Duration,
    now: Timestamp,
    style: Style,
) -> String {
    let mut text = String::new();
    for r in claimed {
        let Some(at) = r.claimed_at else { continue };
        let reclaim = at.plus(stale_after);
        let when = if reclaim <= now {
            "it is reclaimed on the next delivery pass".to_string()
        } else {
            format!(
                "if that process died, it is reclaimed and retried at {}",
                style.time(reclaim)
            )
        };
        let _ = writeln!(
            text,
            "message #{} to {} is being sent by another process (claimed at {}); {when}",
            r.id,
            clean(&r.recipient),
            style.time(at)
        );
    }
    let pending = summary
        .by_state
        .iter()
        .find(|(s, _)| *s == OutboxState::Pending)
        .map_or(0, |(_, n)| *n);
    if pending > 0 {
        let next = summary.next_due.map_or_else(
            || "?".to_string(),
            |t| {
                if t <= now {
                    "now".to_string()
                } else {
                    style.time(t)
                }
            },
        );
        let _ = writeln!(
            text,
            "{pending} message(s) pending, {} of them after failed attempts; next attempt due: {next}",
            summary.retrying
        );
    }
    text
}

/// One tag: severity column, id, summary.
fn tag_line(t: &Tag, style: Style) -> String {
    format!(
        "{} {:<24} {}",
        style.severity_column(t.severity),
        t.tag,
        clean(&t.summary)
    )
}

/// The tags `regwatch tag` found, or what changed when none.
#[must_use]
pub fn tags_text(tags: &[Tag], added: usize, removed: usize, style: Style) -> String {
    if tags.is_empty() {
        return format!("no tags (+{added} −{removed} blocks changed)\n");
    }
    let mut text = String::new();
    for t in tags {
        let _ = writeln!(text, "{}", tag_line(t, style));
    }
    text
}

/// What one delivery pass did, as `check`, `deliver` and `digest` print it.
#[must_use]
pub fn delivery_line(what: &str, d: &crate::notify::Delivered) -> String {
    format!(
        "{what}: {} sent, {} will be retried, {} dead",
        d.sent, d.retrying, d.dead
    )
}

/// A line for stderr naming what failed: `regwatch: SOURCE: error`, page text cleaned.
#[must_use]
pub fn failure_line(what: &str, error: &str) -> String {
    format!("regwatch: {}: {}", clean(what), clean(error))
}

/// A digest as `digest --preview` shows it: recipients, subject, the text part.
#[must_use]
pub fn digest_preview(emails: &[String], subject: &str, text: &str) -> String {
    // Page text reaches the terminal here: no escapes, no bidi overrides.
    format!(
        "To: {}\nSubject: {}\n\n{}\n",
        clean(&emails.join(", ")),
        clean(subject),
        clean(text)
    )
}

/// `config check`'s warnings for header and webhook variables that are not set (`is_set` looks one
/// up):
/// `FILE:LINE:COL: warning: environment variable KEY is not set: source ID will be skipped`.
#[must_use]
pub fn unset_env_warnings(c: &crate::config::Config, is_set: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for s in &c.sources {
        for h in &s.headers {
            if let crate::config::HeaderValueSpec::Env(var) = &h.value
                && !is_set(var)
            {
                out.push(format!(
                    "{}: warning: environment variable {var} is not set: source {} will be skipped until it is (header {})",
                    h.at,
                    clean(&s.id),
                    clean(&h.name)
                ));
            }
        }
    }
    for r in &c.recipients {
        let Some(w) = &r.webhook else { continue };
        let also = if r.emails.is_empty() {
            String::new()
        } else {
            format!("; e-mail to {} is unaffected", clean(&r.name))
        };
        for (var, what) in std::iter::once((&w.env, "webhook_env"))
            .chain(w.secret_env.iter().map(|s| (s, "webhook_secret_env")))
        {
            if !is_set(var) {
                out.push(format!(
                    "{}: warning: environment variable {var} is not set ({what}): the webhook for recipient {} will be skipped until it is{also}",
                    w.at,
                    clean(&r.name)
                ));
            }
        }
    }
    out
}

/// What `config check` says about a valid configuration.
#[must_use]
pub fn config_summary(path: &std::path::Path, c: &crate::config::Config) -> String {
    format!(
        "{}: OK — {} source(s), {} recipient(s), {} rule(s); database {}\n",
        path.display(),
        c.sources.len(),
        c.recipients.len(),
        c.rules.len(),
        c.settings.database.display()
    )
}
