//! `regwatch accept SOURCE_ID`: fetch the source now and store its text as a new baseline
//! (recorded as accepted, never alerted), for a page that really did lose most of its text.

use std::sync::Arc;

use super::{Cli, load_config, out, select_sources};
use crate::Error;
use crate::pipeline::{Accepted, Checker};
use crate::store::Store;

/// Accepts the source's current text; an unknown id is a usage error (exit 2), a failed fetch
/// a runtime error (exit 1) with nothing stored.
pub(super) async fn accept(cli: &Cli, id: &str) -> Result<(), Error> {
    let config = Arc::new(load_config(cli)?);
    let chosen = select_sources(&config, &[id.to_string()])?;
    let Some(source) = chosen.first() else {
        return Err(Error::Usage(format!("no source with id \"{id}\"")));
    };
    let mut store = Store::open(&config.settings.database)?;
    let checker = Checker::new(Arc::clone(&config))?;
    let accepted = checker
        .accept(&mut store, source)
        .await
        .map_err(|e| Error::Runtime(format!("accept {id}: {e} (nothing stored)")))?;
    let version = store.versions(id)?.len();
    match accepted {
        Accepted::Stored {
            blocks,
            size,
            sha256,
        } => out(&format!(
            "{id}: the current text ({blocks} blocks, {size} bytes, sha256 {sha256}) is stored as version {version}, an accepted baseline: not reported as a change, never alerted; the next check compares against it\n"
        )),
        Accepted::AlreadyLatest { sha256 } => out(&format!(
            "{id}: the current text (sha256 {sha256}) already is the latest version ({version}); nothing to accept\n"
        )),
    }
}
