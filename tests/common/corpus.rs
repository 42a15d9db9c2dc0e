//! The tagging corpus as data (see tests/corpus/README.md): reads the TOML cases of one split,
//! checks their structure, runs the tagger on each and scores the result. Shared by
//! tests/tag_corpus.rs (training split) and tests/blind_corpus.rs (blind split).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use regwatch::diff::diff_blocks;
use regwatch::model::{Lang, Tag};
use regwatch::tag::{TagContext, builtin_tags, packs, tag_hunks};
use serde::Deserialize;
use serde_json::Value;

/// How a split is scored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Training: an expected tag counts only when its id and every detail match; each tag the
    /// tagger gives must have a summary and evidence; each expectation must state at least one
    /// of its tag's required fields.
    Training,
    /// Blind: an expected tag counts when its id matches; details are scored apart ("detail
    /// accuracy").
    Blind,
}

#[derive(Debug, Deserialize)]
struct File {
    case: Vec<Case>,
}

/// One case as written in a split file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// `en`, `fr`, `de`, … or `auto` (no language given: the tagger guesses).
    lang: String,
    #[serde(default)]
    #[allow(dead_code)]
    style: Option<String>,
    old: String,
    new: String,
    /// Exactly these tags (any other tag is a false positive); `[]` for none at all.
    #[serde(default)]
    expect: Option<Vec<toml::Table>>,
    /// These tag ids must not appear; others are not judged.
    #[serde(default)]
    not: Option<Vec<String>>,
    /// Packs the case's source names (`packs = [...]` in sources.toml); default all.
    #[serde(default)]
    packs: Vec<String>,
}

/// Detail fields every expectation of a tag checks, as docs/ARCHITECTURE.md ("Tags") names
/// them: one not stated in the expectation must be null in the tag (TOML has no null).
pub fn required_fields(tag: &str) -> &'static [&'static str] {
    match tag {
        "rule_rescinded" => &["kind"],
        "threshold_changed" => &["metric", "old", "new", "unit"],
        "quota_changed" | "tariff_changed" => &["old", "new", "unit"],
        "tier_move" => &["country", "from", "to"],
        "effective_date_changed" | "license_policy_changed" => &["old", "new"],
        "bill_stage_changed" => &["from", "to"],
        "eccn_changed" => &["eccn", "change"],
        "chip_added" | "chip_removed" => &["chip"],
        _ => &[],
    }
}

fn same(expected: &Value, got: &Value) -> bool {
    match (expected.as_f64(), got.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        _ => expected == got,
    }
}

/// Every stated field equal (numbers within 1e-9, relative); required fields not stated must be
/// null in the tag.
fn detail_matches(tag: &str, expected: &BTreeMap<String, Value>, got: &Value) -> bool {
    let stated = expected
        .iter()
        .all(|(k, v)| same(v, got.get(k).unwrap_or(&Value::Null)));
    let nulls = required_fields(tag)
        .iter()
        .filter(|f| !expected.contains_key(**f))
        .all(|f| got.get(*f).is_none_or(Value::is_null));
    stated && nulls
}

/// Figures for a set of cases.
#[derive(Default)]
pub struct Score {
    pub cases: usize,
    pub negatives: usize,
    /// Expected tags found (in training, with all their details).
    pub tp: usize,
    pub fp: usize,
    pub missed: usize,
    id_hits: usize,
    detail_hits: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }

    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.missed).max(1) as f64
    }

    /// One line of figures; the blind split adds its detail accuracy.
    pub fn line(&self, label: &str, mode: Mode) -> String {
        let (p, r) = (self.precision(), self.recall());
        let head = if self.cases == 0 {
            format!(
                "{label:<26} tp {:>4} fp {:>3} missed {:>3}  precision {p:.3}  recall {r:.3}",
                self.tp, self.fp, self.missed
            )
        } else {
            format!(
                "{label:<4} {:>4} cases ({:>3} negative)  precision {p:.3}  recall {r:.3}",
                self.cases, self.negatives
            )
        };
        match mode {
            Mode::Training => head,
            Mode::Blind => {
                let d = self.detail_hits as f64 / self.id_hits.max(1) as f64;
                format!("{head}  detail accuracy {d:.3}")
            }
        }
    }
}

