//! `regwatch demo`: an offline showcase.
//!
//! Two bundled pages (an English rules page and a French news article, both written for the demo)
//! are served from an in-process server on 127.0.0.1. regwatch takes a baseline, the pages are
//! edited the way the real ones move (a threshold, a country's tier, a date, a rescission), and a
//! second check shows what regwatch reports. A timestamp that changes outside the selected content
//! shows what it does *not* report.

use std::sync::Arc;

use super::serve::{Page, PageServer};
use crate::Error;
use crate::config::Config;
use crate::pipeline::{Checker, Outcome};
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

/// Runs the demo: temporary database, no network beyond 127.0.0.1, a few seconds.
///
/// # Errors
/// When the local server, the temporary folder or the database cannot be set up.
pub async fn run() -> Result<(), Error> {
    let io = |context: &str| {
        let context = context.to_string();
        move |source| Error::Io { context, source }
    };
    let server = PageServer::start()
        .await
        .map_err(io("cannot start the demo server on 127.0.0.1"))?;
    server.set("/rules", page(BIS_RULES, "2026-11-20 09:00:00", &[]));
    server.set("/presse", page(PRESSE_FR, "20 novembre 2026 à 9 h 00", &[]));

    let dir = tempfile::tempdir().map_err(io("cannot create a temporary folder"))?;
    let mail_dir = std::env::current_dir()
        .map_err(io("cannot read the current folder"))?
        .join("mail");
    let config_path = dir.path().join("sources.toml");
    let config_text = format!(
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
    );
    std::fs::write(&config_path, &config_text).map_err(io("cannot write the demo config"))?;
    let config = Arc::new(Config::load(&config_path)?);
    let mut store = Store::open(&config.settings.database)?;
    let checker = Checker::new(Arc::clone(&config))?;
    let sources: Vec<_> = config.sources.iter().collect();
    let style = Style::detect(config.settings.timezone);

    println!(
        "regwatch demo — two pages served on {} (no internet needed)\n",
        server.addr()
    );
    println!(
        "1. First check: each page's text is stored as its baseline. Baselines are never alerted."
    );
    for r in checker.check(&mut store, &sources).await? {
        print!("   {}", terminal::report_text(&r, style));
    }

    println!("\n2. Check again, nothing edited except timestamps in the footer and byline:");
    server.set("/rules", page(BIS_RULES, "2026-11-21 09:00:00", &[]));
    server.set("/presse", page(PRESSE_FR, "21 novembre 2026 à 9 h 00", &[]));
    for r in checker.check(&mut store, &sources).await? {
        print!("   {}", terminal::report_text(&r, style));
    }

    println!(
        "\n3. The pages are edited the way real ones move: a threshold, a tier, a date, a rescission,"
    );
    println!("   a quota in the French press. Check again:\n");
    server.set("/rules", page(BIS_RULES, "2026-11-21 10:00:00", BIS_EDITS));
    server.set(
        "/presse",
        page(PRESSE_FR, "21 novembre 2026 à 10 h 00", PRESSE_EDITS),
    );
    let reports = checker.check(&mut store, &sources).await?;
    for r in &reports {
        println!("{}", terminal::report_text(r, style));
    }
    let changed = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Changed(_)))
        .count();
    println!("{}", terminal::summary_line(&reports));
    let delivered = crate::notify::deliver(&mut store, &config, true).await?;
    println!(
        "\n4. {changed} change(s) stored; {} alert(s) written as .eml files to {}:",
        delivered.sent,
        mail_dir.display()
    );
    for row in store.outbox()?.iter().rev() {
        println!("   {} — {}", row.message_id, row.subject);
    }
    println!("\nTry it on real sources: `regwatch --config sources.toml check`.");
    Ok(())
}
