//! The worker against an in-memory mailbox: every message answered exactly once, across
//! failures at each step, and storage in step with the answers.

use super::*;
use crate::config::Settings;
use crate::domain::{Alias, MeetingOptions, NumericAlias};
use crate::scheduling::{MeetingWindow, MessageKind, Organizer, Schedule, UnmarkedMeetings};
use crate::store::{DatabaseSettings, NewReservation, ReservationState};
use std::sync::Mutex;
use time::macros::datetime;

mod give_up;
mod provisioning;
mod series_windows;

const CONFIG: &str = r#"[server]
public_url = "https://vmr.example.com"
[integrations.main]
equipment_resource = { name = "Video Meeting Room", email = "vmr@example.com" }
[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"
[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
"#;

const NOW: OffsetDateTime = datetime!(2027-03-01 08:00 UTC);

/// How the next `send_answers` call goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendFault {
    /// Exchange never got it.
    Lost,
    /// Exchange applied it, but the reply to us was lost (a timeout).
    AppliedButUnconfirmed,
}

#[derive(Default)]
struct Mailbox {
    /// Every message ever delivered, in order; the sync state is an index into it.
    delivered: Vec<MeetingMessage>,
    /// Items answered (and so gone from the inbox).
    answered: Vec<OutgoingAnswer>,
    send_faults: Vec<SendFault>,
    invalid_sync_states: bool,
    page_size: usize,
    syncs: usize,
    /// The resource's calendar as Exchange expands it: each series' occurrences.
    calendar: Vec<(String, SeriesOccurrence)>,
    /// Calendar views read so far, and how many of the next ones fail.
    views: usize,
    view_faults: usize,
    /// Organizers' meetings updated with joining instructions, in order.
    organizer_updates: Vec<OrganizerUpdate>,
    /// Organizer updates are refused with this code.
    refuse_organizer_updates: Option<String>,
    /// Items whose reading fails, and how.
    unreadable: Vec<(ItemIdentity, ConnectorError)>,
    /// Every answer but a discard fails with this.
    refused_answers: Option<ConnectorError>,
}

#[derive(Default, Clone)]
struct FakeConnector(Arc<Mutex<Mailbox>>);

impl FakeConnector {
    fn deliver(&self, message: MeetingMessage) {
        self.0.lock().unwrap().delivered.push(message);
    }
    fn answered(&self) -> Vec<OutgoingAnswer> {
        self.0.lock().unwrap().answered.clone()
    }
    fn fail_next_send(&self, fault: SendFault) {
        self.0.lock().unwrap().send_faults.push(fault);
    }
}

impl MailboxConnector for FakeConnector {
    fn sync_inbox<'a>(&'a self, sync_state: Option<&'a str>) -> ConnectorFuture<'a, InboxPage> {
        Box::pin(async move {
            let mut mailbox = self.0.lock().unwrap();
            mailbox.syncs += 1;
            if mailbox.invalid_sync_states && sync_state.is_some() {
                return Err(ConnectorError::SyncStateInvalid);
            }
            let from: usize = sync_state.map_or(0, |s| s.parse().unwrap());
            let size = if mailbox.page_size == 0 {
                100
            } else {
                mailbox.page_size
            };
            let to = (from + size).min(mailbox.delivered.len());
            Ok(InboxPage {
                items: mailbox.delivered[from..to]
                    .iter()
                    .map(|m| m.item.clone())
                    .collect(),
                sync_state: to.to_string(),
                complete: to == mailbox.delivered.len(),
            })
        })
    }

    fn read_messages<'a>(
        &'a self,
        items: &'a [ItemIdentity],
    ) -> ConnectorFuture<'a, Vec<Result<MeetingMessage, ConnectorError>>> {
        Box::pin(async move {
            let mailbox = self.0.lock().unwrap();
            Ok(items
                .iter()
                .map(|item| {
                    if let Some((_, error)) = mailbox.unreadable.iter().find(|(i, _)| i == item) {
                        return Err(error.clone());
                    }
                    mailbox
                        .delivered
                        .iter()
                        .find(|m| &m.item == item)
                        .cloned()
                        .ok_or(ConnectorError::ItemGone)
                })
                .collect())
        })
    }

    fn send_answers<'a>(
        &'a self,
        answers: &'a [OutgoingAnswer],
    ) -> ConnectorFuture<'a, Vec<Result<(), ConnectorError>>> {
        Box::pin(async move {
            let mut mailbox = self.0.lock().unwrap();
            let fault = (!mailbox.send_faults.is_empty()).then(|| mailbox.send_faults.remove(0));
            let timeout = || ConnectorError::Failed {
                code: "timeout".into(),
                message: "no answer in time".into(),
                retryable: true,
            };
            match fault {
                Some(SendFault::Lost) => Err(timeout()),
                Some(SendFault::AppliedButUnconfirmed) => {
                    mailbox.answered.extend(answers.iter().cloned());
                    Err(timeout())
                }
                None => Ok(answers
                    .iter()
                    .map(|answer| match &mailbox.refused_answers {
                        Some(error) if answer.answer != Answer::Discard => Err(error.clone()),
                        _ => {
                            mailbox.answered.push(answer.clone());
                            Ok(())
                        }
                    })
                    .collect()),
            }
        })
    }

    fn still_waiting<'a>(&'a self, item: &'a ItemIdentity) -> ConnectorFuture<'a, bool> {
        Box::pin(async move {
            let mailbox = self.0.lock().unwrap();
            Ok(!mailbox.answered.iter().any(|a| &a.item == item))
        })
    }

    fn update_organizer_meeting<'a>(
        &'a self,
        update: &'a OrganizerUpdate,
    ) -> ConnectorFuture<'a, OrganizerUpdateOutcome> {
        Box::pin(async move {
            let mut mailbox = self.0.lock().unwrap();
            if let Some(code) = mailbox.refuse_organizer_updates.clone() {
                return Ok(OrganizerUpdateOutcome::Refused { code });
            }
            mailbox.organizer_updates.push(update.clone());
            Ok(OrganizerUpdateOutcome::Updated)
        })
    }

    fn series_occurrences<'a>(
        &'a self,
        global_object_id: &'a str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> ConnectorFuture<'a, Vec<SeriesOccurrence>> {
        Box::pin(async move {
            let mut mailbox = self.0.lock().unwrap();
            mailbox.views += 1;
            if mailbox.view_faults > 0 {
                mailbox.view_faults -= 1;
                return Err(ConnectorError::Failed {
                    code: "ErrorServerBusy".into(),
                    message: "busy".into(),
                    retryable: true,
                });
            }
            let mut found: Vec<SeriesOccurrence> = mailbox
                .calendar
                .iter()
                .filter(|(gid, o)| {
                    gid == global_object_id && o.window.start < to && o.window.end > from
                })
                .map(|(_, occurrence)| *occurrence)
                .collect();
            found.sort_by_key(|o| o.original_start);
            Ok(found)
        })
    }
}

