//! Why a request failed, and how each surface says it: a page, `{"error": "..."}` on the API,
//! plain text for the database being unavailable (whatever surface asked).

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// A failed request.
#[derive(Debug)]
pub(super) enum Fail {
    /// No such change, source or page (404).
    NotFound(String),
    /// A filter or parameter with a bad value, saying what was expected (400).
    BadRequest(String),
    /// The database is missing, locked or unreadable (503).
    Unavailable,
    /// A bug or an encoding failure (500).
    Internal(String),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        match e {
            StoreError::NotFound(m) => Fail::NotFound(m),
            e => {
                // The detail (path, SQLite's words) goes to the log, not to the visitor.
                tracing::warn!(error = %crate::util::sanitize(&e.to_string()), "web: database unavailable");
                Fail::Unavailable
            }
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl Fail {
    fn status(&self) -> StatusCode {
        match self {
            Fail::NotFound(_) => StatusCode::NOT_FOUND,
            Fail::BadRequest(_) => StatusCode::BAD_REQUEST,
            Fail::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Fail::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> &str {
        match self {
            Fail::NotFound(m) | Fail::BadRequest(m) | Fail::Internal(m) => m,
            Fail::Unavailable => {
                "the database is unavailable (missing, locked or unreadable); try again shortly"
            }
        }
    }

    /// Plain text, for the feed and for failures no page can help with.
    pub(super) fn plain(&self) -> Response {
        if let Fail::Internal(m) = self {
            tracing::error!(error = %m, "web: internal error");
        }
        let mut r = (self.status(), format!("{}\n", self.message())).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }

    /// An HTML page for 404 and 400; plain text otherwise.
    pub(super) fn page(&self) -> Response {
        let title = match self {
            Fail::NotFound(_) => "Not found",
            Fail::BadRequest(_) => "Bad request",
            _ => return self.plain(),
        };
        let page = ErrorPage {
            title,
            message: self.message(),
        };
        match page.render() {
            Ok(html) => (self.status(), super::view::html(html)).into_response(),
            Err(e) => Fail::Internal(format!("cannot render the error page: {e}")).plain(),
        }
    }

    /// `{"error": "..."}` for 404 and 400; plain text otherwise.
    pub(super) fn json(&self) -> Response {
        match self {
            Fail::NotFound(_) | Fail::BadRequest(_) => {
                let body = serde_json::json!({ "error": self.message() });
                (self.status(), super::view::json_body(&body)).into_response()
            }
            _ => self.plain(),
        }
    }
}
