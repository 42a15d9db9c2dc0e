//! The file's shape as serde reads it: every key, with its span, unknown keys refused.
//! Meaning (ids, URLs, selectors, references) is checked by the sibling modules.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::units::{ByteSize, DelayDuration, HumanDuration, IntervalDuration, TimeoutDuration};

/// The whole file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) settings: Option<Spanned<RawSettings>>,
    #[serde(default)]
    pub(super) mail: Option<RawMail>,
    #[serde(default, rename = "recipient")]
    pub(super) recipients: Vec<Spanned<RawRecipient>>,
    #[serde(default, rename = "source")]
    pub(super) sources: Vec<Spanned<RawSource>>,
    #[serde(default, rename = "rule")]
    pub(super) rules: Vec<Spanned<RawRule>>,
}

/// `[settings]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) database: Option<String>,
    pub(super) user_agent: Option<String>,
    pub(super) default_interval: Option<IntervalDuration>,
    pub(super) timeout: Option<TimeoutDuration>,
    pub(super) max_body: Option<ByteSize>,
    pub(super) timezone: Option<Spanned<String>>,
    pub(super) max_concurrency: Option<Spanned<i64>>,
    pub(super) per_host_delay: Option<DelayDuration>,
    pub(super) per_host_concurrency: Option<Spanned<i64>>,
    pub(super) listen: Option<String>,
    pub(super) delivery_retry_for: Option<HumanDuration>,
    pub(super) outbox_retention: Option<HumanDuration>,
    pub(super) accept_shrink_after: Option<Spanned<i64>>,
    pub(super) public_url: Option<Spanned<String>>,
}

/// `[mail]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    pub(super) from: Option<Spanned<String>>,
    pub(super) smtp: Option<Spanned<String>>,
    pub(super) mail_dir: Option<String>,
}

/// `[[recipient]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecipient {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) emails: Vec<Spanned<String>>,
    pub(super) webhook_env: Option<Spanned<String>>,
    pub(super) webhook_secret_env: Option<Spanned<String>>,
    pub(super) format: Option<Spanned<String>>,
    pub(super) alerts: Option<Spanned<String>>,
    pub(super) digest: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) sources: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) packs: Vec<Spanned<String>>,
}

/// `[[source]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) id: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) url: Spanned<String>,
    pub(super) kind: Option<Spanned<String>>,
    pub(super) interval: Option<IntervalDuration>,
    pub(super) lang: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) packs: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) select: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) remove: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) ignore: Vec<Spanned<String>>,
    pub(super) respect_robots: Option<bool>,
    #[serde(default)]
    pub(super) keep_items: Vec<Spanned<String>>,
    pub(super) items: Option<Spanned<String>>,
    pub(super) title: Option<Spanned<String>>,
    pub(super) link: Option<Spanned<String>>,
    pub(super) date: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) key: Vec<Spanned<String>>,
    pub(super) keep_items_in: Option<Spanned<String>>,
    pub(super) headers: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub(super) ca_file: Option<Spanned<String>>,
    pub(super) per_host_concurrency: Option<Spanned<i64>>,
}

/// `[[rule]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) tag: Spanned<String>,
    pub(super) severity: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) keywords: Vec<String>,
    pub(super) pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) sources: Vec<Spanned<String>>,
    pub(super) on: Option<Spanned<String>>,
}
