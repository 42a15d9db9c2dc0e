//! `regwatch deliver`: every pending message now, ignoring backoff.

use super::{Cli, load_config, open_existing, out};
use crate::Error;
use crate::terminal;

/// Attempts every pending message and prints the counts.
pub(super) async fn deliver(cli: &Cli) -> Result<(), Error> {
    let config = load_config(cli)?;
    let mut store = open_existing(&config)?;
    let d = crate::notify::deliver(&mut store, &config, true).await?;
    out(&format!("{}\n", terminal::delivery_line("delivery", &d)))
}
