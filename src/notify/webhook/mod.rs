//! Webhooks: alerts and digests POSTed to a recipient's Slack, Teams or JSON endpoint, through the
//! same outbox as e-mail.
//!
//! # Architecture
//! A webhook message is an outbox row with `channel = 'webhook'`: its payload is rendered
//! ([`payload`]) when it is queued, in the transaction of the change it announces, and stored in
//! `body_text`. Its URL is a secret and is stored nowhere: [`send`] reads it from the variable the
//! recipient's `webhook_env` names, each time, and no error, log line or outbox field ever shows
//! it (errors say "webhook for recipient ops"; reqwest's errors lose their URL with
//! `without_url`). A 2xx answer is delivery; a time-out, a failed connection, 408, 425 and 5xx are
//! retried with the outbox's backoff (429 and 503 after the `Retry-After` the receiver asked
//! for); any other answer (3xx, 4xx, 410 Gone) is permanent: the message is `dead` with the
//! status in `last_error`, until `outbox retry` requeues it.

pub mod payload;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::SendError;
use crate::config::{Config, Recipient, Webhook};
use crate::model::Timestamp;
use crate::store::OutboxRow;
use crate::util::{sanitize, shorten};

/// Whole-request timeout of one delivery: a receiver that hangs delays only its own messages
/// (each webhook recipient is a lane of its own, see [`super::deliver_until`]) and for no longer.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// Header carrying the message's outbox `message_id`: the same on every retry, so a receiver
/// can recognise a message it already has.
pub const DELIVERY_HEADER: &str = "X-Regwatch-Delivery";
/// Header carrying `sha256=<hex HMAC-SHA256 of the exact body>` when `webhook_secret_env` is set.
pub const SIGNATURE_HEADER: &str = "X-Regwatch-Signature";
/// Characters of a refusing receiver's answer kept in `last_error`.
const MAX_REASON: usize = 200;

/// The delivery id (outbox `message_id`) of a change's alert to a recipient's webhook.
#[must_use]
pub fn alert_delivery_id(instance: &str, change_id: i64, recipient: &str) -> String {
    format!(
        "alert.{change_id}.{}.{instance}.webhook",
        super::recipient_key(recipient)
    )
}

