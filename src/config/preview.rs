//! Sources made or adjusted on the command line, for `regwatch preview`: a bare URL becomes a
//! source with the defaults, and `--kind`, `--select`, `--remove`, `--items`, `--lang` replace a
//! source's own settings. The same checks as in `sources.toml` apply, with messages that name
//! the flag instead of a line.

use super::error::Ctx;
use super::raw::RawFile;
use super::selector::parse_selector;
use super::settings::Settings;
use super::source::{Source, SourceKind};
use crate::extract::JsonItems;
use crate::model::Lang;

/// Settings given on the command line; each one given replaces the source's own.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--kind`: html, pdf, feed or json.
    pub kind: Option<String>,
    /// `--select` (all of them replace the source's `select`).
    pub select: Vec<String>,
    /// `--remove` (all of them replace the source's `remove`).
    pub remove: Vec<String>,
    /// `--items`: a JSON Pointer to the array of items (json only).
    pub items: Option<String>,
    /// `--lang`: en, fr or de.
    pub lang: Option<String>,
}

impl Source {
    /// A source for a bare URL, read as `[[source]]` with only `id = "preview"` and `url` would
    /// be (so every other key takes its default, from `settings` where it has one).
    ///
    /// # Errors
    /// What is wrong with the URL (not http or https, no host).
    pub fn from_url(url: &str, settings: &Settings) -> Result<Source, String> {
        let ok = url::Url::parse(url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .unwrap_or(false);
        if !ok {
            return Err(format!(
                "\"{}\" is neither a source id of the configuration nor an http(s) URL",
                crate::util::redact_url(url)
            ));
        }
        let text = format!(
            "[[source]]\nid = \"preview\"\nurl = {}\n",
            toml::Value::String(url.to_string())
        );
        let ctx = Ctx {
            file: "the command line",
            text: &text,
        };
        let raw: RawFile = toml::from_str(&text).map_err(|e| ctx.toml_err(&e).to_string())?;
        super::source::sources(&ctx, raw.sources, settings, std::path::Path::new("."))
            .map_err(|e| e.to_string())?
            .pop()
            .ok_or_else(|| "no source could be made of the URL".to_string())
    }

    /// This source with the command line's settings in place of its own. A kind that cannot
    /// use a setting drops the source's own (selectors for a feed) and refuses the flag's.
    ///
    /// # Errors
    /// What is wrong, naming the flag: an unknown kind or language, an invalid selector, a
    /// pointer that is not a JSON Pointer, a flag the kind cannot use.
    pub fn with_overrides(&self, o: &Overrides) -> Result<Source, String> {
        let mut s = self.clone();
        if let Some(k) = &o.kind {
            s.kind = parse_kind(k)?;
        }
        if let Some(l) = &o.lang {
            s.lang = Some(l.parse::<Lang>().map_err(|m| format!("--lang: {m}"))?);
        }
        apply_css(&mut s, o)?;
        apply_items(&mut s, o)?;
        if !s.has_items() {
            s.keep_items.clear();
        }
        s.fingerprint = s.compute_fingerprint();
        Ok(s)
    }
}

/// `--kind`.
fn parse_kind(k: &str) -> Result<SourceKind, String> {
    match k {
        "html" => Ok(SourceKind::Html),
        "pdf" => Ok(SourceKind::Pdf),
        "feed" => Ok(SourceKind::Feed),
        "json" => Ok(SourceKind::Json),
        other => Err(format!(
            "--kind: unknown kind \"{}\": expected html, pdf, feed or json",
            crate::util::shorten(other, 40)
        )),
    }
}

/// `--select` and `--remove`: HTML only; each list given replaces the source's.
fn apply_css(s: &mut Source, o: &Overrides) -> Result<(), String> {
    if s.kind != SourceKind::Html {
        if !o.select.is_empty() || !o.remove.is_empty() {
            return Err(format!(
                "--select/--remove apply to HTML pages only, and the kind is {}",
                s.kind.as_str()
            ));
        }
        s.select.clear();
        s.remove.clear();
        s.css = crate::extract::Css::default();
        return Ok(());
    }
    for (flag, given, list, parsed) in [
        ("--select", &o.select, &mut s.select, &mut s.css.select),
        ("--remove", &o.remove, &mut s.remove, &mut s.css.remove),
    ] {
        if given.is_empty() {
            continue;
        }
        let mut selectors = Vec::with_capacity(given.len());
        for text in given {
            selectors.push(parse_selector(text).map_err(|why| {
                format!(
                    "{flag}: invalid CSS selector \"{}\": {why}",
                    crate::util::shorten(text, 200)
                )
            })?);
        }
        list.clone_from(given);
        *parsed = selectors;
    }
    Ok(())
}

/// `--items`: json only; keeps the source's field names.
fn apply_items(s: &mut Source, o: &Overrides) -> Result<(), String> {
    if s.kind != SourceKind::Json {
        if o.items.is_some() {
            return Err(format!(
                "--items applies to kind json only, and the kind is {}",
                s.kind.as_str()
            ));
        }
        s.json_items = None;
        return Ok(());
    }
    let Some(pointer) = &o.items else {
        return Ok(());
    };
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return Err(format!(
            "--items: \"{}\" is not a JSON Pointer: expected \"\" (the document itself) or a path such as \"/results\"",
            crate::util::shorten(pointer, 200)
        ));
    }
    let mut items = s.json_items.clone().unwrap_or(JsonItems {
        items: String::new(),
        title: None,
        link: None,
        date: None,
        key: Vec::new(),
    });
    items.items.clone_from(pointer);
    s.json_items = Some(items);
    Ok(())
}
