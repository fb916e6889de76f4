//! Parsing of EWS response envelopes into typed values. Elements are matched by namespace and
//! local name, so any prefix works; unknown elements are ignored, as EWS adds new ones over
//! versions.

use super::error::{EwsError, ResponseCode};
use super::types::{
    CalendarEntry, CalendarItemType, CalendarView, Item, ItemId, ItemKind, Organizer,
    RecurrenceSummary, SyncChange, SyncPage,
};
use super::xml::{ERRORS_NS, MESSAGES_NS, SOAP_NS, TYPES_NS};
use roxmltree::{Document, Node};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::{macros::format_description, Date, OffsetDateTime};

type Parsed<T> = Result<T, EwsError>;

fn malformed(what: impl Into<String>) -> EwsError {
    EwsError::Malformed(what.into())
}

fn is(node: &Node<'_, '_>, namespace: &str, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && node.tag_name().namespace() == Some(namespace)
}

fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(c, namespace, local))
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

fn text_of(node: Node<'_, '_>) -> String {
    // Text split by comments or CDATA sections comes as several nodes.
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

fn t_text(node: Node<'_, '_>, local: &str) -> Option<String> {
    child(node, TYPES_NS, local).map(text_of)
}

fn parse_document(xml: &str) -> Parsed<Document<'_>> {
    Document::parse(xml).map_err(|error| malformed(format!("not well-formed XML: {error}")))
}

/// The element inside `soap:Body`; a SOAP fault becomes its error.
fn body_child<'a, 'i>(document: &'a Document<'i>) -> Parsed<Node<'a, 'i>> {
    let envelope = document.root_element();
    if !is(&envelope, SOAP_NS, "Envelope") {
        return Err(malformed(format!(
            "root element is `{}`, not a SOAP envelope",
            envelope.tag_name().name()
        )));
    }
    let body = child(envelope, SOAP_NS, "Body").ok_or_else(|| malformed("no soap:Body"))?;
    let first = elements(body)
        .next()
        .ok_or_else(|| malformed("empty soap:Body"))?;
    if is(&first, SOAP_NS, "Fault") {
        return Err(fault_error(first));
    }
    Ok(first)
}

/// The error a SOAP fault stands for, if `xml` is a SOAP envelope holding one.
pub fn parse_fault(xml: &str) -> Option<EwsError> {
    let document = Document::parse(xml).ok()?;
    match body_child(&document) {
        Err(error @ (EwsError::Fault { .. } | EwsError::Throttled { .. })) => Some(error),
        _ => None,
    }
}

fn fault_error(fault: Node<'_, '_>) -> EwsError {
    // faultcode, faultstring and detail are unqualified in SOAP 1.1.
    let unqualified = |local: &str| {
        fault
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == local)
    };
    let fault_code = unqualified("faultcode").map(text_of).unwrap_or_default();
    let fault_code = fault_code.rsplit(':').next().unwrap_or_default().trim();
    let message = unqualified("faultstring")
        .map(text_of)
        .unwrap_or_default()
        .trim()
        .to_string();
    let detail = unqualified("detail");
    let code = detail
        .and_then(|d| child(d, ERRORS_NS, "ResponseCode"))
        .map(text_of)
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| fault_code.to_string());
    if code == ResponseCode::ErrorServerBusy.as_str() {
        return EwsError::Throttled {
            back_off: detail.and_then(back_off),
        };
    }
    EwsError::Fault { code, message }
}

/// `BackOffMilliseconds` from a `MessageXml` below `node`.
fn back_off(node: Node<'_, '_>) -> Option<Duration> {
    node.descendants()
        .filter(|n| is(n, TYPES_NS, "Value"))
        .find(|n| n.attribute("Name") == Some("BackOffMilliseconds"))
        .and_then(|n| text_of(n).trim().parse::<u64>().ok())
        .map(Duration::from_millis)
}

