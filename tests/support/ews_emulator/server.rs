//! The HTTP side: authentication, injected faults and latency, schema validation,
//! impersonation, and dispatch to the operations.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roxmltree::{Document, Node};
use tokio::sync::watch;

use super::operations::{self, error_for_all, message_count};
use super::soap::{self, back_off_value, child, elements, envelope, text_at, SOAP_NS, TYPES_NS};
use super::state::Store;
use super::validate;
use super::{Account, CallRecord, EmulatorConfig, Fault};

/// How long a `Fault::Timeout` holds a request unless the emulator shuts down first.
const TIMEOUT_HOLD: Duration = Duration::from_secs(30);

/// Test controls and records.
#[derive(Default)]
pub struct Control {
    pub faults: VecDeque<Fault>,
    pub latency: Duration,
    /// Delay after a request of this operation took effect, before its answer leaves.
    pub answer_delay: Option<(String, Duration)>,
    pub calls: Vec<CallRecord>,
    pub schema_errors: Vec<String>,
    pub protocol_errors: Vec<String>,
}

pub struct Shared {
    pub config: EmulatorConfig,
    pub store: Mutex<Store>,
    pub control: Mutex<Control>,
    pub shutdown: watch::Receiver<bool>,
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn control(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the emulator answers, plus what the call record needs.
struct Reply {
    status: u16,
    body: String,
    mailbox: Option<String>,
    codes: Vec<String>,
}

impl Reply {
    fn ok(body: String, codes: Vec<String>, mailbox: &str) -> Self {
        Reply {
            status: 200,
            body: envelope(&body),
            mailbox: Some(mailbox.to_owned()),
            codes,
        }
    }

    fn fault(status: u16, code: &str, message: &str, back_off_ms: Option<u64>) -> Self {
        Reply {
            status,
            body: soap::fault(code, message, back_off_ms),
            mailbox: None,
            codes: vec![code.to_owned()],
        }
    }

    fn plain(status: u16) -> Self {
        Reply {
            status,
            body: String::new(),
            mailbox: None,
            codes: Vec::new(),
        }
    }
}

/// The operation name and impersonated address of a request, read leniently for records.
struct Sniffed {
    operation: String,
    impersonated: Option<String>,
}

fn sniff(text: &str) -> Sniffed {
    let doc = Document::parse(text).ok();
    let envelope = doc.as_ref().map(|d| d.root_element());
    let part = |name: &str| envelope.and_then(|e| child(e, SOAP_NS, name));
    Sniffed {
        operation: part("Body")
            .and_then(|b| elements(b).next())
            .map(|op| op.tag_name().name().to_owned())
            .unwrap_or_else(|| "Unknown".to_owned()),
        impersonated: part("Header").and_then(impersonated_address),
    }
}

/// The address in `t:ExchangeImpersonation/t:ConnectingSID`, if the header has one.
fn impersonated_address(header: Node) -> Option<String> {
    let sid = child(
        child(header, TYPES_NS, "ExchangeImpersonation")?,
        TYPES_NS,
        "ConnectingSID",
    )?;
    ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"]
        .into_iter()
        .find_map(|name| text_at(sid, &[name]))
}

pub async fn handle(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let latency = shared.control().latency;
    if !latency.is_zero() {
        actix_web::rt::time::sleep(latency).await;
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let sniffed = sniff(&text);
    let fault = shared.control().faults.pop_front();
    let reply = match fault {
        Some(fault) => injected(fault, &text, &sniffed, &shared).await,
        None => process(&req, &text, &sniffed, &shared).await,
    };
    let account_mailbox = || authenticate(&req, &shared.config.accounts).map(|a| a.smtp.clone());
    let mailbox = reply
        .mailbox
        .clone()
        .or_else(|| sniffed.impersonated.clone())
        .or_else(account_mailbox);
    shared.control().calls.push(CallRecord {
        operation: sniffed.operation.clone(),
        mailbox,
        status: reply.status,
        response_codes: reply.codes.clone(),
        injected: fault.is_some(),
        account: authenticate(&req, &shared.config.accounts).map(|a| a.username.clone()),
    });
    let answer_delay = shared.control().answer_delay.clone();
    if let Some((operation, delay)) = answer_delay {
        if operation == sniffed.operation {
            actix_web::rt::time::sleep(delay).await;
        }
    }
    respond(reply)
}

fn respond(reply: Reply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if reply.status == 401 {
        response.insert_header((WWW_AUTHENTICATE, "Basic realm=\"127.0.0.1\""));
        response.append_header((WWW_AUTHENTICATE, "Bearer"));
    }
    if reply.body.is_empty() {
        return response.finish();
    }
    response
        .insert_header((CONTENT_TYPE, "text/xml; charset=utf-8"))
        .body(reply.body)
}

async fn injected(fault: Fault, text: &str, sniffed: &Sniffed, shared: &Shared) -> Reply {
    const BUSY: &str = "The server cannot service this request right now. Try again later.";
    match fault {
        Fault::ServerBusy { back_off_ms } => {
            Reply::fault(500, "ErrorServerBusy", BUSY, Some(back_off_ms))
        }
        Fault::ServerBusyInResponse { back_off_ms } => {
            let Some(operation) = operations::supported(&sniffed.operation) else {
                return Reply::fault(500, "ErrorServerBusy", BUSY, Some(back_off_ms));
            };
            let count = Document::parse(text)
                .ok()
                .and_then(|doc| {
                    let body = child(doc.root_element(), SOAP_NS, "Body")?;
                    elements(body).next().map(|op| message_count(operation, op))
                })
                .unwrap_or(1);
            let (xml, codes) = error_for_all(
                operation,
                count,
                "ErrorServerBusy",
                BUSY,
                &back_off_value(back_off_ms),
            );
            Reply {
                status: 200,
                body: envelope(&xml),
                mailbox: None,
                codes,
            }
        }
        Fault::Http(status) => Reply::plain(status),
        Fault::Unauthorized => Reply::plain(401),
        Fault::MalformedXml => Reply {
            status: 200,
            body: format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"{SOAP_NS}\">\
                 <s:Body><m:SyncFolderItemsResponse><m:ResponseMessages"
            ),
            mailbox: None,
            codes: Vec::new(),
        },
        Fault::Timeout => {
            let mut shutdown = shared.shutdown.clone();
            let _ = tokio::time::timeout(TIMEOUT_HOLD, shutdown.wait_for(|stop| *stop)).await;
            Reply::plain(504)
        }
    }
}

fn authenticate<'a>(req: &HttpRequest, accounts: &'a [Account]) -> Option<&'a Account> {
    let header = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, value) = header.trim().split_once(' ')?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("Basic") {
        let decoded = String::from_utf8(STANDARD.decode(value).ok()?).ok()?;
        let (user, password) = decoded.split_once(':')?;
        accounts.iter().find(|a| {
            a.username.eq_ignore_ascii_case(user) && a.password.as_deref() == Some(password)
        })
    } else if scheme.eq_ignore_ascii_case("Bearer") {
        accounts.iter().find(|a| {
            a.bearer_token.as_deref() == Some(value)
                || a.issued_tokens
                    .as_ref()
                    .is_some_and(|tokens| tokens.accepts(value, &a.smtp))
        })
    } else {
        None
    }
}

