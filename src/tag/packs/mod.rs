//! Rule packs as data: the TOML files under `packs/` (embedded in the binary), parsed and
//! validated once.
//!
//! A pack holds a tag catalog (id, severity, detail fields, summary template), labels for the
//! summaries, vocabulary the Rust recognizers read (`[lists]`, `[[groups.NAME]]`, `[pairs]`), and
//! data-defined rules run by generic primitives ([`generic`]): `[[symbols]]` (codes compared as
//! sets across whole versions) and `[[citations]]` (the act a text cites). Errors name
//! `file:line:column`; [`check`] runs at start-up and in tests, so a broken pack never ships.

pub mod generic;
mod load;
pub mod matcher;
pub mod summary;

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::model::{Evidence, Severity, Tag};

pub use load::parse_pack;

/// The packs built into the binary: (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "packs/export-controls.toml",
        include_str!("../../../packs/export-controls.toml"),
    ),
    (
        "packs/eu-dual-use.toml",
        include_str!("../../../packs/eu-dual-use.toml"),
    ),
];

/// The id of the pack whose vocabulary the built-in recognizers (`tag::pack`) read.
pub const EXPORT_CONTROLS: &str = "export-controls";

/// A pack file that does not hold: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// File name as embedded (`packs/NAME.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for PackError {}

/// One tag of a catalog.
#[derive(Debug, Clone)]
pub struct TagSpec {
    /// Tag id (`threshold_changed`).
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// Detail fields, identifying ones first.
    pub fields: Vec<String>,
    /// Summary template.
    pub summary: String,
    /// Other templates, used when their field is set: (field, template).
    pub summary_if: Vec<(String, String)>,
    /// One line for people.
    pub description: String,
    /// An example summary.
    pub example: String,
}

/// A key with its words (a phrase group), tried in order.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// What the words denote (a country code, a stage, a kind).
    pub key: String,
    /// The words (lower case; a trailing `*` matches any ending).
    pub words: Vec<String>,
}

/// Codes matched by a pattern and compared as sets across whole versions.
#[derive(Debug, Clone)]
pub struct SymbolRule {
    /// Tag emitted (`{field} = code, change = added|removed`).
    pub tag: String,
    /// Detail field that holds the code.
    pub field: String,
    /// Pattern with one capture group: the code.
    pub pattern: Regex,
    /// The document (either version) must contain one of these words, unless the source named
    /// the pack; empty: always.
    pub context: Vec<String>,
    /// A code right after one of these words is not one of ours (e.g. "eccn").
    pub not_after: Vec<String>,
    /// Words that, in the sentence naming a code, say it is withdrawn ("EU007 has been
    /// withdrawn"): the code counts as no longer stated there.
    pub removed_words: Vec<String>,
    /// Words that, in a sentence, say its codes are not listed by it: entries a text says it
    /// leaves unchanged, national entries, entries only considered ("does not change 5A002",
    /// « rubrique nationale », « envisagerait »). Such a sentence is not read for codes.
    pub skip_words: Vec<String>,
}

/// Acts cited by a pattern: the one cited now and not before is the new one.
#[derive(Debug, Clone)]
pub struct CitationRule {
    /// Tag emitted (`old`, `new`).
    pub tag: String,
    /// Pattern with one capture group: the act's number.
    pub pattern: Regex,
}

/// A map keyed by the pack's own names (list, group and table names, words of its lists):
/// FxHash (the `rustc-hash` crate), as fast as a lookup by a short static name should be. Its
/// keys come from the embedded packs only, and page text is only ever looked up in it, so no
/// page can grow a map with colliding keys.
pub type Map<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// A validated pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Id (`export-controls`).
    pub id: String,
    /// One line for people.
    pub title: String,
    /// Languages it reads.
    pub languages: Vec<String>,
    /// File it came from.
    pub file: String,
    /// Its tags.
    pub tags: Vec<TagSpec>,
    /// Label tables for summaries.
    pub labels: HashMap<String, HashMap<String, String>>,
    /// Word lists.
    pub lists: Map<String, Vec<String>>,
    /// Each word list as a set, for [`has`].
    pub sets: Map<String, std::collections::HashSet<String, rustc_hash::FxBuildHasher>>,
    /// One automaton per word list, for [`any_in`].
    pub matchers: Map<String, matcher::ListMatcher>,
    /// Phrase groups.
    pub groups: Map<String, Vec<Group>>,
    /// Per phrase group: its words (all keys', in order) in one finder, taken literally and
    /// with their `*` endings cut.
    pub finders: Map<String, (matcher::WordFinder, matcher::WordFinder)>,
    /// Per phrase group: one automaton over all its words, for [`any_in_group`].
    pub group_matchers: Map<String, matcher::ListMatcher>,
    /// Per word → number table: its words in one finder, in order.
    pub pair_finders: Map<String, matcher::WordFinder>,
    /// Word → number pairs.
    pub pairs: Map<String, Vec<(String, u8)>>,
    /// Data-defined symbol rules.
    pub symbols: Vec<SymbolRule>,
    /// Data-defined citation rules.
    pub citations: Vec<CitationRule>,
}

/// The embedded packs, parsed once.
static LOADED: LazyLock<Result<Vec<Pack>, PackError>> = LazyLock::new(|| load::load_all(EMBEDDED));

/// Validates the embedded packs (at start-up): the first error, with its position.
///
/// # Errors
/// A pack that does not parse or hold together.
pub fn check() -> Result<(), PackError> {
    LOADED.as_ref().map(|_| ()).map_err(Clone::clone)
}

/// The packs (none when they do not validate; [`check`] says why).
#[must_use]
pub fn all() -> &'static [Pack] {
    LOADED.as_ref().map_or(&[], Vec::as_slice)
}

