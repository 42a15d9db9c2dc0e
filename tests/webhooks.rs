//! Webhook channels end to end: the real binary, a real SQLite file and a real HTTP receiver on
//! 127.0.0.1. Slack, Teams and JSON payload shapes, the signature, the delivery id across
//! retries, exactly one delivery after failures, 410 → dead, `Retry-After`, a hanging receiver
//! that delays nobody else, the URL kept secret, an unset variable skipped with a warning.

mod common;
#[path = "common/hook.rs"]
mod hook;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::daemon::Daemon;
use common::{Project, json_lines, stderr, stdout};
use hmac::{Hmac, Mac};
use hook::{HookServer, Reply};
use regwatch::dev::serve::{Page, PageServer};
use sha2::Sha256;

/// A config with a mail directory, these recipients and the rules source.
fn config(pages: &PageServer, recipients: &str, settings: &str) -> String {
    format!(
        "{settings}\n[mail]\nfrom = \"regwatch <regwatch@example.eu>\"\nmail_dir = \"outbox-files\"\n\n{recipients}\n[[source]]\nid = \"rules\"\nname = \"Test rules\"\nurl = \"{}\"\nselect = [\"main\"]\nlang = \"en\"\n",
        pages.url("/rules")
    )
}

/// A recipient with only a webhook.
fn hook_recipient(name: &str, env: &str, format: &str, extra: &str) -> String {
    format!(
        "[[recipient]]\nname = \"{name}\"\nwebhook_env = \"{env}\"\nformat = \"{format}\"\nalerts = \"high\"\n{extra}\n"
    )
}

/// The page, with `&` and `<…>` in the threshold sentence (escaping is seen in the evidence).
fn page(threshold: &str) -> String {
    format!(
        "<!DOCTYPE html><html><body><main><h1>Advanced computing controls</h1>\
         <p>A chip &amp; its &lt;module&gt; is controlled when its total processing performance is {threshold} or more.</p>\
         </main></body></html>"
    )
}

/// Runs with these variables and asserts success.
fn ok_env(p: &Project, args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let out = p.run_env(args, env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "regwatch {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// A baseline at 4,800, then the HIGH change to 4,000, each with `check` (which also delivers).
fn high_change(pages: &PageServer, p: &Project, env: &[(&str, Option<&str>)]) -> (Output, Output) {
    pages.set("/rules", Page::html(page("4,800")));
    let first = ok_env(p, &["check"], env);
    pages.set("/rules", Page::html(page("4,000")));
    let second = ok_env(p, &["check"], env);
    (first, second)
}

fn outbox(p: &Project) -> Vec<serde_json::Value> {
    json_lines(&p.ok(&["outbox", "--json"]))
}

fn row<'a>(rows: &'a [serde_json::Value], recipient: &str, channel: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["recipient"] == recipient && r["channel"] == channel)
        .unwrap_or_else(|| panic!("no {channel} row for {recipient}: {rows:?}"))
}

#[test]
fn slack_alerts_are_block_kit_with_headline_escaped_evidence_and_link() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![]);
    let url = hook.url("/services/T000/B000/slack");
    let p = Project::new(&config(
        &pages,
        &hook_recipient("ops", "OPS_SLACK", "slack", ""),
        "[settings]\npublic_url = \"https://regwatch.example.eu/\"\n",
    ));
    high_change(&pages, &p, &[("OPS_SLACK", Some(&url))]);
    let got = hook.accepted();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].path, "/services/T000/B000/slack");
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    let v = got[0].json();
    let blocks = v["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        "[HIGH] TPP threshold 4,800 → 4,000"
    );
    let all = serde_json::to_string(&v).unwrap();
    assert!(
        all.contains("A chip &amp; its &lt;module&gt; is controlled"),
        "page text escaped for mrkdwn: {all}"
    );
    assert!(!all.contains("<module>"), "{all}");
    let change_id = row(&outbox(&p), "ops", "webhook")["change_id"].clone();
    assert!(
        all.contains(&format!(
            "<https://regwatch.example.eu/changes/{change_id}|View the change>"
        )),
        "{all}"
    );
    let rows = outbox(&p);
    assert_eq!(rows.len(), 1, "no e-mail for a webhook-only recipient");
    assert_eq!(rows[0]["state"], "sent");
    assert_eq!(rows[0]["format"], "slack");
    assert_eq!(rows[0]["to"], serde_json::json!([]));
}

