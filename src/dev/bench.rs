//! `regwatch bench`: the end-to-end benchmark. It generates N realistic pages (30–200 KB:
//! boilerplate, a main body, a table, a timestamp), serves them on 127.0.0.1 from this process,
//! and runs `regwatch check` as a child process for each cycle — baseline, 10 % of pages changed,
//! nothing changed — measuring wall time, CPU time and peak RSS of the child (wait4), the
//! database size, and the changes found. With `--urlwatch PATH`, the same workload is run with
//! urlwatch in the same invocation, for a ratio measured on the same machine at the same time.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use super::measure::Usage;
use super::serve::{Page, PageServer, STAMP};
use crate::Error;

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Pages to generate.
    pub pages: usize,
    /// Percentage of pages changed between the first and second cycle.
    pub changed_percent: usize,
    /// Loopback hosts the pages are spread over (127.0.0.1, 127.0.0.2 …): regwatch sends
    /// `per_host` requests at a time per host, so this bounds its concurrency.
    pub hosts: usize,
    /// `per_host_concurrency` in the generated configuration (requests in flight per host).
    pub per_host: usize,
    /// Every response carries a fresh timestamp (no 304, no identical bodies): the worst case.
    pub dynamic: bool,
    /// urlwatch executable to compare with.
    pub urlwatch: Option<PathBuf>,
    /// Only serve the pages (original versions) and write the configuration, then wait until
    /// interrupted: for profiling `regwatch check` by hand.
    pub serve_only: bool,
    /// Keep the working directory (pages' config, databases) here instead of a temporary one.
    pub keep: Option<PathBuf>,
}

/// One cycle's measurements.
#[derive(Debug, Clone, Serialize)]
pub struct Cycle {
    /// Tool measured.
    pub tool: String,
    /// `first`, `second` (10 % changed) or `unchanged`.
    pub cycle: String,
    /// Wall time in seconds.
    pub wall_s: f64,
    /// User + system CPU time of the child in seconds.
    pub cpu_s: f64,
    /// Pages per second of wall time.
    pub pages_per_s: f64,
    /// Peak resident set size of the child in MiB.
    pub peak_rss_mib: f64,
    /// Database (or cache) size after the cycle, in bytes (WAL included).
    pub db_bytes: u64,
    /// Changes reported by the tool in this cycle.
    pub changes: usize,
    /// Changes expected.
    pub expected: usize,
}

/// A measured run: its figures and its output.
struct Measured {
    usage: Usage,
    stdout: String,
    stderr: String,
}

/// Runs `program args…` through `regwatch measure`, capturing its output.
fn measure(program: &Path, args: &[std::ffi::OsString], dir: &Path) -> Result<Measured, Error> {
    let exe = std::env::current_exe().map_err(|source| Error::Io {
        context: "cannot find the regwatch executable".into(),
        source,
    })?;
    let usage_file = dir.join("usage.json");
    let mut cmd = Command::new(exe);
    cmd.arg("measure")
        .arg("--out")
        .arg(&usage_file)
        .arg("--")
        .arg(program)
        .args(args);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Io {
            context: "cannot start regwatch measure".into(),
            source,
        })?;
    // Drain both pipes on threads so the child never blocks on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let waited = child.wait();
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    waited.map_err(|source| Error::Io {
        context: "cannot wait for regwatch measure".into(),
        source,
    })?;
    let text = std::fs::read_to_string(&usage_file).map_err(|source| Error::Io {
        context: format!(
            "no measurement from regwatch measure ({}): {}",
            usage_file.display(),
            stderr.lines().last().unwrap_or("")
        ),
        source,
    })?;
    let usage: Usage = serde_json::from_str(&text)
        .map_err(|e| Error::Runtime(format!("bad measurement file: {e}")))?;
    Ok(Measured {
        usage,
        stdout,
        stderr,
    })
}

/// A small deterministic generator (xorshift), so every run serves the same pages.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const SUBJECTS: &[&str] = &[
    "Items classified under ECCN 3A090",
    "Computers described in ECCN 4A090",
    "Technology controlled by ECCN 4E091",
    "Exports to destinations in Country Group D:5",
    "Shipments under License Exception NAC",
    "Consignees relying on License Exception ACA",
    "Data centre operators in tier 2 destinations",
    "Applicants for a validated end-user authorization",
];
const PREDICATES: &[&str] = &[
    "require a license when the total processing performance reaches",
    "are reviewed case by case when the performance density stays below",
    "must be reported within 30 days when the aggregate exceeds",
    "fall outside the rule when the DRAM bandwidth is under",
    "are counted against the country allocation once they pass",
];
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("Austria", "2", "790,000,000"),
    ("Belgium", "1", "none"),
    ("Poland", "2", "790,000,000"),
    ("Portugal", "2", "790,000,000"),
    ("France", "1", "none"),
    ("Germany", "1", "none"),
    ("Macau", "3", "0"),
    ("India", "2", "790,000,000"),
    ("Japan", "1", "none"),
    ("Brazil", "2", "790,000,000"),
];

