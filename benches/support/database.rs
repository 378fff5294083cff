//! A fresh database for a benchmark: a SQLite file in `dir`, or a new database on the PostgreSQL
//! server that `PARTNERSCOPE_TEST_POSTGRES` names (`None` when it names none).

use std::path::Path;

use partnerscope::survey::new_token;

/// The URL of a fresh database of `engine` ("SQLite" or "PostgreSQL").
pub async fn database(engine: &str, dir: &Path) -> Option<String> {
    if engine == "SQLite" {
        return Some(format!("sqlite://{}", dir.join("bench.db").display()));
    }
    let server = std::env::var("PARTNERSCOPE_TEST_POSTGRES").ok()?;
    let name = format!("partnerscope_bench_{}", new_token());
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server)
        .await
        .ok()?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .ok()?;
    let (base, _) = server.rsplit_once('/')?;
    Some(format!("{base}/{name}"))
}
