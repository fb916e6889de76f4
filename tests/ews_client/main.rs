//! The EWS client's request envelopes against the official EWS schema (through `xmllint` and
//! the SOAP wrapper schema in `../shared/schemas/ews`), with negative controls, and the
//! client's parsers against the shared known-good fixtures.
//!
//! Where the schemas or xmllint are missing the tests say why and pass, unless
//! `VMR_REQUIRE_SCHEMAS=1`.

use std::path::PathBuf;
use std::time::Duration;
use time::macros::datetime;
use vmr_scheduler::domain::EmailAddress;
use vmr_scheduler::exchange::ews::requests::{self, RequestHeader};
use vmr_scheduler::exchange::ews::{
    responses, EwsError, ItemId, ItemTarget, Response, ServerVersion,
};
use vmr_scheduler_tests::schemas::{
    find_schema, shared_schemas_dir, unavailable, xmllint_validate,
};

const ENVELOPE_SCHEMA: &str = "ews/ews-soap-envelope.xsd";

/// Markup, quotes, whitespace that attributes would normalise, and non-ASCII text.
const AWKWARD: &str = "<p class=\"x\">Tom & 'Jerry' — Ünïcødé 会議 😀</p>\t\r\nnext > line";

fn awkward_id(n: u32) -> ItemId {
    ItemId::new(format!("AAMk{n}{AWKWARD}"), Some(format!("CQ{n}{AWKWARD}")))
}

/// Every envelope the client builds, for both versions, with and without impersonation.
fn envelopes() -> Vec<(String, String)> {
    let mailbox = EmailAddress::parse("vmr-résource+tag@example.org").unwrap();
    let ids = [awkward_id(1), ItemId::new("AAMkNoChangeKey", None)];
    let responses = [
        Response::Accept {
            item: awkward_id(2),
            body_html: AWKWARD.into(),
        },
        Response::Decline {
            item: awkward_id(3),
            body_html: String::new(),
        },
        Response::Remove {
            item: awkward_id(4),
        },
    ];
    let start = datetime!(2026-12-01 10:00 +01:00);
    let end = datetime!(2027-01-01 00:00 UTC);
    let mut all = Vec::new();
    for version in [ServerVersion::Exchange2013Sp1, ServerVersion::Exchange2016] {
        for impersonate in [None, Some(&mailbox)] {
            let header = RequestHeader {
                version,
                impersonate,
            };
            let label = |operation: &str| {
                format!(
                    "{operation} ({}, {})",
                    version.as_str(),
                    if impersonate.is_some() {
                        "impersonating"
                    } else {
                        "as the account"
                    }
                )
            };
            all.extend([
                (
                    label("SyncFolderItems, first sync"),
                    requests::sync_folder_items(&header, None, 512),
                ),
                (
                    label("SyncFolderItems"),
                    requests::sync_folder_items(&header, Some(AWKWARD), 1),
                ),
                (label("GetItem"), requests::get_item(&header, &ids)),
                (
                    label("CreateItem"),
                    requests::create_item(&header, &responses),
                ),
                (
                    label("DeleteItem soft"),
                    requests::delete_item(&header, &ids, false),
                ),
                (
                    label("DeleteItem hard"),
                    requests::delete_item(&header, &ids, true),
                ),
                (
                    label("FindItem"),
                    requests::find_calendar_view(&header, start, end, 1000),
                ),
                (
                    label("GetItem of an HTML body"),
                    requests::get_item_html(&header, &ItemTarget::Item(awkward_id(5))),
                ),
                (
                    label("GetItem of an occurrence's series"),
                    requests::get_item_html(&header, &ItemTarget::SeriesOf(awkward_id(6))),
                ),
                (
                    label("UpdateItem"),
                    requests::update_calendar_item(&header, &awkward_id(7), AWKWARD, AWKWARD),
                ),
            ]);
        }
    }
    all
}

#[test]
fn every_request_envelope_validates_against_the_ews_schema() {
    let Some(schema) = find_schema(ENVELOPE_SCHEMA) else {
        return;
    };
    let all = envelopes();
    assert_eq!(all.len(), 40);
    for (name, xml) in &all {
        xmllint_validate(&schema, xml).unwrap_or_else(|report| panic!("{name}:\n{report}\n{xml}"));
    }
}

