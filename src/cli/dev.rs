//! The developer commands: `bench` and the hidden `measure` (see [`crate::dev`]).

use std::ffi::OsString;
use std::path::Path;

use super::{Command, out};
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

/// `regwatch bench …`: the end-to-end benchmark on 127.0.0.1.
pub(super) async fn bench(command: &Command) -> Result<(), Error> {
    let Command::Bench {
        pages,
        hosts,
        changed,
        dynamic,
        urlwatch,
        keep,
        serve_only,
        json,
    } = command
    else {
        return Err(Error::Runtime("bench called for another command".into()));
    };
    let opts = BenchOptions {
        pages: *pages,
        hosts: *hosts,
        changed_percent: *changed,
        dynamic: *dynamic,
        urlwatch: urlwatch.clone(),
        keep: keep.clone(),
        serve_only: *serve_only,
    };
    // The children are measured by blocking waits; keep them off the async workers.
    let cycles = tokio::task::spawn_blocking(move || bench::run(&opts))
        .await
        .map_err(|e| Error::Runtime(format!("benchmark task failed: {e}")))??;
    if *json {
        for c in &cycles {
            super::json_line(c)?;
        }
        Ok(())
    } else {
        out(&bench::table(&cycles))
    }
}
