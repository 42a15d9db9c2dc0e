//! `sources.toml` → typed [`Config`], with every error located by file, line and column.
//!
//! Parsing happens in two passes: serde (through `toml`) checks the shape and rejects unknown keys,
//! then [`validate`](Config::from_str_at) checks meaning (ids, URLs, selectors, regexes, duplicates).
//! Both passes keep byte spans, so every message can name the line and column a person must edit.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::model::{Lang, Severity};

/// Default check interval when neither the source nor `settings.default_interval` names one: 6 hours,
/// often enough for regulation pages that move a few times a year, rare enough to be polite.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(6 * 3600);
/// Default request timeout: 30 seconds, long enough for slow government servers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default body cap: 10 MB. Regulation pages are rarely above 2 MB; the Federal Register's biggest
/// rule PDFs are a few MB. Anything larger is refused while streaming, never read whole.
pub const DEFAULT_MAX_BODY: u64 = 10 * 1000 * 1000;
/// Default number of sources checked at once.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;

/// An error in the configuration: where it is and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but something in it is wrong.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file, as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// A duration written for people: `"90s"`, `"15m"`, `"6h"`, `"1d"`, `"500ms"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(HumanDuration)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses `"90s"`, `"15m"`, `"6h"`, `"2d"`, `"1w"`, `"250ms"`, or a sum like `"1h30m"`.
///
/// # Errors
/// A message naming the text and the accepted forms.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = || {
        format!(
            "invalid duration \"{s}\": expected a number and a unit (ms, s, m, h, d, w), e.g. \"90s\", \"15m\", \"6h\""
        )
    };
    let text = s.trim();
    if text.is_empty() {
        return Err(expected());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(expected());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" | "sec" | "secs" => Duration::from_secs(n),
            "m" | "min" | "mins" => Duration::from_secs(n.saturating_mul(60)),
            "h" | "hr" | "hrs" => Duration::from_secs(n.saturating_mul(3600)),
            "d" => Duration::from_secs(n.saturating_mul(86_400)),
            "w" => Duration::from_secs(n.saturating_mul(7 * 86_400)),
            _ => return Err(expected()),
        };
        total = total.saturating_add(part);
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// A size written for people: `"10MB"`, `"512KiB"`, `"1GB"`, or a plain number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(ByteSize(n)),
            Raw::S(s) => parse_size(&s)
                .map(ByteSize)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Parses `"10MB"`, `"10 MiB"`, `"512KB"`, `"2048"`.
///
/// # Errors
/// A message naming the text and the accepted forms.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let text = s.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let expected = || {
        format!(
            "invalid size \"{s}\": expected a number and a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. \"10MB\""
        )
    };
    let n: u64 = text[..split].parse().map_err(|_| expected())?;
    let mult: u64 = match text[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1000,
        "mb" | "m" => 1000 * 1000,
        "gb" | "g" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => return Err(expected()),
    };
    n.checked_mul(mult).ok_or_else(expected)
}

// ---------------------------------------------------------------------------------------------
// Raw (serde) shapes. Unknown keys are rejected everywhere.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    settings: Option<Spanned<RawSettings>>,
    #[serde(default)]
    mail: Option<RawMail>,
    #[serde(default, rename = "recipient")]
    recipients: Vec<Spanned<RawRecipient>>,
    #[serde(default, rename = "source")]
    sources: Vec<Spanned<RawSource>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    database: Option<String>,
    user_agent: Option<String>,
    default_interval: Option<HumanDuration>,
    timeout: Option<HumanDuration>,
    max_body: Option<ByteSize>,
    timezone: Option<Spanned<String>>,
    max_concurrency: Option<Spanned<i64>>,
    per_host_delay: Option<HumanDuration>,
    listen: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    from: Option<Spanned<String>>,
    smtp: Option<Spanned<String>>,
    mail_dir: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    name: Spanned<String>,
    emails: Vec<Spanned<String>>,
    alerts: Option<Spanned<String>>,
    digest: Option<Spanned<String>>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    name: Option<String>,
    url: Spanned<String>,
    kind: Option<Spanned<String>>,
    interval: Option<HumanDuration>,
    lang: Option<Spanned<String>>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    remove: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    respect_robots: Option<bool>,
    #[serde(default)]
    keep_items: Vec<Spanned<String>>,
    items: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    link: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    tag: Spanned<String>,
    severity: Option<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    pattern: Option<Spanned<String>>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
    on: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------------------------
