//! The whole path of a meeting: the add-in reserves an alias, the organizer's meeting request
//! reaches the equipment resource in the (emulated) Exchange, the service's mailbox worker
//! accepts it, stores the conference and the organizer gets the reply.

use crate::helpers::*;
use crate::scheduling_support::{
    emulator, eventually, exchange_section, ORGANIZER, PASSWORD, RESOURCE,
};
use serde_json::Value;
use time::OffsetDateTime;
use vmr_scheduler::domain::{AliasMarker, IntegrationId};
use vmr_scheduler::store::ReservationState;
use vmr_scheduler_tests::ews_emulator::{Folder, Invite, ItemKind};
use vmr_scheduler_tests::on_both_backends;

async fn a_reserved_meeting_is_accepted_end_to_end(db: String) {
    let exchange = emulator();
    let password_file = std::env::temp_dir().join(format!("vmr-ews-pw-{}", uuid::Uuid::new_v4()));
    std::fs::write(&password_file, PASSWORD).unwrap();
    let app = spawn_app_with(&db, "", |_| exchange_section(&exchange, &password_file)).await;

    // The organizer's add-in reserves an alias and puts the instructions into the body.
    let response = app.reserve("single", Some(&app.entra_token()), None).await;
    assert_eq!(response.status(), 201);
    let reservation: Value = response.json().await.unwrap();
    let instructions = reservation["instructions_html"].as_str().unwrap();
    let alias = reservation["alias"].as_str().unwrap();

    let start = OffsetDateTime::now_utc() + time::Duration::days(2);
    let uid = format!("040000008200E00074C5B7101A82E008-{}", uuid::Uuid::new_v4());
    exchange.send_meeting(&Invite {
        uid: uid.clone(),
        organizer: ("Manager".into(), ORGANIZER.into()),
        resource: RESOURCE.into(),
        subject: "Budget review & planning".into(),
        body_html: format!("<p>Agenda</p>{instructions}"),
        start,
        end: start + time::Duration::hours(1),
        time_zone: "UTC".into(),
        recurrence: None,
    });

    // The worker answers: the organizer receives the acceptance with the room's alias.
    let reply = eventually("the organizer's reply", || {
        exchange
            .folder(ORGANIZER, Folder::Inbox)
            .into_iter()
            .find(|item| item.kind == ItemKind::MeetingResponse)
    })
    .await;
    assert_eq!(reply.item_class, "IPM.Schedule.Meeting.Resp.Pos");
    assert!(reply.body.contains(alias), "{}", reply.body);
    assert!(
        reply.body.contains("Budget review &amp; planning"),
        "the subject is escaped: {}",
        reply.body
    );

    // Exchange's side: the resource's calendar has the meeting, its inbox is empty.
    let calendar = exchange.folder(RESOURCE, Folder::Calendar);
    assert_eq!(calendar.len(), 1);
    assert_eq!(calendar[0].uid(), Some(uid.as_str()));
    assert!(exchange.folder(RESOURCE, Folder::Inbox).is_empty());

    // Ours: a conference on the reserved alias, the reservation used by this meeting.
    let single = IntegrationId::parse("single").unwrap();
    let conference = app
        .store
        .conference(&single, &uid)
        .await
        .unwrap()
        .expect("conference");
    assert_eq!(conference.alias.as_str(), alias);
    assert_eq!(conference.subject, "Budget review & planning");
    assert_eq!(conference.organizer_email.as_str(), ORGANIZER);
    let marker = AliasMarker::parse(reservation["alias_id_marker"].as_str().unwrap()).unwrap();
    let stored = app
        .store
        .reservation_by_marker(&marker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, ReservationState::Used);
    let operations = app
        .store
        .recent_operations(&single, false, 10)
        .await
        .unwrap();
    // Other lines (a sync, say) may share the accept's millisecond: look for it by meeting.
    assert!(
        operations
            .iter()
            .any(|op| op.action == "accept" && op.global_object_id.as_deref() == Some(uid.as_str())),
        "{operations:?}"
    );

    assert_eq!(exchange.schema_errors(), Vec::<String>::new());
    assert_eq!(exchange.protocol_errors(), Vec::<String>::new());
    let _ = std::fs::remove_file(password_file);
}

on_both_backends! {
    a_reserved_meeting_is_accepted_end_to_end => super::a_reserved_meeting_is_accepted_end_to_end;
}
