//! Health and metrics: counters fed by the daemon's loop, and the `/healthz` and `/metrics`
//! handlers of the web surface. Without a loop (`regwatch web`) health is the database's alone
//! and `/metrics` has only the gauges read from the database.
//!
//! The metrics are `prometheus-client` values (docs/ARCHITECTURE.md, "Web"): the loop's counters
//! and histogram live in [`Metrics`]; each scrape registers them, with gauges read from the
//! database at that moment, in a fresh [`Registry`] and encodes it with the crate's Prometheus
//! text encoder (format 0.0.4). Names, types and labels are a contract with dashboards and
//! alert rules: `tests/metrics.rs` parses the exposition and checks each of them.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::Web;
use crate::model::{CheckOutcome, OutboxState, Severity};
use crate::pipeline::{Outcome, Report};
use crate::store::Store;

/// The loop counts as alive when it turned within this many seconds.
const HEARTBEAT_STALE_SECS: i64 = 60;

/// Fetch-duration histogram buckets, in seconds.
const BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The label of `regwatch_checks_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

/// The label of `regwatch_changes_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SeverityLabel {
    severity: &'static str,
}

/// The label of `regwatch_outbox_messages`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

/// Counters served at `/metrics`, and the loop's health.
#[derive(Debug)]
pub struct Metrics {
    /// `regwatch_checks_total{outcome}`.
    checks: Family<OutcomeLabel, Counter>,
    /// `regwatch_changes_total{severity}`.
    changes: Family<SeverityLabel, Counter>,
    /// `regwatch_fetch_duration_seconds`.
    durations: Histogram,
    /// `regwatch_last_success_timestamp_seconds`.
    last_success: Gauge,
    heartbeat: AtomicI64,
    /// Sources whose last result could not be written (full disk, read-only file …).
    unrecorded: Mutex<BTreeSet<String>>,
    /// The database file was removed or replaced while running.
    database_lost: AtomicBool,
}

impl Default for Metrics {
    /// Every outcome and severity starts at 0, so each series exists from the first scrape
    /// (an alert rule on `rate(…)` or `increase(…)` then sees its first increment).
    fn default() -> Metrics {
        let checks = Family::<OutcomeLabel, Counter>::default();
        let outcomes = CheckOutcome::ALL.iter().map(|o| o.as_str());
        for outcome in outcomes.chain(["skipped"]) {
            drop(checks.get_or_create(&OutcomeLabel { outcome }));
        }
        let changes = Family::<SeverityLabel, Counter>::default();
        for s in Severity::ALL {
            drop(changes.get_or_create(&SeverityLabel {
                severity: s.as_str(),
            }));
        }
        Metrics {
            checks,
            changes,
            durations: Histogram::new(BUCKETS.iter().copied()),
            last_success: Gauge::default(),
            heartbeat: AtomicI64::new(0),
            unrecorded: Mutex::new(BTreeSet::new()),
            database_lost: AtomicBool::new(false),
        }
    }
}

impl Metrics {
    /// Records that the database file is gone or replaced: health stays 503 from now on.
    pub fn set_database_lost(&self) {
        self.database_lost.store(true, Ordering::Relaxed);
    }

    /// Whether [`Metrics::set_database_lost`] was called.
    #[must_use]
    pub fn database_lost(&self) -> bool {
        self.database_lost.load(Ordering::Relaxed)
    }

