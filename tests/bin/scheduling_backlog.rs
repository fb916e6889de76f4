//! `make bench`, scheduling part: the mailbox worker clears a backlog of meeting requests in
//! the emulated Exchange, every EWS call delayed (default 1,000 requests, 20 ms per call).
//! Prints meetings per minute and EWS calls per meeting as a Markdown table row.
//!
//! `scheduling-backlog [MEETINGS] [LATENCY_MS]`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vmr_scheduler::config::Settings;
use vmr_scheduler::domain::{
    Alias, AliasMarker, EmailAddress, IntegrationId, MeetingOptions, NumericAlias, UserIdentity,
};
use vmr_scheduler::exchange::ews_connector::EwsConnector;
use vmr_scheduler::exchange::oauth::ExchangeTokens;
use vmr_scheduler::scheduling::worker::MailboxWorker;
use vmr_scheduler::scheduling::{Policy, UnmarkedMeetings};
use vmr_scheduler::store::{DatabaseSettings, NewReservation, Store};
use vmr_scheduler_tests::ews_emulator::{Account, EmulatorConfig, EwsEmulator, Folder, Invite};

const RESOURCE: &str = "vmr@example.com";
/// Bounds the run: cycles of the worker before giving up.
const MAX_CYCLES: usize = 1000;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let meetings: usize = args
        .next()
        .map_or(1000, |n| n.parse().expect("MEETINGS is a number"));
    let latency_ms: u64 = args
        .next()
        .map_or(20, |n| n.parse().expect("LATENCY_MS is a number"));

    let mut config = EmulatorConfig::new(vec![Account::basic("svc", "password")]);
    // The schema check runs xmllint per request; the tests do that, the benchmark measures the worker.
    config.validate_requests = false;
    let exchange = EwsEmulator::start(config);
    exchange.add_mailbox(RESOURCE, "VMR");

    let dir = std::env::temp_dir().join(format!("vmr-backlog-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = settings(&exchange);
    let store = Store::connect(&DatabaseSettings {
        url: format!("sqlite://{}/backlog.db", dir.display()),
        max_connections: 8,
        acquire_timeout: Duration::from_secs(10),
    })
    .await
    .unwrap();
    let integration = settings.integrations[0].clone();
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    for n in 0..meetings {
        let marker = reserve(&store, &integration.id, n).await;
        let organizer = format!("organizer{}@example.com", n % 50);
        exchange.send_meeting(&Invite {
            uid: format!("uid-{n}"),
            organizer: (format!("Organizer {}", n % 50), organizer),
            resource: RESOURCE.into(),
            subject: format!("Meeting {n}"),
            body_html: format!("<p>Join: {}</p>", marker.as_str()),
            start: start + time::Duration::minutes(n as i64),
            end: start + time::Duration::minutes(n as i64 + 30),
            time_zone: "UTC".into(),
            recurrence: None,
        });
    }
    exchange.set_latency(Duration::from_millis(latency_ms));

    let exchange_settings = integration.exchange.clone().unwrap();
    let connector = EwsConnector::new(
        EwsConnector::client_for(&exchange_settings, &ExchangeTokens::None).unwrap(),
        integration.equipment_resource.email.clone(),
    );
    let worker = MailboxWorker::new(
        store.clone(),
        Arc::new(connector),
        Arc::new(integration.clone()),
        integration.shared_values(&settings.server.public_url),
        Policy {
            unmarked: UnmarkedMeetings::Decline,
        },
        Arc::new(time::OffsetDateTime::now_utc),
    );
    let began = Instant::now();
    let mut cycles = 0;
    while !exchange.folder(RESOURCE, Folder::Inbox).is_empty() {
        assert!(
            cycles < MAX_CYCLES,
            "the backlog did not clear in {MAX_CYCLES} cycles"
        );
        worker.run_once().await.expect("a cycle runs");
        cycles += 1;
    }
    let elapsed = began.elapsed();
    let calls = exchange.calls();
    let accepted = exchange.folder(RESOURCE, Folder::SentItems).len();
    assert_eq!(accepted, meetings, "every meeting answered once");
    let mut by_operation: BTreeMap<String, usize> = BTreeMap::new();
    for call in &calls {
        *by_operation.entry(call.operation.clone()).or_default() += 1;
    }
    let per_meeting = calls.len() as f64 / meetings as f64;
    let per_minute = meetings as f64 / elapsed.as_secs_f64() * 60.0;
    println!(
        "| {meetings} requests, {latency_ms} ms per EWS call, SQLite | {:.1} s | {:.0} | {:.2} | {} |",
        elapsed.as_secs_f64(),
        per_minute,
        per_meeting,
        by_operation
            .iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn settings(exchange: &EwsEmulator) -> Settings {
    let text = format!(
        r#"[server]
public_url = "https://vmr.example.com"
[integrations.bench]
equipment_resource = {{ name = "VMR", email = "{RESOURCE}" }}
[integrations.bench.aliases]
prefix = "meet"
domain = "vc.example.com"
suffix_length = 9
[integrations.bench.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
[integrations.bench.exchange]
url = "{url}"
insecure_allow_http_loopback = true
[integrations.bench.exchange.auth]
method = "basic"
username = "svc"
password = {{ env = "BACKLOG_PASSWORD" }}
"#,
        url = exchange.url()
    );
    Settings::from_toml(
        &text,
        std::path::Path::new("backlog.toml"),
        Vec::new(),
        &|_| Some("password".into()),
    )
    .unwrap()
}

async fn reserve(store: &Store, integration: &IntegrationId, n: usize) -> AliasMarker {
    let marker = AliasMarker::generate(&mut rand::thread_rng());
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let new = NewReservation {
        id: uuid::Uuid::new_v4(),
        integration: integration.clone(),
        alias: Alias::parse(&format!("meet{:09}@vc.example.com", n)).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("{:09}", n)).unwrap(),
        marker: marker.clone(),
        user: UserIdentity::Entra {
            tenant_id: "t".into(),
            object_id: format!("o{n}"),
            email: Some(EmailAddress::parse(&format!("organizer{}@example.com", n % 50)).unwrap()),
            name: None,
        },
        meeting_key: None,
        options: MeetingOptions::default(),
        created_at: now,
        expires_at: now + 86_400_000,
    };
    store
        .try_insert_reservation(&new)
        .await
        .unwrap()
        .expect("a free alias");
    marker
}
