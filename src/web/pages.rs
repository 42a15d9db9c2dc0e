//! The dashboard pages: `/` (changes with filters), `/changes/{id}`, `/sources`,
//! `/sources/{id}` (versions and a comparison of any two) and `/outbox`. Templates are in
//! `templates/` and checked at compile time; they escape every value.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

use super::Web;
use super::fail::Fail;
use super::query::{Filters, known_sources, known_tags};
use super::view::{ChangeRow, DiffView, html, interval, time, time_or_dash};
use crate::config::Config;
use crate::model::{OutboxState, Severity};
use crate::store::{SourceHealth, Store, StoredVersion};

/// The stylesheet: no inline styles anywhere (the CSP allows none).
const STYLE: &str = include_str!("../../static/style.css");

/// Renders a template into a page, or a plain 500.
fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => html(body),
        Err(e) => Fail::Internal(format!("cannot render a page: {e}")).plain(),
    }
}

/// Reads with the web's store and renders, or renders the failure as a page.
async fn page<T, F>(web: &Web, f: F) -> Response
where
    T: Template + Send + 'static,
    F: FnOnce(&Store, &Config) -> Result<T, Fail> + Send + 'static,
{
    match web.read(f).await {
        Ok(t) => render(&t),
        Err(fail) => fail.page(),
    }
}

/// `/static/style.css`.
pub(super) async fn stylesheet() -> Response {
    let mut r = STYLE.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// `/`: the changes, newest first, filtered, 50 per page.
#[derive(Template)]
#[template(path = "index.html")]
struct Index {
    title: String,
    rows: Vec<ChangeRow>,
    severities: Vec<&'static str>,
    severity: String,
    tags: Vec<String>,
    tag: String,
    sources: Vec<String>,
    source: String,
    since: String,
    q: String,
    page: usize,
    newer: Option<String>,
    older: Option<String>,
    feed: String,
}

pub(super) async fn index(State(web): State<Web>, uri: Uri) -> Response {
    let filters = match Filters::parse(uri.query()) {
        Ok(f) => f,
        Err(fail) => return fail.page(),
    };
    page(&web, move |store, config| {
        let list = filters.list(store, config)?;
        let tz = config.settings.timezone;
        let link = |page: usize| {
            let q = filters.query(page);
            if q.is_empty() {
                "/".to_string()
            } else {
                format!("/?{q}")
            }
        };
        let feed_query = filters.query(1);
        Ok(Index {
            title: "Changes".into(),
            rows: list.changes.iter().map(|c| ChangeRow::of(c, tz)).collect(),
            severities: Severity::ALL.iter().map(|s| s.as_str()).collect(),
            severity: filters.severity.map(Severity::as_str).unwrap_or("").into(),
            tags: known_tags(store, config)?,
            tag: filters.tag.clone().unwrap_or_default(),
            sources: known_sources(store, config)?,
            source: filters.source.clone().unwrap_or_default(),
            since: filters
                .since
                .as_ref()
                .map(|(s, _)| s.clone())
                .unwrap_or_default(),
            q: filters.q.clone().unwrap_or_default(),
            page: filters.page,
            newer: (filters.page > 1).then(|| link(filters.page - 1)),
            older: list.more.then(|| link(filters.page + 1)),
            feed: if feed_query.is_empty() {
                "/feed.atom".into()
            } else {
                format!("/feed.atom?{feed_query}")
            },
        })
    })
    .await
}

/// `/changes/{id}`: one change in full.
#[derive(Template)]
#[template(path = "change.html")]
struct ChangePage {
    title: String,
    id: i64,
    source: String,
    source_name: String,
    url: String,
    when: String,
    diff: DiffView,
    previous: Option<i64>,
    next: Option<i64>,
}

/// A path id as a number; anything else names nothing (404).
pub(super) fn parse_id(id: &str, what: &str) -> Result<i64, Fail> {
    id.parse::<i64>().map_err(|_| {
        Fail::NotFound(format!(
            "no {what} with id \"{}\"",
            crate::util::shorten(&crate::util::sanitize(id), 60)
        ))
    })
}

pub(super) async fn change(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "change") {
        Ok(id) => id,
        Err(fail) => return fail.page(),
    };
    page(&web, move |store, config| {
        let c = store
            .change(id)?
            .ok_or_else(|| Fail::NotFound(format!("no change with id {id}")))?;
        let (previous, next) = store.neighbours(&c)?;
        Ok(ChangePage {
            title: format!("Change {id}: {}", c.headline()),
            id,
            source: c.source.clone(),
            source_name: c.source_name.clone(),
            url: c.url.clone(),
            when: time(c.detected_at, config.settings.timezone),
            diff: DiffView::of(&c),
            previous,
            next,
        })
    })
    .await
}

