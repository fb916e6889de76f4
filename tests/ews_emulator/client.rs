//! A raw EWS client for the emulator's tests: hand-written request envelopes sent with
//! reqwest, answers read with roxmltree, and every answer checked against the EWS schema.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use vmr_scheduler_tests::ews_emulator::{Account, EmulatorConfig, EwsEmulator};

pub const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const S: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const NS: &str = "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" \
                  xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"";

pub const SERVICE: &str = "svc-vmr@example.org";
pub const PASSWORD: &str = "correct horse";
pub const TOKEN: &str = "opaque-access-token";
pub const RESOURCE: &str = "vmr-resource@example.org";
pub const ORGANIZER: &str = "alice@example.org";

/// An emulator with the service account (Basic and Bearer) and the resource mailbox.
pub fn emulator() -> EwsEmulator {
    let config = EmulatorConfig::new(vec![
        Account::basic(SERVICE, PASSWORD),
        Account::bearer(TOKEN, "svc-oauth@example.org"),
    ]);
    let ews = EwsEmulator::start(config);
    ews.add_mailbox(RESOURCE, "VMR resource");
    ews
}

/// The folder of the shared fixtures.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas/examples")
}

fn envelope_schema() -> Option<PathBuf> {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/schemas/ews/ews-soap-envelope.xsd");
    let xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    (schema.is_file() && xmllint).then_some(schema)
}

