//! The durable outbox: messages written with the change they announce (one transaction), then
//! claimed, sent and marked by the delivery step, which retries with backoff and survives restarts.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Ctx, Detection, Store, StoreError};
use crate::model::{Channel, MessageKind, OutboxState, Timestamp, WebhookFormat};

/// A message to enqueue (already rendered).
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Alert or digest.
    pub kind: MessageKind,
    /// E-mail or webhook.
    pub channel: Channel,
    /// The payload of a webhook message (`None` for e-mail).
    pub format: Option<WebhookFormat>,
    /// Recipient name.
    pub recipient: &'a str,
    /// Addresses (empty for a webhook: its URL is a secret, read from the environment when the
    /// message is sent, never stored).
    pub to: &'a [String],
    /// The change an alert announces.
    pub change_id: Option<i64>,
    /// Stable `Message-ID` (with angle brackets).
    pub message_id: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text part (a webhook's JSON payload).
    pub text: &'a str,
    /// HTML part (empty for a webhook).
    pub html: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A message in the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// Alert or digest.
    pub kind: MessageKind,
    /// Recipient name.
    pub recipient: String,
    /// Addresses (empty for a webhook).
    pub to: Vec<String>,
    /// E-mail or webhook.
    pub channel: Channel,
    /// The payload of a webhook message: `slack`, `teams` or `json` (`null` for e-mail).
    pub format: Option<WebhookFormat>,
    /// Change announced (alerts).
    pub change_id: Option<i64>,
    /// `Message-ID` header.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Where it is in delivery.
    pub state: OutboxState,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Next attempt (pending messages).
    pub next_attempt_at: Timestamp,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
    /// When the process sending it claimed it (messages in `sending`).
    pub claimed_at: Option<Timestamp>,
    /// The first failed attempt since it was queued or requeued: transient failures are retried
    /// for `settings.delivery_retry_for` from then.
    pub first_failed_at: Option<Timestamp>,
    /// When its bodies were pruned (sent messages older than `settings.outbox_retention`).
    pub pruned_at: Option<Timestamp>,
    /// Plain-text body, or a webhook's JSON payload (empty in listings: only [`Store::message`]
    /// reads it).
    #[serde(skip)]
    pub body_text: String,
    /// HTML body (empty in listings: only [`Store::message`] reads it).
    #[serde(skip)]
    pub body_html: String,
}

/// Inserts a message; when an equal one is already queued (same `Message-ID`, or the same alert to
/// the same recipient), returns that row's id instead, never the id of an unrelated row.
fn insert(tx: &rusqlite::Transaction<'_>, m: &NewMessage<'_>) -> Result<i64, StoreError> {
    let to = serde_json::to_string(m.to).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (kind, recipient, to_addrs, change_id, message_id, subject, body_text,
                             body_html, next_attempt_at, created_at, channel, format)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)
         ON CONFLICT DO NOTHING",
    )
    .ctx("enqueue message")?
    .execute(params![
        m.kind,
        m.recipient,
        to,
        m.change_id,
        m.message_id,
        m.subject,
        m.text,
        m.html,
        m.at,
        m.channel,
        m.format
    ])
    .ctx("enqueue message")
    .and_then(|n| {
        if n == 1 {
            return Ok(tx.last_insert_rowid());
        }
        tx.prepare_cached(
            "SELECT id FROM outbox WHERE message_id = ?1
                OR (kind = 'alert' AND ?2 = 'alert' AND recipient = ?3 AND change_id = ?4
                    AND channel = ?5)
             ORDER BY id LIMIT 1",
        )
        .ctx("enqueue message")?
        .query_row(
            params![m.message_id, m.kind, m.recipient, m.change_id, m.channel],
            |r| r.get(0),
        )
        .ctx("enqueue message")
    })
}

/// Every column but the bodies, which can be megabytes each: listings, metrics and the delivery
/// queue read these only.
const META_COLUMNS: &str =
    "id, kind, recipient, to_addrs, change_id, message_id, subject, state, attempts,
     next_attempt_at, last_error, created_at, sent_at, claimed_at, first_failed_at, pruned_at,
     '' AS body_text, '' AS body_html, channel, format";