#[test]
fn teams_alerts_are_an_adaptive_card_attachment() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![]);
    let p = Project::new(&config(
        &pages,
        &hook_recipient("legal", "LEGAL_TEAMS", "teams", ""),
        "",
    ));
    high_change(&pages, &p, &[("LEGAL_TEAMS", Some(&hook.url("/workflow")))]);
    let got = hook.accepted();
    assert_eq!(got.len(), 1, "{got:?}");
    let v = got[0].json();
    assert_eq!(v["type"], "message");
    let a = &v["attachments"][0];
    assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
    let card = &a["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    assert_eq!(
        card["body"][1]["inlines"][0]["text"],
        "TPP threshold 4,800 → 4,000"
    );
    let all = serde_json::to_string(card).unwrap();
    assert!(
        all.contains("A chip & its <module> is controlled"),
        "plain text in cards: {all}"
    );
    // Without public_url, the link is the page that changed.
    assert_eq!(card["actions"][0]["url"], pages.url("/rules"));
}

fn verify(secret: &str, body: &[u8], header: Option<&str>) {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header, Some(format!("sha256={want}").as_str()));
}

#[test]
fn json_alerts_are_the_change_object_signed_and_a_receiver_failing_twice_gets_exactly_one() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![Reply::status(500), Reply::status(502)]);
    let url = hook.url("/in");
    let p = Project::new(&config(
        &pages,
        &hook_recipient(
            "bot",
            "BOT_URL",
            "json",
            "webhook_secret_env = \"BOT_SECRET\"",
        ),
        "",
    ));
    let env = [
        ("BOT_URL", Some(url.as_str())),
        ("BOT_SECRET", Some("s3cret")),
    ];
    high_change(&pages, &p, &env);
    let r = row(&outbox(&p), "bot", "webhook").clone();
    assert_eq!(r["state"], "pending", "{r:?}");
    assert!(
        r["last_error"]
            .as_str()
            .unwrap()
            .contains("webhook for recipient bot: HTTP 500"),
        "{r:?}"
    );
    ok_env(&p, &["deliver"], &env);
    assert_eq!(row(&outbox(&p), "bot", "webhook")["state"], "pending");
    ok_env(&p, &["deliver"], &env);
    ok_env(&p, &["deliver"], &env);
    let r = row(&outbox(&p), "bot", "webhook").clone();
    assert_eq!(r["state"], "sent", "{r:?}");
    assert_eq!(r["attempts"], 3);

    let all = hook.requests();
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(hook.accepted().len(), 1, "exactly one delivery");
    let ids: Vec<_> = all
        .iter()
        .map(|q| q.header("x-regwatch-delivery"))
        .collect();
    assert_eq!(ids[0], r["message_id"].as_str(), "the outbox message id");
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "stable across retries: {ids:?}"
    );
    for q in &all {
        assert_eq!(q.body, all[0].body, "rendered once");
        verify("s3cret", &q.body, q.header("x-regwatch-signature"));
    }
    // The body is the change object of `show --json`.
    let id = r["change_id"].as_i64().unwrap().to_string();
    let shown = json_lines(&p.ok(&["show", &id, "--json"]));
    assert_eq!(all[0].json(), shown[0]);
}

#[test]
fn a_410_is_dead_with_its_status_kept_and_outbox_retry_requeues_it() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![Reply::status(410)]);
    let url = hook.url("/gone");
    let p = Project::new(&config(
        &pages,
        &hook_recipient("ops", "OPS_URL", "json", ""),
        "",
    ));
    let env = [("OPS_URL", Some(url.as_str()))];
    high_change(&pages, &p, &env);
    let r = row(&outbox(&p), "ops", "webhook").clone();
    assert_eq!(r["state"], "dead", "{r:?}");
    let why = r["last_error"].as_str().unwrap();
    assert!(why.contains("webhook for recipient ops: HTTP 410"), "{why}");
    ok_env(&p, &["deliver"], &env);
    assert_eq!(hook.requests().len(), 1, "a dead message is not retried");

    ok_env(&p, &["outbox", "retry", "--dead"], &env);
    ok_env(&p, &["deliver"], &env);
    assert_eq!(row(&outbox(&p), "ops", "webhook")["state"], "sent");
    assert_eq!(hook.accepted().len(), 1);
}

/// A HIGH change alerted to a `format` receiver answering "429, Retry-After: `retry_after`":
/// the receiver, the project, the receiver's URL and the seconds until the outbox row's next
/// attempt (the row must still be pending).
struct AfterA429 {
    /// Kept serving: a later `check` fetches the page again.
    _pages: PageServer,
    hook: HookServer,
    p: Project,
    url: String,
    wait: i64,
}