struct Harness {
    store: Store,
    mailbox: FakeConnector,
    worker: MailboxWorker,
}

async fn harness(unmarked: UnmarkedMeetings) -> Harness {
    let path = std::env::temp_dir().join(format!("vmr-worker-{}.db", uuid::Uuid::new_v4()));
    harness_on(&path, unmarked).await
}

/// A worker on the SQLite file at `path`, as another instance sharing the database would be.
async fn harness_on(path: &std::path::Path, unmarked: UnmarkedMeetings) -> Harness {
    let store = Store::connect(&DatabaseSettings {
        url: format!("sqlite://{}", path.display()),
        max_connections: 4,
        acquire_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    let settings = Settings::from_toml(
        CONFIG,
        std::path::Path::new("/etc/vmr.toml"),
        Vec::new(),
        &|_| None,
    )
    .unwrap();
    let integration = Arc::new(settings.integrations[0].clone());
    let shared = integration.shared_values(&settings.server.public_url);
    let mailbox = FakeConnector::default();
    let worker = MailboxWorker::new(
        store.clone(),
        Arc::new(mailbox.clone()),
        integration,
        shared,
        Policy { unmarked },
        Arc::new(|| NOW),
    );
    Harness {
        store,
        mailbox,
        worker,
    }
}

impl Harness {
    async fn reserve(&self, suffix: &str) -> crate::store::Reservation {
        let new = NewReservation {
            id: uuid::Uuid::new_v4(),
            integration: IntegrationId::parse("main").unwrap(),
            alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
            numeric_alias: NumericAlias::parse(suffix).unwrap(),
            marker: AliasMarker::generate(&mut rand::thread_rng()),
            user: UserIdentity::Entra {
                tenant_id: "t".into(),
                object_id: "o".into(),
                email: Some(EmailAddress::parse("assistant@example.com").unwrap()),
                name: None,
            },
            meeting_key: None,
            options: MeetingOptions::default(),
            created_at: millis(NOW),
            expires_at: millis(NOW) + 86_400_000,
        };
        self.store
            .try_insert_reservation(&new)
            .await
            .unwrap()
            .unwrap()
    }
}

fn request(n: u32, body: &str) -> MeetingMessage {
    MeetingMessage {
        kind: MessageKind::Request,
        item: ItemIdentity {
            item_id: format!("item-{n}"),
            change_key: "ck-1".into(),
        },
        global_object_id: format!("gid-{n}"),
        organizer: Organizer {
            email: EmailAddress::parse("manager@example.com").unwrap(),
            name: Some("Manager".into()),
        },
        subject: format!("Meeting {n} <&>"),
        body_text: body.into(),
        schedule: Schedule::Single(MeetingWindow {
            start: datetime!(2027-03-02 09:00 UTC),
            end: datetime!(2027-03-02 10:00 UTC),
        }),
        update: None,
        correlation_id: String::new(),
    }
}

fn accepted_html(answer: &Answer) -> &str {
    match answer {
        Answer::Accept { body_html } => body_html,
        other => panic!("expected an accept, got {other:?}"),
    }
}

#[tokio::test]
async fn a_marked_request_is_accepted_and_its_room_stored() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let reservation = h.reserve("100001").await;
    h.mailbox.deliver(request(
        1,
        &format!("Join: {}", reservation.marker.as_str()),
    ));

    let report = h.worker.run_once().await.unwrap();
    assert_eq!(
        report,
        CycleReport {
            done: 1,
            failed: 0,
            resumed: 0
        }
    );
    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 1);
    let html = accepted_html(&answered[0].answer);
    assert!(html.contains("meet100001@vc.example.com"), "{html}");
    assert!(
        html.contains("Meeting 1 &lt;&amp;&gt;"),
        "subject escaped: {html}"
    );

    let main = IntegrationId::parse("main").unwrap();
    let conference = h.store.conference(&main, "gid-1").await.unwrap().unwrap();
    assert_eq!(conference.reservation_id, Some(reservation.id));
    assert_eq!(
        conference.reserved_by.unwrap().as_str(),
        "assistant@example.com",
        "the delegate is recorded"
    );
    assert_eq!(conference.organizer_email.as_str(), "manager@example.com");
    let stored = h
        .store
        .reservation_by_marker(&reservation.marker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, ReservationState::Used);
    assert_eq!(
        h.store
            .meeting_of_reservation(reservation.id)
            .await
            .unwrap()
            .as_deref(),
        Some("gid-1")
    );
    let log = h.store.recent_operations(&main, false, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "accept");
    assert_eq!(
        h.store
            .mailbox_sync(&main)
            .await
            .unwrap()
            .sync_state
            .as_deref(),
        Some("1")
    );

    // Nothing new: nothing happens.
    assert_eq!(h.worker.run_once().await.unwrap(), CycleReport::default());
    assert_eq!(h.mailbox.answered().len(), 1);
}

