//! `regwatch changes [--since DUR] [--source ID] [--tag TAG] [--json]`: stored changes, newest
//! first.

use super::{Cli, json_line, load_config, open_existing, out, style};
use crate::Error;
use crate::config::{Config, parse_duration};
use crate::model::Timestamp;
use crate::store::{ChangeFilter, Store};
use crate::terminal;

/// Lists changes; unknown source ids and tags are errors, like `check nope`.
pub(super) fn changes(
    cli: &Cli,
    since: Option<&str>,
    source: Option<&str>,
    tag: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let config = load_config(cli)?;
    let since = match since {
        None => None,
        Some(s) => {
            let d = parse_duration(s).map_err(|m| Error::Usage(format!("--since: {m}")))?;
            Some(Timestamp::now().minus(d))
        }
    };
    let store = open_existing(&config)?;
    if let Some(id) = source {
        known_source(&config, &store, id)?;
    }
    if let Some(t) = tag {
        known_tag(&config, t)?;
    }
    let list = store.changes(&ChangeFilter {
        since,
        source: source.map(str::to_string),
        tag: tag.map(str::to_string),
        limit: None,
    })?;
    if !json && list.is_empty() {
        return out("no changes\n");
    }
    let style = style(&config);
    for c in &list {
        if json {
            json_line(c)?;
        } else {
            out(&terminal::change_line(c, style))?;
        }
    }
    Ok(())
}

/// A source id is known when the configuration or the database has it (a source removed from
/// the configuration keeps its history).
fn known_source(config: &Config, store: &Store, id: &str) -> Result<(), Error> {
    if config.source(id).is_some() {
        return Ok(());
    }
    let stored: Vec<String> = store.source_health()?.into_iter().map(|h| h.id).collect();
    if stored.iter().any(|s| s == id) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--source: no source with id \"{id}\" in {} or its database; known ids: {}",
        config.path.display(),
        stored.join(", ")
    )))
}

/// A tag is known when the engine can emit it (built-in tags, the configuration's rules).
fn known_tag(config: &Config, tag: &str) -> Result<(), Error> {
    let known = config.known_tags();
    if known.iter().any(|k| k == tag) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--tag: unknown tag \"{tag}\"; known tags: {}",
        known.join(", ")
    )))
}
