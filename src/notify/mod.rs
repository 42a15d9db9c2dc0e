//! Alerts and digests: who gets what (routing), how it reads (`render` for e-mail, `webhook::payload`
//! for Slack, Teams and JSON), and how it leaves (delivery through the outbox, over SMTP, into a
//! mail directory, or as a webhook POST). The only module that speaks SMTP.
//!
//! # Architecture
//! Alerts are rendered and written to the outbox in the same transaction as the change they
//! announce (see `pipeline`). Delivery is a separate step: stale claims are reclaimed, due rows are
//! claimed one at a time (`pending` → `sending`), sent, then marked `sent`; a transient failure
//! (refused connection, time-out, SMTP 4xx) goes back to `pending` with an exponential backoff
//! capped at [`crate::scheduler::MAX_BACKOFF`], for `settings.delivery_retry_for` after its first
//! failure; a permanent one (SMTP 5xx, a bad address) or the end of that period ends `dead` with
//! its error kept, until `outbox retry` requeues it. Rows are independent, so one failing
//! recipient never blocks another, and they are sent in lanes (one for mail, one per webhook
//! recipient; docs/ARCHITECTURE.md, *Mail and webhooks*), so a hanging receiver holds only its own. Listings and metrics never read bodies; only the message being
//! sent is read whole, and sent messages' bodies are blanked after `settings.outbox_retention`.

mod accepted;
mod alerts;
pub mod bound;
pub mod render;
pub mod webhook;

pub use alerts::{enqueue_alerts, wants_alert};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Recipient};
use crate::model::{Channel, MessageKind, Timestamp};
use crate::store::{NewMessage, OutboxRow, Store, StoreError};

/// Environment variable holding the SMTP password (never the config file).
pub const PASSWORD_ENV: &str = "REGWATCH_SMTP_PASSWORD";
/// First retry delay; doubles each attempt up to [`crate::scheduler::MAX_BACKOFF`] (6 hours).
pub const FIRST_BACKOFF: Duration = Duration::from_secs(60);
/// A claim older than this is taken to belong to a process that died.
pub const STALE_CLAIM: Duration = Duration::from_secs(300);
/// What a recipient's first digest covers: the week before it.
pub const FIRST_DIGEST_SPAN: Duration = Duration::from_secs(7 * 86_400);
/// SMTP command timeout.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A delivery error.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The outbox could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The SMTP settings cannot be used.
    #[error("mail setup: {0}")]
    Setup(String),
}

/// The domain of the `From` address, for `Message-ID`s.
fn from_domain(from: &str) -> String {
    from.rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "regwatch.localhost".into())
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A recipient's key in `Message-ID`s and `.eml` file names: a readable ASCII slug of the name
/// plus a short hash of the exact name, so names that slugify alike (`法务` and `合规`, `Zoë` and
/// `Zoé`) never share a key.
#[must_use]
pub fn recipient_key(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = crate::util::hex(&Sha256::digest(name.as_bytes()));
    let slug = slug(name);
    let slug = slug.trim_matches('-');
    let slug: String = slug.chars().take(40).collect();
    if slug.is_empty() {
        hash[..10].to_string()
    } else {
        format!("{slug}-{}", &hash[..10])
    }
}

/// The stable `Message-ID` of a change's alert to a recipient.
#[must_use]
pub fn alert_message_id(instance: &str, change_id: i64, recipient: &str, from: &str) -> String {
    format!(
        "<alert.{change_id}.{}.{instance}@{}>",
        recipient_key(recipient),
        from_domain(from)
    )
}

