//! Criterion benchmarks of the web surface over a real SQLite file holding 10,000 changes
//! (seeded by `regwatch::dev::seed`, 20 sources): the dashboard's first page with default
//! filters, the same filtered by tag and severity, a filter nothing matches (the worst case: the
//! whole time index walked), the Atom feed, one page of the API and the
//! whole list streamed (`?limit=all`). Each request goes through the same router `regwatch web`
//! serves (middleware, a fresh connection per request, the template), in process, without a
//! socket. Run: `cargo bench --bench web`; figures in BENCHMARKS.md, "Web".

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use regwatch::config::Config;
use regwatch::store::Store;
use tower::ServiceExt as _;

/// Changes in the benchmark's database.
const CHANGES: usize = 10_000;

fn web(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let config_path = dir.path().join("sources.toml");
    std::fs::write(&config_path, "[settings]\ndatabase = \"bench.db\"\n").expect("config");
    let config = Config::load(&config_path).expect("config loads");
    {
        let mut store = Store::open(&config.settings.database).expect("database");
        regwatch::dev::seed::seed_changes(&mut store, CHANGES).expect("seeded");
    }
    let (_keep, rx) = tokio::sync::watch::channel(Arc::new(config));
    let app = regwatch::web::router(regwatch::web::Web::new(rx, None, None));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let get = |uri: &str| -> (u16, Vec<u8>) {
        rt.block_on(async {
            let request = Request::get(uri).body(Body::empty()).expect("request");
            let response = app.clone().oneshot(request).await.expect("infallible");
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            (status, body.to_vec())
        })
    };
    for (name, uri, want) in [
        ("GET / (10,000 changes)", "/", "threshold_changed"),
        (
            "GET /?tag=tier_move&severity=high",
            "/?tag=tier_move&severity=high",
            "tier_move",
        ),
        (
            "GET /?severity=critical (no match: every change looked at)",
            "/?severity=critical",
            "Changes",
        ),
        ("GET /feed.atom", "/feed.atom", "<entry>"),
        ("GET /api/v1/changes", "/api/v1/changes", "\"changes\""),
        (
            "GET /api/v1/changes?limit=all (10,000, streamed)",
            "/api/v1/changes?limit=all",
            "\"changes\"",
        ),
    ] {
        let (status, body) = get(uri);
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "{uri}: {text}");
        assert!(text.contains(want), "{uri} without {want}");
        c.bench_function(name, |b| b.iter(|| get(uri)));
    }
}

criterion_group!(benches, web);
criterion_main!(benches);
