//! `regwatch check [ID…] [--json]`: one pass over the sources, then whatever mail is due.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Cli, json_line, load_config, out, select_sources, style};
use crate::Error;
use crate::pipeline::{Checker, Outcome};
use crate::store::Store;
use crate::terminal;

/// Runs the pipeline and prints what happened; source failures go to stderr and are not errors,
/// unless `strict` (then the command ends with exit 1 after everything else is done).
pub(super) async fn check(
    cli: &Cli,
    ids: &[String],
    json: bool,
    strict: bool,
) -> Result<(), Error> {
    let config = Arc::new(load_config(cli)?);
    let chosen = select_sources(&config, ids)?;
    let mut store = Store::open(&config.settings.database)?;
    let checker = Checker::new(Arc::clone(&config))?;
    let mut progress = Progress::new(!json && std::io::stderr().is_terminal());
    let reports = checker
        .check_with_progress(&mut store, &chosen, |done, total| {
            progress.show(done, total);
        })
        .await?;
    progress.clear();
    let style = style(&config);
    for r in &reports {
        if let Outcome::Failed(e) = &r.outcome {
            eprintln!("{}", terminal::failure_line(&r.source, &e.to_string()));
        }
        if json {
            if let Outcome::Changed(c) = &r.outcome {
                json_line(c)?;
            }
        } else if !matches!(r.outcome, Outcome::Failed(_) | Outcome::Skipped(_)) {
            out(&terminal::report_text(r, style))?;
        }
    }
    // One warning per unset variable, naming the sources it held back.
    for line in terminal::skipped_lines(&reports) {
        eprintln!("{line}");
    }
    if !json {
        out(&format!("{}\n", terminal::summary_line(&reports)))?;
    }
    // Whatever is due leaves now; an SMTP outage leaves it pending (the run still succeeded).
    match crate::notify::deliver(&mut store, &config, false).await {
        Ok(d) if d.sent + d.retrying + d.dead > 0 => {
            eprintln!("regwatch: {}", terminal::delivery_line("delivery", &d));
        }
        Ok(_) => {}
        Err(e) => eprintln!("{}", terminal::failure_line("delivery", &e.to_string())),
    }
    let failed = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    if strict && failed > 0 {
        return Err(Error::Runtime(format!(
            "{failed} of {} source(s) failed (--strict)",
            reports.len()
        )));
    }
    Ok(())
}

/// A progress line on stderr, redrawn at most ten times a second, only on a terminal.
struct Progress {
    on: bool,
    drawn: Option<Instant>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress { on, drawn: None }
    }

    fn show(&mut self, done: usize, total: usize) {
        let due = self
            .drawn
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
        if !self.on || !(due || done == total) {
            return;
        }
        self.drawn = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        // A closed or full terminal is not a reason to stop the check.
        let _ = write!(err, "\r\x1b[2K{}", terminal::progress_line(done, total));
        let _ = err.flush();
    }

    fn clear(&mut self) {
        if self.on && self.drawn.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
