//! The daemon's writer: one blocking thread that owns the write connection and turns finished
//! fetches into stored results ([`Checker::apply`]: verdict, diff, tags, one transaction). CPU-heavy
//! work and database waits happen here, never on the async loop that schedules.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::pipeline::{Checker, Finished, Report};
use crate::store::Store;

/// A finished fetch and the checker (configuration) to apply it with.
pub struct Job {
    /// The checker in force when the fetch was launched.
    pub checker: Checker,
    /// What the fetch produced.
    pub finished: Finished,
}

/// Starts the writer; jobs go in on the first channel, reports come out on the second. The
/// writer stops when the job channel closes (after writing what it holds).
pub fn spawn(mut store: Store) -> (mpsc::Sender<Job>, mpsc::Receiver<Report>, JoinHandle<()>) {
    let (jobs_tx, mut jobs) = mpsc::channel::<Job>(64);
    let (reports_tx, reports) = mpsc::channel::<Report>(256);
    let handle = tokio::task::spawn_blocking(move || {
        while let Some(Job { checker, finished }) = jobs.blocking_recv() {
            let (source, state, fetched) = finished;
            let report = checker.apply(&mut store, &source, state, fetched);
            if reports_tx.blocking_send(report).is_err() {
                // The loop has gone; keep writing what is queued so nothing fetched is lost.
                continue;
            }
        }
    });
    (jobs_tx, reports, handle)
}
