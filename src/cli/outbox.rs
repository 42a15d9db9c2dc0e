//! `regwatch outbox [--json]`: queued, sent and dead messages.

use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::Error;
use crate::terminal;

/// Lists the outbox, newest first.
pub(super) fn outbox(cli: &Cli, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    let rows = store.outbox()?;
    if json {
        for r in &rows {
            json_line(r)?;
        }
        return Ok(());
    }
    out(&terminal::outbox_text(&rows, style(&config)))
}
