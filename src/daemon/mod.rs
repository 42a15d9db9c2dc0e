//! `regwatch run`: the long-running service.
//!
//! # Architecture
//! The loop only schedules; it never waits on a slow peer or on heavy CPU. Each turn it launches
//! the sources that are due (persisted `next_check_at`, so a restart resumes the schedule) through
//! [`Checker::launch`], the same fan-out `check` uses: each source fetches and extracts in a task
//! of its own, bounded by `max_concurrency` and the per-host gate. Finished fetches go to the
//! [`writer`], one blocking thread that owns the write connection (verdict, diff, tags, one
//! transaction per detection) and reports back. [`delivery`] drains the outbox and queues digests
//! ([`digests`]) beside the loop, on its own connection. The [`crate::web`] surface (`/healthz`,
//! `/metrics`, the dashboard and API) is served beside them. Shutdown is a future passed in (signals in production, anything in tests); it
//! cancels delivery at once and gives in-flight checks [`SHUTDOWN_GRACE`]. Reloads arrive on a
//! channel and are validated before use. A lock file keeps a second daemon off the database.
//!
//! Due times are kept in memory too, so a source whose failure cannot be written (a full disk)
//! still backs off, and a due time absurdly far ahead (a clock that jumped forward and came back)
//! is clamped to one interval and logged.

mod delivery;
pub mod digests;
mod lock;
mod writer;

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use std::collections::{HashMap, VecDeque};

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::config::Config;
use crate::model::Timestamp;
use crate::pipeline::{Checker, Finished, Outcome, Report};
use crate::scheduler::due_horizon;
use crate::store::Store;

use crate::web::{self, Metrics};

/// Default address of the daemon's web surface (`/healthz`, `/metrics`, the dashboard):
/// loopback only.
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
        Outcome::Skipped(why) => tracing::warn!(
            source = %r.source, outcome = "skipped", reason = %why, %next, "check"
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
    /// Reads only (schedule, fetch state); the writer owns the writes.
    store: Store,
    checker: Checker,
    metrics: Arc<Metrics>,
    /// Sources fetched or being written; not launched again until their report arrives.
    in_flight: HashSet<String>,
    /// Due times this process computed (after a check, or clamped), which win over the database.
    due: HashMap<String, Timestamp>,
    fetched: mpsc::Sender<Finished>,
    config_tx: watch::Sender<Arc<Config>>,
    db_identity: Option<lock::FileId>,
}

impl Daemon {
    /// Launches every source that is due and not already running; returns the earliest due
    /// time among the others.
    fn launch_due(&mut self) -> Result<Option<Timestamp>, Error> {
        let now = Timestamp::now();
        let mut earliest: Option<Timestamp> = None;
        for (id, stored) in self.store.schedule()? {
            let Some(source) = self.config.source(&id) else {
                continue;
            };
            if self.in_flight.contains(&id) {
                continue;
            }
            let next = match (self.due.get(&id), stored) {
                (Some(n), _) => Some(*n),
                (None, Some(n)) if n > due_horizon(now, source.interval) => {
                    let clamped = now.plus(source.interval);
                    tracing::warn!(source = %id, stored = %n, clamped = %clamped, "due time far in the future (the clock jumped?): clamped to one interval");
                    self.due.insert(id.clone(), clamped);
                    Some(clamped)
                }
                (None, n) => n,
            };
            match next {
                Some(n) if n > now => earliest = Some(earliest.map_or(n, |e| e.min(n))),
                _ => match self.store.fetch_state(&id) {
                    Ok(state) => {
                        self.checker
                            .launch(source.clone(), state, self.fetched.clone());
                        self.in_flight.insert(id);
                    }
                    // A busy or failing database: this source waits for the next turn.
                    Err(e) => {
                        tracing::warn!(source = %id, error = %e, "cannot read the fetch state")
                    }
                },
            }
        }
        Ok(earliest)
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
        self.config_tx.send_replace(Arc::clone(&self.config));
        self.store.sync_sources(self.config.identities())?;
        tracing::info!(
            sources = self.config.sources.len(),
            "configuration reloaded"
        );
        Ok(())
    }

