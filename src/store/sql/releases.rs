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

use super::{SqlStore, deletion, lock_round};
use crate::store::{StoreResult, now};
use crate::survey::{ListedComment, REDACTED, ReleaseBatch, StoredRelease};

/// The responses a batch adds and removes.
async fn batch_size(conn: &mut AnyConnection, round_id: i64, number: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM responses WHERE round_id = $1 \
         AND (released_in = $2 OR removed_in = $2)",
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
         AND ((released_in IS NULL AND removed IS NULL) \
         OR (released_in IS NOT NULL AND removed IS NOT NULL AND removed_in IS NULL))",
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
         AND released_in IS NULL AND removed IS NULL",
    )
    .bind(number)
    .bind(round_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE responses SET removed_in = $1 WHERE round_id = $2 AND released_in IS NOT NULL \
         AND removed IS NOT NULL AND removed_in IS NULL",
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
        for column in ["released_in", "removed_in"] {
            sqlx::query(&format!(
                "UPDATE responses SET {column} = NULL WHERE round_id = $1 AND {column} = $2"
            ))
            .bind(round_id)
            .bind(batch.number)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The releases of a round in `order` of their numbers (`ASC` or `DESC`), at most `limit`.
async fn releases_from(
    db: &SqlStore,
    round_id: i64,
    order: &str,
    limit: i64,
) -> StoreResult<Vec<StoredRelease>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT number, body, created_at FROM releases WHERE round_id = $1 \
         ORDER BY number {order} LIMIT $2"
    ))
    .bind(round_id)
    .bind(limit)
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

pub(super) async fn releases(db: &SqlStore, round_id: i64) -> StoreResult<Vec<StoredRelease>> {
    releases_from(db, round_id, "ASC", i64::MAX).await
}

pub(super) async fn last_release(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Option<StoredRelease>> {
    Ok(releases_from(db, round_id, "DESC", 1).await?.pop())
}

pub(super) async fn last_release_key(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT number, created_at FROM releases WHERE round_id = $1 \
         ORDER BY number DESC LIMIT 1",
    )
    .bind(round_id)
    .fetch_optional(&db.pool)
    .await?)
}

pub(super) async fn listed_comments(
    db: &SqlStore,
    round_id: i64,
    through: i64,
) -> StoreResult<Vec<ListedComment>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        // From the comments to their responses: comments are few beside a large round's
        // responses, and the other way round reads every response of the round on each view.
        // `CROSS JOIN` makes SQLite keep that order; PostgreSQL plans it from its statistics.
        "SELECT c.handle, c.comment_id, c.body, c.redacted_at FROM response_comments c \
         CROSS JOIN responses r WHERE r.id = c.response_id \
         AND r.round_id = $1 AND r.status = 'submitted' AND r.released_in <= $2 \
         AND r.removed IS NULL",
    )
    .bind(round_id)
    .bind(through)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(handle, question, body, redacted_at)| ListedComment {
            handle,
            question,
            body,
            redacted: redacted_at.is_some(),
        })
        .collect())
}

pub(super) async fn redact_comment(
    db: &SqlStore,
    round_id: i64,
    handle: &str,
    facilitator_id: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE response_comments SET body = $1, redacted_by = $2, redacted_at = $3 \
         WHERE handle = $4 AND redacted_at IS NULL \
         AND response_id IN (SELECT id FROM responses WHERE round_id = $5)",
    )
    .bind(REDACTED)
    .bind(facilitator_id)
    .bind(now())
    .bind(handle)
    .bind(round_id)
    .execute(&db.pool)
    .await?;
    let redacted = done.rows_affected() == 1;
    if redacted {
        // The overwritten text may still sit in freed space or the write-ahead log.
        deletion::scrub(db).await;
    }
    Ok(redacted)
}
