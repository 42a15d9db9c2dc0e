//! The command line: clap definitions here, one thin handler per command in its own file.
//! The commands, their flags, exit codes and JSON output are a contract (docs/ARCHITECTURE.md,
//! "Command line"): scripts depend on them.

mod accept;
mod audit;
mod changes;
mod check;
mod config_check;
mod deliver;
#[cfg(feature = "dev")]
mod dev;
mod digest;
mod docs;
mod history;
mod outbox;
mod packs;
mod preview;
mod run;
mod show;
mod sources;
mod tag;
mod web;

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::store::Store;
use crate::terminal::Style;
use crate::{Error, Source};

/// regwatch: watch regulation pages, bills and news; keep every version; explain each change.
#[derive(Debug, Parser)]
#[command(name = "regwatch", version, about, max_term_width = 100)]
pub struct Cli {
    /// Configuration file.
    #[arg(
        long,
        global = true,
        default_value = "sources.toml",
        value_name = "FILE"
    )]
    pub config: PathBuf,
    /// Database file (overrides `settings.database`).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: schedule checks, deliver alerts, send digests, serve the dashboard, the API,
    /// /healthz and /metrics.
    Run {
        /// Address of the web surface (default: settings.listen, else 127.0.0.1:9184); off
        /// loopback it needs REGWATCH_WEB_TOKEN.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Log format on stderr.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
    },
    /// Serve the dashboard, the JSON API and the Atom feed from the database, read-only,
    /// checking nothing.
    Web {
        /// Address to listen on (default 127.0.0.1:9185); off loopback it needs
        /// REGWATCH_WEB_TOKEN, which every request must then carry.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Check sources now (all, or the named ones) and print what changed.
    Check {
        /// Source ids (default: all).
        ids: Vec<String>,
        /// One JSON object per change per line.
        #[arg(long)]
        json: bool,
        /// Exit 1 when any source failed (for cron jobs); the other sources are still checked
        /// and stored.
        #[arg(long)]
        strict: bool,
    },
    /// Fetch and extract a source (or any URL) once and print its blocks exactly as they would
    /// be stored; stores nothing, needs no database. Flags replace the source's settings.
    Preview(preview::PreviewArgs),
    /// Every stored version of a source: first and last seen, size, SHA-256 of the text, and
    /// the change that introduced it.
    Versions {
        /// Source id.
        source: String,
        /// One JSON object per version per line.
        #[arg(long)]
        json: bool,
    },
    /// Compare two stored versions of a source (numbers as `versions` lists them; default the
    /// last two), rendered as `show` renders a change.
    Diff {
        /// Source id.
        source: String,
        /// The older version (default: the one before TO).
        from: Option<i64>,
        /// The newer version (default: the latest).
        to: Option<i64>,
        /// Print the comparison as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print the stored text of a source's version (default: the latest), one block per line.
    Text {
        /// Source id.
        source: String,
        /// Version number, as `versions` lists it.
        version: Option<i64>,
    },
    /// Fetch a source now and store its text as a new baseline (a page that really lost most
    /// of its text): recorded as accepted, never alerted.
    Accept {
        /// Source id.
        source: String,
    },
    /// Write every stored change with the facts of its fetch (source URL, time, SHA-256 of old
    /// and new text, validators, final URL, regwatch version, tags), for an audit.
    Export {
        /// Only changes detected within this duration ("30d").
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Only this source.
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// JSON lines (one change per line) or CSV (a header, then one change per row).
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
    /// Re-hash every stored text; name each one that does not match its SHA-256 and the
    /// versions that use it (exit 1).
    Verify,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command to a folder.
    Man {
        /// Write regwatch.1 and one page per command (regwatch-check.1, …) here.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// List stored changes, newest first.
    Changes {
        /// Only changes detected within this duration ("24h", "7d").
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Only this source.
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Only changes with this tag.
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        /// One JSON object per change per line.
        #[arg(long)]
        json: bool,
    },
    /// Show one change: tags with evidence, and the diff.
    Show {
        /// Change id.
        id: i64,
        /// Print the change as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Each source with its health: last check, last change, failure streak, last error.
    Sources {
        /// One JSON object per source per line.
        #[arg(long)]
        json: bool,
    },
    /// Offline: compare two files (text or HTML) and print the tags.
    Tag {
        /// The old version.
        old: PathBuf,
        /// The new version.
        new: PathBuf,
        /// Language of the text (en, fr, de).
        #[arg(long)]
        lang: Option<String>,
        /// Only these rule packs (repeatable; default: all; see `regwatch packs`).
        #[arg(long = "pack", value_name = "PACK")]
        packs: Vec<String>,
        /// Print `{"tags": [...]}`.
        #[arg(long)]
        json: bool,
    },
    /// The rule packs built in and their tags (id, severity, detail fields).
    Packs {
        /// One JSON object per pack per line.
        #[arg(long)]
        json: bool,
    },
    /// Attempt every pending outbox message now, ignoring backoff.
    Deliver,
    /// Queued, sent and dead messages with their state and last error.
    Outbox {
        /// One JSON object per message per line.
        #[arg(long)]
        json: bool,
        /// What to do with the outbox (default: list it).
        #[command(subcommand)]
        action: Option<OutboxAction>,
    },
    /// Build the digest of every change since the recipient's previous digest, and send it.
    Digest {
        /// Print the digest and send nothing, record nothing.
        #[arg(long)]
        preview: bool,
        /// Only this recipient (default: every recipient).
        #[arg(long, value_name = "NAME")]
        recipient: Option<String>,
    },
    /// Validate the configuration.
    Config {
        /// What to do with the configuration.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Offline showcase: bundled pages served on 127.0.0.1, a baseline, edits, and what regwatch
    /// says; with --serve, then the dashboard over the demo's database until Ctrl-C.
    #[cfg(feature = "dev")]
    Demo(dev::DemoArgs),
    /// End-to-end benchmark on 127.0.0.1: N generated pages, a baseline check, 10 % changed, a
    /// second check, an unchanged third; wall, CPU, pages/s, peak RSS, database size, changes.
    #[cfg(feature = "dev")]
    Bench(dev::BenchArgs),
    /// (Used by `bench`.) Run a command, then write its wall time, CPU time and peak RSS as JSON.
    #[cfg(feature = "dev")]
    #[command(hide = true)]
    Measure {
        /// Where to write the JSON.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The command and its arguments.
        #[arg(last = true, required = true)]
        command: Vec<std::ffi::OsString>,
    },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for machines.
    Json,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per change per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// `outbox` subcommands.
#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Requeue messages (pending, due now, attempts kept, retry period started afresh) and print
    /// what was requeued.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "dead"])))]
    Retry {
        /// Ids of dead or pending messages (as `outbox` lists them).
        #[arg(value_name = "ID")]
        ids: Vec<i64>,
        /// Every dead message.
        #[arg(long, conflicts_with = "ids")]
        dead: bool,
        /// One JSON object per requeued message per line.
        #[arg(long)]
        json: bool,
    },
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the configuration and rules; exit 2 with precise errors.
    Check,
}

/// Loads the configuration named by `--config` and applies `--db`.
///
/// # Errors
/// [`Error::Config`].
pub fn load_config(cli: &Cli) -> Result<Config, Error> {
    Ok(Config::load_with_db(&cli.config, cli.db.as_deref())?)
}

/// Runs a parsed command line.
///
/// # Errors
/// Any [`Error`]; the caller maps it to an exit code.
pub async fn run(cli: Cli) -> Result<(), Error> {
    // The rule packs are data embedded in the binary: a broken one stops every command at once.
    crate::tag::packs::check().map_err(|e| Error::Runtime(format!("rule pack {e}")))?;
    match &cli.command {
        Command::Run { listen, .. } => run::run(&cli, listen.clone()).await,
        Command::Web { listen } => web::web(&cli, listen.as_deref()).await,
        Command::Check { ids, json, strict } => check::check(&cli, ids, *json, *strict).await,
        Command::Preview(args) => preview::preview(&cli, args).await,
        Command::Versions { source, json } => history::versions(&cli, source, *json),
        Command::Diff {
            source,
            from,
            to,
            json,
        } => history::diff(&cli, source, *from, *to, *json),
        Command::Text { source, version } => history::text(&cli, source, *version),
        Command::Accept { source } => accept::accept(&cli, source).await,
        Command::Export {
            since,
            source,
            format,
        } => audit::export(&cli, since.as_deref(), source.as_deref(), *format),
        Command::Verify => audit::verify(&cli),
        Command::Completions { shell } => docs::completions(*shell),
        Command::Man { out_dir } => docs::man(out_dir.as_deref()),
        Command::Changes {
            since,
            source,
            tag,
            json,
        } => changes::changes(
            &cli,
            since.as_deref(),
            source.as_deref(),
            tag.as_deref(),
            *json,
        ),
        Command::Show { id, json } => show::show(&cli, *id, *json),
        Command::Sources { json } => sources::sources(&cli, *json),
        Command::Tag {
            old,
            new,
            lang,
            packs,
            json,
        } => tag::tag(&cli, old, new, lang.as_deref(), packs, *json),
        Command::Packs { json } => packs::packs(*json),
        Command::Config {
            action: ConfigAction::Check,
        } => config_check::check(&cli),
        #[cfg(feature = "dev")]
        Command::Demo(args) => dev::demo(args).await,
        #[cfg(feature = "dev")]
        Command::Measure { out, command } => dev::measure(out, command),
        #[cfg(feature = "dev")]
        Command::Bench(args) => dev::bench(args).await,
        Command::Deliver => deliver::deliver(&cli).await,
        Command::Outbox { json, action: None } => outbox::outbox(&cli, *json),
        Command::Outbox {
            action: Some(OutboxAction::Retry { ids, dead, json }),
            json: json_outer,
        } => outbox::retry(&cli, ids, *dead, *json || *json_outer),
        Command::Digest { preview, recipient } => {
            digest::digest(&cli, *preview, recipient.as_deref()).await
        }
    }
}

/// Writes to stdout; a closed pipe (`regwatch changes | head`) is not an error worth a message.
fn out(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            context: "cannot write to stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// One JSON object on one line (the `--json` contract).
fn json_line<T: serde::Serialize>(v: &T) -> Result<(), Error> {
    let line =
        serde_json::to_string(v).map_err(|e| Error::Runtime(format!("cannot encode JSON: {e}")))?;
    out(&format!("{line}\n"))
}

/// The terminal style for this configuration (colours, time zone).
fn style(config: &Config) -> Style {
    Style::detect(config.settings.timezone)
}

/// Opens the database of a read-only command; never creates one.
fn open_existing(config: &Config) -> Result<Store, Error> {
    Ok(Store::open_existing(&config.settings.database)?)
}

/// Picks the sources named on the command line (all when none), refusing unknown ids.
///
/// # Errors
/// [`Error::Usage`] naming the unknown id and the known ones.
pub fn select_sources<'a>(config: &'a Config, ids: &[String]) -> Result<Vec<&'a Source>, Error> {
    if ids.is_empty() {
        return Ok(config.sources.iter().collect());
    }
    ids.iter()
        .map(|id| {
            config.source(id).ok_or_else(|| {
                let known: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
                Error::Usage(format!(
                    "no source with id \"{id}\" in {}; known ids: {}",
                    config.path.display(),
                    known.join(", ")
                ))
            })
        })
        .collect()
}
