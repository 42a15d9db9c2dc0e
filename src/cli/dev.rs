//! The developer commands: `demo`, `bench` and the hidden `measure` (see [`crate::dev`]).

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

/// `regwatch demo` flags.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// After the demo, serve the dashboard over its database until Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// Address of the dashboard with --serve (default 127.0.0.1:9185; when that port is taken,
    /// a free one). Loopback only unless REGWATCH_WEB_TOKEN is set.
    #[arg(long, value_name = "ADDR", requires = "serve")]
    pub listen: Option<String>,
}

/// `regwatch demo [--serve [--listen ADDR]]`: the offline showcase, then (with `--serve`) the
/// read-only dashboard over the demo's database, until SIGINT or SIGTERM.
pub(super) async fn demo(args: &DemoArgs) -> Result<(), Error> {
    let config_path = crate::dev::demo::run().await?;
    let shown = Path::new(crate::dev::demo::DEMO_DIR).join("sources.toml");
    if !args.serve {
        return out(&format!(
            "\nSee it in a browser: `regwatch demo --serve` (the dashboard on http://{}/ until \
             Ctrl-C), or\n   regwatch --config {} web\n",
            crate::web::DEFAULT_LISTEN,
            shown.display()
        ));
    }
    // Installed before the server listens (a Ctrl-C during the demo itself just ends it).
    let stop = super::web::stop_signal()?;
    let config = crate::config::Config::load(&config_path)?;
    let token = crate::web::token_from_env();
    let listener = match &args.listen {
        Some(listen) => crate::web::bind(listen, token.as_deref()).await?,
        None => match crate::web::bind(crate::web::DEFAULT_LISTEN, token.as_deref()).await {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AddrInUse => {
                out(&format!(
                    "\n{} is taken (another regwatch web?); serving on a free port instead.\n",
                    crate::web::DEFAULT_LISTEN
                ))?;
                crate::web::bind("127.0.0.1:0", token.as_deref()).await?
            }
            other => other?,
        },
    };
    let addr = super::web::local_addr(&listener)?;
    out(&format!(
        "\nThe dashboard over the demo's database ({}), read-only:\nDashboard: http://{addr}/\n\
         (Ctrl-C stops; later: regwatch --config {} web)\n",
        config.settings.database.display(),
        shown.display()
    ))?;
    let _ = std::io::Write::flush(&mut std::io::stdout());
    super::web::serve_until(listener, config, token, stop).await;
    out("regwatch demo: stopped.\n")
}
