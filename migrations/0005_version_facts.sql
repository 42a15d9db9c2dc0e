-- regwatch schema, version 5: what an auditor needs to know about each stored version, accepted
-- baselines, and the count behind `settings.accept_shrink_after`.

-- The fetch that produced a version: its final URL (after redirects, password redacted), the
-- validators the server sent with it, and the regwatch version that stored it. NULL for versions
-- stored before this migration.
ALTER TABLE snapshots ADD COLUMN final_url TEXT;
ALTER TABLE snapshots ADD COLUMN etag TEXT;
ALTER TABLE snapshots ADD COLUMN last_modified TEXT;
ALTER TABLE snapshots ADD COLUMN regwatch_version TEXT;
-- A baseline stored because a person (`regwatch accept`, 'manual') or the shrink rule
-- (`settings.accept_shrink_after`, 'auto') accepted the text; NULL otherwise. Such a version has
-- is_baseline = 1 and no change row: it is never alerted.
ALTER TABLE snapshots ADD COLUMN accepted TEXT CHECK (accepted IN ('manual', 'auto'));
CREATE INDEX snapshots_accepted ON snapshots(accepted, first_seen_at) WHERE accepted IS NOT NULL;

-- Suspicious (>90 % shrunken) fetches in a row with the same text: its SHA-256 and how many.
-- Cleared by a successful check.
ALTER TABLE sources ADD COLUMN suspect_hash TEXT;
ALTER TABLE sources ADD COLUMN suspect_count INTEGER NOT NULL DEFAULT 0;
