-- regwatch schema, version 4: delivery that outlasts a long relay outage, and bodies pruned after
-- a retention period while the rows stay (the audit trail of what was sent to whom, and when).

-- When the first failed attempt happened since the message was (re)queued: transient failures
-- are retried until `settings.delivery_retry_for` has passed since then. `outbox retry` clears it.
ALTER TABLE outbox ADD COLUMN first_failed_at TEXT;
-- When the bodies of a sent message were blanked after `settings.outbox_retention`.
ALTER TABLE outbox ADD COLUMN pruned_at TEXT;
-- Messages already retrying get the full retry period from the upgrade on (not from their
-- creation, which could make an old message dead at its first failure after the upgrade).
UPDATE outbox SET first_failed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE attempts > 0 AND state IN ('pending', 'sending');
CREATE INDEX outbox_sent ON outbox(state, sent_at);