/// Fails the test if `xml` is not a schema-valid EWS envelope (skipped without xmllint).
pub fn assert_schema_valid(xml: &str) {
    let Some(schema) = envelope_schema() else {
        return;
    };
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("xmllint runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(xml.as_bytes())
        .expect("write to xmllint");
    let output = child.wait_with_output().expect("xmllint finishes");
    assert!(
        output.status.success(),
        "answer is not schema-valid:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How a request authenticates.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    Basic(&'a str, &'a str),
    Bearer(&'a str),
    None,
}

/// A request envelope around `body` (which declares its own prefixes), impersonating
/// `impersonate` if given.
pub fn envelope(body: &str, impersonate: Option<&str>) -> String {
    let impersonation = impersonate
        .map(|smtp| {
            format!(
                "<t:ExchangeImpersonation><t:ConnectingSID>\
                 <t:PrimarySmtpAddress>{smtp}</t:PrimarySmtpAddress>\
                 </t:ConnectingSID></t:ExchangeImpersonation>"
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <soap:Envelope xmlns:soap=\"{S}\" xmlns:t=\"{T}\"><soap:Header>\
         <t:RequestServerVersion Version=\"Exchange2016\"/>{impersonation}</soap:Header>\
         <soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    pub fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.text)
            .unwrap_or_else(|e| panic!("answer is not XML ({e}):\n{}", self.text))
    }

    /// `(ResponseClass, ResponseCode)` of each response message, in order.
    pub fn codes(&self) -> Vec<(String, String)> {
        let doc = self.doc();
        doc.descendants()
            .filter(|n| {
                n.is_element()
                    && n.tag_name().namespace() == Some(M)
                    && n.tag_name().name().ends_with("ResponseMessage")
            })
            .map(|m| {
                let class = m.attribute("ResponseClass").unwrap_or_default().to_owned();
                let code = child_text(m, M, "ResponseCode").unwrap_or_default();
                (class, code)
            })
            .collect()
    }

    /// Just the response codes.
    pub fn code_list(&self) -> Vec<String> {
        self.codes().into_iter().map(|(_, code)| code).collect()
    }

    /// The fault's `e:ResponseCode`.
    pub fn fault_code(&self) -> Option<String> {
        let doc = self.doc();
        let code = doc
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "ResponseCode")?;
        code.text().map(str::to_owned)
    }

    pub fn first_text(&self, ns: &str, name: &str) -> Option<String> {
        let doc = self.doc();
        let node = doc.descendants().find(|n| {
            n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
        })?;
        Some(node.text().unwrap_or_default().to_owned())
    }

    pub fn all_texts(&self, ns: &str, name: &str) -> Vec<String> {
        let doc = self.doc();
        doc.descendants()
            .filter(|n| {
                n.is_element()
                    && n.tag_name().name() == name
                    && n.tag_name().namespace() == Some(ns)
            })
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    }
}

pub fn child_text(node: roxmltree::Node, ns: &str, name: &str) -> Option<String> {
    node.children()
        .find(|c| {
            c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ns)
        })
        .map(|c| c.text().unwrap_or_default().to_owned())
}

/// One change of a SyncFolderItems answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// "Create", "Update" or "Delete".
    pub kind: String,
    /// Item element ("MeetingRequest", …); empty for deletes.
    pub element: String,
    pub id: String,
    pub change_key: String,
    pub item_class: Option<String>,
}

/// A SyncFolderItems answer.
#[derive(Debug)]
pub struct Sync {
    pub state: String,
    pub includes_last: bool,
    pub changes: Vec<Change>,
}

pub fn parse_sync(answer: &Answer) -> Sync {
    let doc = answer.doc();
    let changes = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Changes")
        .expect("m:Changes");
    let changes = changes
        .children()
        .filter(|n| n.is_element())
        .map(|change| {
            let item = change.children().find(|n| n.is_element()).expect("item");
            let (element, id_node) = if item.tag_name().name() == "ItemId" {
                (String::new(), item)
            } else {
                let id = item
                    .children()
                    .find(|n| n.is_element() && n.tag_name().name() == "ItemId")
                    .expect("t:ItemId");
                (item.tag_name().name().to_owned(), id)
            };
            Change {
                kind: change.tag_name().name().to_owned(),
                element,
                id: id_node.attribute("Id").unwrap_or_default().to_owned(),
                change_key: id_node
                    .attribute("ChangeKey")
                    .unwrap_or_default()
                    .to_owned(),
                item_class: (item.tag_name().name() != "ItemId")
                    .then(|| child_text(item, T, "ItemClass"))
                    .flatten(),
            }
        })
        .collect();
    Sync {
        state: answer.first_text(M, "SyncState").expect("m:SyncState"),
        includes_last: answer.first_text(M, "IncludesLastItemInRange").as_deref() == Some("true"),
        changes,
    }
}

/// Sends envelopes to one emulator.
pub struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    pub fn new(ews: &EwsEmulator) -> Self {
        Client {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("HTTP client"),
            url: ews.url(),
        }
    }

    /// Posts an envelope with the given authentication and `X-AnchorMailbox`.
    pub async fn post_raw(&self, xml: &str, auth: Auth<'_>, anchor: Option<&str>) -> Answer {
        self.try_post(xml, auth, anchor, std::time::Duration::from_secs(10))
            .await
            .expect("the emulator answers")
    }

    pub async fn try_post(
        &self,
        xml: &str,
        auth: Auth<'_>,
        anchor: Option<&str>,
        timeout: std::time::Duration,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .post(&self.url)
            .timeout(timeout)
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(xml.to_owned());
        request = match auth {
            Auth::Basic(user, password) => request.header(
                "Authorization",
                format!("Basic {}", STANDARD.encode(format!("{user}:{password}"))),
            ),
            Auth::Bearer(token) => request.header("Authorization", format!("Bearer {token}")),
            Auth::None => request,
        };
        if let Some(anchor) = anchor {
            request = request.header("X-AnchorMailbox", anchor);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok(Answer { status, text })
    }

    /// `body` as the service account impersonating `mailbox` (with the anchor header);
    /// checks that a 200 answer is a schema-valid envelope.
    pub async fn call_as(&self, mailbox: &str, body: &str) -> Answer {
        let answer = self
            .post_raw(
                &envelope(body, Some(mailbox)),
                Auth::Basic(SERVICE, PASSWORD),
                Some(mailbox),
            )
            .await;
        if answer.status == 200 {
            assert_schema_valid(&answer.text);
        }
        answer
    }

    /// `body` impersonating the resource mailbox.
    pub async fn call(&self, body: &str) -> Answer {
        self.call_as(RESOURCE, body).await
    }

    pub async fn sync(&self, mailbox: &str, folder: &str, state: Option<&str>, max: u32) -> Sync {
        let answer = self.call_as(mailbox, &sync_body(folder, state, max)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.code_list(), ["NoError"], "{}", answer.text);
        parse_sync(&answer)
    }

    pub async fn get_items(&self, ids: &[&str]) -> Answer {
        self.call(&get_item_body(ids)).await
    }
}

pub fn sync_body(folder: &str, state: Option<&str>, max: u32) -> String {
    let state = state
        .map(|s| format!("<m:SyncState>{s}</m:SyncState>"))
        .unwrap_or_default();
    format!(
        "<m:SyncFolderItems {NS}><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         <t:AdditionalProperties><t:FieldURI FieldURI=\"item:ItemClass\"/></t:AdditionalProperties>\
         </m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id=\"{folder}\"/></m:SyncFolderId>\
         {state}<m:MaxChangesReturned>{max}</m:MaxChangesReturned></m:SyncFolderItems>"
    )
}

/// GetItem with the contract's property list (IdOnly + AdditionalProperties, text bodies).
pub fn get_item_body(ids: &[&str]) -> String {
    let fields = [
        "item:ItemClass",
        "item:Subject",
        "item:Body",
        "item:DateTimeReceived",
        "calendar:Start",
        "calendar:End",
        "calendar:Organizer",
        "calendar:UID",
        "calendar:CalendarItemType",
        "calendar:Recurrence",
        "calendar:RecurrenceId",
        "meetingRequest:MeetingRequestType",
        "calendar:StartTimeZoneId",
    ]
    .iter()
    .map(|f| format!("<t:FieldURI FieldURI=\"{f}\"/>"))
    .collect::<String>();
    let ids = ids
        .iter()
        .map(|id| format!("<t:ItemId Id=\"{id}\"/>"))
        .collect::<String>();
    format!(
        "<m:GetItem {NS}><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:BodyType>Text</t:BodyType>\
         <t:AdditionalProperties>{fields}</t:AdditionalProperties></m:ItemShape>\
         <m:ItemIds>{ids}</m:ItemIds></m:GetItem>"
    )
}

/// A response object (`AcceptItem`, `DeclineItem`, `RemoveItem`, …) on `id`; `change_key`
/// `None` leaves the attribute out.
pub fn response_object(
    element: &str,
    id: &str,
    change_key: Option<&str>,
    body_html: &str,
) -> String {
    let key = change_key
        .map(|k| format!(" ChangeKey=\"{k}\""))
        .unwrap_or_default();
    let body = if element == "RemoveItem" {
        String::new()
    } else {
        format!("<t:Body BodyType=\"HTML\">{}</t:Body>", escape(body_html))
    };
    format!("<t:{element}>{body}<t:ReferenceItemId Id=\"{id}\"{key}/></t:{element}>")
}

pub fn create_item_body(response_objects: &[String]) -> String {
    format!(
        "<m:CreateItem {NS} MessageDisposition=\"SendAndSaveCopy\"><m:Items>{}</m:Items></m:CreateItem>",
        response_objects.concat()
    )
}

pub fn delete_item_body(ids: &[&str], delete_type: &str) -> String {
    let ids = ids
        .iter()
        .map(|id| format!("<t:ItemId Id=\"{id}\"/>"))
        .collect::<String>();
    format!("<m:DeleteItem {NS} DeleteType=\"{delete_type}\"><m:ItemIds>{ids}</m:ItemIds></m:DeleteItem>")
}

pub fn find_calendar_body(start: &str, end: &str, max: u32) -> String {
    format!(
        "<m:FindItem {NS} Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         <t:AdditionalProperties><t:FieldURI FieldURI=\"calendar:Start\"/>\
         <t:FieldURI FieldURI=\"calendar:End\"/><t:FieldURI FieldURI=\"calendar:UID\"/>\
         <t:FieldURI FieldURI=\"calendar:CalendarItemType\"/></t:AdditionalProperties></m:ItemShape>\
         <m:CalendarView MaxEntriesReturned=\"{max}\" StartDate=\"{start}\" EndDate=\"{end}\"/>\
         <m:ParentFolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:ParentFolderIds></m:FindItem>"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Client {
    /// Like [`Client::call`] but without looking at the answer.
    pub async fn call_raw_unchecked(&self, body: &str) -> Answer {
        self.post_raw(
            &envelope(body, Some(RESOURCE)),
            Auth::Basic(SERVICE, PASSWORD),
            Some(RESOURCE),
        )
        .await
    }
}
