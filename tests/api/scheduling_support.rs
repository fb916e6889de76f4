//! What the scheduling tests share: an emulated Exchange with the `single` integration's
//! resource mailbox, the real service watching it, and helpers to book and inspect meetings.

use crate::helpers::*;
use serde_json::{json, Value};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use vmr_scheduler::domain::{AliasMarker, IntegrationId};
use vmr_scheduler::store::{Conference, Operation, Reservation};
use vmr_scheduler_tests::ews_emulator::{
    Account, EmulatorConfig, EwsEmulator, Folder, ImpersonationScope, Invite, ItemKind, StoredItem,
};

pub const RESOURCE: &str = "vmr-single@example.com";
pub const ORGANIZER: &str = "manager@example.com";
pub const SERVICE_ACCOUNT: &str = "svc-vmr@example.com";
pub const PASSWORD: &str = "service-account-password";

/// How long the worker (polling every second) may take to answer.
const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
/// The organizer's user id in the add-in's tokens: the same user reserves and releases.
const ORGANIZER_OID: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

pub fn emulator() -> EwsEmulator {
    emulator_with(ImpersonationScope::All)
}

/// [`emulator`] where the service account may impersonate only `scope`.
pub fn emulator_with(scope: ImpersonationScope) -> EwsEmulator {
    let emulator = EwsEmulator::start(EmulatorConfig {
        impersonation: scope,
        ..EmulatorConfig::new(vec![Account::basic(SERVICE_ACCOUNT, PASSWORD)])
    });
    emulator.add_mailbox(RESOURCE, "VMR single");
    emulator.add_mailbox(ORGANIZER, "Manager");
    emulator
}

/// The `single` integration watching the emulator's resource mailbox every second.
pub fn exchange_section(emulator: &EwsEmulator, password_file: &Path) -> String {
    exchange_section_with(emulator, password_file, "")
}

/// [`exchange_section`] with more `settings` of the integration's `exchange` table.
pub fn exchange_section_with(
    emulator: &EwsEmulator,
    password_file: &Path,
    settings: &str,
) -> String {
    format!(
        r#"
        [integrations.single.exchange]
        url = "{url}"
        insecure_allow_http_loopback = true
        poll_interval_seconds = 1
        {settings}
        [integrations.single.exchange.auth]
        method = "basic"
        username = "{SERVICE_ACCOUNT}"
        password = {{ file = {file:?} }}
        "#,
        url = emulator.url(),
        file = password_file.display().to_string(),
    )
}

/// Polls `check` until it returns something, for at most 20 seconds.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// [`eventually`] for checks that need the store.
pub async fn eventually_async<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// A fresh meeting UID in Outlook's style.
pub fn new_uid() -> String {
    format!("040000008200E00074C5B7101A82E008-{}", uuid::Uuid::new_v4())
}

/// A one-hour meeting of the organizer in the resource, starting at `start`.
pub fn invite(uid: &str, subject: &str, body_html: &str, start: OffsetDateTime) -> Invite {
    Invite {
        uid: uid.to_owned(),
        organizer: ("Manager".into(), ORGANIZER.into()),
        resource: RESOURCE.into(),
        subject: subject.to_owned(),
        body_html: body_html.to_owned(),
        start,
        end: start + time::Duration::hours(1),
        time_zone: "UTC".into(),
        recurrence: None,
    }
}

/// Unix milliseconds, as the store keeps times.
pub fn millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// One emulated Exchange and the service working its resource mailbox.
pub struct Scheduling {
    pub exchange: EwsEmulator,
    pub app: TestApp,
    password_file: PathBuf,
}

impl Scheduling {
    pub async fn start(db: &str) -> Self {
        Self::start_with(db, emulator(), "").await
    }

