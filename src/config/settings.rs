//! `[settings]` and `[mail]`: defaults, paths relative to the config file, time zone, SMTP URL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::error::{ConfigError, Ctx};
use super::raw::{RawMail, RawSettings};
use super::{
    DEFAULT_ACCEPT_SHRINK_AFTER, DEFAULT_DELIVERY_RETRY_FOR, DEFAULT_INTERVAL, DEFAULT_MAX_BODY,
    DEFAULT_MAX_CONCURRENCY, DEFAULT_OUTBOX_RETENTION, DEFAULT_TIMEOUT,
};

/// `[settings]`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// SQLite file; relative paths are resolved against the config file's folder.
    pub database: PathBuf,
    /// `User-Agent` header sent with every request.
    pub user_agent: String,
    /// Interval for sources that name none.
    pub default_interval: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Largest body accepted, in bytes (enforced while streaming).
    pub max_body: u64,
    /// IANA time zone for digests and display.
    pub timezone: chrono_tz::Tz,
    /// How many sources are checked at once.
    pub max_concurrency: usize,
    /// Minimum gap between two requests to one host.
    pub per_host_delay: Duration,
    /// Requests in flight to one host at once (default 1; a source may raise it for its host).
    pub per_host_concurrency: usize,
    /// Address for `/healthz` and `/metrics` in `run` mode.
    pub listen: Option<String>,
    /// How long a message is retried after its first failed attempt while the relay fails
    /// transiently (refused connections, time-outs, 4xx replies) before it is given up as `dead`.
    pub delivery_retry_for: Duration,
    /// How long the bodies of sent messages are kept; the rows themselves stay.
    pub outbox_retention: Duration,
    /// After this many suspicious (>90 % shrunken) fetches in a row with the same text, that
    /// text is accepted as a new baseline (0: never).
    pub accept_shrink_after: u32,
    /// Where people reach the dashboard (`regwatch web`/`run --listen`), without a trailing
    /// slash, e.g. `https://regwatch.example.eu`: Slack and Teams messages link to
    /// `{public_url}/changes/{id}`; without it, to the page that changed.
    pub public_url: Option<String>,
}

/// `[mail]`.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `From` header.
    pub from: String,
    /// SMTP URL; `None` writes `.eml` files to `mail_dir`.
    pub smtp: Option<String>,
    /// Folder for `.eml` files (relative to the config file).
    pub mail_dir: PathBuf,
}

/// Resolves a path from the config file against the config file's folder.
fn relative_to(base: &Path, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() { p } else { base.join(p) }
}

/// `[settings]`, checked, with defaults filled in.
pub(super) fn settings(
    ctx: &Ctx<'_>,
    raw: Option<Spanned<RawSettings>>,
    base: &Path,
) -> Result<Settings, ConfigError> {
    let raw = raw.map(Spanned::into_inner).unwrap_or_default();
    let timezone = match raw.timezone {
        None => chrono_tz::UTC,
        Some(tz) => tz.get_ref().parse::<chrono_tz::Tz>().map_err(|_| {
            ctx.err(
                tz.span(),
                format!(
                    "`timezone`: unknown time zone \"{}\": expected an IANA name such as \"Europe/Paris\" or \"UTC\"",
                    tz.get_ref()
                ),
            )
        })?,
    };
    let max_concurrency = match raw.max_concurrency {
        None => DEFAULT_MAX_CONCURRENCY,
        Some(n) => match usize::try_from(*n.get_ref()) {
            Ok(v) if (1..=256).contains(&v) => v,
            _ => {
                return Err(ctx.err(
                    n.span(),
                    "`max_concurrency`: expected a whole number from 1 to 256",
                ));
            }
        },
    };
    let accept_shrink_after = match raw.accept_shrink_after {
        None => DEFAULT_ACCEPT_SHRINK_AFTER,
        Some(n) => u32::try_from(*n.get_ref())
            .ok()
            .filter(|v| *v <= 1000)
            .ok_or_else(|| {
                ctx.err(
                    n.span(),
                    "`accept_shrink_after`: expected a whole number from 0 (never) to 1000",
                )
            })?,
    };
    let public_url = raw.public_url.map(|u| public_url(ctx, &u)).transpose()?;
    Ok(Settings {
        public_url,
        database: relative_to(base, raw.database.as_deref().unwrap_or("regwatch.db")),
        user_agent: raw.user_agent.unwrap_or_else(|| {
            format!(
                "regwatch/{} (+https://github.com/regwatch/regwatch)",
                env!("CARGO_PKG_VERSION")
            )
        }),
        default_interval: raw.default_interval.map_or(DEFAULT_INTERVAL, |d| d.0),
        timeout: raw.timeout.map_or(DEFAULT_TIMEOUT, |d| d.0),
        max_body: raw.max_body.map_or(DEFAULT_MAX_BODY, |b| b.0),
        timezone,
        max_concurrency,
        per_host_delay: raw.per_host_delay.map_or(Duration::from_secs(1), |d| d.0),
        per_host_concurrency: super::access::per_host_concurrency(
            ctx,
            raw.per_host_concurrency.as_ref(),
        )?
        .unwrap_or(1),
        listen: raw.listen,
        delivery_retry_for: raw
            .delivery_retry_for
            .map_or(DEFAULT_DELIVERY_RETRY_FOR, |d| d.0),
        outbox_retention: raw
            .outbox_retention
            .map_or(DEFAULT_OUTBOX_RETENTION, |d| d.0),
        accept_shrink_after,
    })
}

