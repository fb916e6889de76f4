//! Criterion micro-benchmarks of the click path's CPU work: token validation (Entra v2 from a
//! cached JWKS, Exchange identity token from cached auth metadata), alias generation and the
//! rendering of joining instructions. Run with `make bench`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::path::Path;
use vmr_scheduler::config::Settings;
use vmr_scheduler::domain::AliasMarker;
use vmr_scheduler::domain::{IntegrationId, UserIdentity};
use vmr_scheduler::identity::TokenValidator;
use vmr_scheduler::reservations::candidate;
use vmr_scheduler::store::NewReservation;
use vmr_scheduler_tests::test_db::{connect_store, TestBackend, TestDatabase};
use vmr_scheduler_tests::LoopbackIdp;

const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const AUDIENCE: &str = "api://localhost/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";
const PAGE: &str = "http://localhost/addin/bench/taskpane.html";

fn settings(idp: &LoopbackIdp) -> Settings {
    let toml = format!(
        r#"
        [server]
        public_url = "http://localhost"
        [database]
        url = "sqlite::memory:"
        [integrations.bench]
        equipment_resource = {{ name = "Video Meeting Room", email = "vmr@example.com" }}
        aliases = {{ prefix = "meet", domain = "vc.example.com", suffix_length = 9, numeric_prefix = "81" }}
        joining = {{ dial_in_number = "+1 555 0100" }}
        [integrations.bench.auth]
        insecure_allow_http_loopback = true
        [integrations.bench.auth.entra]
        tenant_id = "{TENANT}"
        audiences = ["{AUDIENCE}"]
        issuer_v2 = "{v2}"
        issuer_v1 = "{v1}"
        metadata_url = "{metadata}"
        [integrations.bench.auth.exchange]
        trusted_metadata_origins = ["{origin}"]
        audiences = ["{PAGE}"]
        "#,
        v2 = idp.v2_issuer_template(),
        v1 = idp.v1_issuer_template(),
        metadata = idp.v2_metadata_url(TENANT),
        origin = idp.base_url(),
    );
    Settings::from_toml(&toml, Path::new("bench.toml"), Vec::new(), &|_| None)
        .expect("bench configuration")
}

fn benchmarks(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let idp = runtime.block_on(LoopbackIdp::start());
    let settings = settings(&idp);
    let integration = &settings.integrations[0];
    let entra = idp.entra_v2_token(TENANT, AUDIENCE).build();
    let exchange = idp.exchange_token(PAGE).build();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // A validator whose key caches are filled (by validating other tokens of the same issuers),
    // so that a routine measures the signature and claim checks, not a key fetch.
    let other_entra = idp.entra_v2_token(TENANT, AUDIENCE).build();
    let other_exchange = idp.exchange_token(PAGE).build();
    let primed_validator = || {
        let validator = TokenValidator::new(integration.auth.clone());
        runtime
            .block_on(validator.validate(&other_entra, now))
            .expect("valid Entra token");
        runtime
            .block_on(validator.validate(&other_exchange, now))
            .expect("valid Exchange token");
        validator
    };
    let validator = primed_validator();
    c.bench_function(
        "validate Entra v2 access token (first use, keys cached)",
        |b| {
            b.iter_batched_ref(
                primed_validator,
                |primed| {
                    runtime
                        .block_on(primed.validate(black_box(&entra), now))
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        },
    );
    c.bench_function(
        "validate Exchange identity token (first use, metadata cached)",
        |b| {
            b.iter_batched_ref(
                primed_validator,
                |primed| {
                    runtime
                        .block_on(primed.validate(black_box(&exchange), now))
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        },
    );
    runtime
        .block_on(validator.validate(&entra, now))
        .expect("valid Entra token");
    c.bench_function(
        "validate a token seen before (verified-token memory)",
        |b| {
            b.iter(|| {
                runtime
                    .block_on(validator.validate(black_box(&entra), now))
                    .unwrap()
            })
        },
    );
    let mut rng = rand::thread_rng();
    c.bench_function("generate alias, numeric alias and marker", |b| {
        b.iter(|| {
            (
                candidate(&mut rng, black_box(&integration.aliases)),
                AliasMarker::generate(&mut rng),
            )
        })
    });
    let (alias, numeric) = candidate(&mut rng, &integration.aliases);
    let public_url = url::Url::parse("https://vmr.example.com").unwrap();
    let context = integration.joining_context(
        alias,
        numeric,
        AliasMarker::generate(&mut rng),
        integration.shared_values(&public_url),
    );
    c.bench_function("render joining instructions and location", |b| {
        b.iter(|| {
            let html = integration
                .templates
                .joining_instructions(black_box(&context))
                .unwrap();
            let location = integration.templates.location(black_box(&context)).unwrap();
            (html, location)
        })
    });
}

/// One reservation insert through the store, on SQLite (a temp file) and, when reachable, on
/// PostgreSQL: the click path's only write.
fn storage(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let aliases = vmr_scheduler::reservations::AliasSettings {
        prefix: vmr_scheduler::domain::AliasPrefix::parse("meet").unwrap(),
        domain: vmr_scheduler::domain::AliasDomain::parse("vc.example.com").unwrap(),
        suffix_length: vmr_scheduler::domain::NumericSuffixLength::parse(12).unwrap(),
        numeric_prefix: vmr_scheduler::domain::NumericPrefix::parse("81").unwrap(),
    };
    for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
        let Some(db) = runtime.block_on(TestDatabase::create(backend)) else {
            continue;
        };
        let store = runtime.block_on(connect_store(&db.url));
        let integration = IntegrationId::parse("bench").unwrap();
        let user = UserIdentity::Exchange {
            msexchuid: "bench".into(),
            amurl: "https://mail.example.com/autodiscover/metadata/json/1".into(),
        };
        let mut rng = rand::thread_rng();
        c.bench_function(&format!("insert a reservation ({backend:?})"), |b| {
            b.iter(|| {
                let (alias, numeric_alias) = candidate(&mut rng, &aliases);
                let new = NewReservation {
                    id: uuid::Uuid::new_v4(),
                    integration: integration.clone(),
                    alias,
                    numeric_alias,
                    marker: AliasMarker::generate(&mut rng),
                    user: user.clone(),
                    meeting_key: None,
                    options: Default::default(),
                    created_at: 0,
                    expires_at: i64::MAX,
                };
                runtime
                    .block_on(store.try_insert_reservation(&new))
                    .unwrap()
            })
        });
        runtime.block_on(store.close());
        runtime.block_on(db.remove());
    }
}

criterion_group!(benches, benchmarks, storage);
criterion_main!(benches);
