//! The envelopes' structure and escaping (their schema validity is checked with xmllint by the
//! `ews_client` integration test).

use super::super::requests::{self, RequestHeader, GET_ITEM_FIELDS};
use super::super::xml::{escape, MESSAGES_NS, SOAP_NS, TYPES_NS};
use super::super::{ItemId, Response, ServerVersion};
use crate::domain::EmailAddress;
use roxmltree::{Document, Node};
use time::macros::datetime;

const AWKWARD: &str = "<b>Tom & \"Jerry\" 'Ünïcødé' 会議</b>\tline\nnext";

fn resource() -> EmailAddress {
    EmailAddress::parse("vmr-resource@example.org").unwrap()
}

fn header(mailbox: Option<&EmailAddress>) -> RequestHeader<'_> {
    RequestHeader {
        version: ServerVersion::Exchange2016,
        impersonate: mailbox,
    }
}

fn names<'a>(node: Node<'a, '_>) -> Vec<(&'a str, &'a str)> {
    node.children()
        .filter(|c| c.is_element())
        .map(|c| (c.tag_name().namespace().unwrap_or(""), c.tag_name().name()))
        .collect()
}

/// The header blocks and the body child of an envelope.
fn split(document: &Document<'_>) -> (Vec<(String, String)>, String) {
    let envelope = document.root_element();
    assert_eq!(envelope.tag_name().namespace(), Some(SOAP_NS));
    let header = envelope.first_element_child().unwrap();
    assert_eq!(header.tag_name().name(), "Header");
    let blocks = names(header)
        .into_iter()
        .map(|(ns, name)| (ns.to_string(), name.to_string()))
        .collect();
    let body = header.next_sibling_element().unwrap();
    assert_eq!(body.tag_name().name(), "Body");
    let children = names(body);
    assert_eq!(children.len(), 1, "exactly one body child");
    assert_eq!(children[0].0, MESSAGES_NS);
    (blocks, children[0].1.to_string())
}

fn body_child<'a, 'i>(document: &'a Document<'i>) -> Node<'a, 'i> {
    document
        .descendants()
        .find(|n| n.tag_name().name() == "Body" && n.tag_name().namespace() == Some(SOAP_NS))
        .unwrap()
        .first_element_child()
        .unwrap()
}

#[test]
fn impersonation_header_follows_the_server_version_and_names_the_mailbox() {
    let mailbox = resource();
    let xml = requests::sync_folder_items(&header(Some(&mailbox)), None, 100);
    let document = Document::parse(&xml).unwrap();
    let (blocks, operation) = split(&document);
    assert_eq!(
        blocks,
        [
            (TYPES_NS.to_string(), "RequestServerVersion".to_string()),
            (TYPES_NS.to_string(), "ExchangeImpersonation".to_string()),
        ]
    );
    assert_eq!(operation, "SyncFolderItems");
    let version = document
        .descendants()
        .find(|n| n.tag_name().name() == "RequestServerVersion")
        .unwrap();
    assert_eq!(version.attribute("Version"), Some("Exchange2016"));
    let smtp = document
        .descendants()
        .find(|n| n.tag_name().name() == "PrimarySmtpAddress")
        .unwrap();
    assert_eq!(smtp.parent().unwrap().tag_name().name(), "ConnectingSID");
    assert_eq!(smtp.text(), Some("vmr-resource@example.org"));
}

#[test]
fn without_impersonation_only_the_version_is_sent() {
    let xml = requests::get_item(
        &RequestHeader {
            version: ServerVersion::Exchange2013Sp1,
            impersonate: None,
        },
        &[ItemId::new("a", None)],
    );
    let document = Document::parse(&xml).unwrap();
    let (blocks, operation) = split(&document);
    assert_eq!(blocks.len(), 1);
    assert_eq!(operation, "GetItem");
    assert!(xml.contains("Version=\"Exchange2013_SP1\""));
    assert!(!xml.contains("ExchangeImpersonation"));
}

#[test]
fn body_children_declare_their_own_namespaces() {
    let mailbox = resource();
    let h = header(Some(&mailbox));
    let id = ItemId::new("id", Some("ck".into()));
    let from = datetime!(2026-12-01 00:00 UTC);
    for (operation, xml) in [
        (
            "SyncFolderItems",
            requests::sync_folder_items(&h, Some("s"), 5),
        ),
        ("GetItem", requests::get_item(&h, std::slice::from_ref(&id))),
        (
            "CreateItem",
            requests::create_item(&h, &[Response::Remove { item: id.clone() }]),
        ),
        (
            "DeleteItem",
            requests::delete_item(&h, std::slice::from_ref(&id), true),
        ),
        ("FindItem", requests::find_calendar_view(&h, from, from, 10)),
    ] {
        let start = format!("<m:{operation} xmlns:m=\"{MESSAGES_NS}\" xmlns:t=\"{TYPES_NS}\"");
        assert!(xml.contains(&start), "{operation}: {xml}");
    }
}

#[test]
fn sync_request_carries_state_and_clamps_the_page_size() {
    let xml = requests::sync_folder_items(&header(None), Some(AWKWARD), 0);
    let document = Document::parse(&xml).unwrap();
    let sync = body_child(&document);
    let children: Vec<_> = names(sync).into_iter().map(|(_, n)| n).collect();
    assert_eq!(
        children,
        [
            "ItemShape",
            "SyncFolderId",
            "SyncState",
            "MaxChangesReturned"
        ]
    );
    let text = |name: &str| {
        sync.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(String::from)
    };
    assert_eq!(text("SyncState").as_deref(), Some(AWKWARD));
    assert_eq!(text("MaxChangesReturned").as_deref(), Some("1"));
    assert_eq!(text("BaseShape").as_deref(), Some("IdOnly"));
    let folder = sync
        .descendants()
        .find(|n| n.tag_name().name() == "DistinguishedFolderId")
        .unwrap();
    assert_eq!(folder.attribute("Id"), Some("inbox"));

    let first = requests::sync_folder_items(&header(None), None, 9999);
    assert!(!first.contains("SyncState"));
    assert!(first.contains("<m:MaxChangesReturned>512</m:MaxChangesReturned>"));
}

