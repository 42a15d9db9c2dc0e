//! Health and metrics: counters fed by the daemon's loop, and the `/healthz` and `/metrics`
//! handlers of the web surface. Without a loop (`regwatch web`) health is the database's alone
//! and `/metrics` has only the gauges read from the database.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::Web;
use crate::model::OutboxState;
use crate::pipeline::{Outcome, Report};
use crate::store::Store;

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
    /// Sources whose last result could not be written (full disk, read-only file …).
    unrecorded: Mutex<BTreeSet<String>>,
    /// The database file was removed or replaced while running.
    database_lost: AtomicBool,
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
        if !matches!(r.outcome, Outcome::Failed(_) | Outcome::Skipped(_)) {
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

    /// The loop turned.
    pub fn beat(&self) {
        self.heartbeat
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    fn alive(&self) -> bool {
        chrono::Utc::now().timestamp() - self.heartbeat.load(Ordering::Relaxed)
            <= HEARTBEAT_STALE_SECS
    }

    fn render_counters(&self, o: &mut String) {
        use std::fmt::Write as _;
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
        let _ = writeln!(
            o,
            "# HELP regwatch_last_success_timestamp_seconds Unix time of the last successful check.\n# TYPE regwatch_last_success_timestamp_seconds gauge\nregwatch_last_success_timestamp_seconds {}",
            self.last_success.load(Ordering::Relaxed)
        );
    }

    /// Prometheus text format: the loop's counters (when there is a loop), then the gauges
    /// read from the database at scrape time.
    fn render(metrics: Option<&Metrics>, db: &std::path::Path) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        if let Some(m) = metrics {
            m.render_counters(&mut o);
        }
        if let Ok(store) = Store::open_existing(db) {
            // Counts and times only: a scrape never reads a message body.
            let summary = store.outbox_summary().unwrap_or_default();
            let _ = writeln!(
                o,
                "# HELP regwatch_outbox_messages Messages in the outbox by state.\n# TYPE regwatch_outbox_messages gauge"
            );
            for s in OutboxState::ALL {
                let n = summary
                    .by_state
                    .iter()
                    .find(|(state, _)| state == s)
                    .map_or(0, |(_, n)| *n);
                let _ = writeln!(o, "regwatch_outbox_messages{{state=\"{s}\"}} {n}");
            }
            let _ = writeln!(
                o,
                "# HELP regwatch_outbox_retrying Pending messages whose delivery failed at least once.\n# TYPE regwatch_outbox_retrying gauge\nregwatch_outbox_retrying {}",
                summary.retrying
            );
            let age = summary
                .oldest_pending
                .map_or(0, |t| t.until(crate::model::Timestamp::now()).as_secs());
            let _ = writeln!(
                o,
                "# HELP regwatch_outbox_oldest_pending_age_seconds Age of the oldest message not yet sent (0 when none).\n# TYPE regwatch_outbox_oldest_pending_age_seconds gauge\nregwatch_outbox_oldest_pending_age_seconds {age}"
            );
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

/// `/metrics`: Prometheus text format.
pub(super) async fn metrics(State(s): State<Web>) -> impl IntoResponse {
    let body = tokio::task::spawn_blocking(move || Metrics::render(s.metrics.as_deref(), &s.db))
        .await
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, TEXT)], body)
}