/// One `…ResponseMessage`: its outcome, and the node for the operation's payload.
struct Message<'a, 'i> {
    node: Node<'a, 'i>,
    code: ResponseCode,
    error: Option<EwsError>,
    back_off: Option<Duration>,
}

fn response_messages<'a, 'i>(
    document: &'a Document<'i>,
    response: &str,
) -> Parsed<Vec<Message<'a, 'i>>> {
    let body = body_child(document)?;
    if !is(&body, MESSAGES_NS, response) {
        return Err(malformed(format!(
            "expected m:{response}, got `{}`",
            body.tag_name().name()
        )));
    }
    let messages = child(body, MESSAGES_NS, "ResponseMessages")
        .ok_or_else(|| malformed(format!("{response} without ResponseMessages")))?;
    elements(messages).map(message).collect()
}

fn message<'a, 'i>(node: Node<'a, 'i>) -> Parsed<Message<'a, 'i>> {
    let class = node
        .attribute("ResponseClass")
        .ok_or_else(|| malformed("response message without ResponseClass"))?;
    let code = child(node, MESSAGES_NS, "ResponseCode")
        .map(|c| ResponseCode::parse(&text_of(c)))
        .unwrap_or(if class == "Success" {
            ResponseCode::NoError
        } else {
            ResponseCode::Other(String::new())
        });
    let back_off = child(node, MESSAGES_NS, "MessageXml").and_then(back_off);
    let error = (class != "Success" || code != ResponseCode::NoError).then(|| {
        let text = child(node, MESSAGES_NS, "MessageText")
            .map(text_of)
            .unwrap_or_default();
        EwsError::Response {
            code: code.clone(),
            message: text.trim().to_string(),
        }
    });
    Ok(Message {
        node,
        code,
        error,
        back_off,
    })
}

/// A busy answer for every message throttles the whole call, which may then be repeated as
/// it is; a batch that is only partly busy reports the busy items one by one.
fn whole_call_throttled(messages: &[Message<'_, '_>]) -> Parsed<()> {
    if !messages.is_empty()
        && messages
            .iter()
            .all(|m| m.code == ResponseCode::ErrorServerBusy)
    {
        return Err(EwsError::Throttled {
            back_off: messages.iter().filter_map(|m| m.back_off).max(),
        });
    }
    Ok(())
}

fn single_message<'a, 'i>(document: &'a Document<'i>, response: &str) -> Parsed<Node<'a, 'i>> {
    let messages = response_messages(document, response)?;
    whole_call_throttled(&messages)?;
    let [message] = <[Message; 1]>::try_from(messages)
        .map_err(|m| malformed(format!("{response} with {} messages, not 1", m.len())))?;
    match message.error {
        Some(error) => Err(error),
        None => Ok(message.node),
    }
}

/// Per-item outcomes, one per request entry; a count that does not match is an error.
fn per_item<T>(
    document: &Document<'_>,
    response: &str,
    expected: usize,
    payload: impl Fn(Node<'_, '_>) -> Parsed<T>,
) -> Parsed<Vec<Parsed<T>>> {
    let messages = response_messages(document, response)?;
    whole_call_throttled(&messages)?;
    if messages.len() != expected {
        return Err(malformed(format!(
            "{response} with {} messages for {expected} requested",
            messages.len()
        )));
    }
    Ok(messages
        .into_iter()
        .map(|m| match m.error {
            Some(error) => Err(error),
            None => payload(m.node),
        })
        .collect())
}