/// Every column, bodies included: one message at a time.
const FULL_COLUMNS: &str =
    "id, kind, recipient, to_addrs, change_id, message_id, subject, state, attempts,
     next_attempt_at, last_error, created_at, sent_at, claimed_at, first_failed_at, pruned_at,
     body_text, body_html, channel, format";

/// How the outbox stands, from counts and metadata (no bodies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxSummary {
    /// Messages per state, in [`OutboxState::ALL`] order.
    pub by_state: Vec<(OutboxState, i64)>,
    /// Pending messages that failed at least once (retrying).
    pub retrying: i64,
    /// Creation time of the oldest pending or sending message.
    pub oldest_pending: Option<Timestamp>,
    /// Next attempt of the earliest pending message.
    pub next_due: Option<Timestamp>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let to: String = r.get(3)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        recipient: r.get(2)?,
        to: serde_json::from_str(&to).unwrap_or_default(),
        channel: r.get(18)?,
        format: r.get(19)?,
        change_id: r.get(4)?,
        message_id: r.get(5)?,
        subject: r.get(6)?,
        state: r.get(7)?,
        attempts: r.get(8)?,
        next_attempt_at: r.get(9)?,
        last_error: r.get(10)?,
        created_at: r.get(11)?,
        sent_at: r.get(12)?,
        claimed_at: r.get(13)?,
        first_failed_at: r.get(14)?,
        pruned_at: r.get(15)?,
        body_text: r.get(16)?,
        body_html: r.get(17)?,
    })
}

fn instance_id(conn: &rusqlite::Connection) -> Result<String, StoreError> {
    conn.query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| {
        r.get(0)
    })
    .ctx("read instance id")
}

impl Detection<'_> {
    /// Enqueues an alert in the detection's transaction (so a change and its alerts are stored
    /// together or not at all).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn enqueue(&self, m: &NewMessage<'_>) -> Result<i64, StoreError> {
        insert(self.tx(), m)
    }

    /// This database's instance id (see [`Store::instance_id`]).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn instance_id(&self) -> Result<String, StoreError> {
        instance_id(self.tx())
    }
}

