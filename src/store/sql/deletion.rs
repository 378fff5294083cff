//! Deletion and retention: hard deletion of a partnership, a round or a partner, the retention
//! purge, and removing a closed round's partner e-mail addresses.
//!
//! A deletion is a list of [`Part`]s, children before parents so every foreign key holds at each
//! step; the same list counts what would go (for the confirmation page) and deletes it, so the
//! two can never disagree about what a target holds. Rows are gone when the transaction commits,
//! but their bytes may still sit in freed pages, SQLite's write-ahead log or PostgreSQL's dead
//! tuples, so every change that removes personal data ends with [`scrub`].

use sqlx::{AnyConnection, Executor};

use super::{Engine, INVITATION_COLUMNS, SqlStore};
use crate::accounts::FORGET_FAILURES_AFTER;
use crate::store::rows::DbInvitation;
use crate::store::{Contents, Purged, StoreError, StoreResult, Target};
use crate::survey::Invitation;

/// Every table a deletion or the purge can remove personal data from.
const SCRUBBED: &str =
    "response_comments, responses, mail_queue, invitations, releases, rounds, partnerships";

/// Seconds in a day.
const DAY_SECONDS: i64 = 24 * 60 * 60;

/// Where a part's rows are counted in [`Contents`].
type Counter = fn(&mut Contents) -> &mut u64;

/// One kind of row a deletion removes: its table, which of its rows (a condition on `$1`, the
/// target's id), and where they are counted, if anywhere.
struct Part {
    table: &'static str,
    rows: String,
    counted: Option<Counter>,
}

impl Part {
    fn new(table: &'static str, rows: impl Into<String>, counted: Option<Counter>) -> Part {
        Part {
            table,
            rows: rows.into(),
            counted,
        }
    }
}

/// The parts of `target`, children before parents; `$1` stands for its id.
fn parts(target: Target) -> Vec<Part> {
    // The rounds the target covers: a partner's round stays.
    let rounds = match target {
        Target::Partnership(_) => Some("partnership_id = $1"),
        Target::Round(_) => Some("id = $1"),
        Target::Partner(_) => None,
    };
    let of_rounds = rounds.map(|r| format!("round_id IN (SELECT id FROM rounds WHERE {r})"));
    let (responses, invitations) = match &of_rounds {
        Some(of_rounds) => (of_rounds.clone(), of_rounds.clone()),
        // Only the draft: a submitted response still linked blocks the deletion (see `check`),
        // and one that is no longer linked is not the partner's.
        None => (
            "invitation_id = $1 AND status = 'draft'".to_string(),
            "id = $1".to_string(),
        ),
    };
    let of_responses = format!("response_id IN (SELECT id FROM responses WHERE {responses})");
    let mut parts = vec![
        Part::new("response_comments", of_responses, Some(|c| &mut c.comments)),
        Part::new(
            "responses",
            format!("({responses}) AND status = 'submitted'"),
            Some(|c| &mut c.submitted),
        ),
        Part::new(
            "responses",
            format!("({responses}) AND status = 'draft'"),
            Some(|c| &mut c.drafts),
        ),
        Part::new(
            "mail_queue",
            format!("invitation_id IN (SELECT id FROM invitations WHERE {invitations})"),
            None,
        ),
        Part::new("invitations", invitations, Some(|c| &mut c.partners)),
    ];
    if let (Some(rounds), Some(of_rounds)) = (rounds, of_rounds) {
        parts.push(Part::new("releases", of_rounds, Some(|c| &mut c.releases)));
        parts.push(Part::new("rounds", rounds, Some(|c| &mut c.rounds)));
    }
    if let Target::Partnership(_) = target {
        parts.push(Part::new("partnerships", "id = $1", None));
    }
    parts
}

/// The table holding the target's own row.
fn table_of(target: Target) -> &'static str {
    match target {
        Target::Partnership(_) => "partnerships",
        Target::Round(_) => "rounds",
        Target::Partner(_) => "invitations",
    }
}

async fn count(conn: &mut AnyConnection, table: &str, rows: &str, id: i64) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {rows}"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n.unsigned_abs())
}

/// Whether `target` exists; fails with [`StoreError::SubmittedResponseLinked`] for a partner
/// whose submitted response is still linked to their invitation.
async fn check(conn: &mut AnyConnection, target: Target) -> StoreResult<bool> {
    if count(conn, table_of(target), "id = $1", target.id()).await? == 0 {
        return Ok(false);
    }
    if let Target::Partner(id) = target
        && count(
            conn,
            "responses",
            "invitation_id = $1 AND status = 'submitted'",
            id,
        )
        .await?
            > 0
    {
        return Err(StoreError::SubmittedResponseLinked);
    }
    Ok(true)
}

