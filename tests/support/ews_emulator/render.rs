//! Item elements as EWS writes them: only the requested properties, in the schema's order.

use std::collections::HashSet;

use roxmltree::Node;

use super::soap::{child, children, escape, utc, TYPES_NS};
use super::state::{ItemKind, Person, StoredItem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyType {
    Best,
    Text,
    Html,
}

/// The `m:ItemShape` of a request.
#[derive(Clone, Debug)]
pub struct Shape {
    all: bool,
    fields: HashSet<String>,
    body_type: BodyType,
}

impl Shape {
    /// Id and change key only.
    pub fn id_only() -> Self {
        Shape {
            all: false,
            fields: HashSet::new(),
            body_type: BodyType::Best,
        }
    }

    pub fn parse(item_shape: Option<Node>) -> Self {
        let Some(shape) = item_shape else {
            return Shape::id_only();
        };
        let text = |name: &str| {
            child(shape, TYPES_NS, name)
                .and_then(|n| n.text())
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let fields = child(shape, TYPES_NS, "AdditionalProperties")
            .map(|props| {
                children(props, TYPES_NS, "FieldURI")
                    .filter_map(|f| f.attribute("FieldURI"))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Shape {
            all: text("BaseShape") != "IdOnly",
            fields,
            body_type: match text("BodyType").as_str() {
                "Text" => BodyType::Text,
                "HTML" => BodyType::Html,
                _ => BodyType::Best,
            },
        }
    }

    fn wants(&self, field_uri: &str) -> bool {
        self.all || self.fields.contains(field_uri)
    }
}

/// `<t:Message>`, `<t:MeetingRequest>`, … for `item`.
pub fn item_xml(item: &StoredItem, shape: &Shape) -> String {
    let element = item.kind.element();
    let mut out = format!(
        "<t:{element}><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/>",
        escape(&item.id),
        escape(&item.change_key)
    );
    let mut add = |field: &str, xml: String| {
        if shape.wants(field) {
            out.push_str(&xml);
        }
    };
    add(
        "item:ItemClass",
        format!("<t:ItemClass>{}</t:ItemClass>", escape(&item.item_class)),
    );
    add(
        "item:Subject",
        format!("<t:Subject>{}</t:Subject>", escape(&item.subject)),
    );
    add("item:Body", body_xml(item, shape.body_type));
    add(
        "item:DateTimeReceived",
        format!(
            "<t:DateTimeReceived>{}</t:DateTimeReceived>",
            utc(item.received)
        ),
    );
    let is_message = item.kind != ItemKind::CalendarItem;
    if let (true, Some(from)) = (is_message, &item.from) {
        add(
            "message:From",
            format!("<t:From>{}</t:From>", mailbox_xml(from)),
        );
    }
    let Some(meeting) = &item.meeting else {
        out.push_str(&format!("</t:{element}>"));
        return out;
    };
    add(
        "calendar:UID",
        format!("<t:UID>{}</t:UID>", escape(&meeting.uid)),
    );
    if let Some(original_start) = meeting.recurrence_id {
        add(
            "calendar:RecurrenceId",
            format!("<t:RecurrenceId>{}</t:RecurrenceId>", utc(original_start)),
        );
    }
    if let (ItemKind::MeetingRequest, Some(request_type)) = (item.kind, &meeting.request_type) {
        add(
            "meetingRequest:MeetingRequestType",
            format!("<t:MeetingRequestType>{request_type}</t:MeetingRequestType>"),
        );
    }
    add(
        "calendar:Start",
        format!("<t:Start>{}</t:Start>", utc(meeting.start)),
    );
    add(
        "calendar:End",
        format!("<t:End>{}</t:End>", utc(meeting.end)),
    );
    let item_type = format!(
        "<t:CalendarItemType>{}</t:CalendarItemType>",
        meeting.calendar_item_type.as_str()
    );
    let recurrence = meeting
        .recurrence
        .as_ref()
        .map(|r| r.to_ews_xml())
        .unwrap_or_default();
    let organizer = format!(
        "<t:Organizer>{}</t:Organizer>",
        mailbox_xml(&meeting.organizer)
    );
    let zone = format!(
        "<t:StartTimeZoneId>{}</t:StartTimeZoneId>",
        escape(&meeting.time_zone)
    );
    match item.kind {
        ItemKind::MeetingRequest | ItemKind::CalendarItem => {
            add("calendar:CalendarItemType", item_type);
            add("calendar:Organizer", organizer);
            add("calendar:Recurrence", recurrence);
            add("calendar:StartTimeZoneId", zone);
        }
        _ => {
            add("calendar:Recurrence", recurrence);
            add("calendar:CalendarItemType", item_type);
        }
    }
    out.push_str(&format!("</t:{element}>"));
    out
}

fn mailbox_xml(person: &Person) -> String {
    format!(
        "<t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{}</t:EmailAddress>\
         <t:RoutingType>SMTP</t:RoutingType></t:Mailbox>",
        escape(&person.name),
        escape(&person.smtp)
    )
}

fn body_xml(item: &StoredItem, wanted: BodyType) -> String {
    let as_html = match wanted {
        BodyType::Best => item.body_is_html,
        BodyType::Html => true,
        BodyType::Text => false,
    };
    let body = match (item.body_is_html, as_html) {
        (true, false) => html_to_text(&item.body),
        (false, true) => format!(
            "<html><body><pre>{}</pre></body></html>",
            escape(&item.body)
        ),
        _ => item.body.clone(),
    };
    let body_type = if as_html { "HTML" } else { "Text" };
    format!(
        "<t:Body BodyType=\"{body_type}\">{}</t:Body>",
        escape(&body)
    )
}

/// A plain-text rendering of HTML, close enough to Exchange's conversion for tests: tags
/// dropped, common entities decoded, whitespace runs collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}
