//! Submitted responses leaving the figures: withdrawn by their partner with the receipt code,
//! excluded (and included again) or deleted by a facilitator.
//!
//! Nothing leaves a published release at once. A removed response is marked, and the next
//! release that qualifies leaves it out (`removed_in`, set with the batch in `releases`).
//! Withdrawing or deleting erases what was answered at once; the row stays as a skeleton with
//! its group, its releases and which items had an answer, because the audit of later releases
//! must know which published cells it counted in. A response no release included goes entirely.

use sqlx::AnyConnection;

use super::responses::{Submission, insert_submission};
use super::{SqlStore, deletion, lock_round};
use crate::store::rows::{decode_answers, encode_answers};
use crate::store::{StoreResult, now};
use crate::survey::answers::{Answer, Answers};
use crate::survey::{Excluded, Removal, Respondent};

/// A removable response: its id and the release that first included it.
type Found = (i64, Option<i64>);

async fn find(
    conn: &mut AnyConnection,
    round_id: i64,
    who: Respondent<'_>,
    removable: &str,
) -> StoreResult<Option<Found>> {
    let (column, key) = match who {
        Respondent::Pseudonym(p) => ("pseudonym", p),
        Respondent::Receipt(digest) => ("receipt_digest", digest),
    };
    Ok(sqlx::query_as(&format!(
        "SELECT id, released_in FROM responses WHERE round_id = $1 AND {column} = $2 \
         AND status = 'submitted' AND ({removable})"
    ))
    .bind(round_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Erases what a response answered and wrote, keeping which items had an answer: each value
/// becomes its scale's lowest (`erased`), each code one code, the comments go.
async fn erase(
    conn: &mut AnyConnection,
    response_id: i64,
    erased: &[(String, i16)],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM response_comments WHERE response_id = $1")
        .bind(response_id)
        .execute(&mut *conn)
        .await?;
    let stored: String = sqlx::query_scalar("SELECT answers FROM responses WHERE id = $1")
        .bind(response_id)
        .fetch_one(&mut *conn)
        .await?;
    let mut items = decode_answers(&stored)?;
    for (item, answer) in &mut items {
        *answer = match answer {
            Answer::Value(_) => match erased.iter().find(|(id, _)| id == item) {
                Some((_, lowest)) => Answer::Value(*lowest),
                None => continue,
            },
            Answer::Code(_) => Answer::Code("erased".into()),
        };
    }
    sqlx::query("UPDATE responses SET answers = $1 WHERE id = $2")
        .bind(encode_answers(&items))
        .bind(response_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE responses SET invitation_id = NULL, pseudonym = NULL, receipt_digest = NULL, \
         open_form_id = NULL WHERE id = $1",
    )
    .bind(response_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn remove(
    db: &SqlStore,
    round_id: i64,
    who: Respondent<'_>,
    removal: Removal,
    erased: &[(String, i16)],
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    lock_round(&mut tx, round_id).await?;
    let (kind, by, erases) = match removal {
        Removal::Withdrawn => ("withdrawn", None, true),
        Removal::Excluded(by) => ("excluded", Some(by), false),
        Removal::Deleted(by) => ("deleted", by, true),
    };
    // An excluded response can still be deleted; nothing else is removed twice.
    let removable = match removal {
        Removal::Deleted(_) => "removed IS NULL OR removed = 'excluded'",
        _ => "removed IS NULL",
    };
    let Some((id, released_in)) = find(&mut tx, round_id, who, removable).await? else {
        return Ok(false);
    };
    if erases && released_in.is_none() {
        sqlx::query("DELETE FROM responses WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    } else {
        if erases {
            erase(&mut tx, id, erased).await?;
        }
        sqlx::query(
            "UPDATE responses SET removed = $1, removed_by = $2, removed_at = $3 WHERE id = $4",
        )
        .bind(kind)
        .bind(by)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if erases {
        deletion::scrub(db).await;
    }
    Ok(true)
}

pub(super) async fn include(
    db: &SqlStore,
    round_id: i64,
    pseudonym: &str,
    erased: &[(String, i16)],
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    lock_round(&mut tx, round_id).await?;
    let who = Respondent::Pseudonym(pseudonym);
    let Some((id, _)) = find(&mut tx, round_id, who, "removed = 'excluded'").await? else {
        return Ok(false);
    };
    type Row = (
        Option<i64>,
        Option<i64>,
        String,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let (left, invitation_id, at, consent, sector, language, source, sheet_id): Row =
        sqlx::query_as(
            "SELECT removed_in, invitation_id, submitted_at, consent, sector, language, source, \
             sheet_id FROM responses WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if left.is_none() {
        // No release left it out yet: nothing published changes.
        sqlx::query(
            "UPDATE responses SET removed = NULL, removed_by = NULL, removed_at = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        // A response joins each release's figures once: it comes back as a new submission under
        // its pseudonym, in the next release that qualifies, taking its answers and comments
        // along; the old row stays as the skeleton the audit of the releases it was in needs.
        sqlx::query("UPDATE responses SET pseudonym = NULL, sheet_id = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let answers = Answers {
            consent: consent != 0,
            language,
            ..Answers::default()
        };
        let submission = Submission {
            round_id,
            invitation_id,
            open_form_id: None,
            answers: &answers,
            sector: sector.as_deref(),
            receipt_digest: None,
            at,
            source: source.as_deref(),
            sheet_id: sheet_id.as_deref(),
        };
        let new_id = insert_submission(&mut tx, &submission, Some(pseudonym))
            .await?
            .expect("a fresh row with a freed pseudonym and no receipt conflicts with nothing");
        sqlx::query(
            "UPDATE responses SET answers = (SELECT answers FROM responses WHERE id = $2) \
             WHERE id = $1",
        )
        .bind(new_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE response_comments SET response_id = $1 WHERE response_id = $2")
            .bind(new_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        erase(&mut tx, id, erased).await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn receipt_round(db: &SqlStore, receipt_digest: &str) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT round_id FROM responses WHERE receipt_digest = $1 AND removed IS NULL",
    )
    .bind(receipt_digest)
    .fetch_optional(&db.pool)
    .await?)
}

pub(super) async fn excluded(db: &SqlStore, round_id: i64) -> StoreResult<Vec<Excluded>> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT pseudonym, removed_at, removed_in FROM responses \
         WHERE round_id = $1 AND removed = 'excluded' AND pseudonym IS NOT NULL ORDER BY pseudonym",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(pseudonym, at, removed_in)| Excluded {
            pseudonym,
            at,
            left: removed_in.is_some(),
        })
        .collect())
}

pub(super) async fn set_open_cap(
    db: &SqlStore,
    round_id: i64,
    cap: Option<i64>,
) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET open_cap = $1 WHERE id = $2")
        .bind(cap)
        .bind(round_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn secret(db: &SqlStore, name: &str, fresh: &str) -> StoreResult<String> {
    sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .execute(&db.pool)
        .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&db.pool)
            .await?,
    )
}
