//! Webhook payloads, rendered once when a message is queued: Slack (Block Kit), Teams (an
//! Adaptive Card in a `message`, as Teams workflow webhooks take it) and JSON (the change object
//! of `show --json`, one serializer).
//!
//! Everything from a fetched page is escaped for Slack's mrkdwn (`&`, `<`, `>`) and goes into
//! Teams cards as plain `TextRun`s (never markdown); control characters and bidi overrides are
//! replaced ([`crate::util::sanitize`]). Slack's limits are kept: at most [`SLACK_MAX_BLOCKS`]
//! blocks, headers of [`SLACK_HEADER_MAX`] characters, sections of [`SLACK_SECTION_MAX`], tag
//! evidence cut around the change with "…".

use serde_json::{Value, json};

use crate::model::{Change, Severity, Timestamp, WebhookFormat};
use crate::util::{evidence_pair, sanitize, shorten};

/// Slack refuses a message with more blocks than this.
pub const SLACK_MAX_BLOCKS: usize = 50;
/// Longest text of a Slack `header` block.
pub const SLACK_HEADER_MAX: usize = 150;
/// Longest text of a Slack `section` block.
pub const SLACK_SECTION_MAX: usize = 3000;
/// Characters of tag evidence shown, before and after (as in e-mail alerts).
pub const EVIDENCE_MAX: usize = 300;
/// Tags an alert shows one block each; the rest are counted (Slack and Teams).
pub const MAX_TAGS: usize = 40;
/// Changes a Slack or Teams digest lists; the rest are counted.
pub const MAX_DIGEST_ITEMS: usize = 40;
/// Largest JSON digest, in bytes: changes past it are counted in `more`, not sent.
pub const MAX_JSON_DIGEST: usize = 1_000_000;

/// What a payload needs besides the change: where to link, and the time zone of shown times.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// `settings.public_url` (the dashboard), if set.
    pub public_url: Option<&'a str>,
    /// `settings.timezone`.
    pub tz: chrono_tz::Tz,
}

impl Context<'_> {
    /// Where a change is shown: the dashboard's page of it, or else the page that changed.
    #[must_use]
    pub fn link(&self, c: &Change) -> String {
        match self.public_url {
            Some(base) => format!("{base}/changes/{}", c.id),
            None => c.url.clone(),
        }
    }
}

/// Text escaped for Slack mrkdwn: `&`, `<` and `>` as entities, unsafe characters replaced.
#[must_use]
pub fn mrkdwn(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A Slack link `<url|label>`: the URL escaped as text is, `|` kept out of the label.
fn slack_link(url: &str, label: &str) -> String {
    format!("<{}|{}>", mrkdwn(url), mrkdwn(label).replace('|', "¦"))
}

/// A Slack message's top-level `text` (the notification and fallback line): Slack reads it as
/// mrkdwn, so page text in it is escaped like a section's, or a `<!channel>` in a tag summary
/// would ping a whole channel.
fn fallback(s: &str) -> String {
    mrkdwn(&plain(s, 300))
}

/// Plain text for Slack `plain_text` fields and Teams `TextRun`s: one line per line, unsafe
/// characters replaced, at most `max` characters.
fn plain(s: &str, max: usize) -> String {
    shorten(&sanitize(s), max)
}

fn upper(s: Severity) -> String {
    s.as_str().to_uppercase()
}

/// An alert's payload for one webhook format.
///
/// # Errors
/// A JSON serialization error (not expected for these plain types).
pub fn alert(format: WebhookFormat, c: &Change, ctx: &Context<'_>) -> serde_json::Result<String> {
    match format {
        WebhookFormat::Slack => serde_json::to_string(&slack_alert(c, ctx)),
        WebhookFormat::Teams => serde_json::to_string(&teams_alert(c, ctx)),
        WebhookFormat::Json => serde_json::to_string(c),
    }
}

/// The tag's evidence lines, each cut around the change.
fn evidence(t: &crate::model::Tag) -> (String, String) {
    evidence_pair(&t.evidence.old, &t.evidence.new, EVIDENCE_MAX)
}

fn slack_alert(c: &Change, ctx: &Context<'_>) -> Value {
    let when = c.detected_at.local(ctx.tz);
    let title = format!("[{}] {}", upper(c.severity), c.headline());
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": plain(&title, SLACK_HEADER_MAX), "emoji": false}}),
    ];
    let mut links = vec![slack_link(&c.url, "Open the page")];
    if ctx.public_url.is_some() {
        links.insert(0, slack_link(&ctx.link(c), "View the change"));
    }
    let about = format!(
        "*{}* (`{}`) — detected {}\n{}",
        mrkdwn(&c.source_name),
        mrkdwn(&c.source),
        mrkdwn(&when),
        links.join(" · ")
    );
    blocks.push(section(&about));
    for t in c.tags.iter().take(MAX_TAGS) {
        let (old, new) = evidence(t);
        let mut text = format!(
            "*{}* `{}` — {}",
            upper(t.severity),
            mrkdwn(&t.tag),
            mrkdwn(&t.summary)
        );
        if !old.is_empty() {
            text.push_str(&format!("\n>was: {}", mrkdwn(&old).replace('\n', " ")));
        }
        if !new.is_empty() {
            text.push_str(&format!("\n>now: {}", mrkdwn(&new).replace('\n', " ")));
        }
        blocks.push(section(&text));
    }
    let mut foot = format!(
        "change #{} · +{} −{} blocks · `regwatch show {}`",
        c.id, c.added, c.removed, c.id
    );
    if c.tags.len() > MAX_TAGS {
        foot.push_str(&format!(
            " · {} more tag(s) not shown",
            c.tags.len() - MAX_TAGS
        ));
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": foot}]}));
    json!({"text": fallback(&format!("{title} — {}", c.source_name)), "blocks": blocks})
}

/// A mrkdwn section, cut to Slack's limit (an entity is never cut in half: the cut falls before
/// a trailing `&…` that lost its `;`).
fn section(text: &str) -> Value {
    let mut t = shorten(text, SLACK_SECTION_MAX);
    if let Some(amp) = t.rfind('&')
        && !t[amp..].contains(';')
    {
        t.truncate(amp);
        t.push('…');
    }
    json!({"type": "section", "text": {"type": "mrkdwn", "text": t}})
}

/// Adaptive Card colour of a severity.
fn colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "Attention",
        Severity::Medium => "Warning",
        Severity::Low => "Default",
    }
}

