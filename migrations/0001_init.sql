-- regwatch schema, version 1.
-- Timestamps are RFC 3339 text in UTC with milliseconds ("2026-11-21T10:07:36.123Z"): they sort as text.

CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    url             TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_check_at   TEXT,            -- last attempt, success or failure
    last_success_at TEXT,
    last_change_at  TEXT,
    failure_streak  INTEGER NOT NULL DEFAULT 0,
    failing_since   TEXT,            -- first failure of the current streak
    last_error      TEXT,
    next_check_at   TEXT,            -- scheduler due time
    etag            TEXT,            -- validators for conditional GET
    last_modified   TEXT,
    body_hash       TEXT,            -- SHA-256 of the last raw body: skip extraction when equal
    body_fingerprint TEXT            -- extraction settings the body hash was extracted with
) STRICT;

-- Content-addressed text: one row per distinct extracted text, whoever uses it.
CREATE TABLE blobs (
    hash        TEXT PRIMARY KEY,    -- SHA-256 of the uncompressed bytes, hex
    compression TEXT NOT NULL CHECK (compression IN ('none', 'zstd')),
    size        INTEGER NOT NULL,    -- uncompressed length in bytes
    data        BLOB NOT NULL
) STRICT;

-- One row per version of a source's text, in the order they were seen.
CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    text_hash     TEXT NOT NULL REFERENCES blobs(hash),
    fingerprint   TEXT NOT NULL,     -- extraction settings it was made with
    is_baseline   INTEGER NOT NULL CHECK (is_baseline IN (0, 1)),
    block_count   INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    seen_count    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX snapshots_by_source ON snapshots(source_id, id);

CREATE TABLE changes (
    id              INTEGER PRIMARY KEY,
    source_id       TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    old_snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    new_snapshot_id INTEGER NOT NULL UNIQUE REFERENCES snapshots(id),
    url             TEXT NOT NULL,
    detected_at     TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    added           INTEGER NOT NULL,
    removed         INTEGER NOT NULL,
    diff            TEXT NOT NULL,   -- unified diff of blocks
    spans           TEXT NOT NULL    -- JSON: word-level edits of changed blocks
) STRICT;
CREATE INDEX changes_by_time ON changes(detected_at);
CREATE INDEX changes_by_source ON changes(source_id, detected_at);

CREATE TABLE change_tags (
    change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    tag       TEXT NOT NULL,
    severity  TEXT NOT NULL,
    summary   TEXT NOT NULL,
    detail    TEXT NOT NULL,         -- JSON object
    evidence  TEXT NOT NULL,         -- JSON {"old": …, "new": …}
    PRIMARY KEY (change_id, ord)
) STRICT;
CREATE INDEX change_tags_by_tag ON change_tags(tag);

-- Recent fetch attempts, pruned to the last few per source.
CREATE TABLE fetch_log (
    id          INTEGER PRIMARY KEY,
    source_id   TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    outcome     TEXT NOT NULL,       -- baseline | unchanged | not_modified | changed | failed
    http_status INTEGER,
    duration_ms INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    error       TEXT
) STRICT;
CREATE INDEX fetch_log_by_source ON fetch_log(source_id, id);
