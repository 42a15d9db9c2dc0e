//! The change filters shared by the dashboard, the API and the feed: `severity` (minimum),
//! `tag`, `source`, `since` (a duration such as `7d`), `q` (text in the diff or a tag summary)
//! and `page`. Empty values count as absent (a submitted form sends every field).

use url::form_urlencoded;

use super::PAGE_SIZE;
use super::fail::Fail;
use crate::config::{Config, parse_duration};
use crate::model::{Change, Severity, Timestamp};
use crate::store::{ChangeFilter, Store};

/// Longest accepted search text, in characters.
const MAX_Q: usize = 200;
/// Highest page number accepted.
const MAX_PAGE: usize = 1_000_000;

/// Parsed filters.
#[derive(Debug, Clone, Default)]
pub(super) struct Filters {
    /// Minimum severity.
    pub severity: Option<Severity>,
    /// Tag id.
    pub tag: Option<String>,
    /// Source id.
    pub source: Option<String>,
    /// The duration as written (`7d`) and the time it reaches back to.
    pub since: Option<(String, Timestamp)>,
    /// Search text.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: usize,
}

/// One page of changes, newest first.
#[derive(Debug)]
pub(super) struct ChangePage {
    /// The changes of this page.
    pub changes: Vec<Change>,
    /// Whether an older page follows.
    pub more: bool,
}

impl Filters {
    /// Reads the filters of a query string; unknown keys are ignored (the feed's `token`).
    pub(super) fn parse(query: Option<&str>) -> Result<Filters, Fail> {
        let mut f = Filters {
            page: 1,
            ..Filters::default()
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "severity" => {
                    f.severity = Some(value.parse().map_err(|e: String| bad("severity", &e))?);
                }
                "tag" => f.tag = Some(value.to_string()),
                "source" => f.source = Some(value.to_string()),
                "since" => {
                    let d = parse_duration(value).map_err(|e| bad("since", &e))?;
                    f.since = Some((value.to_string(), Timestamp::now().minus(d)));
                }
                "q" if value.chars().count() > MAX_Q => {
                    return Err(bad(
                        "q",
                        &format!("expected at most {MAX_Q} characters of search text"),
                    ));
                }
                "q" => f.q = Some(value.to_string()),
                "page" => f.page = page_number(value)?,
                _ => {}
            }
        }
        Ok(f)
    }

    /// The query string of these filters at `page` (page 1 is left out), without a leading `?`.
    pub(super) fn query(&self, page: usize) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(v) = self.severity {
            s.append_pair("severity", v.as_str());
        }
        for (k, v) in [("tag", &self.tag), ("source", &self.source)] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if let Some((text, _)) = &self.since {
            s.append_pair("since", text);
        }
        if let Some(v) = &self.q {
            s.append_pair("q", v);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        s.finish()
    }

    /// Refuses a tag or source nobody knows (neither the configuration nor the database), as
    /// `regwatch changes` does, naming the known ones.
    pub(super) fn check_known(&self, store: &Store, config: &Config) -> Result<(), Fail> {
        if let Some(tag) = &self.tag {
            let known = known_tags(store, config)?;
            if !known.contains(tag) {
                return Err(bad(
                    "tag",
                    &format!(
                        "unknown tag \"{}\"; expected one of: {}",
                        crate::util::shorten(tag, 80),
                        known.join(", ")
                    ),
                ));
            }
        }
        if let Some(source) = &self.source {
            let known = known_sources(store, config)?;
            if !known.contains(source) {
                return Err(bad(
                    "source",
                    &format!(
                        "unknown source \"{}\"; expected one of: {}",
                        crate::util::shorten(source, 80),
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The store's filter for these filters, without a limit (every page).
    pub(super) fn change_filter(&self) -> ChangeFilter {
        ChangeFilter {
            since: self.since.as_ref().map(|(_, t)| *t),
            source: self.source.clone(),
            tag: self.tag.clone(),
            min_severity: self.severity,
            text: self.q.clone(),
            ..ChangeFilter::default()
        }
    }

    /// The changes of this page (checking the filters first).
    pub(super) fn list(&self, store: &Store, config: &Config) -> Result<ChangePage, Fail> {
        self.check_known(store, config)?;
        let mut changes = store.changes(&ChangeFilter {
            limit: Some(PAGE_SIZE + 1),
            offset: (self.page - 1) * PAGE_SIZE,
            ..self.change_filter()
        })?;
        let more = changes.len() > PAGE_SIZE;
        changes.truncate(PAGE_SIZE);
        Ok(ChangePage { changes, more })
    }
}

fn bad(what: &str, message: &str) -> Fail {
    Fail::BadRequest(format!("{what}: {message}"))
}

fn page_number(value: &str) -> Result<usize, Fail> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_PAGE).contains(n))
        .ok_or_else(|| {
            bad(
                "page",
                &format!(
                    "expected a whole number from 1 to {MAX_PAGE}, got \"{}\"",
                    crate::util::shorten(value, 40)
                ),
            )
        })
}

/// Tags the engine can emit and tags found on stored changes, sorted.
pub(super) fn known_tags(store: &Store, config: &Config) -> Result<Vec<String>, Fail> {
    let mut known = config.known_tags();
    for t in store.stored_tags()? {
        if !known.contains(&t) {
            known.push(t);
        }
    }
    known.sort();
    Ok(known)
}

/// Source ids of the configuration and of the database.
pub(super) fn known_sources(store: &Store, config: &Config) -> Result<Vec<String>, Fail> {
    let mut known: Vec<String> = config.sources.iter().map(|s| s.id.clone()).collect();
    for h in store.source_health()? {
        if !known.contains(&h.id) {
            known.push(h.id);
        }
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_the_query_round_trips() {
        let f =
            Filters::parse(Some("severity=HIGH&tag=&q=tier+2&since=7d&page=3&token=x")).unwrap();
        assert_eq!(f.severity, Some(Severity::High));
        assert_eq!(f.tag, None);
        assert_eq!(f.q.as_deref(), Some("tier 2"));
        assert_eq!(f.page, 3);
        assert_eq!(f.query(4), "severity=high&since=7d&q=tier+2&page=4");
        assert_eq!(f.query(1), "severity=high&since=7d&q=tier+2");
    }

    #[test]
    fn bad_values_say_what_was_expected() {
        for (q, want) in [
            ("severity=urgent", "expected low, medium, high or critical"),
            ("since=soon", "expected a number and a unit"),
            ("page=0", "expected a whole number from 1"),
            ("page=x", "expected a whole number from 1"),
        ] {
            match Filters::parse(Some(q)) {
                Err(Fail::BadRequest(m)) => assert!(m.contains(want), "{q}: {m}"),
                other => panic!("{q}: {other:?}"),
            }
        }
    }
}