/// The digits of a digest period's end, as digest ids (e-mail and webhook) carry it.
fn period_stamp(until: Timestamp) -> String {
    until
        .to_rfc3339()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// The stable `Message-ID` of a recipient's digest for the period ending `until`.
#[must_use]
pub fn digest_message_id(instance: &str, recipient: &str, until: Timestamp, from: &str) -> String {
    let stamp = period_stamp(until);
    format!(
        "<digest.{stamp}.{}.{instance}@{}>",
        recipient_key(recipient),
        from_domain(from)
    )
}

/// Counts of one delivery pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Sent now.
    pub sent: usize,
    /// Failed, will be retried.
    pub retrying: usize,
    /// Given up.
    pub dead: usize,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Dir(PathBuf),
}

/// Why one message was not delivered.
enum SendError {
    /// Worth retrying after the usual backoff.
    Transient(String),
    /// Worth retrying after the time the receiver asked for (`Retry-After`).
    Deferred(String, Duration),
    /// Retrying would not help: the message is dead.
    Permanent(String),
}

fn transport(config: &Config) -> Result<Transport, NotifyError> {
    let Some(raw) = &config.mail.smtp else {
        return Ok(Transport::Dir(config.mail.mail_dir.clone()));
    };
    let url = url::Url::parse(raw).map_err(|e| NotifyError::Setup(format!("smtp URL: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| NotifyError::Setup("smtp URL has no host".into()))?
        .to_string();
    let tls_required = url
        .query_pairs()
        .any(|(k, v)| k == "tls" && v == "required");
    let builder = match (url.scheme(), tls_required) {
        ("smtps", _) => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)
            .map_err(|e| NotifyError::Setup(e.to_string()))?
            .port(url.port().unwrap_or(465)),
        ("smtp", true) => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
            .map_err(|e| NotifyError::Setup(e.to_string()))?
            .port(url.port().unwrap_or(587)),
        _ => {
            let loopback = crate::util::is_loopback_host(&host);
            if !loopback {
                tracing::warn!(host = %host, "plain SMTP without TLS to a host that is not loopback: use smtps:// or ?tls=required");
            }
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                .port(url.port().unwrap_or(25))
        }
    };
    let builder = builder.timeout(Some(SMTP_TIMEOUT));
    let builder = if url.username().is_empty() {
        builder
    } else {
        let user = percent_decode(url.username());
        let password = std::env::var(PASSWORD_ENV).unwrap_or_default();
        builder.credentials(Credentials::new(user, password))
    };
    Ok(Transport::Smtp(builder.build()))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map_or_else(|| s.to_string(), |(_, v)| v.into_owned())
}

fn build(config: &Config, row: &OutboxRow) -> Result<Message, SendError> {
    let from: Mailbox = config
        .mail
        .from
        .parse()
        .map_err(|e| SendError::Permanent(format!("bad From address: {e}")))?;
    let mut b = Message::builder()
        .from(from)
        .subject(render::header_safe(&row.subject))
        .message_id(Some(row.message_id.clone()));
    for to in &row.to {
        let mb: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad address {to}: {e}")))?;
        b = b.to(mb);
    }
    b.multipart(MultiPart::alternative_plain_html(
        row.body_text.clone(),
        row.body_html.clone(),
    ))
    .map_err(|e| SendError::Permanent(format!("cannot build message: {e}")))
}

/// Writes a message atomically (temporary file, then rename) into the mail directory.
fn write_eml(dir: &Path, row: &OutboxRow, bytes: &[u8]) -> Result<PathBuf, SendError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        SendError::Transient(format!(
            "cannot create mail directory '{}': {e}",
            dir.display()
        ))
    })?;
    // Creation time first, so that files sort in order and two databases never clash.
    let stamp: String = row
        .created_at
        .to_rfc3339()
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let name = format!(
        "{stamp}-{:06}-{}-{}.eml",
        row.id,
        row.kind,
        recipient_key(&row.recipient)
    );
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            SendError::Transient(format!("cannot write '{}': {e}", path.display()))
        })?;
    Ok(path)
}

