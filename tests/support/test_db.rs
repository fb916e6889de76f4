//! A fresh, empty database per test, on SQLite or PostgreSQL.
//!
//! PostgreSQL is reached at `VMR_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Where it is not reachable the PostgreSQL variant
//! of a test prints why and returns, unless `VMR_REQUIRE_POSTGRES=1` (set by `.ci/run`), which
//! turns the skip into a failure.

use sqlx::{Connection, Executor, PgConnection};
use std::future::Future;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

pub struct TestDatabase {
    pub url: String,
    pub backend: TestBackend,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var("VMR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn postgres_required() -> bool {
    std::env::var("VMR_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

impl TestDatabase {
    /// Creates the database, or returns `None` (after saying why) when PostgreSQL is not
    /// reachable and not required.
    pub async fn create(backend: TestBackend) -> Option<Self> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            TestBackend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("vmr-scheduler-test-{id}"));
                let url = format!("sqlite://{}/vmr.db", dir.display());
                Some(Self {
                    url,
                    backend,
                    cleanup: Cleanup::SqliteDir(dir),
                })
            }
            TestBackend::Postgres => {
                let admin_url = postgres_admin_url();
                let mut admin = match PgConnection::connect(&admin_url).await {
                    Ok(conn) => conn,
                    Err(error) if !postgres_required() => {
                        eprintln!(
                            "SKIPPED (PostgreSQL variant): no PostgreSQL at VMR_TEST_POSTGRES_URL \
                             ({error}); set VMR_REQUIRE_POSTGRES=1 to make this a failure"
                        );
                        return None;
                    }
                    Err(error) => panic!(
                        "PostgreSQL is required (VMR_REQUIRE_POSTGRES=1) but unreachable: {error}"
                    ),
                };
                let name = format!("vmr_test_{id}");
                admin
                    .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("valid VMR_TEST_POSTGRES_URL");
                url.set_path(&name);
                Some(Self {
                    url: url.to_string(),
                    backend,
                    cleanup: Cleanup::PostgresDatabase { admin_url, name },
                })
            }
        }
    }

    /// Removes the database; call after the code under test has closed its pool.
    pub async fn remove(self) {
        match self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(
                            format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str(),
                        )
                        .await;
                }
            }
        }
    }
}

/// The service's store on `url` (migrations applied), as the tests and benchmarks use it.
pub async fn connect_store(url: &str) -> vmr_scheduler::store::Store {
    let settings = vmr_scheduler::store::DatabaseSettings {
        url: url.to_string(),
        max_connections: 8,
        acquire_timeout: std::time::Duration::from_secs(10),
    };
    vmr_scheduler::store::Store::connect(&settings)
        .await
        .expect("connect to the test database and migrate")
}

/// Runs `case` against a fresh database of `backend`, then removes it (also after a panic in
/// the case, which is re-raised).
pub async fn run_on<F, Fut>(backend: TestBackend, case: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let outcome = tokio::spawn(case(db.url.clone())).await;
    db.remove().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Declares `name::sqlite` and `name::postgres` tests running the same async case, which takes
/// the database URL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $case:path;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::test_db::run_on($crate::test_db::TestBackend::Sqlite, $case).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::test_db::run_on($crate::test_db::TestBackend::Postgres, $case).await;
            }
        }
    )+};
}