/// See [`AfterA429`].
fn after_a_429(retry_after: &str, format: &str) -> AfterA429 {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![Reply::Status(
        429,
        vec![("Retry-After".into(), retry_after.into())],
    )]);
    let url = hook.url("/busy");
    let p = Project::new(&config(
        &pages,
        &hook_recipient("ops", "OPS_URL", format, ""),
        "",
    ));
    high_change(&pages, &p, &[("OPS_URL", Some(url.as_str()))]);
    let r = row(&outbox(&p), "ops", "webhook").clone();
    assert_eq!(r["state"], "pending", "{r:?}");
    let next = chrono::DateTime::parse_from_rfc3339(r["next_attempt_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let wait = (next - chrono::Utc::now()).num_seconds();
    AfterA429 {
        _pages: pages,
        hook,
        p,
        url,
        wait,
    }
}

#[test]
fn a_429_is_retried_after_the_retry_after_it_asked_for() {
    let AfterA429 {
        _pages,
        hook,
        p,
        url,
        wait,
    } = after_a_429("3000", "slack");
    // 3000 s asked; the backoff alone would be 60 s.
    assert!((2900..=3000).contains(&wait), "next attempt in {wait} s");
    // `check` only sends what is due: nothing now.
    ok_env(&p, &["check"], &[("OPS_URL", Some(url.as_str()))]);
    assert_eq!(hook.requests().len(), 1);
}

/// A `Retry-After` shorter than the backoff does not replace it: a receiver answering
/// "429, Retry-After: 1" is tried again after the backoff (60 s after a first failure), not a
/// second later.
#[test]
fn a_short_retry_after_does_not_shorten_the_backoff() {
    let AfterA429 { hook, wait, .. } = after_a_429("1", "json");
    // 1 s asked; the backoff after a first failure is 60 s.
    assert!((50..=60).contains(&wait), "next attempt in {wait} s");
    assert_eq!(hook.requests().len(), 1);
}

#[test]
fn a_receiver_that_closes_mid_request_is_retried_and_gets_one_delivery() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![Reply::Close]);
    let url = hook.url("/flaky");
    let p = Project::new(&config(
        &pages,
        &hook_recipient("ops", "OPS_URL", "json", ""),
        "",
    ));
    let env = [("OPS_URL", Some(url.as_str()))];
    high_change(&pages, &p, &env);
    let r = row(&outbox(&p), "ops", "webhook").clone();
    assert_eq!(r["state"], "pending", "{r:?}");
    assert!(
        r["last_error"]
            .as_str()
            .unwrap()
            .starts_with("webhook for recipient ops:"),
        "{r:?}"
    );
    ok_env(&p, &["deliver"], &env);
    assert_eq!(row(&outbox(&p), "ops", "webhook")["state"], "sent");
    assert_eq!(hook.accepted().len(), 1);
}

fn spawn(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("regwatch"));
    cmd.current_dir(p.path())
        .env("NO_COLOR", "1")
        .env_remove("REGWATCH_LOG")
        .arg("--config")
        .arg(p.config_path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start regwatch")
}

/// The state of a recipient's message on `channel`, read from the database directly.
fn state(p: &Project, recipient: &str, channel: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(p.db_path()).ok()?;
    conn.busy_timeout(Duration::from_secs(5)).ok()?;
    conn.query_row(
        "SELECT state FROM outbox WHERE recipient = ?1 AND channel = ?2",
        [recipient, channel],
        |r| r.get(0),
    )
    .ok()
}