/// A source's health as shown, with its kind and interval from the configuration.
struct SourceRow {
    id: String,
    name: String,
    url: String,
    kind: String,
    interval: String,
    last_check: String,
    next_check: String,
    last_change: String,
    failure_streak: i64,
    last_error: String,
    versions: i64,
    changes: i64,
}

impl SourceRow {
    fn of(h: &SourceHealth, config: &Config) -> SourceRow {
        let tz = config.settings.timezone;
        let configured = config.source(&h.id);
        SourceRow {
            id: h.id.clone(),
            name: h.name.clone(),
            url: h.url.clone(),
            kind: configured.map_or("(not configured)".into(), |s| s.kind.as_str().into()),
            interval: configured.map_or("—".into(), |s| interval(s.interval)),
            last_check: time_or_dash(h.last_check, tz),
            next_check: match (h.next_check, configured) {
                (Some(t), _) => time(t, tz),
                (None, Some(_)) => "at the next run".into(),
                (None, None) => "—".into(),
            },
            last_change: time_or_dash(h.last_change, tz),
            failure_streak: h.failure_streak,
            last_error: h.last_error.clone().unwrap_or_default(),
            versions: h.snapshots,
            changes: h.changes,
        }
    }
}

/// Every source's health: the database's rows, and configured sources not yet checked.
pub(super) fn health_rows(store: &Store, config: &Config) -> Result<Vec<SourceHealth>, Fail> {
    let mut rows = store.source_health()?;
    for s in &config.sources {
        if !rows.iter().any(|h| h.id == s.id) {
            rows.push(SourceHealth {
                id: s.id.clone(),
                name: s.name.clone(),
                url: crate::util::redact_url(&s.url),
                last_check: None,
                last_success: None,
                last_change: None,
                failure_streak: 0,
                failing_since: None,
                last_error: None,
                next_check: None,
                snapshots: 0,
                changes: 0,
            });
        }
    }
    Ok(rows)
}

/// `/sources`.
#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    title: String,
    rows: Vec<SourceRow>,
}

pub(super) async fn sources(State(web): State<Web>) -> Response {
    page(&web, |store, config| {
        let rows = health_rows(store, config)?;
        Ok(SourcesPage {
            title: "Sources".into(),
            rows: rows.iter().map(|h| SourceRow::of(h, config)).collect(),
        })
    })
    .await
}

/// `/outbox`: messages grouped by state.
#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    title: String,
    groups: Vec<(&'static str, Vec<MessageRow>)>,
}

struct MessageRow {
    id: i64,
    kind: &'static str,
    recipient: String,
    subject: String,
    change: Option<i64>,
    attempts: i64,
    created: String,
    when: String,
    last_error: String,
}

pub(super) async fn outbox(State(web): State<Web>) -> Response {
    page(&web, |store, config| {
        let tz = config.settings.timezone;
        let rows = store.outbox()?;
        let groups = OutboxState::ALL
            .iter()
            .map(|state| {
                let list = rows
                    .iter()
                    .filter(|r| r.state == *state)
                    .map(|r| MessageRow {
                        id: r.id,
                        kind: r.kind.as_str(),
                        recipient: r.recipient.clone(),
                        subject: r.subject.clone(),
                        change: r.change_id,
                        attempts: r.attempts,
                        created: time(r.created_at, tz),
                        when: match (r.sent_at, *state) {
                            (Some(t), _) => format!("sent {}", time(t, tz)),
                            (None, OutboxState::Pending) => {
                                format!("next attempt {}", time(r.next_attempt_at, tz))
                            }
                            _ => String::new(),
                        },
                        last_error: r.last_error.clone().unwrap_or_default(),
                    })
                    .collect();
                (state.as_str(), list)
            })
            .collect();
        Ok(OutboxPage {
            title: "Outbox".into(),
            groups,
        })
    })
    .await
}

/// The versions of a source as a page shows them.
pub(super) struct VersionRow {
    pub number: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub size: i64,
    pub sha256: String,
    pub change: Option<i64>,
    pub note: &'static str,
}

impl VersionRow {
    pub(super) fn of(v: &StoredVersion, tz: chrono_tz::Tz) -> VersionRow {
        VersionRow {
            number: v.version,
            first_seen: time(v.first_seen, tz),
            last_seen: time(v.last_seen, tz),
            size: v.size,
            sha256: v.sha256.clone(),
            change: v.change,
            note: match (v.accepted.as_deref(), v.baseline) {
                (Some(_), _) => "accepted",
                (None, true) => "baseline",
                (None, false) => "",
            },
        }
    }
}