async fn send(t: &Transport, config: &Config, row: &OutboxRow) -> Result<(), SendError> {
    let msg = build(config, row)?;
    match t {
        Transport::Dir(dir) => write_eml(dir, row, &msg.formatted()).map(|_| ()),
        Transport::Smtp(smtp) => match tokio::time::timeout(SMTP_TIMEOUT * 2, smtp.send(msg)).await
        {
            Err(_) => Err(SendError::Transient("SMTP timed out".into())),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(SendError::Permanent(smtp_error_text(&e))),
            Ok(Err(e)) => Err(SendError::Transient(smtp_error_text(&e))),
        },
    }
}

/// An SMTP failure for people: what kind of failure (with the reply code), then each distinct
/// cause once. lettre's own text repeats its kind at every level ("Connection error: Connection
/// error: …"), so each level contributes only its own words, lettre's bare kind names are left
/// out, and a text equal to the one before it is skipped.
fn smtp_error_text(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    let mut chain: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut cur = e.source();
    while let Some(c) = cur {
        chain.push(c);
        cur = c.source();
    }
    let smtp = || {
        std::iter::once(e).chain(
            chain
                .iter()
                .filter_map(|c| c.downcast_ref::<lettre::transport::smtp::Error>()),
        )
    };
    let code = smtp().find_map(lettre::transport::smtp::Error::status);
    let mut parts = vec![match code {
        Some(code) if e.is_permanent() => format!("SMTP rejected the message ({code})"),
        Some(code) => format!("SMTP deferred the message ({code})"),
        None if e.is_timeout() => "SMTP timed out".to_string(),
        None if smtp().any(lettre::transport::smtp::Error::is_tls) => "SMTP TLS failed".into(),
        None if smtp().any(lettre::transport::smtp::Error::is_response) => {
            "SMTP answer not understood".into()
        }
        None if smtp().any(lettre::transport::smtp::Error::is_client) => "SMTP client error".into(),
        None => "SMTP connection failed".into(),
    }];
    for c in chain {
        let full = c.to_string();
        let own = match c.source().map(|s| format!(": {s}")) {
            Some(tail) => full.strip_suffix(&tail).unwrap_or(&full).trim().to_string(),
            None => full.trim().to_string(),
        };
        // A nested lettre error adds only its kind, which the first part already says.
        let nested = c.downcast_ref::<lettre::transport::smtp::Error>().is_some();
        if !own.is_empty() && !nested && parts.last() != Some(&own) {
            parts.push(own);
        }
    }
    parts.join(": ")
}

fn backoff(attempts: i64) -> Duration {
    crate::scheduler::backoff(FIRST_BACKOFF, attempts, crate::scheduler::MAX_BACKOFF)
}

/// Longest `Retry-After` a receiver gets for a message: 24 hours. A receiver asking for more is
/// tried again a day later (it may have come back sooner), so the default week of
/// `delivery_retry_for` still holds several attempts.
pub const MAX_DELIVERY_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The wait before the next attempt of a message that failed `attempts_before` times before
/// this failure: its backoff, or the receiver's `Retry-After` (`asked`, at most
/// [`MAX_DELIVERY_RETRY_AFTER`]) when that is longer. `Retry-After` is a floor, never a shortcut:
/// a receiver answering "Retry-After: 1" to every attempt does not turn the backoff into a
/// request a second.
fn retry_wait(attempts_before: i64, asked: Option<Duration>) -> Duration {
    let backoff = backoff(attempts_before);
    asked.map_or(backoff, |a| a.min(MAX_DELIVERY_RETRY_AFTER).max(backoff))
}

/// What happens after a transient failure at `now`: the next attempt's time ([`retry_wait`]
/// later), or `None` when the retry period that began at the message's first failure has run
/// out.
fn retry_after_transient(
    now: Timestamp,
    first_failed_at: Option<Timestamp>,
    attempts_before: i64,
    retry_for: Duration,
    asked: Option<Duration>,
) -> Option<Timestamp> {
    let first = first_failed_at.unwrap_or(now);
    let give_up_at = first.plus(retry_for);
    if now >= give_up_at {
        return None;
    }
    // The last attempt falls on the end of the period rather than one backoff after it.
    Some(now.plus(retry_wait(attempts_before, asked)).min(give_up_at))
}

