//! HTTP fetching: one reqwest client, conditional GET, a body cap enforced while streaming,
//! bounded redirects, and errors named the way an operator would say them.
//!
//! This stage knows nothing of SQLite or extraction: it turns a URL (and the validators of the last
//! response) into bytes plus the HTTP metadata the next stages need.

mod cause;
mod client;
pub mod robots;

use std::time::{Duration, Instant};

use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use crate::util::humanize;

pub use crate::model::Validators;

/// Most redirects followed before a fetch fails.
pub const MAX_REDIRECTS: usize = 10;

/// What one request answered: a final response, or a redirect for the caller to follow (so that
/// each hop can pass the robots.txt and per-host gates of its own host).
#[derive(Debug, Clone)]
pub enum Hop {
    /// A final answer: 2xx, 304 Not Modified, or another status below 400 that is not a
    /// redirect.
    Done(Fetched),
    /// A redirect (301, 302, 303, 307 or 308) to an http(s) URL.
    Redirect {
        /// The redirect's status.
        status: u16,
        /// Where it points, resolved against the URL asked for. Credentials of that URL are
        /// carried over only when the target has the same origin.
        to: url::Url,
    },
}

/// Why a fetch failed. The `Display` text is what `sources` shows as the last error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered with a status ≥ 400.
    #[error("HTTP {status} {reason}")]
    Status {
        /// Status code.
        status: u16,
        /// Canonical reason phrase.
        reason: String,
        /// Seconds the server asked us to wait (`Retry-After` on 429 and 503).
        retry_after: Option<u64>,
    },
    /// No complete answer within the timeout.
    #[error("timed out after {}", humanize(*.0))]
    Timeout(Duration),
    /// The body was larger than `max_body`.
    #[error("response body larger than the {limit}-byte limit (max_body)")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The connection could not be made (for a reason other than those below).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The host cannot be reached: its name does not resolve, it refuses the connection, or
    /// there is no route to it. See [`FetchError::is_unreachable`].
    #[error("{host} is unreachable ({reason})")]
    Unreachable {
        /// The host name (or address) of the URL.
        host: String,
        /// What failed, e.g. "connection refused" or "DNS lookup failed".
        reason: String,
    },
    /// The TLS handshake failed, most often because the server's certificate was refused; the
    /// text names the host and the reason, e.g. "TLS certificate of HOST is not valid: it has
    /// expired".
    #[error("{0}")]
    Tls(String),
    /// Too many redirects, or a redirect to a scheme other than http/https.
    #[error("redirect refused: {0}")]
    Redirect(String),
    /// The connection broke while the body was read (reset, truncated body, bad encoding).
    #[error("body incomplete: {0}")]
    Body(String),
    /// The client could not be built or the request could not be made.
    #[error("request failed: {0}")]
    Request(String),
}

impl FetchError {
    /// Whether the host could not be reached at all (DNS failure, connection refused, no
    /// route), as opposed to a server that answered badly: callers can then say
    /// "HOST is unreachable (connection refused)".
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        matches!(self, FetchError::Unreachable { .. })
    }
}

/// Makes ring the process's TLS crypto provider, once; later calls do nothing.
///
/// regwatch builds with one crypto backend (ring) and reqwest is built without a default
/// provider, so this runs before any HTTP client is built ([`Fetcher::new`] calls it). lettre
/// uses the same provider. If another provider was installed first, that one is kept.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An error means a provider is already installed, which is all that is needed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An HTTP client for sending rather than fetching (webhook deliveries), built like the
/// fetcher's: ring for TLS, the proxy variables with loopback kept direct, redirects never
/// followed, and `timeout` over the whole request.
///
/// # Errors
/// [`FetchError::Request`] when the TLS backend cannot start.
pub fn sending_client(user_agent: &str, timeout: Duration) -> Result<reqwest::Client, FetchError> {
    install_crypto_provider();
    client::build(
        &FetchOptions {
            user_agent: user_agent.to_string(),
            timeout,
            max_body: 0,
        },
        &[],
    )
}

/// What a successful fetch returns.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// HTTP status (200, or 304 when `not_modified`).
    pub status: u16,
    /// URL after redirects.
    pub final_url: String,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Validators for the next conditional GET.
    pub validators: Validators,
    /// The body (empty when `not_modified`).
    pub body: Vec<u8>,
    /// True when the server answered 304 Not Modified.
    pub not_modified: bool,
    /// Time from request to the end of the body.
    pub elapsed: Duration,
}

/// Settings of the HTTP client.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// `User-Agent` header.
    pub user_agent: String,
    /// Whole-request timeout, body included.
    pub timeout: Duration,
    /// Body cap in bytes.
    pub max_body: u64,
}

/// A shareable HTTP client (cheap to clone).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    opts: FetchOptions,
}

impl Fetcher {
    /// Builds the client.
    ///
    /// # Errors
    /// [`FetchError::Request`] when the TLS backend cannot start.
    pub fn new(opts: FetchOptions) -> Result<Fetcher, FetchError> {
        install_crypto_provider();
        let client = client::build(&opts, &[])?;
        Ok(Fetcher { client, opts })
    }

