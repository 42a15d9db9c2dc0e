//! One check of one or more sources: fetch → extract → store → diff → tag → store.
//!
//! # Architecture
//! [`Checker::launch`] runs a source's fetch and extraction as a task of its own (politely: the
//! robots.txt gate, then one request per host at a time) and hands the result back on a
//! channel; [`Checker::apply`] writes it, one detection transaction per source, and schedules
//! the source again. `check` (one pass) and the daemon (a loop) both drive these two steps, so
//! they share one fan-out. A source's failure is captured in its own report and recorded on the
//! source; it never stops the others.

mod accept;
mod access;
mod detect;
mod error;
mod offline;
mod preview;
mod robots;
mod verdict;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, mpsc};

use crate::config::{Config, Source};
use crate::extract::{Body, ExtractSpec};
use crate::fetch::robots::RobotsCache;
use crate::fetch::{FetchError, FetchOptions, Fetched, Fetcher, Hop, MAX_REDIRECTS};
use crate::model::{Change, CheckOutcome, Timestamp, Validators};
use crate::scheduler::{HostGate, LastCheck, jitter_unit, next_due};
use crate::store::{FetchLogEntry, FetchState, RobotsRecord, Store, StoreError};

pub use accept::Accepted;
pub use error::CheckError;
pub use offline::{
    Compared, ComparedVersions, VersionDiff, compare_files, compare_versions, version_diff,
};
pub use preview::Preview;
pub use verdict::{MAX_SHRINK, SHRINK_MIN_BYTES, Verdict, VersionInfo, verdict};

/// What happened to one source in a check.
#[derive(Debug)]
pub enum Outcome {
    /// First version stored (never alerted).
    Baseline {
        /// Blocks stored.
        blocks: usize,
    },
    /// Extraction settings changed: new version stored as a baseline, no change reported.
    Rebaselined {
        /// Blocks stored.
        blocks: usize,
    },
    /// Same text as last time.
    Unchanged,
    /// The server said 304 Not Modified.
    NotModified,
    /// The text changed.
    Changed(Box<Change>),
    /// The text shrank by more than 90 %, identically `settings.accept_shrink_after` checks in a
    /// row: stored as a new baseline (accepted), not reported as a change.
    Accepted {
        /// Blocks stored.
        blocks: usize,
        /// Size of the previous text, in bytes.
        old: i64,
        /// Size of the accepted text, in bytes.
        new: i64,
    },
    /// The check failed (recorded on the source, never a change).
    Failed(CheckError),
    /// The source was not fetched: a header it needs comes from an environment variable that
    /// is not set. Recorded on the source as its last error, but not as a failure: its failure
    /// streak does not grow (a source kept for when a key is there is not a broken one).
    Skipped(crate::config::EnvHeaderError),
}

impl Outcome {
    /// The kind of outcome, as the fetch log and metrics name it.
    #[must_use]
    pub fn kind(&self) -> CheckOutcome {
        match self {
            Outcome::Baseline { .. } => CheckOutcome::Baseline,
            Outcome::Rebaselined { .. } => CheckOutcome::Rebaselined,
            Outcome::Unchanged => CheckOutcome::Unchanged,
            Outcome::NotModified => CheckOutcome::NotModified,
            Outcome::Changed(_) => CheckOutcome::Changed,
            Outcome::Accepted { .. } => CheckOutcome::Accepted,
            Outcome::Failed(_) | Outcome::Skipped(_) => CheckOutcome::Failed,
        }
    }

    /// Short name used in the fetch log and output.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Skipped(_) => "skipped",
            _ => self.kind().as_str(),
        }
    }
}

/// The result of checking one source.
#[derive(Debug)]
pub struct Report {
    /// Source id.
    pub source: String,
    /// What happened.
    pub outcome: Outcome,
    /// Time spent fetching and extracting.
    pub duration: Duration,
    /// When the source is due again.
    pub next_check: Timestamp,
    /// False when the result could not be written to the database (a full disk): the caller
    /// must then keep the next due time itself.
    pub recorded: bool,
}

