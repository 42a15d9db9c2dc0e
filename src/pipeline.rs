//! One check of one or more sources: fetch → extract → store → diff → tag → store.
//!
//! Fetching and extraction run concurrently (extraction on tokio's blocking pool); every write
//! for a source happens in one detection transaction, applied as each source's result arrives.
//! A source's failure is captured in its own report and recorded on the source; it never stops
//! the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::config::{Config, Source, SourceKind};
use crate::diff::diff_blocks;
use crate::extract::{self, BodyKind, ExtractError, Spec};
use crate::fetch::robots::{MAX_ROBOTS_BYTES, RobotsCache};
use crate::fetch::{FetchError, FetchOptions, Fetched, Fetcher, Validators};
use crate::model::Change;
use crate::notify::{alert_message_id, render, wants_alert};
use crate::store::{
    FetchLogEntry, FetchState, NewChange, NewMessage, RobotsRecord, Store, StoreError, now_text,
};
use crate::tag::documents::item_delta;
use crate::tag::{TagContext, tag_hunks};

/// A new text shorter than this fraction of the previous one is suspicious (a block page, a
/// half-rendered page), not a change: DESIGN.md §3 rule 3 ("more than 90 % shrunken").
pub const MAX_SHRINK: f64 = 0.10;
/// Texts shorter than this many bytes are too small for the shrink rule to mean anything.
const SHRINK_MIN_BYTES: i64 = 400;

/// What happened to one source in a check.
#[derive(Debug, Clone)]
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
    /// The check failed (recorded on the source, never a change).
    Failed(String),
}

impl Outcome {
    /// Short name used in the fetch log and output.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Baseline { .. } => "baseline",
            Outcome::Rebaselined { .. } => "rebaselined",
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "not_modified",
            Outcome::Changed(_) => "changed",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// The result of checking one source.
#[derive(Debug, Clone)]
pub struct Report {
    /// Source id.
    pub source: String,
    /// What happened.
    pub outcome: Outcome,
    /// Time spent fetching and extracting.
    pub duration: Duration,
    /// When the source is due again.
    pub next_check: chrono::DateTime<chrono::Utc>,
}

/// What fetching one source produced, ready for [`Checker::apply`].
pub struct Fetch {
    result: Result<Fetchedish, StageError>,
    elapsed: Duration,
    /// A robots.txt answer fetched on the way, to be cached in the database.
    robots: Option<RobotsRecord>,
}

/// When a check happened, how long it took, and when the next one is due.
#[derive(Clone, Copy)]
struct Timing<'a> {
    at: &'a str,
    duration_ms: u64,
    next_check: &'a str,
}

/// Errors of one source's check before anything is written.
#[derive(Debug, thiserror::Error)]
enum StageError {
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Extract(#[from] ExtractError),
    #[error("{0}")]
    Suspicious(String),
    #[error("{0}")]
    Robots(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("extraction task failed: {0}")]
    Join(String),
}

/// Runs checks for a configuration.
#[derive(Debug, Clone)]
pub struct Checker {
    config: Arc<Config>,
    fetcher: Fetcher,
    gate: Arc<crate::scheduler::HostGate>,
    robots: Arc<RobotsCache>,
}

/// What fetch + extract produced, ready to be written.
enum Fetchedish {
    NotModified(Fetched),
    SameBody(Fetched, String),
    Text(Fetched, String, Vec<String>),
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
        let gate = Arc::new(crate::scheduler::HostGate::new(s.per_host_delay));
        let robots = Arc::new(RobotsCache::new(&s.user_agent));
        Ok(Checker {
            config,
            fetcher,
            gate,
            robots,
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
            let Ok(at) = chrono::DateTime::parse_from_rfc3339(&r.fetched_at) else {
                continue;
            };
            self.robots
                .insert(&r.origin, r.status, &r.body, at.with_timezone(&chrono::Utc));
        }
        Ok(())
    }

