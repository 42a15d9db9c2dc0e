//! `regwatch versions SOURCE_ID`, `regwatch diff SOURCE_ID [FROM] [TO]` and `regwatch text
//! SOURCE_ID [VERSION]`: the stored history of a source. Version numbers are those `versions`
//! prints (1 = the oldest); an unknown source or version is a usage error (exit 2).

use super::changes::known_source;
use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::config::Config;
use crate::model::Change;
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
    let (change, stored) = match store.change_between(older.snapshot_id, newer.snapshot_id)? {
        Some(c) => (c, true),
        None => (compare(&config, &store, older, newer)?, false),
    };
    if json {
        return json_line(&diff_json(older, newer, &change, stored)?);
    }
    out(&terminal::version_diff_text(
        older,
        newer,
        &change,
        stored,
        style(&config),
    ))
}

/// Two versions compared now, as a change would have been (with the source's language, item
/// lists and the configuration's rules).
fn compare(
    config: &Config,
    store: &Store,
    older: &StoredVersion,
    newer: &StoredVersion,
) -> Result<Change, Error> {
    let old = store.snapshot_blocks(older.snapshot_id)?;
    let new = store.snapshot_blocks(newer.snapshot_id)?;
    let source = config.source(&older.source);
    let c = pipeline::compare_versions(&old, &new, source, &config.rules);
    let (name, url) = match source {
        Some(s) => (s.name.clone(), crate::util::redact_url(&s.url)),
        None => (
            older.source.clone(),
            newer.final_url.clone().unwrap_or_default(),
        ),
    };
    Ok(Change {
        id: 0,
        source: older.source.clone(),
        source_name: name,
        url: newer.final_url.clone().unwrap_or(url),
        detected_at: newer.first_seen,
        severity: Change::severity_of(&c.tags),
        added: c.added,
        removed: c.removed,
        tags: c.tags,
        diff: c.diff,
        spans: c.spans,
    })
}

/// The JSON of `diff`: a change object (without `id`), with `change` (the stored change's id,
/// or null when compared now), `from`, `to` and the SHA-256 of both texts.
fn diff_json(
    older: &StoredVersion,
    newer: &StoredVersion,
    c: &Change,
    stored: bool,
) -> Result<serde_json::Value, Error> {
    let mut v =
        serde_json::to_value(c).map_err(|e| Error::Runtime(format!("cannot encode JSON: {e}")))?;
    if let Some(map) = v.as_object_mut() {
        map.remove("id");
        map.insert("change".into(), stored.then_some(c.id).into());
        map.insert("from".into(), older.version.into());
        map.insert("to".into(), newer.version.into());
        map.insert("from_sha256".into(), older.sha256.clone().into());
        map.insert("to_sha256".into(), newer.sha256.clone().into());
    }
    Ok(v)
}
