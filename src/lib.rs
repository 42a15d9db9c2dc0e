//! regwatch watches official regulation pages, bills and news, keeps every distinct version of their
//! text, explains each change in structured terms and tells the people who must act.
//!
//! # Layout
//!
//! Read `docs/ARCHITECTURE.md` for the data flow, the layers and where to add things.
//!
//! - Plain types, no I/O: [`model`] (changes, tags, timestamps, states), [`util`] (text helpers).
//! - Stages, pure or one kind of I/O each, ignorant of one another: [`fetch`] (HTTP),
//!   [`extract`] (bytes → blocks), [`diff`] (blocks → hunks), [`tag`] (hunks → tags).
//! - [`config`]: `sources.toml` → typed [`Config`], errors with file, line and column.
//! - [`scheduler`]: the timing policy — due times, backoff, per-host gate, cron lines.
//! - [`store`]: SQLite, the only module that speaks SQL.
//! - [`notify`]: alert routing, rendering, the outbox's delivery, digests; the only SMTP.
//! - [`pipeline`]: one check — fetch → extract → verdict → diff → tag → store + alerts.
//! - Faces: [`cli`] (one file per command), [`terminal`] (all terminal output), [`daemon`]
//!   (`regwatch run`: the loop), [`web`] (the one HTTP surface: dashboard, JSON API, Atom
//!   feed, `/healthz`, `/metrics`; served by `run` and `web`).
//! - [`dev`] (feature `dev`, on by default): demo, benchmark and the test page server; only
//!   the command line's developer commands use it.

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod daemon;
#[cfg(feature = "dev")]
pub mod dev;
pub mod diff;
pub mod extract;
pub mod fetch;
pub mod model;
pub mod notify;
pub mod pipeline;
pub mod scheduler;
pub mod store;
pub mod tag;
pub mod terminal;
pub mod util;
pub mod web;

pub use config::{Config, ConfigError, Source};
pub use model::{Change, Evidence, Lang, Severity, Tag, Timestamp};
pub use pipeline::{CheckError, Checker, Outcome, Report};
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
    /// The command could not complete (a benchmark step failed, output could not be encoded).
    #[error("{0}")]
    Runtime(String),
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