/// A duration as written in `sources.toml`: `7d`, `6h`, `5m`, `90s`.
#[must_use]
pub fn human_span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => crate::util::humanize(d),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        _ => crate::util::humanize(d),
    }
}

/// Blanks the bodies of messages sent longer than `settings.outbox_retention` ago. A failure is
/// logged, never fatal: delivery matters more than pruning.
fn prune(store: &mut Store, config: &Config, now: Timestamp) {
    match store.prune_sent_bodies(now.minus(config.settings.outbox_retention), now) {
        Ok(0) => {}
        Ok(n) => tracing::info!(messages = n, "pruned the bodies of old sent messages"),
        Err(e) => tracing::warn!(error = %e, "cannot prune old sent messages"),
    }
}

/// Records a sent message. The server already has it, so a passing database failure (busy,
/// briefly full) is retried here for about half a minute rather than left to the stale-claim
/// reclaim, which would send the message again.
async fn record_sent(store: &mut Store, id: i64, claimed: Timestamp) -> Result<(), NotifyError> {
    let mut wait = Duration::from_millis(250);
    loop {
        match store.mark_sent(id, claimed, Timestamp::now()) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                tracing::warn!(
                    message = id,
                    "sent, but another process had taken the message over meanwhile"
                );
                return Ok(());
            }
            Err(e) if wait <= Duration::from_secs(16) => {
                tracing::warn!(message = id, error = %e, "sent, but cannot record it yet; trying again");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends every due message (every pending one when `ignore_backoff`).
///
/// # Errors
/// [`NotifyError`] when the outbox cannot be read or the SMTP settings are unusable; failures of
/// single messages are recorded on them.
pub async fn deliver(
    store: &mut Store,
    config: &Config,
    ignore_backoff: bool,
) -> Result<Delivered, NotifyError> {
    deliver_until(
        store,
        config,
        ignore_backoff,
        &CancellationToken::new(),
        None,
    )
    .await
}

/// Messages sent at once in one pass: one lane for e-mail (one SMTP conversation at a time, as
/// relays like it) and one per webhook recipient, each lane sending its messages in order.
pub const MAX_LANES: usize = 16;

/// Where a message waits its turn: messages of one lane are sent one after the other, lanes side
/// by side, so a relay or receiver that hangs holds only its own lane.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lane {
    Mail,
    Webhook(String),
}

impl Lane {
    fn of(row: &OutboxRow) -> Lane {
        match row.channel {
            Channel::Email => Lane::Mail,
            Channel::Webhook => Lane::Webhook(row.recipient.clone()),
        }
    }
}

/// The ways out of one delivery pass, each set up once, only when a message needs it (through
/// a shared reference: lanes already sending hold one while new messages join the pass).
struct Senders {
    mail: OnceLock<Result<Transport, String>>,
    http: OnceLock<Result<reqwest::Client, String>>,
}

impl Senders {
    /// Sets up the sender of `lane` if that was not done yet; its setup error, if any.
    fn ready(&self, config: &Config, lane: &Lane) -> Result<(), String> {
        let done = match lane {
            Lane::Mail => self
                .mail
                .get_or_init(|| {
                    transport(config).map_err(|e| match e {
                        NotifyError::Setup(m) => m,
                        other => other.to_string(),
                    })
                })
                .as_ref()
                .map(|_| ()),
            Lane::Webhook(_) => self
                .http
                .get_or_init(|| {
                    crate::fetch::sending_client(
                        &config.settings.user_agent,
                        webhook::WEBHOOK_TIMEOUT,
                    )
                    .map_err(|e| format!("webhook client: {e}"))
                })
                .as_ref()
                .map(|_| ()),
        };
        done.map_err(Clone::clone)
    }

    async fn send(&self, config: &Config, row: &OutboxRow) -> Result<(), SendError> {
        let missing = || SendError::Transient("no sender set up for this channel".into());
        match row.channel {
            Channel::Email => match self.mail.get() {
                Some(Ok(t)) => send(t, config, row).await,
                _ => Err(missing()),
            },
            Channel::Webhook => match self.http.get() {
                Some(Ok(c)) => webhook::send(c, config, row).await,
                _ => Err(missing()),
            },
        }
    }
}

/// The lanes of a pass: each with the messages waiting their turn in it, and whether one of its
/// messages is being sent.
#[derive(Default)]
struct Lanes {
    lanes: Vec<(Lane, std::collections::VecDeque<OutboxRow>, bool)>,
}

impl Lanes {
    /// Puts due messages at the end of their lanes (new lanes for new recipients), each once.
    /// Messages whose sender cannot be set up are left pending; the first setup error is kept.
    fn add(
        &mut self,
        rows: Vec<OutboxRow>,
        senders: &Senders,
        config: &Config,
        setup_error: &mut Option<NotifyError>,
    ) {
        for row in rows {
            let lane = Lane::of(&row);
            if let Err(e) = senders.ready(config, &lane) {
                setup_error.get_or_insert(NotifyError::Setup(e));
                continue;
            }
            match self.lanes.iter_mut().find(|(l, _, _)| *l == lane) {
                Some((_, queue, _)) => {
                    if !queue.iter().any(|r| r.id == row.id) {
                        queue.push_back(row);
                    }
                }
                None => self
                    .lanes
                    .push((lane, std::collections::VecDeque::from([row]), false)),
            }
        }
    }
}

/// How a long pass takes in messages that became due while it runs (the daemon's delivery): a
/// receiver that hangs holds its own lane for up to [`webhook::WEBHOOK_TIMEOUT`] per message, and
/// the other lanes must not wait for it to end the pass before their next messages go.
pub struct Refill<'a> {
    /// How often the outbox is read again while some lane is still sending.
    pub every: Duration,
    /// Runs before each reading (the daemon queues the digests that fell due there).
    pub before: &'a mut (dyn FnMut(&mut Store) + Send),
}

