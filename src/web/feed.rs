//! `/feed.atom`: the changes as an Atom feed (RFC 4287, written by `atom_syndication`), with the
//! dashboard's filters. Entry ids are `tag:` URIs from the change id, stable forever; the title
//! is the strongest tag's summary; the content is plain text (the crate escapes it): every tag
//! with its evidence.

use std::fmt::Write as _;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

use super::Web;
use super::fail::Fail;
use super::query::Filters;
use crate::model::{Change, Timestamp};

/// The `tag:` URI of a change (RFC 4151): stable across requests and restarts.
#[must_use]
pub(super) fn entry_id(change_id: i64) -> String {
    format!("tag:regwatch,2026:change/{change_id}")
}

fn fixed(t: Timestamp) -> FixedDateTime {
    t.utc().fixed_offset()
}

/// The address the visitor reached us at (`X-Forwarded-Proto` and `Host`, as a reverse proxy
/// sets them), for the absolute links a feed reader needs when `settings.public_url` is not set.
fn base_url(headers: &HeaderMap) -> String {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_graphic()))
    };
    let proto = match get("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    let host = get("x-forwarded-host")
        .or_else(|| get("host"))
        .unwrap_or("localhost");
    format!("{proto}://{host}")
}

/// The plain-text content of an entry: headline facts, each tag with its evidence, the link.
fn content_text(c: &Change) -> String {
    let mut o = format!(
        "{} · {} · +{} −{} blocks\n",
        c.severity.as_str().to_uppercase(),
        c.source_name,
        c.added,
        c.removed
    );
    for t in &c.tags {
        let (was, now) = crate::util::evidence_pair(&t.evidence.old, &t.evidence.new, 400);
        let _ = write!(o, "\n{} [{}]: {}\n", t.severity.as_str(), t.tag, t.summary);
        if !was.is_empty() {
            let _ = writeln!(o, "  was: {was}");
        }
        if !now.is_empty() {
            let _ = writeln!(o, "  now: {now}");
        }
    }
    let _ = write!(o, "\nSource: {}\n", c.url);
    o
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_string));
    l
}

fn entry(c: &Change, base: &str) -> Entry {
    let mut e = Entry::default();
    e.set_id(entry_id(c.id));
    e.set_title(Text::plain(match c.tags.first() {
        Some(t) => t.summary.clone(),
        None => format!("Change in {}", c.source_name),
    }));
    e.set_updated(fixed(c.detected_at));
    e.set_published(Some(fixed(c.detected_at)));
    e.set_links(vec![
        link(
            format!("{base}/changes/{}", c.id),
            "alternate",
            Some("text/html"),
        ),
        link(c.url.clone(), "related", None),
    ]);
    let mut content = Content::default();
    content.set_content_type(Some("text".to_string()));
    content.set_value(Some(content_text(c)));
    e.set_content(Some(content));
    e
}

/// Builds the feed's XML.
fn build(changes: &[Change], filters: &Filters, base: &str) -> Result<Vec<u8>, Fail> {
    let mut feed = Feed::default();
    let query = filters.query(1);
    feed.set_id(if query.is_empty() {
        "tag:regwatch,2026:feed".to_string()
    } else {
        format!("tag:regwatch,2026:feed?{query}")
    });
    feed.set_title(Text::plain(if query.is_empty() {
        "regwatch: changes".to_string()
    } else {
        format!("regwatch: changes ({query})")
    }));
    // RFC 4287 §4.1.1: a feed whose entries have no author must name one itself.
    feed.set_authors(vec![Person {
        name: "regwatch".to_string(),
        ..Person::default()
    }]);
    feed.set_updated(fixed(
        changes
            .first()
            .map_or_else(Timestamp::now, |c| c.detected_at),
    ));
    let self_href = if query.is_empty() {
        format!("{base}/feed.atom")
    } else {
        format!("{base}/feed.atom?{query}")
    };
    feed.set_links(vec![
        link(self_href, "self", Some("application/atom+xml")),
        link(format!("{base}/"), "alternate", Some("text/html")),
    ]);
    feed.set_entries(changes.iter().map(|c| entry(c, base)).collect::<Vec<_>>());
    feed.write_to(Vec::new())
        .map_err(|e| Fail::Internal(format!("cannot write the Atom feed: {e}")))
}

/// `/feed.atom`: the first page of changes matching the filters (`page` works too).
pub(super) async fn feed(State(web): State<Web>, uri: Uri, headers: HeaderMap) -> Response {
    let filters = match Filters::parse(uri.query()) {
        Ok(f) => f,
        Err(fail) => return fail.plain(),
    };
    // `settings.public_url` names the dashboard's address; only without it is the request's
    // own address (`Host`, `X-Forwarded-Proto`) taken.
    let base = web
        .config()
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| base_url(&headers));
    let result = web
        .read(move |store, config| {
            let list = filters.list(store, config)?;
            build(&list.changes, &filters, &base)
        })
        .await;
    match result {
        Ok(xml) => {
            let mut r = xml.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            );
            r
        }
        Err(fail) => fail.plain(),
    }
}