fn schema_failure(shared: &Shared, operation: &str, report: &str) -> Reply {
    shared
        .control()
        .schema_errors
        .push(format!("{operation}: {report}"));
    Reply::fault(
        500,
        "ErrorSchemaValidation",
        &format!("The request failed schema validation: {report}"),
        None,
    )
}

async fn process(req: &HttpRequest, text: &str, sniffed: &Sniffed, shared: &Shared) -> Reply {
    let Some(account) = authenticate(req, &shared.config.accounts) else {
        return Reply::plain(401);
    };
    let schema = shared
        .config
        .validate_requests
        .then(validate::envelope_schema)
        .flatten();
    if let Some(schema) = schema {
        let owned = text.to_owned();
        let verdict = web::block(move || validate::check(schema, &owned))
            .await
            .unwrap_or_else(|e| Err(format!("validation did not run: {e}")));
        if let Err(report) = verdict {
            return schema_failure(shared, &sniffed.operation, &report);
        }
    }
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return schema_failure(shared, &sniffed.operation, &format!("not XML: {e}")),
    };
    let root = doc.root_element();
    let body = soap::is(root, SOAP_NS, "Envelope")
        .then(|| child(root, SOAP_NS, "Body"))
        .flatten()
        .and_then(|b| elements(b).next());
    let Some(body) = body else {
        return schema_failure(shared, &sniffed.operation, "no SOAP envelope with a body");
    };
    let is_messages = body.tag_name().namespace() == Some(soap::MESSAGES_NS);
    let Some(operation) = operations::supported(body.tag_name().name()).filter(|_| is_messages)
    else {
        return Reply::fault(
            500,
            "ErrorInvalidRequest",
            &format!("The operation {} is not supported.", sniffed.operation),
            None,
        );
    };
    let mailbox = match &sniffed.impersonated {
        Some(target) => {
            let anchor = req
                .headers()
                .get("X-AnchorMailbox")
                .and_then(|v| v.to_str().ok())
                .map(str::trim);
            if !anchor.is_some_and(|a| a.eq_ignore_ascii_case(target)) {
                shared.control().protocol_errors.push(format!(
                    "{operation}: X-AnchorMailbox is {anchor:?}, but the request impersonates {target}"
                ));
                return Reply::fault(
                    500,
                    "ErrorInvalidRequest",
                    "X-AnchorMailbox must name the impersonated mailbox.",
                    None,
                );
            }
            if !shared.config.impersonation.allows(target) {
                let (xml, codes) = error_for_all(
                    operation,
                    message_count(operation, body),
                    "ErrorImpersonateUserDenied",
                    "The account does not have permission to impersonate the requested user.",
                    "",
                );
                return Reply::ok(xml, codes, target);
            }
            target.clone()
        }
        None => account.smtp.clone(),
    };
    let mut store = shared.store();
    if store.mailbox(&mailbox).is_none() {
        let (xml, codes) = error_for_all(
            operation,
            message_count(operation, body),
            "ErrorNonExistentMailbox",
            "No mailbox with such guid.",
            "",
        );
        return Reply::ok(xml, codes, &mailbox);
    }
    let (xml, codes) = operations::run(operation, body, &mut store, &mailbox);
    Reply::ok(xml, codes, &mailbox)
}
