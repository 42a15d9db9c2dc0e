//! `regwatch run`: the long-running service.
//!
//! # Architecture
//! One loop owns the database. Each turn it launches the sources that are due (persisted
//! `next_check_at`, so a restart resumes the schedule) as independent tasks, bounded by
//! `max_concurrency` and the per-host gate; a task only fetches and extracts, then hands its result
//! back over a channel, and the loop writes it (one transaction per detection) and schedules the
//! source again. A slow source therefore holds only its own task, never the others. The loop also
//! drains the outbox every few seconds and sends each recipient's digest once per cron period
//! (the `digests` table makes that hold across restarts). Shutdown is a future passed in (signals
//! in production, anything in tests); reloads arrive on a channel and are validated before use.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};

use crate::Error;
use crate::config::{Config, Source};
use crate::pipeline::{Checker, Fetch, Outcome, Report};
use crate::store::{FetchState, Store, time_text};

/// Default address of `/healthz` and `/metrics`: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9184";
/// How long in-flight checks may run after a shutdown request.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the outbox is drained.
pub const DELIVERY_TICK: Duration = Duration::from_secs(5);
/// Longest sleep of the loop (so health stays fresh and digests are noticed).
const MAX_SLEEP: Duration = Duration::from_secs(5);
/// The loop counts as alive when it turned within this many seconds.
const HEARTBEAT_STALE_SECS: i64 = 60;

/// Fetch-duration histogram buckets, in seconds.
const BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// Counters served at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    checks: Mutex<BTreeMap<&'static str, u64>>,
    changes: Mutex<BTreeMap<&'static str, u64>>,
    durations: Mutex<(Vec<u64>, f64, u64)>,
    last_success: AtomicI64,
    heartbeat: AtomicI64,
}

impl Metrics {
    fn record(&self, r: &Report) {
        *self
            .checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(r.outcome.label())
            .or_insert(0) += 1;
        if let Outcome::Changed(c) = &r.outcome {
            *self
                .changes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(c.severity.as_str())
                .or_insert(0) += 1;
        }
        if !matches!(r.outcome, Outcome::Failed(_)) {
            self.last_success
                .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
        }
        let secs = r.duration.as_secs_f64();
        let mut d = self
            .durations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if d.0.is_empty() {
            d.0 = vec![0; BUCKETS.len()];
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                d.0[i] += 1;
            }
        }
        d.1 += secs;
        d.2 += 1;
    }

    fn beat(&self) {
        self.heartbeat
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    fn alive(&self) -> bool {
        chrono::Utc::now().timestamp() - self.heartbeat.load(Ordering::Relaxed)
            <= HEARTBEAT_STALE_SECS
    }

    /// Prometheus text format; database-derived gauges are read at scrape time.
    fn render(&self, db: &std::path::Path) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        o.push_str("# HELP regwatch_checks_total Checks by outcome.\n# TYPE regwatch_checks_total counter\n");
        for (k, v) in self
            .checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(o, "regwatch_checks_total{{outcome=\"{k}\"}} {v}");
        }
        o.push_str("# HELP regwatch_changes_total Changes detected by severity.\n# TYPE regwatch_changes_total counter\n");
        for (k, v) in self
            .changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(o, "regwatch_changes_total{{severity=\"{k}\"}} {v}");
        }
        o.push_str("# HELP regwatch_fetch_duration_seconds Fetch and extraction time per check.\n# TYPE regwatch_fetch_duration_seconds histogram\n");
        {
            let d = self
                .durations
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "regwatch_fetch_duration_seconds_bucket{{le=\"{b}\"}} {}",
                    d.0.get(i).copied().unwrap_or(0)
                );
            }
            let _ = writeln!(
                o,
                "regwatch_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {}",
                d.2
            );
            let _ = writeln!(o, "regwatch_fetch_duration_seconds_sum {}", d.1);
            let _ = writeln!(o, "regwatch_fetch_duration_seconds_count {}", d.2);
        }
        let _ = writeln!(
            o,
            "# HELP regwatch_last_success_timestamp_seconds Unix time of the last successful check.\n# TYPE regwatch_last_success_timestamp_seconds gauge\nregwatch_last_success_timestamp_seconds {}",
            self.last_success.load(Ordering::Relaxed)
        );
        if let Ok(store) = Store::open(db) {
            let rows = store.outbox().unwrap_or_default();
            let count = |s: &str| rows.iter().filter(|r| r.state == s).count();
            let _ = writeln!(
                o,
                "# HELP regwatch_outbox_messages Messages in the outbox by state.\n# TYPE regwatch_outbox_messages gauge"
            );
            for s in ["pending", "sending", "sent", "dead"] {
                let _ = writeln!(o, "regwatch_outbox_messages{{state=\"{s}\"}} {}", count(s));
            }
            let failing = store
                .source_health()
                .map_or(0, |h| h.iter().filter(|s| s.failure_streak > 0).count());
            let _ = writeln!(
                o,
                "# HELP regwatch_sources_failing Sources whose last check failed.\n# TYPE regwatch_sources_failing gauge\nregwatch_sources_failing {failing}"
            );
        }
        o
    }
}

