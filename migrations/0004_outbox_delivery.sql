-- regwatch schema, version 4: delivery that outlasts a long relay outage, and bodies pruned after
-- a retention period while the rows stay (the audit trail of what was sent to whom, and when).

-- When the first failed attempt happened since the message was (re)queued: transient failures
-- are retried until `settings.delivery_retry_for` has passed since then. `outbox retry` clears it.
ALTER TABLE outbox ADD COLUMN first_failed_at TEXT;
-- When the bodies of a sent message were blanked after `settings.outbox_retention`.
ALTER TABLE outbox ADD COLUMN pruned_at TEXT;
-- Messages whose first attempt failed at some time: the retry period is reckoned from it.
UPDATE outbox SET first_failed_at = created_at WHERE attempts > 0 AND state IN ('pending', 'sending');
CREATE INDEX outbox_sent ON outbox(state, sent_at);
