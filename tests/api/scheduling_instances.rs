//! Instances of the mailbox worker: one killed mid-batch — once with answers stored but not
//! sent, once after Exchange carried the answers out but before the worker heard back — leaves
//! nothing lost and nothing doubled when another takes over; two running at once never both
//! work the mailbox, and the second takes over when the first stops.

use crate::helpers::*;
use crate::scheduling_support::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vmr_scheduler::config::{
    ExchangeAuth, ExchangeSettings, IntegrationSettings, Secret, Settings,
};
use vmr_scheduler::exchange::ews_connector::EwsConnector;
use vmr_scheduler::exchange::oauth::ExchangeTokens;
use vmr_scheduler::scheduling::worker::MailboxWorker;
use vmr_scheduler::scheduling::{Policy, UnmarkedMeetings};
use vmr_scheduler::store::Store;
use vmr_scheduler_tests::ews_emulator::{
    Account, EmulatorConfig, EwsEmulator, Fault, Folder, ItemKind,
};
use vmr_scheduler_tests::on_both_backends;
use vmr_scheduler_tests::test_db::connect_store;

const MEETINGS: usize = 12;

/// The service's HTTP side for reservations, and workers started and killed by the test.
struct Instances {
    app: TestApp,
    exchange: EwsEmulator,
    integration: IntegrationSettings,
    settings: Settings,
    store: Store,
    password_file: std::path::PathBuf,
}

impl Instances {
    async fn start(db: &str) -> Self {
        Self::start_with(db, emulator()).await
    }

    async fn start_with(db: &str, exchange: EwsEmulator) -> Self {
        // No exchange section: the HTTP service runs no worker of its own.
        let app = spawn_app(db).await;
        let password_file =
            std::env::temp_dir().join(format!("vmr-ews-pw-{}", uuid::Uuid::new_v4()));
        std::fs::write(&password_file, PASSWORD).unwrap();
        let toml = format!(
            "{}\n{}",
            config_toml(&app.idp, db, ""),
            exchange_section(&exchange, &password_file)
        );
        let settings = Settings::from_toml(&toml, Path::new("e2e.toml"), Vec::new(), &|_| None)
            .unwrap_or_else(|error| panic!("{error}"));
        let integration = settings
            .integrations
            .iter()
            .find(|i| i.id.as_str() == "single")
            .unwrap()
            .clone();
        Instances {
            store: connect_store(db).await,
            app,
            exchange,
            integration,
            settings,
            password_file,
        }
    }

    /// A worker instance named `holder`, as the service starts one.
    fn spawn_worker(&self, holder: &str) -> (JoinHandle<()>, watch::Sender<bool>) {
        let exchange = self.integration.exchange.clone().unwrap();
        self.spawn_worker_as(holder, exchange)
    }

    /// A worker instance signing in to Exchange as `username`.
    fn spawn_worker_signed_in_as(
        &self,
        holder: &str,
        username: &str,
        password: &str,
    ) -> (JoinHandle<()>, watch::Sender<bool>) {
        let mut exchange = self.integration.exchange.clone().unwrap();
        exchange.auth = ExchangeAuth::Basic {
            username: username.into(),
            password: Secret::new(password.into()),
        };
        self.spawn_worker_as(holder, exchange)
    }

    fn spawn_worker_as(
        &self,
        holder: &str,
        exchange: ExchangeSettings,
    ) -> (JoinHandle<()>, watch::Sender<bool>) {
        let client = EwsConnector::client_for(&exchange, &ExchangeTokens::None).unwrap();
        let worker = MailboxWorker::new(
            self.store.clone(),
            Arc::new(EwsConnector::new(
                client,
                self.integration.equipment_resource.email.clone(),
            )),
            Arc::new(self.integration.clone()),
            self.integration
                .shared_values(&self.settings.server.public_url),
            Policy {
                unmarked: UnmarkedMeetings::Decline,
            },
            Arc::new(OffsetDateTime::now_utc),
        );
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn(worker.run(holder.into(), Duration::from_millis(200), shutdown));
        (task, stop)
    }

