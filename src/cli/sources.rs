//! `regwatch sources [--json]`: each source with its health.

use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::Error;
use crate::terminal;

/// Prints every source's health.
pub(super) fn sources(cli: &Cli, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let mut store = open_existing(&config)?;
    store.sync_sources(config.identities())?;
    let rows = store.source_health()?;
    if json {
        for r in &rows {
            json_line(r)?;
        }
        Ok(())
    } else {
        out(&terminal::sources_text(&rows, style(&config)))
    }
}
