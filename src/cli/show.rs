//! `regwatch show CHANGE_ID [--json]`: one change with its tags, evidence and diff.

use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::Error;
use crate::terminal;

/// Prints one change.
pub(super) fn show(cli: &Cli, id: i64, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    let Some(c) = store.change(id)? else {
        return Err(Error::Usage(format!(
            "no change with id {id} in {} (see `regwatch changes`)",
            config.settings.database.display()
        )));
    };
    if json {
        json_line(&c)
    } else {
        out(&terminal::change_text(&c, style(&config)))
    }
}
