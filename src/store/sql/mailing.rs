//! The mail queue: invitations and reminders waiting to be sent, claimed by one server at a time.
//!
//! Claiming is one conditional `UPDATE`: it takes the message only if no live lease holds it, so
//! of two servers racing for the same message one updates it and the other updates nothing
//! (PostgreSQL re-checks the condition on the row the winner wrote; SQLite runs one write at a
//! time). Queueing is one `INSERT … SELECT … ON CONFLICT DO NOTHING`: the unique index on a
//! queued message per invitation and kind turns a second click into no rows.

use sqlx::Row;

use super::SqlStore;
use crate::store::StoreResult;
use crate::survey::mailing::{
    ClaimedMail, InvitationMail, MailKind, MailProgress, MailStatus, Outcome,
};

/// Queues a message of `kind` for the invitations of round `$1` that `rows` selects (a condition
/// on `i`, an invitation), their links pointing to `$2`, at `$3`.
async fn queue(
    db: &SqlStore,
    kind: MailKind,
    rows: &str,
    round_id: i64,
    base_url: &str,
    now: i64,
) -> StoreResult<u64> {
    // `WHERE` is never empty here, which SQLite needs to tell `ON CONFLICT` from a join's `ON`.
    let sql = format!(
        "INSERT INTO mail_queue (invitation_id, kind, status, base_url, attempts, \
         next_attempt_at, queued_at) \
         SELECT i.id, '{kind}', 'queued', $2, 0, $3, $3 FROM invitations i \
         WHERE i.round_id = $1 AND i.email IS NOT NULL AND i.submitted = 0 AND {rows} \
         ORDER BY i.id ON CONFLICT DO NOTHING",
        kind = kind.as_str(),
    );
    Ok(sqlx::query(&sql)
        .bind(round_id)
        .bind(base_url)
        .bind(now)
        .execute(&db.pool)
        .await?
        .rows_affected())
}

pub(super) async fn queue_invitations(
    db: &SqlStore,
    round_id: i64,
    base_url: &str,
    now: i64,
) -> StoreResult<u64> {
    // A failed or bounced invitation may be queued again, once its address is corrected.
    let rows = "NOT EXISTS (SELECT 1 FROM mail_queue m WHERE m.invitation_id = i.id \
                AND m.kind = 'invitation' AND m.status IN ('queued', 'sent'))";
    queue(db, MailKind::Invitation, rows, round_id, base_url, now).await
}

pub(super) async fn queue_reminders(
    db: &SqlStore,
    round_id: i64,
    base_url: &str,
    now: i64,
) -> StoreResult<u64> {
    let rows = "i.reminders_stopped = 0 AND NOT EXISTS (SELECT 1 FROM mail_queue m \
                WHERE m.invitation_id = i.id AND m.kind = 'reminder' AND m.status = 'queued')";
    queue(db, MailKind::Reminder, rows, round_id, base_url, now).await
}

