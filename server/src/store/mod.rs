//! Persistence for SQLite (the embedded default) and PostgreSQL, through one API.
//!
//! Both backends run the same SQL through sqlx's `Any` driver: statements use `$1`-style
//! parameters and only types both understand (text, 64-bit integers). Schema differences
//! live in the two migration folders.

mod addin;
mod batch_writer;
mod conferences;
mod exchange_accounts;
mod janitor;
mod journal;
mod meeting_changes;
mod personal_vmrs;
mod pexip_push;
mod policy_lookup;
mod reservations;
mod worker;

pub use conferences::{Conference, ConferenceWindow};
pub use exchange_accounts::ExchangeAccount;
pub use janitor::{ExpiredReservation, RemovedConference, EXPIRE_ACTION, REMOVE_ACTION};
pub use journal::{JournalEntry, JournalState};
pub use meeting_changes::{ApplyOutcome, JournalKey, StoreChange};
pub use personal_vmrs::{SaveMode, SavedCounts, StoredPersonalVmr};
pub use pexip_push::PushedConference;
pub use policy_lookup::{AliasLookup, PolicyCandidate};
pub use reservations::{NewReservation, Reservation, ReservationState};
pub use worker::{MailboxSync, Operation, Outcome};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// SQLite allows one writer at a time; waiting for it inside SQLite means sleeping in its busy
    /// handler, so writes queue here for a single connection instead. PostgreSQL: `pool` again.
    writer: AnyPool,
    /// Group commit of reservation inserts.
    batch_writer: batch_writer::BatchWriter,
    backend: Backend,
    /// Counts writes through this store (and its clones), so read caches can tell that
    /// something they hold may have changed.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite: or postgres:// (got a URL starting `{0}`)")]
    UnsupportedUrl(String),
    #[error("cannot create the folder for the SQLite database `{path}`: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the database writer has stopped")]
    WriterStopped,
    #[error("the batch of writes was not committed: {0}")]
    BatchFailed(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// How to reach the database. `url` may carry a password; it is never logged as given.
#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// A database URL with any password replaced, safe for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects (creating an SQLite file on first run) and applies pending migrations.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(&settings.url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(&settings.url)?,
            Backend::Postgres => settings.url.clone(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let pool = pool_options(
            backend,
            settings.max_connections,
            settings.acquire_timeout,
            2048,
        )
        .connect_with(options.clone())
        .await
        .map_err(StoreError::Connect)?;
        let writer = match backend {
            Backend::Sqlite => pool_options(backend, 1, settings.acquire_timeout, 16 * 1024)
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?,
            Backend::Postgres => pool.clone(),
        };
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&writer).await?;
        let batch_writer = batch_writer::BatchWriter::start(writer.clone(), backend);
        Ok(Self {
            pool,
            writer,
            batch_writer,
            backend,
            generation: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for writes. Taking it counts as a write: the generation moves before the
    /// statement runs, so a cache filled from an older generation is never taken as current.
    pub(crate) fn writer(&self) -> &AnyPool {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        &self.writer
    }

    /// Moves on every write through this store; see [`Store::writer`].
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn batch_writer(&self) -> &batch_writer::BatchWriter {
        &self.batch_writer
    }
}

/// `page_cache_kib` sizes SQLite's page cache per connection: the writer walks every index on
/// each insert, so it gets a larger one than the readers (SQLite's default is 2 MiB).
fn pool_options(
    backend: Backend,
    max_connections: u32,
    acquire_timeout: Duration,
    page_cache_kib: u32,
) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers proceed during a write; the busy timeout covers writers
                    // of other processes.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    conn.execute(format!("PRAGMA cache_size = -{page_cache_kib}").as_str())
                        .await?;
                }
                Ok(())
            })
        })
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl(url.chars().take(12).collect()))
    }
}

/// Creates the database's folder and asks SQLite to create the file if it is missing.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: path.to_string(),
                source,
            })?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example.com/vmr"),
            "postgres://app:redacted@db.example.com/vmr"
        );
        assert_eq!(redact_url("sqlite://data/vmr.db"), "sqlite://data/vmr.db");
        let settings = DatabaseSettings {
            url: "postgres://app:s3cret@db/vmr".into(),
            max_connections: 1,
            acquire_timeout: Duration::from_secs(1),
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        let dir = std::env::temp_dir().join(format!("vmr-store-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/sub/db.sqlite", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.join("sub").is_dir());
        assert!(matches!(
            backend_of("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }
}
