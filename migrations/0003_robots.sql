-- regwatch schema, version 3: robots.txt files, cached per origin so that a `check` run from
-- cron does not fetch them again every time (RFC 9309 allows a cache of up to 24 hours).

CREATE TABLE robots (
    origin      TEXT PRIMARY KEY,              -- scheme://host[:port]
    fetched_at  TEXT NOT NULL,                 -- RFC 3339, UTC
    status      INTEGER NOT NULL,              -- HTTP status of the robots.txt answer
    body        TEXT NOT NULL                  -- at most 512 KiB of it
) STRICT;
