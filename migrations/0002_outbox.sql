-- regwatch schema, version 2: the durable outbox (alerts and digests) and digest periods.

-- One random id per database, so that Message-IDs of two regwatch databases never collide.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(8))));

-- Every message, rendered when it is enqueued. Written in the same transaction as the change it
-- announces (alerts) or the digest period it closes (digests).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('alert', 'digest')),
    recipient       TEXT NOT NULL,             -- recipient name from sources.toml
    to_addrs        TEXT NOT NULL,             -- JSON array of addresses
    change_id       INTEGER REFERENCES changes(id) ON DELETE SET NULL,
    message_id      TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at      TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
) STRICT;
CREATE UNIQUE INDEX outbox_one_alert ON outbox(recipient, change_id) WHERE kind = 'alert';
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- Digest periods already built, one row per recipient and period.
CREATE TABLE digests (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    since      TEXT NOT NULL,
    until      TEXT NOT NULL,
    outbox_id  INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (recipient, until)
) STRICT;