/// The threshold sentence that a changed page edits.
fn threshold(v: &str) -> String {
    format!(
        "<p id=\"threshold\">A license is required for chips whose total processing performance is {v} or more.</p>"
    )
}

/// One page of about `target` bytes. `{{NOW}}` marks the timestamp.
fn page(i: usize, target: usize, rng: &mut Rng, tpp: &str, stamp: &str) -> String {
    let mut s = String::with_capacity(target + 4096);
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Export rule {i}</title><style>"
    );
    for k in 0..40 {
        let _ = write!(
            s,
            ".c{k}{{margin:{k}px;padding:{}px;color:#{:06x}}}",
            k % 7,
            k * 4099
        );
    }
    s.push_str("</style><script>window.analytics={id:'x',queue:[]};</script></head><body><header class=\"usa-banner\">An official website of the United States government</header><nav><ul>");
    for k in 0..60 {
        let _ = write!(
            s,
            "<li><a href=\"/section/{k}\">Section {k} of the regulations</a></li>"
        );
    }
    let _ = write!(
        s,
        "</ul></nav><main><h1>Export rule {i}: advanced computing items</h1>{}",
        threshold(tpp)
    );
    let mut section = 0;
    while s.len() < target.saturating_sub(3000) {
        if rng.below(8) == 0 {
            section += 1;
            let _ = write!(s, "<h2>Section {section}</h2>");
        }
        s.push_str("<p>");
        for _ in 0..(2 + rng.below(4)) {
            let value = 1000 + rng.below(30_000);
            let _ = write!(
                s,
                "{} {} {},{:03}. ",
                SUBJECTS[rng.below(SUBJECTS.len())],
                PREDICATES[rng.below(PREDICATES.len())],
                value / 1000,
                value % 1000
            );
        }
        s.push_str("</p>");
        if rng.below(25) == 0 {
            s.push_str("<table><tr><th>Country</th><th>Tier</th><th>Cap (TPP)</th></tr>");
            for (c, t, cap) in COUNTRIES {
                let _ = write!(s, "<tr><td>{c}</td><td>{t}</td><td>{cap}</td></tr>");
            }
            s.push_str("</table>");
        }
    }
    let _ = write!(
        s,
        "</main><footer><p>Page generated {stamp}</p><ul><li><a href=\"/privacy\">Privacy</a></li><li><a href=\"/foia\">FOIA</a></li></ul></footer></body></html>"
    );
    s
}

/// A generated regulatory page of about `bytes` bytes (the benchmark's page), with the TPP
/// threshold sentence set to `tpp`. Deterministic for a given `seed`.
#[must_use]
pub fn sample_page(seed: u64, bytes: usize, tpp: &str) -> String {
    let mut rng = Rng(seed | 1);
    page(0, bytes, &mut rng, tpp, "2026-11-21 08:00")
}

fn dir_size(path: &Path, prefix: &str) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

struct Workload {
    servers: Vec<PageServer>,
    per_host: usize,
    /// (server index, path, body, changed body)
    pages: Vec<(usize, String, String, String)>,
    changed: Vec<usize>,
}

impl Workload {
    fn new(opts: &BenchOptions) -> Result<Workload, Error> {
        let hosts = opts.hosts.clamp(1, 250);
        let mut servers = Vec::with_capacity(hosts);
        for h in 0..hosts {
            let ip = format!("127.0.0.{}", h + 1);
            servers.push(
                PageServer::start_in_thread_at(&ip).map_err(|source| Error::Io {
                    context: format!("cannot start a page server on {ip}"),
                    source,
                })?,
            );
        }
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        let mut pages = Vec::with_capacity(opts.pages);
        for i in 0..opts.pages {
            let target = 30_000 + rng.below(170_001);
            let stamp = if opts.dynamic {
                STAMP.to_string()
            } else {
                format!("2026-11-{:02} 08:{:02}", 1 + i % 28, i % 60)
            };
            let body = page(i, target, &mut rng, "4,800", &stamp);
            let changed_body = body.replacen(&threshold("4,800"), &threshold("4,000"), 1);
            pages.push((i % hosts, format!("/rules/{i}"), body, changed_body));
        }
        let step = (100 / opts.changed_percent.clamp(1, 100)).max(1);
        let changed = (0..opts.pages).filter(|i| i % step == 0).collect();
        let w = Workload {
            servers,
            per_host: opts.per_host.clamp(1, 64),
            pages,
            changed,
        };
        w.serve(false, opts.dynamic);
        Ok(w)
    }

