//! `regwatch demo`: an offline showcase.
//!
//! Two bundled pages (an English rules page and a French news article, both written for the demo)
//! are served from an in-process server on 127.0.0.1. regwatch takes a baseline, the pages are
//! edited the way the real ones move (a threshold, a country's tier, a date, a rescission), and a
//! second check shows what regwatch reports. A timestamp that changes outside the selected content
//! shows what it does *not* report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::serve::{Page, PageServer};
use crate::Error;
use crate::config::Config;
use crate::pipeline::{Checker, Outcome, Report};
use crate::store::Store;
use crate::terminal::{self, Style};

const BIS_RULES: &str = include_str!("bis_rules.html");
const PRESSE_FR: &str = include_str!("presse_fr.html");

/// Edits applied between the two checks: (find, replace) on the page text.
const BIS_EDITS: &[(&str, &str)] = &[
    ("is 4,800 or more", "is 4,000 or more"),
    (
        "<tr><td>France</td><td>Tier 1</td></tr>",
        "<tr><td>France</td><td>Tier 2</td></tr>",
    ),
    (
        "required from May 15, 2025.",
        "required from January 15, 2026.",
    ),
    (
        "<h2>Dates</h2>",
        "<h2>Status</h2>\n    <p>On May 13, 2025 the Department announced that it will not enforce the rule and has initiated its rescission.</p>\n    <h2>Dates</h2>",
    ),
];
const PRESSE_EDITS: &[(&str, &str)] = &[
    ("50&#8239;000 GPU", "100&#8239;000 GPU"),
    (
        "de 4&#8239;800.</p>",
        "de 4&#8239;800.</p>\n    <p>Washington autorise désormais au cas par cas les ventes de puces H20 vers la Chine.</p>",
    ),
];

fn page(template: &str, stamp: &str, edits: &[(&str, &str)]) -> Page {
    let mut body = template.replace("{{TIMESTAMP}}", stamp);
    for (from, to) in edits {
        body = body.replace(from, to);
    }
    Page::html(body)
}

/// Turns an I/O error into [`Error::Io`] with this context.
fn io(context: &str) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.to_string();
    move |source| Error::Io { context, source }
}

/// Runs the demo: a database in `./regwatch-demo/`, no network beyond 127.0.0.1, a few seconds.
/// Returns the path of the demo's configuration (`regwatch demo --serve` serves its database).
///
/// # Errors
/// When the local server, the temporary folder or the database cannot be set up.
pub async fn run() -> Result<PathBuf, Error> {
    let server = serve_pages().await?;
    let mut demo = Demo::set_up(&server)?;
    println!(
        "regwatch demo — two pages served on {} (no internet needed)\n",
        server.addr()
    );
    baseline(&mut demo).await?;
    recheck_unedited(&server, &mut demo).await?;
    let reports = check_edited(&server, &mut demo).await?;
    deliver(&mut demo, &reports).await?;
    let db = demo.config.settings.database.display().to_string();
    println!(
        "\nThe demo's configuration and database are kept in ./{DEMO_DIR}/ ({db}); explore them:"
    );
    for command in [
        "show 1",
        "versions bis-advanced-computing",
        "diff presse-puces-ia",
    ] {
        println!("   regwatch --config {DEMO_DIR}/sources.toml {command}");
    }
    println!("(its pages were served by the demo itself: `check` on it finds them gone.)");
    println!("\nTry it on real sources: `regwatch --config sources.toml check`.");
    Ok(demo.config.path.clone())
}

/// Starts the local server with both pages as first published.
async fn serve_pages() -> Result<PageServer, Error> {
    let server = PageServer::start()
        .await
        .map_err(io("cannot start the demo server on 127.0.0.1"))?;
    server.set("/rules", page(BIS_RULES, "2026-11-20 09:00:00", &[]));
    server.set("/presse", page(PRESSE_FR, "20 novembre 2026 à 9 h 00", &[]));
    Ok(server)
}

/// The demo's `sources.toml`: the two served pages, and alerts written as .eml files to
/// `mail_dir`.
fn config_text(server: &PageServer, mail_dir: &Path) -> String {
    format!(
        r#"[settings]
database = "demo.db"
timeout = "10s"
max_concurrency = 1

[[source]]
id = "bis-advanced-computing"
name = "BIS — advanced computing rules (demo)"
url = "{rules}"
select = ["main"]
ignore = ['^Last updated:']
lang = "en"

[[source]]
id = "presse-puces-ia"
name = "Presse — puces d'IA (démo)"
url = "{presse}"
remove = [".byline"]
lang = "fr"

[mail]
from = "regwatch demo <regwatch@demo.invalid>"
mail_dir = '{mail_dir}'

[[recipient]]
name = "veille"
emails = ["veille@demo.invalid"]
alerts = "medium"
"#,
        rules = server.url("/rules"),
        presse = server.url("/presse"),
        mail_dir = mail_dir.display(),
    )
}

