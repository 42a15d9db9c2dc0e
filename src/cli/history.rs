//! `regwatch versions SOURCE_ID`, `regwatch diff SOURCE_ID [FROM] [TO]` and `regwatch text
//! SOURCE_ID [VERSION]`: the stored history of a source. Version numbers are those `versions`
//! prints (1 = the oldest); an unknown source or version is a usage error (exit 2).

use super::changes::known_source;
use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::config::Config;
use crate::store::{Store, StoredVersion};
use crate::{Error, pipeline, terminal};

/// Opens the database and the source's versions, refusing an unknown source.
fn history(cli: &Cli, source: &str) -> Result<(Config, Store, Vec<StoredVersion>), Error> {
    let config = load_config(cli)?;
    let store = open_existing(&config)?;
    known_source(&config, &store, source, "")?;
    let list = store.versions(source)?;
    Ok((config, store, list))
}

/// The version numbered `n`, or a usage error saying which numbers exist.
fn pick<'a>(list: &'a [StoredVersion], source: &str, n: i64) -> Result<&'a StoredVersion, Error> {
    usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| list.get(i))
        .ok_or_else(|| {
            let has = match list.len() {
                0 => "it has no stored version yet".to_string(),
                1 => "it has version 1 only".to_string(),
                len => format!("its versions are 1 to {len}"),
            };
            Error::Usage(format!(
                "source \"{source}\" has no version {n}: {has} (see `regwatch versions {source}`)"
            ))
        })
}

/// `versions`: every stored version, oldest first.
pub(super) fn versions(cli: &Cli, source: &str, json: bool) -> Result<(), Error> {
    let (config, _store, list) = history(cli, source)?;
    if json {
        return list.iter().try_for_each(json_line);
    }
    out(&terminal::versions_text(source, &list, style(&config)))
}

/// `text`: the stored text of one version (default the latest), one block per line.
pub(super) fn text(cli: &Cli, source: &str, version: Option<i64>) -> Result<(), Error> {
    let (_config, store, list) = history(cli, source)?;
    let v = match version {
        Some(n) => pick(&list, source, n)?,
        None => list.last().ok_or_else(|| no_versions(source))?,
    };
    let text = store.snapshot_text(v.snapshot_id)?;
    // Page text reaches the terminal: no escapes, no bidi overrides.
    out(&format!("{}\n", crate::util::sanitize(&text)))
}

fn no_versions(source: &str) -> Error {
    Error::Usage(format!(
        "source \"{source}\" has no stored version yet (run `regwatch check {source}`)"
    ))
}

/// `diff`: two versions (default the last two). The stored change between them when there is
/// one (as `show` prints it), else a comparison made now with the same stages.
pub(super) fn diff(
    cli: &Cli,
    source: &str,
    from: Option<i64>,
    to: Option<i64>,
    json: bool,
) -> Result<(), Error> {
    let (config, store, list) = history(cli, source)?;
    let newer = match to {
        Some(n) => pick(&list, source, n)?,
        None => list.last().ok_or_else(|| no_versions(source))?,
    };
    let older = match from {
        Some(n) => pick(&list, source, n)?,
        None if newer.version < 2 => {
            return Err(Error::Usage(format!(
                "source \"{source}\" has only version 1: nothing to compare it with yet"
            )));
        }
        None => pick(&list, source, newer.version - 1)?,
    };
    let d = pipeline::version_diff(&config, &store, older, newer)?;
    if json {
        return json_line(&d.to_json().map_err(Error::Runtime)?);
    }
    out(&terminal::version_diff_text(
        older,
        newer,
        &d.change,
        d.stored,
        style(&config),
    ))
}
