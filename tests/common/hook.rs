//! A webhook receiver on 127.0.0.1 for the tests: it records every request (path, headers, body)
//! and answers from a script — a status (with headers), a hang until released, or a connection
//! closed without an answer — then 200 once the script is used up.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How the receiver answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status, with these extra headers.
    Status(u16, Vec<(String, String)>),
    /// No answer until [`HookServer::release`], then 200.
    Hang,
    /// The connection closed after the request was read, without an answer.
    Close,
}

impl Reply {
    pub fn status(code: u16) -> Reply {
        Reply::Status(code, Vec::new())
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status answered (0: hung or closed).
    pub answered: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    requests: Vec<Request>,
    released: bool,
}

/// A receiver running on its own threads until the test ends.
pub struct HookServer {
    pub port: u16,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl HookServer {
    /// Starts a receiver that answers `script` in order, then 200.
    pub fn start(script: Vec<Reply>) -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the hook receiver");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new((
            Mutex::new(State {
                script: script.into(),
                ..State::default()
            }),
            Condvar::new(),
        ));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || serve(conn, &shared));
            }
        });
        HookServer { port, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.0.lock().unwrap().requests.clone()
    }

    /// Requests answered with a 2xx.
    pub fn accepted(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    /// Waits (at most `limit`) until `n` requests have arrived; returns them.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Request> {
        let (lock, cv) = &*self.state;
        let deadline = Instant::now() + limit;
        let mut s = lock.lock().unwrap();
        while s.requests.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {limit:?} for {n} request(s), got {}",
                s.requests.len()
            );
            s = cv.wait_timeout(s, left).unwrap().0;
        }
        s.requests.clone()
    }

    /// Lets every hanging request answer 200.
    pub fn release(&self) {
        let (lock, cv) = &*self.state;
        lock.lock().unwrap().released = true;
        cv.notify_all();
    }
}

impl Drop for HookServer {
    fn drop(&mut self) {
        self.release();
    }
}

/// The request on `conn`, not yet answered.
fn read_request(conn: &TcpStream) -> Option<Request> {
    let mut r = BufReader::new(conn.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        path,
        headers,
        body,
        answered: 0,
    })
}

fn serve(mut conn: TcpStream, shared: &(Mutex<State>, Condvar)) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Some(mut request) = read_request(&conn) else {
        return;
    };
    let (lock, cv) = shared;
    let (index, reply) = {
        let mut s = lock.lock().unwrap();
        let reply = s.script.pop_front().unwrap_or(Reply::status(200));
        let answered = match &reply {
            Reply::Status(code, _) => *code,
            Reply::Hang | Reply::Close => 0,
        };
        request.answered = answered;
        s.requests.push(request);
        cv.notify_all();
        (s.requests.len() - 1, reply)
    };
    let (code, extra) = match reply {
        Reply::Close => {
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return;
        }
        Reply::Hang => {
            let mut s = lock.lock().unwrap();
            let deadline = Instant::now() + Duration::from_secs(120);
            while !s.released && Instant::now() < deadline {
                s = cv.wait_timeout(s, Duration::from_secs(1)).unwrap().0;
            }
            s.requests[index].answered = 200;
            (200, Vec::new())
        }
        Reply::Status(code, extra) => (code, extra),
    };
    let mut head = format!("HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n");
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\nok");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.flush();
}
