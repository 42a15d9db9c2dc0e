//! `[[source]]`: what to fetch and how to read it, checked key by key.

use std::collections::HashSet;
use std::time::Duration;

use regex::Regex;
use toml::Spanned;

use super::error::{ConfigError, Ctx, echo, last_line};
use super::raw::RawSource;
use super::settings::Settings;
use crate::model::Lang;

pub use crate::extract::SourceKind;

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
    /// Rule packs that tag this source (empty: all).
    pub packs: Vec<String>,
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
    /// `keep_items_in = "all"`: `keep_items` also reads an item's summary and nested fields
    /// (default `"title"`: the item's stored lines only).
    pub keep_items_in_all: bool,
    /// Extra request headers (`env:` values read at each fetch, never shown).
    pub headers: Vec<super::HeaderSpec>,
    /// Certificates added to the trust roots for this source (corporate TLS inspection).
    pub ca_file: Option<super::CaFile>,
    /// Requests in flight to this source's host at once (`None`: `settings.per_host_concurrency`).
    pub per_host_concurrency: Option<usize>,
    /// `select` and `remove`, parsed once at load time.
    pub css: crate::extract::Css,
    /// See [`Source::extraction_fingerprint`]; computed once at load time.
    pub(super) fingerprint: String,
}

impl Source {
    /// A fingerprint of the settings that shape the extracted text. When it changes, the next
    /// snapshot is a new baseline (docs/ARCHITECTURE.md, "Rules that keep alerts trustworthy", rule 4).
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
            keep_items_in_all: self.keep_items_in_all,
        }
    }

    /// Whether the text is a list of items (feeds, JSON with `items`): new items are then
    /// `new_document`s and removed ones are not alerts.
    #[must_use]
    pub fn has_items(&self) -> bool {
        self.kind == SourceKind::Feed || self.json_items.is_some()
    }

    pub(super) fn compute_fingerprint(&self) -> String {
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
        // Added only when not the default, so that existing fingerprints stay as they were.
        if self.keep_items_in_all {
            h.update([0]);
            h.update("keep_items_in=all");
        }
        if self.kind == SourceKind::Pdf {
            // PDF text is split into paragraphs since issue 15: a new baseline, not a change.
            h.update([0]);
            h.update(crate::extract::PDF_BLOCKS_VERSION);
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
            // Added only when set, so that existing fingerprints stay as they were.
            if !j.key.is_empty() {
                h.update([0]);
                h.update("key");
                for k in &j.key {
                    h.update([1]);
                    h.update(k);
                }
            }
        }
        crate::util::hex(&h.finalize())[..16].to_string()
    }
}

/// Whether `id` is a valid source or tag id: 1-64 letters, digits, `-`, `_` or `.`.
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Every `[[source]]`, checked, in file order.
pub(super) fn sources(
    ctx: &Ctx<'_>,
    raw: Vec<Spanned<RawSource>>,
    settings: &Settings,
    base: &std::path::Path,
) -> Result<Vec<Source>, ConfigError> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for s in raw {
        let s = s.into_inner();
        let id = source_id(ctx, &s.id, &mut seen)?;
        out.push(source(ctx, s, id, settings, base)?);
    }
    Ok(out)
}

/// One `[[source]]` whose id is already checked. The checks run in the order of the keys in the
/// documentation, so the first problem reported is the first a person would read.
fn source(
    ctx: &Ctx<'_>,
    s: RawSource,
    id: String,
    settings: &Settings,
    base: &std::path::Path,
) -> Result<Source, ConfigError> {
    check_url(ctx, &s.url)?;
    warn_credentials(ctx, &s.url);
    let kind = source_kind(ctx, s.kind.as_ref())?;
    // Settings that only make sense for some kinds are refused, not ignored.
    check_css_kind(ctx, &s, kind)?;
    let json_items = json_items(ctx, &s, kind)?;
    check_keep_items_kind(ctx, &s, kind == SourceKind::Feed || json_items.is_some())?;
    let keep_items = regexes(ctx, "keep_items", &s.keep_items)?;
    let keep_items_in_all = super::access::keep_items_in(ctx, s.keep_items_in.as_ref())?;
    if let Some(k) = &s.keep_items_in
        && s.keep_items.is_empty()
    {
        return Err(ctx.err(k.span(), "`keep_items_in` needs `keep_items`"));
    }
    let lang = lang(ctx, s.lang.as_ref())?;
    let packs = super::rules::packs(ctx, &s.packs)?;
    let css = super::selector::css(ctx, &s.select, &s.remove)?;
    let ignore = regexes(ctx, "ignore", &s.ignore)?;
    let headers = super::access::headers(ctx, s.headers.as_ref())?;
    let ca_file = super::access::ca_file(ctx, s.ca_file.as_ref(), base)?;
    let per_host_concurrency =
        super::access::per_host_concurrency(ctx, s.per_host_concurrency.as_ref())?;
    let mut source = Source {
        name: s.name.unwrap_or_else(|| id.clone()),
        id,
        url: s.url.into_inner(),
        kind,
        interval: s.interval.map_or(settings.default_interval, |d| d.0),
        lang,
        packs,
        select: s.select.into_iter().map(Spanned::into_inner).collect(),
        remove: s.remove.into_iter().map(Spanned::into_inner).collect(),
        ignore,
        respect_robots: s.respect_robots.unwrap_or(true),
        json_items,
        keep_items,
        keep_items_in_all,
        headers,
        ca_file,
        per_host_concurrency,
        css,
        fingerprint: String::new(),
    };
    source.fingerprint = source.compute_fingerprint();
    Ok(source)
}

