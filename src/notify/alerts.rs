//! Alert routing: who gets an immediate alert for a change, and queuing those alerts in the
//! detection's own transaction, so a change and its alerts are stored together or not at all.

use crate::config::{AlertLevel, Config, Recipient};
use crate::model::{Change, MessageKind};
use crate::store::{Detection, NewMessage, StoreError};

use super::{alert_message_id, render};

/// Whether a recipient gets an immediate alert for a change.
#[must_use]
pub fn wants_alert(r: &Recipient, c: &Change) -> bool {
    let AlertLevel::AtLeast(min) = r.alerts else {
        return false;
    };
    // Only tags of the recipient's packs count, for the severity as for `tags`.
    let severity = if r.packs.is_empty() {
        c.severity
    } else {
        c.tags
            .iter()
            .filter(|t| r.wants_tag(&t.tag))
            .map(|t| t.severity)
            .max()
            .unwrap_or(crate::model::Severity::Low)
    };
    severity >= min
        && (r.sources.is_empty() || r.sources.contains(&c.source))
        && (r.tags.is_empty()
            || c.tags
                .iter()
                .any(|t| r.tags.contains(&t.tag) && r.wants_tag(&t.tag)))
}

/// Renders the change's alert once and queues it for every recipient who wants it, inside the
/// detection transaction. Returns how many messages were queued.
///
/// # Errors
/// [`StoreError`] from the outbox; the caller's transaction is then dropped whole.
pub fn enqueue_alerts(
    det: &Detection<'_>,
    config: &Config,
    change: &Change,
) -> Result<usize, StoreError> {
    let to: Vec<&Recipient> = config
        .recipients
        .iter()
        .filter(|r| wants_alert(r, change))
        .collect();
    if to.is_empty() {
        return Ok(0);
    }
    // One rendering and one instance id serve every recipient of this change.
    // Windowed around the edits, then capped: a megabyte-long block never makes a message a
    // relay would refuse.
    let rendered = super::bound::cap_rendered(
        render::alert(
            &super::bound::change_for_mail(change),
            config.settings.timezone,
        ),
        &format!("full diff: regwatch show {}", change.id),
    );
    let instance = det.instance_id()?;
    for r in &to {
        let message_id = alert_message_id(&instance, change.id, &r.name, &config.mail.from);
        det.enqueue(&NewMessage {
            kind: MessageKind::Alert,
            recipient: &r.name,
            to: &r.emails,
            change_id: Some(change.id),
            message_id: &message_id,
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
            at: change.detected_at,
        })?;
    }
    Ok(to.len())
}
