//! Summary templates: `{field}` (numbers grouped "4,800", null "none", long text cut at 120
//! characters) and `{field|table}` (a label from the pack's `[labels.table]`; its `"*"` entry is
//! the fallback, with `{}` standing for the value).

use std::collections::HashMap;

use serde_json::Value;

use super::{Pack, TagSpec};
use crate::tag::numbers::format_value;

/// Longest value shown in a summary, in characters.
const MAX_VALUE: usize = 120;

/// A piece of a template.
enum Piece<'a> {
    /// Text as written.
    Text(&'a str),
    /// `{field}` or `{field|table}`.
    Field(&'a str, Option<&'a str>),
}

/// A template cut into text and placeholders.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "a `{` is never closed".to_string())?;
        let inner = &after[..close];
        let (field, table) = match inner.split_once('|') {
            Some((f, t)) => (f.trim(), Some(t.trim())),
            None => (inner.trim(), None),
        };
        if field.is_empty() {
            return Err("an empty `{}` placeholder".into());
        }
        out.push(Piece::Field(field, table));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Checks that a template names only declared fields and existing label tables.
pub(super) fn check_template(
    template: &str,
    fields: &[String],
    labels: &HashMap<String, HashMap<String, String>>,
) -> Result<(), String> {
    for piece in pieces(template)? {
        let Piece::Field(field, table) = piece else {
            continue;
        };
        if !fields.iter().any(|f| f == field) {
            return Err(format!(
                "`{{{field}}}` is not one of the detail fields ({})",
                fields.join(", ")
            ));
        }
        if let Some(t) = table
            && !labels.contains_key(t)
        {
            return Err(format!("no [labels.{t}] table for `{{{field}|{t}}}`"));
        }
    }
    Ok(())
}

/// A detail value as text.
fn plain(v: Option<&Value>) -> String {
    let s = match v {
        None | Some(Value::Null) => "none".to_string(),
        Some(Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), format_value),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if s.chars().count() > MAX_VALUE {
        let cut: String = s.chars().take(MAX_VALUE).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Renders one template over a tag's detail.
fn fill(pack: &Pack, template: &str, detail: &Value) -> String {
    let Ok(pieces) = pieces(template) else {
        return template.to_string();
    };
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(field, table) => {
                let value = plain(detail.get(field));
                let shown = match table.and_then(|t| pack.labels.get(t)) {
                    Some(t) => match t.get(&value) {
                        Some(l) => l.clone(),
                        None => t
                            .get("*")
                            .map_or_else(|| value.replace('_', " "), |f| f.replace("{}", &value)),
                    },
                    None => value,
                };
                out.push_str(&shown);
            }
        }
    }
    out
}

/// The summary of a tag: its first `summary_if` whose field is set, else its template.
#[must_use]
pub fn render(pack: &Pack, spec: &TagSpec, detail: &Value) -> String {
    let template = spec
        .summary_if
        .iter()
        .find(|(f, _)| detail.get(f).is_some_and(|v| !v.is_null()))
        .map_or(spec.summary.as_str(), |(_, t)| t.as_str());
    fill(pack, template, detail)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::tag::packs::make;

    #[test]
    fn labels_fallbacks_and_nulls() {
        let t = make(
            "tier_move",
            json!({"country": "FR", "from": "tier 1", "to": "D:5"}),
            "",
            "",
        );
        assert_eq!(t.summary, "France: tier 1 → Country Group D:5");
        let t = make(
            "tariff_changed",
            json!({"old": null, "new": 25, "unit": "%"}),
            "",
            "",
        );
        assert_eq!(t.summary, "Tariff none → 25%");
        let t = make(
            "quota_changed",
            json!({"old": 50000, "new": 100000, "unit": "GPU", "scope": null}),
            "",
            "",
        );
        assert_eq!(t.summary, "Quota 50,000 → 100,000 GPU");
        let t = make(
            "bill_stage_changed",
            json!({"from": null, "to": "passed_senate"}),
            "",
            "",
        );
        assert_eq!(t.summary, "Bill stage: none → passed senate");
        let t = make(
            "license_policy_changed",
            json!({"old": null, "new": null, "exception": "LPP", "change": "removed"}),
            "",
            "",
        );
        assert_eq!(t.summary, "License Exception LPP removed");
    }
}
