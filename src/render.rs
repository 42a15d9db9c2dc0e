//! Command-line output: readable text (coloured on a terminal) and JSON lines.

use std::fmt::Write as _;

use crate::model::{Change, Severity};
use crate::pipeline::{Outcome, Report};
use crate::store::SourceHealth;

/// Whether to use ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colours on.
    pub color: bool,
}

impl Style {
    /// Colours when stdout is a terminal and `NO_COLOR` is not set.
    #[must_use]
    pub fn detect() -> Style {
        use std::io::IsTerminal as _;
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;97;41",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "2",
        };
        self.paint(code, &s.as_str().to_uppercase())
    }
}

/// Strips control characters (ANSI escapes from a hostile page) before printing to a terminal.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The one-line summary of a change: its strongest tag, or its size.
#[must_use]
pub fn headline(c: &Change) -> String {
    match c.tags.first() {
        Some(t) => t.summary.clone(),
        None => format!("text changed (+{} −{} blocks)", c.added, c.removed),
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
        clean(&headline(c)),
        clean(&c.source_name),
    );
    let _ = writeln!(out, "  source:   {} ({})", clean(&c.source), clean(&c.url));
    let _ = writeln!(out, "  detected: {}", c.detected_at);
    let _ = writeln!(out, "  blocks:   +{} −{}", c.added, c.removed);
    if !c.tags.is_empty() {
        let _ = writeln!(out, "  tags:");
        for t in &c.tags {
            let _ = writeln!(
                out,
                "    {:<8} {:<24} {}",
                style.severity(t.severity),
                t.tag,
                clean(&t.summary)
            );
            if !t.evidence.old.is_empty() {
                let _ = writeln!(
                    out,
                    "             was: {}",
                    clean(&shorten(&t.evidence.old, 200))
                );
            }
            if !t.evidence.new.is_empty() {
                let _ = writeln!(
                    out,
                    "             now: {}",
                    clean(&shorten(&t.evidence.new, 200))
                );
            }
        }
    }
    let _ = writeln!(out, "  diff:");
    for line in c.diff.lines() {
        let painted = match line.chars().next() {
            Some('-') => style.paint("31", &clean(line)),
            Some('+') => style.paint("32", &clean(line)),
            Some('@') => style.paint("36", line),
            _ => style.paint("2", &clean(line)),
        };
        let _ = writeln!(out, "    {painted}");
    }
    out
}

/// Cuts a text to at most `max` characters, with an ellipsis.
#[must_use]
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
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
        Outcome::Failed(e) => format!(
            "{}  {}: {}\n",
            r.source,
            style.paint("31", "FAILED"),
            clean(e)
        ),
    }
}

/// The closing line of `check`.
#[must_use]
pub fn summary_line(reports: &[Report]) -> String {
    let count = |f: fn(&Outcome) -> bool| reports.iter().filter(|r| f(&r.outcome)).count();
    format!(
        "checked {} source(s): {} changed, {} unchanged, {} baseline, {} failed",
        reports.len(),
        count(|o| matches!(o, Outcome::Changed(_))),
        count(|o| matches!(o, Outcome::Unchanged | Outcome::NotModified)),
        count(|o| matches!(o, Outcome::Baseline { .. } | Outcome::Rebaselined { .. })),
        count(|o| matches!(o, Outcome::Failed(_))),
    )
}

/// One line per change for `changes`.
#[must_use]
pub fn change_line(c: &Change, style: Style) -> String {
    format!(
        "#{:<5} {}  {:<8}  {:<24} {}\n",
        c.id,
        c.detected_at
            .get(..16)
            .unwrap_or(&c.detected_at)
            .replace('T', " "),
        style.severity(c.severity),
        clean(&c.source),
        clean(&headline(c))
    )
}

/// The `sources` table.
#[must_use]
pub fn sources_text(rows: &[SourceHealth], style: Style) -> String {
    let mut out = String::new();
    for s in rows {
        let status = if s.failure_streak > 0 {
            style.paint("31", &format!("FAILING ×{}", s.failure_streak))
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
            s.last_check.as_deref().unwrap_or("never"),
            s.last_change.as_deref().unwrap_or("never")
        );
        let _ = writeln!(
            out,
            "    versions:     {}   changes: {}",
            s.snapshots, s.changes
        );
        if let Some(e) = &s.last_error {
            let _ = writeln!(
                out,
                "    last error:   {} (failing since {})",
                clean(e),
                s.failing_since.as_deref().unwrap_or("?")
            );
        }
    }
    out
}
