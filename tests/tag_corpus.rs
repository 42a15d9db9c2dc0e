//! The training split of the tagging corpus (`tests/corpus/train/*.toml`, see
//! tests/corpus/README.md): before/after texts written for regwatch (EN, FR, DE and no language
//! given), the tags each must yield (every detail field checked), and negative cases that must
//! yield no tag or not a given tag. Prints precision and recall, overall, per language, per pack
//! and per tag; they must not fall below the ratchet at the end of `main`.
//!
//! Runs with `harness = false` (see Cargo.toml): it prints its figures on every `cargo test`.

#[path = "common/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};

use corpus::Mode;

fn main() {
    // `REGWATCH_CORPUS=DIR` scores another folder (a new batch, before it joins the split); the
    // ratchet then does not apply.
    let chosen = std::env::var_os("REGWATCH_CORPUS").map(PathBuf::from);
    let dir = chosen
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/train"));
    let run =
        corpus::run(&dir, Mode::Training).unwrap_or_else(|| panic!("{} is missing", dir.display()));
    let all = &run.all;
    print_figures(&run);
    if chosen.is_some() {
        return;
    }
    assert!(all.cases >= 80, "only {} cases", all.cases);
    assert!(
        all.negatives * 4 >= all.cases,
        "only {} negative cases",
        all.negatives
    );
    let (precision, recall) = (all.precision(), all.recall());
    let report = run.report.join("\n");
    // A ratchet: the split grew from 118 tuned cases to 552, with 434 written independently of
    // the engine (issue 14), then to 732 with a third blind-written batch (P 0.707, R 0.783 on it
    // before tuning), to 852 with a fourth (P 0.776, R 0.849), to 957 with a fifth of long texts
    // (P 0.653, R 0.875), to 1002 with a sixth in German (P 0.773, R 0.548) and to 1042 with a
    // seventh of long French and English traps (P 0.688, R 0.917 before tuning). On 30 November
    // the first blind split (175 cases) was retired into training, and batches 8–12 (900 cases
    // written blind, 60 per language and theme: precision traps, dense documents, German press,
    // the EU pack, regulatory pages, legal texts, French recall, adversarial cases) and batch 13
    // (180 cases, two thirds precision traps) and batch 14 (90) took it to 2389; the adversarial
    // batch 12 (P 0.59–0.63, R 0.46–0.61 before tuning) and batch 13 (P 0.65–0.82) lowered the
    // aggregate. Batch 15 (285 cases, EN precision and recall, DE precision, FR recall; P
    // 0.75–0.83 before tuning) and batch 16 (48 EU-pack precision traps, P 0.556 before tuning)
    // and batches 17 (120, new genres: EN 0.697/0.767, DE 0.759/0.880) and 18 (120 English:
    // 0.900/0.789 and 0.667/0.857) took it to 2947, and batches 19 (120: EN 0.853/0.906, DE
    // 0.885/0.821) and 20 (180: DE 0.974/0.844, FR 0.618/0.677, EN bill pages and Federal Register
    // documents 0.559/0.594) to 3247; the ratchet is set to 0.950 for what they lowered. Batch 21
    // (240 cases on 1 December: EN formats 0.848/0.800, EN recall 0.784/0.569, EN precision
    // 0.651/0.903, DE precision 0.638/0.909 before tuning) took it to 3487 at P 0.954, R 0.955.
    // Batch 22 (240 cases on 1 December, evening: EN long third-party prose 0.833/0.682, DE
    // word order 0.898/0.898, FR press and official texts 0.917/0.880 before tuning on it) took
    // it to 3727 at P 0.961, R 0.953. Batch 23 (240: EN agency and Congress texts 0.800/0.815,
    // EN news and analyst notes 0.822/0.881, DE precision traps 0.733/0.943 before tuning) took it
    // to 3967 at P 0.957, R 0.951. The second blind split, retired into training (180), its two
    // moved cases, and batch 24 (160 on 1 December: EN long third-party texts 0.809/0.927, DE
    // recall in varied phrasing 0.760/0.731, FR 0.870/0.800 before tuning) took it to 4308 at
    // P 0.960, R 0.955.
    // Raise these as the engine improves; a new batch of independent cases may lower the figures
    // once, and the ratchet is then set to what the engine reaches on it.
    assert!(
        precision >= 0.950 && recall >= 0.950,
        "precision {precision:.3}, recall {recall:.3}\n{report}"
    );
}

/// Prints the figures: overall, per language, per pack, per tag, then each miss.
fn print_figures(run: &corpus::Run) {
    let all = &run.all;
    let (precision, recall) = (all.precision(), all.recall());
    println!(
        "tag corpus: {} cases ({} negative), {} expected tags found, {} false positives, {} missed",
        all.cases, all.negatives, all.tp, all.fp, all.missed
    );
    println!("precision {precision:.3}  recall {recall:.3}");
    println!("per language ({} files):", run.files);
    for (lang, s) in &run.per_lang {
        println!("  {}", s.line(lang, Mode::Training));
    }
    println!("per pack:");
    for (pack, s) in &run.per_pack {
        println!("  {}", s.line(pack, Mode::Training));
    }
    println!("per tag:");
    for (tag, s) in &run.per_tag {
        println!("  {}", s.line(tag, Mode::Training));
    }
    let report = run.report.join("\n");
    if !report.is_empty() {
        println!("{report}");
    }
}