pub(super) async fn invitation(db: &SqlStore, id: i64) -> StoreResult<Option<Invitation>> {
    Ok(sqlx::query_as::<_, DbInvitation>(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| row.0))
}

pub(super) async fn contents(db: &SqlStore, target: Target) -> StoreResult<Option<Contents>> {
    let mut conn = db.pool.acquire().await?;
    if !check(&mut conn, target).await? {
        return Ok(None);
    }
    let mut contents = Contents::default();
    for part in parts(target) {
        if let Some(counted) = part.counted {
            *counted(&mut contents) +=
                count(&mut conn, part.table, &part.rows, target.id()).await?;
        }
    }
    Ok(Some(contents))
}

pub(super) async fn delete(db: &SqlStore, target: Target) -> StoreResult<Option<Contents>> {
    let mut tx = db.begin_write().await?;
    if !check(&mut tx, target).await? {
        return Ok(None);
    }
    let mut contents = Contents::default();
    // Counted as deleted, not beforehand, so the report is exact even if a partner was added
    // since the confirmation page. A response submitted meanwhile for a partner being deleted
    // makes the invitation's DELETE fail on its foreign key, and the whole transaction with it.
    for part in parts(target) {
        let deleted = sqlx::query(&format!("DELETE FROM {} WHERE {}", part.table, part.rows))
            .bind(target.id())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if let Some(counted) = part.counted {
            *counted(&mut contents) += deleted;
        }
    }
    tx.commit().await?;
    scrub(db).await;
    Ok(Some(contents))
}

pub(super) async fn purge(
    db: &SqlStore,
    draft_retention_days: u32,
    now: i64,
) -> StoreResult<Purged> {
    let cutoff = time::OffsetDateTime::from_unix_timestamp(
        now - i64::from(draft_retention_days) * DAY_SECONDS,
    )
    .ok()
    .and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    // Only a clock outside years 0..=9999 gets here: then no draft is old enough.
    .unwrap_or_default();
    // Each statement is idempotent on its own, so servers purging at once only find less to do.
    // Answers and comments go with their draft (ON DELETE CASCADE, on both engines).
    let drafts = sqlx::query("DELETE FROM responses WHERE status = 'draft' AND updated_at < $1")
        .bind(&cutoff)
        .execute(&db.pool)
        .await?
        .rows_affected();
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&db.pool)
        .await?
        .rows_affected();
    // A count this old has decayed to nothing and its wait is over: forgetting it changes no wait.
    let sign_in_failures = sqlx::query("DELETE FROM sign_in_failures WHERE last_failure < $1")
        .bind(now - FORGET_FAILURES_AFTER)
        .execute(&db.pool)
        .await?
        .rows_affected();
    if drafts > 0 {
        scrub(db).await;
    }
    Ok(Purged {
        drafts,
        sessions,
        sign_in_failures,
    })
}

pub(super) async fn remove_partner_emails(db: &SqlStore, round_id: i64) -> StoreResult<u64> {
    let mut tx = db.begin_write().await?;
    // Writing the round's row locks it, so it cannot be reopened before this commits.
    let closed_at: Option<String> = sqlx::query_scalar(
        "UPDATE rounds SET closed_at = closed_at WHERE id = $1 RETURNING closed_at",
    )
    .bind(round_id)
    .fetch_one(&mut *tx)
    .await?;
    if closed_at.is_none() {
        return Err(StoreError::RoundOpen);
    }
    let removed = sqlx::query(
        "UPDATE invitations SET email = NULL WHERE round_id = $1 AND email IS NOT NULL",
    )
    .bind(round_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if removed > 0 {
        scrub(db).await;
    }
    Ok(removed)
}

/// Has the engine get rid of the bytes of rows just deleted or overwritten, beyond what the
/// committed transaction did. SQLite runs with `secure_delete`, which zeroes them in the pages,
/// but the pages that held them may still be in the write-ahead log: a TRUNCATE checkpoint copies
/// the log into the database file and empties it. PostgreSQL keeps deleted rows as dead tuples
/// until a VACUUM removes them (it cannot run in a transaction). The deletion itself has
/// committed, so a failure here is logged, not returned: the next deletion, or the engine's own
/// checkpoints and autovacuum, finish the work.
pub(super) async fn scrub(db: &SqlStore) {
    let done = match db.engine {
        Engine::Sqlite => sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&db.pool)
            .await
            .map(|(busy, _, _)| {
                if busy != 0 {
                    tracing::warn!("the write-ahead log could not be emptied: a reader held it");
                }
            }),
        Engine::Postgres => db
            .pool
            .execute(format!("VACUUM {SCRUBBED}").as_str())
            .await
            .map(drop),
    };
    if let Err(error) = done {
        tracing::warn!(%error, "the freed space of deleted rows was not reclaimed");
    }
}
