//! regwatch watches official regulation pages, bills and news, keeps every distinct version of their
//! text, explains each change in structured terms and tells the people who must act.
//!
//! # Layout
//!
//! - [`config`]: `sources.toml` → typed [`Config`], errors with file, line and column.
//! - [`model`]: plain shared types ([`Severity`], [`Tag`], [`Change`], …).
//! - [`fetch`]: HTTP client — conditional GET, body cap while streaming, bounded redirects.
//! - [`extract`]: bytes → normalized blocks of text (charset, HTML selectors, ignore rules).
//! - [`diff`]: block-level diff, unified text, word-level spans.
//! - [`tag`]: hunks → structured tags (built-in export-controls pack and user rules).
//! - [`store`]: SQLite — migrations, blobs, snapshots, changes, source health; the only SQL.
//! - [`notify`]: email — routing, rendering (text + HTML), outbox delivery over SMTP or to `.eml` files.
//! - [`pipeline`]: runs fetch → extract → store → diff → tag → store for each source.
//! - [`scheduler`]: due times (interval, jitter, backoff), per-host politeness, cron lines.
//! - [`render`]: human and JSON output of changes and sources for the command line.
//! - [`serve`]: a tiny in-memory HTTP server on 127.0.0.1 for the demo, tests and benchmarks.
//! - [`daemon`]: `regwatch run` — the scheduling loop, delivery, digests, health and metrics.
//! - [`demo`]: the offline showcase behind `regwatch demo`.
//! - [`cli`]: command-line definitions and handlers (thin).
//!
//! Data flows one way: stages (`fetch`, `extract`, `diff`, `tag`) are pure and know nothing of each
//! other; only `pipeline` chains them, and only `store` speaks SQL.

#![warn(missing_docs)]

pub mod bench;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod diff;
pub mod extract;
pub mod fetch;
pub mod model;
pub mod notify;
pub mod pipeline;
pub mod render;
pub mod scheduler;
pub mod serve;
pub mod store;
pub mod tag;

pub use config::{Config, ConfigError, Source};
pub use model::{Change, Evidence, Lang, Severity, Tag};
pub use pipeline::{Checker, Outcome, Report};
pub use store::{Store, StoreError};

/// Errors a command can end with. The binary maps them to exit codes: configuration and usage
/// errors exit 2, everything else exits 1.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The command was used wrongly (unknown source id, bad `--since`, …).
    #[error("{0}")]
    Usage(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// Mail delivery could not run.
    #[error(transparent)]
    Notify(#[from] notify::NotifyError),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error: 2 for configuration and usage, 1 otherwise.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Formats a duration the way config files write it ("30s", "1.5s", "250ms").
#[must_use]
pub fn humanize(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms > 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
