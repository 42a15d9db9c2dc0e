//! Criterion benchmarks of the three CPU stages of a check: extraction of a 100 KB regulatory
//! page, the diff of two versions of it, and the tagging of a realistic change.
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
}

criterion_group!(benches, stages);
criterion_main!(benches);