#[tokio::test]
async fn declines_name_their_reason() {
    let h = harness(UnmarkedMeetings::Decline).await;
    h.mailbox.deliver(request(1, "no marker here"));
    h.mailbox.deliver(request(
        2,
        "[VMRID:K7QX2M4PZ3HB6RT5VNWA] is not a reservation",
    ));
    h.worker.run_once().await.unwrap();
    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 2);
    for answer in &answered {
        assert!(
            matches!(answer.answer, Answer::Decline { .. }),
            "{answer:?}"
        );
    }
    let main = IntegrationId::parse("main").unwrap();
    assert!(h.store.conference(&main, "gid-1").await.unwrap().is_none());
}

#[tokio::test]
async fn a_lost_send_is_retried_and_an_unconfirmed_one_not_repeated() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let main = IntegrationId::parse("main").unwrap();
    let first = h.reserve("200001").await;
    let second = h.reserve("200002").await;
    h.mailbox.deliver(request(1, first.marker.as_str()));
    h.mailbox.deliver(request(2, second.marker.as_str()));
    // The page's answers go out in one call, and that call is lost.
    h.mailbox.fail_next_send(SendFault::Lost);
    let report = h.worker.run_once().await.unwrap();
    assert_eq!(report.failed, 2);
    assert!(h.mailbox.answered().is_empty());
    assert_eq!(
        h.store.mailbox_sync(&main).await.unwrap().sync_state,
        None,
        "the page comes again"
    );
    // Storage already holds both bookings: the answers are what is left to do.
    assert!(h.store.conference(&main, "gid-1").await.unwrap().is_some());
    assert!(h.store.conference(&main, "gid-2").await.unwrap().is_some());
    let report = h.worker.run_once().await.unwrap();
    assert_eq!(
        report,
        CycleReport {
            done: 2,
            failed: 0,
            resumed: 2
        }
    );
    assert_eq!(h.mailbox.answered().len(), 2);

    // Now the call reaches Exchange but its confirmation is lost: nothing is sent twice.
    let third = h.reserve("200003").await;
    let fourth = h.reserve("200004").await;
    h.mailbox.deliver(request(3, third.marker.as_str()));
    h.mailbox.deliver(request(4, fourth.marker.as_str()));
    h.mailbox.fail_next_send(SendFault::AppliedButUnconfirmed);
    let report = h.worker.run_once().await.unwrap();
    assert_eq!(report.failed, 2);
    assert_eq!(h.mailbox.answered().len(), 4);
    let report = h.worker.run_once().await.unwrap();
    assert_eq!(
        report,
        CycleReport {
            done: 2,
            failed: 0,
            resumed: 2
        }
    );
    let answered = h.mailbox.answered();
    assert_eq!(
        answered.len(),
        4,
        "each message answered exactly once: {answered:?}"
    );
    let mut items: Vec<_> = answered.iter().map(|a| a.item.item_id.as_str()).collect();
    items.sort_unstable();
    assert_eq!(items, ["item-1", "item-2", "item-3", "item-4"]);
    assert_eq!(
        h.store.unfinished_journal_entries(&main, 10).await.unwrap(),
        Vec::new()
    );
}

