//! Size bounds for what people read: a change whose blocks are megabytes long (one huge
//! paragraph with one number changed) is shown windowed around each edit, with a note of how
//! much is not shown and where the whole is. E-mails stay far below relay size limits; terminal
//! output of `check` and `show` stays readable. JSON output is never bounded.

use crate::model::{BlockEdit, Change, Span, SpanKind};

/// Characters of unchanged text kept on each side of an edit.
pub const CONTEXT: usize = 300;
/// Characters of one edited span shown (half from its start, half from its end).
pub const MAX_EDIT: usize = 1000;
/// Lines and spans up to this many characters are shown whole.
const LONG: usize = 2 * CONTEXT + MAX_EDIT;
/// Most bytes of a unified diff shown, after windowing its lines.
pub const MAX_DIFF: usize = 200_000;
/// Blocks of word-level spans an alert shows (as `render::alert` does).
const MAX_BLOCKS: usize = 40;
/// Characters of a tag summary kept.
const MAX_SUMMARY: usize = 1000;

/// Byte index `n` characters before byte index `at` (0 when there are fewer).
fn back(s: &str, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    s[..at]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(0, |(i, _)| i)
}

/// Byte index `n` characters after byte index `at` (the end when there are fewer).
fn fwd(s: &str, at: usize, n: usize) -> usize {
    s[at..]
        .char_indices()
        .nth(n)
        .map_or(s.len(), |(i, _)| at + i)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Bytes in common at the start of `a` and `b`, and then at their ends (never overlapping).
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let prefix = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let room = a.len().min(b.len()) - prefix;
    let mut suffix = 0;
    for (x, y) in a[prefix..].chars().rev().zip(b[prefix..].chars().rev()) {
        if x != y || suffix + x.len_utf8() > room {
            break;
        }
        suffix += x.len_utf8();
    }
    (prefix, suffix)
}

/// `s` shown around the edited bytes `start..end`: [`CONTEXT`] characters on each side, at most
/// [`MAX_EDIT`] characters of the edit itself. Returns the text (with `…` where something was
/// left out) and how many characters were left out.
fn window(s: &str, start: usize, end: usize) -> (String, usize) {
    let from = back(s, start, CONTEXT);
    let to = fwd(s, end, CONTEXT);
    let mut out = String::new();
    let mut hidden = chars(&s[..from]) + chars(&s[to..]);
    if from > 0 {
        out.push('…');
    }
    let head_end = fwd(s, start, MAX_EDIT / 2);
    let tail_start = back(s, end, MAX_EDIT / 2);
    if head_end < tail_start {
        out.push_str(&s[from..head_end]);
        out.push_str(" … ");
        out.push_str(&s[tail_start..to]);
        hidden += chars(&s[head_end..tail_start]);
    } else {
        out.push_str(&s[from..to]);
    }
    if to < s.len() {
        out.push('…');
    }
    (out, hidden)
}

/// The start of `s`, [`LONG`] characters at most, and how many characters were left out.
fn head(s: &str) -> (String, usize) {
    let to = fwd(s, 0, LONG);
    if to == s.len() {
        (s.to_string(), 0)
    } else {
        (format!("{}…", &s[..to]), chars(&s[to..]))
    }
}

/// Old and new text of one edited block, each windowed around where they differ.
fn pair(old: &str, new: &str) -> ((String, usize), (String, usize)) {
    if chars(old) <= LONG && chars(new) <= LONG {
        return ((old.to_string(), 0), (new.to_string(), 0));
    }
    let (p, s) = common_ends(old, new);
    (window(old, p, old.len() - s), window(new, p, new.len() - s))
}

fn note(hidden: usize, full: &str) -> String {
    format!(" ({hidden} more characters not shown; full diff: {full})")
}