#[test]
fn a_hanging_receiver_delays_no_other_webhook_and_no_email() {
    let pages = PageServer::start_in_thread().unwrap();
    let slow = HookServer::start(vec![Reply::Hang]);
    let fast = HookServer::start(vec![]);
    let recipients = format!(
        "{}{}[[recipient]]\nname = \"mail\"\nemails = [\"mail@example.eu\"]\nalerts = \"high\"\n",
        hook_recipient("slow", "SLOW_URL", "json", ""),
        hook_recipient("fast", "FAST_URL", "slack", "")
    );
    let p = Project::new(&config(&pages, &recipients, ""));
    let (slow_url, fast_url) = (slow.url("/slow"), fast.url("/fast"));
    let env = [
        ("SLOW_URL", slow_url.as_str()),
        ("FAST_URL", fast_url.as_str()),
    ];
    let opt: Vec<(&str, Option<&str>)> = env.iter().map(|(k, v)| (*k, Some(*v))).collect();
    pages.set("/rules", Page::html(page("4,800")));
    ok_env(&p, &["check"], &opt);
    pages.set("/rules", Page::html(page("4,000")));
    let mut child = spawn(&p, &["check"], &env);
    slow.wait_for(1, Duration::from_secs(60));
    fast.wait_for(1, Duration::from_secs(60));
    // While the slow receiver holds its request, the others are delivered and recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(state(&p, "fast", "webhook").as_deref() == Some("sent")
        && state(&p, "mail", "email").as_deref() == Some("sent"))
    {
        assert!(Instant::now() < deadline, "the others were not delivered");
        assert!(child.try_wait().unwrap().is_none(), "check ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(state(&p, "slow", "webhook").as_deref(), Some("sending"));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting for the slow one"
    );
    assert_eq!(
        std::fs::read_dir(p.path().join("outbox-files"))
            .unwrap()
            .count(),
        1,
        "the e-mail was written"
    );
    slow.release();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state(&p, "slow", "webhook").as_deref(), Some("sent"));
    assert_eq!(slow.accepted().len(), 1);
    assert_eq!(fast.accepted().len(), 1);
}

/// The daemon's delivery does not wait for a hanging receiver to take in new messages: while
/// the slow receiver still holds the first alert's request (well within its 30 s time-out), a
/// second change's alert reaches the fast receiver.
#[test]
fn in_the_daemon_a_hanging_receiver_does_not_hold_back_later_alerts_to_others() {
    let pages = PageServer::start_in_thread().unwrap();
    let slow = HookServer::start(vec![Reply::Hang]);
    let fast = HookServer::start(vec![]);
    let recipients = format!(
        "{}{}",
        hook_recipient("slow", "SLOW_URL", "json", ""),
        hook_recipient("fast", "FAST_URL", "json", "")
    );
    let p = Project::new(
        &config(
            &pages,
            &recipients,
            "[settings]\nper_host_delay = \"100ms\"\n",
        )
        .replace("lang = \"en\"\n", "lang = \"en\"\ninterval = \"1s\"\n"),
    );
    let (slow_url, fast_url) = (slow.url("/slow"), fast.url("/fast"));
    let env = [
        ("SLOW_URL", slow_url.as_str()),
        ("FAST_URL", fast_url.as_str()),
    ];
    let opt: Vec<(&str, Option<&str>)> = env.iter().map(|(k, v)| (*k, Some(*v))).collect();
    pages.set("/rules", Page::html(page("4,800")));
    ok_env(&p, &["check"], &opt);
    pages.set("/rules", Page::html(page("4,000")));
    let mut d = Daemon::start_env(&p, &env);
    d.wait_check("rules", "changed");
    slow.wait_for(1, Duration::from_secs(60));
    fast.wait_for(1, Duration::from_secs(60));
    // A second change while the slow receiver still holds the first alert.
    pages.set("/rules", Page::html(page("3,000")));
    d.wait_check("rules", "changed");
    let second = fast.wait_for(2, Duration::from_secs(60));
    assert!(
        second[1].json()["tags"][0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("3,000")),
        "{:?}",
        second[1].json()
    );
    // The slow one is still hanging on the first: nothing was waiting for its time-out.
    assert_eq!(slow.requests().len(), 1);
    let slow_rows: Vec<serde_json::Value> = outbox(&p)
        .into_iter()
        .filter(|r| r["recipient"] == "slow")
        .collect();
    assert_eq!(slow_rows.len(), 2, "{slow_rows:?}");
    assert!(
        slow_rows.iter().any(|r| r["state"] == "sending"),
        "{slow_rows:?}"
    );
    slow.release();
    slow.wait_for(2, Duration::from_secs(60));
    assert_eq!(d.stop(), Some(0));
    assert_eq!(slow.accepted().len(), 2);
    assert_eq!(fast.accepted().len(), 2);
}