// Typed configuration.

/// The whole configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the file was read from (for messages and relative paths).
    pub path: PathBuf,
    /// `[settings]`.
    pub settings: Settings,
    /// `[mail]`.
    pub mail: MailSettings,
    /// `[[recipient]]`, in file order.
    pub recipients: Vec<Recipient>,
    /// `[[source]]`, in file order.
    pub sources: Vec<Source>,
    /// `[[rule]]`, user tagging rules, in file order.
    pub rules: Vec<UserRule>,
}

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
    /// Address for `/healthz` and `/metrics` in `run` mode.
    pub listen: Option<String>,
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
    /// Digest schedule (cron line in `settings.timezone`), if any.
    pub digest: Option<String>,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only changes with one of these tags (empty: all).
    pub tags: Vec<String>,
}

/// The kind of document a source serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// An HTML page.
    Html,
    /// A PDF document (text by `pdftotext`).
    Pdf,
    /// An RSS or Atom feed.
    Feed,
    /// A JSON document or API answer.
    Json,
}

impl SourceKind {
    /// The name used in `sources.toml`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Html => "html",
            SourceKind::Pdf => "pdf",
            SourceKind::Feed => "feed",
            SourceKind::Json => "json",
        }
    }
}

/// `[[source]]`.
#[derive(Debug, Clone)]
pub struct Source {
    /// Stable id (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// URL to fetch (http or https).
    pub url: String,
    /// Document kind.
    pub kind: SourceKind,
    /// Check interval.
    pub interval: Duration,
    /// Language of the text, when known.
    pub lang: Option<Lang>,
    /// CSS selectors whose content is kept.
    pub select: Vec<String>,
    /// CSS selectors removed first.
    pub remove: Vec<String>,
    /// Lines matching any of these are dropped.
    pub ignore: Vec<Regex>,
    /// Whether the site's robots.txt is honoured (default true).
    pub respect_robots: bool,
    /// For `kind = "json"`: how items are found and named (`None`: the whole document, as
    /// canonical JSON).
    pub json_items: Option<crate::extract::JsonItems>,
    /// Feed entries and JSON items are kept only when a line matches one of these.
    pub keep_items: Vec<Regex>,
    /// `select` and `remove`, parsed once at load time.
    pub css: crate::extract::Css,
    /// See [`Source::extraction_fingerprint`]; computed once at load time.
    fingerprint: String,
}

impl Source {
    /// A fingerprint of the settings that shape the extracted text. When it changes, the next
    /// snapshot is a new baseline (DESIGN.md §3 rule 4).
    #[must_use]
    pub fn extraction_fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The line and item filters, for the extractors.
    #[must_use]
    pub fn filters(&self) -> crate::extract::Filters<'_> {
        crate::extract::Filters {
            ignore: &self.ignore,
            keep_items: &self.keep_items,
        }
    }

    /// Whether the text is a list of items (feeds, JSON with `items`): new items are then
    /// `new_document`s and removed ones are not alerts.
    #[must_use]
    pub fn has_items(&self) -> bool {
        self.kind == SourceKind::Feed || self.json_items.is_some()
    }

    fn compute_fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.kind.as_str());
        for (label, list) in [("select", &self.select), ("remove", &self.remove)] {
            h.update([0]);
            h.update(label);
            for s in list {
                h.update([1]);
                h.update(s);
            }
        }
        h.update([0]);
        h.update("ignore");
        for r in &self.ignore {
            h.update([1]);
            h.update(r.as_str());
        }
        h.update([0]);
        h.update("keep_items");
        for r in &self.keep_items {
            h.update([1]);
            h.update(r.as_str());
        }
        if let Some(j) = &self.json_items {
            h.update([0]);
            h.update("items");
            for part in [
                Some(j.items.as_str()),
                j.title.as_deref(),
                j.link.as_deref(),
                j.date.as_deref(),
            ] {
                h.update([1]);
                h.update(part.unwrap_or("\u{0}default"));
            }
        }
        crate::hex(&h.finalize())[..16].to_string()
    }
}

/// Which side of a change a user rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSide {
    /// Text that appeared.
    Added,
    /// Text that disappeared.
    Removed,
    /// Either.
    Any,
}