/// The result of running one split.
pub struct Run {
    pub files: usize,
    pub per_lang: BTreeMap<String, Score>,
    /// By tag id (cases are not counted per tag).
    pub per_tag: BTreeMap<String, Score>,
    /// By the pack of the tag ("user" for user rules).
    pub per_pack: BTreeMap<String, Score>,
    pub all: Score,
    /// One line per miss, extra tag or wrong detail.
    pub report: Vec<String>,
}

/// `auto` is no language given (`TagContext.lang = None`).
fn parse_lang(lang: &str) -> Result<Option<Lang>, String> {
    if lang == "auto" {
        return Ok(None);
    }
    lang.parse().map(Some)
}

fn tag_of(e: &toml::Table) -> &str {
    e.get("tag")
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
}

fn detail_of(e: &toml::Table) -> BTreeMap<String, Value> {
    e.iter()
        .filter(|(k, _)| *k != "tag")
        .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(Value::Null)))
        .collect()
}

fn show(detail: &BTreeMap<String, Value>) -> String {
    serde_json::to_string(detail).unwrap_or_default()
}

/// Structural checks: a malformed case is a test failure.
fn validate(file: &str, c: &Case, mode: Mode) -> Option<Lang> {
    assert!(
        c.expect.is_some() != c.not.is_some(),
        "{file}: {}: give exactly one of `expect` and `not`",
        c.name
    );
    for e in c.expect.iter().flatten() {
        let tag = tag_of(e);
        assert!(
            builtin_tags().contains(&tag),
            "{file}: {}: unknown tag {tag:?}",
            c.name
        );
        let required = required_fields(tag);
        assert!(
            mode == Mode::Blind
                || required.is_empty()
                || required.iter().any(|f| e.contains_key(*f)),
            "{file}: {}: expectation for {tag} states none of {required:?}",
            c.name
        );
    }
    for id in c.not.iter().flatten() {
        assert!(
            builtin_tags().contains(&id.as_str()),
            "{file}: {}: unknown tag {id:?}",
            c.name
        );
    }
    for p in &c.packs {
        assert!(
            packs::ids().contains(&p.as_str()),
            "{file}: {}: unknown pack {p:?}",
            c.name
        );
    }
    parse_lang(&c.lang).unwrap_or_else(|e| panic!("{file}: {}: {e}", c.name))
}

/// Blocks are lines, as regwatch stores them.
fn tags_of(c: &Case, lang: Option<Lang>) -> Vec<Tag> {
    let old: Vec<String> = c.old.lines().map(str::to_string).collect();
    let new: Vec<String> = c.new.lines().map(str::to_string).collect();
    let diff = diff_blocks(&old, &new);
    tag_hunks(
        &diff.hunks,
        &TagContext {
            lang,
            source_id: "corpus",
            rules: &[],
            packs: &c.packs,
            old: &old,
            new: &new,
        },
    )
}

fn extra(c: &Case, g: &Tag, mode: Mode) -> String {
    match mode {
        Mode::Training => format!("EXTRA  {}: {} {} ({})", c.name, g.tag, g.detail, g.summary),
        Mode::Blind => format!("EXTRA  {}: {} {}", c.name, g.tag, g.detail),
    }
}

/// The expected tag matched by `e` among the unused ones: in training only with all details,
/// in the blind split by id when no tag has all details.
fn find<'a>(
    tag: &str,
    detail: &BTreeMap<String, Value>,
    got: &'a [Tag],
    used: &[bool],
    mode: Mode,
) -> Option<(usize, &'a Tag)> {
    let mut free = got
        .iter()
        .enumerate()
        .filter(|(i, g)| !used[*i] && g.tag == tag);
    let exact = free
        .clone()
        .find(|(_, g)| detail_matches(tag, detail, &g.detail));
    match mode {
        Mode::Training => exact,
        Mode::Blind => exact.or_else(|| free.next()),
    }
}

/// What one case gave, tag by tag.
enum Event {
    /// Expected and found (with all details or not).
    Found { tag: String, detail_ok: bool },
    /// Given but not expected (or forbidden).
    Extra(String),
    /// Expected and not found.
    Missed(String),
}

impl Score {
    fn add(&mut self, e: &Event) {
        match e {
            Event::Found { detail_ok, .. } => {
                self.tp += 1;
                self.id_hits += 1;
                if *detail_ok {
                    self.detail_hits += 1;
                }
            }
            Event::Extra(_) => self.fp += 1,
            Event::Missed(_) => self.missed += 1,
        }
    }
}

