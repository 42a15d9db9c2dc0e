-- regwatch schema, version 6: channels. A message leaves by e-mail (as before) or as an HTTP POST
-- to a recipient's webhook (Slack, Teams or JSON). The webhook's URL is a secret and never stored:
-- delivery reads it from the environment variable the recipient's `webhook_env` names.

-- 'email' (to_addrs holds the addresses) or 'webhook' (to_addrs is empty, body_text holds the
-- JSON payload, rendered when the message was queued, and body_html is empty).
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'
    CHECK (channel IN ('email', 'webhook'));
-- The payload of a webhook message: 'slack', 'teams' or 'json'; NULL for e-mail.
ALTER TABLE outbox ADD COLUMN format TEXT CHECK (format IN ('slack', 'teams', 'json'));
-- One alert per change, recipient and channel (a recipient may have both).
DROP INDEX outbox_one_alert;
CREATE UNIQUE INDEX outbox_one_alert ON outbox(recipient, channel, change_id) WHERE kind = 'alert';
