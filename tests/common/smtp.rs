//! A small real SMTP server on 127.0.0.1 for the email tests: it speaks enough of RFC 5321 for
//! lettre (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), records what it receives, and
//! can reject chosen recipients with a permanent 550.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::ports::ClosedPort;

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    pub auth: Option<String>,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    reject: Vec<String>,
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        Self::serve(TcpListener::bind("127.0.0.1:0").expect("bind smtp"))
    }

    /// A port where nothing listens (for "server down"), held so that no other test can take it;
    /// the relay comes back there with `start_on`.
    pub fn closed_port() -> ClosedPort {
        ClosedPort::reserve()
    }

    /// The relay, back on a reserved port.
    pub fn start_on(reserved: &ClosedPort) -> SmtpServer {
        Self::serve(reserved.listen())
    }

    fn serve(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (Arc::clone(&state), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let st = Arc::clone(&st);
                    std::thread::spawn(move || {
                        let _ = session(stream, &st);
                    });
                }
            }
        });
        SmtpServer {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn reject(&self, addr: &str) {
        self.state
            .lock()
            .unwrap()
            .reject
            .push(addr.to_ascii_lowercase());
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn addr_of(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_ascii_lowercase()
}

fn session(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    w.write_all(b"220 test.smtp ESMTP ready\r\n")?;
    let (mut from, mut to, mut auth) = (String::new(), Vec::new(), None);
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-test.smtp\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")?;
        } else if upper.starts_with("AUTH PLAIN") {
            auth = Some(cmd[10..].trim().to_string());
            w.write_all(b"235 2.7.0 Authentication successful\r\n")?;
        } else if upper.starts_with("MAIL FROM") {
            from = addr_of(&cmd);
            to.clear();
            w.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO") {
            let a = addr_of(&cmd);
            if state.lock().unwrap().reject.contains(&a) {
                w.write_all(b"550 5.1.1 No such user here\r\n")?;
            } else {
                to.push(a);
                w.write_all(b"250 OK\r\n")?;
            }
        } else if upper == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l)? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
            }
            state.lock().unwrap().received.push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
                auth: auth.clone(),
            });
            w.write_all(b"250 OK queued\r\n")?;
        } else if upper == "QUIT" {
            w.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n")?;
        }
    }
}
