//! The JSON API, `/api/v1/…`: the objects of the command line's `--json` (one serializer:
//! `serde` on the same types), in pages with a `next` link. Errors are `{"error": "..."}`
//! (404, 400); an unavailable database is a plain 503.
//!
//! `/api/v1/changes?limit=all` answers the whole filtered list in the same object (`page` 1,
//! `next` null), streamed: a blocking task reads the changes in keyset batches of
//! [`STREAM_BATCH`] and sends each batch's JSON through a channel of [`STREAM_QUEUE`] batches
//! to the response body, so memory stays bounded by the batches in flight, not the list
//! (docs/ARCHITECTURE.md, "Web").

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use url::form_urlencoded;

use super::Web;
use super::fail::Fail;
use super::pages::{health_rows, parse_id};
use super::query::Filters;
use super::view::json_body;

/// Encodes a value, or fails with a 500.
fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Fail> {
    serde_json::to_value(v).map_err(|e| Fail::Internal(format!("cannot encode JSON: {e}")))
}

/// Answers with the JSON `f` builds, or its failure as JSON.
async fn answer<F>(web: &Web, f: F) -> Response
where
    F: FnOnce(&crate::store::Store, &crate::config::Config) -> Result<Value, Fail> + Send + 'static,
{
    match web.read(f).await {
        Ok(v) => json_body(&v),
        Err(fail) => fail.json(),
    }
}

/// Changes read per batch while streaming (one keyset query each).
pub(super) const STREAM_BATCH: usize = 200;
/// Batches queued between the reader and the socket: a slow client holds the reader back
/// after this many.
pub(super) const STREAM_QUEUE: usize = 4;

/// Whether the query asks for the whole list (`limit=all`); any other `limit` is refused.
fn wants_all(query: Option<&str>) -> Result<bool, Fail> {
    let mut all = false;
    let mut paged = false;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match (key.as_ref(), value.trim()) {
            ("limit", "") => {}
            ("limit", "all") => all = true,
            ("limit", other) => {
                return Err(Fail::BadRequest(format!(
                    "limit: expected \"all\" (the whole list, streamed; pages hold {}), got \"{}\"",
                    super::PAGE_SIZE,
                    crate::util::shorten(&crate::util::sanitize(other), 40)
                )));
            }
            ("page", v) if !v.is_empty() => paged = true,
            _ => {}
        }
    }
    if all && paged {
        return Err(Fail::BadRequest(
            "page: not with limit=all, which answers the whole list".into(),
        ));
    }
    Ok(all)
}

/// `/api/v1/changes`: `{"changes": [change…], "page": N, "next": "/api/v1/changes?…" | null}`;
/// with `limit=all`, every matching change, streamed, in the same object.
pub(super) async fn changes(State(web): State<Web>, uri: Uri) -> Response {
    let filters = match Filters::parse(uri.query()) {
        Ok(f) => f,
        Err(fail) => return fail.json(),
    };
    match wants_all(uri.query()) {
        Ok(true) => return stream_all(web, filters).await,
        Ok(false) => {}
        Err(fail) => return fail.json(),
    }
    answer(&web, move |store, config| {
        let list = filters.list(store, config)?;
        let next = list
            .more
            .then(|| format!("/api/v1/changes?{}", filters.query(filters.page + 1)));
        Ok(json!({
            "changes": to_value(&list.changes)?,
            "page": filters.page,
            "next": next,
        }))
    })
    .await
}

/// `/api/v1/changes/{id}`: the change object of `regwatch show --json`.
pub(super) async fn change(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "change") {
        Ok(id) => id,
        Err(fail) => return fail.json(),
    };
    answer(&web, move |store, _| {
        let c = store
            .change(id)?
            .ok_or_else(|| Fail::NotFound(format!("no change with id {id}")))?;
        to_value(&c)
    })
    .await
}

/// `/api/v1/sources`: `{"sources": [source health…]}`, the objects of `regwatch sources --json`.
pub(super) async fn sources(State(web): State<Web>) -> Response {
    answer(&web, |store, config| {
        Ok(json!({ "sources": to_value(&health_rows(store, config)?)? }))
    })
    .await
}

/// `/api/v1/sources/{id}/versions`: `{"source": id, "versions": [version…]}`, the objects of
/// `regwatch versions --json`, oldest first.
pub(super) async fn versions(State(web): State<Web>, Path(id): Path<String>) -> Response {
    answer(&web, move |store, config| {
        if !health_rows(store, config)?.iter().any(|h| h.id == id) {
            return Err(Fail::NotFound(format!(
                "no source with id \"{}\"",
                crate::util::shorten(&id, 80)
            )));
        }
        let list = store.versions(&id)?;
        Ok(json!({ "source": id, "versions": to_value(&list)? }))
    })
    .await
}

/// The whole list as one JSON object, streamed (see the module's documentation). The filters
/// are checked before the first byte, so a bad one is still a 400; a failure after it ends the
/// body early (the client sees a truncated answer, never a complete-looking one).
async fn stream_all(web: Web, filters: Filters) -> Response {
    let checked = filters.clone();
    if let Err(fail) = web
        .read(move |store, config| checked.check_known(store, config))
        .await
    {
        return fail.json();
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(STREAM_QUEUE);
    let db = web.db.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write_all(&db, &filters, &tx) {
            tracing::error!(error = %e, "the streamed list of changes stopped");
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Reads every matching change in keyset batches and sends the JSON as it goes. A client that
/// went away (the channel closed) stops the reading, quietly.
fn write_all(
    db: &std::path::Path,
    filters: &Filters,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), String> {
    let store = crate::store::Store::open_existing(db).map_err(|e| e.to_string())?;
    let mut filter = filters.change_filter();
    filter.limit = Some(STREAM_BATCH);
    let mut buf = b"{\"changes\":[".to_vec();
    let mut first = true;
    loop {
        let batch = store.changes(&filter).map_err(|e| e.to_string())?;
        for c in &batch {
            if !first {
                buf.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut buf, c).map_err(|e| format!("cannot encode JSON: {e}"))?;
        }
        let Some(last) = batch.last().filter(|_| batch.len() == STREAM_BATCH) else {
            break;
        };
        filter.after = Some((last.detected_at, last.id));
        if tx
            .blocking_send(Ok(Bytes::from(std::mem::take(&mut buf))))
            .is_err()
        {
            return Ok(());
        }
    }
    buf.extend_from_slice(b"],\"page\":1,\"next\":null}");
    let _ = tx.blocking_send(Ok(Bytes::from(buf)));
    Ok(())
}
