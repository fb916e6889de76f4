//! A mailbox worker killed mid-batch — once with answers stored but not sent, once after
//! Exchange carried the answers out but before the worker heard back — leaves nothing lost
//! and nothing doubled when another instance takes over.

use crate::helpers::*;
use crate::scheduling_support::*;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vmr_scheduler::config::{IntegrationSettings, Settings};
use vmr_scheduler::exchange::ews_connector::EwsConnector;
use vmr_scheduler::exchange::oauth::ExchangeTokens;
use vmr_scheduler::scheduling::worker::MailboxWorker;
use vmr_scheduler::scheduling::{Policy, UnmarkedMeetings};
use vmr_scheduler::store::Store;
use vmr_scheduler_tests::ews_emulator::{EwsEmulator, Fault, Folder, ItemKind};
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
        let exchange = emulator();
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
        let exchange = self.integration.exchange.as_ref().unwrap();
        let client = EwsConnector::client_for(exchange, &ExchangeTokens::None).unwrap();
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
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(2);
    let token = instances
        .app
        .entra_user("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
        .build();
    let mut uids = Vec::new();
    for n in 0..MEETINGS {
        let response = instances
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
        instances.exchange.send_meeting(&invite(
            &uid,
            &format!("Meeting {n}"),
            &body,
            start + time::Duration::hours(n as i64),
        ));
        uids.push(uid);
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
    eventually("every meeting answered", || {
        (instances.responses().len() >= MEETINGS
            && instances
                .exchange
                .folder(RESOURCE, Folder::Inbox)
                .is_empty())
        .then_some(())
    })
    .await;
    eventually_async("the journal finished", || async {
        let left = instances
            .store
            .count_unfinished_journal_entries(&instances.integration.id)
            .await
            .unwrap();
        (left == 0).then_some(())
    })
    .await;
    third.1.send(true).unwrap();
    third.0.await.unwrap();

    let responses = instances.responses();
    assert_eq!(
        responses.len(),
        MEETINGS,
        "one answer per meeting, none twice"
    );
    for uid in &uids {
        let answers: Vec<_> = responses.iter().filter(|r| r.uid() == Some(uid)).collect();
        assert_eq!(answers.len(), 1, "answers to {uid}");
        assert_eq!(answers[0].item_class, "IPM.Schedule.Meeting.Resp.Pos");
        let conference = instances
            .store
            .conference(&instances.integration.id, uid)
            .await
            .unwrap();
        assert!(conference.is_some(), "conference of {uid}");
    }
    assert_eq!(instances.exchange.schema_errors(), Vec::<String>::new());
}

on_both_backends! {
    a_killed_worker_loses_and_doubles_nothing => super::a_killed_worker_loses_and_doubles_nothing;
}