#[tokio::test]
async fn a_redelivered_version_is_answered_once_after_the_sync_starts_over() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let reservation = h.reserve("300001").await;
    h.mailbox.deliver(request(1, reservation.marker.as_str()));
    h.worker.run_once().await.unwrap();
    // Exchange forgets our sync state: everything comes again.
    h.mailbox.0.lock().unwrap().invalid_sync_states = true;
    h.worker.run_once().await.unwrap();
    assert_eq!(h.mailbox.answered().len(), 1);
    let main = IntegrationId::parse("main").unwrap();
    let failures = h.store.recent_operations(&main, true, 10).await.unwrap();
    assert_eq!(
        failures[0].error_code.as_deref(),
        Some("sync_state_invalid")
    );
}

#[tokio::test]
async fn a_cancellation_removes_the_room_and_frees_the_alias() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let reservation = h.reserve("400001").await;
    h.mailbox.deliver(request(1, reservation.marker.as_str()));
    let mut cancellation = request(1, "");
    cancellation.kind = MessageKind::Cancellation;
    cancellation.item.item_id = "item-1-cancel".into();
    h.mailbox.deliver(cancellation);
    h.worker.run_once().await.unwrap();
    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 2);
    assert_eq!(answered[1].answer, Answer::RemoveFromCalendar);
    let main = IntegrationId::parse("main").unwrap();
    assert!(h.store.conference(&main, "gid-1").await.unwrap().is_none());
    let stored = h
        .store
        .reservation_by_marker(&reservation.marker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, ReservationState::Deleted);
}

