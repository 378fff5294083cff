//! The database engines the storage and web tests run on: every such test runs once on SQLite and
//! once on PostgreSQL, from one body (see [`on_both_engines`]).
//!
//! PostgreSQL comes from `PARTNERSCOPE_TEST_POSTGRES` (a server URL whose user may create
//! databases; `.ci/run` starts a throwaway cluster with `scripts/pg-test-cluster`). Each test gets
//! a database of its own. Without the variable the PostgreSQL half says, once, that it did not run;
//! in CI (`CI=true`) a missing server fails the run instead of passing it silently.

use std::io::Write;
use std::sync::Once;

use sqlx::Connection;

pub use partnerscope::store::Engine;

/// The variable naming the PostgreSQL server for tests.
pub const POSTGRES_VARIABLE: &str = "PARTNERSCOPE_TEST_POSTGRES";

/// A fresh, empty database on `engine` and what keeps it alive; `None` when the PostgreSQL half
/// cannot run here.
pub async fn fresh_database(engine: Engine) -> Option<(String, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    match engine {
        Engine::Sqlite => {
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            Some((url, dir))
        }
        Engine::Postgres => {
            let Ok(server) = std::env::var(POSTGRES_VARIABLE) else {
                assert!(
                    std::env::var("CI").is_err(),
                    "CI must run the PostgreSQL half: set {POSTGRES_VARIABLE} (scripts/pg-test-cluster start)"
                );
                skipped_notice();
                return None;
            };
            let name = format!("partnerscope_test_{}", partnerscope::survey::new_token());
            let mut admin = sqlx::PgConnection::connect(&server)
                .await
                .unwrap_or_else(|e| panic!("{POSTGRES_VARIABLE}={server} is not reachable: {e}"));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("a test database can be created");
            let (base, _) = server.rsplit_once('/').expect("a URL with a database name");
            Some((format!("{base}/{name}"), dir))
        }
    }
}

/// Tells whoever runs the tests that the PostgreSQL half did not run. Written to the process's
/// standard error directly, which the test harness does not capture, so it is seen.
fn skipped_notice() {
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: the PostgreSQL half of the storage and web tests did NOT run: \
             {POSTGRES_VARIABLE} is not set. Start a throwaway server with \
             `eval \"$(scripts/pg-test-cluster start)\"` to run it.\n"
        );
    });
}

/// Turns `async fn name(engine: Engine)` test bodies into two tests each, `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::engines::Engine::Sqlite).await
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name($crate::engines::Engine::Postgres).await
                }
            }
        )*
    };
}