/// [`deliver`] that stops as soon as `stop` is cancelled: a message being sent then goes back to
/// `pending` at once (not after the stale-claim delay), with its attempts unchanged.
///
/// Messages are sent in lanes ([`MAX_LANES`] at once): e-mail in one, each webhook recipient in
/// its own, so a receiver that hangs or a relay that is slow delays nobody else; each result is
/// recorded as soon as it comes. With `refill`, messages that fall due while a lane is still
/// sending join the pass every `refill.every`, so the other lanes go on delivering; the pass
/// ends when no lane is sending.
///
/// # Errors
/// As [`deliver`]. When one channel cannot be set up (SMTP settings), the other channels are
/// still delivered, and the setup error is returned at the end.
pub async fn deliver_until(
    store: &mut Store,
    config: &Config,
    ignore_backoff: bool,
    stop: &CancellationToken,
    mut refill: Option<Refill<'_>>,
) -> Result<Delivered, NotifyError> {
    use futures_util::StreamExt as _;

    let now = Timestamp::now();
    store.reclaim_stale(now.minus(STALE_CLAIM))?;
    prune(store, config, now);
    let due_at = |now: Timestamp| if ignore_backoff { None } else { Some(now) };
    let due = store.due_messages(due_at(now))?;
    let mut out = Delivered::default();
    if due.is_empty() {
        return Ok(out);
    }
    let mut setup_error = None;
    let senders = Senders {
        mail: OnceLock::new(),
        http: OnceLock::new(),
    };
    let senders = &senders;
    let mut lanes = Lanes::default();
    lanes.add(due, senders, config, &mut setup_error);
    let mut ticks = refill.as_ref().map(|r| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + r.every, r.every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    let mut claims: Vec<(i64, Timestamp)> = Vec::new();
    let mut running = futures_util::stream::FuturesUnordered::new();
    loop {
        if !stop.is_cancelled() {
            for (i, (_, queue, busy)) in lanes.lanes.iter_mut().enumerate() {
                if *busy || running.len() >= MAX_LANES {
                    continue;
                }
                while let Some(next) = queue.pop_front() {
                    let claimed = Timestamp::now();
                    if !store.claim(next.id, claimed)? {
                        continue;
                    }
                    // Listings carry no bodies: the messages being sent are the only ones read
                    // whole.
                    let Some(row) = store.message(next.id)? else {
                        continue;
                    };
                    claims.push((row.id, claimed));
                    *busy = true;
                    running.push(async move {
                        let sent = senders.send(config, &row).await;
                        (i, row, claimed, sent)
                    });
                    break;
                }
            }
        }
        if running.is_empty() {
            break;
        }
        let tick = async {
            match ticks.as_mut() {
                Some(t) => {
                    t.tick().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            Some((i, row, claimed, sent)) = running.next() => {
                if let Some(lane) = lanes.lanes.get_mut(i) {
                    lane.2 = false;
                }
                claims.retain(|(id, _)| *id != row.id);
                record(store, config, &row, claimed, sent, &mut out).await?;
            }
            () = tick => {
                if let Some(r) = refill.as_mut() {
                    (r.before)(store);
                }
                match store.due_messages(due_at(Timestamp::now())) {
                    Ok(due) => lanes.add(due, senders, config, &mut setup_error),
                    Err(e) => tracing::warn!(error = %e, "cannot read the outbox; trying again"),
                }
            }
            () = stop.cancelled() => {
                for (id, claimed) in claims {
                    store.release(id, claimed)?;
                }
                break;
            }
        }
    }
    match setup_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Records the outcome of one attempt on its row and in the pass's counts.
async fn record(
    store: &mut Store,
    config: &Config,
    row: &OutboxRow,
    claimed: Timestamp,
    sent: Result<(), SendError>,
    out: &mut Delivered,
) -> Result<(), NotifyError> {
    let (e, asked) = match sent {
        Ok(()) => {
            record_sent(store, row.id, claimed).await?;
            out.sent += 1;
            return Ok(());
        }
        Err(SendError::Permanent(e)) => {
            tracing::warn!(message = row.id, recipient = %row.recipient, channel = %row.channel, error = %e, "message rejected");
            store.mark_failed(row.id, claimed, &e, None, Timestamp::now())?;
            out.dead += 1;
            return Ok(());
        }
        Err(SendError::Transient(e)) => (e, None),
        Err(SendError::Deferred(e, wait)) => (e, Some(wait)),
    };
    let now = Timestamp::now();
    let retry_for = config.settings.delivery_retry_for;
    match retry_after_transient(now, row.first_failed_at, row.attempts, retry_for, asked) {
        Some(at) => {
            tracing::info!(message = row.id, channel = %row.channel, error = %e, next_attempt = %at, "delivery failed, will retry");
            store.mark_failed(row.id, claimed, &e, Some(at), now)?;
            out.retrying += 1;
        }
        None => {
            let why = format!(
                "{e} (gave up after retrying for {} since the first failure, {} attempts; `regwatch outbox retry {}` requeues it)",
                human_span(retry_for),
                row.attempts + 1,
                row.id
            );
            tracing::warn!(message = row.id, recipient = %row.recipient, channel = %row.channel, error = %why, "message given up");
            store.mark_failed(row.id, claimed, &why, None, now)?;
            out.dead += 1;
        }
    }
    Ok(())
}

/// A message the relay has refused for this long is reported in digests while it is retried.
pub const LONG_RETRY: Duration = Duration::from_secs(3600);

/// Messages a digest reports: dead ones, and pending ones whose first failure is at least
/// [`LONG_RETRY`] before `at`.
fn delivery_problems(store: &Store, at: Timestamp) -> Result<Vec<OutboxRow>, NotifyError> {
    let mut rows = store.troubled_messages()?;
    rows.retain(|m| {
        m.state == crate::model::OutboxState::Dead
            || m.first_failed_at.is_some_and(|f| f <= at.minus(LONG_RETRY))
    });
    Ok(rows)
}

/// What webhook payloads need from the configuration.
fn payload_context(config: &Config) -> webhook::payload::Context<'_> {
    webhook::payload::Context {
        public_url: config.settings.public_url.as_deref(),
        tz: config.settings.timezone,
    }
}

/// Builds a recipient's digest of every change since its previous digest (7 days back for the
/// first one). With `record`, enqueues it (once per period); otherwise only renders it.
///
/// # Errors
/// [`NotifyError::Store`].
pub fn build_digest(
    store: &mut Store,
    config: &Config,
    recipient: &Recipient,
    until: Timestamp,
    record: bool,
) -> Result<render::Rendered, NotifyError> {
    let since = match store.last_digest_until(&recipient.name)? {
        Some(s) => s,
        None => until.minus(FIRST_DIGEST_SPAN),
    };
    let mut changes = store.changes(&crate::store::ChangeFilter {
        since: Some(since),
        ..Default::default()
    })?;
    changes.retain(|c| c.detected_at < until);
    changes.retain(|c| recipient.sources.is_empty() || recipient.sources.contains(&c.source));
    if !recipient.packs.is_empty() {
        // Only the tags of the recipient's packs; a change tagged by other packs only is not theirs.
        changes.retain_mut(|c| {
            let tagged = !c.tags.is_empty();
            c.tags.retain(|t| recipient.wants_tag(&t.tag));
            c.severity = crate::model::Change::severity_of(&c.tags);
            !tagged || !c.tags.is_empty()
        });
    }
    changes.reverse();
    let health = store.source_health()?;
    let known: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
    let health: Vec<_> = health
        .into_iter()
        .filter(|h| known.contains(&h.id.as_str()))
        .collect();
    let rendered = render::digest(&render::DigestInput {
        recipient: &recipient.name,
        since,
        until,
        changes: &changes,
        health: &health,
        tz: config.settings.timezone,
    });
    let rendered = accepted::with_accepted(rendered, store, config, recipient, (since, until))?;
    let problems = delivery_problems(store, until)?;
    let rendered = render::with_delivery_problems(rendered, &problems, config.settings.timezone);
    let rendered = bound::cap_rendered(rendered, "`regwatch changes` lists every change");
    if record {
        let instance = store.instance_id()?;
        let message_id = digest_message_id(&instance, &recipient.name, until, &config.mail.from);
        let mut messages = Vec::new();
        if !recipient.emails.is_empty() {
            messages.push(NewMessage {
                kind: MessageKind::Digest,
                channel: Channel::Email,
                format: None,
                recipient: &recipient.name,
                to: &recipient.emails,
                change_id: None,
                message_id: &message_id,
                subject: &rendered.subject,
                text: &rendered.text,
                html: &rendered.html,
                at: until,
            });
        }
        let hook = webhook::usable(recipient).and_then(|w| {
            let changes: Vec<_> = changes.iter().map(bound::change_for_mail).collect();
            let d = webhook::payload::Digest {
                recipient: &recipient.name,
                since,
                until,
                changes: &changes,
            };
            match webhook::payload::digest(w.format, &d, &payload_context(config)) {
                Ok(body) => Some((w.format, body)),
                Err(e) => {
                    tracing::error!(recipient = %recipient.name, error = %e, "cannot render the webhook digest");
                    None
                }
            }
        });
        let hook_id = webhook::digest_delivery_id(&instance, &recipient.name, until);
        let empty: Vec<String> = Vec::new();
        if let Some((format, body)) = &hook {
            messages.push(NewMessage {
                kind: MessageKind::Digest,
                channel: Channel::Webhook,
                format: Some(*format),
                recipient: &recipient.name,
                to: &empty,
                change_id: None,
                message_id: &hook_id,
                subject: &rendered.subject,
                text: body,
                html: "",
                at: until,
            });
        }
        store.enqueue_digest(&recipient.name, &messages, since, until)?;
    }
    Ok(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_slugify_alike_get_distinct_keys() {
        for (a, b) in [("法务", "合规"), ("Legal", "legal"), ("Zoë", "Zoé")] {
            assert_ne!(recipient_key(a), recipient_key(b), "{a} / {b}");
            assert_ne!(
                alert_message_id("i", 1, a, "x@example.eu"),
                alert_message_id("i", 1, b, "x@example.eu")
            );
        }
        assert!(
            recipient_key("法务")
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), Duration::from_secs(60));
        assert_eq!(backoff(1), Duration::from_secs(120));
        assert_eq!(backoff(30), crate::scheduler::MAX_BACKOFF);
    }

    #[test]
    fn transient_failures_retry_until_the_period_ends_with_capped_backoff() {
        let t0 = Timestamp::parse("2026-11-30T10:00:00.000Z").unwrap();
        let week = Duration::from_secs(7 * 86_400);
        // The first failure starts the period; the next attempt is one backoff away.
        assert_eq!(
            retry_after_transient(t0, None, 0, week, None),
            Some(t0.plus(FIRST_BACKOFF))
        );
        // Many failures later (an 8.5 h outage is about 10), still retrying, 6 h apart at most.
        let later = t0.plus(Duration::from_secs(9 * 3600));
        assert_eq!(
            retry_after_transient(later, Some(t0), 12, week, None),
            Some(later.plus(crate::scheduler::MAX_BACKOFF))
        );
        // Near the end, the last attempt falls on the end of the period.
        let near = t0.plus(week).minus(Duration::from_secs(60));
        assert_eq!(
            retry_after_transient(near, Some(t0), 40, week, None),
            Some(t0.plus(week))
        );
        // A receiver's `Retry-After` is a floor over the backoff, within the period: a short
        // one does not shorten the backoff, a long one lengthens it, up to a day.
        let asked = |s| Some(Duration::from_secs(s));
        assert_eq!(
            retry_after_transient(t0, None, 0, week, asked(5)),
            Some(t0.plus(FIRST_BACKOFF))
        );
        assert_eq!(
            retry_after_transient(later, Some(t0), 12, week, asked(5)),
            Some(later.plus(crate::scheduler::MAX_BACKOFF))
        );
        assert_eq!(
            retry_after_transient(t0, None, 0, week, asked(3000)),
            Some(t0.plus(Duration::from_secs(3000)))
        );
        assert_eq!(
            retry_after_transient(t0, None, 0, week, asked(30 * 86_400)),
            Some(t0.plus(MAX_DELIVERY_RETRY_AFTER))
        );
        assert_eq!(
            retry_after_transient(near, Some(t0), 1, week, asked(86_400)),
            Some(t0.plus(week)),
            "never past the end of the period"
        );
        // Past it: given up.
        assert_eq!(
            retry_after_transient(t0.plus(week), Some(t0), 41, week, None),
            None
        );
    }

    #[test]
    fn message_ids_are_stable() {
        let a = alert_message_id("abc", 7, "Veille FR", "regwatch <rw@example.eu>");
        assert!(a.starts_with("<alert.7.veille-fr-"), "{a}");
        assert!(a.ends_with(".abc@example.eu>"), "{a}");
        assert_eq!(
            a,
            alert_message_id("abc", 7, "Veille FR", "regwatch <rw@example.eu>")
        );
    }
}