    fn serve(&self, mutated: bool, dynamic: bool) {
        for (i, (host, path, body, changed)) in self.pages.iter().enumerate() {
            let text = if mutated && self.changed.contains(&i) {
                changed
            } else {
                body
            };
            let mut p = Page::html(text.clone());
            p.etag = true;
            p.stamp = dynamic;
            self.servers[*host].set(path, p);
        }
    }

    fn bytes(&self) -> usize {
        self.pages.iter().map(|(_, _, b, _)| b.len()).sum()
    }

    fn url(&self, page: usize) -> String {
        let (host, path, _, _) = &self.pages[page];
        self.servers[*host].url(path)
    }
}

/// The three cycles: name, whether the changed pages are served, changes expected.
fn cycles(w: &Workload) -> [(&'static str, bool, usize); 3] {
    [
        ("first", false, 0),
        ("second", true, w.changed.len()),
        ("unchanged", true, 0),
    ]
}

fn cycle_of(
    tool: &str,
    name: &str,
    m: &Measured,
    pages: usize,
    db_bytes: u64,
    changes: usize,
    expected: usize,
) -> Cycle {
    let wall = m.usage.wall_s;
    Cycle {
        tool: tool.into(),
        cycle: name.into(),
        wall_s: wall,
        cpu_s: m.usage.cpu_s,
        pages_per_s: if wall > 0.0 { pages as f64 / wall } else { 0.0 },
        peak_rss_mib: m.usage.max_rss_kib as f64 / 1024.0,
        db_bytes,
        changes,
        expected,
    }
}

/// Writes the regwatch configuration for the workload and returns its path.
fn write_config(w: &Workload, dir: &Path) -> Result<PathBuf, Error> {
    let mut config = format!(
        "[settings]\ndatabase = \"regwatch.db\"\nper_host_delay = \"0s\"\ntimeout = \"30s\"\nper_host_concurrency = {}\n\n",
        w.per_host
    );
    for i in 0..w.pages.len() {
        let _ = write!(
            config,
            "[[source]]\nid = \"p{i}\"\nurl = \"{}\"\nselect = [\"main\"]\nrespect_robots = false\n\n",
            w.url(i)
        );
    }
    let cfg = dir.join("sources.toml");
    std::fs::write(&cfg, config).map_err(|source| Error::Io {
        context: format!("cannot write {}", cfg.display()),
        source,
    })?;
    Ok(cfg)
}

fn regwatch_cycles(opts: &BenchOptions, w: &Workload, dir: &Path) -> Result<Vec<Cycle>, Error> {
    let exe = std::env::current_exe().map_err(|source| Error::Io {
        context: "cannot find the regwatch executable".into(),
        source,
    })?;
    let cfg = write_config(w, dir)?;
    let mut out = Vec::new();
    for (name, mutated, expected) in cycles(w) {
        w.serve(mutated, opts.dynamic);
        let m = measure(
            &exe,
            &[
                "--config".into(),
                cfg.clone().into(),
                "check".into(),
                "--json".into(),
            ],
            dir,
        )?;
        if m.usage.status != 0 {
            return Err(Error::Runtime(format!(
                "regwatch check failed ({}): {}",
                m.usage.status,
                m.stderr.lines().last().unwrap_or("")
            )));
        }
        let changes = m.stdout.lines().filter(|l| l.starts_with('{')).count();
        if let Some(first) = m.stderr.lines().find(|l| !l.trim().is_empty()) {
            eprintln!("bench: regwatch {name} cycle reported: {first}");
        }
        out.push(cycle_of(
            "regwatch",
            name,
            &m,
            w.pages.len(),
            dir_size(dir, "regwatch.db"),
            changes,
            expected,
        ));
    }
    Ok(out)
}

fn urlwatch_cycles(
    opts: &BenchOptions,
    w: &Workload,
    dir: &Path,
    exe: &Path,
) -> Result<Vec<Cycle>, Error> {
    let mut urls = String::new();
    for i in 0..w.pages.len() {
        let _ = write!(
            urls,
            "name: \"p{i}\"\nurl: \"{}\"\nfilter:\n  - css: main\n  - html2text\n---\n",
            w.url(i)
        );
    }
    let urls_path = dir.join("urls.yaml");
    let write = |p: &Path, text: &str| {
        std::fs::write(p, text).map_err(|source| Error::Io {
            context: format!("cannot write {}", p.display()),
            source,
        })
    };
    write(&urls_path, &urls)?;
    write(&dir.join("hooks.py"), "")?;
    let mut out = Vec::new();
    for (name, mutated, expected) in cycles(w) {
        w.serve(mutated, opts.dynamic);
        let m = measure(
            exe,
            &[
                "--urls".into(),
                urls_path.clone().into(),
                "--config".into(),
                dir.join("urlwatch.yaml").into(),
                "--hooks".into(),
                dir.join("hooks.py").into(),
                "--cache".into(),
                dir.join("cache.db").into(),
            ],
            dir,
        )?;
        let changes = m.stdout.lines().filter(|l| l.contains("CHANGED:")).count() / 2; // urlwatch lists each change in its summary and again above its diff
        out.push(cycle_of(
            "urlwatch",
            name,
            &m,
            w.pages.len(),
            dir_size(dir, "cache.db"),
            changes,
            expected,
        ));
    }
    Ok(out)
}

/// Runs the benchmark and returns every cycle's figures.
///
/// # Errors
/// When the server cannot start, a file cannot be written, or a tool cannot run.
pub fn run(opts: &BenchOptions) -> Result<Vec<Cycle>, Error> {
    let tmp = tempfile::tempdir().map_err(|source| Error::Io {
        context: "cannot create a temporary directory".into(),
        source,
    })?;
    let base = opts
        .keep
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let w = Workload::new(opts)?;
    eprintln!(
        "bench: {} pages on {} host(s), {} request(s) in flight per host, {:.1} MB in all (mean {:.0} KB), {} changed in the second cycle{}",
        w.pages.len(),
        w.servers.len(),
        w.per_host,
        w.bytes() as f64 / 1e6,
        w.bytes() as f64 / 1e3 / w.pages.len().max(1) as f64,
        w.changed.len(),
        if opts.dynamic {
            "; every response carries a fresh timestamp"
        } else {
            ""
        }
    );
    let mut cycles = Vec::new();
    let rw = base.join("regwatch");
    std::fs::create_dir_all(&rw).map_err(|source| Error::Io {
        context: format!("cannot create {}", rw.display()),
        source,
    })?;
    if opts.serve_only {
        let cfg = write_config(&w, &rw)?;
        eprintln!(
            "bench: serving; run `regwatch --config {} check` (Ctrl-C to stop)",
            cfg.display()
        );
        loop {
            std::thread::park();
        }
    }
    cycles.extend(regwatch_cycles(opts, &w, &rw)?);
    if let Some(exe) = &opts.urlwatch {
        let uw = base.join("urlwatch");
        std::fs::create_dir_all(&uw).map_err(|source| Error::Io {
            context: format!("cannot create {}", uw.display()),
            source,
        })?;
        cycles.extend(urlwatch_cycles(opts, &w, &uw, exe)?);
    }
    Ok(cycles)
}

/// The figures as a Markdown table, with the urlwatch/regwatch ratios when both ran.
#[must_use]
pub fn table(cycles: &[Cycle]) -> String {
    let mut s = String::from(
        "| tool | cycle | wall s | CPU s | pages/s | peak RSS MiB | DB bytes | changes (expected) |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in cycles {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} | {:.0} | {:.1} | {} | {} ({}) |",
            c.tool,
            c.cycle,
            c.wall_s,
            c.cpu_s,
            c.pages_per_s,
            c.peak_rss_mib,
            c.db_bytes,
            c.changes,
            c.expected
        );
    }
    for name in ["first", "second", "unchanged"] {
        let find = |tool: &str| cycles.iter().find(|c| c.tool == tool && c.cycle == name);
        if let (Some(r), Some(u)) = (find("regwatch"), find("urlwatch"))
            && r.wall_s > 0.0
        {
            let _ = writeln!(
                s,
                "\n{name} cycle: urlwatch / regwatch = {:.1}× wall time, {:.1}× CPU time",
                u.wall_s / r.wall_s,
                u.cpu_s / r.cpu_s.max(1e-6)
            );
        }
    }
    s
}
