//! `regwatch outbox [--json]`: queued, sent and dead messages; `outbox retry [ID…|--dead]`
//! requeues them.

use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::Error;
use crate::model::Timestamp;
use crate::terminal;

/// Lists the outbox, newest first (metadata only: bodies are never read for a listing).
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

/// Requeues the given messages (every dead one with `dead`) and prints what was requeued, and
/// why any given id was not.
pub(super) fn retry(cli: &Cli, ids: &[i64], dead: bool, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let mut store = open_existing(&config)?;
    let ids: &[i64] = if dead { &[] } else { ids };
    let done = store.requeue(ids, Timestamp::now())?;
    let mut skipped = Vec::new();
    for id in ids {
        if !done.iter().any(|r| r.id == *id) {
            skipped.push((*id, store.message_meta(*id)?.map(|r| r.state)));
        }
    }
    if json {
        for r in &done {
            json_line(r)?;
        }
    } else {
        out(&terminal::requeued_text(&done, style(&config)))?;
    }
    if !skipped.is_empty() {
        let why = terminal::not_requeued_text(&skipped);
        if done.is_empty() {
            return Err(Error::Usage(why.trim_end().to_string()));
        }
        eprint!("{why}");
    }
    Ok(())
}
