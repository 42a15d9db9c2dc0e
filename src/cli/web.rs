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
    let stop = stop_signal()?;
    let listen = listen.unwrap_or(web::DEFAULT_LISTEN);
    let token = web::token_from_env();
    let listener = web::bind(listen, token.as_deref()).await?;
    let addr = local_addr(&listener)?;
    let db = config.settings.database.display().to_string();
    {
        // Said once on stdout (scripts and tests read the address); the token never is.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "regwatch web: serving {db} read-only on http://{addr}/ (Ctrl-C stops)"
        );
        let _ = out.flush();
    }
    serve_until(listener, config, token, stop).await;
    Ok(())
}

/// A future that completes on the first SIGTERM or SIGINT, its handlers installed now (so a
/// signal that comes before the server listens is not lost).
///
/// # Errors
/// [`Error::Io`] when a handler cannot be installed.
pub(super) fn stop_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static, Error>
{
    let install = |kind| {
        signal(kind).map_err(|source| Error::Io {
            context: "cannot install a signal handler".into(),
            source,
        })
    };
    let mut term = install(SignalKind::terminate())?;
    let mut int = install(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// The address a listener is bound to.
///
/// # Errors
/// [`Error::Io`] when the socket cannot say.
pub(super) fn local_addr(
    listener: &tokio::net::TcpListener,
) -> Result<std::net::SocketAddr, Error> {
    listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })
}

/// Serves the read-only surface over `config`'s database on `listener` until `stop` completes.
pub(super) async fn serve_until(
    listener: tokio::net::TcpListener,
    config: crate::config::Config,
    token: Option<String>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (_keep, config_rx) = tokio::sync::watch::channel(Arc::new(config));
    let surface = web::Web::new(config_rx, None, token);
    web::serve(listener, surface, stop).await;
}