/// A unified diff with every long line windowed around its edit (a removed line is paired with
/// the added line at the same place in its run), then cut to [`MAX_DIFF`] bytes. `full` tells
/// where the whole diff is (e.g. "regwatch show 12"). Short diffs are returned unchanged.
#[must_use]
pub fn bound_diff(diff: &str, full: &str) -> String {
    if diff.len() <= LONG && diff.len() <= MAX_DIFF {
        return diff.to_string();
    }
    let lines: Vec<&str> = diff.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let del_end = i + lines[i..].iter().take_while(|l| l.starts_with('-')).count();
        let add_end = del_end
            + lines[del_end..]
                .iter()
                .take_while(|l| l.starts_with('+'))
                .count();
        if del_end == i {
            // Not a run of removals: context, header, or additions alone.
            let line = lines[i];
            let (sign, body) = line.split_at(fwd(line, 0, 1));
            let (text, hidden) = if sign == "@" {
                (body.to_string(), 0)
            } else {
                head(body)
            };
            push_line(&mut out, sign, &text, hidden, full);
            i += 1;
            continue;
        }
        let dels = &lines[i..del_end];
        let adds = &lines[del_end..add_end];
        let mut shown_adds = Vec::new();
        for (k, d) in dels.iter().enumerate() {
            let old = &d[1..];
            let (o, a) = match adds.get(k) {
                Some(n) => {
                    let (o, a) = pair(old, &n[1..]);
                    (o, Some(a))
                }
                None => (head(old), None),
            };
            push_line(&mut out, "-", &o.0, o.1, full);
            shown_adds.extend(a);
        }
        for (t, hidden) in &shown_adds {
            push_line(&mut out, "+", t, *hidden, full);
        }
        for n in adds.iter().skip(dels.len()) {
            let (t, hidden) = head(&n[1..]);
            push_line(&mut out, "+", &t, hidden, full);
        }
        i = add_end.max(del_end);
    }
    if out.len() > MAX_DIFF {
        let cut = out[..MAX_DIFF].rfind('\n').map_or(0, |n| n + 1);
        let hidden = chars(&out[cut..]);
        out.truncate(cut);
        out.push_str(&format!(
            "… {hidden} more characters of the diff not shown; full diff: {full}\n"
        ));
    }
    out
}

fn push_line(out: &mut String, sign: &str, text: &str, hidden: usize, full: &str) {
    out.push_str(sign);
    out.push_str(text);
    if hidden > 0 {
        out.push_str(&note(hidden, full));
    }
    out.push('\n');
}

/// Word-level spans of one block with long unchanged runs cut to [`CONTEXT`] characters next to
/// each edit and long edits to [`MAX_EDIT`], and a closing note of what was left out.
fn bound_block(e: &BlockEdit, full: &str) -> BlockEdit {
    let ((old, _), (new, _)) = pair(&e.old, &e.new);
    let n = e.spans.len();
    let mut hidden = 0;
    let mut spans = Vec::with_capacity(n + 1);
    for (i, s) in e.spans.iter().enumerate() {
        let len = chars(&s.text);
        let text = match s.kind {
            SpanKind::Equal if len > 2 * CONTEXT => {
                let t = &s.text;
                let (first, last) = (i == 0, i + 1 == n);
                if first && last {
                    let to = fwd(t, 0, CONTEXT);
                    format!("{}…", &t[..to])
                } else if first {
                    let from = back(t, t.len(), CONTEXT);
                    // Headings start with "#": keep that for the renderer's marker stripping.
                    format!("…{}", &t[from..])
                } else if last {
                    let to = fwd(t, 0, CONTEXT);
                    format!("{}…", &t[..to])
                } else {
                    let to = fwd(t, 0, CONTEXT);
                    let from = back(t, t.len(), CONTEXT);
                    format!("{} … {}", &t[..to], &t[from..])
                }
            }
            SpanKind::Delete | SpanKind::Insert if len > MAX_EDIT => {
                let t = &s.text;
                let to = fwd(t, 0, MAX_EDIT / 2);
                let from = back(t, t.len(), MAX_EDIT / 2);
                format!("{} … {}", &t[..to], &t[from..])
            }
            _ => {
                spans.push(s.clone());
                continue;
            }
        };
        hidden += len.saturating_sub(chars(&text));
        spans.push(Span { kind: s.kind, text });
    }
    if hidden > 0 {
        spans.push(Span {
            kind: SpanKind::Equal,
            text: note(hidden, full),
        });
    }
    BlockEdit { old, new, spans }
}

/// A copy of `c` fit for an e-mail: diff lines and word spans windowed around their edits, at
/// most [`MAX_BLOCKS`] blocks of spans carried (the count is kept), summaries shortened. A change
/// of ordinary size comes back equal.
#[must_use]
pub fn change_for_mail(c: &Change) -> Change {
    let full = format!("regwatch show {}", c.id);
    let spans = c
        .spans
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if i < MAX_BLOCKS {
                bound_block(e, &full)
            } else {
                BlockEdit {
                    old: String::new(),
                    new: String::new(),
                    spans: Vec::new(),
                }
            }
        })
        .collect();
    let mut tags = c.tags.clone();
    for t in &mut tags {
        if chars(&t.summary) > MAX_SUMMARY {
            t.summary = crate::util::shorten(&t.summary, MAX_SUMMARY);
        }
    }
    Change {
        id: c.id,
        source: c.source.clone(),
        source_name: c.source_name.clone(),
        url: c.url.clone(),
        detected_at: c.detected_at,
        severity: c.severity,
        added: c.added,
        removed: c.removed,
        tags,
        diff: bound_diff(&c.diff, &full),
        spans,
    }
}

