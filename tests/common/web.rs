//! Runs `regwatch web` as a real process on a free port (`--listen 127.0.0.1:0`) and reads the
//! address it prints once it listens (no sleeping), and a plain HTTP client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

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