#[test]
fn the_webhook_url_never_appears_in_output_logs_outbox_or_database() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![Reply::status(500), Reply::Close, Reply::status(410)]);
    let secret_path = "/hooks/T0SECRETTOKEN/B0SECRET";
    let url = hook.url(secret_path);
    let p = Project::new(&config(
        &pages,
        "[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nwebhook_env = \"OPS_URL\"\nformat = \"slack\"\n",
        "",
    ));
    let env = [
        ("OPS_URL", Some(url.as_str())),
        ("REGWATCH_LOG", Some("debug")),
    ];
    let mut seen = String::new();
    let (a, b) = high_change(&pages, &p, &env);
    for o in [a, b] {
        seen.push_str(&stdout(&o));
        seen.push_str(&stderr(&o));
    }
    for args in [
        &["deliver"][..],
        &["deliver"],
        &["outbox"],
        &["outbox", "--json"],
        &["config", "check"],
    ] {
        let o = ok_env(&p, args, &env);
        seen.push_str(&stdout(&o));
        seen.push_str(&stderr(&o));
    }
    assert_eq!(hook.requests().len(), 3, "500, closed, 410");
    assert_eq!(row(&outbox(&p), "ops", "webhook")["state"], "dead");
    assert!(seen.contains("webhook for recipient ops"), "{seen}");
    // Refused connections too.
    let down = common::ports::ClosedPort::reserve();
    let closed = format!("http://127.0.0.1:{}{secret_path}", down.port);
    ok_env(&p, &["outbox", "retry", "--dead"], &env);
    let o = ok_env(
        &p,
        &["deliver"],
        &[("OPS_URL", Some(&closed)), ("REGWATCH_LOG", Some("debug"))],
    );
    seen.push_str(&stdout(&o));
    seen.push_str(&stderr(&o));
    seen.push_str(&p.ok(&["outbox", "--json"]));
    assert!(seen.contains("cannot connect"), "{seen}");
    assert!(!seen.contains("T0SECRET"), "the URL leaked:\n{seen}");
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(p.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!bytes.is_empty());
    assert!(
        !bytes.windows(8).any(|w| w == b"T0SECRET"),
        "the URL is in the database or another file"
    );
}

#[test]
fn an_unset_variable_skips_the_webhook_with_one_warning_and_email_still_goes() {
    let pages = PageServer::start_in_thread().unwrap();
    let p = Project::new(&config(
        &pages,
        "[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nwebhook_env = \"OPS_UNSET_URL\"\nformat = \"teams\"\n",
        "",
    ));
    let env = [("OPS_UNSET_URL", None)];
    let (_, changed) = high_change(&pages, &p, &env);
    let err = stderr(&changed);
    assert_eq!(
        err.matches("environment variable OPS_UNSET_URL is not set")
            .count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("webhook for recipient ops is skipped"),
        "{err}"
    );
    let rows = outbox(&p);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["channel"], "email");
    assert_eq!(rows[0]["state"], "sent");
    let check = ok_env(&p, &["config", "check"], &env);
    let warn = stderr(&check);
    assert!(
        warn.contains("sources.toml:9:15: warning")
            && warn.contains("environment variable OPS_UNSET_URL is not set (webhook_env)")
            && warn.contains("e-mail to ops is unaffected"),
        "{warn}"
    );
}

#[test]
fn digests_reach_webhooks_compact_for_slack_and_as_change_objects_for_json() {
    let pages = PageServer::start_in_thread().unwrap();
    let slack = HookServer::start(vec![]);
    let json = HookServer::start(vec![]);
    let recipients = "[[recipient]]\nname = \"team\"\nwebhook_env = \"TEAM_URL\"\nformat = \"slack\"\nalerts = \"never\"\ndigest = \"0 7 * * 1\"\n\n[[recipient]]\nname = \"bot\"\nwebhook_env = \"BOT_URL\"\nformat = \"json\"\nalerts = \"never\"\ndigest = \"0 7 * * 1\"\n";
    let p = Project::new(&config(&pages, recipients, ""));
    let (a, b) = (slack.url("/s"), json.url("/j"));
    let env = [
        ("TEAM_URL", Some(a.as_str())),
        ("BOT_URL", Some(b.as_str())),
    ];
    high_change(&pages, &p, &env);
    assert!(
        slack.requests().is_empty() && json.requests().is_empty(),
        "no alerts"
    );
    ok_env(&p, &["digest"], &env);
    let s = slack.wait_for(1, Duration::from_secs(30));
    let v = s[0].json();
    assert_eq!(
        v["blocks"][0]["text"]["text"],
        "regwatch digest for team: 1 change(s)"
    );
    let all = serde_json::to_string(&v).unwrap();
    assert!(
        all.contains("*HIGH* 1") && all.contains("TPP threshold 4,800 → 4,000"),
        "{all}"
    );
    let j = json.wait_for(1, Duration::from_secs(30))[0].json();
    assert_eq!(j["kind"], "digest");
    assert_eq!(j["recipient"], "bot");
    assert_eq!(j["counts"]["high"], 1);
    assert_eq!(j["changes"][0]["severity"], "high");
    assert_eq!(j["changes"][0]["tags"][0]["tag"], "threshold_changed");
    let rows = outbox(&p);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r["kind"] == "digest" && r["state"] == "sent")
    );
}

