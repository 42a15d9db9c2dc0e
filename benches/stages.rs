//! Criterion benchmarks of the three CPU stages of a check: extraction of a 100 KB regulatory
//! page, the diff of two versions of it, the tagging of a realistic change, and the tagging of
//! whole new documents of 250 KB, 500 KB and 1 MB (linear growth).
//! Run: `cargo bench --bench stages`. The end-to-end figure is `regwatch bench` (BENCHMARKS.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use regwatch::diff::diff_blocks;
use regwatch::extract::{Css, Spec, extract_html};
use regwatch::tag::{TagContext, tag_hunks};

fn css() -> Css {
    Css {
        select: vec![scraper::Selector::parse("main").expect("static selector")],
        remove: Vec::new(),
    }
}

fn stages(c: &mut Criterion) {
    let old_page = regwatch::dev::bench::sample_page(7, 100_000, "4,800");
    let new_page = old_page.replacen(
        "total processing performance is 4,800 or more",
        "total processing performance is 4,000 or more",
        1,
    );
    let css = css();
    let spec = Spec {
        css: &css,
        ignore: &[],
    };
    c.bench_function("extract 100 KB page", |b| {
        b.iter(|| extract_html(black_box(&old_page), spec).expect("extracts"));
    });

    let old = extract_html(&old_page, spec).expect("extracts");
    let mut new = extract_html(&new_page, spec).expect("extracts");
    // A second, unrelated edit further down, and a paragraph removed: a realistic revision.
    let mid = new.len() / 2;
    new[mid].push_str(" This paragraph was amended on 15 May 2025.");
    new.remove(mid + 3);
    c.bench_function("diff two versions (100 KB page)", |b| {
        b.iter(|| diff_blocks(black_box(&old), black_box(&new)));
    });

    let diff = diff_blocks(&old, &new);
    let ctx = TagContext {
        lang: None,
        source_id: "bench",
        old: &old,
        new: &new,
        ..TagContext::default()
    };
    c.bench_function("tag a realistic change", |b| {
        b.iter(|| tag_hunks(black_box(&diff.hunks), &ctx));
    });
    assert!(
        tag_hunks(&diff.hunks, &ctx)
            .iter()
            .any(|t| t.tag == "threshold_changed"),
        "the benchmark change must carry its threshold tag"
    );
    new_documents(c, spec);
}

/// Tagging a whole new document (every block added) of 250 KB, 500 KB and 1 MB: the time must
/// grow linearly with the size (compare the three figures).
fn new_documents(c: &mut Criterion, spec: Spec<'_>) {
    for kb in [250usize, 500, 1000] {
        let mut blocks = Vec::new();
        let mut seed = 11;
        while blocks.iter().map(String::len).sum::<usize>() < kb * 1000 {
            let page = regwatch::dev::bench::sample_page(seed, 100_000, "4,800");
            blocks.extend(extract_html(&page, spec).expect("extracts"));
            seed += 1;
        }
        let diff = diff_blocks(&[], &blocks);
        let ctx = TagContext {
            lang: None,
            source_id: "bench",
            new: &blocks,
            ..TagContext::default()
        };
        c.bench_function(&format!("tag a new {kb} KB document"), |b| {
            b.iter(|| tag_hunks(black_box(&diff.hunks), &ctx));
        });
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
