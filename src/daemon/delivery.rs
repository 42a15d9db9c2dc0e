//! Delivery beside the loop: a task with its own database connection that queues due digests and
//! drains the outbox every [`DELIVERY_TICK`](super::DELIVERY_TICK). A relay that accepts and never
//! answers holds only this task; shutdown cancels it at once, and the message being sent goes
//! back to `pending`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::lock::FileId;
use super::{DELIVERY_TICK, digests};
use crate::config::Config;
use crate::model::Timestamp;
use crate::scheduler::message_horizon;
use crate::store::Store;

/// A pending message is never due later than one backoff cap from now; anything later was
/// scheduled by a clock that jumped forward.
fn clamp_far_future(store: &mut Store) {
    let now = Timestamp::now();
    match store.clamp_due_messages(message_horizon(now), now) {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            messages = n,
            "messages due far in the future (the clock jumped?): made due now"
        ),
        Err(e) => tracing::error!(error = %e, "cannot check the outbox's due times"),
    }
}

/// A digest period is queued this long after it closes, so a change detected just before the
/// close but still being written (diff, tags) is in it rather than in no digest at all.
pub const DIGEST_GRACE: Duration = Duration::from_secs(120);

/// Longest pause before delivery is restarted after it stopped unexpectedly.
const MAX_RESTART_DELAY: Duration = Duration::from_secs(300);

/// Why one run of delivery ended.
enum Ended {
    /// Shutdown.
    Stopped,
    /// The database file was removed or replaced: nothing more may be written.
    DatabaseLost,
    /// The database could not be opened (it is tried again).
    CannotOpen,
}

/// Runs delivery until `stop` is cancelled, restarting it (with a growing pause) when it
/// stops unexpectedly — a panic in rendering, a database that cannot be opened for a while —
/// so mail never silently stops while the daemon runs.
pub async fn supervise(
    db: PathBuf,
    config: watch::Receiver<Arc<Config>>,
    started: Timestamp,
    stop: CancellationToken,
) {
    let mut delay = Duration::from_secs(1);
    loop {
        let task = tokio::spawn(run(db.clone(), config.clone(), started, stop.clone()));
        match task.await {
            Ok(Ended::Stopped | Ended::DatabaseLost) => return,
            Ok(Ended::CannotOpen) => {}
            Err(e) => tracing::error!(error = %e, "delivery stopped unexpectedly; restarting it"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(MAX_RESTART_DELAY);
    }
}

/// Runs until `stop` is cancelled.
async fn run(
    db: PathBuf,
    mut config: watch::Receiver<Arc<Config>>,
    started: Timestamp,
    stop: CancellationToken,
) -> Ended {
    let mut store = match Store::open_existing(&db) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "delivery cannot open the database; trying again");
            return Ended::CannotOpen;
        }
    };
    let identity = FileId::of(&db);
    loop {
        // A database removed or replaced under us: stop writing (and sending) at once.
        if FileId::of(&db) != identity {
            tracing::error!(database = %db.display(), "the database file was removed or replaced: delivery stops");
            return Ended::DatabaseLost;
        }
        let current = Arc::clone(&config.borrow_and_update());
        clamp_far_future(&mut store);
        digests::queue_due(
            &mut store,
            &current,
            started,
            Timestamp::now().minus(DIGEST_GRACE),
        );
        // While a receiver hangs, the other lanes take in what falls due meanwhile (new alerts,
        // the digests of a period that closed), so nobody waits for the slowest receiver.
        let mut before_refill = |store: &mut Store| {
            clamp_far_future(store);
            digests::queue_due(
                store,
                &current,
                started,
                Timestamp::now().minus(DIGEST_GRACE),
            );
        };
        let refill = crate::notify::Refill {
            every: DELIVERY_TICK,
            before: &mut before_refill,
        };
        match crate::notify::deliver_until(&mut store, &current, false, &stop, Some(refill)).await {
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
        tokio::select! {
            () = stop.cancelled() => return Ended::Stopped,
            () = tokio::time::sleep(DELIVERY_TICK) => {}
        }
    }
}
