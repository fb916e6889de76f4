//! SOAP plumbing: namespaces, escaping, date-times, the response envelope, response messages
//! and SOAP faults, and the few helpers used to read request elements.

use roxmltree::Node;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const ERRORS_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";

/// Escapes text for element content and attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// `xs:dateTime` in UTC with a `Z`, as Exchange writes them.
pub fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Reads an `xs:dateTime`; one without an offset is taken as UTC (as Exchange does).
pub fn parse_date_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339))
        .ok()
}

/// A complete response envelope around `body` (which declares its own `m`/`t` prefixes).
pub fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <s:Envelope xmlns:s=\"{SOAP_NS}\"><s:Header>\
         <h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" MajorBuildNumber=\"1\" \
         MinorBuildNumber=\"2\" Version=\"V2018_01_08\" xmlns:h=\"{TYPES_NS}\"/>\
         </s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
}

/// A SOAP fault envelope with an EWS error code, optionally with a back-off hint.
pub fn fault(code: &str, message: &str, back_off_ms: Option<u64>) -> String {
    let message = escape(message);
    let back_off = back_off_ms
        .map(|ms| {
            format!(
                "<t:MessageXml xmlns:t=\"{TYPES_NS}\">\
                 <t:Value Name=\"BackOffMilliseconds\">{ms}</t:Value></t:MessageXml>"
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <s:Envelope xmlns:s=\"{SOAP_NS}\"><s:Body><s:Fault>\
         <faultcode xmlns:a=\"{TYPES_NS}\">a:{code}</faultcode>\
         <faultstring xml:lang=\"en-US\">{message}</faultstring>\
         <detail><e:ResponseCode xmlns:e=\"{ERRORS_NS}\">{code}</e:ResponseCode>\
         <e:Message xmlns:e=\"{ERRORS_NS}\">{message}</e:Message>{back_off}</detail>\
         </s:Fault></s:Body></s:Envelope>"
    )
}

/// Collects the response messages of one operation (`m:<Op>ResponseMessage`, in order).
pub struct ResponseMessages {
    operation: &'static str,
    xml: String,
    codes: Vec<String>,
}

impl ResponseMessages {
    pub fn new(operation: &'static str) -> Self {
        ResponseMessages {
            operation,
            xml: String::new(),
            codes: Vec::new(),
        }
    }

    /// A `Success` message; `content` follows `m:ResponseCode`.
    pub fn success(&mut self, content: &str) {
        let op = self.operation;
        self.xml.push_str(&format!(
            "<m:{op}ResponseMessage ResponseClass=\"Success\">\
             <m:ResponseCode>NoError</m:ResponseCode>{content}</m:{op}ResponseMessage>"
        ));
        self.codes.push("NoError".to_owned());
    }

    /// An `Error` message with an EWS response code.
    pub fn error(&mut self, code: &str, text: &str) {
        self.error_with_xml(code, text, "");
    }

    /// An `Error` message whose `m:MessageXml` holds `message_xml` (if not empty).
    pub fn error_with_xml(&mut self, code: &str, text: &str, message_xml: &str) {
        let op = self.operation;
        // Item-info messages (GetItem, CreateItem, UpdateItem) carry `m:Items` even when they
        // failed.
        let items = if matches!(op, "GetItem" | "CreateItem" | "UpdateItem") {
            "<m:Items/>"
        } else {
            ""
        };
        let message_xml = if message_xml.is_empty() {
            String::new()
        } else {
            format!("<m:MessageXml>{message_xml}</m:MessageXml>")
        };
        self.xml.push_str(&format!(
            "<m:{op}ResponseMessage ResponseClass=\"Error\">\
             <m:MessageText>{}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode>\
             <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>{message_xml}{items}</m:{op}ResponseMessage>",
            escape(text)
        ));
        self.codes.push(code.to_owned());
    }

    /// The `m:<Op>Response` body element and the response codes, in order.
    pub fn finish(self) -> (String, Vec<String>) {
        let op = self.operation;
        let xml = format!(
            "<m:{op}Response xmlns:m=\"{MESSAGES_NS}\" xmlns:t=\"{TYPES_NS}\">\
             <m:ResponseMessages>{}</m:ResponseMessages></m:{op}Response>",
            self.xml
        );
        (xml, self.codes)
    }
}

/// The `t:Value Name="BackOffMilliseconds"` element of a busy answer.
pub fn back_off_value(ms: u64) -> String {
    format!("<t:Value Name=\"BackOffMilliseconds\">{ms}</t:Value>")
}

pub fn is(node: Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

/// The first child element `ns:name`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, name))
}

/// All child elements `ns:name`.
pub fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, ns, name))
}

/// The text of the descendant reached by following `path` (types namespace) from `node`.
pub fn text_at(node: Node, path: &[&str]) -> Option<String> {
    let mut current = node;
    for name in path {
        current = child(current, TYPES_NS, name)?;
    }
    Some(current.text().unwrap_or_default().trim().to_owned())
}

/// Element children only.
pub fn elements<'a, 'i: 'a>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(Node::is_element)
}
