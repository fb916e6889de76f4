//! A loopback Exchange Web Services server for tests.
//!
//! It speaks the EWS subset the scheduler uses (SyncFolderItems, GetItem, CreateItem with
//! meeting response objects, DeleteItem, FindItem with a CalendarView, UpdateItem of an
//! organizer's meeting sent to its attendees) and behaves like
//! Exchange where the scheduler depends on it: Basic/Bearer authentication, impersonation
//! with `X-AnchorMailbox`, item ids and change keys, real sync states, meeting responses
//! delivered to the organizer, series expanded in their own time zone, throttling faults.
//! Every request envelope is validated against the EWS schema with `xmllint`.
//!
//! ```no_run
//! use vmr_scheduler_tests::ews_emulator::{Account, EmulatorConfig, EwsEmulator, Folder};
//!
//! let ews = EwsEmulator::start(EmulatorConfig::new(vec![Account::basic("svc@example.org", "pw")]));
//! ews.add_mailbox("room@example.org", "VMR room");
//! // … point a client at ews.url(), then inspect ews.folder("room@example.org", Folder::Calendar)
//! ```

mod calendar_view;
mod meetings;
mod operations;
mod organizer;
pub mod recurrence;
mod render;
mod server;
mod soap;
mod state;
mod validate;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::{web, App, HttpServer};
use time::OffsetDateTime;
use tokio::sync::{oneshot, watch};

pub use recurrence::{Range, Recurrence};
pub use render::html_to_text;
pub use state::{CalendarItemType, Folder, ItemKind, Meeting, Person, StoredItem};
pub use validate::{REQUIRE_VAR, SCHEMA_DIR_VAR};

use server::{Control, Shared};
use state::Store;

/// A service account the emulator accepts.
#[derive(Clone, Debug)]
pub struct Account {
    /// User name for Basic authentication.
    pub username: String,
    pub password: Option<String>,
    pub bearer_token: Option<String>,
    /// Bearer tokens issued at run time (by the OAuth emulator) for this account.
    pub issued_tokens: Option<crate::oauth_emulator::AcceptedTokens>,
    /// The account's own mailbox (acted on when not impersonating).
    pub smtp: String,
}

impl Account {
    /// Basic authentication; the user name is also the account's mailbox address.
    pub fn basic(username: &str, password: &str) -> Self {
        Account {
            username: username.to_owned(),
            password: Some(password.to_owned()),
            bearer_token: None,
            issued_tokens: None,
            smtp: username.to_owned(),
        }
    }

    /// Bearer (OAuth) authentication for the account `smtp`.
    pub fn bearer(token: &str, smtp: &str) -> Self {
        Account {
            username: smtp.to_owned(),
            password: None,
            bearer_token: Some(token.to_owned()),
            issued_tokens: None,
            smtp: smtp.to_owned(),
        }
    }
}

impl Account {
    /// Bearer authentication with whatever live token `tokens` holds for `smtp`.
    pub fn oauth(tokens: crate::oauth_emulator::AcceptedTokens, smtp: &str) -> Self {
        Account {
            username: smtp.to_owned(),
            password: None,
            bearer_token: None,
            issued_tokens: Some(tokens),
            smtp: smtp.to_owned(),
        }
    }
}

/// Which mailboxes the service accounts may impersonate.
#[derive(Clone, Debug)]
pub enum ImpersonationScope {
    All,
    /// Only these SMTP addresses (compared case-insensitively).
    Only(Vec<String>),
}

impl ImpersonationScope {
    pub fn allows(&self, smtp: &str) -> bool {
        match self {
            ImpersonationScope::All => true,
            ImpersonationScope::Only(allowed) => allowed
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(smtp.trim())),
        }
    }
}

#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub accounts: Vec<Account>,
    pub impersonation: ImpersonationScope,
    /// Schema-check every request body.
    pub validate_requests: bool,
}

impl EmulatorConfig {
    /// These accounts, impersonating anyone, with request validation.
    pub fn new(accounts: Vec<Account>) -> Self {
        EmulatorConfig {
            accounts,
            ..EmulatorConfig::default()
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            accounts: Vec::new(),
            impersonation: ImpersonationScope::All,
            validate_requests: true,
        }
    }
}

