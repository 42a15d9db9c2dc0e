//! The developer commands: `bench` and the hidden `measure` (see [`crate::dev`]).

use std::ffi::OsString;
use std::path::Path;

use super::out;
use crate::Error;
use crate::dev::bench::{self, BenchOptions};

/// `regwatch measure --out FILE -- CMD…`: runs a command, writes its usage as JSON.
pub(super) fn measure(out_file: &Path, command: &[OsString]) -> Result<(), Error> {
    let usage = crate::dev::measure::measure_command(command)?;
    let text = serde_json::to_string(&usage)
        .map_err(|e| Error::Runtime(format!("cannot encode the measurement: {e}")))?;
    std::fs::write(out_file, text).map_err(|source| Error::Io {
        context: format!("cannot write {}", out_file.display()),
        source,
    })
}

/// `regwatch bench` flags.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Pages to generate (30-200 KB each).
    #[arg(long, default_value_t = 500)]
    pub pages: usize,
    /// Loopback hosts to spread the pages over.
    #[arg(long, default_value_t = 8)]
    pub hosts: usize,
    /// Requests in flight per host (`per_host_concurrency`, 1-64).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub per_host: u16,
    /// Percentage of pages changed before the second cycle.
    #[arg(long, default_value_t = 10)]
    pub changed: usize,
    /// Every response carries a fresh timestamp (no 304, never an identical body).
    #[arg(long)]
    pub dynamic: bool,
    /// Also run this urlwatch executable on the same pages, for a ratio.
    #[arg(long)]
    pub urlwatch: Option<std::path::PathBuf>,
    /// Keep the working files in this directory.
    #[arg(long)]
    pub keep: Option<std::path::PathBuf>,
    /// Only serve the pages and write the configuration, until interrupted (for profiling).
    #[arg(long)]
    pub serve_only: bool,
    /// One JSON object per cycle per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `regwatch bench …`: the end-to-end benchmark on 127.0.0.1.
pub(super) async fn bench(args: &BenchArgs) -> Result<(), Error> {
    let opts = BenchOptions {
        pages: args.pages,
        hosts: args.hosts,
        per_host: usize::from(args.per_host),
        changed_percent: args.changed,
        dynamic: args.dynamic,
        urlwatch: args.urlwatch.clone(),
        keep: args.keep.clone(),
        serve_only: args.serve_only,
    };
    // The children are measured by blocking waits; keep them off the async workers.
    let cycles = tokio::task::spawn_blocking(move || bench::run(&opts))
        .await
        .map_err(|e| Error::Runtime(format!("benchmark task failed: {e}")))??;
    if args.json {
        for c in &cycles {
            super::json_line(c)?;
        }
        Ok(())
    } else {
        out(&bench::table(&cycles))
    }
}
