//! Push mode: the service keeps the rooms of its stored conferences in a loopback Pexip
//! Infinity management API, reconciling every second.

use crate::helpers::*;
use crate::scheduling_support::eventually;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use vmr_scheduler::domain::{EmailAddress, IntegrationId};
use vmr_scheduler::store::{Conference, ConferenceWindow, Operation, Outcome};
use vmr_scheduler_tests::on_both_backends;
use vmr_scheduler_tests::pexip_management::{PexipManagement, Room};

const USERNAME: &str = "vmr-push";
const PASSWORD: &str = "management-password";
const OUR_TAG: &str = "vmr-scheduler:single";
const HOUR: i64 = 3_600_000;

struct PushTest {
    app: TestApp,
    /// The organizer's: the same user reserves and later changes the options.
    token: String,
    pexip: PexipManagement,
}

async fn spawn(db: &str) -> PushTest {
    spawn_with_interval(db, 1).await
}

/// Reconciling every `interval_seconds`.
async fn spawn_with_interval(db: &str, interval_seconds: u32) -> PushTest {
    let pexip = PexipManagement::start(USERNAME, PASSWORD).await;
    let password_file = std::env::temp_dir().join(format!("vmr-pexip-pw-{}", uuid::Uuid::new_v4()));
    std::fs::write(&password_file, PASSWORD).unwrap();
    let section = format!(
        r#"
        [integrations.single.pexip_push]
        url = "{url}"
        insecure_allow_http_loopback = true
        username = "{USERNAME}"
        password = {{ file = {file:?} }}
        reconcile_interval_seconds = {interval_seconds}
        timeout_seconds = 1
        "#,
        url = pexip.url(),
        file = password_file.display().to_string(),
    );
    let app = spawn_app_with(db, "", |_| {
        addin_toml("single", "meeting_options = true") + &section
    })
    .await;
    PushTest {
        token: app.entra_token(),
        app,
        pexip,
    }
}

fn now_millis() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// A meeting booked with an alias reserved through the add-in (with `options`), stored as the
/// mailbox worker stores it; `start` in Unix milliseconds.
struct Booking {
    uid: String,
    conference: Conference,
    reservation: Value,
}

impl PushTest {
    async fn book(&self, uid: &str, subject: &str, start: i64, options: Value) -> Booking {
        let response = self
            .app
            .reserve(
                "single",
                Some(&self.token),
                Some(json!({ "meeting_key": uid, "options": options })),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201);
        let reservation: Value = response.json().await.unwrap();
        let stored = self.app.stored(&reservation).await;
        let conference = Conference {
            integration: IntegrationId::parse("single").unwrap(),
            global_object_id: uid.into(),
            reservation_id: Some(stored.id),
            alias: stored.alias.clone(),
            numeric_alias: stored.numeric_alias.clone(),
            subject: subject.into(),
            organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
            organizer_name: Some("Manager".into()),
            reserved_by: None,
            is_series: false,
            first_start: start,
            last_end: Some(start + HOUR),
            windows: vec![ConferenceWindow {
                original_start: start,
                start,
                end: start + HOUR,
            }],
        };
        self.save(&conference).await;
        Booking {
            uid: uid.into(),
            conference,
            reservation,
        }
    }

    async fn save(&self, conference: &Conference) {
        self.app
            .store
            .save_conference(conference, now_millis())
            .await
            .unwrap();
    }

    /// The room of `booking` once it carries `check`'s wish.
    async fn room_when(&self, booking: &Booking, check: impl Fn(&Room) -> bool) -> Room {
        let alias = booking.conference.alias.as_str().to_string();
        eventually("the room in Infinity", || {
            self.pexip
                .room_with_alias(&alias)
                .filter(|room| check(room))
        })
        .await
    }

    async fn operations(&self, action: &str) -> Vec<Operation> {
        self.app
            .store
            .recent_operations(&IntegrationId::parse("single").unwrap(), false, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|operation| operation.action == action)
            .collect()
    }