/// The HTTP facts of a fetch that outlive its body.
#[derive(Debug, Clone)]
struct Response {
    status: u16,
    final_url: String,
    validators: Validators,
    bytes: u64,
    not_modified: bool,
}

impl Response {
    /// What the stored version keeps of this fetch.
    fn facts(&self) -> crate::store::FetchFacts<'_> {
        crate::store::FetchFacts {
            final_url: &self.final_url,
            etag: self.validators.etag.as_deref(),
            last_modified: self.validators.last_modified.as_deref(),
        }
    }
}

/// What fetch + extract produced, ready to be written.
enum Got {
    /// 304: nothing to extract.
    NotModified(Response),
    /// The same raw body as last time (hash given), extracted with the same settings.
    SameBody(Response, String),
    /// A body (hash given) and its blocks.
    Text(Response, String, Vec<String>),
}

/// Why a fetch produced nothing: a failure, or a source skipped for a missing secret.
enum Miss {
    Failed(CheckError),
    Skipped(crate::config::EnvHeaderError),
}

impl From<Miss> for CheckError {
    fn from(m: Miss) -> CheckError {
        match m {
            Miss::Failed(e) => e,
            Miss::Skipped(e) => CheckError::EnvHeader(e),
        }
    }
}

impl From<CheckError> for Miss {
    fn from(e: CheckError) -> Miss {
        Miss::Failed(e)
    }
}

/// What fetching one source produced, ready for [`Checker::apply`].
pub struct Fetch {
    result: Result<Got, Miss>,
    elapsed: Duration,
    /// robots.txt answers fetched on the way (one per origin of the redirects followed), to be
    /// cached in the database.
    robots: Vec<RobotsRecord>,
}

/// A finished fetch on its way back to the writer: the source, its state before, the result.
pub type Finished = (Source, FetchState, Fetch);

/// Runs checks for a configuration.
#[derive(Debug, Clone)]
pub struct Checker {
    config: Arc<Config>,
    fetcher: Fetcher,
    /// Clients of the sources with a `ca_file`, by source id.
    fetchers: Arc<std::collections::HashMap<String, Fetcher>>,
    gate: Arc<HostGate>,
    robots: Arc<RobotsCache>,
    limit: Arc<Semaphore>,
}

