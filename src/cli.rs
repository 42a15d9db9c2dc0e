//! Command-line definitions (clap) and thin handlers (DESIGN.md §6 is the contract).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::{Config, parse_duration};
use crate::model::Lang;
use crate::pipeline::{Checker, Outcome};
use crate::render::{self, Style};
use crate::store::{ChangeFilter, Store, time_text};
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
    /// The daemon: schedule checks, deliver alerts, send digests, serve /healthz and /metrics.
    Run {
        /// Address for /healthz and /metrics (default: settings.listen, else 127.0.0.1:9184).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Log format on stderr.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
    },
    /// Check sources now (all, or the named ones) and print what changed.
    Check {
        /// Source ids (default: all).
        ids: Vec<String>,
        /// One JSON object per change per line.
        #[arg(long)]
        json: bool,
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
        /// Print `{"tags": [...]}`.
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
    /// Offline showcase: bundled pages served on 127.0.0.1, a baseline, edits, and what regwatch says.
    Demo,
    /// End-to-end benchmark on 127.0.0.1: N generated pages, a baseline check, 10 % changed, a
    /// second check, an unchanged third; wall, CPU, pages/s, peak RSS, database size, changes.
    Bench {
        /// Pages to generate (30-200 KB each).
        #[arg(long, default_value_t = 500)]
        pages: usize,
        /// Loopback hosts to spread the pages over (one request in flight per host).
        #[arg(long, default_value_t = 8)]
        hosts: usize,
        /// Percentage of pages changed before the second cycle.
        #[arg(long, default_value_t = 10)]
        changed: usize,
        /// Every response carries a fresh timestamp (no 304, never an identical body).
        #[arg(long)]
        dynamic: bool,
        /// Also run this urlwatch executable on the same pages, for a ratio.
        #[arg(long)]
        urlwatch: Option<std::path::PathBuf>,
        /// Keep the working files in this directory.
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
        /// Only serve the pages and write the configuration, until interrupted (for profiling).
        #[arg(long)]
        serve_only: bool,
        /// One JSON object per cycle per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// (Used by `bench`.) Run a command, then write its wall time, CPU time and peak RSS as JSON.
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

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the configuration and rules; exit 2 with precise errors.
    Check,
}

/// Loads the config and applies `--db`.
///
/// # Errors
/// [`Error::Config`].
pub fn load_config(cli: &Cli) -> Result<Config, Error> {
    let mut config = Config::load(&cli.config)?;
    if let Some(db) = &cli.db {
        config.settings.database.clone_from(db);
    }
    Ok(config)
}

/// Runs a parsed command line.
///
/// # Errors
/// Any [`Error`]; the caller maps it to an exit code.
pub async fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Run { listen, .. } => run_daemon(&cli, listen.clone()).await,
        Command::Check { ids, json } => check(&cli, ids, *json).await,
        Command::Changes {
            since,
            source,
            tag,
            json,
        } => changes(&cli, since.as_deref(), source.clone(), tag.clone(), *json),
        Command::Show { id, json } => show(&cli, *id, *json),
        Command::Sources { json } => sources(&cli, *json),
        Command::Tag {
            old,
            new,
            lang,
            json,
        } => tag(&cli, old, new, lang.as_deref(), *json),
        Command::Config {
            action: ConfigAction::Check,
        } => {
            let c = load_config(&cli)?;
            println!(
                "{}: OK — {} source(s), {} recipient(s), {} rule(s); database {}",
                cli.config.display(),
                c.sources.len(),
                c.recipients.len(),
                c.rules.len(),
                c.settings.database.display()
            );
            Ok(())
        }
        Command::Demo => crate::demo::run().await,
        Command::Measure { out, command } => {
            let usage = crate::bench::measure_command(command)?;
            let text = serde_json::to_string(&usage).unwrap_or_default();
            std::fs::write(out, text).map_err(|source| Error::Io {
                context: format!("cannot write {}", out.display()),
                source,
            })
        }
        Command::Bench {
            pages,
            hosts,
            changed,
            dynamic,
            urlwatch,
            keep,
            serve_only,
            json,
        } => {
            let opts = crate::bench::BenchOptions {
                pages: *pages,
                hosts: *hosts,
                changed_percent: *changed,
                dynamic: *dynamic,
                urlwatch: urlwatch.clone(),
                keep: keep.clone(),
                serve_only: *serve_only,
            };
            // The children are measured by blocking waits; keep them off the async workers.
            let cycles = tokio::task::spawn_blocking(move || crate::bench::run(&opts))
                .await
                .map_err(|e| Error::Usage(format!("benchmark task failed: {e}")))??;
            if *json {
                for c in &cycles {
                    println!("{}", serde_json::to_string(c).unwrap_or_default());
                }
            } else {
                print!("{}", crate::bench::table(&cycles));
            }
            Ok(())
        }
        Command::Deliver => {
            let config = load_config(&cli)?;
            let mut store = open_existing(&config)?;
            let d = crate::notify::deliver(&mut store, &config, true).await?;
            println!(
                "delivery: {} sent, {} will be retried, {} dead",
                d.sent, d.retrying, d.dead
            );
            Ok(())
        }
        Command::Outbox { json } => outbox(&cli, *json),
        Command::Digest { preview, recipient } => {
            digest(&cli, *preview, recipient.as_deref()).await
        }
    }
}