/// Most bytes of each part (text, HTML) of a message: with transfer encoding (at most 4/3) and
/// headers, a whole message stays under 1 MB, below every relay's size limit.
pub const MAX_PART: usize = 300_000;

/// The last resort after windowing: a part longer than [`MAX_PART`] is cut (on a character
/// boundary) with a note saying how much is missing and `full`, where to read the whole.
#[must_use]
pub fn cap_rendered(mut r: super::render::Rendered, full: &str) -> super::render::Rendered {
    if r.text.len() > MAX_PART {
        let cut = back(&r.text, fwd_bytes(&r.text, MAX_PART), 0);
        let hidden = chars(&r.text[cut..]);
        r.text.truncate(cut);
        r.text
            .push_str(&format!("\n… {hidden} more characters not shown; {full}\n"));
    }
    if r.html.len() > MAX_PART {
        // Cut between tags, so no tag is left half-written.
        let at = fwd_bytes(&r.html, MAX_PART);
        let cut = r.html[..at].rfind('<').unwrap_or(at);
        let hidden = chars(&r.html[cut..]);
        r.html.truncate(cut);
        r.html.push_str(&format!(
            "<p>… {hidden} more characters not shown; {}</p></div>",
            super::render::esc(full)
        ));
    }
    r
}

/// The largest character boundary at or before byte `n`.
fn fwd_bytes(s: &str, n: usize) -> usize {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_line_with_one_number_changed_is_windowed_around_it() {
        let filler = "Lorem ipsum dolor sit amet. ".repeat(50_000);
        let old = format!("{filler}The threshold is 4,800 or more. {filler}");
        let new = format!("{filler}The threshold is 4,000 or more. {filler}");
        let diff = format!("@@ -1,1 +1,1 @@\n-{old}\n+{new}\n ctx\n");
        let b = bound_diff(&diff, "regwatch show 7");
        assert!(b.len() < 4 * (2 * CONTEXT + 200), "{} bytes", b.len());
        assert!(b.contains("4,800") && b.contains("4,000"), "{b}");
        assert!(b.contains("more characters not shown; full diff: regwatch show 7"));
        assert!(b.starts_with("@@ -1,1 +1,1 @@\n-…"), "{b}");
        assert!(b.ends_with(" ctx\n"), "{b}");
        // Small diffs are untouched.
        let small = "@@ -1 +1 @@\n-a 1\n+a 2\n";
        assert_eq!(bound_diff(small, "x"), small);
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let filler = "法务合规".repeat(2000);
        let diff = format!("-{filler}甲{filler}\n+{filler}乙{filler}\n");
        let b = bound_diff(&diff, "x");
        assert!(b.contains('甲') && b.contains('乙'));
        assert!(b.len() < 8 * 1024);
    }

    #[test]
    fn spans_keep_context_next_to_edits() {
        let long = "word ".repeat(10_000);
        let e = BlockEdit {
            old: format!("{long}4,800{long}"),
            new: format!("{long}4,000{long}"),
            spans: vec![
                Span {
                    kind: SpanKind::Equal,
                    text: long.clone(),
                },
                Span {
                    kind: SpanKind::Delete,
                    text: "4,800".into(),
                },
                Span {
                    kind: SpanKind::Insert,
                    text: "4,000".into(),
                },
                Span {
                    kind: SpanKind::Equal,
                    text: long.clone(),
                },
            ],
        };
        let b = bound_block(&e, "regwatch show 1");
        let total: usize = b.spans.iter().map(|s| s.text.len()).sum();
        assert!(total < 2000, "{total}");
        assert_eq!(b.spans[1].text, "4,800");
        assert!(b.spans[4].text.contains("more characters not shown"));
        assert!(b.old.contains("4,800") && b.old.len() < 2000);
    }

    #[test]
    fn oversized_parts_are_capped_with_a_note() {
        let r = super::super::render::Rendered {
            subject: "s".into(),
            text: "é".repeat(MAX_PART),
            html: format!("<div>{}</div>", "<p>x</p>".repeat(MAX_PART / 4)),
        };
        let c = cap_rendered(r, "regwatch changes");
        assert!(c.text.len() < MAX_PART + 200 && c.html.len() < MAX_PART + 200);
        assert!(
            c.text
                .ends_with("more characters not shown; regwatch changes\n")
        );
        assert!(c.html.ends_with("</p></div>"));
        assert_eq!(c.html.matches('<').count(), c.html.matches('>').count());
    }
}
