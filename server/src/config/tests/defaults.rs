//! The minimal configuration and its documented defaults, and explicit values replacing them.

use super::*;
use std::time::Duration;

#[test]
fn the_minimal_configuration_loads_with_the_documented_defaults() {
    let settings = valid(MINIMAL);

    assert_eq!(settings.server.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(
        settings.server.public_url.as_str(),
        "https://vmr.example.com/"
    );
    assert!(settings.server.tls.is_none());
    assert!(settings.server.cors_allowed_origins.is_empty());

    assert_eq!(settings.database.url, "sqlite://data/vmr-scheduler.db");
    assert_eq!(settings.database.max_connections, 8);
    assert_eq!(settings.database.acquire_timeout, Duration::from_secs(10));

    assert_eq!(settings.logging.level, "info");
    assert_eq!(settings.logging.format, LogFormat::Text);

    assert_eq!(settings.integrations.len(), 1);
    let main = settings.integration("main").expect("integration `main`");
    assert_eq!(main.id.as_str(), "main");
    assert_eq!(main.display_name, "main");
    assert_eq!(main.equipment_resource.name, "Video Meeting Room");
    assert_eq!(main.equipment_resource.email.as_str(), "vmr@example.com");
    assert_eq!(main.aliases.prefix.as_str(), "meet");
    assert_eq!(main.aliases.domain.as_str(), "vc.example.com");
    assert_eq!(main.aliases.suffix_length.digits(), 6);
    assert_eq!(main.aliases.numeric_prefix.as_str(), "");
    assert_eq!(main.reservation_lifetime, Duration::from_secs(72 * 3600));
    assert_eq!(
        main.buffers,
        Buffers {
            before: Duration::from_secs(30 * 60),
            after: Duration::from_secs(60 * 60),
        }
    );
    assert_eq!(
        main.rate_limit,
        RateLimitSettings {
            per_minute: 30,
            burst: 10
        }
    );
    assert_eq!(
        main.joining.web_join_url,
        "https://vc.example.com/webapp/#/?conference={alias}"
    );
    assert_eq!(
        main.joining.web_join_url_for("meet123456@vc.example.com"),
        "https://vc.example.com/webapp/#/?conference=meet123456@vc.example.com"
    );
    assert_eq!(main.joining.dial_in_number, None);
    assert!(main.auth.accepts_entra() && !main.auth.accepts_exchange());
    assert!(settings.integration("other").is_none());
}

#[test]
fn explicit_values_replace_the_defaults() {
    let text = format!(
        r#"[server]
listen = "[::]:8443"
public_url = "https://vmr.example.com/scheduler/"
cors_allowed_origins = ["https://outlook.office.com", "http://localhost:3000"]

[database]
url = "sqlite::memory:"
max_connections = 2
acquire_timeout_seconds = 3

[logging]
level = "vmr_scheduler=debug,info"
format = "json"

[integrations.head-office]
display_name = "Head office"
equipment_resource = {{ name = "  Rooms  ", email = "rooms@example.com" }}

[integrations.head-office.aliases]
prefix = "VC"
domain = "VC.Example.com"
suffix_length = 15
numeric_prefix = "00881"
reservation_lifetime_hours = 2160

[integrations.head-office.buffers]
before_minutes = 0
after_minutes = 180

[integrations.head-office.joining]
web_join_url = "https://join.example.com/{{alias}}"
dial_in_number = " +1 (555) 010-0.1 "

[integrations.head-office.rate_limit]
per_minute = 1
burst = 1

[integrations.head-office.auth.exchange]
trusted_metadata_origins = ["https://mail.example.com"]
{SECOND}"#
    );
    let settings = valid(&text);
    assert_eq!(settings.server.listen, "[::]:8443".parse().unwrap());
    assert_eq!(settings.server.public_url.path(), "/scheduler");
    assert_eq!(
        settings.server.cors_allowed_origins,
        ["https://outlook.office.com", "http://localhost:3000"]
    );
    assert_eq!(settings.database.url, "sqlite::memory:");
    assert_eq!(settings.database.max_connections, 2);
    assert_eq!(settings.database.acquire_timeout, Duration::from_secs(3));
    assert_eq!(settings.logging.format, LogFormat::Json);
    assert_eq!(settings.logging.level, "vmr_scheduler=debug,info");

    let ids: Vec<&str> = settings
        .integrations
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["head-office", "second"]);
    let office = settings.integration("head-office").unwrap();
    assert_eq!(office.display_name, "Head office");
    assert_eq!(office.equipment_resource.name, "Rooms");
    assert_eq!(office.aliases.prefix.as_str(), "vc");
    assert_eq!(office.aliases.domain.as_str(), "vc.example.com");
    assert_eq!(office.aliases.suffix_length.digits(), 15);
    assert_eq!(office.aliases.numeric_prefix.as_str(), "00881");
    assert_eq!(
        office.reservation_lifetime,
        Duration::from_secs(2160 * 3600)
    );
    assert_eq!(office.buffers.before, Duration::ZERO);
    assert_eq!(office.buffers.after, Duration::from_secs(180 * 60));
    assert_eq!(
        office.joining.web_join_url_for("a@b.c"),
        "https://join.example.com/a@b.c"
    );
    assert_eq!(
        office.joining.dial_in_number.as_deref(),
        Some("+1 (555) 010-0.1")
    );
    assert_eq!(
        office.rate_limit,
        RateLimitSettings {
            per_minute: 1,
            burst: 1
        }
    );
    assert!(office.auth.accepts_exchange() && !office.auth.accepts_entra());
}