/// A meeting as the organizer's Exchange sends it to the resource.
#[derive(Clone, Debug)]
pub struct Invite {
    pub uid: String,
    /// (display name, SMTP address)
    pub organizer: (String, String),
    /// SMTP address of the resource mailbox.
    pub resource: String,
    pub subject: String,
    pub body_html: String,
    /// First (or only) occurrence.
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// Windows time zone id, e.g. "W. Europe Standard Time".
    pub time_zone: String,
    pub recurrence: Option<Recurrence>,
}

/// What an update changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateScope {
    WholeSeries,
    /// One occurrence of a series, named by its original start.
    Occurrence {
        original_start: OffsetDateTime,
    },
}

/// A failure the next requests answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 with a SOAP fault `ErrorServerBusy` and a back-off hint.
    ServerBusy { back_off_ms: u64 },
    /// HTTP 200 whose response messages are `ErrorServerBusy` with a back-off hint.
    ServerBusyInResponse { back_off_ms: u64 },
    /// This HTTP status with an empty body.
    Http(u16),
    /// No answer for 30 s (or until the emulator stops), then 504.
    Timeout,
    /// HTTP 200 with a truncated XML document.
    MalformedXml,
    /// HTTP 401 whatever the credentials.
    Unauthorized,
}

/// One request the emulator answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// Local name of the body element, e.g. "SyncFolderItems" ("Unknown" if unreadable).
    pub operation: String,
    /// The mailbox acted on (or addressed), if known.
    pub mailbox: Option<String>,
    pub status: u16,
    /// Response codes of the response messages, or the fault's code.
    pub response_codes: Vec<String>,
    /// Whether an injected fault answered it.
    pub injected: bool,
    /// The user name of the account that made the call, if it authenticated.
    pub account: Option<String>,
}

