//! A real browser over the dashboard: headless Chromium (`--dump-dom`, `--screenshot`) on `/`,
//! a change page and `/sources` of `regwatch web` serving a seeded database. `.ci/run` installs
//! Debian's `chromium`; without it the test says so and passes locally, and fails under CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::json_lines;
use common::web::{WebServer, seeded};

/// The Chromium binary, if installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium with a throw-away profile; returns stdout.
fn run(bin: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A PNG of the expected size with more than a handful of colours (text, badges, marks).
fn assert_not_blank(png_path: &Path, width: u32) {
    let file = std::fs::File::open(png_path).expect("screenshot written");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    assert_eq!(info.width, width, "{}", png_path.display());
    let bytes = &buf[..info.buffer_size()];
    let step = (info.line_size / info.width as usize).max(1);
    let mut colours = std::collections::HashSet::new();
    for px in bytes.chunks(step) {
        colours.insert(px.to_vec());
        if colours.len() > 16 {
            return;
        }
    }
    panic!(
        "{} is blank: {} colour(s)",
        png_path.display(),
        colours.len()
    );
}

#[test]
fn headless_chromium_sees_tags_diff_marks_and_draws_the_pages() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, but CI must run the browser test (.ci/run installs it)"
        );
        eprintln!(
            "SKIPPED: chromium is not installed (apt-get install -y chromium); CI runs this test"
        );
        return;
    };
    let (_server, p) = seeded();
    let changes = json_lines(&p.ok(&["changes", "--json"]));
    let tier = changes
        .iter()
        .find(|c| c["tags"][0]["tag"] == "tier_move")
        .expect("a tier move");
    let web = WebServer::start(&p, "127.0.0.1:0", &[]);
    let profile = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();

    let home = run(&bin, profile.path(), &["--dump-dom", &web.url("/")]);
    for want in [
        "tier_move",
        "threshold_changed",
        "Test rules page",
        "sev-high",
    ] {
        assert!(home.contains(want), "{want} not in the DOM of /:\n{home}");
    }
    let change_url = web.url(&format!("/changes/{}", tier["id"]));
    let page = run(&bin, profile.path(), &["--dump-dom", &change_url]);
    assert!(page.contains("<del>") && page.contains("<ins>"), "{page}");
    let summary = tier["tags"][0]["summary"].as_str().unwrap();
    assert!(page.contains(summary), "{summary} not in the DOM:\n{page}");
    let sources = run(&bin, profile.path(), &["--dump-dom", &web.url("/sources")]);
    assert!(
        sources.contains("Newsletter notes") && sources.contains("<td>html</td>"),
        "{sources}"
    );

    for (name, url, width) in [
        ("home.png", web.url("/"), 1280),
        ("change.png", change_url.clone(), 1280),
        ("sources.png", web.url("/sources"), 1280),
        ("change-phone.png", change_url, 390),
    ] {
        let shot = shots.path().join(name);
        run(
            &bin,
            profile.path(),
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={width},900"),
                &url,
            ],
        );
        assert_not_blank(&shot, width);
    }
}

/// Regenerates the README's screenshots (`docs/img/dashboard.png`, `docs/img/change.png`) from
/// the demo's database, as a newcomer sees it: `regwatch demo --serve`, then headless Chromium
/// on `/` and on the rescission change. Run by hand:
/// `cargo test --test browser -- --ignored screenshots`.
#[test]
#[ignore = "writes docs/img/; run by hand to refresh the README's screenshots"]
fn screenshots() {
    use std::io::BufRead as _;
    let bin = chromium().expect("chromium is needed: apt-get install -y chromium");
    let work = tempfile::tempdir().unwrap();
    let mut demo = Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .env_remove("REGWATCH_WEB_TOKEN")
        .args(["demo", "--serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start regwatch demo --serve");
    let lines = std::io::BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let url = lines
        .take(500)
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("Dashboard: ").map(|u| u.trim().to_string()))
        .expect("the demo prints its dashboard's address");
    let profile = tempfile::tempdir().unwrap();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
    std::fs::create_dir_all(&out).unwrap();
    // The change with the most tags (the rules page: threshold, tier, date, rescission).
    let home = run(&bin, profile.path(), &["--dump-dom", &url]);
    assert!(home.contains("rule_rescinded"), "{home}");
    for (name, path, height) in [("dashboard.png", "", 760), ("change.png", "changes/1", 900)] {
        let shot = out.join(name);
        run(
            &bin,
            profile.path(),
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size=1200,{height}"),
                "--force-device-scale-factor=1",
                &format!("{url}{path}"),
            ],
        );
        assert_not_blank(&shot, 1200);
        eprintln!(
            "wrote {} ({} bytes)",
            shot.display(),
            std::fs::metadata(&shot).unwrap().len()
        );
    }
    let killed = Command::new("kill")
        .args(["-TERM", &demo.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(demo.wait().unwrap().code(), Some(0));
}