    /// Why the service is unhealthy, if it is (apart from the database probe).
    fn problem(&self) -> Option<&'static str> {
        if self.database_lost() {
            Some("the database file was removed or replaced while running")
        } else if !self
            .unrecorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
        {
            Some("results cannot be written to the database (disk full or read-only?)")
        } else if !self.alive() {
            Some("the scheduling loop is stuck")
        } else {
            None
        }
    }

    /// Counts one check.
    pub fn record(&self, r: &Report) {
        {
            let mut unrecorded = self
                .unrecorded
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if r.recorded {
                unrecorded.remove(&r.source);
            } else {
                unrecorded.insert(r.source.clone());
            }
        }
        self.checks
            .get_or_create(&OutcomeLabel {
                outcome: r.outcome.label(),
            })
            .inc();
        if let Outcome::Changed(c) = &r.outcome {
            self.changes
                .get_or_create(&SeverityLabel {
                    severity: c.severity.as_str(),
                })
                .inc();
        }
        if !matches!(r.outcome, Outcome::Failed(_) | Outcome::Skipped(_)) {
            self.last_success.set(chrono::Utc::now().timestamp());
        }
        self.durations.observe(r.duration.as_secs_f64());
    }

    /// The loop turned.
    pub fn beat(&self) {
        self.heartbeat
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    fn alive(&self) -> bool {
        chrono::Utc::now().timestamp() - self.heartbeat.load(Ordering::Relaxed)
            <= HEARTBEAT_STALE_SECS
    }

    /// Registers the loop's metrics (shared handles: the registry reads their current values).
    fn register(&self, registry: &mut Registry) {
        registry.register("regwatch_checks", "Checks by outcome", self.checks.clone());
        registry.register(
            "regwatch_changes",
            "Changes detected by severity",
            self.changes.clone(),
        );
        registry.register(
            "regwatch_fetch_duration_seconds",
            "Fetch and extraction time per check",
            self.durations.clone(),
        );
        registry.register(
            "regwatch_last_success_timestamp_seconds",
            "Unix time of the last successful check",
            self.last_success.clone(),
        );
    }

    /// Prometheus text format: the loop's counters (when there is a loop), then the gauges
    /// read from the database at scrape time.
    fn render(metrics: Option<&Metrics>, db: &std::path::Path) -> Result<String, std::fmt::Error> {
        let mut registry = Registry::default();
        if let Some(m) = metrics {
            m.register(&mut registry);
        }
        if let Ok(store) = Store::open_existing(db) {
            register_database_gauges(&store, &mut registry);
        }
        let mut o = String::new();
        prometheus_text::encode(&mut o, &registry)?;
        Ok(o)
    }
}

/// The gauges read from the database at scrape time: counts and times only, a scrape never
/// reads a message body.
fn register_database_gauges(store: &Store, registry: &mut Registry) {
    let summary = store.outbox_summary().unwrap_or_default();
    let messages = Family::<StateLabel, Gauge>::default();
    for s in OutboxState::ALL {
        let n = summary
            .by_state
            .iter()
            .find(|(state, _)| state == s)
            .map_or(0, |(_, n)| *n);
        messages
            .get_or_create(&StateLabel { state: s.as_str() })
            .set(n);
    }
    registry.register(
        "regwatch_outbox_messages",
        "Messages in the outbox by state",
        messages,
    );
    let retrying = Gauge::<i64>::default();
    retrying.set(summary.retrying);
    registry.register(
        "regwatch_outbox_retrying",
        "Pending messages whose delivery failed at least once",
        retrying,
    );
    let age = Gauge::<i64>::default();
    age.set(summary.oldest_pending.map_or(0, |t| {
        i64::try_from(t.until(crate::model::Timestamp::now()).as_secs()).unwrap_or(i64::MAX)
    }));
    registry.register(
        "regwatch_outbox_oldest_pending_age_seconds",
        "Age of the oldest message not yet sent (0 when none)",
        age,
    );
    let failing = Gauge::<i64>::default();
    failing.set(store.source_health().map_or(0, |h| {
        i64::try_from(h.iter().filter(|s| s.failure_streak > 0).count()).unwrap_or(i64::MAX)
    }));
    registry.register(
        "regwatch_sources_failing",
        "Sources whose last check failed",
        failing,
    );
}

const TEXT: &str = "text/plain; version=0.0.4";

/// `/healthz`: 200 `ok`, or 503 `unhealthy: why`.
pub(super) async fn healthz(State(s): State<Web>) -> impl IntoResponse {
    let db = s.db.clone();
    let db_ok = tokio::task::spawn_blocking(move || {
        Store::open_existing(&db)
            .and_then(|s| s.quick_check())
            .is_ok_and(|first| first == "ok")
    })
    .await
    .unwrap_or(false);
    let problem = s
        .metrics
        .as_deref()
        .and_then(Metrics::problem)
        .or((!db_ok).then_some("the database cannot be opened or is damaged"));
    match problem {
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, TEXT)],
            "ok\n".to_string(),
        ),
        Some(p) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, TEXT)],
            format!("unhealthy: {p}\n"),
        ),
    }
}

/// `/metrics`: Prometheus text format (0.0.4), written by `prometheus-client`.
pub(super) async fn metrics(State(s): State<Web>) -> impl IntoResponse {
    let body = tokio::task::spawn_blocking(move || Metrics::render(s.metrics.as_deref(), &s.db))
        .await
        .map_err(|e| format!("the scrape's task failed: {e}"))
        .and_then(|r| r.map_err(|e| format!("cannot encode the metrics: {e}")));
    match body {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
            body,
        ),
        Err(e) => {
            tracing::error!(error = %e, "/metrics failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, TEXT)],
                format!("{e}\n"),
            )
        }
    }
}