/// A running emulator on `127.0.0.1`; stops when dropped.
pub struct EwsEmulator {
    shared: Arc<Shared>,
    url: String,
    shutdown: watch::Sender<bool>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EwsEmulator {
    /// Binds `127.0.0.1:0` and serves on a thread with its own runtime.
    ///
    /// With `validate_requests`, looks for xmllint and the schemas now, so that a required but
    /// missing validator (`VMR_REQUIRE_SCHEMAS=1`) fails the caller rather than a request.
    pub fn start(config: EmulatorConfig) -> Self {
        if config.validate_requests {
            validate::envelope_schema();
        }
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            config,
            store: Mutex::new(Store::new()),
            control: Mutex::new(Control::default()),
            shutdown: shutdown_rx,
        });
        let data = web::Data::from(Arc::clone(&shared));
        let (stop, stop_rx) = oneshot::channel::<()>();
        let (ready, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new().app_data(data.clone()).service(
                        web::resource(["/EWS/Exchange.asmx", "/ews/exchange.asmx"])
                            .route(web::post().to(server::handle)),
                    )
                })
                .workers(2)
                .disable_signals()
                .shutdown_timeout(1)
                .listen(listener)
                .expect("listen on loopback")
                .run();
                let handle = server.handle();
                let running = actix_web::rt::spawn(server);
                let _ = ready.send(());
                let _ = stop_rx.await;
                handle.stop(true).await;
                let _ = running.await;
            });
        });
        ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("EWS emulator started");
        EwsEmulator {
            shared,
            url: format!("http://{addr}/EWS/Exchange.asmx"),
            shutdown,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/EWS/Exchange.asmx`
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Creates a mailbox (with inbox, calendar, sent items, deleted items) if absent.
    pub fn add_mailbox(&self, smtp: &str, name: &str) {
        self.shared.store().add_mailbox(smtp, name);
    }

    pub fn has_mailbox(&self, smtp: &str) -> bool {
        self.shared.store().mailbox(smtp).is_some()
    }

    /// As the organizer's Exchange would: a new meeting request in the resource's inbox.
    /// Returns its item id.
    pub fn send_meeting(&self, invite: &Invite) -> String {
        meetings::deliver_request(&mut self.shared.store(), invite, None)
    }

    /// A `FullUpdate` meeting request for the series (or single meeting) or one occurrence.
    pub fn send_update(&self, invite: &Invite, scope: UpdateScope) -> String {
        meetings::deliver_request(&mut self.shared.store(), invite, Some(scope))
    }

    /// As Outlook does for its user: the meeting in the organizer's calendar, and its request
    /// in the inbox of every attendee (the invite's resource first). Returns the id of the
    /// organizer's calendar item; updates of it (`UpdateItem`) reach the same attendees.
    pub fn organize_meeting(&self, invite: &Invite, other_attendees: &[&str]) -> String {
        organizer::organize(&mut self.shared.store(), invite, other_attendees)
    }

    /// A meeting cancellation for the meeting `uid`, or one occurrence of it.
    pub fn send_cancellation(
        &self,
        uid: &str,
        organizer: &str,
        resource: &str,
        occurrence: Option<OffsetDateTime>,
    ) -> String {
        meetings::deliver_cancellation(
            &mut self.shared.store(),
            uid,
            organizer,
            resource,
            occurrence,
        )
    }

    /// A plain text `IPM.Note` in the inbox of `to`.
    pub fn deliver_message(&self, to: &str, subject: &str, body: &str) -> String {
        let item = StoredItem {
            id: String::new(),
            change_key: String::new(),
            kind: ItemKind::Message,
            item_class: "IPM.Note".to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            body_is_html: false,
            received: OffsetDateTime::now_utc(),
            from: Some(Person {
                name: "External Sender".to_owned(),
                smtp: "sender@example.net".to_owned(),
            }),
            meeting: None,
            location: None,
        };
        self.shared.store().put(to, Folder::Inbox, item)
    }

    /// A snapshot of a folder's items, oldest first.
    pub fn folder(&self, smtp: &str, folder: Folder) -> Vec<StoredItem> {
        self.shared.store().items(smtp, folder)
    }

    /// The item `id` of mailbox `smtp` and the folder it is in.
    pub fn item(&self, smtp: &str, id: &str) -> Option<(Folder, StoredItem)> {
        self.shared.store().find(smtp, id)
    }

    /// The next `times` requests fail with `fault` (after faults injected earlier).
    pub fn inject(&self, fault: Fault, times: u32) {
        let mut control = self.shared.control();
        control
            .faults
            .extend(std::iter::repeat_n(fault, times as usize));
    }

    /// Injected faults no request has met yet.
    pub fn pending_faults(&self) -> usize {
        self.shared.control().faults.len()
    }

    /// Delay before every answer.
    pub fn set_latency(&self, per_call: Duration) {
        self.shared.control().latency = per_call;
    }

    /// Delay between a request of `operation` (e.g. "CreateItem") taking effect and its
    /// answer: a client that gives up or dies meanwhile did the work without learning it.
    /// `None` ends it.
    pub fn set_answer_delay(&self, delay: Option<(&str, Duration)>) {
        self.shared.control().answer_delay =
            delay.map(|(operation, delay)| (operation.to_owned(), delay));
    }

    /// Every request answered so far, in order.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.shared.control().calls.clone()
    }

    /// Requests that failed schema validation (operation and xmllint's report).
    pub fn schema_errors(&self) -> Vec<String> {
        self.shared.control().schema_errors.clone()
    }

    /// Requests that broke the impersonation protocol (a missing or wrong `X-AnchorMailbox`).
    pub fn protocol_errors(&self) -> Vec<String> {
        self.shared.control().protocol_errors.clone()
    }

    /// Whether requests are really schema-checked (validation on, xmllint and schemas found).
    pub fn validates_requests(&self) -> bool {
        self.shared.config.validate_requests && validate::envelope_schema().is_some()
    }
}

impl Drop for EwsEmulator {
    fn drop(&mut self) {
        // Releases requests held by `Fault::Timeout` so the server can stop promptly.
        let _ = self.shutdown.send(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