    /// Checks the given sources (all when `ids` is empty), `max_concurrency` at a time, and returns
    /// one report per source in config order.
    ///
    /// # Errors
    /// Only when the database itself fails in a way that affects every source (cannot sync the
    /// source list). Per-source failures are reports.
    pub async fn check(
        &self,
        store: &mut Store,
        sources: &[&Source],
    ) -> Result<Vec<Report>, StoreError> {
        store.sync_sources(
            sources
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str(), s.url.as_str())),
        )?;
        self.load_robots(store)?;
        let mut jobs = Vec::with_capacity(sources.len());
        for (i, s) in sources.iter().enumerate() {
            let state = store.fetch_state(&s.id)?;
            jobs.push((i, (*s).clone(), state));
        }
        // Fetches run as their own tasks, so they keep going while this task writes results to
        // the database (one writer, one transaction per source).
        let mut stream = futures_util::stream::iter(jobs.into_iter().map(|(i, source, state)| {
            let checker = self.clone();
            tokio::spawn(async move {
                let fetched = checker.fetch(&source, &state).await;
                (i, source, state, fetched)
            })
        }))
        .buffer_unordered(self.config.settings.max_concurrency);

        let mut reports: Vec<(usize, Report)> = Vec::with_capacity(sources.len());
        while let Some(joined) = stream.next().await {
            match joined {
                Ok((i, source, state, fetched)) => {
                    reports.push((i, self.apply(store, &source, state, fetched)));
                }
                // A panic inside one fetch (a bug) loses that source's report, not the run.
                Err(e) => tracing::error!(error = %e, "a fetch task failed"),
            }
        }
        reports.sort_by_key(|(i, _)| *i);
        Ok(reports.into_iter().map(|(_, r)| r).collect())
    }

    /// Fetches and extracts one source (no database access), politely: one request at a time
    /// per host, `per_host_delay` apart, and only where the site's robots.txt allows it.
    pub async fn fetch(&self, source: &Source, state: &FetchState) -> Fetch {
        let started = Instant::now();
        let parsed = url::Url::parse(&source.url).ok();
        let host = parsed
            .as_ref()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let mut robots = None;
        let allowed = match (&parsed, source.respect_robots) {
            (Some(url), true) => self.robots_allow(url, &host, &mut robots).await,
            _ => Ok(()),
        };
        let result = match allowed {
            Ok(()) => {
                let _pass = self.gate.enter(&host).await;
                fetch_and_extract(&self.fetcher, source, state).await
            }
            Err(e) => Err(e),
        };
        Fetch {
            result,
            elapsed: started.elapsed(),
            robots,
        }
    }

    /// Whether robots.txt lets us fetch `url`; fetches robots.txt (through the host gate, like
    /// any request) when the cache has no answer younger than a day. A robots.txt that answers
    /// 4xx means no rules; one that cannot be read (5xx, timeout) means no fetch this time
    /// (RFC 9309 §2.3.1).
    async fn robots_allow(
        &self,
        url: &url::Url,
        host: &str,
        fetched: &mut Option<RobotsRecord>,
    ) -> Result<(), StageError> {
        let origin = url.origin().ascii_serialization();
        let rules = match self.robots.get(&origin, chrono::Utc::now()) {
            Some(r) => r,
            None => self.refresh_robots(&origin, host, fetched).await?,
        };
        let mut target = url.path().to_string();
        if let Some(q) = url.query() {
            target.push('?');
            target.push_str(q);
        }
        rules.check(&target).map_err(|refusal| {
            StageError::Robots(format!(
                "blocked by {origin}/robots.txt (\"Disallow: {}\" applies to {target} for user-agent {}); set respect_robots = false on this source only if the site owner agrees",
                refusal.pattern,
                crate::fetch::robots::product_token(&self.config.settings.user_agent),
            ))
        })
    }

    /// Fetches `origin`'s robots.txt through the host gate (unless another source of the host
    /// fetched it while this one waited) and caches it; `fetched` receives the answer for the
    /// database.
    async fn refresh_robots(
        &self,
        origin: &str,
        host: &str,
        fetched: &mut Option<RobotsRecord>,
    ) -> Result<Arc<crate::fetch::robots::Robots>, StageError> {
        let _pass = self.gate.enter(host).await;
        if let Some(r) = self.robots.get(origin, chrono::Utc::now()) {
            return Ok(r);
        }
        let at = chrono::Utc::now();
        let record = self
            .fetch_robots(origin, &crate::store::time_text(at))
            .await?;
        let rules = self.robots.insert(origin, record.status, &record.body, at);
        *fetched = Some(record);
        Ok(rules)
    }

    async fn fetch_robots(&self, origin: &str, at: &str) -> Result<RobotsRecord, StageError> {
        let url = format!("{origin}/robots.txt");
        let record = |status: u16, body: String| RobotsRecord {
            origin: origin.to_string(),
            fetched_at: at.to_string(),
            status,
            body,
        };
        match self.fetcher.fetch(&url, &Validators::default()).await {
            Ok(f) => {
                let end = f.body.len().min(MAX_ROBOTS_BYTES);
                let body = String::from_utf8_lossy(&f.body[..end]).into_owned();
                Ok(record(f.status, body))
            }
            Err(FetchError::Status { status, .. })
                if (400..500).contains(&status) && status != 429 =>
            {
                Ok(record(status, String::new()))
            }
            Err(e) => Err(StageError::Robots(format!(
                "robots.txt unreachable ({e}); the page is not fetched until it answers (set respect_robots = false to skip it)"
            ))),
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
        if let Some(r) = robots
            && let Err(e) = store.save_robots(&r)
        {
            tracing::warn!(source = %source.id, error = %e, "cannot cache robots.txt");
        }
        let at = now_text();
        let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        let retry_after = match &result {
            Err(StageError::Fetch(FetchError::Status { retry_after, .. })) => {
                retry_after.map(Duration::from_secs)
            }
            _ => None,
        };
        // The next check after a success is written in the detection transaction itself.
        let jitter = crate::scheduler::jitter_unit(&source.id);
        let next_ok = chrono::Utc::now()
            + chrono::Duration::from_std(crate::scheduler::next_delay(
                source.interval,
                0,
                jitter,
                None,
            ))
            .unwrap_or_default();
        let next_ok_text = crate::store::time_text(next_ok);
        let outcome = match result {
            Ok(f) => match self.detect(
                store,
                source,
                state,
                f,
                &Timing {
                    at: &at,
                    duration_ms,
                    next_check: &next_ok_text,
                },
            ) {
                Ok(o) => Ok(o),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        let outcome = outcome.unwrap_or_else(|error| {
            let log = FetchLogEntry {
                at,
                outcome: "failed",
                http_status: None,
                duration_ms,
                bytes: 0,
                error: Some(error.clone()),
            };
            if let Err(e) = store.record_failure(&source.id, &error, &log) {
                tracing::error!(source = %source.id, error = %e, "cannot record failure");
            }
            Outcome::Failed(error)
        });
        // After a failure: the interval backed off by the failure streak, never before Retry-After.
        let next = if matches!(outcome, Outcome::Failed(_)) {
            let streak = store.failure_streak(&source.id).unwrap_or(0);
            let delay = crate::scheduler::next_delay(source.interval, streak, jitter, retry_after);
            let next = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
            if let Err(e) = store.set_next_check(&source.id, &crate::store::time_text(next)) {
                tracing::error!(source = %source.id, error = %e, "cannot schedule next check");
            }
            next
        } else {
            next_ok
        };
        Report {
            source: source.id.clone(),
            outcome,
            duration: elapsed,
            next_check: next,
        }
    }

    fn detect(
        &self,
        store: &mut Store,
        source: &Source,
        prev: FetchState,
        f: Fetchedish,
        timing: &Timing<'_>,
    ) -> Result<Outcome, StageError> {
        let Timing {
            at,
            duration_ms,
            next_check,
        } = *timing;
        let fingerprint = source.extraction_fingerprint();
        let (fetched, body_hash, blocks) = match f {
            Fetchedish::NotModified(fetched) => (fetched, prev.body_hash.clone(), None),
            Fetchedish::SameBody(fetched, hash) => (fetched, Some(hash), None),
            Fetchedish::Text(fetched, hash, blocks) => (fetched, Some(hash), Some(blocks)),
        };
        let state = FetchState {
            validators: fetched.validators.clone(),
            body_hash,
            body_fingerprint: Some(fingerprint.to_string()),
        };
        let mut log = FetchLogEntry {
            at: at.to_string(),
            outcome: "unchanged",
            http_status: Some(fetched.status),
            duration_ms,
            bytes: fetched.body.len() as u64,
            error: None,
        };
        let det = store.begin_detection(&source.id)?;
        let latest = det.latest()?;
        let Some(blocks) = blocks else {
            // 304 or identical body: nothing to extract, nothing to compare.
            if let Some(l) = &latest {
                det.touch(l.id, at)?;
            }
            let outcome = if fetched.not_modified {
                Outcome::NotModified
            } else {
                Outcome::Unchanged
            };
            log.outcome = outcome.label();
            det.record_success(&state, false, &log, next_check)?;
            det.commit()?;
            return Ok(outcome);
        };
        let text = crate::store::join_blocks(&blocks);
        let hash = crate::store::text_hash(&text);
        let version = crate::store::Version {
            text: &text,
            hash: &hash,
            blocks: blocks.len(),
        };
        let outcome = match latest {
            None => {
                det.insert_snapshot(&version, fingerprint, true, at)?;
                Outcome::Baseline {
                    blocks: blocks.len(),
                }
            }
            Some(l) if l.fingerprint != fingerprint => {
                det.insert_snapshot(&version, fingerprint, true, at)?;
                Outcome::Rebaselined {
                    blocks: blocks.len(),
                }
            }
            Some(l) if l.text_hash == hash => {
                det.touch(l.id, at)?;
                Outcome::Unchanged
            }
            Some(l) => {
                let new_len = i64::try_from(text.len()).unwrap_or(i64::MAX);
                if l.size >= SHRINK_MIN_BYTES && (new_len as f64) < (l.size as f64) * MAX_SHRINK {
                    return Err(StageError::Suspicious(format!(
                        "text shrank from {} to {} bytes at once (more than 90 %): likely a block or error page, not a change",
                        l.size, new_len
                    )));
                }
                let old = det.load_blocks(&l.text_hash)?;
                let diff = diff_blocks(&old, &blocks);
                let ctx = TagContext {
                    lang: source.lang,
                    source_id: &source.id,
                    rules: &self.config.rules,
                };
                let tags = if source.has_items() {
                    // Feeds and JSON lists: new items are documents; the other tags look at new
                    // and changed items only, never at items that merely fell off the list.
                    let delta = item_delta(&old, &blocks);
                    let mut tags = delta.new_documents;
                    tags.extend(tag_hunks(&diff_blocks(&delta.old, &delta.new).hunks, &ctx));
                    crate::tag::sort_tags(&mut tags);
                    tags
                } else {
                    tag_hunks(&diff.hunks, &ctx)
                };
                let new_id = det.insert_snapshot(&version, fingerprint, false, at)?;
                let change_id = det.insert_change(&NewChange {
                    old_snapshot_id: l.id,
                    new_snapshot_id: new_id,
                    url: &fetched.final_url,
                    detected_at: at,
                    added: diff.added,
                    removed: diff.removed,
                    diff: &diff.unified,
                    edits: &diff.edits,
                    tags: &tags,
                })?;
                let change = Change {
                    id: change_id,
                    source: source.id.clone(),
                    source_name: source.name.clone(),
                    url: fetched.final_url.clone(),
                    detected_at: at.to_string(),
                    severity: Change::severity_of(&tags),
                    added: diff.added,
                    removed: diff.removed,
                    tags,
                    diff: diff.unified,
                    spans: diff.edits,
                };
                // Alerts are rendered now and written with the change: both or neither.
                let mail = &self.config.mail;
                let to: Vec<_> = self
                    .config
                    .recipients
                    .iter()
                    .filter(|r| wants_alert(r, &change))
                    .collect();
                if !to.is_empty() {
                    // One rendering and one instance id serve every recipient of this change.
                    let rendered = render::alert(&change, self.config.settings.timezone);
                    let instance = det.instance_id()?;
                    for r in to {
                        let message_id =
                            alert_message_id(&instance, change.id, &r.name, &mail.from);
                        det.enqueue(&NewMessage {
                            kind: "alert",
                            recipient: &r.name,
                            to: &r.emails,
                            change_id: Some(change.id),
                            message_id: &message_id,
                            subject: &rendered.subject,
                            text: &rendered.text,
                            html: &rendered.html,
                            at,
                        })?;
                    }
                }
                Outcome::Changed(Box::new(change))
            }
        };
        log.outcome = outcome.label();
        let changed = matches!(outcome, Outcome::Changed(_));
        det.record_success(&state, changed, &log, next_check)?;
        det.commit()?;
        Ok(outcome)
    }
}

async fn fetch_and_extract(
    fetcher: &Fetcher,
    source: &Source,
    prev: &FetchState,
) -> Result<Fetchedish, StageError> {
    let fetched = fetcher.fetch(&source.url, &prev.validators).await?;
    if fetched.not_modified {
        return Ok(Fetchedish::NotModified(fetched));
    }
    let body_hash = crate::hex(&Sha256::digest(&fetched.body));
    let fingerprint = source.extraction_fingerprint();
    if prev.body_hash.as_deref() == Some(body_hash.as_str())
        && prev.body_fingerprint.as_deref() == Some(fingerprint)
    {
        return Ok(Fetchedish::SameBody(fetched, body_hash));
    }
    let timeout = fetcher.options().timeout;
    let source = source.clone();
    let found = extract::sniff(&fetched.body);
    if source.kind == SourceKind::Pdf {
        if found != BodyKind::Pdf {
            return Err(wrong_body("a PDF document", found, &fetched).into());
        }
        let text = extract::pdf_text(&fetched.body, timeout).await?;
        let ignore = source.ignore.clone();
        return tokio::task::spawn_blocking(move || {
            let blocks = extract::pdf_blocks(&text, &ignore)?;
            Ok(Fetchedish::Text(fetched, body_hash, blocks))
        })
        .await
        .map_err(|e| StageError::Join(e.to_string()))?;
    }
    tokio::task::spawn_blocking(move || {
        let blocks = match source.kind {
            SourceKind::Html => {
                if matches!(found, BodyKind::Binary | BodyKind::Pdf) {
                    return Err(wrong_body("an HTML page", found, &fetched).into());
                }
                let text = extract::decode(&fetched.body, fetched.content_type.as_deref());
                extract::check_decoded(&text)?;
                let spec = Spec {
                    css: &source.css,
                    ignore: &source.ignore,
                };
                let blocks = extract::extract_html(&text, spec)?;
                let len: usize = blocks.iter().map(String::len).sum();
                if let Some(title) = extract::block_page(&text, len) {
                    return Err(ExtractError::Blocked(format!(
                        "a block or login page instead of the document (page title \"{title}\")"
                    ))
                    .into());
                }
                blocks
            }
            SourceKind::Feed => {
                if matches!(found, BodyKind::Binary | BodyKind::Pdf) {
                    return Err(wrong_body("an RSS or Atom feed", found, &fetched).into());
                }
                extract::feed_blocks(&fetched.body, source.filters())?
            }
            SourceKind::Json => {
                if found != BodyKind::Json {
                    return Err(wrong_body("a JSON document", found, &fetched).into());
                }
                let text = extract::decode(&fetched.body, fetched.content_type.as_deref());
                extract::json_blocks(&text, source.json_items.as_ref(), source.filters())?
            }
            SourceKind::Pdf => Vec::new(),
        };
        Ok(Fetchedish::Text(fetched, body_hash, blocks))
    })
    .await
    .map_err(|e| StageError::Join(e.to_string()))?
}

/// "expected X, received Y": names an HTML page by its title, since that is how a block page
/// ("Request Access", "Just a moment…") shows itself.
fn wrong_body(expected: &str, found: BodyKind, fetched: &Fetched) -> ExtractError {
    let note = if found == BodyKind::Html {
        let head = &fetched.body[..fetched.body.len().min(64 * 1024)];
        extract::title_note(&String::from_utf8_lossy(head))
    } else {
        String::new()
    };
    let ct = fetched
        .content_type
        .as_deref()
        .map(|c| format!(", Content-Type {c}"))
        .unwrap_or_default();
    let hint = if found == BodyKind::Html {
        ": a block, login or error page?"
    } else {
        ""
    };
    ExtractError::Invalid(format!(
        "{} where {expected} was expected{note}{ct}{hint}",
        found.describe()
    ))
}
