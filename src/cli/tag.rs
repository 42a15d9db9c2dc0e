//! `regwatch tag OLD NEW [--lang L] [--json]`: offline, the tags between two files.

use std::path::Path;

use super::{Cli, json_line, load_config, out};
use crate::model::Lang;
use crate::terminal::{self, Style};
use crate::{Error, pipeline};

/// Reads the two files, compares them as a check would, and prints the tags.
pub(super) fn tag(
    cli: &Cli,
    old: &Path,
    new: &Path,
    lang: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let lang: Option<Lang> = match lang {
        None => None,
        Some(l) => Some(
            l.parse()
                .map_err(|m| Error::Usage(format!("--lang: {m}")))?,
        ),
    };
    // User rules and the time zone apply when a configuration is present; `tag` works without.
    let config = if cli.config.exists() {
        Some(load_config(cli)?)
    } else {
        None
    };
    let rules = config.as_ref().map_or(&[][..], |c| &c.rules[..]);
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| Error::Io {
            context: format!("cannot read '{}'", path.display()),
            source,
        })
    };
    let result = pipeline::compare_files(&read(old)?, &read(new)?, lang, rules);
    if json {
        return json_line(&serde_json::json!({ "tags": result.tags }));
    }
    let tz = config
        .as_ref()
        .map_or(chrono_tz::UTC, |c| c.settings.timezone);
    out(&terminal::tags_text(
        &result.tags,
        result.added,
        result.removed,
        Style::detect(tz),
    ))
}