async fn serve_health(listener: TcpListener, metrics: Arc<Metrics>, db: PathBuf) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = Arc::clone(&metrics);
        let db = db.clone();
        tokio::spawn(async move {
            // Read the request head (it may arrive in pieces), at most 8 KiB, for at most 5 s.
            let mut head = Vec::with_capacity(512);
            let mut buf = [0u8; 1024];
            let read_head = async {
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
            };
            if tokio::time::timeout(Duration::from_secs(5), read_head)
                .await
                .is_err()
            {
                return;
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match path.as_str() {
                "/healthz" => {
                    let db_ok = tokio::task::spawn_blocking({
                        let db = db.clone();
                        move || {
                            Store::open(&db)
                                .and_then(|s| s.integrity_check().map(|_| ()))
                                .is_ok()
                        }
                    })
                    .await
                    .unwrap_or(false);
                    if metrics.alive() && db_ok {
                        ("200 OK", "ok\n".to_string())
                    } else {
                        ("503 Service Unavailable", "unhealthy\n".to_string())
                    }
                }
                "/metrics" => {
                    let body = tokio::task::spawn_blocking(move || metrics.render(&db))
                        .await
                        .unwrap_or_default();
                    ("200 OK", body)
                }
                _ => ("404 Not Found", "not found\n".to_string()),
            };
            let resp = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(resp.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

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

fn load(opts: &RunOptions) -> Result<Config, Error> {
    let mut c = Config::load(&opts.config)?;
    if let Some(db) = &opts.db {
        c.settings.database.clone_from(db);
    }
    for s in &c.sources {
        let loopback = url::Url::parse(&s.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| matches!(h, "127.0.0.1" | "localhost" | "[::1]"))
            })
            .unwrap_or(false);
        if s.interval < Duration::from_secs(60) && !loopback {
            tracing::warn!(source = %s.id, interval = ?s.interval, "interval below one minute for a remote host: be polite");
        }
    }
    Ok(c)
}

fn sync(store: &mut Store, config: &Config) -> Result<(), Error> {
    store.sync_sources(config.identities())?;
    Ok(())
}

fn log_report(r: &Report) {
    let ms = u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX);
    match &r.outcome {
        Outcome::Changed(c) => tracing::info!(
            source = %r.source, outcome = "changed", duration_ms = ms, change = c.id,
            severity = c.severity.as_str(), tags = c.tags.len(), next = %time_text(r.next_check), "check"
        ),
        Outcome::Failed(e) => tracing::warn!(
            source = %r.source, outcome = "failed", duration_ms = ms, error = %e, next = %time_text(r.next_check), "check"
        ),
        o => {
            tracing::info!(source = %r.source, outcome = o.label(), duration_ms = ms, next = %time_text(r.next_check), "check")
        }
    }
}

/// Sends each recipient's digest once per cron period.
/// Queues each recipient's digest whose cron period has closed and has not been sent yet.
/// The `digests` table remembers the end of the last period per recipient, so a period is sent
/// once even across restarts; the first digest is the first period that closes after `started`.
fn digests(
    store: &mut Store,
    config: &Config,
    started: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let now = now.with_timezone(&config.settings.timezone);
    for r in &config.recipients {
        let Some(cron) = &r.digest else { continue };
        let Some(prev) = cron.previous(&now) else {
            continue;
        };
        let until = prev.with_timezone(&chrono::Utc);
        let due = match store.last_digest_until(&r.name) {
            Ok(Some(last)) => last < time_text(until),
            // The first digest is the first period that ends after the service started.
            Ok(None) => until >= started,
            Err(e) => {
                tracing::error!(error = %e, "cannot read digests");
                false
            }
        };
        if due {
            match crate::notify::build_digest(store, config, r, until, true) {
                Ok(_) => {
                    tracing::info!(recipient = %r.name, until = %time_text(until), "digest queued")
                }
                Err(e) => tracing::error!(recipient = %r.name, error = %e, "cannot build digest"),
            }
        }
    }
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
    let mut config = Arc::new(load(&opts)?);
    let mut store = Store::open(&config.settings.database)?;
    sync(&mut store, &config)?;
    let metrics = Arc::new(Metrics::default());
    metrics.beat();
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
    let health = tokio::spawn(serve_health(
        listener,
        Arc::clone(&metrics),
        config.settings.database.clone(),
    ));
    tracing::info!(%addr, sources = config.sources.len(), "regwatch running; /healthz and /metrics on http://{addr}");

    let mut checker = Checker::new(Arc::clone(&config))?;
    checker.load_robots(&store)?;
    let (tx, mut rx) = mpsc::channel::<(Source, FetchState, Fetch)>(256);
    let mut sem = Arc::new(Semaphore::new(config.settings.max_concurrency));
    let mut in_flight: HashSet<String> = HashSet::new();
    let started = chrono::Utc::now();
    let mut last_delivery = tokio::time::Instant::now() - DELIVERY_TICK;
    tokio::pin!(shutdown);

    loop {
        metrics.beat();
        // Launch what is due.
        let now_s = time_text(chrono::Utc::now());
        let mut earliest: Option<String> = None;
        for (id, next) in store.schedule()? {
            let Some(source) = config.source(&id) else {
                continue;
            };
            if in_flight.contains(&id) {
                continue;
            }
            match next {
                Some(n) if n > now_s => {
                    if earliest.as_ref().is_none_or(|e| n < *e) {
                        earliest = Some(n);
                    }
                }
                _ => {
                    let state = store.fetch_state(&id)?;
                    let (checker, tx, sem, source) = (
                        checker.clone(),
                        tx.clone(),
                        Arc::clone(&sem),
                        source.clone(),
                    );
                    in_flight.insert(id);
                    tokio::spawn(async move {
                        let _permit = sem.acquire_owned().await;
                        let fetched = checker.fetch(&source, &state).await;
                        let _ = tx.send((source, state, fetched)).await;
                    });
                }
            }
        }
        // Drain the outbox and send digests.
        if last_delivery.elapsed() >= DELIVERY_TICK {
            last_delivery = tokio::time::Instant::now();
            digests(&mut store, &config, started, chrono::Utc::now());
            match crate::notify::deliver(&mut store, &config, false).await {
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
        let sleep = earliest
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e).ok())
            .map(|e| {
                (e.with_timezone(&chrono::Utc) - chrono::Utc::now())
                    .to_std()
                    .unwrap_or_default()
            })
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP);
        tokio::select! {
            () = &mut shutdown => break,
            Some(()) = reload.recv() => {
                match load(&opts) {
                    Ok(new) => {
                        let new = Arc::new(new);
                        match Checker::new(Arc::clone(&new)) {
                            Ok(c) => {
                                if let Err(e) = c.load_robots(&store) {
                                    tracing::warn!(error = %e, "cannot read the robots.txt cache");
                                }
                                checker = c;
                                sem = Arc::new(Semaphore::new(new.settings.max_concurrency));
                                config = new;
                                sync(&mut store, &config)?;
                                tracing::info!(sources = config.sources.len(), "configuration reloaded");
                            }
                            Err(e) => tracing::error!(error = %e, "reload refused; the old configuration keeps running"),
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "reload refused; the old configuration keeps running"),
                }
            }
            Some((source, state, fetched)) = rx.recv() => {
                in_flight.remove(&source.id);
                let report = checker.apply(&mut store, &source, state, fetched);
                metrics.record(&report);
                log_report(&report);
            }
            () = tokio::time::sleep(sleep) => {}
        }
    }

    // Stop scheduling; let in-flight checks finish for a bounded time, and keep their results.
    tracing::info!(in_flight = in_flight.len(), "shutting down");
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while !in_flight.is_empty() {
        tokio::select! {
            Some((source, state, fetched)) = rx.recv() => {
                in_flight.remove(&source.id);
                let report = checker.apply(&mut store, &source, state, fetched);
                log_report(&report);
            }
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(abandoned = in_flight.len(), "checks still running at shutdown were abandoned; they run again at next start");
                break;
            }
        }
    }
    health.abort();
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
    }

    fn digest_rows(store: &Store) -> Vec<String> {
        store
            .outbox()
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == "digest")
            .map(|r| r.recipient)
            .collect()
    }

    /// Monday 08:00 in Paris is 07:00 UTC in winter: the digest is queued once for that period,
    /// not again later in the period, not again after a restart, and again the next Monday.
    #[test]
    fn digest_follows_its_cron_line_in_the_configured_zone_once_per_period() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_str_at(
            "[settings]\ntimezone = \"Europe/Paris\"\n\n[mail]\nfrom = \"regwatch@example.org\"\n\n\
             [[recipient]]\nname = \"cto\"\nemails = [\"cto@example.org\"]\nalerts = \"never\"\n\
             digest = \"0 8 * * 1\"\n",
            &dir.path().join("sources.toml"),
        )
        .unwrap();
        let db = dir.path().join("regwatch.db");
        let mut store = Store::open(&db).unwrap();
        // Started Friday 2026-11-20; Monday 2026-11-23 08:00 Paris = 07:00 UTC.
        let started = utc(2026, 11, 20, 12, 0);
        digests(&mut store, &cfg, started, utc(2026, 11, 23, 6, 59));
        assert!(digest_rows(&store).is_empty(), "07:59 Paris: not yet");
        digests(&mut store, &cfg, started, utc(2026, 11, 23, 7, 0));
        assert_eq!(digest_rows(&store), vec!["cto"]);
        digests(&mut store, &cfg, started, utc(2026, 11, 23, 9, 30));
        assert_eq!(digest_rows(&store).len(), 1, "same period: nothing more");

        // Restart (new process, new start time) later that day: the period was already sent.
        drop(store);
        let mut store = Store::open(&db).unwrap();
        digests(
            &mut store,
            &cfg,
            utc(2026, 11, 23, 10, 0),
            utc(2026, 11, 23, 10, 0),
        );
        assert_eq!(digest_rows(&store).len(), 1, "restart: no duplicate");

        // The next Monday.
        digests(&mut store, &cfg, started, utc(2026, 11, 30, 7, 1));
        assert_eq!(digest_rows(&store).len(), 2);
    }

    /// A service started after this week's digest time waits for the next one rather than
    /// sending a digest for a period it did not watch.
    #[test]
    fn first_digest_is_the_first_period_closing_after_start() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_str_at(
            "[mail]\nfrom = \"regwatch@example.org\"\n\n[[recipient]]\nname = \"team\"\n\
             emails = [\"team@example.org\"]\ndigest = \"30 6 * * *\"\n",
            &dir.path().join("sources.toml"),
        )
        .unwrap();
        let mut store = Store::open(&dir.path().join("regwatch.db")).unwrap();
        let started = utc(2026, 11, 21, 7, 0);
        digests(&mut store, &cfg, started, utc(2026, 11, 21, 7, 5));
        assert!(digest_rows(&store).is_empty());
        digests(&mut store, &cfg, started, utc(2026, 11, 22, 6, 30));
        assert_eq!(digest_rows(&store), vec!["team"]);
    }
}