    /// Kills the worker `holder` where it stands; its lease then runs out (made to at once,
    /// rather than after the lease's 30 seconds).
    async fn kill(&self, holder: &str, worker: (JoinHandle<()>, watch::Sender<bool>)) {
        worker.0.abort();
        assert!(worker.0.await.unwrap_err().is_cancelled());
        self.store
            .release_lease(&self.integration.id, holder)
            .await
            .unwrap();
    }

    async fn applied_entries(&self) -> usize {
        let id = &self.integration.id;
        self.store
            .unfinished_journal_entries(id, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|entry| entry.state == vmr_scheduler::store::JournalState::Applied)
            .count()
    }

    /// Reserves a room as the add-in does and sends the meeting to the resource; gives its UID.
    async fn book(&self, n: usize, start: OffsetDateTime) -> String {
        let token = self
            .app
            .entra_user("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
            .build();
        let response = self
            .app
            .reserve(
                "single",
                Some(&token),
                Some(json!({ "meeting_key": format!("m{n}") })),
            )
            .await;
        assert_eq!(response.status(), 201);
        let reservation: serde_json::Value = response.json().await.unwrap();
        let uid = new_uid();
        let body = format!(
            "<p>Agenda</p>{}",
            reservation["instructions_html"].as_str().unwrap()
        );
        self.exchange.send_meeting(&invite(
            &uid,
            &format!("Meeting {n}"),
            &body,
            start + time::Duration::hours(n as i64),
        ));
        uid
    }

    async fn wait_until_all_answered(&self, count: usize) {
        eventually("every meeting answered", || {
            (self.responses().len() >= count
                && self.exchange.folder(RESOURCE, Folder::Inbox).is_empty())
            .then_some(())
        })
        .await;
        eventually_async("the journal finished", || async {
            let left = self
                .store
                .count_unfinished_journal_entries(&self.integration.id)
                .await
                .unwrap();
            (left == 0).then_some(())
        })
        .await;
    }

    /// Each meeting accepted exactly once, with its conference stored.
    async fn assert_each_accepted_once(&self, uids: &[String]) {
        let responses = self.responses();
        assert_eq!(
            responses.len(),
            uids.len(),
            "one answer per meeting, none twice"
        );
        for uid in uids {
            let answers: Vec<_> = responses.iter().filter(|r| r.uid() == Some(uid)).collect();
            assert_eq!(answers.len(), 1, "answers to {uid}");
            assert_eq!(answers[0].item_class, "IPM.Schedule.Meeting.Resp.Pos");
            let conference = self
                .store
                .conference(&self.integration.id, uid)
                .await
                .unwrap();
            assert!(conference.is_some(), "conference of {uid}");
        }
        assert_eq!(self.exchange.schema_errors(), Vec::<String>::new());
    }

    fn responses(&self) -> Vec<vmr_scheduler_tests::ews_emulator::StoredItem> {
        self.exchange
            .folder(ORGANIZER, Folder::Inbox)
            .into_iter()
            .filter(|item| item.kind == ItemKind::MeetingResponse)
            .collect()
    }
}

impl Drop for Instances {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.password_file);
    }
}

