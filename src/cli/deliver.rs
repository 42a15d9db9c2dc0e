//! `regwatch deliver`: every pending message now, ignoring backoff.

use super::{Cli, load_config, open_existing, out, style};
use crate::Error;
use crate::model::Timestamp;
use crate::terminal;

/// Attempts every pending message and prints the counts, then what is left and when it moves:
/// messages another process is sending (and when they are reclaimed), the next attempt due.
pub(super) async fn deliver(cli: &Cli) -> Result<(), Error> {
    let config = load_config(cli)?;
    let mut store = open_existing(&config)?;
    let d = crate::notify::deliver(&mut store, &config, true).await?;
    let summary = store.outbox_summary()?;
    let claimed = store.claimed_messages()?;
    let mut text = format!("{}\n", terminal::delivery_line("delivery", &d));
    text.push_str(&terminal::delivery_waiting_text(
        &summary,
        &claimed,
        crate::notify::STALE_CLAIM,
        Timestamp::now(),
        style(&config),
    ));
    out(&text)
}
