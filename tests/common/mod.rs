//! Helpers shared by the integration tests: a temporary project folder with a config, and the real
//! `regwatch` binary run inside it.

#![allow(dead_code)]

pub mod daemon;
pub mod ports;
pub mod web;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary folder holding `sources.toml` (and the database next to it).
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(config: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("sources.toml"), config).expect("write config");
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("sources.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("regwatch.db")
    }

    pub fn write_config(&self, config: &str) {
        std::fs::write(self.config_path(), config).expect("write config");
    }

    /// `regwatch --config <dir>/sources.toml ARGS…`, run from the folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("regwatch")
            .expect("binary")
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("REGWATCH_LOG")
            .arg("--config")
            .arg(self.config_path())
            .args(args)
            .output()
            .expect("run regwatch")
    }

    /// [`Project::run`] with these environment variables set (`Some`) or removed (`None`).
    pub fn run_env(&self, args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
        let mut cmd = Command::cargo_bin("regwatch").expect("binary");
        cmd.current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("REGWATCH_LOG");
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.arg("--config")
            .arg(self.config_path())
            .args(args)
            .output()
            .expect("run regwatch")
    }

    /// Runs and asserts exit code 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "regwatch {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `check --json`, parsed: one JSON value per changed source.
    pub fn check_json(&self, ids: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["check", "--json"];
        args.extend_from_slice(ids);
        json_lines(&self.ok(&args))
    }

    /// `sources --json`, parsed.
    pub fn sources_json(&self) -> Vec<serde_json::Value> {
        json_lines(&self.ok(&["sources", "--json"]))
    }
}

pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A rules page written for the tests: a header and footer outside `main`, a timestamp in the
/// footer, a threshold paragraph and a small table inside.
pub fn rules_page(threshold: &str, stamp: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Rules</title></head><body>\
         <header><nav>Home | Rules</nav></header>\
         <main><h1>Advanced computing controls</h1>\
         <p>A chip is controlled when its total processing performance is {threshold} or more.</p>\
         <table><tr><th>Country</th><th>Tier</th></tr><tr><td>Poland</td><td>Tier 2</td></tr></table>\
         </main><footer>Generated {stamp}</footer></body></html>"
    )
}
