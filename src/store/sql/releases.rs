//! Releases: the batch each response joins the figures in, and the stored snapshots of a round's
//! figures.
//!
//! Making a release takes three steps, because scoring a large round takes a while and must not
//! hold a write lock: [`begin_release`] marks the unreleased submissions as the next batch, the
//! caller scores, and [`store_release`] stores the snapshot only if the batch is still exactly
//! what was scored (or [`abandon_release`] returns the batch when nothing new is published).
//! Each step first updates the round's row, which serialises them per round on PostgreSQL as
//! `BEGIN IMMEDIATE` does on SQLite: two servers releasing at once end with one release, and a
//! release never leaves out a response its batch holds.

use sqlx::AnyConnection;

use super::SqlStore;
use crate::store::{StoreResult, now};
use crate::survey::{ReleaseBatch, StoredRelease};

/// Locks the round's row until the transaction ends.
async fn lock_round(conn: &mut AnyConnection, round_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET interim_releases = interim_releases WHERE id = $1")
        .bind(round_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn batch_size(conn: &mut AnyConnection, round_id: i64, number: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM responses WHERE round_id = $1 AND released_in = $2",
    )
    .bind(round_id)
    .bind(number)
    .fetch_one(&mut *conn)
    .await?)
}

async fn release_exists(conn: &mut AnyConnection, round_id: i64, number: i64) -> StoreResult<bool> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM releases WHERE round_id = $1 AND number = $2")
            .bind(round_id)
            .bind(number)
            .fetch_one(&mut *conn)
            .await?;
    Ok(count > 0)
}

pub(super) async fn set_interim_releases(
    db: &SqlStore,
    round_id: i64,
    on: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET interim_releases = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(round_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn unreleased_count(db: &SqlStore, round_id: i64) -> StoreResult<u64> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM responses WHERE round_id = $1 AND status = 'submitted' \
         AND released_in IS NULL",
    )
    .bind(round_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(count.unsigned_abs())
}

pub(super) async fn begin_release(db: &SqlStore, round_id: i64) -> StoreResult<ReleaseBatch> {
    let mut tx = db.begin_write().await?;
    lock_round(&mut tx, round_id).await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(number) FROM releases WHERE round_id = $1")
            .bind(round_id)
            .fetch_one(&mut *tx)
            .await?;
    let number = last.unwrap_or(0) + 1;
    sqlx::query(
        "UPDATE responses SET released_in = $1 WHERE round_id = $2 AND status = 'submitted' \
         AND released_in IS NULL",
    )
    .bind(number)
    .bind(round_id)
    .execute(&mut *tx)
    .await?;
    // A batch may also hold responses marked by an attempt that stopped half-way.
    let responses = batch_size(&mut tx, round_id, number).await?;
    tx.commit().await?;
    Ok(ReleaseBatch { number, responses })
}

pub(super) async fn store_release(
    db: &SqlStore,
    round_id: i64,
    batch: &ReleaseBatch,
    body: &str,
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    lock_round(&mut tx, round_id).await?;
    if release_exists(&mut tx, round_id, batch.number).await?
        || batch_size(&mut tx, round_id, batch.number).await? != batch.responses
    {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO releases (round_id, number, body, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(round_id)
    .bind(batch.number)
    .bind(body)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn abandon_release(
    db: &SqlStore,
    round_id: i64,
    batch: &ReleaseBatch,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    lock_round(&mut tx, round_id).await?;
    if !release_exists(&mut tx, round_id, batch.number).await? {
        sqlx::query(
            "UPDATE responses SET released_in = NULL WHERE round_id = $1 AND released_in = $2",
        )
        .bind(round_id)
        .bind(batch.number)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn releases(db: &SqlStore, round_id: i64) -> StoreResult<Vec<StoredRelease>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT number, body, created_at FROM releases WHERE round_id = $1 ORDER BY number",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(number, body, created_at)| StoredRelease {
            number,
            body,
            created_at,
        })
        .collect())
}
