//! Moving a whole deployment from one database to another, e.g. from the embedded SQLite file to
//! PostgreSQL when it outgrows one machine: `partnerscope migrate-data --from URL --to URL`.
//!
//! Both databases are brought to the same schema by their own migrations first; then every table
//! is copied row for row, ids included, inside one transaction on the target, so a failed copy
//! leaves the target as empty as it was. Every column of the schema is an integer or text on both
//! engines, which is what lets one generic copy serve every table.
//!
//! The one value that does not cross: a NUL byte in a text, which SQLite stores and PostgreSQL
//! text cannot hold. Copying into PostgreSQL looks at every text before inserting it and stops
//! at the first such value with [`StoreError::UncopyableText`], naming table, column and row;
//! the transaction is rolled back, so the target stays empty.

use futures_util::TryStreamExt;
use sqlx::{Any, AnyPool, Column, Row, TypeInfo as _};

use super::sql::{Engine, SqlStore};
use super::{StoreError, StoreResult};

/// Every table, parents before children so foreign keys hold at each insert.
pub const TABLES: &[&str] = &[
    "facilitators",
    "sessions",
    "password_resets",
    "sign_in_failures",
    "partnerships",
    "partnership_facilitators",
    "rounds",
    "invitations",
    "mail_queue",
    "responses",
    "response_comments",
    "releases",
    "secrets",
];

/// Rows copied per table, in [`TABLES`] order.
pub type CopyReport = Vec<(&'static str, u64)>;

/// Bound parameters per INSERT, under both engines' limits (SQLite 32,766; PostgreSQL 65,535).
const PARAMETERS_PER_INSERT: usize = 30_000;

/// A column value: the schema holds only integers and text.
enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
}

/// Copies everything in `from` into the empty database `to`.
pub async fn copy_database(from: &str, to: &str) -> StoreResult<CopyReport> {
    let source = SqlStore::open(from).await?;
    let target = SqlStore::open(to).await?;
    for table in TABLES {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(target.pool())
            .await?;
        if count > 0 {
            return Err(StoreError::TargetNotEmpty((*table).to_string()));
        }
    }
    let mut tx = target.pool().begin().await?;
    match copy_tables(&source, &target, &mut tx).await {
        Ok(report) => {
            tx.commit().await?;
            Ok(report)
        }
        Err(error) => {
            // The copy's error is the one to report; were the rollback to fail too, the
            // uncommitted transaction still ends with its connection.
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}

/// Copies every table of `source` inside `tx`, a transaction on `target`.
async fn copy_tables(
    source: &SqlStore,
    target: &SqlStore,
    tx: &mut sqlx::AnyConnection,
) -> StoreResult<CopyReport> {
    let mut report = Vec::new();
    // PostgreSQL text cannot hold a NUL byte; SQLite's can.
    let refuse_nul = target.engine() == Engine::Postgres;
    for table in TABLES {
        let copied = copy_table(source.pool(), tx, table, refuse_nul).await?;
        if target.engine() == Engine::Postgres && copied > 0 && has_id(table) {
            // Explicit ids do not advance an identity column: move it past the copied ones.
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
        report.push((*table, copied));
    }
    Ok(report)
}

/// Which row of a table `values` are, for an operator to find it: its `number` as read, and its
/// `id`, or else its other `…_id` columns (a comment's response and question).
fn describe_row(columns: &[String], values: &[Value], number: u64) -> String {
    let has_id = columns.iter().any(|c| c == "id");
    let keys: Vec<String> = columns
        .iter()
        .zip(values)
        .filter(|(c, _)| {
            if has_id {
                *c == "id"
            } else {
                c.ends_with("_id")
            }
        })
        .map(|(column, value)| match value {
            Value::Integer(Some(n)) => format!("{column} {n}"),
            Value::Text(Some(text)) => format!("{column} {text:?}"),
            Value::Integer(None) | Value::Text(None) => format!("{column} NULL"),
        })
        .collect();
    if keys.is_empty() {
        format!("row {number}")
    } else {
        format!("row {number} ({})", keys.join(", "))
    }
}

fn has_id(table: &str) -> bool {
    !table.starts_with("response_")
        && !matches!(
            table,
            "sessions" | "sign_in_failures" | "partnership_facilitators"
        )
}

/// Copies `table`; with `refuse_nul`, a text holding a NUL byte stops the copy.
async fn copy_table(
    source: &AnyPool,
    target: &mut sqlx::AnyConnection,
    table: &'static str,
    refuse_nul: bool,
) -> StoreResult<u64> {
    let select = format!("SELECT * FROM {table}");
    let mut rows = sqlx::query(&select).fetch(source);
    let mut columns: Vec<String> = Vec::new();
    let mut batch: Vec<Vec<Value>> = Vec::new();
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        if columns.is_empty() {
            columns = row.columns().iter().map(|c| c.name().to_string()).collect();
        }
        let mut values = Vec::with_capacity(columns.len());
        for (i, column) in row.columns().iter().enumerate() {
            // The column's declared type, not the value's: a NULL must still bind as its type.
            let integer = column.type_info().kind().is_integer()
                || (column.type_info().is_null() && row.try_get::<Option<i64>, _>(i).is_ok());
            values.push(if integer {
                Value::Integer(row.try_get(i)?)
            } else {
                Value::Text(row.try_get(i)?)
            });
        }
        copied += 1;
        if refuse_nul {
            let nul = values
                .iter()
                .position(|v| matches!(v, Value::Text(Some(text)) if text.contains('\0')));
            if let Some(i) = nul {
                return Err(StoreError::UncopyableText {
                    table,
                    column: columns[i].clone(),
                    row: describe_row(&columns, &values, copied),
                });
            }
        }
        batch.push(values);
        if batch.len() * columns.len() >= PARAMETERS_PER_INSERT {
            insert(target, table, &columns, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        insert(target, table, &columns, batch).await?;
    }
    Ok(copied)
}

async fn insert(
    target: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[String],
    rows: Vec<Vec<Value>>,
) -> StoreResult<()> {
    let width = columns.len();
    let placeholders: Vec<String> = (0..rows.len())
        .map(|r| {
            let row: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        placeholders.join(", ")
    );
    let mut query = sqlx::query::<Any>(&sql);
    for value in rows.into_iter().flatten() {
        query = match value {
            Value::Integer(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query.execute(&mut *target).await?;
    Ok(())
}
