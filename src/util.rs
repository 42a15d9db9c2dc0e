//! Small text helpers every layer may use (a leaf: imports nothing from the crate).

use std::time::Duration;

/// Formats a duration the way config files write it ("30s", "1.5s", "250ms").
#[must_use]
pub fn humanize(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms > 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Cuts a text to at most `max` characters, with an ellipsis.
#[must_use]
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Whether `c` must not reach a terminal, a log line or a mail header as it is: a control
/// character (C0 such as ESC, BEL and CR, DEL, C1 such as U+009B CSI), or a bidirectional
/// formatting character that reorders the text around it (the embeddings and overrides
/// U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C).
#[must_use]
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Replaces the characters of [`is_unsafe_char`] (ANSI escapes from a hostile page, CR, NUL,
/// bidi overrides) with U+FFFD, keeping newlines: what page text must go through before it
/// reaches a terminal or a log line. Stored text keeps them; only output is cleaned.
#[must_use]
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c != '\n' && is_unsafe_char(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A URL as it may be shown or logged: the password of its userinfo replaced by `***`
/// (`http://user:***@host/…`), or a user name alone (often a token) replaced by `***`. Text
/// that is not a URL with userinfo comes back unchanged. The real URL is kept where it is used.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let shown = match authority[..at].split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => "***".to_string(),
    };
    format!("{}{shown}{}", &url[..rest_start], &url[rest_start + at..])
}

/// Every URL with userinfo inside a text (an error message, a log line) redacted as by
/// [`redact_url`].
#[must_use]
pub fn redact_urls(text: &str) -> String {
    if !text.contains('@') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        // The URL starts at its scheme: the letters just before "://".
        let start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |j| j + 1);
        let end = rest[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .map_or(rest.len(), |j| i + j);
        out.push_str(&rest[..start]);
        out.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Whether a URL host is this machine (`localhost`, 127.0.0.0/8, `::1`, bracketed or not): the
/// one definition used wherever politeness or TLS warnings depend on it.
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Tag evidence as shown to people: of each text, the sentence where `old` and `new` first
/// differ, and, when that sentence is longer than `max` characters, a window of `max` centred on
/// the change; "…" marks what was cut. (Cutting from the start would hide a change that comes
/// late in a long sentence or block.)
#[must_use]
pub fn evidence_pair(old: &str, new: &str, max: usize) -> (String, String) {
    let (o, n): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let prefix = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let room = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    (
        around(&o, prefix, o.len() - suffix, max),
        around(&n, prefix, n.len() - suffix, max),
    )
}

/// The sentence of `text` holding `[from, to)` (the changed characters), cut to `max`
/// characters centred on them.
fn around(text: &[char], from: usize, to: usize, max: usize) -> String {
    let ends_sentence = |i: usize| {
        matches!(text[i], '.' | '!' | '?' | ';')
            && text.get(i + 1).is_some_and(|c| c.is_whitespace())
            && text
                .get(i + 2)
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || *c == '(')
    };
    let from = from.min(text.len());
    let to = to.clamp(from, text.len());
    let start = (0..from.min(text.len().saturating_sub(1)))
        .rev()
        .find(|&i| ends_sentence(i))
        .map_or(0, |i| i + 2);
    let end = (to.max(start)..text.len())
        .find(|&i| ends_sentence(i))
        .map_or(text.len(), |i| i + 1);
    let (mut a, mut b) = (start, end);
    if b - a > max {
        let centre = if to - from >= max {
            from + max / 4
        } else {
            (from + to) / 2
        };
        a = centre.saturating_sub(max / 2).clamp(start, end - max);
        b = a + max;
        // Whole words at the cuts, when a space is near.
        if a > start
            && let Some(k) = (a..(a + 12).min(from)).find(|&k| text[k].is_whitespace())
        {
            a = k + 1;
        }
        if b < end
            && let Some(k) = ((to.max(b.saturating_sub(12)))..b)
                .rev()
                .find(|&k| text[k].is_whitespace())
        {
            b = k;
        }
    }
    // The ellipses count toward `max`, as with [`shorten`].
    if b < text.len() && b - a >= max {
        b -= 1;
    }
    if a > 0 && b - a >= max {
        a += 1;
    }
    let mut out = String::new();
    if a > 0 {
        out.push('…');
    }
    out.extend(&text[a..b]);
    if b < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(humanize(Duration::from_millis(1500)), "1.5s");
        assert_eq!(humanize(Duration::from_secs(30)), "30s");
        assert_eq!(humanize(Duration::from_millis(250)), "250ms");
        assert_eq!(hex(&[0, 171, 255]), "00abff");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert!(is_loopback_host("127.0.0.2"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("LOCALHOST"));
        assert!(!is_loopback_host("128.0.0.1"));
        assert!(!is_loopback_host("example.org"));
        assert_eq!(sanitize("a\x1b[31mb\nc\r"), "a\u{FFFD}[31mb\nc\u{FFFD}");
    }

    #[test]
    fn sanitize_removes_terminal_controls_and_bidi_overrides() {
        let hostile = "\x1b]0;pwned\x07Request \x1b]52;c;ZXZpbA==\x07\u{9b}2J\u{202E}Access\u{2066}x\u{2069}\u{200F}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(is_unsafe_char), "{clean:?}");
        assert!(clean.contains("Request") && clean.contains("Access"));
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{061C}',
        ] {
            assert!(is_unsafe_char(c), "{c:?}");
        }
        // Ordinary text, accents and right-to-left scripts are left alone.
        assert_eq!(
            sanitize("Règlement (UE) 2021/821 — قانون\n"),
            "Règlement (UE) 2021/821 — قانون\n"
        );
    }

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            redact_url("http://user:s3cret@host.eu:8080/a?b=c@d"),
            "http://user:***@host.eu:8080/a?b=c@d"
        );
        assert_eq!(redact_url("https://tok3n@host.eu/"), "https://***@host.eu/");
        assert_eq!(redact_url("https://host.eu/a@b"), "https://host.eu/a@b");
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(
            redact_urls("GET http://u:p@h/x failed (see http://h/y), \"https://a:b@c\""),
            "GET http://u:***@h/x failed (see http://h/y), \"https://a:***@c\""
        );
        assert_eq!(redact_urls("mail a@b.eu"), "mail a@b.eu");
    }

    #[test]
    fn evidence_shows_the_changed_sentence_centred_on_the_change() {
        let lead =
            "The Bureau of Industry and Security amends the Export Administration Regulations. ";
        let filler = "This paragraph is long because PDF pages are long, and it goes on and on about scope. ".repeat(20);
        let old = format!(
            "{lead}{filler}License Exception LPP allows up to 26,900,000 TPP per consignee. Records must be kept."
        );
        let new = old.replace("26,900,000", "13,450,000");
        let (o, n) = evidence_pair(&old, &new, 200);
        assert_eq!(
            o,
            "…License Exception LPP allows up to 26,900,000 TPP per consignee.…"
        );
        assert_eq!(
            n,
            "…License Exception LPP allows up to 13,450,000 TPP per consignee.…"
        );
        // A sentence longer than the window: cut around the change, on word boundaries.
        let long_old = format!(
            "The cap is {} then 4,800 TPP and {} end",
            "very ".repeat(60),
            "more ".repeat(60)
        );
        let long_new = long_old.replace("4,800", "4,000");
        let (o, n) = evidence_pair(&long_old, &long_new, 80);
        assert!(o.contains("4,800") && n.contains("4,000"), "{o} / {n}");
        assert!(o.starts_with('…') && o.ends_with('…'), "{o}");
        assert!(o.chars().count() <= 82, "{o}");
        // Short texts come back whole; an empty side stays empty.
        assert_eq!(
            evidence_pair("TPP 4,800.", "TPP 4,000.", 200),
            ("TPP 4,800.".to_string(), "TPP 4,000.".to_string())
        );
        assert_eq!(evidence_pair("", "New rule.", 50).0, "");
    }
}
