//! `regwatch preview SOURCE_ID | URL [--kind K] [--select CSS]… [--remove CSS]… [--items PTR]
//! [--lang L] [--json]`: one fetch and extraction, as a check would do them, printed; nothing
//! is stored and no database is opened. The fastest way to get a selector right.

use std::sync::Arc;

use super::{Cli, json_line, load_config, out, style};
use crate::config::{Config, Overrides, Source};
use crate::model::Item;
use crate::pipeline::{Checker, Preview};
use crate::{Error, terminal};

/// `regwatch preview` arguments.
#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// A source id of the configuration (its settings apply), or an http(s) URL.
    #[arg(value_name = "SOURCE_ID|URL")]
    pub target: String,
    /// Document kind, in place of the source's.
    #[arg(long, value_name = "K", value_parser = ["html", "pdf", "feed", "json"])]
    pub kind: Option<String>,
    /// Keep only these (CSS; repeat the flag for several); replaces the source's `select`.
    #[arg(long, value_name = "CSS")]
    pub select: Vec<String>,
    /// Drop these first (CSS; repeat the flag for several); replaces the source's `remove`.
    #[arg(long, value_name = "CSS")]
    pub remove: Vec<String>,
    /// JSON Pointer to the array of items (kind json), e.g. "/results".
    #[arg(long, value_name = "PTR")]
    pub items: Option<String>,
    /// Language of the text (en, fr, de).
    #[arg(long, value_name = "L")]
    pub lang: Option<String>,
    /// Print one JSON object: the blocks, the items, the HTTP facts.
    #[arg(long)]
    pub json: bool,
}

/// Fetches, extracts and prints; a fetch or extraction error is a runtime error (exit 1), a
/// bad flag a usage error (exit 2).
pub(super) async fn preview(cli: &Cli, args: &PreviewArgs) -> Result<(), Error> {
    // A bare URL needs no configuration; its settings (user agent, timeout) apply when present.
    let config = if cli.config.exists() {
        load_config(cli)?
    } else {
        Config::from_str_at("", &cli.config)?
    };
    let source = source_for(&config, args)?;
    let checker = Checker::new(Arc::new(config.clone()))?;
    let preview = checker.preview(&source).await.map_err(|e| {
        Error::Runtime(format!(
            "preview of {}: {e} (nothing stored)",
            crate::util::redact_url(&args.target)
        ))
    })?;
    let items = source
        .has_items()
        .then(|| Item::parse_blocks(&preview.blocks));
    let configured = config.source(&args.target).is_some();
    let target = if configured {
        args.target.clone()
    } else {
        crate::util::redact_url(&args.target)
    };
    if args.json {
        let id = configured.then_some(source.id.as_str());
        return json_line(&preview_json(&source, id, &preview, items.as_deref()));
    }
    out(&terminal::preview_text(
        &target,
        source.kind.as_str(),
        &preview,
        items.as_deref(),
        style(&config),
    ))
}

/// The configured source named by the target (or one for the URL), with the flags applied.
fn source_for(config: &Config, args: &PreviewArgs) -> Result<Source, Error> {
    let base = match config.source(&args.target) {
        Some(s) => s.clone(),
        None => Source::from_url(&args.target, &config.settings).map_err(|m| {
            let known: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
            if known.is_empty() {
                Error::Usage(m)
            } else {
                Error::Usage(format!("{m}; known ids: {}", known.join(", ")))
            }
        })?,
    };
    let overrides = Overrides {
        kind: args.kind.clone(),
        select: args.select.clone(),
        remove: args.remove.clone(),
        items: args.items.clone(),
        lang: args.lang.clone(),
    };
    base.with_overrides(&overrides).map_err(Error::Usage)
}

/// The JSON of `preview --json`.
fn preview_json(
    source: &Source,
    id: Option<&str>,
    p: &Preview,
    items: Option<&[Item]>,
) -> serde_json::Value {
    let items = items.map(|list| {
        list.iter()
            .map(|i| {
                let fields: serde_json::Map<String, serde_json::Value> = i
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect();
                serde_json::json!({
                    "title": i.title, "link": i.link, "date": i.date, "fields": fields,
                })
            })
            .collect::<Vec<_>>()
    });
    serde_json::json!({
        "source": id,
        "url": crate::util::redact_url(&source.url),
        "final_url": p.final_url,
        "status": p.status,
        "kind": source.kind.as_str(),
        "lang": source.lang.map(crate::model::Lang::as_str),
        "etag": p.etag,
        "last_modified": p.last_modified,
        "body_bytes": p.body_bytes,
        "blocks": p.blocks,
        "size": p.size,
        "sha256": p.sha256,
        "items": items,
    })
}
