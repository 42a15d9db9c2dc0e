//! The blind split: tagging cases written by someone who had not seen the engine
//! (`tests/corpus/blind/*.toml`, see its README and tests/corpus/README.md). Scored on every
//! `cargo test` — precision, recall and detail accuracy per language — and never tuned on: a
//! blind case that must be fixed moves to the training split and a new blind one is written. It
//! fails on malformed data, not on low scores (the targets are tracked in the closing notes until
//! the tagger meets them).
//!
//! Runs with `harness = false` (see Cargo.toml) so the figures are printed.

#[path = "common/corpus.rs"]
mod corpus;

use std::path::Path;

use corpus::Mode;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/blind");
    let Some(run) = corpus::run(&dir, Mode::Blind) else {
        println!("blind split: none yet ({} missing)", dir.display());
        return;
    };
    println!("blind split ({} files):", run.files);
    for (lang, s) in &run.per_lang {
        println!("  {}", s.line(lang, Mode::Blind));
    }
    println!("  {}", run.all.line("all", Mode::Blind));
    for (pack, s) in &run.per_pack {
        println!("  pack {}", s.line(pack, Mode::Blind));
    }
    if std::env::var_os("REGWATCH_BLIND_REPORT").is_some() {
        for line in &run.report {
            println!("  {line}");
        }
    }
}
