//! `regwatch export` (every change with the facts of its fetch, as JSON lines or CSV) and
//! `regwatch verify` (every stored text re-hashed): what a team shows a regulator to prove that
//! its history was not altered.

use super::changes::known_source;
use super::{Cli, ExportFormat, json_line, load_config, open_existing, out};
use crate::config::parse_duration;
use crate::model::Timestamp;
use crate::store::ExportRow;
use crate::{Error, terminal};

/// Columns of the CSV export, in order.
const CSV_COLUMNS: &[&str] = &[
    "id",
    "source",
    "source_name",
    "source_url",
    "final_url",
    "detected_at",
    "severity",
    "old_sha256",
    "new_sha256",
    "etag",
    "last_modified",
    "regwatch_version",
    "tags",
];

/// Writes every change (oldest first) within `since`, of `source` or all.
pub(super) fn export(
    cli: &Cli,
    since: Option<&str>,
    source: Option<&str>,
    format: ExportFormat,
) -> Result<(), Error> {
    let config = load_config(cli)?;
    let since = since
        .map(|s| {
            parse_duration(s)
                .map(|d| Timestamp::now().minus(d))
                .map_err(|m| Error::Usage(format!("--since: {m}")))
        })
        .transpose()?;
    let store = open_existing(&config)?;
    if let Some(id) = source {
        known_source(&config, &store, id, "--source: ")?;
    }
    let rows = store.export(since, source)?;
    match format {
        ExportFormat::Jsonl => rows.iter().try_for_each(json_line),
        ExportFormat::Csv => {
            let mut text = csv_row(CSV_COLUMNS.iter().map(|c| (*c).to_string()));
            for r in &rows {
                text.push_str(&csv_row(csv_fields(r)));
            }
            out(&text)
        }
    }
}

/// One change's CSV fields, in [`CSV_COLUMNS`] order; tags by id, separated by `;`.
fn csv_fields(r: &ExportRow) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let tags: Vec<&str> = r.tags.iter().map(|t| t.tag.as_str()).collect();
    vec![
        r.id.to_string(),
        r.source.clone(),
        r.source_name.clone(),
        r.source_url.clone(),
        r.final_url.clone(),
        r.detected_at.to_rfc3339(),
        r.severity.as_str().to_string(),
        r.old_sha256.clone(),
        r.new_sha256.clone(),
        opt(&r.etag),
        opt(&r.last_modified),
        opt(&r.regwatch_version),
        tags.join(";"),
    ]
}

/// One CSV line (RFC 4180): a field with a comma, quote or line break is quoted, its quotes
/// doubled; control characters a server may have sent are replaced first.
fn csv_row(fields: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = fields
        .into_iter()
        .map(|f| {
            let f = crate::util::sanitize(&f).replace('\n', " ");
            if f.contains([',', '"']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    format!("{}\r\n", cells.join(","))
}

/// Re-hashes every stored text; exit 1 when any does not match, is unreadable or is missing.
pub(super) fn verify(cli: &Cli) -> Result<(), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    let found = store.verify()?;
    out(&terminal::verify_text(&found))?;
    if found.problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Runtime(format!(
            "verification failed: {} stored text(s) of {} do not match their SHA-256 or cannot be read",
            found.problems.len(),
            found.blobs
        )))
    }
}