/// Plain text in a card: a `TextRun`, never read as markdown.
fn run(text: &str) -> Value {
    json!({"type": "TextRun", "text": plain(text, 2000)})
}

fn rich(inlines: Vec<Value>) -> Value {
    json!({"type": "RichTextBlock", "inlines": inlines})
}

/// The `message` a Teams workflow webhook takes: one Adaptive Card (1.4) attachment.
fn teams_message(body: Vec<Value>, actions: Vec<Value>) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body,
                "actions": actions,
            }
        }]
    })
}

fn teams_alert(c: &Change, ctx: &Context<'_>) -> Value {
    let when = c.detected_at.local(ctx.tz);
    let mut body = vec![
        json!({"type": "TextBlock", "text": upper(c.severity), "weight": "Bolder", "color": colour(c.severity), "size": "Small"}),
        rich(vec![{
            let mut r = run(&c.headline());
            r["weight"] = json!("Bolder");
            r["size"] = json!("Large");
            r
        }]),
        json!({"type": "FactSet", "facts": [
            {"title": "Source", "value": plain(&format!("{} ({})", c.source_name, c.source), 300)},
            {"title": "Detected", "value": when},
            {"title": "Change", "value": format!("#{} (+{} −{} blocks; regwatch show {})", c.id, c.added, c.removed, c.id)},
        ]}),
    ];
    for t in c.tags.iter().take(MAX_TAGS) {
        let (old, new) = evidence(t);
        let mut head = run(&format!("{} {}: ", upper(t.severity), t.tag));
        head["weight"] = json!("Bolder");
        let mut items = vec![rich(vec![head, run(&t.summary)])];
        for (label, text) in [("was: ", old), ("now: ", new)] {
            if !text.is_empty() {
                let mut l = run(label);
                l["isSubtle"] = json!(true);
                items.push(rich(vec![l, run(&text)]));
            }
        }
        body.push(json!({"type": "Container", "separator": true, "items": items}));
    }
    if c.tags.len() > MAX_TAGS {
        body.push(rich(vec![run(&format!(
            "{} more tag(s): regwatch show {}",
            c.tags.len() - MAX_TAGS,
            c.id
        ))]));
    }
    let mut actions = vec![];
    if ctx.public_url.is_some() {
        actions.push(
            json!({"type": "Action.OpenUrl", "title": "View the change", "url": ctx.link(c)}),
        );
    }
    actions.push(json!({"type": "Action.OpenUrl", "title": "Open the page", "url": c.url}));
    teams_message(body, actions)
}

/// A digest's facts, for every format.
#[derive(Debug, Clone, Copy)]
pub struct Digest<'a> {
    /// Recipient name.
    pub recipient: &'a str,
    /// Start of the period.
    pub since: Timestamp,
    /// End of the period.
    pub until: Timestamp,
    /// The recipient's changes of the period, newest first.
    pub changes: &'a [Change],
}

/// Changes per severity, highest first.
fn counts(changes: &[Change]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .rev()
        .map(|s| (*s, changes.iter().filter(|c| c.severity == *s).count()))
        .collect()
}