    /// The service working `exchange` with more `settings` of the integration's `exchange`
    /// table (e.g. `unmarked_meetings = "provision"`).
    pub async fn start_with(db: &str, exchange: EwsEmulator, settings: &str) -> Self {
        let password_file =
            std::env::temp_dir().join(format!("vmr-ews-pw-{}", uuid::Uuid::new_v4()));
        std::fs::write(&password_file, PASSWORD).unwrap();
        let app = spawn_app_with(db, "", |_| {
            exchange_section_with(&exchange, &password_file, settings)
        })
        .await;
        Scheduling {
            exchange,
            app,
            password_file,
        }
    }

    pub fn integration(&self) -> IntegrationId {
        IntegrationId::parse("single").unwrap()
    }

    /// A token of the organizer for the add-in's calls.
    pub fn organizer_token(&self) -> String {
        self.app.entra_user(ORGANIZER_OID).build()
    }

    /// Reserves an alias as the add-in does, for the meeting `meeting_key`.
    pub async fn reserve(&self, meeting_key: &str) -> Value {
        let body = json!({ "meeting_key": meeting_key });
        let response = self
            .app
            .reserve("single", Some(&self.organizer_token()), Some(body))
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// Replies the organizer received, oldest first.
    pub fn responses(&self) -> Vec<StoredItem> {
        self.exchange
            .folder(ORGANIZER, Folder::Inbox)
            .into_iter()
            .filter(|item| item.kind == ItemKind::MeetingResponse)
            .collect()
    }

    /// Waits until the organizer holds `count` replies, and returns them.
    pub async fn wait_for_responses(&self, count: usize) -> Vec<StoredItem> {
        eventually(&format!("{count} replies to the organizer"), || {
            let responses = self.responses();
            (responses.len() >= count).then_some(responses)
        })
        .await
    }

    /// The organizer's reply to the meeting `uid`; there must be exactly one.
    pub fn response_to(&self, uid: &str) -> StoredItem {
        let replies: Vec<StoredItem> = self
            .responses()
            .into_iter()
            .filter(|item| item.uid() == Some(uid))
            .collect();
        assert_eq!(replies.len(), 1, "replies to {uid}: {replies:?}");
        replies.into_iter().next().unwrap()
    }

    pub async fn conference(&self, uid: &str) -> Option<Conference> {
        self.app
            .store
            .conference(&self.integration(), uid)
            .await
            .unwrap()
    }

    pub async fn reservation(&self, reservation: &Value) -> Reservation {
        let marker = AliasMarker::parse(reservation["alias_id_marker"].as_str().unwrap()).unwrap();
        self.app
            .store
            .reservation_by_marker(&marker)
            .await
            .unwrap()
            .expect("stored reservation")
    }

    /// The newest operations first.
    pub async fn operations(&self) -> Vec<Operation> {
        self.app
            .store
            .recent_operations(&self.integration(), false, 200)
            .await
            .unwrap()
    }

    /// The organizer cancels the meeting `uid` (the whole series): its conference goes, it
    /// leaves the resource's inbox and calendar, and its reservation is deleted, freeing the alias.
    pub async fn cancel_and_expect_room_freed(&self, uid: &str, reservation: &Value) {
        self.exchange
            .send_cancellation(uid, ORGANIZER, RESOURCE, None);
        eventually_async("the conference removed", || async {
            self.conference(uid).await.is_none().then_some(())
        })
        .await;
        eventually("the cancellation handled in Exchange", || {
            let exchange = &self.exchange;
            (exchange.folder(RESOURCE, Folder::Inbox).is_empty()
                && exchange.folder(RESOURCE, Folder::Calendar).is_empty())
            .then_some(())
        })
        .await;
        assert_eq!(
            self.reservation(reservation).await.state,
            vmr_scheduler::store::ReservationState::Deleted
        );
    }

    /// Every request the service sent was schema-valid and addressed the right mailbox.
    pub fn assert_clean_protocol(&self) {
        assert_eq!(self.exchange.schema_errors(), Vec::<String>::new());
        assert_eq!(self.exchange.protocol_errors(), Vec::<String>::new());
    }
}

impl Drop for Scheduling {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.password_file);
    }
}
