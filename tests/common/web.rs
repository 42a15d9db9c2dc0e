//! Runs `regwatch web` as a real process on a free port (`--listen 127.0.0.1:0`) and reads the
//! address it prints once it listens (no sleeping), and a plain HTTP client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use regwatch::dev::serve::{Page, PageServer};

use super::Project;

pub struct WebServer {
    pub child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    stderr: std::path::PathBuf,
}

/// How a start that should fail ended.
#[derive(Debug)]
pub struct Refused {
    pub code: Option<i32>,
    pub stderr: String,
}

impl WebServer {
    /// Starts `regwatch web --listen LISTEN` with these environment variables set (`Some`) or
    /// removed (`None`); panics when it does not start.
    pub fn start(p: &Project, listen: &str, env: &[(&str, Option<&str>)]) -> WebServer {
        WebServer::try_start(p, listen, env).unwrap_or_else(|r| panic!("web did not start: {r:?}"))
    }

    /// As [`WebServer::start`], returning the exit code and stderr when it does not start.
    pub fn try_start(
        p: &Project,
        listen: &str,
        env: &[(&str, Option<&str>)],
    ) -> Result<WebServer, Refused> {
        let stderr = p
            .path()
            .join(format!("web-{}.stderr", listen.replace([':', '.'], "_")));
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("regwatch"));
        cmd.current_dir(p.path())
            .env_remove("REGWATCH_LOG")
            .env_remove("REGWATCH_WEB_TOKEN");
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let mut child = cmd
            .arg("--config")
            .arg(p.config_path())
            .args(["web", "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start regwatch web");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        // The first line says where it listens; EOF means it exited.
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read stdout");
        let Some(start) = line.find("http://") else {
            let code = child.wait().expect("wait").code();
            return Err(Refused {
                code,
                stderr: std::fs::read_to_string(&stderr).unwrap_or_default(),
            });
        };
        let url = line[start..].split_whitespace().next().unwrap_or("");
        let base = url
            .trim_end_matches('/')
            .replace("0.0.0.0", "127.0.0.1")
            .replace("[::]", "[::1]");
        Ok(WebServer {
            child,
            base,
            stderr,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client (reqwest, as the product's fetcher builds it: ring as the crypto provider).
pub fn client() -> reqwest::Client {
    regwatch::fetch::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// GET: status, content type and body.
pub async fn get(url: &str) -> (u16, String, String) {
    get_with(&client(), url, None).await
}

/// GET with an optional `Authorization` header.
pub async fn get_with(
    client: &reqwest::Client,
    url: &str,
    auth: Option<&str>,
) -> (u16, String, String) {
    let mut req = client.get(url);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, r.text().await.expect("body"))
}

// Seeded projects: real pages on 127.0.0.1, real checks.

pub fn rules(threshold: &str, tier: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Rules</title></head><body><main>\
         <h1>Advanced computing controls</h1>\
         <p>A chip is controlled when its total processing performance is {threshold} or more.</p>\
         <table><tr><th>Country</th><th>Tier</th></tr><tr><td>France</td><td>Tier {tier}</td></tr></table>\
         </main></body></html>"
    )
}

pub fn notes(colour: &str) -> String {
    format!(
        "<!DOCTYPE html><html><body><main><p>Our newsletter is printed on {colour} paper.</p></main></body></html>"
    )
}

pub fn config(server: &PageServer, extra: &[&str]) -> String {
    let mut c = format!(
        "[settings]\ntimeout = \"5s\"\nper_host_delay = \"0s\"\n\n\
         [[source]]\nid = \"rules\"\nname = \"Test rules page\"\nurl = \"{}\"\nselect = [\"main\"]\n\n\
         [[source]]\nid = \"notes\"\nname = \"Newsletter notes\"\nurl = \"{}\"\nselect = [\"main\"]\n",
        server.url("/rules"),
        server.url("/notes")
    );
    for id in extra {
        c.push_str(&format!(
            "\n[[source]]\nid = \"{id}\"\nname = \"Extra {id}\"\nurl = \"{}\"\nselect = [\"main\"]\n",
            server.url(&format!("/{id}"))
        ));
    }
    c
}

/// Three versions of `rules` (a threshold change, then a tier move) and two of `notes` (an
/// untagged change): three changes, ids 1 (threshold), 2 (notes), 3 (tier).
pub fn seeded() -> (PageServer, Project) {
    let server = PageServer::start_in_thread().unwrap();
    server.set("/rules", Page::html(rules("4,800", "1")));
    server.set("/notes", Page::html(notes("blue")));
    let p = Project::new(&config(&server, &[]));
    assert!(p.check_json(&[]).is_empty(), "baseline");
    server.set("/rules", Page::html(rules("4,000", "1")));
    assert_eq!(p.check_json(&["rules"]).len(), 1);
    server.set("/notes", Page::html(notes("green")));
    assert_eq!(p.check_json(&["notes"]).len(), 1);
    server.set("/rules", Page::html(rules("4,000", "2")));
    assert_eq!(p.check_json(&["rules"]).len(), 1);
    (server, p)
}