    fn assert_every_request_was_well_formed(&self) {
        assert_eq!(self.pexip.invalid_requests(), Vec::<String>::new());
    }
}

fn guests_with_pins() -> Value {
    json!({ "host_pin": "1234", "guest_pin": "5678", "guests_allowed": true })
}

async fn a_booked_meeting_gets_its_room_with_both_aliases(db: String) {
    let test = spawn(&db).await;
    let booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, guests_with_pins())
        .await;
    let room = test
        .room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    let alias = booking.conference.alias.as_str();
    assert_eq!(room.name, format!("Planning (Manager) [{alias}]"));
    assert_eq!(
        room.description,
        "Scheduled video meeting booked by manager@example.com"
    );
    assert_eq!(room.service_type, "conference");
    assert_eq!(room.tag, OUR_TAG);
    assert_eq!(
        (room.pin.as_str(), room.guest_pin.as_str()),
        ("1234", "5678")
    );
    assert!(room.allow_guests);
    assert_eq!(
        room.aliases,
        [alias, booking.conference.numeric_alias.as_str()]
    );
    let created = test.operations("push_create").await;
    assert!(
        created
            .iter()
            .any(|operation| operation.outcome == Outcome::Ok
                && operation.global_object_id.as_deref() == Some("uid-1")),
        "{created:?}"
    );
    test.assert_every_request_was_well_formed();
}

async fn an_edited_meeting_updates_its_room(db: String) {
    let test = spawn(&db).await;
    let mut booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, guests_with_pins())
        .await;
    let before = test
        .room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    booking.conference.subject = "Quarterly review".into();
    let moved = now_millis() + 3 * HOUR;
    booking.conference.windows[0].start = moved;
    booking.conference.windows[0].end = moved + HOUR;
    test.save(&booking.conference).await;
    let id = booking.reservation["reservation_id"]
        .as_str()
        .expect("reservation id");
    let response = test
        .app
        .call(
            Method::PUT,
            &format!("/api/v1/integrations/single/reservations/{id}/options"),
            Some(&test.token),
            Some(json!({ "host_pin": "4321", "guests_allowed": false })),
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "{}",
        response.text().await.unwrap()
    );
    let after = test
        .room_when(&booking, |room| {
            room.name.starts_with("Quarterly review") && room.pin == "4321"
        })
        .await;
    assert_eq!(after.id, before.id, "the room is updated, not replaced");
    assert!(!after.allow_guests);
    assert_eq!(after.guest_pin, "");
    assert!(!test.operations("push_update").await.is_empty());
    test.assert_every_request_was_well_formed();
}

async fn a_cancelled_meeting_loses_its_room_and_a_past_one_gets_none(db: String) {
    let test = spawn(&db).await;
    let past = test
        .book("uid-past", "Last week", now_millis() - 26 * HOUR, json!({}))
        .await;
    let booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, json!({}))
        .await;
    test.room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    let integration = IntegrationId::parse("single").unwrap();
    test.app
        .store
        .remove_conference(&integration, &booking.uid, now_millis())
        .await
        .unwrap();
    let alias = booking.conference.alias.as_str().to_string();
    eventually("the room's deletion", || {
        test.pexip.room_with_alias(&alias).is_none().then_some(())
    })
    .await;
    assert!(test.pexip.rooms().is_empty(), "{:?}", test.pexip.rooms());
    assert!(test
        .pexip
        .room_with_alias(past.conference.alias.as_str())
        .is_none());
    let deleted = test.operations("push_delete").await;
    assert!(deleted
        .iter()
        .any(|operation| operation.outcome == Outcome::Ok));
    test.assert_every_request_was_well_formed();
}