impl Checker {
    /// Builds the HTTP client for this configuration.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(config: Arc<Config>) -> Result<Checker, FetchError> {
        let s = &config.settings;
        let fetcher = Fetcher::new(FetchOptions {
            user_agent: s.user_agent.clone(),
            timeout: s.timeout,
            max_body: s.max_body,
        })?;
        Ok(Checker {
            fetchers: Arc::new(access::source_fetchers(&config, &fetcher)?),
            gate: Arc::new(access::host_gate(&config)),
            robots: Arc::new(RobotsCache::new(&s.user_agent)),
            limit: Arc::new(Semaphore::new(s.max_concurrency.max(1))),
            fetcher,
            config,
        })
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fills the robots.txt cache from the database, so that a fresh process does not fetch
    /// robots.txt files it fetched less than a day ago.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn load_robots(&self, store: &Store) -> Result<(), StoreError> {
        for r in store.robots()? {
            self.robots
                .insert(&r.origin, r.status, &r.body, r.fetched_at.utc());
        }
        Ok(())
    }

    /// Checks the given sources, `max_concurrency` at a time, and returns one report per source
    /// in the order given.
    ///
    /// # Errors
    /// Only when the database itself fails in a way that affects every source (cannot sync the
    /// source list). Per-source failures are reports.
    pub async fn check(
        &self,
        store: &mut Store,
        sources: &[&Source],
    ) -> Result<Vec<Report>, StoreError> {
        self.check_with_progress(store, sources, |_, _| {}).await
    }

    /// [`Checker::check`], calling `progress(done, total)` after each source is written (for a
    /// progress line on a terminal).
    ///
    /// # Errors
    /// As [`Checker::check`].
    pub async fn check_with_progress(
        &self,
        store: &mut Store,
        sources: &[&Source],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Report>, StoreError> {
        store.sync_sources(
            sources
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str(), s.url.as_str())),
        )?;
        self.load_robots(store)?;
        // A few results wait for the writer at most, and a few sources are launched ahead of
        // it: a fetch that finds the queue full holds its `max_concurrency` permit until the
        // writer catches up, so texts never pile up in memory when storing is slower than
        // fetching (10,000 sources launched at once peaked at 620 MB).
        let queue = self
            .config
            .settings
            .max_concurrency
            .saturating_mul(2)
            .max(16);
        let ahead = queue + self.config.settings.max_concurrency;
        let (tx, mut rx) = mpsc::channel::<Finished>(queue);
        let mut rest = sources.iter();
        let mut tx = Some(tx);
        for _ in 0..ahead {
            self.launch_next(store, &mut rest, &mut tx)?;
        }
        // Results are written as they arrive, while the other fetches keep going.
        let mut reports = Vec::with_capacity(sources.len());
        while let Some((source, state, fetched)) = rx.recv().await {
            reports.push(self.apply(store, &source, state, fetched));
            progress(reports.len(), sources.len());
            self.launch_next(store, &mut rest, &mut tx)?;
        }
        // By position in `sources` (a map: a linear search per comparison is quadratic).
        let order: std::collections::HashMap<&str, usize> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        reports.sort_by_key(|r| order.get(r.source.as_str()).copied());
        Ok(reports)
    }

    /// Launches the next of `rest`, or, when none is left, drops the last sender so that the
    /// results channel closes once every launched fetch has answered.
    fn launch_next<'a>(
        &self,
        store: &Store,
        rest: &mut impl Iterator<Item = &'a &'a Source>,
        tx: &mut Option<mpsc::Sender<Finished>>,
    ) -> Result<(), StoreError> {
        match (rest.next(), tx.as_ref()) {
            (Some(s), Some(sender)) => {
                let state = store.fetch_state(&s.id)?;
                self.launch((*s).clone(), state, sender.clone());
            }
            _ => *tx = None,
        }
        Ok(())
    }

    /// Starts fetching and extracting one source as a task of its own, at most
    /// `max_concurrency` at once; the result arrives on `done`. A fetch that panics (a bug)
    /// arrives as that source's failure, so it is recorded and scheduled like any other.
    pub fn launch(&self, source: Source, state: FetchState, done: mpsc::Sender<Finished>) {
        let checker = self.clone();
        tokio::spawn(async move {
            let Ok(_permit) = Arc::clone(&checker.limit).acquire_owned().await else {
                return;
            };
            let started = Instant::now();
            let task = {
                let (checker, source, state) = (checker.clone(), source.clone(), state.clone());
                tokio::spawn(async move { checker.fetch(&source, &state).await })
            };
            let fetched = task.await.unwrap_or_else(|e| Fetch {
                result: Err(CheckError::Internal(format!("the fetch task failed: {e}")).into()),
                elapsed: started.elapsed(),
                robots: Vec::new(),
            });
            // The receiver is gone only when the caller stopped waiting (shutdown).
            let _ = done.send((source, state, fetched)).await;
        });
    }

    /// Fetches and extracts one source (no database access), politely: one request at a time
    /// per host, `per_host_delay` apart, and only where the site's robots.txt allows it. Each
    /// redirect is a hop of its own through the robots.txt and per-host gates of its host.
    pub async fn fetch(&self, source: &Source, state: &FetchState) -> Fetch {
        let started = Instant::now();
        let mut robots = Vec::new();
        // Read now, not at load time: a key set or rotated later is used at the next check.
        let result = match access::request_headers(source) {
            Err(missing) => Err(Miss::Skipped(missing)),
            Ok(headers) => match self.follow(source, state, &headers, &mut robots).await {
                Ok(fetched) => self.fetch_and_extract(source, state, fetched).await,
                Err(e) => Err(e),
            }
            .map_err(Miss::Failed),
        };
        Fetch {
            result,
            elapsed: started.elapsed(),
            robots,
        }
    }

    /// The request for `source` and its redirects, at most [`MAX_REDIRECTS`], http(s) only,
    /// each hop after its origin's robots.txt gate (when the source respects robots.txt) and
    /// inside its host's gate. Validators go with the first request only; the hops share one
    /// `timeout` (waits at the gates not counted); the final URL is the last hop's, shown
    /// without a password.
    async fn follow(
        &self,
        source: &Source,
        state: &FetchState,
        headers: &reqwest::header::HeaderMap,
        robots: &mut Vec<RobotsRecord>,
    ) -> Result<Fetched, CheckError> {
        let fetcher = self.fetcher_for(source);
        let timeout = fetcher.options().timeout;
        let start = url::Url::parse(&source.url).map_err(|e| {
            FetchError::Request(format!(
                "invalid URL {}: {e}",
                crate::util::redact_url(&source.url)
            ))
        })?;
        let mut url = start.clone();
        let no_headers = reqwest::header::HeaderMap::new();
        let none = Validators::default();
        let mut spent = Duration::ZERO;
        for hop in 0..=MAX_REDIRECTS {
            let host = url.host_str().unwrap_or_default().to_string();
            if source.respect_robots {
                let mut fetched = None;
                let allowed = self.robots_allow(fetcher, &url, &host, &mut fetched).await;
                robots.extend(fetched);
                allowed?;
            }
            let validators = if hop == 0 { &state.validators } else { &none };
            // Configured headers (API keys) go to the source's own origin only.
            let sent_headers = if access::same_origin(&start, &url) {
                headers
            } else {
                &no_headers
            };
            let answer = {
                let _pass = self.gate.enter(&host).await;
                let sent = Instant::now();
                let budget = timeout.saturating_sub(spent);
                let answer = fetcher
                    .fetch_hop_with(url.as_str(), validators, budget, sent_headers)
                    .await;
                spent += sent.elapsed();
                answer?
            };
            match answer {
                Hop::Done(mut fetched) => {
                    fetched.final_url = crate::util::redact_url(&fetched.final_url);
                    return Ok(fetched);
                }
                Hop::Redirect { to, .. } => url = to,
            }
        }
        Err(crate::fetch::too_many_redirects(url.as_str()).into())
    }

    /// The client for `source`: its own when it has a `ca_file`, else the shared one.
    fn fetcher_for(&self, source: &Source) -> &Fetcher {
        self.fetchers.get(&source.id).unwrap_or(&self.fetcher)
    }

    async fn fetch_and_extract(
        &self,
        source: &Source,
        prev: &FetchState,
        mut fetched: Fetched,
    ) -> Result<Got, CheckError> {
        let body = std::mem::take(&mut fetched.body);
        let response = Response {
            status: fetched.status,
            final_url: fetched.final_url,
            validators: fetched.validators,
            bytes: body.len() as u64,
            not_modified: fetched.not_modified,
        };
        if response.not_modified {
            return Ok(Got::NotModified(response));
        }
        let body_hash = crate::util::hex(&Sha256::digest(&body));
        if prev.body_hash.as_deref() == Some(body_hash.as_str())
            && prev.body_fingerprint.as_deref() == Some(source.extraction_fingerprint())
        {
            return Ok(Got::SameBody(response, body_hash));
        }
        let spec = Arc::new(self.extract_spec(source));
        let body = Body {
            bytes: body,
            content_type: fetched.content_type,
        };
        let blocks = crate::extract::extract(spec, body).await?;
        Ok(Got::Text(response, body_hash, blocks))
    }

    fn extract_spec(&self, source: &Source) -> ExtractSpec {
        ExtractSpec {
            kind: source.kind,
            css: source.css.clone(),
            ignore: source.ignore.clone(),
            keep_items: source.keep_items.clone(),
            keep_items_in_all: source.keep_items_in_all,
            json_items: source.json_items.clone(),
            tool_timeout: self.fetcher.options().timeout,
            // A tool printing without end (a broken or wrapped `pdftotext`) is stopped here.
            tool_output_cap: self.config.settings.max_body.saturating_mul(10),
        }
    }

    /// Writes one source's result (one transaction), schedules its next check, and reports.
    /// Any error becomes a recorded failure.
    pub fn apply(
        &self,
        store: &mut Store,
        source: &Source,
        state: FetchState,
        fetched: Fetch,
    ) -> Report {
        let Fetch {
            result,
            elapsed,
            robots,
        } = fetched;
        for r in &robots {
            if let Err(e) = store.save_robots(r) {
                tracing::warn!(source = %source.id, error = %e, "cannot cache robots.txt");
            }
        }
        let at = Timestamp::now();
        let jitter = jitter_unit(&source.id);
        // The next check after a success is written in the detection transaction itself.
        let timing = detect::Timing {
            at,
            duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            next_check: next_due(at, source.interval, LastCheck::Succeeded, jitter),
        };
        let result = result.and_then(|got| {
            self.detect(store, source, &state, got, &timing)
                .map_err(Miss::Failed)
        });
        let (outcome, next_check, recorded) = match result {
            Ok(outcome) => (outcome, timing.next_check, true),
            Err(Miss::Failed(e)) => {
                let (next, recorded) = record_failure(store, source, &e, &timing, jitter);
                (Outcome::Failed(e), next, recorded)
            }
            Err(Miss::Skipped(why)) => {
                let recorded = record_skip(store, source, &why.to_string(), &timing);
                (Outcome::Skipped(why), timing.next_check, recorded)
            }
        };
        Report {
            source: source.id.clone(),
            outcome,
            duration: elapsed,
            next_check,
            recorded,
        }
    }
}

