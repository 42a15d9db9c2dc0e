//! `[[recipient]]`: who is told, of what (sources, tags, severity) and when (digest schedule).

use std::collections::HashSet;

use toml::Spanned;

use super::error::{ConfigError, Ctx};
use super::raw::RawRecipient;
use super::source::check_source_refs;
use crate::model::{Severity, WebhookFormat};
use crate::scheduler::Cron;

/// When a recipient wants immediate alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertLevel {
    /// No immediate alerts (digest only).
    Never,
    /// Alerts for changes at or above this severity.
    AtLeast(Severity),
}

/// A recipient's webhook: where its URL (a secret) and signing secret are read from, and the
/// payload it takes. Neither value is kept here: they are read from the environment when needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The environment variable holding the URL (`webhook_env`).
    pub env: String,
    /// The environment variable holding the HMAC secret (`webhook_secret_env`), if any.
    pub secret_env: Option<String>,
    /// `format`: `slack`, `teams` or `json`.
    pub format: WebhookFormat,
    /// `file:line:column` of `webhook_env`, for warnings.
    pub at: String,
}

/// `[[recipient]]`.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Short name used by `digest --recipient`.
    pub name: String,
    /// Addresses (may be empty when the recipient has a webhook).
    pub emails: Vec<String>,
    /// Webhook channel (`webhook_env`, `webhook_secret_env`, `format`), if any.
    pub webhook: Option<Webhook>,
    /// Minimum severity for an immediate alert.
    pub alerts: AlertLevel,
    /// Digest schedule (cron line in `settings.timezone`, checked at load time), if any.
    pub digest: Option<Cron>,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only changes with one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Only tags of these rule packs count for this recipient (empty: all).
    pub packs: Vec<String>,
}

impl Recipient {
    /// Whether a tag counts for this recipient (its pack is one the recipient named).
    #[must_use]
    pub fn wants_tag(&self, tag: &str) -> bool {
        crate::tag::packs::wants(&self.packs, tag)
    }
}

/// What a recipient's references are checked against.
pub(super) struct Known<'a> {
    /// Ids of the `[[source]]`s.
    pub(super) sources: &'a HashSet<&'a str>,
    /// Tags the engine can emit: the built-in ones, then those of the file's `[[rule]]`s.
    pub(super) tags: &'a [&'a str],
}

/// Every `[[recipient]]`, checked, in file order.
pub(super) fn recipients(
    ctx: &Ctx<'_>,
    raw: Vec<Spanned<RawRecipient>>,
    known: &Known<'_>,
) -> Result<Vec<Recipient>, ConfigError> {
    // Lower-cased name → name as written: names that differ only in case are one person to a
    // reader of `digest --recipient` and of the outbox, so they are refused like exact duplicates.
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in raw {
        let r = r.into_inner();
        let name = r.name.get_ref();
        if let Some(first) = names.insert(name.to_lowercase(), name.clone()) {
            let why = if first == *name {
                format!("`name`: duplicate recipient name \"{name}\"")
            } else {
                format!(
                    "`name`: recipient name \"{name}\" differs only in case from \"{first}\": give each recipient a distinct name"
                )
            };
            return Err(ctx.err(r.name.span(), why));
        }
        check_emails(ctx, &r.emails)?;
        let webhook = webhook(ctx, &r)?;
        if r.emails.is_empty() && webhook.is_none() {
            return Err(ctx.err(
                r.name.span(),
                format!(
                    "recipient \"{}\" has no channel: expected `emails = [...]`, `webhook_env = \"VARIABLE\"` with `format`, or both",
                    super::error::echo(name)
                ),
            ));
        }
        let alerts = alert_level(ctx, r.alerts.as_ref())?;
        let digest = r.digest.as_ref().map(|d| digest(ctx, d)).transpose()?;
        check_source_refs(ctx, &r.sources, known.sources)?;
        check_tags(ctx, &r.tags, known.tags)?;
        let packs = super::rules::packs(ctx, &r.packs)?;
        out.push(Recipient {
            name: r.name.into_inner(),
            emails: r.emails.into_iter().map(Spanned::into_inner).collect(),
            webhook,
            alerts,
            digest,
            sources: r.sources.into_iter().map(Spanned::into_inner).collect(),
            tags: r.tags.into_iter().map(Spanned::into_inner).collect(),
            packs,
        });
    }
    Ok(out)
}

/// Addresses that can go into a header as they are.
fn check_emails(ctx: &Ctx<'_>, emails: &[Spanned<String>]) -> Result<(), ConfigError> {
    for e in emails {
        let v = e.get_ref();
        if !v.contains('@') || v.contains(['\r', '\n', '<', '>', ' ']) {
            return Err(ctx.err(
                e.span(),
                format!(
                    "`emails`: \"{v}\" is not an email address: expected e.g. \"veille@example.eu\""
                ),
            ));
        }
    }
    Ok(())
}

