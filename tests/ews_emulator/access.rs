//! Authentication, impersonation scope and anchor header, injected faults, latency and
//! schema validation of requests.

use std::time::{Duration, Instant};

use vmr_scheduler_tests::ews_emulator::{
    Account, EmulatorConfig, EwsEmulator, Fault, ImpersonationScope,
};

use crate::client::{
    create_item_body, emulator, envelope, response_object, sync_body, Auth, Client, M, PASSWORD,
    RESOURCE, SERVICE, TOKEN,
};

#[tokio::test]
async fn credentials_are_checked() {
    let ews = emulator();
    let client = Client::new(&ews);
    let request = envelope(&sync_body("inbox", None, 10), Some(RESOURCE));
    for auth in [
        Auth::None,
        Auth::Basic(SERVICE, "wrong"),
        Auth::Basic("someone@example.org", PASSWORD),
        Auth::Bearer("not-the-token"),
    ] {
        let answer = client.post_raw(&request, auth, Some(RESOURCE)).await;
        assert_eq!(answer.status, 401, "{auth:?}");
    }
    for auth in [Auth::Basic(SERVICE, PASSWORD), Auth::Bearer(TOKEN)] {
        let answer = client.post_raw(&request, auth, Some(RESOURCE)).await;
        assert_eq!(answer.status, 200, "{auth:?}");
        assert_eq!(answer.code_list(), ["NoError"]);
    }
    // Without impersonation the account acts on its own mailbox.
    let own = envelope(&sync_body("inbox", None, 10), None);
    let answer = client.post_raw(&own, Auth::Bearer(TOKEN), None).await;
    assert_eq!(answer.code_list(), ["ErrorNonExistentMailbox"]);
    ews.add_mailbox("svc-oauth@example.org", "Service");
    let answer = client.post_raw(&own, Auth::Bearer(TOKEN), None).await;
    assert_eq!(answer.code_list(), ["NoError"]);
    let mailboxes: Vec<Option<String>> = ews.calls().into_iter().map(|c| c.mailbox).collect();
    assert_eq!(
        mailboxes.last().cloned().flatten().as_deref(),
        Some("svc-oauth@example.org")
    );
    let statuses: Vec<u16> = ews.calls().into_iter().map(|c| c.status).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 200, 200, 200, 200]);
}

#[tokio::test]
async fn impersonation_is_limited_to_its_scope_and_needs_the_anchor_header() {
    let mut config = EmulatorConfig::new(vec![Account::basic(SERVICE, PASSWORD)]);
    config.impersonation = ImpersonationScope::Only(vec![RESOURCE.to_uppercase()]);
    let ews = EwsEmulator::start(config);
    ews.add_mailbox(RESOURCE, "VMR resource");
    ews.add_mailbox("ceo@example.org", "CEO");
    let client = Client::new(&ews);

    assert_eq!(
        client.call(&sync_body("inbox", None, 10)).await.code_list(),
        ["NoError"]
    );
    let denied = client
        .call_as("ceo@example.org", &sync_body("inbox", None, 10))
        .await;
    assert_eq!(denied.status, 200);
    assert_eq!(
        denied.codes(),
        [("Error".into(), "ErrorImpersonateUserDenied".into())]
    );
    // Batched requests get one denial per item.
    let batch = create_item_body(&[
        response_object("AcceptItem", "AAMkADa", Some("k"), "<p>a</p>"),
        response_object("DeclineItem", "AAMkADb", Some("k"), "<p>b</p>"),
    ]);
    let denied = client.call_as("ceo@example.org", &batch).await;
    assert_eq!(
        denied.code_list(),
        ["ErrorImpersonateUserDenied", "ErrorImpersonateUserDenied"]
    );

    assert!(ews.protocol_errors().is_empty());
    let request = envelope(&sync_body("inbox", None, 10), Some(RESOURCE));
    for anchor in [None, Some("ceo@example.org")] {
        let answer = client
            .post_raw(&request, Auth::Basic(SERVICE, PASSWORD), anchor)
            .await;
        assert_eq!(answer.status, 500, "anchor {anchor:?}");
        assert_eq!(answer.fault_code().as_deref(), Some("ErrorInvalidRequest"));
    }
    let errors = ews.protocol_errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.contains("X-AnchorMailbox")));
}

