//! Meetings booked without the add-in under the `provision` policy: a room of their own, its
//! instructions delivered, and never a second room for the same meeting.

use super::*;
use crate::scheduling::UpdateScope;
use crate::store::Conference;

fn provisioning(organizer_impersonation: bool) -> UnmarkedMeetings {
    UnmarkedMeetings::Provision {
        organizer_impersonation,
    }
}

fn main_id() -> IntegrationId {
    IntegrationId::parse("main").unwrap()
}

impl Harness {
    /// The meeting's conference and the reservation holding its room.
    async fn provisioned(&self, gid: &str) -> (Conference, crate::store::Reservation) {
        let conference = self
            .store
            .conference(&main_id(), gid)
            .await
            .unwrap()
            .expect("a conference is stored");
        let reservation = self
            .store
            .reservation(
                conference
                    .reservation_id
                    .expect("the room is a reservation"),
            )
            .await
            .unwrap()
            .expect("its reservation is stored");
        (conference, reservation)
    }

    async fn actions(&self) -> Vec<String> {
        let mut log = self
            .store
            .recent_operations(&main_id(), false, 20)
            .await
            .unwrap();
        log.reverse();
        log.into_iter().map(|operation| operation.action).collect()
    }
}

/// An edit of the meeting by its organizer: a new item version with the given body.
fn edited(n: u32, version: u32, body: &str) -> MeetingMessage {
    let mut message = request(n, body);
    message.item.item_id = format!("item-{n}-v{version}");
    message.update = Some(UpdateScope::WholeMeeting);
    message.schedule = Schedule::Single(MeetingWindow {
        start: datetime!(2027-03-02 11:00 UTC),
        end: datetime!(2027-03-02 12:00 UTC),
    });
    message
}

#[tokio::test]
async fn an_unmarked_meeting_gets_a_room_and_the_organizer_its_instructions() {
    let h = harness(provisioning(false)).await;
    h.mailbox.deliver(request(1, "Weekly sync, no add-in"));
    let report = h.worker.run_once().await.unwrap();
    assert_eq!((report.done, report.failed), (1, 0));

    let (conference, reservation) = h.provisioned("gid-1").await;
    assert_eq!(reservation.state, ReservationState::Used);
    assert_eq!(reservation.alias, conference.alias);
    assert!(provision::is_provisioned(&reservation));
    assert_eq!(
        reservation.user.email().map(EmailAddress::as_str),
        Some("manager@example.com")
    );
    assert_eq!(
        h.store
            .meeting_of_reservation(reservation.id)
            .await
            .unwrap()
            .as_deref(),
        Some("gid-1")
    );
    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 1);
    let html = accepted_html(&answered[0].answer);
    assert!(html.contains(conference.alias.as_str()), "{html}");
    assert!(
        html.contains(reservation.marker.as_str()),
        "the acceptance carries the joining instructions: {html}"
    );
    assert!(h.mailbox.0.lock().unwrap().organizer_updates.is_empty());
    assert_eq!(h.actions().await, ["provision", "accept"]);
}

#[tokio::test]
async fn edits_of_a_provisioned_meeting_keep_its_room() {
    let h = harness(provisioning(false)).await;
    h.mailbox.deliver(request(1, "no marker"));
    h.worker.run_once().await.unwrap();
    let (first, reservation) = h.provisioned("gid-1").await;

    // Moved by the organizer, still without a marker; then with the instructions pasted in.
    h.mailbox.deliver(edited(1, 2, "moved, still no marker"));
    h.mailbox.deliver(edited(
        1,
        3,
        &format!("moved again {}", reservation.marker.as_str()),
    ));
    let report = h.worker.run_once().await.unwrap();
    assert_eq!((report.done, report.failed), (2, 0));

    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 3);
    for answer in &answered[1..] {
        let html = accepted_html(&answer.answer);
        assert!(html.contains(first.alias.as_str()), "{html}");
    }
    let (conference, _) = h.provisioned("gid-1").await;
    assert_eq!(conference.alias, first.alias);
    assert_eq!(conference.reservation_id, Some(reservation.id));
    assert_eq!(
        conference.windows[0].start,
        millis(datetime!(2027-03-02 11:00 UTC)),
        "the stored window follows the edit"
    );
    assert_eq!(
        h.store.count_live_reservations(&main_id()).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn a_restart_between_storing_and_sending_does_not_provision_twice() {
    for fault in [SendFault::Lost, SendFault::AppliedButUnconfirmed] {
        let h = harness(provisioning(false)).await;
        h.mailbox.deliver(request(1, "no marker"));
        h.mailbox.fail_next_send(fault);
        let report = h.worker.run_once().await.unwrap();
        assert_eq!(report.failed, 1, "{fault:?}");
        let (stored, _) = h.provisioned("gid-1").await;

        // A new worker on the same database, as after a restart.
        let restarted = MailboxWorker::new(
            h.store.clone(),
            Arc::new(h.mailbox.clone()),
            Arc::clone(&h.worker.integration),
            h.worker.shared.clone(),
            h.worker.policy,
            Arc::new(|| NOW),
        );
        let report = restarted.run_once().await.unwrap();
        assert_eq!((report.done, report.resumed), (1, 1), "{fault:?}");
        restarted.run_once().await.unwrap();

        let answered = h.mailbox.answered();
        assert_eq!(answered.len(), 1, "answered once: {fault:?}");
        assert!(accepted_html(&answered[0].answer).contains(stored.alias.as_str()));
        let (conference, _) = h.provisioned("gid-1").await;
        assert_eq!(conference.alias, stored.alias, "{fault:?}");
        assert_eq!(
            h.store.count_live_reservations(&main_id()).await.unwrap(),
            1,
            "one room: {fault:?}"
        );
    }
}

#[tokio::test]
async fn acting_as_the_organizer_updates_their_meeting_before_accepting() {
    let h = harness(provisioning(true)).await;
    h.mailbox.deliver(request(1, "no marker"));
    h.worker.run_once().await.unwrap();

    let (conference, reservation) = h.provisioned("gid-1").await;
    let updates = h.mailbox.0.lock().unwrap().organizer_updates.clone();
    assert_eq!(updates.len(), 1);
    let update = &updates[0];
    assert_eq!(update.organizer, "manager@example.com");
    assert_eq!(update.global_object_id, "gid-1");
    assert_eq!(update.marker, reservation.marker.as_str());
    assert_eq!(update.start, millis(datetime!(2027-03-02 09:00 UTC)));
    assert!(update.instructions_html.contains(conference.alias.as_str()));
    assert!(update.location.contains(conference.alias.as_str()));

    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 1);
    let html = accepted_html(&answered[0].answer);
    assert!(html.contains(conference.alias.as_str()), "{html}");
    assert!(
        !html.contains(reservation.marker.as_str()),
        "the attendees got the instructions from the organizer: {html}"
    );
    assert_eq!(
        h.actions().await,
        ["provision", "accept_with_organizer_update"]
    );
}