#[tokio::test]
async fn pages_are_synced_until_the_inbox_is_drained() {
    let h = harness(UnmarkedMeetings::Decline).await;
    h.mailbox.0.lock().unwrap().page_size = 2;
    for n in 0..5 {
        h.mailbox.deliver(request(n, "unmarked"));
    }
    let report = h.worker.run_once().await.unwrap();
    assert_eq!(report.done, 5);
    let main = IntegrationId::parse("main").unwrap();
    assert_eq!(
        h.store
            .mailbox_sync(&main)
            .await
            .unwrap()
            .sync_state
            .as_deref(),
        Some("5")
    );
}

#[tokio::test]
async fn a_message_that_cannot_be_handled_is_declined_with_the_correlation_id() {
    // The worker must say so to the organizer (general error) rather than leave the request
    // unanswered.
    let h = harness(UnmarkedMeetings::Provision {
        organizer_impersonation: false,
    })
    .await;
    let mut unsupported = request(1, "unmarked");
    unsupported.kind = MessageKind::Unsupported("IPM.Schedule.Meeting.Notification".into());
    h.mailbox.deliver(unsupported);
    h.worker.run_once().await.unwrap();
    let answered = h.mailbox.answered();
    let Answer::Decline { body_html } = &answered[0].answer else {
        panic!("expected a decline, got {answered:?}");
    };
    let main = IntegrationId::parse("main").unwrap();
    let entry = h
        .store
        .journal_entry(&main, "item-1", "ck-1")
        .await
        .unwrap()
        .unwrap();
    assert!(body_html.contains(&entry.correlation_id), "{body_html}");
    assert!(h.store.conference(&main, "gid-1").await.unwrap().is_none());
}

#[tokio::test]
async fn two_instances_never_work_one_mailbox_at_once() {
    let path = std::env::temp_dir().join(format!("vmr-worker-{}.db", uuid::Uuid::new_v4()));
    let first = harness_on(&path, UnmarkedMeetings::Decline).await;
    let second = harness_on(&path, UnmarkedMeetings::Decline).await;
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let poll = Duration::from_millis(20);
    let runs = [
        tokio::spawn(
            first
                .worker
                .clone()
                .run("instance-a".into(), poll, shutdown.clone()),
        ),
        tokio::spawn(
            second
                .worker
                .clone()
                .run("instance-b".into(), poll, shutdown.clone()),
        ),
    ];
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.send(true).unwrap();
    for run in runs {
        tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .unwrap()
            .unwrap();
    }
    let syncs = [
        first.mailbox.0.lock().unwrap().syncs,
        second.mailbox.0.lock().unwrap().syncs,
    ];
    assert!(
        syncs.iter().filter(|&&n| n > 0).count() == 1,
        "exactly one instance worked the mailbox: {syncs:?}"
    );
    assert!(
        syncs.iter().sum::<usize>() >= 5,
        "the holder kept polling: {syncs:?}"
    );

    // Stopping released the lease: the other instance takes over at once.
    let main = IntegrationId::parse("main").unwrap();
    assert!(first
        .store
        .try_acquire_lease(&main, "instance-c", millis(NOW), millis(NOW) + 1_000)
        .await
        .unwrap());
}
