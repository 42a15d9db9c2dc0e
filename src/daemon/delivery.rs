//! Delivery beside the loop: a task with its own database connection that queues due digests and
//! drains the outbox every [`DELIVERY_TICK`](super::DELIVERY_TICK). A relay that accepts and never
//! answers holds only this task; shutdown cancels it at once, and the message being sent goes
//! back to `pending`.

use std::path::PathBuf;
use std::sync::Arc;

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

/// Runs until `stop` is cancelled.
pub async fn run(
    db: PathBuf,
    mut config: watch::Receiver<Arc<Config>>,
    started: Timestamp,
    stop: CancellationToken,
) {
    let mut store = match Store::open_existing(&db) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "delivery cannot open the database; no mail will be sent");
            return;
        }
    };
    let identity = FileId::of(&db);
    loop {
        // A database removed or replaced under us: stop writing (and sending) at once.
        if FileId::of(&db) != identity {
            tracing::error!(database = %db.display(), "the database file was removed or replaced: delivery stops");
            break;
        }
        let current = Arc::clone(&config.borrow_and_update());
        clamp_far_future(&mut store);
        digests::queue_due(&mut store, &current, started, Timestamp::now());
        match crate::notify::deliver_until(&mut store, &current, false, &stop).await {
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
            () = stop.cancelled() => break,
            () = tokio::time::sleep(DELIVERY_TICK) => {}
        }
    }
}
