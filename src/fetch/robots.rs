//! robots.txt (RFC 9309): parsing, group selection for our product token, and path matching.
//!
//! Rules: the groups naming our product token (the `User-Agent` up to its first `/` or space,
//! compared without case) apply; without one, the `*` groups; without those, everything is
//! allowed. Within the chosen rules the longest matching pattern wins and `Allow` wins a tie.
//! Patterns support `*` (any run of characters) and a final `$` (end of the path).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// Most bytes of a robots.txt that are read (RFC 9309 asks for at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// One `Allow` or `Disallow` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules of one robots.txt that apply to one product token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
}

/// Why a path is refused: the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The `Disallow` pattern that matched.
    pub pattern: String,
}

impl Robots {
    /// Rules that allow everything (no robots.txt, or one that answered 4xx).
    #[must_use]
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Rules that refuse everything (RFC 9309 §2.3.1.4 for an unreachable robots.txt).
    #[must_use]
    pub fn disallow_all() -> Robots {
        Robots {
            rules: vec![Rule {
                allow: false,
                pattern: "/".into(),
            }],
        }
    }

    /// Parses `body` and keeps the rules that apply to `user_agent` (a full `User-Agent`
    /// header; its product token is used).
    #[must_use]
    pub fn parse(body: &str, user_agent: &str) -> Robots {
        let token = product_token(user_agent);
        let body = body.strip_prefix('\u{feff}').unwrap_or(body);
        let mut groups: Vec<(Vec<String>, Vec<Rule>)> = Vec::new();
        // True while user-agent lines are still being collected for the current group.
        let mut collecting = false;
        for line in body.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !collecting {
                        groups.push((Vec::new(), Vec::new()));
                        collecting = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    collecting = false;
                    // An empty pattern matches nothing (an empty `Disallow:` allows all).
                    if value.is_empty() {
                        continue;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.1.push(Rule {
                            allow: key == "allow",
                            pattern: encode_pattern(value),
                        });
                    }
                }
                // Sitemap, crawl-delay and unknown lines neither end nor start a group.
                _ => {}
            }
        }
        // The rules of every group naming `want`, or `None` when no group names it.
        let pick = |want: &str| -> Option<Vec<Rule>> {
            let named: Vec<_> = groups
                .iter()
                .filter(|(agents, _)| agents.iter().any(|a| a == want))
                .collect();
            (!named.is_empty()).then(|| named.iter().flat_map(|(_, r)| r.clone()).collect())
        };
        let rules = pick(&token).or_else(|| pick("*")).unwrap_or_default();
        Robots { rules }
    }

    /// Checks a URL's path and query (`/a/b?c`); `Err` names the rule that refuses it.
    ///
    /// # Errors
    /// The refusing rule, when the path is disallowed.
    pub fn check(&self, path_and_query: &str) -> Result<(), Refusal> {
        if path_and_query == "/robots.txt" {
            return Ok(());
        }
        let mut best: Option<&Rule> = None;
        for rule in &self.rules {
            if !matches(&rule.pattern, path_and_query) {
                continue;
            }
            let better = best.is_none_or(|b| {
                rule.pattern.len() > b.pattern.len()
                    || (rule.pattern.len() == b.pattern.len() && rule.allow && !b.allow)
            });
            if better {
                best = Some(rule);
            }
        }
        match best {
            Some(r) if !r.allow => Err(Refusal {
                pattern: r.pattern.clone(),
            }),
            _ => Ok(()),
        }
    }
}

/// The product token of a `User-Agent`: "regwatch" in "regwatch/0.1 (+https://…)", lowercased.
#[must_use]
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Percent-encodes the bytes a URL path would carry encoded, so that a pattern written with raw
/// UTF-8 matches the encoded path the URL parser produces.
fn encode_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii() && !c.is_ascii_control() && c != ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Whether `pattern` (with `*` and a final `$`) matches the start of `path`. Iterative, linear in
/// practice: each `*` segment is matched at its first occurrence, which is enough for prefix
/// patterns (a greedy-first match of a literal segment never prevents a later one from matching).
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let segments: Vec<&str> = parts.collect();
    if segments.is_empty() {
        return !anchored || rest.is_empty();
    }
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        if i == last && anchored {
            return rest.ends_with(seg);
        }
        match rest.find(seg) {
            Some(at) => rest = &rest[at + seg.len()..],
            None => return false,
        }
    }
    true
}

/// How long a robots.txt answer is trusted (RFC 9309 §2.4: at most 24 hours).
pub const ROBOTS_TTL_HOURS: i64 = 24;

/// How long a robots.txt that could not be read (time-out, 5xx, refused connection) is not
/// asked again: every page of that host fails at once with the same error meanwhile, instead of
/// each waiting for its own time-out.
pub const ROBOTS_FAILURE_TTL_SECS: i64 = 600;

/// Why a robots.txt could not be read, as remembered for the other pages of its site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsFailure {
    /// The message for the source.
    pub message: String,
    /// The host could not be reached at all (not a robots.txt problem).
    pub unreachable: bool,
}

/// Parsed rules and when they were fetched.
type Fetched = (Arc<Robots>, DateTime<Utc>);

/// Parsed robots.txt rules per origin, each with the time it was fetched. Shared by every
/// fetch of one configuration; filled from the database at start and by fetches.
#[derive(Debug)]
pub struct RobotsCache {
    user_agent: String,
    map: Mutex<HashMap<String, Fetched>>,
    /// Origins whose robots.txt could not be read: the failure and when it happened.
    failures: Mutex<HashMap<String, (RobotsFailure, DateTime<Utc>)>>,
}