async fn orphans_with_our_tag_go_and_foreign_rooms_stay(db: String) {
    let test = spawn(&db).await;
    // More than one page of the listing (100 rooms).
    for n in 0..150 {
        let alias = format!("old{n:06}@single.vc.example.com");
        test.pexip
            .add_room(&format!("Old meeting [{alias}]"), OUR_TAG, &[&alias]);
    }
    let foreign = test.pexip.add_room(
        "Board room",
        "room-manager",
        &["board@single.vc.example.com"],
    );
    let booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, json!({}))
        .await;
    let ours = test
        .room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    eventually("the orphans' deletion", || {
        let tagged: Vec<u64> = test
            .pexip
            .rooms()
            .iter()
            .filter(|room| room.tag == OUR_TAG)
            .map(|room| room.id)
            .collect();
        (tagged == [ours.id]).then_some(())
    })
    .await;
    let requests = test.pexip.requests();
    assert!(
        requests
            .iter()
            .any(|request| request.method == "GET" && request.query.contains("offset=100")),
        "the second page was read"
    );
    let rooms = test.pexip.rooms();
    let kept = rooms
        .iter()
        .find(|room| room.id == foreign)
        .expect("foreign room kept");
    assert_eq!(kept.name, "Board room");
    assert_eq!(kept.aliases, ["board@single.vc.example.com"]);
    assert!(requests
        .iter()
        .all(|request| !request.path.ends_with(&format!("/conference/{foreign}/"))));
    let deleted = test.operations("push_delete").await;
    assert_eq!(
        deleted
            .iter()
            .filter(|operation| operation.outcome == Outcome::Ok)
            .count(),
        150
    );
    test.assert_every_request_was_well_formed();
}

async fn injected_faults_are_retried_and_reconciliation_converges(db: String) {
    let test = spawn(&db).await;
    // Fewer than the tries of one call: the call itself succeeds.
    test.pexip.fail_next(2, 503);
    let first = test
        .book("uid-1", "Planning", now_millis() + HOUR, json!({}))
        .await;
    test.room_when(&first, |room| room.aliases.len() == 2).await;
    let requests = test.pexip.requests();
    let first_fault = requests
        .iter()
        .position(|request| request.status == 503)
        .expect("a fault was answered");
    let (failed, retried) = (&requests[first_fault], &requests[first_fault + 2]);
    assert_eq!(requests[first_fault + 1].status, 503);
    assert_eq!(
        (
            retried.method.as_str(),
            retried.path.as_str(),
            retried.status
        ),
        (failed.method.as_str(), failed.path.as_str(), 200),
        "the same call, tried again"
    );

    // More than one call's tries: the cycle fails, a later one converges.
    test.pexip.fail_next(7, 502);
    let second = test
        .book("uid-2", "Review", now_millis() + HOUR, json!({}))
        .await;
    test.room_when(&second, |room| room.aliases.len() == 2)
        .await;
    let failures: Vec<Operation> = test
        .app
        .store
        .recent_operations(&IntegrationId::parse("single").unwrap(), true, 50)
        .await
        .unwrap();
    assert!(
        failures
            .iter()
            .any(|operation| operation.error_code.as_deref() == Some("http_502")),
        "{failures:?}"
    );

    // Slower than the timeout: calls time out until Infinity answers in time again.
    test.pexip.set_latency(Duration::from_millis(1500));
    failure_where(&test, |operation| {
        operation.error_code.as_deref() == Some("timeout")
    })
    .await;
    test.pexip.set_latency(Duration::ZERO);
    let third = test
        .book("uid-3", "Retro", now_millis() + HOUR, json!({}))
        .await;
    test.room_when(&third, |room| room.aliases.len() == 2).await;
    assert_eq!(test.pexip.rooms().len(), 3);
    test.assert_every_request_was_well_formed();
}

