//! Builds the whole service from settings, the same way for `main` and for the tests.

use crate::config::{Settings, TlsSettings};
use crate::exchange::ews_connector::EwsConnector;
use crate::exchange::oauth::{self, ExchangeTokens};
use crate::http::{self, state::AppState};
use crate::pexip_push::PushWorker;
use crate::scheduling::worker::MailboxWorker;
use crate::scheduling::Policy;
use crate::store::{Store, StoreError};
use actix_web::dev::Server;
use actix_web::{middleware::from_fn, web, App, HttpServer};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("integration `{integration}`: {problem}")]
    Exchange {
        integration: String,
        problem: String,
    },
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    /// One per integration that watches a mailbox, with its poll interval.
    workers: Vec<(MailboxWorker, Duration)>,
    /// One per integration that pushes its rooms to Pexip Infinity.
    push_workers: Vec<PushWorker>,
}

impl Application {
    /// Connects storage (running migrations), binds the listener (port 0 picks a free port)
    /// and prepares the server; nothing is served until [`Application::run_until_stopped`].
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let settings = Arc::new(settings);
        let store = Store::connect(&settings.database).await?;
        let address = settings.server.listen;
        let listener = TcpListener::bind(address).map_err(|source| StartupError::Listen {
            address: address.to_string(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                address: address.to_string(),
                source,
            })?
            .port();
        let tokens = exchange_tokens(&settings, &store)?;
        let workers = mailbox_workers(&settings, &store, &tokens)?;
        let push_workers = push_workers(&settings, &store)?;
        let mut app_state = AppState::new(settings.clone(), store);
        app_state.exchange_sign_ins = tokens
            .into_iter()
            .filter_map(|(id, tokens)| match tokens {
                ExchangeTokens::Delegated(source) => Some((id, source)),
                _ => None,
            })
            .collect();
        let state = web::Data::new(app_state);
        let app_state = state.clone();
        let server_settings = settings.server.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(http::security::cors(&server_settings))
                .wrap(http::security::common_headers(&server_settings))
                .wrap(from_fn(http::request_id::middleware))
                .app_data(app_state.clone())
                .configure(http::configure)
        })
        .shutdown_timeout(10);
        let server = match &settings.server.tls {
            Some(tls) => server.listen_rustls_0_23(listener, rustls_config(tls)?),
            None => server.listen(listener),
        }
        .map_err(|source| StartupError::Listen {
            address: address.to_string(),
            source,
        })?
        .run();
        tracing::info!(
            %address, port, tls = settings.server.tls.is_some(), public_url = %settings.server.public_url,
            backend = ?state.store.backend(), integrations = settings.integrations.len(), "listening"
        );
        Ok(Self {
            port,
            server,
            state,
            workers,
            push_workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is asked to stop (SIGINT/SIGTERM), with a background task that
    /// logs a warning whenever an alias space grows past 1%, and the mailbox workers.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let monitor = tokio::spawn(async move {
            let period = Duration::from_secs(300);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                tick.tick().await;
                if let Err(error) = state.alias_space.usage(&state.store, Duration::ZERO).await {
                    tracing::warn!(%error, "alias space check failed");
                }
            }
        });
        let (stop_workers, shutdown) = tokio::sync::watch::channel(false);
        let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
        let workers: Vec<_> = self
            .workers
            .into_iter()
            .map(|(worker, poll)| tokio::spawn(worker.run(holder.clone(), poll, shutdown.clone())))
            .collect();
        let pushers: Vec<_> = self
            .push_workers
            .into_iter()
            .map(|pusher| tokio::spawn(pusher.run(holder.clone(), shutdown.clone())))
            .collect();
        let janitor = tokio::spawn(
            crate::janitor::Janitor::from_settings(&self.state.settings, self.state.store.clone())
                .run(self.state.settings.janitor.interval, shutdown.clone()),
        );
        let result = self.server.await;
        monitor.abort();
        let _ = stop_workers.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        for pusher in pushers {
            let _ = pusher.await;
        }
        let _ = janitor.await;
        self.state.store.close().await;
        result
    }
}

/// The OAuth token sources of the integrations with an `exchange` section, built once: a
/// delegated one is shared by the worker and the sign-in routes.
fn exchange_tokens(
    settings: &Settings,
    store: &Store,
) -> Result<HashMap<String, ExchangeTokens>, StartupError> {
    let mut tokens = HashMap::new();
    for integration in &settings.integrations {
        let Some(exchange) = &integration.exchange else {
            continue;
        };
        let source = oauth::token_source(&integration.id, exchange, store).map_err(|problem| {
            StartupError::Exchange {
                integration: integration.id.to_string(),
                problem,
            }
        })?;
        tokens.insert(integration.id.as_str().to_string(), source);
    }
    Ok(tokens)
}

/// A worker for each integration with an `exchange` section, its connector built now so that
/// unusable settings stop the start.
fn mailbox_workers(
    settings: &Settings,
    store: &Store,
    tokens: &HashMap<String, ExchangeTokens>,
) -> Result<Vec<(MailboxWorker, Duration)>, StartupError> {
    let mut workers = Vec::new();
    for integration in &settings.integrations {
        let Some(exchange) = &integration.exchange else {
            continue;
        };
        let client = EwsConnector::client_for(
            exchange,
            tokens
                .get(integration.id.as_str())
                .unwrap_or(&ExchangeTokens::None),
        )
        .map_err(|problem| StartupError::Exchange {
            integration: integration.id.to_string(),
            problem,
        })?;
        let connector = EwsConnector::new(client, integration.equipment_resource.email.clone());
        let worker = MailboxWorker::new(
            store.clone(),
            Arc::new(connector),
            Arc::new(integration.clone()),
            integration.shared_values(&settings.server.public_url),
            Policy {
                unmarked: exchange.unmarked_meetings,
            },
            Arc::new(time::OffsetDateTime::now_utc),
        );
        workers.push((worker, exchange.poll_interval));
    }
    Ok(workers)
}

/// A push worker for each integration with a `pexip_push` section.
fn push_workers(settings: &Settings, store: &Store) -> Result<Vec<PushWorker>, StartupError> {
    let mut workers = Vec::new();
    for integration in &settings.integrations {
        let Some(push) = &integration.pexip_push else {
            continue;
        };
        let worker = PushWorker::new(
            store.clone(),
            Arc::new(integration.clone()),
            push.clone(),
            integration.shared_values(&settings.server.public_url),
            Arc::new(time::OffsetDateTime::now_utc),
        )
        .map_err(|problem| StartupError::Exchange {
            integration: integration.id.to_string(),
            problem,
        })?;
        workers.push(worker);
    }
    Ok(workers)
}

fn rustls_config(tls: &TlsSettings) -> Result<rustls::ServerConfig, StartupError> {
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|e| StartupError::Tls(format!("cannot read {}: {e}", path.display())))
    };
    let certs = rustls_pemfile::certs(&mut read(&tls.cert_file)?.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            StartupError::Tls(format!(
                "{} is not a PEM certificate chain: {e}",
                tls.cert_file.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(StartupError::Tls(format!(
            "{} holds no certificate",
            tls.cert_file.display()
        )));
    }
    let key = rustls_pemfile::private_key(&mut read(&tls.key_file)?.as_slice())
        .map_err(|e| {
            StartupError::Tls(format!(
                "{} is not a PEM private key: {e}",
                tls.key_file.display()
            ))
        })?
        .ok_or_else(|| {
            StartupError::Tls(format!("{} holds no private key", tls.key_file.display()))
        })?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| StartupError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| StartupError::Tls(format!("certificate and key do not fit together: {e}")))
}
