//! Schema migrations: plain SQL files in `migrations/`, embedded at build time, applied in order,
//! each in its own transaction, tracked with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// The migrations, in order. Version N is reached after applying the first N entries.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_outbox",
        include_str!("../../migrations/0002_outbox.sql"),
    ),
    (
        "0003_robots",
        include_str!("../../migrations/0003_robots.sql"),
    ),
    (
        "0004_outbox_delivery",
        include_str!("../../migrations/0004_outbox_delivery.sql"),
    ),
    (
        "0005_version_facts",
        include_str!("../../migrations/0005_version_facts.sql"),
    ),
    (
        "0006_outbox_channels",
        include_str!("../../migrations/0006_outbox_channels.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |e: rusqlite::Error| StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(open_err)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if current == 0 {
        // A non-empty database without our version is someone else's file: refuse to touch it.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(open_err)?;
        if tables > 0 {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                message: "not a regwatch database (it has tables but no regwatch schema version)"
                    .into(),
            });
        }
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        let mig_err = |cause| StoreError::Migration {
            path: path.to_path_buf(),
            name,
            cause,
        };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(mig_err)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(mig_err)?;
        if now >= version {
            continue;
        }
        tx.execute_batch(sql).map_err(mig_err)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(mig_err)?;
        tx.commit().map_err(mig_err)?;
    }
    Ok(())
}
