//! A tiny HTTP/1.1 server for pages held in memory, bound to 127.0.0.1.
//!
//! The demo serves its bundled pages with it, and the tests and benchmarks use it as the "website"
//! regwatch watches. It answers one request per connection (`Connection: close`), can delay or
//! misbehave on purpose, honours `If-None-Match` for pages that carry an ETag, and records every
//! request so that tests can look at the headers regwatch sent.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head read (the server only needs the request line and a few headers).
const MAX_HEAD: usize = 64 * 1024;

/// How a page misbehaves, for failure tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behavior {
    /// A normal response.
    #[default]
    Normal,
    /// Announce the full `Content-Length`, send half the body, close.
    Truncate,
    /// Close the connection without answering.
    Reset,
    /// Send this many bytes of HTML-looking filler without a `Content-Length` (the body ends
    /// when the connection closes), generated on the fly: a huge body that costs the server no
    /// memory.
    Stream(u64),
}

/// One page to serve.
#[derive(Debug, Clone)]
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: String,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Send a strong `ETag` (hash of the body) and answer 304 to a matching `If-None-Match`.
    pub etag: bool,
    /// Misbehaviour.
    pub behavior: Behavior,
    /// Replace [`STAMP`] in the body with a value unique to each response, as pages that print
    /// "generated at …" do (so no two responses are byte-identical).
    pub stamp: bool,
    /// Answer `401 Unauthorized` unless the request carries this header (name, value), as an
    /// API that wants a key does.
    pub require_header: Option<(String, String)>,
}

/// The placeholder replaced when [`Page::stamp`] is set.
pub const STAMP: &str = "{{NOW}}";

impl Page {
    /// A 200 `text/html; charset=utf-8` page.
    #[must_use]
    pub fn html(body: impl Into<String>) -> Page {
        Page {
            status: 200,
            content_type: "text/html; charset=utf-8".into(),
            body: body.into().into_bytes(),
            headers: Vec::new(),
            delay: None,
            etag: false,
            behavior: Behavior::Normal,
            stamp: false,
            require_header: None,
        }
    }

    /// A `302 Found` redirect to `location` (absolute, or relative to the page).
    #[must_use]
    pub fn redirect(location: &str) -> Page {
        let mut page = Page::status(302);
        page.headers.push(("Location".into(), location.into()));
        page
    }

    /// A page with this status and a short text body.
    #[must_use]
    pub fn status(status: u16) -> Page {
        Page {
            status,
            content_type: "text/plain".into(),
            body: format!("status {status}").into_bytes(),
            ..Page::html("")
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// Path (with query).
    pub path: String,
    /// Headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// When the request arrived.
    pub at: std::time::Instant,
}

#[derive(Default)]
struct Shared {
    pages: HashMap<String, Page>,
    seen: Vec<SeenRequest>,
    served: u64,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    max_in_flight: usize,
}

/// A running server. Dropping it stops the server.
pub struct PageServer {
    addr: SocketAddr,
    shared: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The server's state, and a condition variable signalled at every request.
#[derive(Default)]
struct State {
    inner: Mutex<Shared>,
    request_seen: std::sync::Condvar,
}

fn lock(m: &State) -> std::sync::MutexGuard<'_, Shared> {
    m.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PageServer {
    /// Starts the server on 127.0.0.1 (a free port) inside the current tokio runtime.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start() -> std::io::Result<PageServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(State::default());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(PageServer {
            addr,
            shared,
            stop: Some(stop),
            thread: None,
        })
    }

    /// Starts the server on its own thread (for synchronous tests that run the real binary).
    ///
    /// # Errors
    /// When the runtime cannot start or the port cannot be bound.
    pub fn start_in_thread() -> std::io::Result<PageServer> {
        Self::start_in_thread_at("127.0.0.1")
    }

    /// Like [`start_in_thread`](Self::start_in_thread), on another loopback address
    /// (`127.0.0.2` …), so that tests can have several hosts.
    ///
    /// # Errors
    /// When the runtime cannot start or the address cannot be bound.
    pub fn start_in_thread_at(ip: &str) -> std::io::Result<PageServer> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let std_listener = std::net::TcpListener::bind((ip, 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let shared = Arc::new(State::default());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task_shared = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                if let Ok(listener) = TcpListener::from_std(std_listener) {
                    accept_loop(listener, task_shared, stopped).await;
                }
            });
        });
        Ok(PageServer {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` + `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The bound address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `page` at `path` from now on (replacing any page there).
    pub fn set(&self, path: &str, page: Page) {
        lock(&self.shared).pages.insert(path.to_string(), page);
    }

    /// Blocks until the server has seen at least `n` requests in all, or `timeout` passes;
    /// returns whether it did. Tests await requests with this instead of sleeping.
    #[must_use]
    pub fn wait_for_requests(&self, n: usize, timeout: std::time::Duration) -> bool {
        let guard = lock(&self.shared);
        let (guard, _) = self
            .shared
            .request_seen
            .wait_timeout_while(guard, timeout, |s| s.seen.len() < n)
            .unwrap_or_else(PoisonError::into_inner);
        guard.seen.len() >= n
    }

    /// Requests seen so far.
    #[must_use]
    pub fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.shared).seen.clone()
    }

    /// The most requests this server was answering at the same moment.
    #[must_use]
    pub fn max_concurrent_requests(&self) -> usize {
        lock(&self.shared).max_in_flight
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<State>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            conn = listener.accept() => {
                if let Ok((stream, _)) = conn {
                    tokio::spawn(handle(stream, Arc::clone(&shared)));
                }
            }
        }
    }
}