    /// A source's result was written (or could not be): count it, remember its next due time.
    fn finish(&mut self, report: &Report) {
        self.in_flight.remove(&report.source);
        self.due.insert(report.source.clone(), report.next_check);
        self.metrics.record(report);
        log_report(report);
    }

    /// False (and health turns 503) when the database file was removed or replaced under us:
    /// writing on would write to a file nobody will ever read.
    fn database_intact(&mut self) -> bool {
        let now = lock::FileId::of(&self.config.settings.database);
        let intact = now.is_some() && now == self.db_identity;
        if !intact && !self.metrics.database_lost() {
            tracing::error!(database = %self.config.settings.database.display(), "the database file was removed or replaced while running: no more checks are written; restart regwatch");
            self.metrics.set_database_lost();
        }
        intact
    }
}

/// Binds the web surface (`/healthz`, `/metrics`, the dashboard, the API) and serves it in the
/// background (until the task is aborted).
async fn start_web(
    opts: &RunOptions,
    config: watch::Receiver<Arc<Config>>,
    metrics: &Arc<Metrics>,
) -> Result<tokio::task::JoinHandle<()>, Error> {
    let (listen, sources) = {
        let c = config.borrow();
        let listen = opts
            .listen
            .clone()
            .or_else(|| c.settings.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        (listen, c.sources.len())
    };
    let token = web::token_from_env();
    let listener = web::bind(&listen, token.as_deref()).await?;
    let addr = listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    tracing::info!(%addr, sources, "regwatch running; dashboard, /healthz and /metrics on http://{addr}");
    let surface = web::Web::new(config, Some(Arc::clone(metrics)), token);
    Ok(tokio::spawn(web::serve(
        listener,
        surface,
        std::future::pending(),
    )))
}

/// The channels between the loop, the fetch tasks and the writer.
struct Pipes {
    /// Finished fetches.
    results: mpsc::Receiver<Finished>,
    /// Finished fetches waiting for the writer (the loop never waits for it).
    queued: VecDeque<Finished>,
    /// To the writer.
    jobs: mpsc::Sender<writer::Job>,
    /// From the writer.
    reports: mpsc::UnboundedReceiver<Report>,
    writer: tokio::task::JoinHandle<()>,
}

/// What runs beside the loop and is stopped after it.
struct Background {
    health: tokio::task::JoinHandle<()>,
    delivery: tokio::task::JoinHandle<()>,
    stop_delivery: CancellationToken,
    _lock: lock::DaemonLock,
}

/// Opens everything: the lock, the database, health, the writer, delivery.
async fn start(opts: RunOptions) -> Result<(Daemon, Pipes, Background), Error> {
    let config = Arc::new(load(&opts)?);
    let db = config.settings.database.clone();
    let mut store = Store::open(&db)?;
    let lock = lock::DaemonLock::acquire(&db)?;
    store.sync_sources(config.identities())?;
    let metrics = Arc::new(Metrics::default());
    metrics.beat();
    let (config_tx, config_rx) = watch::channel(Arc::clone(&config));
    let health = start_web(&opts, config_rx.clone(), &metrics).await?;
    let checker = Checker::new(Arc::clone(&config))?;
    checker.load_robots(&store)?;
    let (jobs, reports, writer) = writer::spawn(Store::open(&db)?);
    let stop_delivery = CancellationToken::new();
    let delivery = tokio::spawn(delivery::supervise(
        db.clone(),
        config_rx,
        Timestamp::now(),
        stop_delivery.clone(),
    ));
    let (fetched, results) = mpsc::channel::<Finished>(256);
    let daemon = Daemon {
        opts,
        config,
        store,
        checker,
        metrics,
        in_flight: HashSet::new(),
        due: HashMap::new(),
        fetched,
        config_tx,
        db_identity: lock::FileId::of(&db),
    };
    let pipes = Pipes {
        results,
        queued: VecDeque::new(),
        jobs,
        reports,
        writer,
    };
    let background = Background {
        health,
        delivery,
        stop_delivery,
        _lock: lock,
    };
    Ok((daemon, pipes, background))
}

impl Daemon {
    /// One turn's scheduling: launches what is due and says how long the loop may sleep. A
    /// database error (busy beyond its time-out, a full disk) skips a turn; it never ends the
    /// daemon.
    fn turn(&mut self) -> Duration {
        self.metrics.beat();
        let earliest = if self.database_intact() {
            self.launch_due().unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot read the schedule; trying again shortly");
                None
            })
        } else {
            None
        };
        earliest
            .map_or(MAX_SLEEP, |e| Timestamp::now().until(e))
            .min(MAX_SLEEP)
    }

    /// Hands the oldest queued fetch to the writer (a slot is reserved); when the writer is
    /// gone, its sources are let go.
    fn hand_over(
        &mut self,
        pipes: &mut Pipes,
        permit: Result<mpsc::OwnedPermit<writer::Job>, mpsc::error::SendError<()>>,
    ) {
        match permit {
            Ok(permit) => {
                if let Some(finished) = pipes.queued.pop_front() {
                    permit.send(writer::Job {
                        checker: self.checker.clone(),
                        finished,
                    });
                }
            }
            Err(_) => {
                tracing::error!("the writer stopped; no more checks are written");
                for (source, _, _) in pipes.queued.drain(..) {
                    self.in_flight.remove(&source.id);
                }
            }
        }
    }
}

