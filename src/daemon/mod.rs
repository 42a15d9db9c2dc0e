//! `regwatch run`: the long-running service.
//!
//! # Architecture
//! One loop owns the database. Each turn it launches the sources that are due (persisted
//! `next_check_at`, so a restart resumes the schedule) through [`Checker::launch`], the same
//! fan-out `check` uses: each source fetches and extracts in a task of its own, bounded by
//! `max_concurrency` and the per-host gate, and hands its result back over a channel; the loop
//! writes it (one transaction per detection). A slow source therefore holds only its own task.
//! The loop also drains the outbox every few seconds and queues each recipient's digest once per
//! cron period ([`digests`]). [`health`] serves `/healthz` and `/metrics`. Shutdown is a future
//! passed in (signals in production, anything in tests); reloads arrive on a channel and are
//! validated before use.

pub mod digests;
pub mod health;

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::Error;
use crate::config::Config;
use crate::model::Timestamp;
use crate::pipeline::{Checker, Finished, Outcome, Report};
use crate::store::Store;

use health::Metrics;

/// Default address of `/healthz` and `/metrics`: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9184";
/// How long in-flight checks may run after a shutdown request.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the outbox is drained.
pub const DELIVERY_TICK: Duration = Duration::from_secs(5);
/// Longest sleep of the loop (so health stays fresh and digests are noticed).
const MAX_SLEEP: Duration = Duration::from_secs(5);

/// How the daemon is started.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Config file.
    pub config: PathBuf,
    /// `--db` override.
    pub db: Option<PathBuf>,
    /// `--listen` override.
    pub listen: Option<String>,
}

/// Loads the configuration and warns about impolite intervals.
fn load(opts: &RunOptions) -> Result<Config, Error> {
    let c = Config::load_with_db(&opts.config, opts.db.as_deref())?;
    for s in &c.sources {
        let loopback = url::Url::parse(&s.url)
            .ok()
            .and_then(|u| u.host_str().map(crate::util::is_loopback_host))
            .unwrap_or(false);
        if s.interval < Duration::from_secs(60) && !loopback {
            tracing::warn!(source = %s.id, interval = ?s.interval, "interval below one minute for a remote host: be polite");
        }
    }
    Ok(c)
}

fn log_report(r: &Report) {
    let ms = u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX);
    let next = r.next_check;
    match &r.outcome {
        Outcome::Changed(c) => tracing::info!(
            source = %r.source, outcome = "changed", duration_ms = ms, change = c.id,
            severity = c.severity.as_str(), tags = c.tags.len(), %next, "check"
        ),
        Outcome::Failed(e) => tracing::warn!(
            source = %r.source, outcome = "failed", duration_ms = ms,
            error = %crate::util::sanitize(&e.to_string()), %next, "check"
        ),
        o => {
            tracing::info!(source = %r.source, outcome = o.label(), duration_ms = ms, %next, "check")
        }
    }
}

/// The loop's state.
struct Daemon {
    opts: RunOptions,
    config: Arc<Config>,
    store: Store,
    checker: Checker,
    metrics: Arc<Metrics>,
    in_flight: HashSet<String>,
    done: mpsc::Sender<Finished>,
    started: Timestamp,
    last_delivery: Option<tokio::time::Instant>,
}

impl Daemon {
    /// Launches every source that is due and not already running; returns the earliest due
    /// time among the others.
    fn launch_due(&mut self) -> Result<Option<Timestamp>, Error> {
        let now = Timestamp::now();
        let mut earliest: Option<Timestamp> = None;
        for (id, next) in self.store.schedule()? {
            let Some(source) = self.config.source(&id) else {
                continue;
            };
            if self.in_flight.contains(&id) {
                continue;
            }
            match next {
                Some(n) if n > now => earliest = Some(earliest.map_or(n, |e| e.min(n))),
                _ => {
                    let state = self.store.fetch_state(&id)?;
                    self.checker
                        .launch(source.clone(), state, self.done.clone());
                    self.in_flight.insert(id);
                }
            }
        }
        Ok(earliest)
    }

