//! The HTTP surface, one axum router: the dashboard pages (server-rendered, compile-time
//! templates in `templates/`, no JavaScript), the JSON API (`/api/v1/…`, the objects of the
//! command line's `--json`), the Atom feed, `/healthz` and `/metrics`. `regwatch run` serves it
//! beside the loop on `settings.listen`; `regwatch web` serves it alone from a database,
//! checking nothing. Every route only reads.
//!
//! Access (docs/ARCHITECTURE.md, "Web"): loopback by default; any other address needs
//! `REGWATCH_WEB_TOKEN`, and then every request must carry it ([`auth`]).

mod api;
mod auth;
mod fail;
mod feed;
mod health;
mod pages;
mod query;
mod source_page;
mod view;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use health::Metrics;

use crate::Error;
use crate::config::Config;
use crate::store::Store;
use fail::Fail;

/// Default address of `regwatch web` (the daemon's default is `daemon::DEFAULT_LISTEN`).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9185";
/// The environment variable holding the access token.
pub const TOKEN_ENV: &str = "REGWATCH_WEB_TOKEN";
/// Changes per page, on the dashboard, the API and the feed.
pub const PAGE_SIZE: usize = 50;

/// The policy every answer carries: no scripts, no inline styles, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'";

/// What the handlers share: the configuration (kept current by the daemon on reload), the
/// database file, the loop's counters (daemon only) and the access token.
#[derive(Clone)]
pub struct Web {
    config: watch::Receiver<Arc<Config>>,
    db: PathBuf,
    metrics: Option<Arc<Metrics>>,
    token: Option<auth::Token>,
}

impl Web {
    /// The surface over `config`'s database; `metrics` from the daemon's loop (`None` for
    /// `regwatch web`), `token` from [`token_from_env`].
    #[must_use]
    pub fn new(
        config: watch::Receiver<Arc<Config>>,
        metrics: Option<Arc<Metrics>>,
        token: Option<String>,
    ) -> Web {
        let db = config.borrow().settings.database.clone();
        Web {
            config,
            db,
            metrics,
            token: token.as_deref().map(auth::Token::new),
        }
    }

    /// The configuration now.
    fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.borrow())
    }

    /// Runs `f` on a fresh connection to the database, off the async threads. A database that
    /// cannot be opened (missing, locked past the busy timeout, unreadable) is a 503.
    async fn read<T, F>(&self, f: F) -> Result<T, Fail>
    where
        T: Send + 'static,
        F: FnOnce(&Store, &Config) -> Result<T, Fail> + Send + 'static,
    {
        let config = self.config();
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let store = Store::open_existing(&db)?;
            f(&store, &config)
        })
        .await
        .map_err(|e| Fail::Internal(format!("the request's task failed: {e}")))?
    }
}

/// The access token from [`TOKEN_ENV`]; an empty value counts as unset.
#[must_use]
pub fn token_from_env() -> Option<String> {
    std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty())
}

/// Binds `listen`. An address that is not loopback is refused unless a token is set.
///
/// # Errors
/// [`Error::Io`] when the address cannot be bound, [`Error::Usage`] for a non-loopback address
/// without a token.
pub async fn bind(listen: &str, token: Option<&str>) -> Result<TcpListener, Error> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| Error::Io {
            context: format!("cannot listen on {listen}"),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(Error::Usage(format!(
            "refusing to listen on {addr}: it is not a loopback address, and {TOKEN_ENV} is not set; \
             set {TOKEN_ENV} to a long random secret (every request must then carry it), or listen on 127.0.0.1"
        )));
    }
    Ok(listener)
}

/// The one router: pages, API, feed, health and metrics, behind the token check (when a token
/// is set) and with the security headers on every answer.
pub fn router(web: Web) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/changes/{id}", get(pages::change))
        .route("/sources", get(pages::sources))
        .route("/sources/{id}", get(source_page::source))
        .route("/outbox", get(pages::outbox))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/feed.atom", get(feed::feed))
        .route("/api/v1/changes", get(api::changes))
        .route("/api/v1/changes/{id}", get(api::change))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/sources/{id}/versions", get(api::versions))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(web.clone(), auth::require))
        .layer(middleware::from_fn(security_headers))
        .with_state(web)
}

/// Serves [`router`] on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    web: Web,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    if let Err(e) = axum::serve(listener, router(web))
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(error = %e, "the web server stopped");
    }
}

/// Unknown paths: a JSON 404 under `/api/`, a page elsewhere.
async fn fallback(request: Request) -> Response {
    let path = request.uri().path();
    let fail = Fail::NotFound(format!(
        "nothing at {}",
        crate::util::shorten(&crate::util::sanitize(path), 200)
    ));
    if path.starts_with("/api/") {
        fail.json()
    } else {
        fail.page()
    }
}

/// Adds the content security policy and its companions to every answer.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
