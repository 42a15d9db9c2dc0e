//! `[[rule]]`: the user's tagging rules, checked and built into the tagger's [`UserRule`]s.

use std::collections::HashSet;

use regex::Regex;
use toml::Spanned;

use super::error::{ConfigError, Ctx, echo, last_line};
use super::raw::RawRule;
use super::source::{check_source_refs, valid_id};
use crate::model::Severity;
use crate::tag::{RuleSide, UserRule};

/// Every `[[rule]]`, checked, in file order.
pub(super) fn rules(
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
                    echo(r.tag.get_ref())
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
        let pattern = r.pattern.as_ref().map(|p| pattern(ctx, p)).transpose()?;
        if r.keywords.is_empty() && pattern.is_none() {
            return Err(ctx.err(
                span,
                format!(
                    "[[rule]] \"{}\" has neither `keywords` nor `pattern`: expected at least one",
                    echo(r.tag.get_ref())
                ),
            ));
        }
        let on = side(ctx, r.on.as_ref())?;
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

/// `pattern`, compiled case-insensitive.
fn pattern(ctx: &Ctx<'_>, p: &Spanned<String>) -> Result<Regex, ConfigError> {
    Regex::new(&format!("(?i){}", p.get_ref())).map_err(|e| {
        ctx.err(
            p.span(),
            format!(
                "`pattern`: invalid regular expression \"{}\": {}",
                echo(p.get_ref()),
                echo(&last_line(&e.to_string()))
            ),
        )
    })
}

/// `on`: which side of a change the rule reads; both when absent.
fn side(ctx: &Ctx<'_>, on: Option<&Spanned<String>>) -> Result<RuleSide, ConfigError> {
    let Some(o) = on else {
        return Ok(RuleSide::Any);
    };
    match o.get_ref().as_str() {
        "added" => Ok(RuleSide::Added),
        "removed" => Ok(RuleSide::Removed),
        "any" => Ok(RuleSide::Any),
        other => Err(ctx.err(
            o.span(),
            format!(
                "`on`: unknown side \"{}\": expected added, removed or any",
                echo(other)
            ),
        )),
    }
}

/// `packs = [...]` of a source or recipient: each a pack built into the binary.
pub(super) fn packs(ctx: &Ctx<'_>, packs: &[Spanned<String>]) -> Result<Vec<String>, ConfigError> {
    let known = crate::tag::packs::ids();
    let mut out = Vec::new();
    for p in packs {
        let id = p.get_ref().trim();
        if !known.contains(&id) {
            let hint = super::recipient::closest(id, &known)
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
            return Err(ctx.err(
                p.span(),
                format!(
                    "`packs`: unknown pack \"{id}\"{hint}: expected one of {} (see `regwatch packs`)",
                    known.join(", ")
                ),
            ));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}