#[test]
fn get_item_asks_for_text_bodies_and_every_field() {
    let ids = [
        ItemId::new("A&B<1>", Some("ck\"1'".into())),
        ItemId::new("plain", None),
    ];
    let xml = requests::get_item(&header(None), &ids);
    let document = Document::parse(&xml).unwrap();
    let get = body_child(&document);
    let fields: Vec<_> = get
        .descendants()
        .filter(|n| n.tag_name().name() == "FieldURI")
        .map(|n| n.attribute("FieldURI").unwrap())
        .collect();
    assert_eq!(fields, GET_ITEM_FIELDS);
    assert!(xml.contains("<t:BodyType>Text</t:BodyType>"));
    let sent: Vec<_> = get
        .descendants()
        .filter(|n| n.tag_name().name() == "ItemId")
        .map(|n| (n.attribute("Id").unwrap(), n.attribute("ChangeKey")))
        .collect();
    assert_eq!(sent, [("A&B<1>", Some("ck\"1'")), ("plain", None)]);
}

#[test]
fn create_item_writes_response_objects_in_schema_order() {
    let html = format!("<p>{AWKWARD}</p>");
    let responses = [
        Response::Accept {
            item: ItemId::new("r1", Some("k1".into())),
            body_html: html.clone(),
        },
        Response::Decline {
            item: ItemId::new("r2", Some("k2".into())),
            body_html: "<p>no</p>".into(),
        },
        Response::Remove {
            item: ItemId::new("c3", Some("k3".into())),
        },
    ];
    let xml = requests::create_item(&header(None), &responses);
    let document = Document::parse(&xml).unwrap();
    let create = body_child(&document);
    assert_eq!(
        create.attribute("MessageDisposition"),
        Some("SendAndSaveCopy")
    );
    let items = create.first_element_child().unwrap();
    assert_eq!(items.tag_name().name(), "Items");
    let objects: Vec<_> = items.children().filter(|c| c.is_element()).collect();
    let shape: Vec<(&str, Vec<&str>)> = objects
        .iter()
        .map(|o| {
            (
                o.tag_name().name(),
                names(*o).into_iter().map(|(_, n)| n).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("AcceptItem", vec!["Body", "ReferenceItemId"]),
            ("DeclineItem", vec!["Body", "ReferenceItemId"]),
            ("RemoveItem", vec!["ReferenceItemId"]),
        ]
    );
    let body = objects[0].first_element_child().unwrap();
    assert_eq!(body.attribute("BodyType"), Some("HTML"));
    assert_eq!(body.text(), Some(html.as_str()));
    let reference = objects[2].first_element_child().unwrap();
    assert_eq!(reference.attribute("Id"), Some("c3"));
    assert_eq!(reference.attribute("ChangeKey"), Some("k3"));
}

#[test]
fn delete_item_names_the_delete_type() {
    let ids = [ItemId::new("x", None)];
    let soft = requests::delete_item(&header(None), &ids, false);
    let hard = requests::delete_item(&header(None), &ids, true);
    assert!(soft.contains("DeleteType=\"MoveToDeletedItems\""));
    assert!(hard.contains("DeleteType=\"HardDelete\""));
    assert!(hard.contains("<m:ItemIds><t:ItemId Id=\"x\"/></m:ItemIds>"));
}

#[test]
fn calendar_view_sends_utc_times_and_the_calendar_folder() {
    let start = datetime!(2026-12-01 10:00 +01:00);
    let end = datetime!(2026-12-31 23:59:59.75 UTC);
    let xml = requests::find_calendar_view(&header(None), start, end, 0);
    let document = Document::parse(&xml).unwrap();
    let find = body_child(&document);
    assert_eq!(find.attribute("Traversal"), Some("Shallow"));
    let children: Vec<_> = names(find).into_iter().map(|(_, n)| n).collect();
    assert_eq!(children, ["ItemShape", "CalendarView", "ParentFolderIds"]);
    let view = find
        .children()
        .find(|n| n.tag_name().name() == "CalendarView")
        .unwrap();
    assert_eq!(view.attribute("StartDate"), Some("2026-12-01T09:00:00Z"));
    assert_eq!(view.attribute("EndDate"), Some("2026-12-31T23:59:59Z"));
    assert_eq!(view.attribute("MaxEntriesReturned"), Some("1"));
    assert!(xml.contains("<t:DistinguishedFolderId Id=\"calendar\"/>"));
}

#[test]
fn escaping_covers_markup_quotes_whitespace_and_characters_xml_cannot_hold() {
    assert_eq!(
        escape("a<b>&\"c'\t\n\r"),
        "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;&#13;"
    );
    assert_eq!(
        escape("ok\u{0}\u{1F}\u{FFFE}ü😀"),
        "ok\u{FFFD}\u{FFFD}\u{FFFD}ü😀"
    );
    // Round trip through a parser, in text and in attributes.
    let id = ItemId::new(AWKWARD, Some(AWKWARD.into()));
    let xml = requests::delete_item(&header(None), &[id], false);
    let document = Document::parse(&xml).unwrap();
    let element = document
        .descendants()
        .find(|n| n.tag_name().name() == "ItemId")
        .unwrap();
    assert_eq!(element.attribute("Id"), Some(AWKWARD));
    assert_eq!(element.attribute("ChangeKey"), Some(AWKWARD));
}