    /// A client with the same options that also trusts these certificates (DER), for a source
    /// with a `ca_file` (a corporate TLS-inspection proxy's authority, say).
    ///
    /// # Errors
    /// [`FetchError::Request`] when a certificate cannot be used.
    pub fn with_roots(&self, certificates: &[Vec<u8>]) -> Result<Fetcher, FetchError> {
        let client = client::build(&self.opts, certificates)?;
        Ok(Fetcher {
            client,
            opts: self.opts.clone(),
        })
    }

    /// The options this client was built with.
    #[must_use]
    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// Fetches `url`, sending `validators` for a conditional GET, and follows up to
    /// [`MAX_REDIRECTS`] redirects itself, all within one `timeout` (for robots.txt files and
    /// tools; page fetches follow redirects through their gates with [`Fetcher::fetch_hop`]).
    /// Validators go with the first request only.
    ///
    /// # Errors
    /// A [`FetchError`] naming what went wrong; never a partial body.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let none = Validators::default();
        let mut current = url.to_string();
        for hop in 0..=MAX_REDIRECTS {
            let budget = self.opts.timeout.saturating_sub(started.elapsed());
            let sent = if hop == 0 { validators } else { &none };
            match self.fetch_hop(&current, sent, budget).await? {
                Hop::Done(mut f) => {
                    f.elapsed = started.elapsed();
                    return Ok(f);
                }
                Hop::Redirect { to, .. } => current = to.into(),
            }
        }
        Err(too_many_redirects(&current))
    }

    /// One request, no redirect followed: the answer, or where a redirect points. `budget` is
    /// what is left of the whole fetch's `timeout` (at most the timeout).
    ///
    /// # Errors
    /// A [`FetchError`] naming what went wrong; never a partial body. A redirect without a
    /// usable `Location`, or to a scheme other than http/https, is [`FetchError::Redirect`].
    pub async fn fetch_hop(
        &self,
        url: &str,
        validators: &Validators,
        budget: Duration,
    ) -> Result<Hop, FetchError> {
        self.fetch_hop_with(url, validators, budget, &HeaderMap::new())
            .await
    }

    /// [`Fetcher::fetch_hop`] sending `headers` too (a source's configured headers; mark
    /// secret values sensitive, so that no debug output shows them).
    ///
    /// # Errors
    /// As [`Fetcher::fetch_hop`].
    pub async fn fetch_hop_with(
        &self,
        url: &str,
        validators: &Validators,
        budget: Duration,
        headers: &HeaderMap,
    ) -> Result<Hop, FetchError> {
        let timeout = self.opts.timeout;
        let budget = budget.min(timeout);
        if budget.is_zero() {
            return Err(FetchError::Timeout(timeout));
        }
        // The client's own timeout covers the body too; this outer one is a backstop so that no
        // server, however it misbehaves, can hold a check beyond its timeout.
        match tokio::time::timeout(
            budget + Duration::from_millis(250),
            self.fetch_inner(url, validators, budget, headers),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(FetchError::Timeout(timeout)),
        }
    }

    async fn fetch_inner(
        &self,
        url: &str,
        validators: &Validators,
        budget: Duration,
        headers: &HeaderMap,
    ) -> Result<Hop, FetchError> {
        let started = Instant::now();
        let mut req = self.client.get(url).timeout(budget);
        for (name, value) in headers {
            req = req.header(name, value.clone());
        }
        if let Some(etag) = &validators.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let mut resp = req.send().await.map_err(|e| self.classify(&e))?;
        let status = resp.status();
        let final_url = resp.url().to_string();
        let headers = resp.headers().clone();
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let to = redirect_target(url, header(&headers, reqwest::header::LOCATION))?;
            return Ok(Hop::Redirect {
                status: status.as_u16(),
                to,
            });
        }
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Hop::Done(Fetched {
                status: 304,
                final_url,
                content_type: header(&headers, CONTENT_TYPE),
                validators: merge_validators(&headers, validators),
                body: Vec::new(),
                not_modified: true,
                elapsed: started.elapsed(),
            }));
        }
        if status.as_u16() >= 400 {
            return Err(FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
                retry_after: header(&headers, reqwest::header::RETRY_AFTER)
                    .and_then(|v| retry_after_secs(&v)),
            });
        }
        let limit = self.opts.max_body;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::TooLarge { limit });
        }
        let mut body = Vec::with_capacity(
            usize::try_from(resp.content_length().unwrap_or(64 * 1024).min(limit)).unwrap_or(0),
        );
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(&e))? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Hop::Done(Fetched {
            status: status.as_u16(),
            final_url,
            content_type: header(&headers, CONTENT_TYPE),
            validators: Validators {
                etag: header(&headers, ETAG),
                last_modified: header(&headers, LAST_MODIFIED),
            },
            body,
            not_modified: false,
            elapsed: started.elapsed(),
        }))
    }

    fn classify(&self, e: &reqwest::Error) -> FetchError {
        let text = chain(e);
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the server")
            .to_string();
        if e.is_timeout() {
            FetchError::Timeout(self.opts.timeout)
        } else if e.is_redirect() {
            FetchError::Redirect(text)
        } else if let Some(tls) = cause::tls_problem(e, &host) {
            FetchError::Tls(tls)
        } else if e.is_connect() {
            match cause::unreachable_reason(e) {
                Some(reason) => FetchError::Unreachable {
                    host,
                    reason: reason.to_string(),
                },
                None => FetchError::Connect(text),
            }
        } else if e.is_body() || e.is_decode() {
            FetchError::Body(text)
        } else {
            FetchError::Request(text)
        }
    }
}