pub(super) async fn claim_mail(
    db: &SqlStore,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<ClaimedMail>> {
    let free = "status = 'queued' AND (claimed_until IS NULL OR claimed_until < $2)";
    let claimed = sqlx::query(&format!(
        "UPDATE mail_queue SET claimed_until = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM mail_queue WHERE {free} AND next_attempt_at <= $2 \
         ORDER BY next_attempt_at, id LIMIT 1) AND {free} \
         RETURNING id, invitation_id, kind, base_url, attempts"
    ))
    .bind(lease_until)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = claimed else {
        return Ok(None);
    };
    let invitation_id: i64 = row.try_get("invitation_id")?;
    let stopped: Option<i64> =
        sqlx::query_scalar("SELECT reminders_stopped FROM invitations WHERE id = $1")
            .bind(invitation_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(Some(ClaimedMail {
        id: row.try_get("id")?,
        invitation_id,
        kind: MailKind::parse(&row.try_get::<String, _>("kind")?),
        base_url: row.try_get("base_url")?,
        attempts: row.try_get("attempts")?,
        reminders_stopped: stopped.is_some_and(|s| s != 0),
    }))
}

pub(super) async fn record_mail(
    db: &SqlStore,
    id: i64,
    outcome: &Outcome,
    now: i64,
) -> StoreResult<()> {
    let query = match outcome {
        Outcome::Sent => sqlx::query(
            "UPDATE mail_queue SET status = 'sent', sent_at = $2, last_error = NULL, \
             claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now),
        Outcome::Retry { at, error } => sqlx::query(
            "UPDATE mail_queue SET next_attempt_at = $2, last_error = $3, claimed_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(*at)
        .bind(error.as_str()),
        Outcome::Failed { error } => sqlx::query(
            "UPDATE mail_queue SET status = 'failed', last_error = $2, claimed_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(error.as_str()),
        Outcome::Bounced { error } => sqlx::query(
            "UPDATE mail_queue SET status = 'bounced', last_error = $2, claimed_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(error.as_str()),
        Outcome::Dropped => sqlx::query("DELETE FROM mail_queue WHERE id = $1").bind(id),
    };
    query.execute(&db.pool).await?;
    Ok(())
}

pub(super) async fn mail_progress(db: &SqlStore, round_id: i64) -> StoreResult<MailProgress> {
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.status, COUNT(*) FROM mail_queue m \
         JOIN invitations i ON i.id = m.invitation_id \
         WHERE i.round_id = $1 GROUP BY m.status",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?;
    let mut progress = MailProgress::default();
    for (status, n) in counts {
        match MailStatus::parse(&status) {
            MailStatus::Queued => progress.queued += n,
            MailStatus::Sent => progress.sent += n,
            MailStatus::Failed | MailStatus::Bounced => progress.failed += n,
        }
    }
    Ok(progress)
}

pub(super) async fn invitation_mail(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Vec<InvitationMail>> {
    let latest = "FROM mail_queue m WHERE m.invitation_id = i.id ORDER BY m.id DESC LIMIT 1";
    let rows = sqlx::query(&format!(
        "SELECT i.id, i.reminders_stopped, \
         (SELECT MIN(m.sent_at) FROM mail_queue m WHERE m.invitation_id = i.id \
          AND m.kind = 'invitation' AND m.status = 'sent') AS invited_at, \
         (SELECT COUNT(*) FROM mail_queue m WHERE m.invitation_id = i.id \
          AND m.kind = 'reminder' AND m.status = 'sent') AS reminders, \
         (SELECT m.status {latest}) AS last_status, \
         (SELECT m.last_error {latest}) AS last_error \
         FROM invitations i WHERE i.round_id = $1 ORDER BY i.id"
    ))
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let status: Option<String> = row.try_get("last_status")?;
            let error: Option<String> = row.try_get("last_error")?;
            Ok(InvitationMail {
                invitation_id: row.try_get("id")?,
                invited_at: row.try_get("invited_at")?,
                reminders: row.try_get("reminders")?,
                problem: status
                    .zip(error)
                    .map(|(status, error)| (MailStatus::parse(&status), error)),
                reminders_stopped: row.try_get::<i64, _>("reminders_stopped")? != 0,
            })
        })
        .collect()
}

pub(super) async fn reminders_stopped(db: &SqlStore, token: &str) -> StoreResult<Option<bool>> {
    let stopped: Option<i64> =
        sqlx::query_scalar("SELECT reminders_stopped FROM invitations WHERE token = $1")
            .bind(token)
            .fetch_optional(&db.pool)
            .await?;
    Ok(stopped.map(|s| s != 0))
}

pub(super) async fn stop_reminders(db: &SqlStore, token: &str) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE invitations SET reminders_stopped = 1 WHERE token = $1 RETURNING id",
    )
    .bind(token)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        // A reminder claimed a moment ago is the sender's: it may still go out, once.
        sqlx::query(
            "DELETE FROM mail_queue WHERE invitation_id = $1 AND kind = 'reminder' \
             AND status = 'queued' AND claimed_until IS NULL",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id.is_some())
}