impl RobotsCache {
    /// An empty cache for this `User-Agent`.
    #[must_use]
    pub fn new(user_agent: &str) -> RobotsCache {
        RobotsCache {
            user_agent: user_agent.to_string(),
            map: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers that `origin`'s robots.txt could not be read at `at`.
    pub fn insert_failure(&self, origin: &str, failure: RobotsFailure, at: DateTime<Utc>) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(origin.to_string(), (failure, at));
    }

    /// The error of a failed robots.txt read of `origin` less than
    /// [`ROBOTS_FAILURE_TTL_SECS`] before `now`.
    #[must_use]
    pub fn failure(&self, origin: &str, now: DateTime<Utc>) -> Option<RobotsFailure> {
        let map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(origin)
            .filter(|(_, at)| {
                now - *at < chrono::Duration::seconds(ROBOTS_FAILURE_TTL_SECS) && *at <= now
            })
            .map(|(e, _)| e.clone())
    }

    /// Records the answer `status`/`body` for `origin`: a 2xx is parsed, anything else (a 4xx)
    /// means no rules. Returns the parsed rules.
    pub fn insert(
        &self,
        origin: &str,
        status: u16,
        body: &str,
        fetched_at: DateTime<Utc>,
    ) -> Arc<Robots> {
        let robots = Arc::new(if (200..300).contains(&status) {
            Robots::parse(body, &self.user_agent)
        } else {
            Robots::allow_all()
        });
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let keep_newer = map.get(origin).is_some_and(|(_, at)| *at > fetched_at);
        if !keep_newer {
            map.insert(origin.to_string(), (Arc::clone(&robots), fetched_at));
        }
        robots
    }

    /// The rules for `origin` if fetched less than [`ROBOTS_TTL_HOURS`] before `now`.
    #[must_use]
    pub fn get(&self, origin: &str, now: DateTime<Utc>) -> Option<Arc<Robots>> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(origin)
            .filter(|(_, at)| now - *at < chrono::Duration::hours(ROBOTS_TTL_HOURS) && *at <= now)
            .map(|(r, _)| Arc::clone(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "regwatch/0.1 (+https://example.org/regwatch)";

    #[test]
    fn picks_our_group_over_the_star_group() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: Regwatch\nUser-agent: other\nDisallow: /private\n";
        let r = Robots::parse(txt, UA);
        assert!(r.check("/public/page").is_ok());
        assert_eq!(
            r.check("/private/x").unwrap_err().pattern,
            "/private".to_string()
        );
        let star = Robots::parse(txt, "somebot/1.0");
        assert!(star.check("/public/page").is_err());
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let txt =
            "user-agent: *\ndisallow: /rules\nallow: /rules/public\nallow: /x\ndisallow: /x\n";
        let r = Robots::parse(txt, UA);
        assert!(r.check("/rules/secret").is_err());
        assert!(r.check("/rules/public/page").is_ok());
        assert!(r.check("/x").is_ok());
        assert!(r.check("/other").is_ok());
    }

    #[test]
    fn wildcards_and_end_anchor() {
        let txt = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\nDisallow: /exact$\n";
        let r = Robots::parse(txt, UA);
        assert!(r.check("/docs/rule.pdf").is_err());
        assert!(r.check("/docs/rule.pdf?x=1").is_ok());
        assert!(r.check("/search?lang=en&q=tpp").is_err());
        assert!(r.check("/search?lang=en").is_ok());
        assert!(r.check("/exact").is_err());
        assert!(r.check("/exact/more").is_ok());
    }

    #[test]
    fn empty_disallow_comments_and_other_lines() {
        let txt = "\u{feff}# hello\nUser-agent: *   # everyone\nCrawl-delay: 5\nDisallow:\nSitemap: https://x/s.xml\n";
        let r = Robots::parse(txt, UA);
        assert!(r.check("/anything").is_ok());
        assert!(Robots::parse("", UA).check("/a").is_ok());
        assert!(Robots::parse("garbage\n\0\u{1}", UA).check("/a").is_ok());
    }

    #[test]
    fn disallow_all_still_allows_robots_txt() {
        let r = Robots::disallow_all();
        assert!(r.check("/page").is_err());
        assert!(r.check("/robots.txt").is_ok());
    }

    #[test]
    fn raw_utf8_patterns_match_encoded_paths() {
        let r = Robots::parse("User-agent: *\nDisallow: /règles\n", UA);
        assert!(r.check("/r%C3%A8gles/2025").is_err());
    }

    #[test]
    fn cache_expires_after_a_day() {
        let c = RobotsCache::new(UA);
        let t0 = Utc::now();
        c.insert(
            "https://a.example",
            200,
            "User-agent: *\nDisallow: /x\n",
            t0,
        );
        let r = c.get("https://a.example", t0 + chrono::Duration::hours(23));
        assert!(r.is_some_and(|r| r.check("/x").is_err()));
        assert!(
            c.get("https://a.example", t0 + chrono::Duration::hours(25))
                .is_none()
        );
        assert!(c.get("https://b.example", t0).is_none());
        // An older answer (from the database) never replaces a newer one.
        c.insert(
            "https://a.example",
            404,
            "",
            t0 - chrono::Duration::hours(1),
        );
        assert!(
            c.get("https://a.example", t0)
                .is_some_and(|r| r.check("/x").is_err())
        );
    }

    #[test]
    fn product_token_is_lowercased_name() {
        assert_eq!(product_token(UA), "regwatch");
        assert_eq!(product_token("Mozilla/5.0 x"), "mozilla");
    }

    #[test]
    fn many_stars_stay_cheap() {
        let pattern = format!("/{}z", "*a".repeat(2000));
        let txt = format!("User-agent: *\nDisallow: {pattern}\n");
        let r = Robots::parse(&txt, UA);
        assert!(r.check(&format!("/{}", "a".repeat(50_000))).is_ok());
    }
}
