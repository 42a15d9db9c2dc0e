//! Unit tests of the parent module.

use super::*;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn enqueue_digest(store: &mut Store, recipient: &str, until: Timestamp, body: &str) -> i64 {
    let to = vec![format!("{recipient}@example.eu")];
    let message_id = format!("<digest.{until}.{recipient}@example.eu>");
    assert!(
        store
            .enqueue_digest(
                recipient,
                &[NewMessage {
                    kind: MessageKind::Digest,
                    channel: Channel::Email,
                    format: None,
                    recipient,
                    to: &to,
                    change_id: None,
                    message_id: &message_id,
                    subject: "Digest",
                    text: body,
                    html: body,
                    at: until,
                }],
                until.minus(std::time::Duration::from_secs(86_400)),
                until,
            )
            .unwrap()
    );
    store
        .outbox()
        .unwrap()
        .iter()
        .find(|r| r.message_id == message_id)
        .unwrap()
        .id
}

#[test]
fn listings_and_summaries_carry_no_bodies_and_pruning_blanks_old_sent_ones_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("regwatch.db")).unwrap();
    let big = "x".repeat(100_000);
    let old = enqueue_digest(&mut store, "a", t("2026-01-01T07:00:00.000Z"), &big);
    let recent = enqueue_digest(&mut store, "b", t("2026-06-01T07:00:00.000Z"), &big);
    let waiting = enqueue_digest(&mut store, "c", t("2026-06-02T07:00:00.000Z"), &big);
    let sent = |store: &mut Store, id, at: &str| {
        assert!(store.claim(id, t(at)).unwrap());
        assert!(store.mark_sent(id, t(at), t(at)).unwrap());
    };
    sent(&mut store, old, "2026-01-01T07:01:00.000Z");
    sent(&mut store, recent, "2026-06-01T07:01:00.000Z");

    let listed = store.outbox().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed
            .iter()
            .all(|r| r.body_text.is_empty() && r.body_html.is_empty())
    );
    let due = store.due_messages(None).unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].body_text.is_empty());
    assert_eq!(store.message(waiting).unwrap().unwrap().body_text, big);
    let summary = store.outbox_summary().unwrap();
    assert!(summary.by_state.contains(&(OutboxState::Sent, 2)));
    assert!(summary.by_state.contains(&(OutboxState::Pending, 1)));

    // Retention ends on 2026-03-01: only the old sent message loses its bodies.
    let now = t("2026-06-10T00:00:00.000Z");
    assert_eq!(
        store
            .prune_sent_bodies(t("2026-03-01T00:00:00.000Z"), now)
            .unwrap(),
        1
    );
    let body = |id| store.message(id).unwrap().unwrap();
    assert!(body(old).body_text.is_empty() && body(old).body_html.is_empty());
    assert_eq!(body(old).pruned_at, Some(now));
    assert_eq!(body(old).state, OutboxState::Sent, "the row stays");
    assert_eq!(body(recent).body_text, big);
    assert_eq!(body(waiting).body_text, big);
    assert_eq!(
        store
            .prune_sent_bodies(t("2026-03-01T00:00:00.000Z"), now)
            .unwrap(),
        0,
        "once"
    );
}

#[test]
fn a_claim_taken_over_by_another_process_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("regwatch.db")).unwrap();
    let id = enqueue_digest(&mut store, "a", t("2026-01-01T07:00:00.000Z"), "a");
    let first = t("2026-01-01T07:01:00.000Z");
    assert!(store.claim(id, first).unwrap());
    // The first claim went stale; another process reclaimed, sent and recorded it.
    store.reclaim_stale(t("2026-01-01T08:00:00.000Z")).unwrap();
    let second = t("2026-01-01T08:00:01.000Z");
    assert!(store.claim(id, second).unwrap());
    assert!(store.mark_sent(id, second, second).unwrap());
    // The first process's late answer changes nothing.
    assert!(
        !store
            .mark_failed(id, first, "timed out", Some(second), second)
            .unwrap()
    );
    assert!(!store.mark_sent(id, first, second).unwrap());
    assert!(!store.release(id, first).unwrap());
    assert_eq!(store.message(id).unwrap().unwrap().state, OutboxState::Sent);
}

#[test]
fn requeue_takes_dead_and_pending_messages_and_restarts_their_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("regwatch.db")).unwrap();
    let a = enqueue_digest(&mut store, "a", t("2026-01-01T07:00:00.000Z"), "a");
    let b = enqueue_digest(&mut store, "b", t("2026-01-02T07:00:00.000Z"), "b");
    let failed_at = t("2026-01-03T00:00:00.000Z");
    assert!(store.claim(a, failed_at).unwrap());
    assert!(
        store
            .mark_failed(a, failed_at, "SMTP deferred", None, failed_at)
            .unwrap()
    );
    assert!(store.claim(b, failed_at).unwrap());
    assert!(store.mark_sent(b, failed_at, failed_at).unwrap());
    let now = t("2026-01-04T00:00:00.000Z");
    // A sent message is not requeued.
    assert!(store.requeue(&[b], now).unwrap().is_empty());
    let done = store.requeue(&[], now).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].id, a);
    assert_eq!(done[0].state, OutboxState::Pending);
    assert_eq!(done[0].attempts, 1, "attempts kept");
    assert_eq!(done[0].next_attempt_at, now);
    assert_eq!(done[0].first_failed_at, None);
}
