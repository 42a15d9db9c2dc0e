//! `regwatch digest [--preview] [--recipient NAME]`: each recipient's digest now.

use super::{Cli, load_config, open_existing, out};
use crate::config::Recipient;
use crate::model::Timestamp;
use crate::{Error, terminal};

/// Builds (and unless previewing, queues and sends) the digests.
pub(super) async fn digest(cli: &Cli, preview: bool, name: Option<&str>) -> Result<(), Error> {
    let config = load_config(cli)?;
    let chosen: Vec<&Recipient> = match name {
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
    let now = Timestamp::now();
    for r in chosen {
        let rendered = crate::notify::build_digest(&mut store, &config, r, now, !preview)?;
        if preview {
            out(&terminal::digest_preview(
                &r.emails,
                &rendered.subject,
                &rendered.text,
            ))?;
        }
    }
    if !preview {
        let d = crate::notify::deliver(&mut store, &config, false).await?;
        out(&format!("{}\n", terminal::delivery_line("digest", &d)))?;
    }
    Ok(())
}
