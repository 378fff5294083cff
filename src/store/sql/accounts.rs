//! Facilitator accounts, their sessions, and the sign-in failures that make an address wait.

use super::{FACILITATOR_COLUMNS, SqlStore};
use crate::accounts::{Facilitator, Session};
use crate::store::rows::{DbCredentials, DbFacilitator, DbSession};
use crate::store::{StoreError, StoreResult, now};

pub(super) async fn create_facilitator(
    db: &SqlStore,
    email: &str,
    password_hash: &str,
    is_admin: bool,
) -> StoreResult<Facilitator> {
    let row: Option<DbFacilitator> = sqlx::query_as(&format!(
        "INSERT INTO facilitators (email, password_hash, is_admin, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING {FACILITATOR_COLUMNS}"
    ))
    .bind(email)
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(now())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| row.0).ok_or(StoreError::DuplicateEmail)
}

pub(super) async fn set_password(
    db: &SqlStore,
    email: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE facilitators SET password_hash = $1 WHERE email = $2 RETURNING id",
    )
    .bind(password_hash)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let id = id.ok_or(StoreError::UnknownEmail)?;
    // A new password ends every session the old one opened.
    sqlx::query("DELETE FROM sessions WHERE facilitator_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn facilitator_by_email(
    db: &SqlStore,
    email: &str,
) -> StoreResult<Option<(Facilitator, String)>> {
    let row: Option<DbCredentials> = sqlx::query_as(&format!(
        "SELECT {FACILITATOR_COLUMNS}, password_hash FROM facilitators WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|DbCredentials(facilitator, hash)| (facilitator, hash)))
}

pub(super) async fn create_session(
    db: &SqlStore,
    facilitator_id: i64,
    token_digest: &str,
    csrf_token: &str,
    expires_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_digest, facilitator_id, csrf_token, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_digest)
    .bind(facilitator_id)
    .bind(csrf_token)
    .bind(expires_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn session(
    db: &SqlStore,
    token_digest: &str,
    now: i64,
) -> StoreResult<Option<Session>> {
    Ok(sqlx::query_as::<_, DbSession>(
        "SELECT f.id, f.email, f.is_admin, s.csrf_token FROM sessions s \
         JOIN facilitators f ON f.id = s.facilitator_id \
         WHERE s.token_digest = $1 AND s.expires_at > $2",
    )
    .bind(token_digest)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| row.0))
}

pub(super) async fn delete_session(db: &SqlStore, token_digest: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
        .bind(token_digest)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn sign_in_locked_until(db: &SqlStore, email: &str) -> StoreResult<i64> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .fetch_optional(&db.pool)
            .await?;
    Ok(until.unwrap_or(0))
}

pub(super) async fn record_sign_in_failure(
    db: &SqlStore,
    email: &str,
    now: i64,
    lockout: fn(i64) -> i64,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_failures (email, failures, locked_until) VALUES ($1, 1, 0) \
         ON CONFLICT (email) DO UPDATE SET failures = sign_in_failures.failures + 1 \
         RETURNING failures",
    )
    .bind(email)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE sign_in_failures SET locked_until = $1 WHERE email = $2")
        .bind(now + lockout(failures))
        .bind(email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn clear_sign_in_failures(db: &SqlStore, email: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
        .bind(email)
        .execute(&db.pool)
        .await?;
    Ok(())
}
