//! Alert routing: who gets an immediate alert for a change, and queuing those alerts in the
//! detection's own transaction, so a change and its alerts are stored together or not at all.

use crate::config::{AlertLevel, Config, Recipient};
use crate::model::{Change, Channel, MessageKind, WebhookFormat};
use crate::store::{Detection, NewMessage, StoreError};

use super::{alert_message_id, render, webhook};

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

/// Renders the change's alert once per channel and format and queues it for every recipient who
/// wants it, inside the detection transaction: an e-mail to recipients with `emails`, a webhook
/// message to recipients with a usable webhook (one whose variables are set; otherwise it is
/// skipped with one warning). Returns how many messages were queued.
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
    let bounded = super::bound::change_for_mail(change);
    let rendered = super::bound::cap_rendered(
        render::alert(&bounded, config.settings.timezone),
        &format!("full diff: regwatch show {}", change.id),
    );
    let instance = det.instance_id()?;
    let ctx = super::payload_context(config);
    let mut payloads: Vec<(WebhookFormat, String)> = Vec::new();
    let no_addresses: Vec<String> = Vec::new();
    let mut queued = 0;
    for r in &to {
        if !r.emails.is_empty() {
            let message_id = alert_message_id(&instance, change.id, &r.name, &config.mail.from);
            det.enqueue(&NewMessage {
                kind: MessageKind::Alert,
                channel: Channel::Email,
                format: None,
                recipient: &r.name,
                to: &r.emails,
                change_id: Some(change.id),
                message_id: &message_id,
                subject: &rendered.subject,
                text: &rendered.text,
                html: &rendered.html,
                at: change.detected_at,
            })?;
            queued += 1;
        }
        let Some(hook) = webhook::usable(r) else {
            continue;
        };
        if !payloads.iter().any(|(f, _)| *f == hook.format) {
            match webhook::payload::alert(hook.format, &bounded, &ctx) {
                Ok(p) => payloads.push((hook.format, p)),
                Err(e) => {
                    tracing::error!(change = change.id, format = %hook.format, error = %e, "cannot render the webhook alert");
                    continue;
                }
            }
        }
        let Some((_, body)) = payloads.iter().find(|(f, _)| *f == hook.format) else {
            continue;
        };
        let message_id = webhook::alert_delivery_id(&instance, change.id, &r.name);
        det.enqueue(&NewMessage {
            kind: MessageKind::Alert,
            channel: Channel::Webhook,
            format: Some(hook.format),
            recipient: &r.name,
            to: &no_addresses,
            change_id: Some(change.id),
            message_id: &message_id,
            subject: &rendered.subject,
            text: body,
            html: "",
            at: change.detected_at,
        })?;
        queued += 1;
    }
    Ok(queued)
}