/// The pack with this id.
#[must_use]
pub fn get(id: &str) -> Option<&'static Pack> {
    all().iter().find(|p| p.id == id)
}

/// Every pack id.
#[must_use]
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|p| p.id.as_str()).collect()
}

/// The catalog entry of a tag id, with its pack.
#[must_use]
pub fn spec(tag: &str) -> Option<(&'static Pack, &'static TagSpec)> {
    all()
        .iter()
        .find_map(|p| p.tags.iter().find(|t| t.id == tag).map(|t| (p, t)))
}

/// The pack a tag id belongs to.
#[must_use]
pub fn pack_of(tag: &str) -> Option<&'static str> {
    spec(tag).map(|(p, _)| p.id.as_str())
}

/// Every tag id of every pack, in catalog order.
#[must_use]
pub fn tag_ids() -> Vec<&'static str> {
    all()
        .iter()
        .flat_map(|p| p.tags.iter().map(|t| t.id.as_str()))
        .collect()
}

/// The export-controls pack, found once (its lists are read on every sentence).
fn vocab() -> Option<&'static Pack> {
    static VOCAB: LazyLock<Option<&'static Pack>> = LazyLock::new(|| get(EXPORT_CONTROLS));
    *VOCAB
}

/// A word list of the export-controls pack (empty if missing; [`check`] proves none is).
#[must_use]
pub fn list(name: &str) -> &'static [String] {
    vocab()
        .and_then(|p| p.lists.get(name))
        .map_or(&[], Vec::as_slice)
}

/// Whether a normalized text holds a word of a list of the export-controls pack, at word
/// boundaries (`*` endings as prefixes, " … " gaps in order): one pass of the list's automaton.
#[must_use]
pub fn any_in(name: &str, hay: &str) -> bool {
    vocab()
        .and_then(|p| p.matchers.get(name))
        .is_some_and(|m| m.any(hay))
}

/// Whether a normalized text holds a word of any key of a phrase group of the export-controls
/// pack, as [`any_in`] reads a list: a test before the group's keys are searched one by one.
#[must_use]
pub fn any_in_group(name: &str, hay: &str) -> bool {
    vocab()
        .and_then(|p| p.group_matchers.get(name))
        .is_some_and(|m| m.any(hay))
}

/// Whether a word list of the export-controls pack holds `word` exactly.
#[must_use]
pub fn has(name: &str, word: &str) -> bool {
    vocab()
        .and_then(|p| p.sets.get(name))
        .is_some_and(|s| s.contains(word))
}

/// A phrase group of the export-controls pack.
#[must_use]
pub fn groups(name: &str) -> &'static [Group] {
    vocab()
        .and_then(|p| p.groups.get(name))
        .map_or(&[], Vec::as_slice)
}

/// The words of a phrase group of the export-controls pack (every key's, in order) in one
/// finder: taken literally, or with their `*` endings cut (`prefixes`).
#[must_use]
pub fn group_finder(name: &str, prefixes: bool) -> Option<&'static matcher::WordFinder> {
    vocab()
        .and_then(|p| p.finders.get(name))
        .map(|(literal, cut)| if prefixes { cut } else { literal })
}

/// The words of a word → number table of the export-controls pack in one finder, in order.
#[must_use]
pub fn pair_finder(name: &str) -> Option<&'static matcher::WordFinder> {
    vocab().and_then(|p| p.pair_finders.get(name))
}

/// A word → number table of the export-controls pack.
#[must_use]
pub fn pairs(name: &str) -> &'static [(String, u8)] {
    vocab()
        .and_then(|p| p.pairs.get(name))
        .map_or(&[], Vec::as_slice)
}

/// A label of the export-controls pack (`labels.country.FR` → "France").
#[must_use]
pub fn label(table: &str, key: &str) -> Option<&'static str> {
    vocab()
        .and_then(|p| p.labels.get(table))
        .and_then(|t| t.get(key))
        .map(String::as_str)
}

/// A tag from the catalog: severity and summary come from its entry.
#[must_use]
pub fn make(tag: &str, detail: Value, old: &str, new: &str) -> Tag {
    let (severity, summary) = match spec(tag) {
        Some((pack, s)) => (s.severity, summary::render(pack, s, &detail)),
        None => (Severity::Medium, tag.to_string()),
    };
    Tag {
        tag: tag.to_string(),
        severity,
        summary,
        detail,
        evidence: Evidence {
            old: old.to_string(),
            new: new.to_string(),
        },
    }
}

/// Whether a source or recipient naming `wanted` packs (empty: all) wants this tag. Tags from no
/// pack (user rules) are always wanted.
#[must_use]
pub fn wants(wanted: &[String], tag: &str) -> bool {
    wanted.is_empty()
        || pack_of(tag).is_none_or(|p| wanted.iter().any(|w| w == p))
        || tag == "new_document"
}

/// Whether pack `id` is enabled by `wanted` (empty: all).
#[must_use]
pub fn enabled(wanted: &[String], id: &str) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| w == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_packs_validate() {
        check().unwrap();
        assert!(ids().contains(&"export-controls"));
        assert!(ids().contains(&"eu-dual-use"));
        assert_eq!(label("country", "FR"), Some("France"));
    }

    #[test]
    fn make_uses_the_catalog() {
        let t = make(
            "threshold_changed",
            serde_json::json!({"metric": "tpp", "old": 4800, "new": 4000, "unit": "TPP"}),
            "a",
            "b",
        );
        assert_eq!(t.severity, Severity::High);
        assert_eq!(t.summary, "TPP threshold 4,800 → 4,000");
    }
}
