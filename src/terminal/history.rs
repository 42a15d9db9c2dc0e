//! What `versions`, `diff`, `preview` and `verify` print: the history of a source's text and
//! what a fetch would store. Page text is cleaned of control characters before it is printed.

use std::fmt::Write as _;

use super::{Style, change_body, change_text, clean};
use crate::model::{Change, Item};
use crate::pipeline::Preview;
use crate::store::{StoredVersion, Verified};

/// `versions`: one entry per stored version, oldest first.
#[must_use]
pub fn versions_text(source: &str, list: &[StoredVersion], style: Style) -> String {
    if list.is_empty() {
        return format!(
            "no versions of {} stored yet (run `regwatch check {}`)\n",
            clean(source),
            clean(source)
        );
    }
    let mut out = format!("{} version(s) of {}:\n", list.len(), clean(source));
    for v in list {
        let origin = match (&v.accepted, v.change, v.baseline) {
            (Some(how), _, _) => format!("baseline, accepted ({})", clean(how)),
            (None, Some(id), _) => format!("change #{id}"),
            (None, None, true) => "baseline".to_string(),
            (None, None, false) => "no change recorded".to_string(),
        };
        let _ = writeln!(
            out,
            "{}  {}  first seen {}  last seen {}  seen {}×  {} bytes  {} blocks",
            style.paint("1", &format!("v{:<3}", v.version)),
            origin,
            style.time(v.first_seen),
            style.time(v.last_seen),
            v.seen_count,
            v.size,
            v.blocks,
        );
        let _ = writeln!(out, "      sha256 {}", v.sha256);
    }
    out
}

/// `diff`: two versions compared. A stored change between them is shown as `show` shows it;
/// otherwise the comparison made now, in the same layout.
#[must_use]
pub fn version_diff_text(
    from: &StoredVersion,
    to: &StoredVersion,
    c: &Change,
    stored: bool,
    style: Style,
) -> String {
    let source = clean(&from.source);
    if stored {
        return format!(
            "versions {} → {} of {source}: change #{} as detected\n{}",
            from.version,
            to.version,
            c.id,
            change_text(c, style)
        );
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} [{}] {} — {}",
        style.paint(
            "1",
            &format!("versions {} → {} of {source}", from.version, to.version)
        ),
        style.severity(c.severity),
        clean(&c.headline()),
        clean(&c.source_name),
    );
    let _ = writeln!(
        out,
        "  compared now (no stored change links these two versions; tags as the current rules read them)"
    );
    let full = format!(
        "regwatch diff {source} {} {} --json",
        from.version, to.version
    );
    out.push_str(&change_body(c, &full, style));
    out
}

/// `preview`: where the text came from, then its blocks exactly as they would be stored (one
/// per line), then, for item lists, the items.
#[must_use]
pub fn preview_text(
    target: &str,
    kind: &str,
    p: &Preview,
    items: Option<&[Item]>,
    style: Style,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({kind}) — {} → HTTP {}",
        style.paint("1", &format!("preview of {}", clean(target))),
        clean(&p.final_url),
        p.status
    );
    let _ = writeln!(
        out,
        "{} blocks, {} bytes, sha256 {}; nothing stored",
        p.blocks.len(),
        p.size,
        p.sha256
    );
    let _ = writeln!(out, "--- blocks (one per line, as stored) ---");
    for b in &p.blocks {
        let _ = writeln!(out, "{}", clean(b));
    }
    if let Some(items) = items {
        let _ = writeln!(out, "--- {} item(s) ---", items.len());
        for (i, item) in items.iter().enumerate() {
            let _ = writeln!(out, "{:>3}. {}", i + 1, clean(&item.title));
            for (label, value) in [("link", &item.link), ("date", &item.date)] {
                if let Some(v) = value {
                    let _ = writeln!(out, "     {label}: {}", clean(v));
                }
            }
        }
    }
    out
}

/// `verify`: each text that failed, with the versions that use it, then a summary line.
#[must_use]
pub fn verify_text(v: &Verified) -> String {
    let mut out = String::new();
    for p in &v.problems {
        let users: Vec<String> = p
            .versions
            .iter()
            .map(|(source, n)| format!("{} v{n}", clean(source)))
            .collect();
        let used_by = if users.is_empty() {
            "used by no version".to_string()
        } else {
            format!("used by {}", users.join(", "))
        };
        let _ = writeln!(
            out,
            "text {} {}; {used_by}",
            clean(&p.hash),
            clean(&p.problem)
        );
    }
    if v.problems.is_empty() {
        let _ = writeln!(
            out,
            "verified {} stored text(s) used by {} version(s): every text matches its SHA-256",
            v.blobs, v.versions
        );
    } else {
        let _ = writeln!(
            out,
            "{} problem(s) in {} stored text(s) used by {} version(s)",
            v.problems.len(),
            v.blobs,
            v.versions
        );
    }
    out
}
