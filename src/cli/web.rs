//! `regwatch web [--listen ADDR]`: serves the dashboard, the JSON API and the Atom feed from the
//! database, read-only, checking nothing (an analyst's copy beside, or without, the daemon).

use std::io::Write as _;
use std::sync::Arc;

use tokio::signal::unix::{SignalKind, signal};

use super::{Cli, load_config, open_existing};
use crate::{Error, web};

/// Serves until SIGTERM or SIGINT.
pub(super) async fn web(cli: &Cli, listen: Option<&str>) -> Result<(), Error> {
    let config = load_config(cli)?;
    // A missing or damaged database is said now, not on every page.
    drop(open_existing(&config)?);
    let mut term = signal(SignalKind::terminate()).map_err(|source| Error::Io {
        context: "cannot install a signal handler".into(),
        source,
    })?;
    let mut int = signal(SignalKind::interrupt()).map_err(|source| Error::Io {
        context: "cannot install a signal handler".into(),
        source,
    })?;
    let listen = listen.unwrap_or(web::DEFAULT_LISTEN);
    let token = web::token_from_env();
    let listener = web::bind(listen, token.as_deref()).await?;
    let addr = listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    let db = config.settings.database.display().to_string();
    let (_keep, config_rx) = tokio::sync::watch::channel(Arc::new(config));
    let surface = web::Web::new(config_rx, None, token);
    {
        // Said once on stdout (scripts and tests read the address); the token never is.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "regwatch web: serving {db} read-only on http://{addr}/ (Ctrl-C stops)"
        );
        let _ = out.flush();
    }
    web::serve(listener, surface, async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
    .await;
    Ok(())
}