/// `webhook_env`, `webhook_secret_env` and `format`, checked together: `format` and the secret
/// only with a webhook, a webhook only with a known `format`, variables named (never a URL, which
/// is a secret and is not echoed).
fn webhook(ctx: &Ctx<'_>, r: &RawRecipient) -> Result<Option<Webhook>, ConfigError> {
    let Some(env) = &r.webhook_env else {
        if let Some(f) = &r.format {
            return Err(ctx.err(
                f.span(),
                "`format`: only a webhook has a format: add `webhook_env = \"VARIABLE\"` (the environment variable holding the webhook's URL) or remove `format`",
            ));
        }
        if let Some(s) = &r.webhook_secret_env {
            return Err(ctx.err(
                s.span(),
                "`webhook_secret_env`: only a webhook is signed: add `webhook_env = \"VARIABLE\"` and `format = \"json\"`, or remove `webhook_secret_env`",
            ));
        }
        return Ok(None);
    };
    env_name(ctx, env, "webhook_env", "the webhook's URL")?;
    if let Some(s) = &r.webhook_secret_env {
        env_name(ctx, s, "webhook_secret_env", "the signing secret")?;
    }
    let Some(f) = &r.format else {
        return Err(ctx.err(
            env.span(),
            "`webhook_env` needs `format`: expected format = \"slack\", \"teams\" or \"json\" beside it",
        ));
    };
    let format = f.get_ref().parse::<WebhookFormat>().map_err(|_| {
        ctx.err(
            f.span(),
            format!(
                "`format`: unknown webhook format \"{}\": expected slack, teams or json",
                super::error::echo(f.get_ref())
            ),
        )
    })?;
    Ok(Some(Webhook {
        env: env.get_ref().clone(),
        secret_env: r.webhook_secret_env.as_ref().map(|s| s.get_ref().clone()),
        format,
        at: ctx.location(env.span()),
    }))
}

/// An environment variable's name: letters, digits and `_`, not starting with a digit. A value
/// that looks like a URL is refused without being echoed: it is the secret itself.
fn env_name(ctx: &Ctx<'_>, v: &Spanned<String>, key: &str, holds: &str) -> Result<(), ConfigError> {
    let name = v.get_ref();
    if name.contains("://") || name.contains('/') {
        return Err(ctx.err(
            v.span(),
            format!(
                "`{key}`: expected the name of the environment variable holding {holds}, not the value itself (a secret never lives in this file): set e.g. OPS_WEBHOOK_URL in the environment and write `{key} = \"OPS_WEBHOOK_URL\"`"
            ),
        ));
    }
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(ctx.err(
            v.span(),
            format!(
                "`{key}`: \"{}\" is not an environment variable name: expected letters, digits and _, e.g. \"OPS_WEBHOOK_URL\"",
                super::error::echo(name)
            ),
        ));
    }
    Ok(())
}

/// `alerts`: `never` or a severity; `high` when absent.
fn alert_level(ctx: &Ctx<'_>, alerts: Option<&Spanned<String>>) -> Result<AlertLevel, ConfigError> {
    match alerts {
        None => Ok(AlertLevel::AtLeast(Severity::High)),
        Some(a) if a.get_ref() == "never" => Ok(AlertLevel::Never),
        Some(a) => a.get_ref().parse().map(AlertLevel::AtLeast).map_err(|_| {
            ctx.err(
                a.span(),
                format!(
                    "`alerts`: unknown level \"{}\": expected never, low, medium, high or critical",
                    a.get_ref()
                ),
            )
        }),
    }
}

/// The five fields of a cron line, in order, with their ranges.
const CRON_FIELDS: [&str; 5] = [
    "minute (0-59)",
    "hour (0-23)",
    "day of month (1-31)",
    "month (1-12)",
    "weekday (0-7, 0 and 7 are Sunday)",
];

/// `digest`, parsed by the scheduler's own parser, so a line accepted here is one the daemon runs.
fn digest(ctx: &Ctx<'_>, d: &Spanned<String>) -> Result<Cron, ConfigError> {
    let line = d.get_ref();
    Cron::parse(line).map_err(|why| {
        let why = match bad_cron_field(line) {
            Some(i) => format!("the {} field: {why}", CRON_FIELDS[i]),
            None => why,
        };
        ctx.err(
            d.span(),
            format!(
                "`digest`: \"{line}\" is not a valid schedule: {why}; expected a cron line of five fields: {}, e.g. \"0 7 * * 1\" (Mondays at 07:00)",
                CRON_FIELDS.join(", ")
            ),
        )
    })
}

/// Which of the five fields of a line is wrong (the line has five fields), found by parsing each
/// alone with the others set to `*`.
fn bad_cron_field(line: &str) -> Option<usize> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() != 5 {
        return None;
    }
    (0..5).find(|&i| {
        let mut probe = ["*"; 5];
        probe[i] = fields[i];
        Cron::parse(&probe.join(" ")).is_err()
    })
}

/// Every tag in `tags = [...]` is one the engine can emit.
fn check_tags(ctx: &Ctx<'_>, tags: &[Spanned<String>], known: &[&str]) -> Result<(), ConfigError> {
    for t in tags {
        let tag = t.get_ref();
        if known.contains(&tag.as_str()) {
            continue;
        }
        let hint = closest(tag, known)
            .map(|c| format!(" (did you mean \"{c}\"?)"))
            .unwrap_or_default();
        return Err(ctx.err(
            t.span(),
            format!(
                "`tags`: unknown tag \"{tag}\"{hint}: expected a built-in tag or the `tag` of a [[rule]] in this file: {}",
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The known name nearest to `word`, when it is near enough to be a typo.
pub(super) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&word, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_tag() {
        let known = crate::tag::builtin_tags();
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            closest("treshold_changed", &known),
            Some("threshold_changed")
        );
        assert_eq!(closest("Chip_Added", &known), Some("chip_added"));
        assert_eq!(closest("weather", &known), None);
    }

    #[test]
    fn the_bad_cron_field_is_named() {
        assert_eq!(bad_cron_field("0 25 * * *"), Some(1));
        assert_eq!(bad_cron_field("61 7 * * *"), Some(0));
        assert_eq!(bad_cron_field("0 7 * * 8"), Some(4));
        assert_eq!(bad_cron_field("0 7 * *"), None);
    }
}
