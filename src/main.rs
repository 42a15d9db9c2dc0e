//! The `regwatch` binary: parse arguments, set up logging, run, map errors to exit codes
//! (0 success, 1 runtime failure, 2 usage or configuration error).

use clap::Parser;
use regwatch::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    match &cli.command {
        cli::Command::Run { log_format, .. } => {
            init_logging("info", *log_format == cli::LogFormat::Json)
        }
        _ => init_logging("warn", false),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("regwatch: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(cli::run(cli));
    // Do not wait for lingering blocking tasks (a stalled extraction) past the command's end.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    if let Err(e) = result {
        let e = anyhow::Error::from(e);
        // An error may quote a page (a title, a server's reason): no escapes reach the terminal.
        eprintln!(
            "regwatch: {}",
            regwatch::util::sanitize(&regwatch::util::redact_urls(&format!("{e:#}")))
        );
        let code = e
            .downcast_ref::<regwatch::Error>()
            .map_or(1, regwatch::Error::exit_code);
        std::process::exit(code);
    }
}

/// Logs go to stderr; `REGWATCH_LOG` (e.g. `debug`, `regwatch=trace`) overrides the level.
fn init_logging(default_level: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    use std::io::IsTerminal as _;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