/// Serves requests on one connection, HTTP/1.1 keep-alive, until the client closes it, asks
/// for `Connection: close`, or a page misbehaves on purpose.
async fn handle(mut stream: TcpStream, shared: Arc<State>) {
    // Head and body go out in separate writes; without this, Nagle's algorithm and the client's
    // delayed ACK hold every kept-alive response back by tens of milliseconds.
    let _ = stream.set_nodelay(true);
    let mut pending: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let Some(head) = read_head(&mut stream, &mut pending).await else {
            return;
        };
        if !respond(&mut stream, &head, &shared).await {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Reads one request head (up to the blank line); what follows stays in `pending`.
async fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head: Vec<u8> = pending.drain(..end + 4).collect();
            return Some(head);
        }
        if pending.len() > MAX_HEAD {
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
        }
    }
}

/// Answers one request; returns whether the connection may serve another.
async fn respond(stream: &mut TcpStream, head: &[u8], shared: &Arc<State>) -> bool {
    let (path, headers) = parse_head(head);
    let (page, serial) = record(shared, &path, &headers);
    let _busy = InFlight::enter(shared);
    let mut page = page.unwrap_or_else(|| Page::status(404));
    if let Some((name, value)) = &page.require_header
        && headers.get(&name.to_ascii_lowercase()) != Some(value)
    {
        page = Page::status(401);
    }
    if page.stamp {
        stamp(&mut page, serial);
    }
    if let Some(d) = page.delay {
        tokio::time::sleep(d).await;
    }
    match page.behavior {
        Behavior::Reset => false,
        Behavior::Stream(total) => stream_filler(stream, &page.content_type, total).await,
        Behavior::Normal | Behavior::Truncate => send_page(stream, &page, &headers).await,
    }
}

/// Counts a request as being answered while it lives.
struct InFlight(Arc<State>);

impl InFlight {
    fn enter(shared: &Arc<State>) -> InFlight {
        let mut s = lock(shared);
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
        InFlight(Arc::clone(shared))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = lock(&self.0);
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}

/// The path (`/` when the request line has none) and the headers, names in lower case.
fn parse_head(head: &[u8]) -> (String, HashMap<String, String>) {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (path, headers)
}

/// Records the request (waking [`PageServer::wait_for_requests`]); returns the page at `path`,
/// if any, and this response's serial number (1 for the first request the server saw).
fn record(shared: &State, path: &str, headers: &HashMap<String, String>) -> (Option<Page>, u64) {
    let mut s = lock(shared);
    s.seen.push(SeenRequest {
        path: path.to_string(),
        headers: headers.clone(),
        at: std::time::Instant::now(),
    });
    s.served += 1;
    shared.request_seen.notify_all();
    (s.pages.get(path).cloned(), s.served)
}

/// Replaces the first [`STAMP`] in the body with the time and the response's serial number.
fn stamp(page: &mut Page, serial: u64) {
    let text = String::from_utf8_lossy(&page.body).replacen(
        STAMP,
        &format!("{} (response {serial})", chrono::Utc::now().to_rfc3339()),
        1,
    );
    page.body = text.into_bytes();
}

/// [`Behavior::Stream`]: a 200 head without `Content-Length`, then `total` bytes of filler made
/// on the fly. Always ends the connection (returns false).
async fn stream_filler(stream: &mut TcpStream, content_type: &str, total: u64) -> bool {
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    let chunk =
        b"<p>filler filler filler filler filler filler filler filler filler</p>\n".repeat(900);
    let mut sent: u64 = 0;
    while sent < total {
        let n = usize::try_from((total - sent).min(chunk.len() as u64)).unwrap_or(chunk.len());
        // The client hanging up (its body cap reached) ends the stream.
        if stream.write_all(&chunk[..n]).await.is_err() {
            return false;
        }
        sent += n as u64;
    }
    false
}

/// [`Behavior::Normal`] and [`Behavior::Truncate`]: the page with its `Content-Length`, ETag
/// and extra headers; a truncating page sends half its body and closes. Returns whether the
/// connection is kept alive (a normal page, and the client did not ask to close).
async fn send_page(stream: &mut TcpStream, page: &Page, headers: &HashMap<String, String>) -> bool {
    let keep_alive = page.behavior == Behavior::Normal
        && !headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
    let (status, body, mut extra) = conditional(page, headers);
    for (k, v) in &page.headers {
        extra.push_str(&format!("{k}: {v}\r\n"));
    }
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n{extra}\r\n",
        page.content_type,
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    let send = if page.behavior == Behavior::Truncate {
        &body[..body.len() / 2]
    } else {
        body
    };
    if stream.write_all(send).await.is_err() || stream.flush().await.is_err() {
        return false;
    }
    keep_alive
}

/// Status, body and `ETag` header line for a page: with [`Page::etag`] set, a strong tag from the
/// body's hash, and 304 with no body when the request's `If-None-Match` matches it.
fn conditional<'p>(page: &'p Page, headers: &HashMap<String, String>) -> (u16, &'p [u8], String) {
    if !page.etag {
        return (page.status, &page.body, String::new());
    }
    let tag = format!(
        "\"{}\"",
        &crate::util::hex(&Sha256::digest(&page.body))[..16]
    );
    let etag_line = format!("ETag: {tag}\r\n");
    if headers.get("if-none-match") == Some(&tag) {
        (304, &[], etag_line)
    } else {
        (page.status, &page.body, etag_line)
    }
}