/// The trimmed id, refused when malformed or already taken.
fn source_id(
    ctx: &Ctx<'_>,
    raw: &Spanned<String>,
    seen: &mut HashSet<String>,
) -> Result<String, ConfigError> {
    let id = raw.get_ref().trim().to_string();
    if !valid_id(&id) {
        return Err(ctx.err(
            raw.span(),
            format!(
                "`id`: \"{}\" is not a valid source id: expected 1-64 letters, digits, '-', '_' or '.'",
                echo(&id)
            ),
        ));
    }
    if !seen.insert(id.clone()) {
        return Err(ctx.err(
            raw.span(),
            format!("`id`: duplicate source id \"{id}\": each [[source]] needs its own id"),
        ));
    }
    Ok(id)
}

/// An http or https URL with a host.
fn check_url(ctx: &Ctx<'_>, url: &Spanned<String>) -> Result<(), ConfigError> {
    let ok = url::Url::parse(url.get_ref())
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    Err(ctx.err(
        url.span(),
        format!(
            "`url`: \"{}\" is not a valid http(s) URL: expected e.g. \"https://www.bis.gov/…\"",
            echo(&crate::util::redact_url(url.get_ref()))
        ),
    ))
}

/// Warns (it is not an error: some sites offer nothing else) when a URL carries a user name or
/// password: regwatch shows it as `***` everywhere, but the file and the database hold it in
/// plain text.
fn warn_credentials(ctx: &Ctx<'_>, url: &Spanned<String>) {
    let Ok(parsed) = url::Url::parse(url.get_ref()) else {
        return;
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return;
    }
    let warning = ctx.err(
        url.span(),
        format!(
            "`url`: \"{}\" carries credentials: regwatch shows them as *** in output and logs, but sources.toml and the database keep them in plain text; prefer a URL without them where the site allows it (secrets belong in the environment, like REGWATCH_SMTP_PASSWORD)",
            echo(&crate::util::redact_url(url.get_ref()))
        ),
    );
    tracing::warn!("{warning}");
}

/// `kind`, HTML when absent.
fn source_kind(ctx: &Ctx<'_>, kind: Option<&Spanned<String>>) -> Result<SourceKind, ConfigError> {
    let Some(k) = kind else {
        return Ok(SourceKind::Html);
    };
    match k.get_ref().as_str() {
        "html" => Ok(SourceKind::Html),
        "pdf" => Ok(SourceKind::Pdf),
        "feed" => Ok(SourceKind::Feed),
        "json" => Ok(SourceKind::Json),
        other => Err(ctx.err(
            k.span(),
            format!(
                "`kind`: unknown kind \"{}\": expected \"html\", \"pdf\", \"feed\" or \"json\"",
                echo(other)
            ),
        )),
    }
}

/// `select` and `remove` apply to HTML pages only.
fn check_css_kind(ctx: &Ctx<'_>, s: &RawSource, kind: SourceKind) -> Result<(), ConfigError> {
    match s.select.first().or(s.remove.first()) {
        Some(sel) if kind != SourceKind::Html => Err(ctx.err(
            sel.span(),
            format!(
                "`select`/`remove` apply to HTML pages only, and this source has kind = \"{}\"",
                kind.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

/// `keep_items` applies to lists of items only.
fn check_keep_items_kind(
    ctx: &Ctx<'_>,
    s: &RawSource,
    lists_items: bool,
) -> Result<(), ConfigError> {
    match s.keep_items.first() {
        Some(k) if !lists_items => Err(ctx.err(
            k.span(),
            "`keep_items` applies to lists of items only: kind = \"feed\", or kind = \"json\" with `items`",
        )),
        _ => Ok(()),
    }
}

/// `lang`, when given.
fn lang(ctx: &Ctx<'_>, lang: Option<&Spanned<String>>) -> Result<Option<Lang>, ConfigError> {
    lang.map(|l| {
        l.get_ref()
            .parse::<Lang>()
            .map_err(|m| ctx.err(l.span(), format!("`lang`: {m}")))
    })
    .transpose()
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
                        echo(pat.get_ref()),
                        echo(&last_line(&e.to_string()))
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
    let key_span = s.key.first().map(Spanned::span);
    if (kind != SourceKind::Json || s.items.is_none())
        && let Some(span) = key_span
    {
        return Err(ctx.err(
            span,
            "`key` applies to kind = \"json\" with `items` only (the fields that identify an item)",
        ));
    }
    if let Some(k) = s.key.iter().find(|k| k.get_ref().trim().is_empty()) {
        return Err(ctx.err(k.span(), "`key`: expected a field name, found \"\""));
    }
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
                "`items`: \"{}\" is not a JSON Pointer: expected \"\" (the document itself) or a path such as \"/results\"",
                echo(pointer)
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
        key: s.key.iter().map(|k| k.get_ref().clone()).collect(),
    }))
}

/// Every id in a `sources = [...]` list names a `[[source]]`.
pub(super) fn check_source_refs(
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
                    echo(s.get_ref())
                ),
            ));
        }
    }
    Ok(())
}
