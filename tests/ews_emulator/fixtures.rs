//! The shared known-good fixtures pass validation and get the answers Exchange would give.

use std::fs;

use vmr_scheduler_tests::ews_emulator::Folder;

use crate::client::{emulator, examples_dir, Auth, Client, PASSWORD, RESOURCE, SERVICE};
use crate::{at, invite};

const FIXTURE_ID: &str = "AAMkADk0ZTFmZmE3LTFhY2MtNDVhNS1hMzI4LWMxNjk2MjRhYzQ2OQBGAAAAAAAx";
const FIXTURE_KEY: &str = "CwAAABYAAABKd8nA4sPJQqCAAAxn0f7hAAAAAAAB";

/// A body fixture without its XML declaration and comment, ready to go into an envelope.
fn body_fixture(name: &str) -> String {
    let text = fs::read_to_string(examples_dir().join(name)).expect("fixture is readable");
    let start = text.find("<m:").expect("the fixture has an m: element");
    text[start..].to_owned()
}

#[tokio::test]
async fn body_fixtures_validate_and_get_exchange_answers() {
    let ews = emulator();
    let client = Client::new(&ews);

    let sync = client.call(&body_fixture("ews-syncfolderitems.xml")).await;
    assert_eq!(sync.status, 200, "{}", sync.text);
    assert_eq!(sync.code_list(), ["NoError"]);
    assert_eq!(
        sync.first_text(crate::client::M, "IncludesLastItemInRange")
            .as_deref(),
        Some("true")
    );

    // The fixtures' ids are dummies: Exchange does not know them.
    let get = client.call(&body_fixture("ews-getitem.xml")).await;
    assert_eq!(get.codes(), [("Error".into(), "ErrorItemNotFound".into())]);
    let accept = client
        .call(&body_fixture("ews-createitem-acceptitem.xml"))
        .await;
    assert_eq!(
        accept.codes(),
        [("Error".into(), "ErrorItemNotFound".into())]
    );

    // With a real meeting request's id and change key, the same requests succeed.
    let id = ews.send_meeting(&invite("fixture-1", at(2026, 12, 3, 10, 1)));
    let (_, request) = ews.item(RESOURCE, &id).expect("request delivered");
    let real = |name: &str| {
        body_fixture(name)
            .replace(FIXTURE_ID, &request.id)
            .replace(FIXTURE_KEY, &request.change_key)
    };
    let get = client.call(&real("ews-getitem.xml")).await;
    assert_eq!(get.code_list(), ["NoError"]);
    assert_eq!(
        get.first_text(crate::client::T, "UID").as_deref(),
        Some("fixture-1")
    );
    assert_eq!(
        get.first_text(crate::client::T, "CalendarItemType")
            .as_deref(),
        Some("Single")
    );
    let accept = client.call(&real("ews-createitem-acceptitem.xml")).await;
    assert_eq!(accept.code_list(), ["NoError"], "{}", accept.text);
    assert_eq!(ews.folder(RESOURCE, Folder::Calendar).len(), 1);
    assert!(ews.schema_errors().is_empty(), "{:?}", ews.schema_errors());
}

#[tokio::test]
async fn envelope_fixture_is_accepted_as_sent() {
    let ews = emulator();
    let client = Client::new(&ews);
    let envelope =
        fs::read_to_string(examples_dir().join("ews-envelope-createitem-acceptitem.xml"))
            .expect("fixture is readable");
    let answer = client
        .post_raw(&envelope, Auth::Basic(SERVICE, PASSWORD), Some(RESOURCE))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.code_list(), ["ErrorItemNotFound"]);
    crate::client::assert_schema_valid(&answer.text);
    assert!(ews.schema_errors().is_empty(), "{:?}", ews.schema_errors());
    let calls = ews.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].operation, "CreateItem");
    assert_eq!(calls[0].mailbox.as_deref(), Some(RESOURCE));
}
