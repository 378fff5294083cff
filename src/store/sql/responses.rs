//! Responses: drafts and submissions through an invitation or the open link, and reading them
//! back with their answers and comments.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::SqlStore;
use crate::store::rows::{DbAnswer, DbComment, DbResponse};
use crate::store::{StoreError, StoreResult, now};
use crate::survey::answers::{Answer, Answers};
use crate::survey::{OpenSubmission, StoredResponse};

pub(super) async fn open_link_submissions(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(sector, '') AS sector, COUNT(*) AS submitted FROM responses \
         WHERE round_id = $1 AND invitation_id IS NULL AND status = 'submitted' \
         GROUP BY COALESCE(sector, '') ORDER BY 1",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?)
}

pub(super) async fn invitation_response(
    db: &SqlStore,
    invitation_id: i64,
) -> StoreResult<Option<StoredResponse>> {
    Ok(
        responses_where(db, "invitation_id = $1", &[invitation_id], false)
            .await?
            .pop(),
    )
}

pub(super) async fn submit_open(
    db: &SqlStore,
    round_id: i64,
    form_id: &str,
    answers: &Answers,
) -> StoreResult<OpenSubmission> {
    let mut tx = db.begin_write().await?;
    ensure_open(&mut tx, round_id).await?;
    let now = now();
    let response_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO responses (round_id, open_form_id, consent, sector, language, status, \
         started_at, updated_at, submitted_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8) \
         ON CONFLICT (open_form_id) DO NOTHING RETURNING id",
    )
    .bind(round_id)
    .bind(form_id)
    .bind(i64::from(answers.consent))
    .bind(&answers.sector)
    .bind(&answers.language)
    .bind(&now)
    .bind(&now)
    .bind(&now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(response_id) = response_id else {
        return Ok(OpenSubmission::AlreadyStored);
    };
    replace_answers(&mut tx, response_id, answers).await?;
    tx.commit().await?;
    Ok(OpenSubmission::Stored)
}

pub(super) async fn responses(db: &SqlStore, round_id: i64) -> StoreResult<Vec<StoredResponse>> {
    responses_where(db, "round_id = $1", &[round_id], false).await
}

pub(super) async fn submitted_page(
    db: &SqlStore,
    round_id: i64,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<StoredResponse>> {
    // The page's last id first, so the three queries of `responses_where` see the same rows.
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(id) FROM (SELECT id FROM responses WHERE round_id = $1 \
         AND status = 'submitted' AND id > $2 ORDER BY id LIMIT $3) page",
    )
    .bind(round_id)
    .bind(after)
    .bind(limit)
    .fetch_one(&db.pool)
    .await?;
    let Some(last) = last else {
        return Ok(Vec::new());
    };
    responses_where(
        db,
        "round_id = $1 AND status = 'submitted' AND id > $2 AND id <= $3",
        &[round_id, after, last],
        true,
    )
    .await
}