/// Runs until `shutdown` completes; `reload` asks for `sources.toml` to be read again.
///
/// # Errors
/// A bad configuration at start, an unusable database, another daemon on the same database, or
/// an address that cannot be bound.
pub async fn run(
    opts: RunOptions,
    shutdown: impl Future<Output = ()>,
    mut reload: mpsc::Receiver<()>,
) -> Result<(), Error> {
    let (mut d, mut pipes, background) = start(opts).await?;
    tokio::pin!(shutdown);
    loop {
        let sleep = d.turn();
        tokio::select! {
            () = &mut shutdown => break,
            Some(()) = reload.recv() => {
                if let Err(e) = d.reload() {
                    tracing::error!(error = %e, "reload could not be completed; trying the database again at the next reload");
                }
            }
            // Finished fetches queue here, so a slow writer never holds the loop.
            Some(finished) = pipes.results.recv() => pipes.queued.push_back(finished),
            permit = pipes.jobs.clone().reserve_owned(), if !pipes.queued.is_empty() => {
                d.hand_over(&mut pipes, permit);
            }
            Some(report) = pipes.reports.recv() => d.finish(&report),
            () = tokio::time::sleep(sleep) => {}
        }
    }
    background.stop_delivery.cancel();
    shut_down(d, pipes).await;
    if tokio::time::timeout(SHUTDOWN_GRACE, background.delivery)
        .await
        .is_err()
    {
        tracing::warn!("delivery did not stop in time");
    }
    background.health.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Stops scheduling; lets in-flight checks finish for [`SHUTDOWN_GRACE`] and writes their
/// results; then lets the writer finish what it holds.
async fn shut_down(mut d: Daemon, pipes: Pipes) {
    let Pipes {
        mut results,
        queued,
        jobs,
        mut reports,
        writer,
    } = pipes;
    tracing::info!(in_flight = d.in_flight.len(), "shutting down");
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    // Fetches that finished but were not handed over yet go first.
    for finished in queued {
        let job = writer::Job {
            checker: d.checker.clone(),
            finished,
        };
        if jobs.send(job).await.is_err() {
            break;
        }
    }
    while !d.in_flight.is_empty() {
        tokio::select! {
            Some(finished) = results.recv() => {
                let job = writer::Job { checker: d.checker.clone(), finished };
                if jobs.send(job).await.is_err() {
                    break;
                }
            }
            Some(report) = reports.recv() => d.finish(&report),
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(abandoned = d.in_flight.len(), "checks still running at shutdown were abandoned; they run again at next start");
                break;
            }
        }
    }
    drop(jobs);
    let drain = async {
        while let Some(report) = reports.recv().await {
            d.finish(&report);
        }
        let _ = writer.await;
    };
    if tokio::time::timeout_at(deadline, drain).await.is_err() {
        tracing::warn!("the writer did not finish in time");
    }
}