/// `run`: SIGTERM and SIGINT stop the daemon, SIGHUP reloads `sources.toml`.
async fn run_daemon(cli: &Cli, listen: Option<String>) -> Result<(), Error> {
    use tokio::signal::unix::{SignalKind, signal};
    let sig = |kind: SignalKind| {
        signal(kind).map_err(|source| Error::Io {
            context: "cannot install a signal handler".into(),
            source,
        })
    };
    let mut term = sig(SignalKind::terminate())?;
    let mut int = sig(SignalKind::interrupt())?;
    let mut hup = sig(SignalKind::hangup())?;
    let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            if reload_tx.send(()).await.is_err() {
                break;
            }
        }
    });
    let shutdown = async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received"),
            _ = int.recv() => tracing::info!("SIGINT received"),
        }
    };
    crate::daemon::run(
        crate::daemon::RunOptions {
            config: cli.config.clone(),
            db: cli.db.clone(),
            listen,
        },
        shutdown,
        reload_rx,
    )
    .await
}

fn out(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        // A closed pipe (`regwatch changes | head`) is not an error worth a message.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            context: "cannot write to stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn json_line<T: serde::Serialize>(v: &T) -> Result<(), Error> {
    let line =
        serde_json::to_string(v).map_err(|e| Error::Usage(format!("cannot encode JSON: {e}")))?;
    out(&format!("{line}\n"))
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

/// `check`: runs the pipeline and prints what happened.
///
/// # Errors
/// Configuration, database or client errors; source failures are not errors.
pub async fn check(cli: &Cli, ids: &[String], json: bool) -> Result<(), Error> {
    let config = Arc::new(load_config(cli)?);
    let chosen = select_sources(&config, ids)?;
    let mut store = Store::open(&config.settings.database)?;
    let checker = Checker::new(Arc::clone(&config))?;
    let reports = checker.check(&mut store, &chosen).await?;
    let style = Style::detect();
    for r in &reports {
        if let Outcome::Failed(e) = &r.outcome {
            eprintln!("regwatch: {}: {e}", r.source);
        }
        if json {
            if let Outcome::Changed(c) = &r.outcome {
                json_line(c)?;
            }
        } else if !matches!(r.outcome, Outcome::Failed(_)) {
            out(&render::report_text(r, style))?;
        }
    }
    if !json {
        out(&format!("{}\n", render::summary_line(&reports)))?;
    }
    // Whatever is due leaves now; an SMTP outage leaves it pending (the run still succeeded).
    match crate::notify::deliver(&mut store, &config, false).await {
        Ok(d) if d.sent + d.retrying + d.dead > 0 => eprintln!(
            "regwatch: delivery: {} sent, {} will be retried, {} dead",
            d.sent, d.retrying, d.dead
        ),
        Ok(_) => {}
        Err(e) => eprintln!("regwatch: delivery: {e}"),
    }
    Ok(())
}

fn outbox(cli: &Cli, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    let rows = store.outbox()?;
    if json {
        for r in &rows {
            json_line(r)?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        return out("outbox is empty\n");
    }
    let mut text = String::new();
    for r in &rows {
        text.push_str(&format!(
            "#{:<5} {:<7} {:<8} {:<12} attempts {}  {}\n",
            r.id, r.state, r.kind, r.recipient, r.attempts, r.subject
        ));
        if let Some(e) = &r.last_error {
            text.push_str(&format!("       last error: {e}\n"));
        }
    }
    out(&text)
}

async fn digest(cli: &Cli, preview: bool, name: Option<&str>) -> Result<(), Error> {
    let config = load_config(cli)?;
    let chosen: Vec<&crate::config::Recipient> = match name {
        Some(n) => vec![
            config
                .recipients
                .iter()
                .find(|r| r.name == n)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        config.recipients.iter().map(|r| r.name.as_str()).collect();
                    Error::Usage(format!(
                        "no recipient named \"{n}\"; known: {}",
                        known.join(", ")
                    ))
                })?,
        ],
        None => config.recipients.iter().collect(),
    };
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "no [[recipient]] in {}: add one to receive digests",
            config.path.display()
        )));
    }
    let mut store = open_existing(&config)?;
    let now = chrono::Utc::now();
    for r in chosen {
        let rendered = crate::notify::build_digest(&mut store, &config, r, now, !preview)?;
        if preview {
            out(&format!(
                "To: {}\nSubject: {}\n\n{}\n",
                r.emails.join(", "),
                rendered.subject,
                rendered.text
            ))?;
        }
    }
    if !preview {
        let d = crate::notify::deliver(&mut store, &config, false).await?;
        println!(
            "digest: {} sent, {} will be retried, {} dead",
            d.sent, d.retrying, d.dead
        );
    }
    Ok(())
}