/// The changes a compact digest lists: highest severity first, then newest.
fn top(changes: &[Change]) -> Vec<&Change> {
    let mut all: Vec<&Change> = changes.iter().collect();
    all.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.detected_at.cmp(&a.detected_at))
    });
    all.truncate(MAX_DIGEST_ITEMS);
    all
}

/// A digest's payload for one webhook format: Slack and Teams get counts by severity and the top
/// changes with links; JSON gets `{"kind": "digest", "recipient", "since", "until", "counts",
/// "changes": [change objects], "more"}` (changes past [`MAX_JSON_DIGEST`] bytes are counted in
/// `more`).
///
/// # Errors
/// A JSON serialization error (not expected for these plain types).
pub fn digest(
    format: WebhookFormat,
    d: &Digest<'_>,
    ctx: &Context<'_>,
) -> serde_json::Result<String> {
    match format {
        WebhookFormat::Slack => serde_json::to_string(&slack_digest(d, ctx)),
        WebhookFormat::Teams => serde_json::to_string(&teams_digest(d, ctx)),
        WebhookFormat::Json => json_digest(d),
    }
}

fn period(d: &Digest<'_>, ctx: &Context<'_>) -> String {
    format!("{} → {}", d.since.local(ctx.tz), d.until.local(ctx.tz))
}

fn slack_digest(d: &Digest<'_>, ctx: &Context<'_>) -> Value {
    let title = format!(
        "regwatch digest for {}: {} change(s)",
        d.recipient,
        d.changes.len()
    );
    let counts = counts(d.changes)
        .iter()
        .map(|(s, n)| format!("*{}* {n}", upper(*s)))
        .collect::<Vec<_>>()
        .join(" · ");
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": plain(&title, SLACK_HEADER_MAX), "emoji": false}}),
        section(&format!("{}\n{counts}", mrkdwn(&period(d, ctx)))),
    ];
    let top = top(d.changes);
    if !top.is_empty() {
        blocks.push(json!({"type": "divider"}));
    }
    for c in &top {
        blocks.push(section(&format!(
            "*[{}]* {} — {}",
            upper(c.severity),
            slack_link(&ctx.link(c), &shorten(&c.headline(), 300)),
            mrkdwn(&c.source_name)
        )));
    }
    if d.changes.len() > top.len() {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text":
            format!("{} more change(s) not shown: `regwatch changes`", d.changes.len() - top.len())}]}));
    }
    blocks.truncate(SLACK_MAX_BLOCKS);
    json!({"text": fallback(&title), "blocks": blocks})
}

fn teams_digest(d: &Digest<'_>, ctx: &Context<'_>) -> Value {
    let title = format!(
        "regwatch digest for {}: {} change(s)",
        d.recipient,
        d.changes.len()
    );
    let mut body = vec![
        rich(vec![{
            let mut r = run(&title);
            r["weight"] = json!("Bolder");
            r["size"] = json!("Large");
            r
        }]),
        json!({"type": "TextBlock", "text": period(d, ctx), "isSubtle": true, "wrap": true}),
        json!({"type": "FactSet", "facts": counts(d.changes).iter()
            .map(|(s, n)| json!({"title": upper(*s), "value": n.to_string()}))
            .collect::<Vec<_>>()}),
    ];
    let top = top(d.changes);
    for c in &top {
        let mut sev = run(&format!("{} ", upper(c.severity)));
        sev["weight"] = json!("Bolder");
        sev["color"] = json!(colour(c.severity));
        let mut headline = run(&shorten(&c.headline(), 300));
        headline["selectAction"] = json!({"type": "Action.OpenUrl", "url": ctx.link(c)});
        body.push(rich(vec![
            sev,
            headline,
            run(&format!(" — {}", c.source_name)),
        ]));
    }
    if d.changes.len() > top.len() {
        body.push(rich(vec![run(&format!(
            "{} more change(s) not shown: regwatch changes",
            d.changes.len() - top.len()
        ))]));
    }
    let actions = match ctx.public_url {
        Some(base) => {
            vec![json!({"type": "Action.OpenUrl", "title": "Open the dashboard", "url": base})]
        }
        None => vec![],
    };
    teams_message(body, actions)
}