/// The newest failed operation matching `wanted`, waiting for it (at most 20 seconds).
async fn failure_where(test: &PushTest, wanted: impl Fn(&Operation) -> bool) -> Operation {
    for _ in 0..200 {
        let failures = test
            .app
            .store
            .recent_operations(&IntegrationId::parse("single").unwrap(), true, 50)
            .await
            .unwrap();
        if let Some(failure) = failures.into_iter().find(|operation| wanted(operation)) {
            return failure;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no such failed operation");
}

async fn drift_made_in_infinity_is_repaired(db: String) {
    let test = spawn(&db).await;
    let booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, guests_with_pins())
        .await;
    let room = test
        .room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    let numeric = booking.conference.numeric_alias.as_str().to_string();
    test.pexip
        .edit_room(room.id, |room| room.pin = "9999".into());
    assert!(test.pexip.remove_alias(&numeric));
    let repaired = test
        .room_when(&booking, |room| {
            room.pin == "1234" && room.aliases.contains(&numeric)
        })
        .await;
    assert_eq!(repaired.id, room.id);
    assert_eq!(repaired.aliases.len(), 2);
    test.assert_every_request_was_well_formed();
}

async fn a_change_is_pushed_without_waiting_for_the_interval(db: String) {
    let test = spawn_with_interval(&db, 3600).await;
    // The pass at start has found nothing to do; the next would be in an hour.
    eventually("the first pass", || {
        (!test.pexip.requests().is_empty()).then_some(())
    })
    .await;
    let booking = test
        .book("uid-1", "Planning", now_millis() + HOUR, json!({}))
        .await;
    test.room_when(&booking, |room| room.aliases.len() == 2)
        .await;
    test.assert_every_request_was_well_formed();
}

async fn an_alias_taken_in_infinity_fails_alone_and_converges_once_free(db: String) {
    let test = spawn(&db).await;
    let taken = "meet777777@single.vc.example.com";
    let foreign = test.pexip.add_room("Board room", "room-manager", &[taken]);
    // A room provisioned without a reservation: its alias is chosen here.
    let mut conference = test
        .book("uid-free", "Planning", now_millis() + HOUR, json!({}))
        .await
        .conference;
    conference.global_object_id = "uid-clash".into();
    conference.reservation_id = None;
    conference.alias = vmr_scheduler::domain::Alias::parse(taken).unwrap();
    conference.numeric_alias = vmr_scheduler::domain::NumericAlias::parse("17777777").unwrap();
    test.save(&conference).await;
    let refused = eventually("a refused alias in the log", || {
        test.pexip
            .requests()
            .into_iter()
            .find(|request| request.status == 400)
    })
    .await;
    assert_eq!(
        refused.path,
        "/api/admin/configuration/v1/conference_alias/"
    );
    let failed = failure_where(&test, |operation| {
        operation.global_object_id.as_deref() == Some("uid-clash")
    })
    .await;
    assert_eq!(failed.error_code.as_deref(), Some("http_400"));
    let foreign_room = test
        .pexip
        .room_with_alias(taken)
        .expect("foreign room keeps it");
    assert_eq!(foreign_room.id, foreign);

    assert!(test.pexip.remove_alias(taken));
    let ours = eventually("the freed alias on our room", || {
        test.pexip
            .room_with_alias(taken)
            .filter(|room| room.tag == OUR_TAG && room.aliases.len() == 2)
    })
    .await;
    assert!(ours.name.ends_with(&format!("[{taken}]")));
    test.assert_every_request_was_well_formed();
}

on_both_backends! {
    push_reports_a_taken_alias_and_converges_once_free => super::an_alias_taken_in_infinity_fails_alone_and_converges_once_free;
    push_wakes_up_on_changes => super::a_change_is_pushed_without_waiting_for_the_interval;
    push_creates_the_room_of_a_booked_meeting => super::a_booked_meeting_gets_its_room_with_both_aliases;
    push_updates_the_room_of_an_edited_meeting => super::an_edited_meeting_updates_its_room;
    push_deletes_cancelled_and_skips_past_meetings => super::a_cancelled_meeting_loses_its_room_and_a_past_one_gets_none;
    push_removes_orphans_and_keeps_foreign_rooms => super::orphans_with_our_tag_go_and_foreign_rooms_stay;
    push_retries_faults_and_converges => super::injected_faults_are_retried_and_reconciliation_converges;
    push_repairs_drift => super::drift_made_in_infinity_is_repaired;
}
