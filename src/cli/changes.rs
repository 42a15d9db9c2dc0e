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
        known_source(&config, &store, id, "--source: ")?;
    }
    if let Some(t) = tag {
        known_tag(&config, &store, t)?;
    }
    let list = store.changes(&ChangeFilter {
        since,
        source: source.map(str::to_string),
        tag: tag.map(str::to_string),
        ..ChangeFilter::default()
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
/// the configuration keeps its history). `flag` starts the message (`"--source: "` or `""`).
pub(super) fn known_source(
    config: &Config,
    store: &Store,
    id: &str,
    flag: &str,
) -> Result<(), Error> {
    if config.source(id).is_some() {
        return Ok(());
    }
    let mut known: Vec<String> = config.sources.iter().map(|s| s.id.clone()).collect();
    for h in store.source_health()? {
        if h.id == id {
            return Ok(());
        }
        if !known.contains(&h.id) {
            known.push(h.id);
        }
    }
    Err(Error::Usage(format!(
        "{flag}no source with id \"{id}\" in {} or its database; known ids: {}",
        config.path.display(),
        known.join(", ")
    )))
}

/// A tag is known when the engine can emit it (built-in tags, the configuration's rules) or a
/// stored change carries it (a rule since removed).
fn known_tag(config: &Config, store: &Store, tag: &str) -> Result<(), Error> {
    let mut known = config.known_tags();
    for t in store.stored_tags()? {
        if !known.contains(&t) {
            known.push(t);
        }
    }
    if known.iter().any(|k| k == tag) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--tag: unknown tag \"{tag}\"; known tags: {}",
        known.join(", ")
    )))
}