/// `[[rule]]`: a user tagging rule beside the built-in pack.
#[derive(Debug, Clone)]
pub struct UserRule {
    /// Tag id emitted.
    pub tag: String,
    /// Severity of the tag.
    pub severity: Severity,
    /// Case-insensitive keywords (any of them).
    pub keywords: Vec<String>,
    /// Regex (in addition to, or instead of, keywords).
    pub pattern: Option<Regex>,
    /// Only for these sources (empty: all).
    pub sources: Vec<String>,
    /// Which side of the change is searched.
    pub on: RuleSide,
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl fmt::Display) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError::Invalid {
            file: self.file.to_string(),
            line,
            column,
            message: message.to_string(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The `key` of the `key = value` line a span starts on, if any: lets a serde message for a bad
/// value name the key the person wrote.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

impl Config {
    /// Reads and validates a config file.
    ///
    /// # Errors
    /// [`ConfigError`] with the file, line and column of the first problem.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_str_at(&text, path)
    }

    /// Parses and validates config text as if it were read from `path`.
    ///
    /// # Errors
    /// [`ConfigError`] with the line and column of the first problem.
    pub fn from_str_at(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let ctx = Ctx { file: &file, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            let msg = match key_at(text, span.start) {
                Some(key) if !msg.contains(&format!("`{key}`")) => format!("`{key}`: {msg}"),
                _ => msg,
            };
            ctx.err(span, msg)
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let settings = settings(&ctx, raw.settings, &base)?;
        let mail = mail(&ctx, raw.mail, &base)?;
        let sources = sources(&ctx, raw.sources, &settings)?;
        let known: HashSet<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        let recipients = recipients(&ctx, raw.recipients, &known)?;
        let rules = rules(&ctx, raw.rules, &known)?;
        Ok(Config {
            path: path.to_path_buf(),
            settings,
            mail,
            recipients,
            sources,
            rules,
        })
    }

    /// (id, name, URL) of every source, as the database keeps them.
    pub fn identities(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.sources
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str(), s.url.as_str()))
    }

    /// The source with this id.
    #[must_use]
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Resolves a path from the config file against the config file's folder.
fn relative_to(base: &Path, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() { p } else { base.join(p) }
}

fn settings(
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
    Ok(Settings {
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
        listen: raw.listen,
    })
}

fn mail(ctx: &Ctx<'_>, raw: Option<RawMail>, base: &Path) -> Result<MailSettings, ConfigError> {
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

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn sources(
    ctx: &Ctx<'_>,
    raw: Vec<Spanned<RawSource>>,
    settings: &Settings,
) -> Result<Vec<Source>, ConfigError> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let s = s.into_inner();
        let id = s.id.get_ref().trim().to_string();
        if !valid_id(&id) {
            return Err(ctx.err(
                s.id.span(),
                format!(
                    "`id`: \"{id}\" is not a valid source id: expected 1-64 letters, digits, '-', '_' or '.'"
                ),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(ctx.err(
                s.id.span(),
                format!("`id`: duplicate source id \"{id}\": each [[source]] needs its own id"),
            ));
        }
        let url_ok = url::Url::parse(s.url.get_ref())
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .unwrap_or(false);
        if !url_ok {
            return Err(ctx.err(
                s.url.span(),
                format!(
                    "`url`: \"{}\" is not a valid http(s) URL: expected e.g. \"https://www.bis.gov/…\"",
                    s.url.get_ref()
                ),
            ));
        }
        let kind = match &s.kind {
            None => SourceKind::Html,
            Some(k) => match k.get_ref().as_str() {
                "html" => SourceKind::Html,
                "pdf" => SourceKind::Pdf,
                "feed" => SourceKind::Feed,
                "json" => SourceKind::Json,
                other => {
                    return Err(ctx.err(
                        k.span(),
                        format!(
                            "`kind`: unknown kind \"{other}\": expected \"html\", \"pdf\", \"feed\" or \"json\""
                        ),
                    ));
                }
            },
        };
        // Settings that only make sense for some kinds are refused elsewhere, not ignored.
        if kind != SourceKind::Html
            && let Some(sel) = s.select.first().or(s.remove.first())
        {
            return Err(ctx.err(
                sel.span(),
                format!(
                    "`select`/`remove` apply to HTML pages only, and this source has kind = \"{}\"",
                    kind.as_str()
                ),
            ));
        }
        let json_items = json_items(ctx, &s, kind)?;
        let lists_items = kind == SourceKind::Feed || json_items.is_some();
        if !lists_items && let Some(k) = s.keep_items.first() {
            return Err(ctx.err(
                k.span(),
                "`keep_items` applies to lists of items only: kind = \"feed\", or kind = \"json\" with `items`".to_string(),
            ));
        }
        let keep_items = regexes(ctx, "keep_items", &s.keep_items)?;
        let lang = match &s.lang {
            None => None,
            Some(l) => Some(
                l.get_ref()
                    .parse::<Lang>()
                    .map_err(|m| ctx.err(l.span(), format!("`lang`: {m}")))?,
            ),
        };
        let mut css = crate::extract::Css::default();
        for (key, list) in [("select", &s.select), ("remove", &s.remove)] {
            for sel in list {
                let parsed = scraper::Selector::parse(sel.get_ref()).map_err(|e| {
                    ctx.err(
                        sel.span(),
                        format!(
                            "`{key}`: invalid CSS selector \"{}\": {e}; expected e.g. \"main article\" or \".content p\"",
                            sel.get_ref()
                        ),
                    )
                })?;
                if key == "select" {
                    css.select.push(parsed);
                } else {
                    css.remove.push(parsed);
                }
            }
        }
        let ignore = regexes(ctx, "ignore", &s.ignore)?;
        out.push(Source {
            name: s.name.unwrap_or_else(|| id.clone()),
            id,
            url: s.url.into_inner(),
            kind,
            interval: s.interval.map_or(settings.default_interval, |d| d.0),
            lang,
            select: s.select.into_iter().map(Spanned::into_inner).collect(),
            remove: s.remove.into_iter().map(Spanned::into_inner).collect(),
            ignore,
            respect_robots: s.respect_robots.unwrap_or(true),
            json_items,
            keep_items,
            css,
            fingerprint: String::new(),
        });
        if let Some(s) = out.last_mut() {
            s.fingerprint = s.compute_fingerprint();
        }
    }
    Ok(out)
}

/// Compiles a list of regular expressions, naming the key and the pattern on error.
fn regexes(
    ctx: &Ctx<'_>,
    key: &str,
    patterns: &[Spanned<String>],
) -> Result<Vec<Regex>, ConfigError> {
    patterns
        .iter()
        .map(|pat| {
            Regex::new(pat.get_ref()).map_err(|e| {
                ctx.err(
                    pat.span(),
                    format!(
                        "`{key}`: invalid regular expression \"{}\": {}",
                        pat.get_ref(),
                        first_line(&e.to_string())
                    ),
                )
            })
        })
        .collect()
}

/// `items`, `title`, `link`, `date` of a JSON source, checked.
fn json_items(
    ctx: &Ctx<'_>,
    s: &RawSource,
    kind: SourceKind,
) -> Result<Option<crate::extract::JsonItems>, ConfigError> {
    let fields = [("title", &s.title), ("link", &s.link), ("date", &s.date)];
    if kind != SourceKind::Json {
        let stray = [("items", &s.items)].into_iter().chain(fields);
        for (key, v) in stray {
            if let Some(v) = v {
                return Err(ctx.err(
                    v.span(),
                    format!(
                        "`{key}` applies to kind = \"json\" only, and this source has kind = \"{}\"",
                        kind.as_str()
                    ),
                ));
            }
        }
        return Ok(None);
    }
    let Some(items) = &s.items else {
        if let Some((key, Some(v))) = fields.iter().find(|(_, v)| v.is_some()) {
            return Err(ctx.err(
                v.span(),
                format!("`{key}` needs `items` (a JSON Pointer to the array of items, e.g. \"/results\")"),
            ));
        }
        return Ok(None);
    };
    let pointer = items.get_ref();
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return Err(ctx.err(
            items.span(),
            format!(
                "`items`: \"{pointer}\" is not a JSON Pointer: expected \"\" (the document itself) or a path such as \"/results\""
            ),
        ));
    }
    for (key, v) in fields {
        if let Some(v) = v
            && v.get_ref().trim().is_empty()
        {
            return Err(ctx.err(
                v.span(),
                format!("`{key}`: expected a field name, found \"\""),
            ));
        }
    }
    let name = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
    Ok(Some(crate::extract::JsonItems {
        items: pointer.clone(),
        title: name(&s.title),
        link: name(&s.link),
        date: name(&s.date),
    }))
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

fn check_source_refs(
    ctx: &Ctx<'_>,
    list: &[Spanned<String>],
    known: &HashSet<&str>,
) -> Result<(), ConfigError> {
    for s in list {
        if !known.contains(s.get_ref().as_str()) {
            return Err(ctx.err(
                s.span(),
                format!(
                    "`sources`: no [[source]] has the id \"{}\": expected one of the configured source ids",
                    s.get_ref()
                ),
            ));
        }
    }
    Ok(())
}

fn recipients(
    ctx: &Ctx<'_>,
    raw: Vec<Spanned<RawRecipient>>,
    known: &HashSet<&str>,
) -> Result<Vec<Recipient>, ConfigError> {
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for r in raw {
        let r = r.into_inner();
        if !names.insert(r.name.get_ref().clone()) {
            return Err(ctx.err(
                r.name.span(),
                format!("`name`: duplicate recipient name \"{}\"", r.name.get_ref()),
            ));
        }
        for e in &r.emails {
            let v = e.get_ref();
            if !v.contains('@') || v.contains(['\r', '\n', '<', '>', ' ']) {
                return Err(ctx.err(
                    e.span(),
                    format!("`emails`: \"{v}\" is not an email address: expected e.g. \"veille@example.eu\""),
                ));
            }
        }
        let alerts = match &r.alerts {
            None => AlertLevel::AtLeast(Severity::High),
            Some(a) if a.get_ref() == "never" => AlertLevel::Never,
            Some(a) => AlertLevel::AtLeast(a.get_ref().parse().map_err(|_| {
                ctx.err(
                    a.span(),
                    format!(
                        "`alerts`: unknown level \"{}\": expected never, low, medium, high or critical",
                        a.get_ref()
                    ),
                )
            })?),
        };
        if let Some(d) = &r.digest
            && d.get_ref().split_whitespace().count() != 5
        {
            return Err(ctx.err(
                d.span(),
                format!(
                    "`digest`: \"{}\" is not a cron line: expected five fields (minute hour day month weekday), e.g. \"0 7 * * 1\"",
                    d.get_ref()
                ),
            ));
        }
        check_source_refs(ctx, &r.sources, known)?;
        out.push(Recipient {
            name: r.name.into_inner(),
            emails: r.emails.into_iter().map(Spanned::into_inner).collect(),
            alerts,
            digest: r.digest.map(Spanned::into_inner),
            sources: r.sources.into_iter().map(Spanned::into_inner).collect(),
            tags: r.tags,
        });
    }
    Ok(out)
}

fn rules(
    ctx: &Ctx<'_>,
    raw: Vec<Spanned<RawRule>>,
    known: &HashSet<&str>,
) -> Result<Vec<UserRule>, ConfigError> {
    let mut out = Vec::new();
    for r in raw {
        let span = r.span();
        let r = r.into_inner();
        if !valid_id(r.tag.get_ref()) {
            return Err(ctx.err(
                r.tag.span(),
                format!(
                    "`tag`: \"{}\" is not a valid tag id: expected letters, digits, '-', '_' or '.'",
                    r.tag.get_ref()
                ),
            ));
        }
        let severity = match &r.severity {
            None => Severity::Medium,
            Some(s) => s
                .get_ref()
                .parse()
                .map_err(|m| ctx.err(s.span(), format!("`severity`: {m}")))?,
        };
        let pattern = match &r.pattern {
            None => None,
            Some(p) => Some(Regex::new(&format!("(?i){}", p.get_ref())).map_err(|e| {
                ctx.err(
                    p.span(),
                    format!(
                        "`pattern`: invalid regular expression \"{}\": {}",
                        p.get_ref(),
                        first_line(&e.to_string())
                    ),
                )
            })?),
        };
        if r.keywords.is_empty() && pattern.is_none() {
            return Err(ctx.err(
                span,
                format!(
                    "[[rule]] \"{}\" has neither `keywords` nor `pattern`: expected at least one",
                    r.tag.get_ref()
                ),
            ));
        }
        let on = match &r.on {
            None => RuleSide::Any,
            Some(o) => match o.get_ref().as_str() {
                "added" => RuleSide::Added,
                "removed" => RuleSide::Removed,
                "any" => RuleSide::Any,
                other => {
                    return Err(ctx.err(
                        o.span(),
                        format!("`on`: unknown side \"{other}\": expected added, removed or any"),
                    ));
                }
            },
        };
        check_source_refs(ctx, &r.sources, known)?;
        out.push(UserRule {
            tag: r.tag.into_inner(),
            severity,
            keywords: r.keywords.iter().map(|k| k.to_lowercase()).collect(),
            pattern,
            sources: r.sources.into_iter().map(Spanned::into_inner).collect(),
            on,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_str_at(text, Path::new("/etc/regwatch/sources.toml"))
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("15 minutes").is_err());
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1 MiB"), Ok(1_048_576));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn minimal_config_gets_defaults_and_relative_database() {
        let c = parse("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\n").unwrap();
        assert_eq!(
            c.settings.database,
            PathBuf::from("/etc/regwatch/regwatch.db")
        );
        assert_eq!(c.settings.timeout, DEFAULT_TIMEOUT);
        assert_eq!(c.settings.max_body, DEFAULT_MAX_BODY);
        assert_eq!(c.sources[0].interval, DEFAULT_INTERVAL);
        assert_eq!(c.sources[0].name, "a");
    }

    #[test]
    fn unknown_key_names_line_column_and_key() {
        let e = err("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\nintervall = \"1h\"\n");
        assert!(e.starts_with("/etc/regwatch/sources.toml:4:1:"), "{e}");
        assert!(e.contains("intervall"), "{e}");
    }

    #[test]
    fn bad_duration_names_key_and_expectation() {
        let e = err("[[source]]\nid = \"a\"\nurl = \"https://example.eu/\"\ninterval = \"soon\"\n");
        assert!(e.contains(":4:"), "{e}");
        assert!(e.contains("interval"), "{e}");
        assert!(e.contains("expected a number and a unit"), "{e}");
    }

    #[test]
    fn duplicate_ids_bad_regex_bad_selector_bad_url() {
        let e = err(
            "[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\n[[source]]\nid = \"a\"\nurl = \"https://y.eu/\"\n",
        );
        assert!(
            e.contains(":5:6:") && e.contains("duplicate source id"),
            "{e}"
        );
        let e = err("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nignore = ['(unclosed']\n");
        assert!(
            e.contains(":4:") && e.contains("invalid regular expression"),
            "{e}"
        );
        let e = err("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = ['main >> >']\n");
        assert!(
            e.contains(":4:") && e.contains("invalid CSS selector"),
            "{e}"
        );
        let e = err("[[source]]\nid = \"a\"\nurl = \"ftp://x.eu/\"\n");
        assert!(e.contains(":3:") && e.contains("http(s) URL"), "{e}");
        let e = err("[settings]\ntimezone = \"Mars/Olympus\"\n");
        assert!(e.contains(":2:") && e.contains("IANA"), "{e}");
    }

    #[test]
    fn rules_are_validated() {
        let e = err("[[rule]]\ntag = \"x\"\npattern = \"(\"\n");
        assert!(e.contains(":3:") && e.contains("pattern"), "{e}");
        let e = err("[[rule]]\ntag = \"x\"\nseverity = \"urgent\"\nkeywords = [\"a\"]\n");
        assert!(e.contains(":3:") && e.contains("severity"), "{e}");
        let c = parse(
            "[[rule]]\ntag = \"entity_list\"\nkeywords = [\"Entity List\"]\non = \"added\"\n",
        )
        .unwrap();
        assert_eq!(c.rules[0].keywords, vec!["entity list".to_string()]);
        assert_eq!(c.rules[0].on, RuleSide::Added);
    }

    #[test]
    fn fingerprint_moves_with_extraction_settings() {
        let a = parse("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"main\"]\n")
            .unwrap();
        let b = parse("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"article\"]\n")
            .unwrap();
        let c = parse("[[source]]\nid = \"a\"\nurl = \"https://x.eu/\"\nselect = [\"main\"]\ninterval = \"1h\"\n")
            .unwrap();
        assert_ne!(
            a.sources[0].extraction_fingerprint(),
            b.sources[0].extraction_fingerprint()
        );
        assert_eq!(
            a.sources[0].extraction_fingerprint(),
            c.sources[0].extraction_fingerprint()
        );
    }
}