#[test]
fn webhook_settings_are_checked_with_file_line_and_column() {
    let pages = PageServer::start_in_thread().unwrap();
    let cases = [
        (
            "[[recipient]]\nname = \"ops\"\nwebhook_env = \"OPS_URL\"\nformat = \"discord\"\n",
            "sources.toml:9:10: `format`: unknown webhook format \"discord\": expected slack, teams or json",
        ),
        (
            "[[recipient]]\nname = \"ops\"\nemails = [\"ops@example.eu\"]\nformat = \"slack\"\n",
            "sources.toml:9:10: `format`: only a webhook has a format",
        ),
        (
            "[[recipient]]\nname = \"ops\"\nwebhook_env = \"OPS_URL\"\n",
            "sources.toml:8:15: `webhook_env` needs `format`",
        ),
        (
            "[[recipient]]\nname = \"ops\"\nwebhook_env = \"https://hooks.slack.com/services/T0SECRETX\"\nformat = \"slack\"\n",
            "sources.toml:8:15: `webhook_env`: expected the name of the environment variable",
        ),
        (
            "[[recipient]]\nname = \"ops\"\nalerts = \"high\"\n",
            "sources.toml:7:8: recipient \"ops\" has no channel",
        ),
    ];
    for (recipients, want) in cases {
        let p = Project::new(&config(&pages, recipients, ""));
        let out = p.run(&["config", "check"]);
        assert_eq!(out.status.code(), Some(2), "{recipients}");
        let err = stderr(&out);
        assert!(err.contains(want), "want {want}\ngot {err}");
        assert!(!err.contains("T0SECRETX"), "a URL is never echoed: {err}");
    }
}

#[test]
fn the_daemon_delivers_webhooks_too_signed_to_a_webhook_only_recipient() {
    let pages = PageServer::start_in_thread().unwrap();
    let hook = HookServer::start(vec![]);
    let url = hook.url("/daemon");
    // The source is the config's last table: a 1 s interval, so the daemon checks it again soon.
    let cfg = format!(
        "{}interval = \"1s\"\n",
        config(
            &pages,
            &hook_recipient(
                "bot",
                "BOT_URL",
                "json",
                "webhook_secret_env = \"BOT_SECRET\""
            ),
            "",
        )
    );
    let p = Project::new(&cfg);
    pages.set("/rules", Page::html(page("4,800")));
    let mut daemon = Command::new(assert_cmd::cargo::cargo_bin("regwatch"))
        .current_dir(p.path())
        .env_remove("REGWATCH_LOG")
        .env("BOT_URL", &url)
        .env("BOT_SECRET", "s3cret")
        .arg("--config")
        .arg(p.config_path())
        .args(["run", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the daemon");
    // The baseline first (no message for it), then the HIGH change.
    let deadline = Instant::now() + Duration::from_secs(60);
    let checked = || {
        if !p.db_path().exists() {
            return None;
        }
        let conn = rusqlite::Connection::open(p.db_path()).ok()?;
        conn.busy_timeout(Duration::from_secs(5)).ok()?;
        conn.query_row(
            "SELECT last_success_at FROM sources WHERE id = 'rules'",
            [],
            |r| r.get::<_, Option<String>>(0),
        )
        .ok()
        .flatten()
    };
    while checked().is_none() {
        assert!(Instant::now() < deadline, "no baseline");
        assert!(daemon.try_wait().unwrap().is_none(), "the daemon ended");
        std::thread::sleep(Duration::from_millis(100));
    }
    pages.set("/rules", Page::html(page("4,000")));
    let got = hook.wait_for(1, Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(30);
    while state(&p, "bot", "webhook").as_deref() != Some("sent") {
        assert!(Instant::now() < deadline, "not recorded as sent");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    assert_eq!(got.len(), 1, "{got:?}");
    verify(
        "s3cret",
        &got[0].body,
        got[0].header("x-regwatch-signature"),
    );
    let r = row(&outbox(&p), "bot", "webhook").clone();
    assert_eq!(
        got[0].header("x-regwatch-delivery"),
        r["message_id"].as_str()
    );
    assert_eq!(got[0].json()["id"], r["change_id"]);
    assert_eq!(hook.requests().len(), 1, "delivered once");
}