impl Store {
    /// This database's random instance id (part of every `Message-ID`).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn instance_id(&self) -> Result<String, StoreError> {
        instance_id(&self.conn)
    }

    /// The end of the recipient's previous digest period, if any.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn last_digest_until(&self, recipient: &str) -> Result<Option<Timestamp>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(until) FROM digests WHERE recipient = ?1",
                [recipient],
                |r| r.get::<_, Option<Timestamp>>(0),
            )
            .ctx("read last digest")
    }

    /// Enqueues a digest (one message per channel of the recipient: e-mail, webhook, or both)
    /// and records its period, in one transaction. Returns `false` when that period was already
    /// recorded (by another process or an earlier run). With no message (a recipient whose only
    /// channel is a skipped webhook), the period is recorded all the same.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn enqueue_digest(
        &mut self,
        recipient: &str,
        messages: &[NewMessage<'_>],
        since: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction().ctx("enqueue digest")?;
        let done: bool = tx
            .prepare_cached("SELECT 1 FROM digests WHERE recipient = ?1 AND until = ?2")
            .ctx("enqueue digest")?
            .exists(params![recipient, until])
            .ctx("enqueue digest")?;
        if done {
            return Ok(false);
        }
        let mut first = None;
        for m in messages {
            let id = insert(&tx, m)?;
            first.get_or_insert(id);
        }
        tx.prepare_cached(
            "INSERT INTO digests (recipient, since, until, outbox_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("enqueue digest")?
        .execute(params![recipient, since, until, first, until])
        .ctx("enqueue digest")?;
        tx.commit().ctx("enqueue digest")?;
        Ok(true)
    }

    /// Messages left in `sending` by a process that died before `older_than` go back to `pending`.
    /// This is where a crash can cause one duplicate: the message may have reached the server
    /// before the process died, and there is no way to know.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn reclaim_stale(&mut self, older_than: Timestamp) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'pending', claimed_at = NULL
                 WHERE state = 'sending' AND claimed_at < ?1",
                [older_than],
            )
            .ctx("reclaim messages")
    }

    /// Pending messages due at `now` (all pending ones when `now` is `None`), oldest first,
    /// without their bodies (read each with [`Store::message`] when it is sent).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn due_messages(&self, now: Option<Timestamp>) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {META_COLUMNS} FROM outbox WHERE state = 'pending' AND (?1 IS NULL OR next_attempt_at <= ?1) ORDER BY id"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .ctx("read due messages")?
            .query_map([now], row)
            .ctx("read due messages")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("read due messages")?;
        Ok(rows)
    }

    /// Claims a message for sending; `false` when another process claimed it first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn claim(&mut self, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("UPDATE outbox SET state = 'sending', claimed_at = ?2 WHERE id = ?1 AND state = 'pending'")
            .ctx("claim message")?
            .execute(params![id, now])
            .ctx("claim message")?;
        Ok(n == 1)
    }

    /// Pending messages whose next attempt lies after `latest` (a clock that jumped forward
    /// scheduled them) are made due at `now`. Returns how many.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn clamp_due_messages(
        &mut self,
        latest: Timestamp,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE outbox SET next_attempt_at = ?2 WHERE state = 'pending' AND next_attempt_at > ?1",
            )
            .ctx("clamp message times")?
            .execute(params![latest, now])
            .ctx("clamp message times")
    }

    /// Gives back a claim without an attempt (delivery was interrupted by shutdown).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    ///
    /// Like [`Store::mark_sent`] and [`Store::mark_failed`], it changes the row only while this
    /// claim (`claimed`, the time [`Store::claim`] was given) still holds it: a claim that
    /// another process reclaimed and finished is never overwritten. Returns whether it did.
    pub fn release(&mut self, id: i64, claimed: Timestamp) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET state = 'pending', claimed_at = NULL
                 WHERE id = ?1 AND state = 'sending' AND claimed_at = ?2",
            )
            .ctx("release message")?
            .execute(params![id, claimed])
            .ctx("release message")?;
        Ok(n == 1)
    }

    /// Marks a message sent, if the claim `claimed` still holds it (see [`Store::release`]).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn mark_sent(
        &mut self,
        id: i64,
        claimed: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET state = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1 AND state = 'sending' AND claimed_at = ?3",
            )
            .ctx("mark sent")?
            .execute(params![id, now, claimed])
            .ctx("mark sent")?;
        Ok(n == 1)
    }

    /// Records a failed attempt made at `now`: back to `pending` with a next attempt time, or
    /// `dead` when `retry_at` is `None`. The first failure since the message was queued is kept.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn mark_failed(
        &mut self,
        id: i64,
        claimed: Timestamp,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, claimed_at = NULL,
                     state = CASE WHEN ?3 IS NULL THEN 'dead' ELSE 'pending' END,
                     next_attempt_at = COALESCE(?3, next_attempt_at),
                     first_failed_at = COALESCE(first_failed_at, ?4)
                 WHERE id = ?1 AND state = 'sending' AND claimed_at = ?5",
            )
            .ctx("mark failed")?
            .execute(params![id, error, retry_at, now, claimed])
            .ctx("mark failed")?;
        Ok(n == 1)
    }

    /// Puts messages back in the queue, due at `now`, with their attempts kept and their retry
    /// period started afresh: the given ids (pending or dead ones), or every dead message when
    /// `ids` is empty. Returns the requeued messages (without bodies), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn requeue(&mut self, ids: &[i64], now: Timestamp) -> Result<Vec<OutboxRow>, StoreError> {
        let tx = self.conn.transaction().ctx("requeue messages")?;
        let mut done = Vec::new();
        {
            let sql = format!(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, claimed_at = NULL,
                     first_failed_at = NULL
                 WHERE id = ?1 AND state IN ('pending', 'dead')
                 RETURNING {META_COLUMNS}"
            );
            let mut one = tx.prepare_cached(&sql).ctx("requeue messages")?;
            let targets: Vec<i64> = if ids.is_empty() {
                tx.prepare_cached("SELECT id FROM outbox WHERE state = 'dead' ORDER BY id")
                    .ctx("requeue messages")?
                    .query_map([], |r| r.get(0))
                    .ctx("requeue messages")?
                    .collect::<Result<_, _>>()
                    .ctx("requeue messages")?
            } else {
                ids.to_vec()
            };
            for id in targets {
                if let Some(r) = one
                    .query_row(params![id, now], row)
                    .optional()
                    .ctx("requeue messages")?
                {
                    done.push(r);
                }
            }
        }
        tx.commit().ctx("requeue messages")?;
        Ok(done)
    }

    /// Blanks the bodies of messages sent before `before` (the rows stay: who was sent what, and
    /// when). Returns how many were pruned.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn prune_sent_bodies(
        &mut self,
        before: Timestamp,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE outbox SET body_text = '', body_html = '', pruned_at = ?2
                 WHERE state = 'sent' AND sent_at < ?1 AND pruned_at IS NULL",
            )
            .ctx("prune sent messages")?
            .execute(params![before, now])
            .ctx("prune sent messages")
    }

    /// Counts and times that describe the outbox, read without any body.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn outbox_summary(&self) -> Result<OutboxSummary, StoreError> {
        let mut by_state = Vec::new();
        for s in OutboxState::ALL {
            let n: i64 = self
                .conn
                .prepare_cached("SELECT count(*) FROM outbox WHERE state = ?1")
                .ctx("count messages")?
                .query_row([s], |r| r.get(0))
                .ctx("count messages")?;
            by_state.push((*s, n));
        }
        self.conn
            .prepare_cached(
                "SELECT
                    (SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts > 0),
                    (SELECT min(created_at) FROM outbox WHERE state IN ('pending', 'sending')),
                    (SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending')",
            )
            .ctx("summarize outbox")?
            .query_row([], |r| {
                Ok(OutboxSummary {
                    by_state,
                    retrying: r.get(0)?,
                    oldest_pending: r.get(1)?,
                    next_due: r.get(2)?,
                })
            })
            .ctx("summarize outbox")
    }

    /// Messages that need a person's eye, without bodies, oldest first: dead ones, and pending
    /// ones that failed at least once.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn troubled_messages(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {META_COLUMNS} FROM outbox
             WHERE state = 'dead' OR (state = 'pending' AND attempts > 0) ORDER BY id"
        );
        self.conn
            .prepare_cached(&sql)
            .ctx("list troubled messages")?
            .query_map([], row)
            .ctx("list troubled messages")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list troubled messages")
    }

    /// Every message, newest first, without bodies.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!("SELECT {META_COLUMNS} FROM outbox ORDER BY id DESC");
        let rows = self
            .conn
            .prepare_cached(&sql)
            .ctx("list outbox")?
            .query_map([], row)
            .ctx("list outbox")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list outbox")?;
        Ok(rows)
    }

    /// One message by id, without its bodies.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn message_meta(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        self.message_with(META_COLUMNS, id)
    }

    /// Messages claimed by a delivery in progress (state `sending`), without bodies, oldest
    /// claim first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn claimed_messages(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {META_COLUMNS} FROM outbox WHERE state = 'sending' ORDER BY claimed_at, id"
        );
        self.conn
            .prepare_cached(&sql)
            .ctx("list claimed messages")?
            .query_map([], row)
            .ctx("list claimed messages")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("list claimed messages")
    }

    /// One message by id, with its bodies.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn message(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        self.message_with(FULL_COLUMNS, id)
    }

    fn message_with(&self, columns: &str, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        let sql = format!("SELECT {columns} FROM outbox WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)
            .ctx("read message")?
            .query_row([id], row)
            .optional()
            .ctx("read message")
    }
}

#[cfg(test)]
mod tests;
