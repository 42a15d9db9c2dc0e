//! `[[recipient]]`: who is told, of what (sources, tags, severity) and when (digest schedule).

use std::collections::HashSet;

use toml::Spanned;

use super::error::{ConfigError, Ctx};
use super::raw::RawRecipient;
use super::source::check_source_refs;
use crate::model::Severity;
use crate::scheduler::Cron;

/// When a recipient wants immediate alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertLevel {
    /// No immediate alerts (digest only).
    Never,
    /// Alerts for changes at or above this severity.
    AtLeast(Severity),
}

/// `[[recipient]]`.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Short name used by `digest --recipient`.
    pub name: String,
    /// Addresses.
    pub emails: Vec<String>,
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
        let alerts = alert_level(ctx, r.alerts.as_ref())?;
        let digest = r.digest.as_ref().map(|d| digest(ctx, d)).transpose()?;
        check_source_refs(ctx, &r.sources, known.sources)?;
        check_tags(ctx, &r.tags, known.tags)?;
        let packs = super::rules::packs(ctx, &r.packs)?;
        out.push(Recipient {
            name: r.name.into_inner(),
            emails: r.emails.into_iter().map(Spanned::into_inner).collect(),
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