fn json_digest(d: &Digest<'_>) -> serde_json::Result<String> {
    let mut changes = Vec::new();
    let mut size = 0;
    for c in d.changes {
        let v = serde_json::to_value(c)?;
        let len = serde_json::to_string(&v)?.len();
        if size + len > MAX_JSON_DIGEST {
            break;
        }
        size += len;
        changes.push(v);
    }
    let counts: serde_json::Map<String, Value> = counts(d.changes)
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    serde_json::to_string(&json!({
        "kind": "digest",
        "recipient": d.recipient,
        "since": d.since,
        "until": d.until,
        "counts": counts,
        "more": d.changes.len() - changes.len(),
        "changes": changes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Tag};

    fn change(tags: usize, evidence: &str) -> Change {
        Change {
            id: 7,
            source: "rules".into(),
            source_name: "Rules <&> Co".into(),
            url: "https://example.eu/rules?a=1&b=2".into(),
            detected_at: Timestamp::parse("2026-11-30T10:00:00.000Z").unwrap(),
            severity: Severity::High,
            added: 1,
            removed: 1,
            tags: (0..tags)
                .map(|i| Tag {
                    tag: "threshold_changed".into(),
                    severity: Severity::High,
                    summary: format!("TPP <b>{i}</b> & more"),
                    detail: json!({}),
                    evidence: Evidence {
                        old: evidence.replace("4,000", "4,800"),
                        new: evidence.into(),
                    },
                })
                .collect(),
            diff: String::new(),
            spans: vec![],
        }
    }

    const CTX: Context<'static> = Context {
        public_url: Some("https://rw.example.eu"),
        tz: chrono_tz::UTC,
    };

    #[test]
    fn slack_alerts_escape_page_text_and_keep_slacks_limits() {
        let long = format!("{} 4,000 <script>", "word ".repeat(2000));
        let v: Value =
            serde_json::from_str(&alert(WebhookFormat::Slack, &change(100, &long), &CTX).unwrap())
                .unwrap();
        let blocks = v["blocks"].as_array().unwrap();
        assert!(blocks.len() <= SLACK_MAX_BLOCKS, "{}", blocks.len());
        for b in blocks {
            if b["type"] == "section" {
                let t = b["text"]["text"].as_str().unwrap();
                assert!(t.chars().count() <= SLACK_SECTION_MAX);
                assert!(!t.contains("<b>") && !t.contains("<script>"), "{t}");
            }
        }
        let tag = blocks[2]["text"]["text"].as_str().unwrap();
        assert!(tag.contains("TPP &lt;b&gt;0&lt;/b&gt; &amp; more"), "{tag}");
        assert!(tag.contains('…'), "evidence cut: {tag}");
        let about = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(about.contains("*Rules &lt;&amp;&gt; Co*"), "{about}");
        assert!(
            about.contains("<https://rw.example.eu/changes/7|View the change>"),
            "{about}"
        );
        assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= SLACK_HEADER_MAX);
    }

    #[test]
    fn slacks_fallback_text_is_escaped_so_page_text_cannot_mention_anyone() {
        let mut c = change(1, "4,000");
        c.tags[0].summary = "<!channel> Tier <@U123> moved".into();
        let v: Value =
            serde_json::from_str(&alert(WebhookFormat::Slack, &c, &CTX).unwrap()).unwrap();
        let text = v["text"].as_str().unwrap();
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        assert!(
            text.contains("&lt;!channel&gt; Tier &lt;@U123&gt; moved"),
            "{text}"
        );
        assert!(text.contains("Rules &lt;&amp;&gt; Co"), "{text}");
        let d = Digest {
            recipient: "<!here>",
            since: c.detected_at,
            until: c.detected_at,
            changes: std::slice::from_ref(&c),
        };
        let v: Value =
            serde_json::from_str(&digest(WebhookFormat::Slack, &d, &CTX).unwrap()).unwrap();
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("&lt;!here&gt;") && !text.contains('<'),
            "{text}"
        );
    }

    #[test]
    fn teams_cards_carry_page_text_as_plain_text_runs() {
        let v: Value = serde_json::from_str(
            &alert(
                WebhookFormat::Teams,
                &change(1, "now [x](http://evil) 4,000"),
                &CTX,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(v["type"], "message");
        let card = &v["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["version"], "1.4");
        let evidence = &card["body"][3]["items"][2]["inlines"][1];
        assert_eq!(evidence["type"], "TextRun", "{card}");
        assert_eq!(evidence["text"], "now [x](http://evil) 4,000");
        assert_eq!(card["actions"][0]["url"], "https://rw.example.eu/changes/7");
    }

    #[test]
    fn json_alerts_are_the_change_object_and_digests_count_what_they_leave_out() {
        let c = change(1, "4,000");
        assert_eq!(
            alert(WebhookFormat::Json, &c, &CTX).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
        let mut big = change(1, "4,000");
        big.diff = "x".repeat(MAX_JSON_DIGEST / 2);
        let all = vec![big.clone(), big.clone(), big];
        let d = Digest {
            recipient: "ops",
            since: c.detected_at,
            until: c.detected_at,
            changes: &all,
        };
        let v: Value =
            serde_json::from_str(&digest(WebhookFormat::Json, &d, &CTX).unwrap()).unwrap();
        assert_eq!(v["kind"], "digest");
        assert_eq!(v["changes"].as_array().unwrap().len(), 1);
        assert_eq!(v["more"], 2);
        assert_eq!(v["counts"]["high"], 3);
    }
}
