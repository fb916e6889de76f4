//! `exchange check` against the emulated Exchange: what it reports for a working setup, wrong
//! credentials, an impersonation scope without the resource, and a resource that something
//! else still answers.

use vmr_scheduler::config::Settings;
use vmr_scheduler::domain::EmailAddress;
use vmr_scheduler::exchange::ews::{ItemId, Response};
use vmr_scheduler::exchange::ews_connector::EwsConnector;
use vmr_scheduler::exchange::tooling::{check, CheckReport};
use vmr_scheduler_tests::ews_emulator::{
    Account, EmulatorConfig, EwsEmulator, Folder, ImpersonationScope, Invite,
};
use vmr_scheduler_tests::test_db::connect_store;

const RESOURCE: &str = "vmr@example.com";

fn settings(emulator: &EwsEmulator, password: &str) -> Settings {
    let text = format!(
        r#"[server]
public_url = "https://vmr.example.com"
[integrations.main]
equipment_resource = {{ name = "VMR", email = "{RESOURCE}" }}
[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"
[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
[integrations.main.exchange]
url = "{url}"
insecure_allow_http_loopback = true
[integrations.main.exchange.auth]
method = "basic"
username = "svc"
password = {{ env = "EWS_PASSWORD" }}
"#,
        url = emulator.url()
    );
    let password = password.to_string();
    Settings::from_toml(
        &text,
        std::path::Path::new("check.toml"),
        Vec::new(),
        &move |_| Some(password.clone()),
    )
    .unwrap()
}

fn emulator(scope: ImpersonationScope) -> EwsEmulator {
    let mut config = EmulatorConfig::new(vec![Account::basic("svc", "right-password")]);
    config.impersonation = scope;
    let emulator = EwsEmulator::start(config);
    emulator.add_mailbox(RESOURCE, "VMR");
    emulator
}

async fn run_check(emulator: &EwsEmulator, password: &str) -> CheckReport {
    let settings = settings(emulator, password);
    let path = std::env::temp_dir().join(format!("vmr-check-{}.db", uuid::Uuid::new_v4()));
    let store = connect_store(&format!("sqlite://{}", path.display())).await;
    check(&settings.integrations[0], &store).await
}

#[tokio::test]
async fn a_working_setup_passes_every_step() {
    let exchange = emulator(ImpersonationScope::All);
    let report = run_check(&exchange, "right-password").await;
    assert!(report.problems.is_empty(), "{report:?}");
    assert!(report.warnings.is_empty(), "{report:?}");
    assert_eq!(report.passed.len(), 2, "{report:?}");
    assert!(exchange.schema_errors().is_empty());
}

#[tokio::test]
async fn wrong_credentials_and_a_narrow_scope_are_problems() {
    let exchange = emulator(ImpersonationScope::All);
    let report = run_check(&exchange, "wrong-password").await;
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].contains("401"), "{report:?}");
    assert!(
        !format!("{report:?}").contains("wrong-password"),
        "no password in the report"
    );

    let exchange = emulator(ImpersonationScope::Only(vec!["someone@example.com".into()]));
    let report = run_check(&exchange, "right-password").await;
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(
        report.problems[0].contains("ErrorImpersonateUserDenied"),
        "{report:?}"
    );
}

#[tokio::test]
async fn meetings_booked_by_something_else_are_a_warning() {
    let exchange = emulator(ImpersonationScope::All);
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    exchange.send_meeting(&Invite {
        uid: "uid-auto-accepted".into(),
        organizer: ("Org".into(), "org@example.com".into()),
        resource: RESOURCE.into(),
        subject: "Accepted by the calendar attendant".into(),
        body_html: "<p>no marker</p>".into(),
        start,
        end: start + time::Duration::hours(1),
        time_zone: "UTC".into(),
        recurrence: None,
    });
    // Something other than vmr-scheduler accepts it, as automatic processing would.
    let settings = settings(&exchange, "right-password");
    let client = EwsConnector::client_for(
        settings.integrations[0].exchange.as_ref().unwrap(),
        &vmr_scheduler::exchange::oauth::ExchangeTokens::None,
    )
    .unwrap();
    let resource = EmailAddress::parse(RESOURCE).unwrap();
    let request = &exchange.folder(RESOURCE, Folder::Inbox)[0];
    let accepted = client
        .respond(
            Some(&resource),
            &[Response::Accept {
                item: ItemId::new(request.id.clone(), Some(request.change_key.clone())),
                body_html: "<p>ok</p>".into(),
            }],
        )
        .await
        .unwrap();
    assert!(accepted[0].is_ok());

    let report = run_check(&exchange, "right-password").await;
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    assert!(
        report.warnings[0].contains("looks auto-processed"),
        "{report:?}"
    );
}