    /// Every [`DELIVERY_TICK`]: queues due digests and drains the outbox.
    async fn deliver_if_due(&mut self) {
        if self
            .last_delivery
            .is_some_and(|t| t.elapsed() < DELIVERY_TICK)
        {
            return;
        }
        self.last_delivery = Some(tokio::time::Instant::now());
        digests::queue_due(
            &mut self.store,
            &self.config,
            self.started,
            Timestamp::now(),
        );
        match crate::notify::deliver(&mut self.store, &self.config, false).await {
            Ok(d) if d.sent + d.retrying + d.dead > 0 => {
                tracing::info!(
                    sent = d.sent,
                    retrying = d.retrying,
                    dead = d.dead,
                    "delivery"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "delivery failed"),
        }
    }

    /// Reads `sources.toml` again; a configuration that does not load leaves the old one running.
    fn reload(&mut self) -> Result<(), Error> {
        let new = match load(&self.opts) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                tracing::error!(error = %e, "reload refused; the old configuration keeps running");
                return Ok(());
            }
        };
        let checker = match Checker::new(Arc::clone(&new)) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "reload refused; the old configuration keeps running");
                return Ok(());
            }
        };
        if let Err(e) = checker.load_robots(&self.store) {
            tracing::warn!(error = %e, "cannot read the robots.txt cache");
        }
        self.checker = checker;
        self.config = new;
        self.store.sync_sources(self.config.identities())?;
        tracing::info!(
            sources = self.config.sources.len(),
            "configuration reloaded"
        );
        Ok(())
    }

    /// Writes a finished check and schedules its source again.
    fn finish(&mut self, (source, state, fetched): Finished) {
        self.in_flight.remove(&source.id);
        let report = self.checker.apply(&mut self.store, &source, state, fetched);
        self.metrics.record(&report);
        log_report(&report);
    }
}

/// Binds the health address and serves it in the background.
async fn start_health(
    opts: &RunOptions,
    config: &Config,
    metrics: &Arc<Metrics>,
) -> Result<tokio::task::JoinHandle<()>, Error> {
    let listen = opts
        .listen
        .clone()
        .or_else(|| config.settings.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|source| Error::Io {
            context: format!("cannot listen on {listen}"),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    tracing::info!(%addr, sources = config.sources.len(), "regwatch running; /healthz and /metrics on http://{addr}");
    let db = config.settings.database.clone();
    Ok(tokio::spawn(health::serve(
        listener,
        Arc::clone(metrics),
        db,
    )))
}

/// Runs until `shutdown` completes; `reload` asks for `sources.toml` to be read again.
///
/// # Errors
/// A bad configuration at start, an unusable database, or an address that cannot be bound.
pub async fn run(
    opts: RunOptions,
    shutdown: impl Future<Output = ()>,
    mut reload: mpsc::Receiver<()>,
) -> Result<(), Error> {
    let config = Arc::new(load(&opts)?);
    let mut store = Store::open(&config.settings.database)?;
    store.sync_sources(config.identities())?;
    let metrics = Arc::new(Metrics::default());
    metrics.beat();
    let health = start_health(&opts, &config, &metrics).await?;
    let checker = Checker::new(Arc::clone(&config))?;
    checker.load_robots(&store)?;
    let (done, mut results) = mpsc::channel::<Finished>(256);
    let mut d = Daemon {
        opts,
        config,
        store,
        checker,
        metrics,
        in_flight: HashSet::new(),
        done,
        started: Timestamp::now(),
        last_delivery: None,
    };
    tokio::pin!(shutdown);
    loop {
        d.metrics.beat();
        let earliest = d.launch_due()?;
        d.deliver_if_due().await;
        let sleep = earliest
            .map_or(MAX_SLEEP, |e| Timestamp::now().until(e))
            .min(MAX_SLEEP);
        tokio::select! {
            () = &mut shutdown => break,
            Some(()) = reload.recv() => d.reload()?,
            Some(finished) = results.recv() => d.finish(finished),
            () = tokio::time::sleep(sleep) => {}
        }
    }
    // Stop scheduling; let in-flight checks finish for a bounded time, and keep their results.
    tracing::info!(in_flight = d.in_flight.len(), "shutting down");
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while !d.in_flight.is_empty() {
        tokio::select! {
            Some(finished) = results.recv() => d.finish(finished),
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(abandoned = d.in_flight.len(), "checks still running at shutdown were abandoned; they run again at next start");
                break;
            }
        }
    }
    health.abort();
    tracing::info!("stopped");
    Ok(())
}