fn item_id(node: Node<'_, '_>) -> Parsed<ItemId> {
    let element =
        child(node, TYPES_NS, "ItemId").ok_or_else(|| malformed("item without ItemId"))?;
    let id = element
        .attribute("Id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| malformed("ItemId without Id"))?;
    Ok(ItemId::new(
        id,
        element.attribute("ChangeKey").map(String::from),
    ))
}

pub(crate) fn parse_datetime(value: &str) -> Parsed<OffsetDateTime> {
    let value = value.trim();
    OffsetDateTime::parse(value, &Rfc3339)
        // Some servers leave out the offset of UTC values.
        .or_else(|_| OffsetDateTime::parse(&format!("{value}Z"), &Rfc3339))
        .map_err(|_| malformed(format!("`{value}` is not a date-time")))
}

fn parse_date(value: &str) -> Parsed<Date> {
    // xs:date may carry a zone (`2024-03-01Z`, `2024-03-01+01:00`); the day is what counts.
    let day = value.trim().get(..10).unwrap_or_default();
    Date::parse(day, format_description!("[year]-[month]-[day]"))
        .map_err(|_| malformed(format!("`{}` is not a date", value.trim())))
}

fn t_datetime(node: Node<'_, '_>, local: &str) -> Parsed<Option<OffsetDateTime>> {
    t_text(node, local).map(|v| parse_datetime(&v)).transpose()
}

fn calendar_item_type(node: Node<'_, '_>) -> Parsed<Option<CalendarItemType>> {
    t_text(node, "CalendarItemType")
        .map(|v| {
            CalendarItemType::parse(&v)
                .ok_or_else(|| malformed(format!("unknown CalendarItemType `{}`", v.trim())))
        })
        .transpose()
}

/// The meeting's organizer, or for a cancellation (which has no `Organizer`) its sender.
fn organizer(node: Node<'_, '_>) -> Option<Organizer> {
    let mailbox = ["Organizer", "From"]
        .iter()
        .find_map(|name| child(node, TYPES_NS, name))
        .and_then(|o| child(o, TYPES_NS, "Mailbox"))?;
    let email = t_text(mailbox, "EmailAddress")?.trim().to_string();
    let name = t_text(mailbox, "Name")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    Some(Organizer { name, email })
}

const RECURRENCE_RANGES: [&str; 3] = ["NoEndRecurrence", "EndDateRecurrence", "NumberedRecurrence"];

fn recurrence(node: Node<'_, '_>) -> Parsed<Option<RecurrenceSummary>> {
    let Some(recurrence) = child(node, TYPES_NS, "Recurrence") else {
        return Ok(None);
    };
    let pattern = elements(recurrence)
        .find(|e| !RECURRENCE_RANGES.contains(&e.tag_name().name()))
        .ok_or_else(|| malformed("Recurrence without a pattern"))?;
    let range = elements(recurrence)
        .find(|e| RECURRENCE_RANGES.contains(&e.tag_name().name()))
        .ok_or_else(|| malformed("Recurrence without a range"))?;
    let date = |local| t_text(range, local).map(|v| parse_date(&v)).transpose();
    let occurrences = t_text(range, "NumberOfOccurrences")
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| malformed(format!("`{v}` is not a number of occurrences")))
        })
        .transpose()?;
    Ok(Some(RecurrenceSummary {
        pattern: pattern.tag_name().name().to_string(),
        start_date: date("StartDate")?,
        end_date: date("EndDate")?,
        occurrences,
    }))
}

fn item(node: Node<'_, '_>) -> Parsed<Item> {
    Ok(Item {
        id: item_id(node)?,
        kind: ItemKind::from_element(node.tag_name().name()),
        item_class: t_text(node, "ItemClass"),
        subject: t_text(node, "Subject"),
        body_text: t_text(node, "Body"),
        received: t_datetime(node, "DateTimeReceived")?,
        start: t_datetime(node, "Start")?,
        end: t_datetime(node, "End")?,
        organizer: organizer(node),
        uid: t_text(node, "UID"),
        calendar_item_type: calendar_item_type(node)?,
        recurrence: recurrence(node)?,
        recurrence_id: t_datetime(node, "RecurrenceId")?,
        meeting_request_type: t_text(node, "MeetingRequestType").map(|v| v.trim().to_string()),
        start_time_zone_id: t_text(node, "StartTimeZoneId"),
    })
}

