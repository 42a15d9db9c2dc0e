//! The JSON API, `/api/v1/…`: the objects of the command line's `--json` (one serializer:
//! `serde` on the same types), in pages with a `next` link. Errors are `{"error": "..."}`
//! (404, 400); an unavailable database is a plain 503.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Value, json};

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

/// `/api/v1/changes`: `{"changes": [change…], "page": N, "next": "/api/v1/changes?…" | null}`.
pub(super) async fn changes(State(web): State<Web>, uri: Uri) -> Response {
    let filters = match Filters::parse(uri.query()) {
        Ok(f) => f,
        Err(fail) => return fail.json(),
    };
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
