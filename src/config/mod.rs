//! `sources.toml` → typed [`Config`], with every error located by file, line and column.
//!
//! Parsing happens in two passes: serde (through `toml`) checks the shape and rejects unknown keys,
//! then [`validate`](Config::from_str_at) checks meaning (ids, URLs, selectors, regexes, duplicates).
//! Both passes keep byte spans, so every message can name the line and column a person must edit.
//!
//! # Layout
//! - `error`: [`ConfigError`], located by file, line and column.
//! - `units`: durations and sizes written for people.
//! - `raw`: the serde shapes of the file.
//! - `settings`, `source`, `selector`, `recipient`, `rules`: one section each, checked.
//! - `preview`: sources made or adjusted by `regwatch preview`'s flags.
//! - `access`: how a source is reached (headers, `ca_file`, `per_host_concurrency`).

mod access;
mod error;
mod preview;
mod raw;
mod recipient;
mod rules;
mod selector;
mod settings;
mod source;
mod units;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use access::{
    CaFile, ENV_PREFIX, EnvHeaderError, HeaderSpec, HeaderValueSpec, MAX_PER_HOST_CONCURRENCY,
};
pub use error::ConfigError;
pub use preview::Overrides;
pub use recipient::{AlertLevel, Recipient, Webhook};
pub use settings::{MailSettings, Settings};
pub use source::{Source, SourceKind};
pub use units::{
    BoundedDuration, ByteSize, DelayDuration, HumanDuration, IntervalDuration, TimeoutDuration,
    parse_duration, parse_size,
};

use crate::tag::UserRule;
use error::Ctx;
use raw::RawFile;

/// Default check interval when neither the source nor `settings.default_interval` names one: 6 hours,
/// often enough for regulation pages that move a few times a year, rare enough to be polite.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(6 * 3600);
/// Default request timeout: 30 seconds, long enough for slow government servers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default body cap: 10 MB. Regulation pages are rarely above 2 MB; the Federal Register's biggest
/// rule PDFs are a few MB. Anything larger is refused while streaming, never read whole.
pub const DEFAULT_MAX_BODY: u64 = 10 * 1000 * 1000;
/// Default retry period of a message the relay keeps refusing for a transient reason: 7 days,
/// longer than any relay outage a weekend can hold, so an alert outlives the outage.
pub const DEFAULT_DELIVERY_RETRY_FOR: Duration = Duration::from_secs(7 * 86_400);
/// Default retention of sent messages' bodies: 90 days (the rows stay as an audit trail).
pub const DEFAULT_OUTBOX_RETENTION: Duration = Duration::from_secs(90 * 86_400);
/// Default `accept_shrink_after`: a page that came back shrunken, with the same text, three
/// checks in a row really did lose its text; it becomes the new baseline (reported in the digest).
pub const DEFAULT_ACCEPT_SHRINK_AFTER: u32 = 3;
/// Default number of sources checked at once.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;

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

    /// Loads `path` and, when given, replaces `settings.database` (the `--db` flag).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_with_db(path: &Path, db: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = Config::load(path)?;
        if let Some(db) = db {
            config.settings.database = db.to_path_buf();
        }
        Ok(config)
    }

    /// Every tag the engine can emit with this configuration: the built-in ones, then the
    /// tags of the `[[rule]]`s.
    #[must_use]
    pub fn known_tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = crate::tag::builtin_tags()
            .iter()
            .map(|t| (*t).to_string())
            .collect();
        for r in &self.rules {
            if !tags.contains(&r.tag) {
                tags.push(r.tag.clone());
            }
        }
        tags
    }

    /// Parses and validates config text as if it were read from `path`.
    ///
    /// # Errors
    /// [`ConfigError`] with the line and column of the first problem.
    pub fn from_str_at(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let ctx = Ctx { file: &file, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| ctx.toml_err(&e))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let settings = settings::settings(&ctx, raw.settings, &base)?;
        let mail = settings::mail(&ctx, raw.mail, &base)?;
        let sources = source::sources(&ctx, raw.sources, &settings, &base)?;
        let source_ids: HashSet<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        // Recipients may name the tags of rules, so rule tags are known before rules are checked.
        let mut tags: Vec<&str> = crate::tag::builtin_tags();
        for r in &raw.rules {
            if !tags.contains(&r.get_ref().tag.get_ref().as_str()) {
                tags.push(r.get_ref().tag.get_ref());
            }
        }
        let known = recipient::Known {
            sources: &source_ids,
            tags: &tags,
        };
        let recipients = recipient::recipients(&ctx, raw.recipients, &known)?;
        let rules = rules::rules(&ctx, raw.rules, &source_ids)?;
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
