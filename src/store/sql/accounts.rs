//! Facilitator accounts, their sessions, and the failed sign-ins that make further ones wait.
//!
//! A facilitator's sessions are numbered (`started`) under a lock on the facilitator's row, so
//! "the oldest" is well defined even for sessions started in the same second on two servers.
//! Failure counts are read, decayed and written back by [`Failures::after`] under the row's lock
//! (an upsert takes it on PostgreSQL; SQLite's write transaction holds the whole database).

use super::{FACILITATOR_COLUMNS, SqlStore};
use sqlx::AnyConnection;

use crate::accounts::{
    Account, Facilitator, Failures, MAX_SESSIONS, RESET_LIFETIME_SECONDS, RESET_RESEND_SECONDS,
    Session, ThrottleKey,
};
use crate::store::rows::{DbAccount, DbCredentials, DbFacilitator, DbSession};
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

pub(super) async fn accounts(db: &SqlStore) -> StoreResult<Vec<Account>> {
    Ok(sqlx::query_as::<_, DbAccount>(&format!(
        "SELECT {FACILITATOR_COLUMNS}, created_at FROM facilitators ORDER BY id"
    ))
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|row| row.0)
    .collect())
}

pub(super) async fn set_password(
    db: &SqlStore,
    email: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    replace_password(&mut tx, email, password_hash).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the password of the facilitator with `email`, ending their sessions and forgetting
/// their address's failed sign-ins and any reset links.
async fn replace_password(
    conn: &mut AnyConnection,
    email: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE facilitators SET password_hash = $1 WHERE email = $2 RETURNING id",
    )
    .bind(password_hash)
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    let id = id.ok_or(StoreError::UnknownEmail)?;
    // A new password ends every session the old one opened, every link that would set another,
    // and lets its owner in at once.
    for statement in [
        "DELETE FROM sessions WHERE facilitator_id = $1",
        "DELETE FROM password_resets WHERE facilitator_id = $1",
    ] {
        sqlx::query(statement).bind(id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM sign_in_failures WHERE kind = 'email' AND subject = $1")
        .bind(email)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn create_password_reset(
    db: &SqlStore,
    facilitator_id: i64,
    token_digest: &str,
    now: i64,
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let recent: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM password_resets WHERE facilitator_id = $1 AND created_at > $2",
    )
    .bind(facilitator_id)
    .bind(now - RESET_RESEND_SECONDS)
    .fetch_optional(&mut *tx)
    .await?;
    if recent.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO password_resets (token_digest, facilitator_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_digest)
    .bind(facilitator_id)
    .bind(now)
    .bind(now + RESET_LIFETIME_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn password_reset_email(
    db: &SqlStore,
    token_digest: &str,
    now: i64,
) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT f.email FROM password_resets r JOIN facilitators f ON f.id = r.facilitator_id \
         WHERE r.token_digest = $1 AND r.expires_at > $2",
    )
    .bind(token_digest)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?)
}

pub(super) async fn use_password_reset(
    db: &SqlStore,
    token_digest: &str,
    now: i64,
    password_hash: &str,
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    // Taken out first, in the transaction: of two racing uses of one link, one finds it gone.
    let id: Option<i64> = sqlx::query_scalar(
        "DELETE FROM password_resets WHERE token_digest = $1 AND expires_at > $2 \
         RETURNING facilitator_id",
    )
    .bind(token_digest)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    let email: String = sqlx::query_scalar("SELECT email FROM facilitators WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    replace_password(&mut tx, &email, password_hash).await?;
    tx.commit().await?;
    Ok(true)
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
    replaces: Option<&str>,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    // Writing the facilitator's row locks it, so sessions started at once are numbered in turn.
    sqlx::query("UPDATE facilitators SET is_admin = is_admin WHERE id = $1")
        .bind(facilitator_id)
        .execute(&mut *tx)
        .await?;
    if let Some(previous) = replaces {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(previous)
            .execute(&mut *tx)
            .await?;
    }
    let started: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (token_digest, facilitator_id, csrf_token, expires_at, started) \
         VALUES ($1, $2, $3, $4, \
             (SELECT COALESCE(MAX(started), 0) + 1 FROM sessions WHERE facilitator_id = $2)) \
         RETURNING started",
    )
    .bind(token_digest)
    .bind(facilitator_id)
    .bind(csrf_token)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE facilitator_id = $1 AND started <= $2")
        .bind(facilitator_id)
        .bind(started - MAX_SESSIONS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
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

pub(super) async fn delete_sessions(db: &SqlStore, facilitator_id: i64) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE facilitator_id = $1")
            .bind(facilitator_id)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}

pub(super) async fn sign_in_failures(
    db: &SqlStore,
    keys: &[ThrottleKey],
) -> StoreResult<Vec<Option<Failures>>> {
    let mut counted = Vec::with_capacity(keys.len());
    for key in keys {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, last_failure FROM sign_in_failures WHERE kind = $1 AND subject = $2",
        )
        .bind(key.kind())
        .bind(key.subject())
        .fetch_optional(&db.pool)
        .await?;
        counted.push(row.map(|(count, last)| Failures { count, last }));
    }
    Ok(counted)
}

pub(super) async fn record_sign_in_failure(
    db: &SqlStore,
    keys: &[ThrottleKey],
    now: i64,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    for key in keys {
        // The upsert creates a missing count as none at all and locks the row until the commit,
        // so a failure racing this one on another server counts on top of it.
        let (count, last): (i64, i64) = sqlx::query_as(
            "INSERT INTO sign_in_failures (kind, subject, failures, last_failure) \
             VALUES ($1, $2, 0, $3) \
             ON CONFLICT (kind, subject) DO UPDATE SET failures = sign_in_failures.failures \
             RETURNING failures, last_failure",
        )
        .bind(key.kind())
        .bind(key.subject())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let failures = Failures::after(Some(Failures { count, last }), now);
        sqlx::query(
            "UPDATE sign_in_failures SET failures = $1, last_failure = $2 \
             WHERE kind = $3 AND subject = $4",
        )
        .bind(failures.count)
        .bind(failures.last)
        .bind(key.kind())
        .bind(key.subject())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn clear_sign_in_failures(db: &SqlStore, keys: &[ThrottleKey]) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    for key in keys {
        sqlx::query("DELETE FROM sign_in_failures WHERE kind = $1 AND subject = $2")
            .bind(key.kind())
            .bind(key.subject())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
