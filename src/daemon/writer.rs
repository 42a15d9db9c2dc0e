//! The daemon's writer: one blocking thread that owns the write connection and turns finished
//! fetches into stored results ([`Checker::apply`]: verdict, diff, tags, one transaction). CPU-heavy
//! work and database waits happen here, never on the async loop that schedules. A panic while
//! writing one result (a bug) becomes that source's failure; the writer goes on.

use std::panic::AssertUnwindSafe;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::model::Timestamp;
use crate::pipeline::{CheckError, Checker, Finished, Outcome, Report};
use crate::store::Store;

/// A finished fetch and the checker (configuration) to apply it with.
pub struct Job {
    /// The checker in force when the result arrived (after a reload, the new rules and
    /// recipients apply).
    pub checker: Checker,
    /// What the fetch produced.
    pub finished: Finished,
}

/// Starts the writer; jobs go in on the first channel, reports come out on the second (never
/// full, so the writer never waits on the loop). The writer stops when the job channel closes,
/// after writing what it holds.
pub fn spawn(
    mut store: Store,
) -> (
    mpsc::Sender<Job>,
    mpsc::UnboundedReceiver<Report>,
    JoinHandle<()>,
) {
    let (jobs_tx, mut jobs) = mpsc::channel::<Job>(64);
    let (reports_tx, reports) = mpsc::unbounded_channel::<Report>();
    let handle = tokio::task::spawn_blocking(move || {
        while let Some(Job { checker, finished }) = jobs.blocking_recv() {
            let (source, state, fetched) = finished;
            let id = source.id.clone();
            let interval = source.interval;
            let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
                checker.apply(&mut store, &source, state, fetched)
            }));
            let report = applied.unwrap_or_else(|panic| Report {
                source: id,
                outcome: Outcome::Failed(CheckError::Internal(panic_text(&*panic))),
                duration: std::time::Duration::ZERO,
                next_check: Timestamp::now().plus(interval),
                recorded: false,
            });
            // The loop may have gone (shutdown); what is queued is still written.
            let _ = reports_tx.send(report);
        }
    });
    (jobs_tx, reports, handle)
}

/// The message of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