/// The error of a fetch that was still redirected after [`MAX_REDIRECTS`] hops; `last` is
/// where the last one pointed (shown without its password).
#[must_use]
pub fn too_many_redirects(last: &str) -> FetchError {
    FetchError::Redirect(format!(
        "more than {MAX_REDIRECTS} redirects (the last to {})",
        crate::util::redact_url(last)
    ))
}

/// Where a redirect from `from` points: its `Location` resolved against `from`, http or https
/// only. The user name and password of `from` go along only to the same origin.
fn redirect_target(from: &str, location: Option<String>) -> Result<url::Url, FetchError> {
    let base = url::Url::parse(from)
        .map_err(|e| FetchError::Redirect(format!("cannot read the URL redirected from: {e}")))?;
    let Some(location) = location else {
        return Err(FetchError::Redirect(
            "the server answered with a redirect but no Location".into(),
        ));
    };
    let mut to = base.join(&location).map_err(|e| {
        FetchError::Redirect(format!(
            "invalid Location \"{}\": {e}",
            crate::util::shorten(&crate::util::redact_url(&location), 200)
        ))
    })?;
    if !matches!(to.scheme(), "http" | "https") {
        return Err(FetchError::Redirect(format!(
            "redirect to a {}: URL",
            to.scheme()
        )));
    }
    let has_credentials = |u: &url::Url| !u.username().is_empty() || u.password().is_some();
    if has_credentials(&base) && !has_credentials(&to) && base.origin() == to.origin() {
        // Both setters fail only for URLs that cannot carry credentials (no host): not http(s).
        let _ = to.set_username(base.username());
        let _ = to.set_password(base.password());
    }
    Ok(to)
}

/// `Retry-After` as seconds: a number of seconds, or an HTTP date.
#[must_use]
pub fn retry_after_secs(v: &str) -> Option<u64> {
    let v = v.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs.max(0)).unwrap_or(0))
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A 304 may omit validators; keep the old ones then.
fn merge_validators(h: &HeaderMap, old: &Validators) -> Validators {
    Validators {
        etag: header(h, ETAG).or_else(|| old.etag.clone()),
        last_modified: header(h, LAST_MODIFIED).or_else(|| old.last_modified.clone()),
    }
}

/// The error and its causes on one line, without repeating the URL reqwest puts first.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        let s = match s.find(" for url (") {
            Some(i) => s[..i].to_string(),
            None => s,
        };
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    crate::util::redact_urls(&parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanize_reads_like_config() {
        assert_eq!(humanize(Duration::from_secs(30)), "30s");
        assert_eq!(humanize(Duration::from_millis(1500)), "1.5s");
        assert_eq!(humanize(Duration::from_millis(200)), "200ms");
        assert_eq!(
            FetchError::Timeout(Duration::from_secs(30)).to_string(),
            "timed out after 30s"
        );
        assert_eq!(
            FetchError::Status {
                status: 500,
                reason: "Internal Server Error".into(),
                retry_after: None,
            }
            .to_string(),
            "HTTP 500 Internal Server Error"
        );
    }

    #[test]
    fn redirect_targets_are_resolved_http_only_and_keep_credentials_on_their_origin() {
        let to = |from: &str, loc: &str| redirect_target(from, Some(loc.to_string()));
        assert_eq!(
            to("http://a.eu/x/y", "../z?q=1").unwrap().as_str(),
            "http://a.eu/z?q=1"
        );
        assert_eq!(
            to("http://u:p@a.eu/x", "/y").unwrap().as_str(),
            "http://u:p@a.eu/y"
        );
        assert_eq!(
            to("http://u:p@a.eu/x", "http://b.eu/y").unwrap().as_str(),
            "http://b.eu/y",
            "no credentials for another host"
        );
        assert_eq!(
            to("http://u:p@a.eu/x", "https://a.eu/y").unwrap().as_str(),
            "https://a.eu/y",
            "nor for another scheme"
        );
        let err = to("http://a.eu/x", "ftp://a.eu/rules.txt").unwrap_err();
        assert_eq!(err.to_string(), "redirect refused: redirect to a ftp: URL");
        let err = redirect_target("http://a.eu/x", None).unwrap_err();
        assert!(err.to_string().contains("no Location"), "{err}");
        assert_eq!(
            too_many_redirects("http://u:p@a.eu/loop").to_string(),
            "redirect refused: more than 10 redirects (the last to http://u:***@a.eu/loop)"
        );
    }
}
