//! A message the worker cannot get through never holds back the inbox: an unreadable one is
//! declined (at once when retrying cannot help, else after bounded retries), and an answer
//! Exchange keeps refusing is given up after bounded attempts.

use super::*;

fn broken(code: &str, retryable: bool) -> ConnectorError {
    ConnectorError::Failed {
        code: code.into(),
        message: "cannot be read".into(),
        retryable,
    }
}

fn answer_to(h: &Harness, item: &str) -> Vec<Answer> {
    h.mailbox
        .answered()
        .into_iter()
        .filter(|a| a.item.item_id == item)
        .map(|a| a.answer)
        .collect()
}

async fn operations(h: &Harness) -> Vec<crate::store::Operation> {
    let main = IntegrationId::parse("main").unwrap();
    h.store.recent_operations(&main, true, 50).await.unwrap()
}

#[tokio::test]
async fn an_unreadable_message_is_declined_at_once_when_retrying_cannot_help() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let bad = request(1, "");
    h.mailbox.deliver(bad.clone());
    h.mailbox.deliver(request(2, "no marker"));
    h.mailbox
        .0
        .lock()
        .unwrap()
        .unreadable
        .push((bad.item.clone(), broken("invalid_meeting_message", false)));

    h.worker.run_once().await.unwrap();
    let answers = answer_to(&h, "item-1");
    assert_eq!(answers.len(), 1, "{answers:?}");
    let Answer::Decline { body_html } = &answers[0] else {
        panic!("expected the general-error decline: {answers:?}");
    };
    let read_failure = operations(&h)
        .await
        .into_iter()
        .find(|op| op.action == "read")
        .expect("the read failure is logged");
    assert_eq!(
        read_failure.error_code.as_deref(),
        Some("invalid_meeting_message")
    );
    let correlation_id = read_failure.correlation_id.expect("with a correlation id");
    assert!(body_html.contains(&correlation_id), "{body_html}");
    // The message behind it was answered, and the inbox moved on.
    assert_eq!(answer_to(&h, "item-2").len(), 1);
    let main = IntegrationId::parse("main").unwrap();
    assert_eq!(
        h.store
            .mailbox_sync(&main)
            .await
            .unwrap()
            .sync_state
            .as_deref(),
        Some("2")
    );
}

#[tokio::test]
async fn a_message_unreadable_for_a_while_is_retried_then_declined() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let flaky = request(1, "");
    h.mailbox.deliver(flaky.clone());
    h.mailbox
        .0
        .lock()
        .unwrap()
        .unreadable
        .push((flaky.item.clone(), broken("ErrorServerBusy", true)));
    for cycle in 1..=MAX_ATTEMPTS {
        h.worker.run_once().await.unwrap();
        assert!(
            answer_to(&h, "item-1").is_empty(),
            "answered in cycle {cycle}"
        );
    }
    h.worker.run_once().await.unwrap();
    let answers = answer_to(&h, "item-1");
    assert!(
        matches!(answers.as_slice(), [Answer::Decline { .. }]),
        "{answers:?}"
    );
    let main = IntegrationId::parse("main").unwrap();
    assert_eq!(
        h.store
            .mailbox_sync(&main)
            .await
            .unwrap()
            .sync_state
            .as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn an_answer_exchange_keeps_refusing_is_given_up_after_bounded_attempts() {
    let h = harness(UnmarkedMeetings::Decline).await;
    h.mailbox.deliver(request(1, "no marker"));
    h.mailbox.0.lock().unwrap().refused_answers = Some(broken("ErrorAccessDenied", false));
    for _ in 0..MAX_ATTEMPTS + 2 {
        h.worker.run_once().await.unwrap();
    }
    // Cleared from the inbox unanswered, its entry closed, the abandonment logged.
    assert_eq!(answer_to(&h, "item-1"), vec![Answer::Discard]);
    let main = IntegrationId::parse("main").unwrap();
    assert_eq!(
        h.store
            .count_unfinished_journal_entries(&main)
            .await
            .unwrap(),
        0
    );
    let abandoned = operations(&h)
        .await
        .into_iter()
        .filter(|op| op.action == "abandon")
        .collect::<Vec<_>>();
    assert_eq!(abandoned.len(), 1, "{abandoned:?}");
    assert_eq!(
        abandoned[0].error_code.as_deref(),
        Some("ErrorAccessDenied")
    );
    assert_eq!(
        h.store
            .mailbox_sync(&main)
            .await
            .unwrap()
            .sync_state
            .as_deref(),
        Some("1")
    );
}