/// Negative controls: the same envelopes, broken in ways the schema knows, are refused.
#[test]
fn broken_envelopes_fail_validation() {
    let Some(schema) = find_schema(ENVELOPE_SCHEMA) else {
        return;
    };
    let mailbox = EmailAddress::parse("vmr-resource@example.org").unwrap();
    let header = RequestHeader {
        version: ServerVersion::Exchange2016,
        impersonate: Some(&mailbox),
    };
    let sync = requests::sync_folder_items(&header, Some("state"), 512);
    let create = requests::create_item(
        &header,
        &[Response::Accept {
            item: awkward_id(1),
            body_html: "<p>ok</p>".into(),
        }],
    );
    let delete = requests::delete_item(&header, &[awkward_id(1)], true);
    // The unbroken originals pass, so a refusal below is due to the change.
    for xml in [&sync, &create, &delete] {
        xmllint_validate(&schema, xml).unwrap();
    }
    let reference_start = create.find("<t:ReferenceItemId").unwrap();
    let reference_end = reference_start + create[reference_start..].find("/>").unwrap() + 2;
    let reference = &create[reference_start..reference_end];
    let broken = [
        (
            "MaxChangesReturned above 512",
            sync.replace(">512<", ">1000<"),
        ),
        (
            "folder id in upper case",
            sync.replace("Id=\"inbox\"", "Id=\"Inbox\""),
        ),
        (
            "unknown server version",
            sync.replace("Version=\"Exchange2016\"", "Version=\"Exchange2019\""),
        ),
        (
            "EmailAddress in ConnectingSID",
            sync.replace("t:PrimarySmtpAddress>", "t:EmailAddress>"),
        ),
        (
            "BodyType in mixed case",
            create.replace("BodyType=\"HTML\"", "BodyType=\"Html\""),
        ),
        (
            "ReferenceItemId before Body",
            create
                .replace(reference, "")
                .replace("<t:Body ", &format!("{reference}<t:Body ")),
        ),
        (
            "unknown MessageDisposition",
            create.replace("\"SendAndSaveCopy\"", "\"SendAndSave\""),
        ),
        (
            "unknown DeleteType",
            delete.replace("\"HardDelete\"", "\"Purge\""),
        ),
    ];
    for (what, xml) in broken {
        assert!(
            xmllint_validate(&schema, &xml).is_err(),
            "{what}: expected xmllint to refuse\n{xml}"
        );
    }
}

/// The answers the client's unit tests parse are schema-valid, so they look like Exchange's.
#[test]
fn hand_written_answers_validate_against_the_ews_schema() {
    let Some(schema) = find_schema(ENVELOPE_SCHEMA) else {
        return;
    };
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../server/src/exchange/ews/tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("the client's fixtures") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            let xml = std::fs::read_to_string(&path).unwrap();
            xmllint_validate(&schema, &xml)
                .unwrap_or_else(|report| panic!("{}:\n{report}", path.display()));
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} fixtures in {}", dir.display());
}

#[test]
fn shared_fixtures_parse() {
    let examples = shared_schemas_dir().join("examples");
    let read = |name: &str| std::fs::read_to_string(examples.join(name)).ok();
    let (Some(created), Some(busy)) = (
        read("ews-envelope-createitem-response.xml"),
        read("ews-envelope-fault-serverbusy.xml"),
    ) else {
        unavailable(
            "VMR_REQUIRE_SCHEMAS",
            &format!("the EWS fixtures are not in {}", examples.display()),
        );
        return;
    };
    assert_eq!(responses::parse_create_item(&created, 1).unwrap(), [Ok(())]);
    assert!(matches!(
        responses::parse_create_item(&created, 2),
        Err(EwsError::Malformed(_))
    ));
    let throttled = EwsError::Throttled {
        back_off: Some(Duration::from_millis(297_749)),
    };
    assert_eq!(responses::parse_fault(&busy), Some(throttled.clone()));
    assert_eq!(responses::parse_create_item(&busy, 1), Err(throttled));
}