pub fn parse_sync_folder_items(xml: &str) -> Parsed<SyncPage> {
    let document = parse_document(xml)?;
    let message = single_message(&document, "SyncFolderItemsResponse")?;
    let sync_state = child(message, MESSAGES_NS, "SyncState")
        .map(text_of)
        .ok_or_else(|| malformed("SyncFolderItems without SyncState"))?;
    let includes_last = match child(message, MESSAGES_NS, "IncludesLastItemInRange")
        .map(text_of)
        .as_deref()
        .map(str::trim)
    {
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        other => return Err(malformed(format!("IncludesLastItemInRange is {other:?}"))),
    };
    let mut changes = Vec::new();
    if let Some(list) = child(message, MESSAGES_NS, "Changes") {
        for change in elements(list) {
            let first_item = || {
                elements(change)
                    .next()
                    .ok_or_else(|| malformed("sync change without an item"))
            };
            match change.tag_name().name() {
                "Create" => {
                    let node = first_item()?;
                    changes.push(SyncChange::Created {
                        id: item_id(node)?,
                        kind: ItemKind::from_element(node.tag_name().name()),
                    });
                }
                "Update" => {
                    let node = first_item()?;
                    changes.push(SyncChange::Updated {
                        id: item_id(node)?,
                        kind: ItemKind::from_element(node.tag_name().name()),
                    });
                }
                "Delete" => changes.push(SyncChange::Deleted {
                    id: item_id(change)?.id,
                }),
                // ReadFlagChange and anything newer do not concern the service.
                _ => {}
            }
        }
    }
    Ok(SyncPage {
        sync_state,
        includes_last,
        changes,
    })
}

/// One result per requested id, in request order.
pub fn parse_get_item(xml: &str, requested: usize) -> Parsed<Vec<Parsed<Item>>> {
    let document = parse_document(xml)?;
    per_item(&document, "GetItemResponse", requested, |message| {
        let items = child(message, MESSAGES_NS, "Items")
            .ok_or_else(|| malformed("GetItem without Items"))?;
        let node = elements(items)
            .next()
            .ok_or_else(|| malformed("GetItem message without an item"))?;
        item(node)
    })
}

pub fn parse_create_item(xml: &str, requested: usize) -> Parsed<Vec<Parsed<()>>> {
    let document = parse_document(xml)?;
    per_item(&document, "CreateItemResponse", requested, |_| Ok(()))
}

pub fn parse_delete_item(xml: &str, requested: usize) -> Parsed<Vec<Parsed<()>>> {
    let document = parse_document(xml)?;
    per_item(&document, "DeleteItemResponse", requested, |_| Ok(()))
}

pub fn parse_find_calendar_view(xml: &str) -> Parsed<CalendarView> {
    let document = parse_document(xml)?;
    let message = single_message(&document, "FindItemResponse")?;
    let root = child(message, MESSAGES_NS, "RootFolder")
        .ok_or_else(|| malformed("FindItem without RootFolder"))?;
    let includes_last = root.attribute("IncludesLastItemInRange") != Some("false");
    let mut entries = Vec::new();
    if let Some(items) = child(root, TYPES_NS, "Items") {
        for node in elements(items) {
            let required = |local| {
                t_datetime(node, local)?
                    .ok_or_else(|| malformed(format!("calendar entry without {local}")))
            };
            entries.push(CalendarEntry {
                id: item_id(node)?,
                uid: t_text(node, "UID"),
                start: required("Start")?,
                end: required("End")?,
                calendar_item_type: calendar_item_type(node)?,
                recurrence_id: t_datetime(node, "RecurrenceId")?,
            });
        }
    }
    Ok(CalendarView {
        entries,
        includes_last,
    })
}

pub fn parse_update_item(xml: &str) -> Parsed<()> {
    let document = parse_document(xml)?;
    single_message(&document, "UpdateItemResponse").map(|_| ())
}
