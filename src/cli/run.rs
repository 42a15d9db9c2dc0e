//! `regwatch run`: installs the signal handlers and hands over to the daemon. SIGTERM and
//! SIGINT stop it, SIGHUP reloads `sources.toml`.

use tokio::signal::unix::{SignalKind, signal};

use super::Cli;
use crate::Error;

/// Runs the daemon until SIGTERM or SIGINT.
pub(super) async fn run(cli: &Cli, listen: Option<String>) -> Result<(), Error> {
    let sig = |kind: SignalKind| {
        signal(kind).map_err(|source| Error::Io {
            context: "cannot install a signal handler".into(),
            source,
        })
    };
    let mut term = sig(SignalKind::terminate())?;
    let mut int = sig(SignalKind::interrupt())?;
    let mut hup = sig(SignalKind::hangup())?;
    let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            if reload_tx.send(()).await.is_err() {
                break;
            }
        }
    });
    let shutdown = async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received"),
            _ = int.recv() => tracing::info!("SIGINT received"),
        }
    };
    crate::daemon::run(
        crate::daemon::RunOptions {
            config: cli.config.clone(),
            db: cli.db.clone(),
            listen,
        },
        shutdown,
        reload_rx,
    )
    .await
}