/// The fetch-log row of a check that produced no text.
fn failed_log(timing: &detect::Timing, error: String) -> FetchLogEntry {
    FetchLogEntry {
        at: timing.at,
        outcome: CheckOutcome::Failed,
        http_status: None,
        duration_ms: timing.duration_ms,
        bytes: 0,
        error: Some(error),
    }
}

/// Records a skipped check on its source (the reason as its last error, the streak untouched)
/// and schedules the next one an interval later. Returns whether it could be written.
fn record_skip(store: &mut Store, source: &Source, reason: &str, timing: &detect::Timing) -> bool {
    let log = failed_log(timing, reason.to_string());
    match store.record_skip(&source.id, reason, &log, timing.next_check) {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(source = %source.id, error = %e, "cannot record a skipped check");
            false
        }
    }
}

/// Records a failed check on its source and schedules the next one: a retry after
/// [`crate::scheduler::retry_delay`] (minutes at first, doubling up to the interval), never
/// before the server's `Retry-After`. Returns the next due time and
/// whether the failure could be written; when it could not (a full disk), the streak is taken
/// as the longest backoff and the delay is at least [`crate::scheduler::RETRY_FIRST`], so even
/// an unrecorded failure never makes the source due at once.
fn record_failure(
    store: &mut Store,
    source: &Source,
    error: &CheckError,
    timing: &detect::Timing,
    jitter: f64,
) -> (Timestamp, bool) {
    let text = error.to_string();
    let log = failed_log(timing, text.clone());
    let next = |streak| {
        let last = LastCheck::Failed {
            streak,
            retry_after: error.retry_after(),
        };
        next_due(Timestamp::now(), source.interval, last, jitter)
    };
    // Failure, streak, next due time and log line: one transaction.
    match store.record_failure(&source.id, &text, error.suspect_hash(), &log, next) {
        Ok(at) => (at, true),
        Err(e) => {
            tracing::error!(source = %source.id, error = %e, "cannot record failure");
            // Never at once, even for a source checked every second: a disk that is full now
            // is not emptied by trying again.
            let floor = Timestamp::now().plus(crate::scheduler::RETRY_FIRST);
            (next(i64::MAX).max(floor), false)
        }
    }
}