async fn a_killed_worker_loses_and_doubles_nothing(db: String) {
    let instances = Instances::start(&db).await;
    let start = in_two_days();
    let mut uids = Vec::new();
    for n in 0..MEETINGS {
        uids.push(instances.book(n, start).await);
    }

    // 1. Killed with the batch's answers stored but not carried out: the call that sends them
    //    waits out a latency, then hangs and never takes effect.
    instances.exchange.set_latency(Duration::from_millis(500));
    let first = instances.spawn_worker("first");
    eventually_async("answers stored and not yet sent", || async {
        (instances.applied_entries().await > 0).then_some(())
    })
    .await;
    instances.exchange.inject(Fault::Timeout, 1);
    eventually("the answers' call hanging", || {
        instances.exchange.pending_faults().eq(&0).then_some(())
    })
    .await;
    instances.kill("first", first).await;
    instances.exchange.set_latency(Duration::ZERO);
    assert!(instances.responses().is_empty(), "nothing was answered yet");

    // 2. Killed after Exchange carried the answers out, before the worker learnt it.
    let calls_before = instances.exchange.calls().len();
    instances
        .exchange
        .set_answer_delay(Some(("CreateItem", Duration::from_secs(5))));
    let second = instances.spawn_worker("second");
    eventually("Exchange carrying out the answers", || {
        instances.exchange.calls()[calls_before..]
            .iter()
            .any(|call| call.operation == "CreateItem" && call.status == 200)
            .then_some(())
    })
    .await;
    instances.kill("second", second).await;
    instances.exchange.set_answer_delay(None);
    assert!(
        instances.applied_entries().await > 0,
        "the killed worker left answers unconfirmed"
    );

    // 3. Another instance takes over and finishes.
    let third = instances.spawn_worker("third");
    instances.wait_until_all_answered(MEETINGS).await;
    third.1.send(true).unwrap();
    third.0.await.unwrap();
    instances.assert_each_accepted_once(&uids).await;
}

const OTHER_ACCOUNT: &str = "svc-vmr-b@example.com";
const OTHER_PASSWORD: &str = "other-service-account-password";

async fn two_instances_never_work_the_mailbox_at_once(db: String) {
    let exchange = EwsEmulator::start(EmulatorConfig::new(vec![
        Account::basic(SERVICE_ACCOUNT, PASSWORD),
        Account::basic(OTHER_ACCOUNT, OTHER_PASSWORD),
    ]));
    exchange.add_mailbox(RESOURCE, "VMR single");
    exchange.add_mailbox(ORGANIZER, "Manager");
    let instances = Instances::start_with(&db, exchange).await;
    let start = in_two_days();
    let mut uids = Vec::new();
    for n in 0..MEETINGS {
        uids.push(instances.book(n, start).await);
    }
    // Each instance signs in with its own account, so every call says who made it.
    let a = instances.spawn_worker_signed_in_as("a", SERVICE_ACCOUNT, PASSWORD);
    let b = instances.spawn_worker_signed_in_as("b", OTHER_ACCOUNT, OTHER_PASSWORD);
    instances.wait_until_all_answered(MEETINGS).await;
    let callers = |from: usize| -> BTreeSet<String> {
        instances.exchange.calls()[from..]
            .iter()
            .filter_map(|call| call.account.clone())
            .collect()
    };
    let first_callers = callers(0);
    assert_eq!(
        first_callers.len(),
        1,
        "one instance at a time: {first_callers:?}"
    );
    instances.assert_each_accepted_once(&uids).await;

    // The instance at work stops and gives the lease up; the other one takes over.
    let (stopping, staying, staying_account) = if first_callers.contains(SERVICE_ACCOUNT) {
        (a, b, OTHER_ACCOUNT)
    } else {
        (b, a, SERVICE_ACCOUNT)
    };
    stopping.1.send(true).unwrap();
    stopping.0.await.unwrap();
    let handover = instances.exchange.calls().len();
    for n in MEETINGS..MEETINGS + 3 {
        uids.push(instances.book(n, start).await);
    }
    instances.wait_until_all_answered(MEETINGS + 3).await;
    assert_eq!(
        callers(handover),
        BTreeSet::from([staying_account.to_string()])
    );
    instances.assert_each_accepted_once(&uids).await;
    staying.1.send(true).unwrap();
    staying.0.await.unwrap();
}

fn in_two_days() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(2)
}

on_both_backends! {
    a_killed_worker_loses_and_doubles_nothing => super::a_killed_worker_loses_and_doubles_nothing;
    two_instances_never_work_the_mailbox_at_once =>
        super::two_instances_never_work_the_mailbox_at_once;
}