fn open_existing(config: &Config) -> Result<Store, Error> {
    Ok(Store::open(&config.settings.database)?)
}

fn changes(
    cli: &Cli,
    since: Option<&str>,
    source: Option<String>,
    tag: Option<String>,
    json: bool,
) -> Result<(), Error> {
    let config = load_config(cli)?;
    let since = match since {
        None => None,
        Some(s) => {
            let d = parse_duration(s).map_err(|m| Error::Usage(format!("--since: {m}")))?;
            let d = chrono::Duration::from_std(d)
                .map_err(|_| Error::Usage(format!("--since: \"{s}\" is too long")))?;
            Some(time_text(chrono::Utc::now() - d))
        }
    };
    let store = open_existing(&config)?;
    let list = store.changes(&ChangeFilter {
        since,
        source,
        tag,
        limit: None,
    })?;
    let style = Style::detect();
    if !json && list.is_empty() {
        return out("no changes\n");
    }
    for c in &list {
        if json {
            json_line(c)?;
        } else {
            out(&render::change_line(c, style))?;
        }
    }
    Ok(())
}

fn show(cli: &Cli, id: i64, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    let Some(c) = store.change(id)? else {
        return Err(Error::Usage(format!(
            "no change with id {id} in {} (see `regwatch changes`)",
            config.settings.database.display()
        )));
    };
    if json {
        json_line(&c)
    } else {
        out(&render::change_text(&c, Style::detect()))
    }
}

fn sources(cli: &Cli, json: bool) -> Result<(), Error> {
    let config = load_config(cli)?;
    let mut store = open_existing(&config)?;
    store.sync_sources(config.identities())?;
    let rows = store.source_health()?;
    if json {
        for r in &rows {
            json_line(r)?;
        }
        Ok(())
    } else {
        out(&render::sources_text(&rows, Style::detect()))
    }
}

fn read_version(path: &Path) -> Result<Vec<String>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        context: format!("cannot read '{}'", path.display()),
        source,
    })?;
    let text = crate::extract::decode(&bytes, None);
    if crate::extract::looks_like_html(&text) {
        let css = crate::extract::Css::default();
        crate::extract::extract_html(
            &text,
            crate::extract::Spec {
                css: &css,
                ignore: &[],
            },
        )
        .or_else(|_| Ok(Vec::new()))
    } else {
        Ok(crate::extract::extract_text(&text, &[]))
    }
}

fn tag(cli: &Cli, old: &Path, new: &Path, lang: Option<&str>, json: bool) -> Result<(), Error> {
    let lang: Option<Lang> = match lang {
        None => None,
        Some(l) => Some(
            l.parse()
                .map_err(|m| Error::Usage(format!("--lang: {m}")))?,
        ),
    };
    // User rules apply when a configuration is present; `tag` works without one.
    let rules = if cli.config.exists() {
        load_config(cli)?.rules
    } else {
        Vec::new()
    };
    let old = read_version(old)?;
    let new = read_version(new)?;
    let diff = crate::diff::diff_blocks(&old, &new);
    let tags = crate::tag::tag_hunks(
        &diff.hunks,
        &crate::tag::TagContext {
            lang,
            source_id: "",
            rules: &rules,
        },
    );
    if json {
        return json_line(&serde_json::json!({ "tags": tags }));
    }
    if tags.is_empty() {
        return out(&format!(
            "no tags (+{} −{} blocks changed)\n",
            diff.added, diff.removed
        ));
    }
    let mut text = String::new();
    for t in &tags {
        text.push_str(&format!(
            "{:<8} {:<24} {}\n",
            t.severity.as_str().to_uppercase(),
            t.tag,
            t.summary
        ));
    }
    out(&text)
}
