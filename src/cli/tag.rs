//! `regwatch tag OLD NEW [--lang L] [--json]`: offline, the tags between two files.

use std::io::Read as _;
use std::path::Path;

use super::{Cli, json_line, load_config, out};
use crate::extract::BodyKind;
use crate::model::Lang;
use crate::terminal::{self, Style};
use crate::{Error, pipeline};

/// Largest file `tag` compares: far above any regulation page, far below what would take
/// minutes to diff.
pub(super) const MAX_TAG_INPUT: u64 = 50 * 1024 * 1024;

/// Reads a file `tag` can compare: text or HTML of at most [`MAX_TAG_INPUT`] bytes. A binary or
/// PDF file, or a larger one, is refused at once (exit 1), before it is read whole.
fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        context: format!("cannot read '{}'", path.display()),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // One byte over the limit is enough to know it is too large (the size on disk may lie:
    // a pipe or /dev/zero has none).
    file.take(MAX_TAG_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_TAG_INPUT {
        return Err(Error::Runtime(format!(
            "'{}' is larger than {} MB: `tag` compares text and HTML documents up to that size",
            path.display(),
            MAX_TAG_INPUT >> 20
        )));
    }
    match crate::extract::sniff(&bytes) {
        found @ (BodyKind::Binary | BodyKind::Pdf) => Err(Error::Runtime(format!(
            "'{}' is {}, not a text or HTML document: `tag` compares text and HTML files{}",
            path.display(),
            found.describe(),
            if found == BodyKind::Pdf {
                " (convert a PDF with `pdftotext -enc UTF-8 FILE.pdf FILE.txt` first)"
            } else {
                ""
            }
        ))),
        _ => Ok(bytes),
    }
}

/// Reads the two files, compares them as a check would, and prints the tags.
pub(super) fn tag(
    cli: &Cli,
    old: &Path,
    new: &Path,
    lang: Option<&str>,
    packs: &[String],
    json: bool,
) -> Result<(), Error> {
    let known = crate::tag::packs::ids();
    if let Some(p) = packs.iter().find(|p| !known.contains(&p.as_str())) {
        return Err(Error::Usage(format!(
            "--pack: unknown pack \"{p}\": expected one of {}",
            known.join(", ")
        )));
    }
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
    let result = pipeline::compare_files(&read(old)?, &read(new)?, lang, rules, packs);
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