/// `public_url`: an http(s) URL without credentials, query or fragment; kept without its
/// trailing slash.
fn public_url(ctx: &Ctx<'_>, u: &Spanned<String>) -> Result<String, ConfigError> {
    let ok = url::Url::parse(u.get_ref()).is_ok_and(|p| {
        matches!(p.scheme(), "http" | "https")
            && p.host_str().is_some()
            && p.username().is_empty()
            && p.password().is_none()
            && p.query().is_none()
            && p.fragment().is_none()
    });
    if !ok {
        return Err(ctx.err(
            u.span(),
            format!(
                "`public_url`: \"{}\" is not a base URL: expected the dashboard's address, e.g. \"https://regwatch.example.eu\" (no credentials, query or fragment)",
                super::error::echo(u.get_ref())
            ),
        ));
    }
    Ok(u.get_ref().trim_end_matches('/').to_string())
}

/// `[mail]`, checked, with defaults filled in.
pub(super) fn mail(
    ctx: &Ctx<'_>,
    raw: Option<RawMail>,
    base: &Path,
) -> Result<MailSettings, ConfigError> {
    let Some(raw) = raw else {
        return Ok(MailSettings {
            from: "regwatch <regwatch@localhost>".into(),
            smtp: None,
            mail_dir: base.join("mail"),
        });
    };
    let from = match raw.from {
        None => "regwatch <regwatch@localhost>".to_string(),
        Some(f) => {
            if !f.get_ref().contains('@') {
                return Err(ctx.err(
                    f.span(),
                    format!(
                        "`from`: \"{}\" is not an email address: expected e.g. \"regwatch <regwatch@example.eu>\"",
                        f.get_ref()
                    ),
                ));
            }
            f.into_inner()
        }
    };
    let smtp = match raw.smtp {
        None => None,
        Some(s) => {
            let ok = url::Url::parse(s.get_ref())
                .map(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some())
                .unwrap_or(false);
            if !ok {
                return Err(ctx.err(
                    s.span(),
                    format!(
                        "`smtp`: \"{}\" is not an SMTP URL: expected smtps://user@host:465 or smtp://user@host:587?tls=required",
                        s.get_ref()
                    ),
                ));
            }
            if url::Url::parse(s.get_ref()).is_ok_and(|u| u.password().is_some()) {
                return Err(ctx.err(
                    s.span(),
                    "`smtp`: the URL holds a password; secrets never live in this file: remove it and set REGWATCH_SMTP_PASSWORD",
                ));
            }
            Some(s.into_inner())
        }
    };
    Ok(MailSettings {
        from,
        smtp,
        mail_dir: relative_to(base, raw.mail_dir.as_deref().unwrap_or("mail")),
    })
}