/// The folder (under the current one) that keeps the demo's configuration and database, so
/// that `regwatch --config regwatch-demo/sources.toml show 1` works after the demo.
pub const DEMO_DIR: &str = "regwatch-demo";

/// What the demo's checks run with.
struct Demo {
    checker: Checker,
    store: Store,
    config: Arc<Config>,
    style: Style,
    /// Where alerts are written (`./mail`).
    mail_dir: PathBuf,
}

impl Demo {
    /// Writes the config to `./regwatch-demo/` (a previous demo's database there is replaced),
    /// loads it and opens its database.
    fn set_up(server: &PageServer) -> Result<Demo, Error> {
        let cwd = std::env::current_dir().map_err(io("cannot read the current folder"))?;
        let mail_dir = cwd.join("mail");
        let dir = cwd.join(DEMO_DIR);
        std::fs::create_dir_all(&dir).map_err(io(&format!(
            "cannot create the demo folder '{}'",
            dir.display()
        )))?;
        // A fresh start each time: the demo's story begins with a baseline.
        for name in ["demo.db", "demo.db-wal", "demo.db-shm"] {
            match std::fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io(&format!(
                        "cannot replace the demo database in '{}'",
                        dir.display()
                    ))(e));
                }
                _ => {}
            }
        }
        let config_path = dir.join("sources.toml");
        std::fs::write(&config_path, config_text(server, &mail_dir))
            .map_err(io("cannot write the demo config"))?;
        let config = Arc::new(Config::load(&config_path)?);
        let store = Store::open(&config.settings.database)?;
        let checker = Checker::new(Arc::clone(&config))?;
        let style = Style::detect(config.settings.timezone);
        Ok(Demo {
            checker,
            store,
            config,
            style,
            mail_dir,
        })
    }

    /// Checks both sources once, one after the other in the configuration's order, so that
    /// change ids and alerts come out the same on every run (a check of both at once stores
    /// each change when its fetch ends, in whatever order the fetches end).
    async fn check(&mut self) -> Result<Vec<Report>, Error> {
        let mut reports = Vec::new();
        for source in &self.config.sources {
            reports.extend(self.checker.check(&mut self.store, &[source]).await?);
        }
        Ok(reports)
    }

    /// Prints each report indented (the short form used by the first two steps).
    fn print_indented(&self, reports: &[Report]) {
        for r in reports {
            print!("   {}", terminal::report_text(r, self.style));
        }
    }
}

/// Step 1: the first check stores each page's text as its baseline.
async fn baseline(demo: &mut Demo) -> Result<(), Error> {
    println!(
        "1. First check: each page's text is stored as its baseline. Baselines are never alerted."
    );
    let reports = demo.check().await?;
    demo.print_indented(&reports);
    Ok(())
}

/// Step 2: only the timestamps move (outside the selected content), so nothing is reported.
async fn recheck_unedited(server: &PageServer, demo: &mut Demo) -> Result<(), Error> {
    println!("\n2. Check again, nothing edited except timestamps in the footer and byline:");
    server.set("/rules", page(BIS_RULES, "2026-11-21 09:00:00", &[]));
    server.set("/presse", page(PRESSE_FR, "21 novembre 2026 à 9 h 00", &[]));
    let reports = demo.check().await?;
    demo.print_indented(&reports);
    Ok(())
}

/// Step 3: the pages are edited, checked again, and each change is printed in full with a
/// summary line.
async fn check_edited(server: &PageServer, demo: &mut Demo) -> Result<Vec<Report>, Error> {
    println!(
        "\n3. The pages are edited the way real ones move: a threshold, a tier, a date, a rescission,"
    );
    println!("   a quota in the French press. Check again:\n");
    server.set("/rules", page(BIS_RULES, "2026-11-21 10:00:00", BIS_EDITS));
    server.set(
        "/presse",
        page(PRESSE_FR, "21 novembre 2026 à 10 h 00", PRESSE_EDITS),
    );
    let reports = demo.check().await?;
    for r in &reports {
        println!("{}", terminal::report_text(r, demo.style));
    }
    println!("{}", terminal::summary_line(&reports));
    Ok(reports)
}

/// Step 4: the alerts are delivered as .eml files and the outbox is listed.
async fn deliver(demo: &mut Demo, reports: &[Report]) -> Result<(), Error> {
    let changed = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Changed(_)))
        .count();
    let delivered = crate::notify::deliver(&mut demo.store, &demo.config, true).await?;
    println!(
        "\n4. {changed} change(s) stored; {} alert(s) written as .eml files to {}:",
        delivered.sent,
        demo.mail_dir.display()
    );
    for row in demo.store.outbox()?.iter().rev() {
        println!("   {} — {}", row.message_id, row.subject);
    }
    Ok(())
}
