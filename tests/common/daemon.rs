//! Runs `regwatch run` as a real process and reads its JSON log lines as they come (with a
//! generous deadline) instead of sleeping.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::Project;

/// Longest wait for any one event; only a broken daemon gets near it.
pub const DEADLINE: Duration = Duration::from_secs(60);

pub struct Daemon {
    pub child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
    taken: std::collections::HashMap<String, usize>,
}

impl Daemon {
    pub fn start(p: &Project) -> Daemon {
        Daemon::start_env(p, &[])
    }

    /// [`Daemon::start`] with these environment variables set (webhook URLs, say).
    pub fn start_env(p: &Project, env: &[(&str, &str)]) -> Daemon {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
            .current_dir(p.path())
            .env_remove("REGWATCH_LOG")
            .envs(env.iter().copied())
            .arg("--config")
            .arg(p.config_path())
            .args(["run", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start daemon");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && tx.send(v).is_err()
                {
                    break;
                }
            }
        });
        Daemon {
            child,
            lines: rx,
            seen: Vec::new(),
            taken: std::collections::HashMap::new(),
        }
    }

    /// Waits for a log line matching `pred`; returns it.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(v) = self.seen.iter().find(|v| pred(v)) {
            return v.clone();
        }
        loop {
            match self.lines.recv_timeout(DEADLINE) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Err(_) => panic!("timed out waiting for {what}; saw:\n{:#?}", self.seen),
            }
        }
    }

    /// Waits for one more check line of `source` with `outcome` than seen so far.
    pub fn wait_check(&mut self, source: &str, outcome: &str) -> Value {
        let is = |v: &Value| {
            v["fields"]["message"] == "check"
                && v["fields"]["source"] == source
                && v["fields"]["outcome"] == outcome
        };
        // The k-th call for a (source, outcome) returns the k-th such line, seen before or not.
        let key = format!("{source}/{outcome}");
        let k = *self.taken.entry(key.clone()).or_insert(0);
        self.taken.insert(key, k + 1);
        if let Some(v) = self.seen.iter().filter(|v| is(v)).nth(k) {
            return v.clone();
        }
        let before = k;
        loop {
            match self.lines.recv_timeout(DEADLINE) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if is(&v) && self.seen.iter().filter(|x| is(x)).count() > before {
                        return v;
                    }
                }
                Err(_) => panic!(
                    "timed out waiting for {source} {outcome}; saw:\n{:#?}",
                    self.seen
                ),
            }
        }
    }

    pub fn count_checks(&self, source: &str, outcome: &str) -> usize {
        self.seen
            .iter()
            .filter(|v| {
                v["fields"]["message"] == "check"
                    && v["fields"]["source"] == source
                    && v["fields"]["outcome"] == outcome
            })
            .count()
    }

    pub fn addr(&mut self) -> String {
        let v = self.wait_for("startup", |v| v["fields"]["addr"].is_string());
        v["fields"]["addr"].as_str().unwrap().to_string()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// SIGTERM, then wait for the exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.signal("TERM");
        self.wait_for("stopped", |v| v["fields"]["message"] == "stopped");
        self.child.wait().unwrap().code()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub fn source(id: &str, url: &str, interval: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nurl = \"{url}\"\ninterval = \"{interval}\"\n\n")
}
