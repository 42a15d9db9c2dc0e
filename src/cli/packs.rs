//! `regwatch packs [--json]`: the rule packs built into the binary and their tag catalogs.

use super::{json_line, out};
use crate::Error;
use crate::tag::packs;

/// Prints each pack with its tags (id, severity, detail fields, description).
pub(super) fn packs(json: bool) -> Result<(), Error> {
    let mut text = String::new();
    for p in packs::all() {
        if json {
            let tags: Vec<_> = p
                .tags
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "tag": t.id,
                        "severity": t.severity.as_str(),
                        "fields": t.fields,
                        "description": t.description,
                        "example": t.example,
                    })
                })
                .collect();
            json_line(&serde_json::json!({
                "pack": p.id,
                "title": p.title,
                "languages": p.languages,
                "file": p.file,
                "tags": tags,
            }))?;
            continue;
        }
        text.push_str(&format!(
            "{} — {} ({}; {})\n",
            p.id,
            p.title,
            p.languages.join(", "),
            p.file
        ));
        for t in &p.tags {
            text.push_str(&format!(
                "  {:<32} {:<8} {}\n  {:<41} {}\n",
                t.id,
                t.severity.as_str(),
                t.fields.join(", "),
                "",
                t.description
            ));
        }
        text.push('\n');
    }
    out(&text)
}
