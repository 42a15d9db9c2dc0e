//! `regwatch check [ID…] [--json]`: one pass over the sources, then whatever mail is due.

use std::sync::Arc;

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
    let reports = checker.check(&mut store, &chosen).await?;
    let style = style(&config);
    for r in &reports {
        if let Outcome::Failed(e) = &r.outcome {
            eprintln!("{}", terminal::failure_line(&r.source, &e.to_string()));
        }
        if json {
            if let Outcome::Changed(c) = &r.outcome {
                json_line(c)?;
            }
        } else if !matches!(r.outcome, Outcome::Failed(_)) {
            out(&terminal::report_text(r, style))?;
        }
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