/// Writes the invitation's response and its answers; `submit` makes it final.
pub(super) async fn write_invitation_response(
    db: &SqlStore,
    invitation_id: i64,
    answers: &Answers,
    submit: bool,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let round_id: i64 = sqlx::query_scalar("SELECT round_id FROM invitations WHERE id = $1")
        .bind(invitation_id)
        .fetch_one(&mut *tx)
        .await?;
    ensure_open(&mut tx, round_id).await?;
    let now = now();
    sqlx::query(
        "INSERT INTO responses (invitation_id, round_id, consent, status, started_at, \
         updated_at) VALUES ($1, $2, $3, 'draft', $4, $5) ON CONFLICT (invitation_id) DO NOTHING",
    )
    .bind(invitation_id)
    .bind(round_id)
    .bind(i64::from(answers.consent))
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    // Only a draft may change: a submitted row makes this match nothing, whoever got there
    // first, because the write lock serialises the transactions.
    let response_id: Option<i64> = sqlx::query_scalar(
        "UPDATE responses SET consent = $1, sector = $2, language = $3, updated_at = $4, \
         status = CASE WHEN $5 THEN 'submitted' ELSE 'draft' END, \
         submitted_at = CASE WHEN $6 THEN $7 ELSE NULL END \
         WHERE invitation_id = $8 AND status = 'draft' RETURNING id",
    )
    .bind(i64::from(answers.consent))
    .bind(&answers.sector)
    .bind(&answers.language)
    .bind(&now)
    .bind(submit)
    .bind(submit)
    .bind(&now)
    .bind(invitation_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(response_id) = response_id else {
        return Err(StoreError::AlreadySubmitted);
    };
    replace_answers(&mut tx, response_id, answers).await?;
    tx.commit().await?;
    Ok(())
}

/// Responses matching `condition` (a fixed SQL condition on `responses` with parameters
/// `$1…` bound to `params`); with `group` their sector falls back to the invitation's.
async fn responses_where(
    db: &SqlStore,
    condition: &str,
    params: &[i64],
    group: bool,
) -> StoreResult<Vec<StoredResponse>> {
    let mut conn = db.pool.acquire().await?;
    let sector = if group {
        "COALESCE(sector, (SELECT i.sector FROM invitations i \
         WHERE i.id = responses.invitation_id)) AS sector"
    } else {
        "sector"
    };
    let sql = format!(
        "SELECT id, invitation_id, round_id, consent, {sector}, language, status, started_at, \
         updated_at, submitted_at FROM responses WHERE {condition} ORDER BY id"
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = query.bind(*param);
    }
    let rows: Vec<DbResponse> = query.fetch_all(&mut *conn).await?;
    let sql = format!(
        "SELECT response_id, item_id, value, code FROM response_answers WHERE response_id IN \
         (SELECT id FROM responses WHERE {condition})"
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = query.bind(*param);
    }
    let answers: Vec<DbAnswer> = query.fetch_all(&mut *conn).await?;
    let sql = format!(
        "SELECT response_id, comment_id, body FROM response_comments WHERE response_id IN \
         (SELECT id FROM responses WHERE {condition})"
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = query.bind(*param);
    }
    let comments: Vec<DbComment> = query.fetch_all(&mut *conn).await?;
    let mut responses: Vec<StoredResponse> = rows.into_iter().map(|row| row.0).collect();
    let position: HashMap<i64, usize> = responses
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    for answer in answers {
        if let Some(response) = position
            .get(&answer.response_id)
            .map(|&i| &mut responses[i])
        {
            response.answers.items.insert(answer.item_id, answer.answer);
        }
    }
    for comment in comments {
        if let Some(response) = position
            .get(&comment.response_id)
            .map(|&i| &mut responses[i])
        {
            response
                .answers
                .comments
                .insert(comment.comment_id, comment.body);
        }
    }
    Ok(responses)
}

/// Fails with [`StoreError::RoundClosed`] unless the round is open.
async fn ensure_open(conn: &mut AnyConnection, round_id: i64) -> StoreResult<()> {
    let closed_at: Option<String> =
        sqlx::query_scalar("SELECT closed_at FROM rounds WHERE id = $1")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    match closed_at {
        Some(_) => Err(StoreError::RoundClosed),
        None => Ok(()),
    }
}

/// Replaces the answers and comments of a response with `answers`.
async fn replace_answers(
    conn: &mut AnyConnection,
    response_id: i64,
    answers: &Answers,
) -> StoreResult<()> {
    for table in ["response_answers", "response_comments"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE response_id = $1"))
            .bind(response_id)
            .execute(&mut *conn)
            .await?;
    }
    for (item_id, answer) in &answers.items {
        let (value, code) = match answer {
            Answer::Value(value) => (Some(*value), None),
            Answer::Code(code) => (None, Some(code.as_str())),
        };
        sqlx::query(
            "INSERT INTO response_answers (response_id, item_id, value, code) VALUES ($1, $2, $3, $4)",
        )
        .bind(response_id)
        .bind(item_id)
        .bind(value)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    }
    for (comment_id, body) in &answers.comments {
        sqlx::query(
            "INSERT INTO response_comments (response_id, comment_id, body) VALUES ($1, $2, $3)",
        )
        .bind(response_id)
        .bind(comment_id)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
