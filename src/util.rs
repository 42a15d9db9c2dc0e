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

/// Replaces control characters (ANSI escapes from a hostile page, CR, NUL) with U+FFFD, keeping
/// newlines: what page text must go through before it reaches a terminal or a log line.
#[must_use]
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
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
}
