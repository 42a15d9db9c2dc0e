//! `/sources/{id}`: a source's health, its versions (time, size, hash), a comparison of any
//! two of them (`?from=&to=`, version numbers as `regwatch versions` prints them) and its feed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use url::form_urlencoded;

use super::Web;
use super::fail::Fail;
use super::pages::{VersionRow, health_rows};
use super::view::{DiffView, html, time};
use crate::store::StoredVersion;

/// The page.
#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    title: String,
    id: String,
    name: String,
    url: String,
    failure_streak: i64,
    last_error: String,
    versions: Vec<VersionRow>,
    from: i64,
    to: i64,
    compared: Option<Compared>,
    feed: String,
}

/// Two versions compared.
struct Compared {
    from: i64,
    to: i64,
    stored: Option<i64>,
    when: String,
    diff: DiffView,
}

/// The `from` and `to` of the query (absent, or version numbers as text).
fn wanted(query: Option<&str>) -> (Option<String>, Option<String>) {
    let (mut from, mut to) = (None, None);
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "from" => from = Some(v),
            "to" => to = Some(v),
            _ => {}
        }
    }
    (from, to)
}

/// The version numbered `text` of `list`, or a 400 naming the numbers that exist.
fn pick<'a>(list: &'a [StoredVersion], what: &str, text: &str) -> Result<&'a StoredVersion, Fail> {
    text.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| list.get(i))
        .ok_or_else(|| {
            Fail::BadRequest(format!(
                "{what}: expected a version number from 1 to {}, got \"{}\"",
                list.len(),
                crate::util::shorten(text, 40)
            ))
        })
}

/// The two versions to compare: both given, or one and its neighbour; none when neither is.
fn chosen<'a>(
    list: &'a [StoredVersion],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<(&'a StoredVersion, &'a StoredVersion)>, Fail> {
    let pair = match (from, to) {
        (None, None) => return Ok(None),
        (Some(f), Some(t)) => (pick(list, "from", f)?, pick(list, "to", t)?),
        (Some(f), None) => {
            let older = pick(list, "from", f)?;
            let newer = list.last().unwrap_or(older);
            (older, newer)
        }
        (None, Some(t)) => {
            let newer = pick(list, "to", t)?;
            let older = pick(list, "from", &(newer.version - 1).max(1).to_string())?;
            (older, newer)
        }
    };
    Ok(Some(pair))
}

/// `/sources/{id}`.
pub(super) async fn source(State(web): State<Web>, Path(id): Path<String>, uri: Uri) -> Response {
    let (from, to) = wanted(uri.query());
    let result = web
        .read(move |store, config| {
            let tz = config.settings.timezone;
            let health = health_rows(store, config)?
                .into_iter()
                .find(|h| h.id == id)
                .ok_or_else(|| {
                    Fail::NotFound(format!(
                        "no source with id \"{}\"",
                        crate::util::shorten(&id, 80)
                    ))
                })?;
            let list = store.versions(&id)?;
            let compared = match chosen(&list, from.as_deref(), to.as_deref())? {
                None => None,
                Some((older, newer)) => {
                    let d = crate::pipeline::version_diff(config, store, older, newer)?;
                    Some(Compared {
                        from: d.from,
                        to: d.to,
                        stored: d.stored.then_some(d.change.id),
                        when: time(newer.first_seen, tz),
                        diff: DiffView::of(&d.change),
                    })
                }
            };
            let last = i64::try_from(list.len()).unwrap_or(0);
            let feed = format!(
                "/feed.atom?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("source", &id)
                    .finish()
            );
            Ok(SourcePage {
                title: format!("Source {}", health.name),
                name: health.name,
                url: health.url,
                failure_streak: health.failure_streak,
                last_error: health.last_error.unwrap_or_default(),
                versions: list.iter().rev().map(|v| VersionRow::of(v, tz)).collect(),
                from: compared.as_ref().map_or((last - 1).max(1), |c| c.from),
                to: compared.as_ref().map_or(last, |c| c.to),
                compared,
                feed,
                id,
            })
        })
        .await;
    match result {
        Ok(page) => match page.render() {
            Ok(body) => html(body),
            Err(e) => Fail::Internal(format!("cannot render a page: {e}")).plain(),
        },
        Err(fail) => fail.page(),
    }
}