#[tokio::test]
async fn a_refused_organizer_update_sends_the_instructions_to_the_organizer() {
    let h = harness(provisioning(true)).await;
    h.mailbox.0.lock().unwrap().refuse_organizer_updates =
        Some("ErrorImpersonateUserDenied".into());
    h.mailbox.deliver(request(1, "no marker"));
    h.worker.run_once().await.unwrap();

    let (_, reservation) = h.provisioned("gid-1").await;
    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 1);
    let html = accepted_html(&answered[0].answer);
    assert!(html.contains(reservation.marker.as_str()), "{html}");
    let log = h
        .store
        .recent_operations(&main_id(), false, 10)
        .await
        .unwrap();
    let fallback = log
        .iter()
        .find(|operation| operation.action == instructions::FALLBACK_ACTION)
        .expect("the fallback is logged");
    assert_eq!(
        fallback.error_code.as_deref(),
        Some("ErrorImpersonateUserDenied")
    );
    assert_eq!(fallback.global_object_id.as_deref(), Some("gid-1"));
}

#[tokio::test]
async fn a_lost_accept_repeats_the_same_organizer_update_first() {
    let h = harness(provisioning(true)).await;
    h.mailbox.deliver(request(1, "no marker"));
    h.mailbox.fail_next_send(SendFault::Lost);
    h.worker.run_once().await.unwrap();
    assert!(h.mailbox.answered().is_empty());
    h.worker.run_once().await.unwrap();

    let updates = h.mailbox.0.lock().unwrap().organizer_updates.clone();
    assert_eq!(updates.len(), 2, "the stored update is made again");
    assert_eq!(updates[0], updates[1], "the same room both times");
    assert_eq!(h.mailbox.answered().len(), 1);
    assert_eq!(
        h.store.count_live_reservations(&main_id()).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn the_decline_policy_still_provisions_nothing() {
    let h = harness(UnmarkedMeetings::Decline).await;
    h.mailbox.deliver(request(1, "no marker"));
    h.worker.run_once().await.unwrap();
    assert!(matches!(
        h.mailbox.answered()[0].answer,
        Answer::Decline { .. }
    ));
    assert_eq!(
        h.store.count_live_reservations(&main_id()).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_provisioning_plan_stores_the_drawn_room_for_the_meeting() {
    let h = harness(provisioning(false)).await;
    let organizer = EmailAddress::parse("manager@example.com").unwrap();
    let drawn = provision::ProvisionedRoom::draw(&h.worker.integration, &organizer, millis(NOW));
    let message = request(1, "no marker");
    let record = crate::scheduling::ConferenceRecord {
        global_object_id: "gid-1".into(),
        reservation_id: None,
        subject: message.subject.clone(),
        organizer: message.organizer.clone(),
        reserved_by: None,
        schedule: message.schedule.clone(),
    };
    let changes = [
        crate::scheduling::Change::ProvisionVmr(record),
        crate::scheduling::Change::SendInstructions(
            crate::scheduling::InstructionsDelivery::ReplyToOrganizer,
        ),
    ];
    let room = drawn.room();
    let stored = outcome::store_changes(&main_id(), &changes, None, Some(&drawn)).unwrap();
    let [crate::store::StoreChange::InsertReservation(new), crate::store::StoreChange::MarkReservationUsed {
        reservation_id,
        global_object_id,
    }, crate::store::StoreChange::SaveConference(conference)] = stored.as_slice()
    else {
        panic!("unexpected changes: {stored:?}");
    };
    assert_eq!(new.alias, room.alias);
    assert_eq!(Some(*reservation_id), room.reservation_id);
    assert_eq!(global_object_id, "gid-1");
    assert_eq!(conference.reservation_id, room.reservation_id);
    assert_eq!(conference.alias, room.alias);
    assert_eq!(conference.numeric_alias, room.numeric_alias);

    // Without a drawn room there is nothing to store.
    assert!(matches!(
        outcome::store_changes(&main_id(), &changes, None, None),
        Err(OutcomeError::NoRoom)
    ));
}
