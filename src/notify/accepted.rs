//! The digest's word on accepted baselines: each text that `settings.accept_shrink_after` (or a
//! person, with `regwatch accept`) accepted in the digest's period is reported once, under
//! "Source health", since it ended a failure streak without a change being reported.

use std::fmt::Write as _;

use super::NotifyError;
use super::render::{Rendered, esc, local_time};
use crate::config::{Config, Recipient};
use crate::model::Timestamp;
use crate::store::Store;

/// Adds the baselines accepted in `[since, until)` for this recipient's sources (those still in
/// the configuration) after the health section; without any, the digest is returned unchanged.
///
/// # Errors
/// [`NotifyError::Store`].
pub(super) fn with_accepted(
    mut r: Rendered,
    store: &Store,
    config: &Config,
    recipient: &Recipient,
    (since, until): (Timestamp, Timestamp),
) -> Result<Rendered, NotifyError> {
    let mut accepted = store.accepted_versions(since, until)?;
    accepted.retain(|a| {
        config.source(&a.source).is_some()
            && (recipient.sources.is_empty() || recipient.sources.contains(&a.source))
    });
    if accepted.is_empty() {
        return Ok(r);
    }
    let mut html = String::new();
    for a in &accepted {
        let how = if a.how == "auto" {
            format!(
                "the same shrunken text came back {} checks in a row",
                config.settings.accept_shrink_after
            )
        } else {
            "accepted with `regwatch accept`".to_string()
        };
        let line = format!(
            "new baseline accepted at {} ({how}; {} bytes): not reported as a change",
            local_time(a.at, config.settings.timezone),
            a.size
        );
        let _ = writeln!(r.text, "  ↺ {} — {line}", a.source_name);
        let _ = write!(
            html,
            "<div style=\"border-left:4px solid #b58900;padding:4px 10px;margin:0 0 8px\"><b>{}</b><br><span style=\"font-size:13px\">{}</span></div>",
            esc(&a.source_name),
            esc(&line)
        );
    }
    // Inside the wrapper `digest` closes last.
    let at = r.html.rfind("</div>").unwrap_or(r.html.len());
    r.html.insert_str(at, &html);
    Ok(r)
}
