//! The shape stays true: reads the layer table of `docs/ARCHITECTURE.md` and the sources under
//! `src/`, and fails on an import the table does not allow, on an import cycle, and on a module
//! the table does not know.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `module → allowed modules` from the table between the `layers` markers; `None` = any.
fn allowed() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let start = doc
        .find("<!-- layers:begin -->")
        .expect("layers:begin marker");
    let end = doc.find("<!-- layers:end -->").expect("layers:end marker");
    let mut table = BTreeMap::new();
    for line in doc[start..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[1].starts_with('`') {
            continue;
        }
        let module = cells[1].trim_matches('`').to_string();
        let uses = if cells[2] == "every module" {
            None
        } else {
            Some(
                cells[2]
                    .split(',')
                    .map(|s| s.trim().trim_matches('`').to_string())
                    .filter(|s| !s.is_empty() && s != "—")
                    .collect(),
            )
        };
        table.insert(module, uses);
    }
    table
}

/// Comments removed (line and block), so prose never counts as an import.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to (`crate` for lib.rs and main.rs).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    if name == "lib" || name == "main" {
        "crate".into()
    } else {
        name
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names after `crate::`, including those in `crate::{a, b::c}` groups.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                refs.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            refs.insert(name);
        }
    }
    refs
}

/// The module graph of `src/`.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut g = Graph::new();
    for f in &files {
        let from = module_of(src, f);
        let text = strip_comments(&std::fs::read_to_string(f).unwrap());
        let edges = g.entry(from.clone()).or_default();
        for to in crate_refs(&text) {
            if to != from && modules.contains(&to) && to != "crate" {
                edges.insert(to);
            }
        }
    }
    g
}

/// Modules on a cycle: whatever cannot be peeled off as a leaf (uses nothing left) or as a
/// root (used by nothing left).
fn cyclic(g: &Graph) -> BTreeSet<String> {
    let mut g = g.clone();
    loop {
        let peel: Vec<String> = g
            .iter()
            .filter(|(m, to)| {
                to.iter().all(|t| !g.contains_key(t))
                    || !g.values().any(|targets| targets.contains(*m))
            })
            .map(|(m, _)| m.clone())
            .collect();
        if peel.is_empty() {
            return g.keys().cloned().collect();
        }
        for m in peel {
            g.remove(&m);
        }
    }
}

/// Every edge the table does not allow, as "a -> b".
fn forbidden(g: &Graph, table: &BTreeMap<String, Option<BTreeSet<String>>>) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, to) in g {
        if from == "crate" {
            continue;
        }
        match table.get(from) {
            None => bad.push(format!("{from}: not in the layer table")),
            Some(None) => {}
            Some(Some(ok)) => {
                for t in to.iter().filter(|t| !ok.contains(*t)) {
                    bad.push(format!("{from} -> {t}"));
                }
            }
        }
    }
    bad
}

#[test]
fn imports_follow_the_layers_in_the_architecture_document() {
    let table = allowed();
    assert!(table.len() >= 10, "layer table not found or too short");
    let g = graph(&root().join("src"));
    let bad = forbidden(&g, &table);
    assert!(
        bad.is_empty(),
        "imports the layering in docs/ARCHITECTURE.md forbids:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph(&root().join("src"));
    let on_cycle = cyclic(&g);
    assert!(
        on_cycle.is_empty(),
        "modules on an import cycle: {on_cycle:?}"
    );
}

#[test]
fn the_checker_itself_sees_cycles_forbidden_edges_and_grouped_imports() {
    let edge = |a: &str, b: &[&str]| (a.to_string(), b.iter().map(|s| (*s).to_string()).collect());
    let g: Graph = [edge("a", &["b"]), edge("b", &["a"]), edge("c", &["a"])].into();
    assert_eq!(cyclic(&g), ["a", "b"].map(String::from).into());
    let table = [("a".to_string(), Some(BTreeSet::from(["b".to_string()])))].into();
    let bad = forbidden(&g, &table);
    assert!(bad.contains(&"b: not in the layer table".to_string()));
    assert!(crate_refs("use crate::{model::Tag, store};").contains("store"));
    assert!(crate_refs("x = crate::util::hex(b)").contains("util"));
    assert!(!crate_refs("my_crate::foo").contains("foo"));
    assert!(strip_comments("// crate::dev\n/* crate::cli */ a").trim() == "a");
}