#[tokio::test]
async fn injected_faults_answer_the_next_requests_in_order() {
    let ews = emulator();
    let client = Client::new(&ews);
    let request = sync_body("inbox", None, 10);

    ews.inject(Fault::ServerBusy { back_off_ms: 1234 }, 2);
    ews.inject(Fault::ServerBusyInResponse { back_off_ms: 99 }, 1);
    ews.inject(Fault::Http(503), 1);
    ews.inject(Fault::MalformedXml, 1);
    ews.inject(Fault::Unauthorized, 1);

    for _ in 0..2 {
        let busy = client.call(&request).await;
        assert_eq!(busy.status, 500);
        assert_eq!(busy.fault_code().as_deref(), Some("ErrorServerBusy"));
        assert!(busy
            .text
            .contains("<t:Value Name=\"BackOffMilliseconds\">1234</t:Value>"));
        crate::client::assert_schema_valid(&busy.text);
    }
    let busy = client.call(&request).await;
    assert_eq!(busy.status, 200);
    assert_eq!(busy.codes(), [("Error".into(), "ErrorServerBusy".into())]);
    assert!(busy
        .text
        .contains("<m:MessageXml><t:Value Name=\"BackOffMilliseconds\">99</t:Value>"));
    assert_eq!(client.call(&request).await.status, 503);
    let malformed = client.call_raw_unchecked(&request).await;
    assert_eq!(malformed.status, 200);
    assert!(roxmltree::Document::parse(&malformed.text).is_err());
    assert_eq!(client.call(&request).await.status, 401);
    // Then back to normal.
    assert_eq!(client.call(&request).await.code_list(), ["NoError"]);

    let injected: Vec<bool> = ews.calls().into_iter().map(|c| c.injected).collect();
    assert_eq!(injected, [true, true, true, true, true, true, false]);
}

#[tokio::test]
async fn a_timeout_holds_the_request_past_the_client_deadline() {
    let ews = emulator();
    let client = Client::new(&ews);
    ews.inject(Fault::Timeout, 1);
    let request = envelope(&sync_body("inbox", None, 10), Some(RESOURCE));
    let started = Instant::now();
    let held = client
        .try_post(
            &request,
            Auth::Basic(SERVICE, PASSWORD),
            Some(RESOURCE),
            Duration::from_millis(500),
        )
        .await;
    assert!(held.expect_err("no answer in time").is_timeout());
    assert!(started.elapsed() >= Duration::from_millis(500));
    let next = client
        .post_raw(&request, Auth::Basic(SERVICE, PASSWORD), Some(RESOURCE))
        .await;
    assert_eq!(next.code_list(), ["NoError"]);
    let stopping = Instant::now();
    drop(ews);
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "the held request ends at shutdown"
    );
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let ews = emulator();
    let client = Client::new(&ews);
    ews.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(
        client.call(&sync_body("inbox", None, 10)).await.code_list(),
        ["NoError"]
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn schema_invalid_requests_are_rejected_and_recorded() {
    let ews = emulator();
    if !ews.validates_requests() {
        eprintln!("skipped: xmllint or the EWS schemas are not available");
        return;
    }
    let client = Client::new(&ews);
    let id = ews.send_meeting(&crate::invite("uid-schema", crate::at(2026, 12, 9, 10, 1)));
    let key = ews.item(RESOURCE, &id).expect("request").1.change_key;
    let accept = response_object("AcceptItem", &id, Some(&key), "<p>ok</p>");
    let invalid =
        create_item_body(std::slice::from_ref(&accept)).replace("SendAndSaveCopy", "SendAndSave");
    let answer = client.call(&invalid).await;
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.fault_code().as_deref(),
        Some("ErrorSchemaValidation")
    );
    let errors = ews.schema_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("CreateItem: "), "{errors:?}");
    assert!(errors[0].contains("SendAndSave"), "{errors:?}");
    assert_eq!(
        ews.folder(
            RESOURCE,
            vmr_scheduler_tests::ews_emulator::Folder::Calendar
        )
        .len(),
        0
    );

    // Wrong element order and an out-of-range MaxChangesReturned are caught as well.
    let swapped = create_item_body(&[format!(
        "<t:AcceptItem><t:ReferenceItemId Id=\"{id}\" ChangeKey=\"{key}\"/>\
         <t:Body BodyType=\"HTML\">x</t:Body></t:AcceptItem>"
    )]);
    assert_eq!(client.call(&swapped).await.status, 500);
    assert_eq!(
        client.call(&sync_body("inbox", None, 1000)).await.status,
        500
    );
    assert_eq!(ews.schema_errors().len(), 3);
    let ok = client.call(&create_item_body(&[accept])).await;
    assert_eq!(ok.code_list(), ["NoError"]);
    let body = format!("<m:Unheard xmlns:m=\"{M}\"/>");
    assert_eq!(client.call(&body).await.status, 500);
}

#[tokio::test]
async fn validation_can_be_switched_off() {
    let mut config = EmulatorConfig::new(vec![Account::basic(SERVICE, PASSWORD)]);
    config.validate_requests = false;
    let ews = EwsEmulator::start(config);
    ews.add_mailbox(RESOURCE, "VMR resource");
    let client = Client::new(&ews);
    let answer = client.call(&sync_body("inbox", None, 1000)).await;
    assert_eq!(answer.code_list(), ["NoError"]);
    assert!(ews.schema_errors().is_empty());
    assert!(!ews.validates_requests());
}