/// The delivery id (outbox `message_id`) of a recipient's webhook digest for the period ending
/// `until`.
#[must_use]
pub fn digest_delivery_id(instance: &str, recipient: &str, until: Timestamp) -> String {
    let stamp = super::period_stamp(until);
    format!(
        "digest.{stamp}.{}.{instance}.webhook",
        super::recipient_key(recipient)
    )
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`, as [`SIGNATURE_HEADER`] carries it.
#[must_use]
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    format!("sha256={}", crate::util::hex(&mac.finalize().into_bytes()))
}

/// Recipients (and variables) already warned about in this process: one warning each.
static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn is_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// The recipient's webhook when messages can be queued for it: it has one, and the variables it
/// names are set. When one is not, the webhook is skipped (its e-mail is not) and one warning per
/// process says so.
pub(super) fn usable(r: &Recipient) -> Option<&Webhook> {
    let w = r.webhook.as_ref()?;
    let unset = std::iter::once(&w.env)
        .chain(w.secret_env.as_ref())
        .find(|v| !is_set(v));
    let Some(var) = unset else {
        return Some(w);
    };
    let first = WARNED
        .lock()
        .map(|mut set| set.insert(format!("{}\u{0}{var}", r.name)))
        .unwrap_or(true);
    if first {
        tracing::warn!(
            recipient = %sanitize(&r.name),
            variable = %var,
            at = %w.at,
            "environment variable {var} is not set: the webhook for recipient {} is skipped{}",
            sanitize(&r.name),
            if r.emails.is_empty() { "" } else { " (its e-mail is not)" }
        );
    }
    None
}

/// Sends one webhook message: a POST of its stored payload to the URL in the recipient's
/// variable, with [`DELIVERY_HEADER`] and, when a secret is configured, [`SIGNATURE_HEADER`].
pub(super) async fn send(
    client: &reqwest::Client,
    config: &Config,
    row: &OutboxRow,
) -> Result<(), SendError> {
    let who = format!("webhook for recipient {}", sanitize(&row.recipient));
    let Some(hook) = config
        .recipients
        .iter()
        .find(|r| r.name == row.recipient)
        .and_then(|r| r.webhook.as_ref())
    else {
        return Err(SendError::Permanent(format!(
            "{who}: the recipient has no webhook in the configuration any more"
        )));
    };
    let Some(url) = std::env::var(&hook.env)
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
    else {
        return Err(SendError::Transient(format!(
            "{who}: environment variable {} is not set",
            hook.env
        )));
    };
    let Some(parsed) = url::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
    else {
        return Err(SendError::Permanent(format!(
            "{who}: the value of {} is not an http(s) URL",
            hook.env
        )));
    };
    let body = row.body_text.clone().into_bytes();
    let mut req = client
        .post(parsed)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, &row.message_id);
    if let Some(var) = &hook.secret_env {
        let Some(secret) = std::env::var_os(var).filter(|s| !s.is_empty()) else {
            return Err(SendError::Transient(format!(
                "{who}: environment variable {var} (webhook_secret_env) is not set"
            )));
        };
        req = req.header(
            SIGNATURE_HEADER,
            signature(secret.as_encoded_bytes(), &body),
        );
    }
    // The client's own timeout covers the request; this one is the net under it.
    let answer = tokio::time::timeout(
        WEBHOOK_TIMEOUT + Duration::from_secs(5),
        req.body(body).send(),
    )
    .await;
    let resp = match answer {
        Err(_) => {
            return Err(SendError::Transient(format!(
                "{who}: no answer within {}",
                crate::util::humanize(WEBHOOK_TIMEOUT)
            )));
        }
        Ok(Err(e)) => return Err(request_error(&who, e, &url)),
        Ok(Ok(r)) => r,
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::fetch::retry_after_secs)
        .map(|s| Duration::from_secs(s).min(crate::scheduler::MAX_RETRY_AFTER));
    let reason = reason(resp, &url).await;
    let why = format!("{who}: HTTP {status}{reason}");
    Err(match status.as_u16() {
        429 | 503 => match retry_after {
            Some(wait) => SendError::Deferred(why, wait),
            None => SendError::Transient(why),
        },
        408 | 425 | 500..=599 => SendError::Transient(why),
        _ => SendError::Permanent(why),
    })
}

/// The first words of a refusing receiver's answer (Slack says `invalid_payload`, Teams names
/// the card's fault), as `: "…"`, or nothing; read for a few seconds at most.
async fn reason(resp: reqwest::Response, url: &str) -> String {
    let Ok(Ok(text)) = tokio::time::timeout(Duration::from_secs(5), resp.text()).await else {
        return String::new();
    };
    let text = text.replace(url, "<webhook URL>");
    let text = shorten(sanitize(&text).replace('\n', " ").trim(), MAX_REASON);
    if text.is_empty() {
        String::new()
    } else {
        format!(": \"{text}\"")
    }
}

/// A failed request as words for people, without the URL: what failed, then each distinct cause.
fn request_error(who: &str, e: reqwest::Error, url: &str) -> SendError {
    use std::error::Error as _;
    let e = e.without_url();
    let what = if e.is_timeout() {
        format!(
            "no answer within {}",
            crate::util::humanize(WEBHOOK_TIMEOUT)
        )
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else if e.is_builder() {
        "cannot build the request".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut parts = vec![what];
    let mut cur = e.source();
    while let Some(c) = cur {
        let full = c.to_string();
        let own = match c.source().map(|s| format!(": {s}")) {
            Some(tail) => full.strip_suffix(&tail).unwrap_or(&full).trim().to_string(),
            None => full.trim().to_string(),
        };
        if !own.is_empty() && !parts.contains(&own) {
            parts.push(own);
        }
        cur = c.source();
    }
    let text = sanitize(&parts.join(": ")).replace(url, "<webhook URL>");
    if e.is_builder() {
        SendError::Permanent(format!("{who}: {text}"))
    } else {
        SendError::Transient(format!("{who}: {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn delivery_ids_are_stable_and_distinct_per_recipient() {
        assert_eq!(
            alert_delivery_id("abc", 7, "ops"),
            alert_delivery_id("abc", 7, "ops")
        );
        assert_ne!(
            alert_delivery_id("abc", 7, "ops"),
            alert_delivery_id("abc", 7, "Ops")
        );
        assert!(alert_delivery_id("abc", 7, "ops").starts_with("alert.7.ops-"));
    }
}