/// Scores one case: its events, whether it is negative, and report lines. In training a tag
/// found without all its details is missed (and its wrong tag extra).
fn score(c: &Case, got: &[Tag], mode: Mode) -> (Vec<Event>, bool, Vec<String>) {
    let mut report = Vec::new();
    let mut events = Vec::new();
    if let Some(ids) = &c.not {
        for g in got.iter().filter(|g| ids.contains(&g.tag)) {
            events.push(Event::Extra(g.tag.clone()));
            report.push(extra(c, g, mode));
        }
        return (events, true, report);
    }
    let expected = c.expect.as_deref().unwrap_or_default();
    let mut used = vec![false; got.len()];
    for e in expected {
        let tag = tag_of(e);
        let detail = detail_of(e);
        match find(tag, &detail, got, &used, mode) {
            Some((i, g)) => {
                used[i] = true;
                let detail_ok = detail_matches(tag, &detail, &g.detail);
                if !detail_ok {
                    report.push(format!(
                        "DETAIL {}: {tag} expected {}, got {}",
                        c.name,
                        show(&detail),
                        g.detail
                    ));
                }
                events.push(Event::Found {
                    tag: tag.to_string(),
                    detail_ok,
                });
            }
            None => {
                events.push(Event::Missed(tag.to_string()));
                report.push(format!("MISSED {}: {tag} {}", c.name, show(&detail)));
            }
        }
    }
    for (i, g) in got.iter().enumerate() {
        if !used[i] {
            events.push(Event::Extra(g.tag.clone()));
            report.push(extra(c, g, mode));
        }
    }
    (events, expected.is_empty(), report)
}

/// `REGWATCH_CORPUS_DUMP=FILE` (training split only): appends one JSON line per case to FILE,
/// its name and every tag it gave, with all fields, so that two engines can be compared with
/// `diff` (a change meant to be output-neutral must leave the dump byte-identical).
fn dump(name: &str, got: &[Tag]) {
    use std::io::Write;
    let Some(path) = std::env::var_os("REGWATCH_CORPUS_DUMP") else {
        return;
    };
    let line = serde_json::json!({ "case": name, "tags": got });
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", Path::new(&path).display()));
    writeln!(f, "{line}").unwrap_or_else(|e| panic!("{}: {e}", Path::new(&path).display()));
}

/// Every `*.toml` under `dir`, sorted (one directory level per language is allowed).
fn case_files(dir: &Path) -> Option<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            files.extend(case_files(&p).unwrap_or_default());
        } else if p.extension().is_some_and(|x| x == "toml") {
            files.push(p);
        }
    }
    files.sort();
    Some(files)
}

/// Reads, checks, tags and scores every `*.toml` file of `dir`; `None` when `dir` is missing.
pub fn run(dir: &Path, mode: Mode) -> Option<Run> {
    let files = case_files(dir)?;
    let mut run = Run {
        files: files.len(),
        per_lang: BTreeMap::new(),
        per_tag: BTreeMap::new(),
        per_pack: BTreeMap::new(),
        all: Score::default(),
        report: Vec::new(),
    };
    let mut names = HashSet::new();
    for path in &files {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{shown}: {e}"));
        for c in &file.case {
            assert!(
                names.insert(c.name.clone()),
                "{shown}: duplicate name {}",
                c.name
            );
            let lang = validate(&shown, c, mode);
            let got = tags_of(c, lang);
            if mode == Mode::Training {
                dump(&c.name, &got);
            }
            if mode == Mode::Training {
                for t in &got {
                    assert!(!t.summary.is_empty(), "{}: empty summary", c.name);
                    assert!(
                        !(t.evidence.old.is_empty() && t.evidence.new.is_empty()),
                        "{}: no evidence",
                        c.name
                    );
                }
            }
            let (events, negative, report) = score(c, &got, mode);
            run.report.extend(report);
            let lang = run.per_lang.entry(c.lang.clone()).or_default();
            for s in [&mut run.all, lang] {
                s.cases += 1;
                s.negatives += usize::from(negative);
                events.iter().for_each(|e| s.add(e));
            }
            for e in &events {
                let (Event::Found { tag, .. } | Event::Extra(tag) | Event::Missed(tag)) = e;
                run.per_tag.entry(tag.clone()).or_default().add(e);
                let pack = packs::pack_of(tag).unwrap_or("user");
                run.per_pack.entry(pack.to_string()).or_default().add(e);
            }
        }
    }
    Some(run)
}
