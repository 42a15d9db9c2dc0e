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

/// The module path of a file: `src/a/b.rs` → `[a, b]`, `src/a/mod.rs` → `[a]`, lib.rs → `[]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
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

/// Collects every path a file names (uses, expressions, types, macro bodies), resolved to the
/// top-level module it reaches: `crate::x…`, `super::…` from the file's place, aliases of
/// `crate`, and names re-exported at the crate root.
struct Refs<'a> {
    /// Module path of the code being visited (grows inside inline `mod x { … }`).
    here: Vec<String>,
    /// Names that stand for the crate root in this file (`crate`, `use crate as rw`).
    crate_aliases: Vec<String>,
    /// Root re-exports: `Store` → `store`.
    reexports: &'a BTreeMap<String, String>,
    /// Top-level modules reached.
    found: BTreeSet<String>,
}

impl Refs<'_> {
    /// Records a path given as its segments.
    fn path(&mut self, segs: &[String]) {
        let Some(first) = segs.first() else { return };
        let absolute: Vec<String> = if self.crate_aliases.contains(first) {
            segs[1..].to_vec()
        } else if first == "super" || first == "self" {
            let mut base = self.here.clone();
            let mut rest = segs;
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base
        } else {
            return;
        };
        if let Some(top) = absolute.first() {
            let top = self
                .reexports
                .get(top)
                .cloned()
                .unwrap_or_else(|| top.clone());
            self.found.insert(top);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.path(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                if prefix.is_empty() && r.ident == "crate" {
                    self.crate_aliases.push(r.rename.to_string());
                }
                prefix.push(r.ident.to_string());
                self.path(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.path(&prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// Paths inside macro bodies (`format!`, `json!`, `matches!` …), read from their tokens.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let mut segs: Vec<String> = Vec::new();
        let mut colons = 0;
        for tt in tokens {
            match tt {
                proc_macro2::TokenTree::Group(g) => {
                    self.path(&segs);
                    segs.clear();
                    self.tokens(g.stream());
                }
                proc_macro2::TokenTree::Ident(i) => {
                    if colons < 2 && !segs.is_empty() {
                        self.path(&segs);
                        segs.clear();
                    }
                    segs.push(i.to_string());
                    colons = 0;
                }
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => colons += 1,
                _ => {
                    self.path(&segs);
                    segs.clear();
                    colons = 0;
                }
            }
        }
        self.path(&segs);
    }
}

impl<'ast> syn::visit::Visit<'ast> for Refs<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(&segs);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.tokens(m.tokens.clone());
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.here.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.here.pop();
    }
}

/// Names re-exported at the crate root (`pub use store::{Store, StoreError};` → `Store` → store).
fn root_reexports(lib: &syn::File) -> BTreeMap<String, String> {
    fn walk(out: &mut BTreeMap<String, String>, module: Option<&str>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                let m = module.map_or_else(|| p.ident.to_string(), str::to_string);
                walk(out, Some(&m), &p.tree);
            }
            syn::UseTree::Name(n) => {
                if let Some(m) = module {
                    out.insert(n.ident.to_string(), m.to_string());
                }
            }
            syn::UseTree::Rename(r) => {
                if let Some(m) = module {
                    out.insert(r.rename.to_string(), m.to_string());
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(out, module, t)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = BTreeMap::new();
    for item in &lib.items {
        if let syn::Item::Use(u) = item {
            walk(&mut out, None, &u.tree);
        }
    }
    out
}

/// The top-level modules one file's text reaches.
fn refs_of(
    text: &str,
    here: Vec<String>,
    reexports: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("cannot parse: {e}"));
    let mut refs = Refs {
        here,
        crate_aliases: vec!["crate".to_string()],
        reexports,
        found: BTreeSet::new(),
    };
    syn::visit::visit_file(&mut refs, &file);
    refs.found
}

/// The module graph of `src/`.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let lib = syn::parse_file(&std::fs::read_to_string(src.join("lib.rs")).unwrap()).unwrap();
    let reexports = root_reexports(&lib);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(src, f).first().cloned())
        .collect();
    let mut g = Graph::new();
    for f in &files {
        let here = module_path(src, f);
        let from = here.first().cloned().unwrap_or_else(|| "crate".to_string());
        let text = std::fs::read_to_string(f).unwrap();
        let reached = refs_of(&text, here, &reexports);
        let edges = g.entry(from.clone()).or_default();
        for to in reached {
            if to != from && modules.contains(&to) {
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
fn the_checker_itself_sees_cycles_forbidden_edges_and_every_way_of_naming_a_module() {
    let edge = |a: &str, b: &[&str]| (a.to_string(), b.iter().map(|s| (*s).to_string()).collect());
    let g: Graph = [edge("a", &["b"]), edge("b", &["a"]), edge("c", &["a"])].into();
    assert_eq!(cyclic(&g), ["a", "b"].map(String::from).into());
    let table = [("a".to_string(), Some(BTreeSet::from(["b".to_string()])))].into();
    let bad = forbidden(&g, &table);
    assert!(bad.contains(&"b: not in the layer table".to_string()));

    let reexports: BTreeMap<String, String> = [("Store".to_string(), "store".to_string())].into();
    let reach = |text: &str, here: &[&str]| {
        refs_of(
            text,
            here.iter().map(|s| (*s).to_string()).collect(),
            &reexports,
        )
    };
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|s| (*s).to_string())
            .collect::<BTreeSet<_>>()
    };
    // Nested groups.
    assert_eq!(
        reach("use crate::{model::{Tag, Change}, store::Store};", &["x"]),
        set(&["model", "store"])
    );
    // super from deep inside a module, and self.
    assert_eq!(
        reach(
            "use super::super::super::store::Store; use self::inner::X;",
            &["tag", "pack", "x"]
        ),
        set(&["store", "tag"])
    );
    assert_eq!(
        reach("fn f() { super::super::store::open(); }", &["tag", "pack"]),
        set(&["store"])
    );
    // Strings that look like comments or paths hide nothing and add nothing.
    assert_eq!(
        reach(
            r#"const A: &str = "*/*"; const B: &str = "http://x"; fn f() { crate::cli::run(); }"#,
            &["x"]
        ),
        set(&["cli"])
    );
    // Aliases of the crate, spaced paths, root re-exports, macro bodies.
    assert_eq!(
        reach("use crate as rw; fn f() { rw::dev::x(); }", &["x"]),
        set(&["dev"])
    );
    assert_eq!(
        reach("fn f() { crate :: daemon :: run(); }", &["x"]),
        set(&["daemon"])
    );
    assert_eq!(reach("fn f(s: crate::Store) {}", &["x"]), set(&["store"]));
    assert_eq!(
        reach(
            r#"fn f() { println!("{}", crate::terminal::x()); }"#,
            &["x"]
        ),
        set(&["terminal"])
    );
}
