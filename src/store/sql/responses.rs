//! Responses: drafts and submissions through an invitation or the open link, and reading them
//! back with their answers and comments.

use std::collections::HashMap;

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};

use super::SqlStore;
use crate::store::rows::{DbAnswer, DbComment, DbResponse};
use crate::store::{After, PageQuery, StoreError, StoreResult, now};
use crate::survey::answers::{Answer, Answers};
use crate::survey::{OpenSubmission, StoredResponse, new_pseudonym};

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
    Ok(responses_where(
        db,
        "invitation_id = $1",
        &[Param::Int(invitation_id)],
        BY_ID,
    )
    .await?
    .pop())
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
         started_at, updated_at, submitted_at, pseudonym) \
         VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9) \
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
    .bind(new_pseudonym())
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
    responses_where(db, "round_id = $1", &[Param::Int(round_id)], BY_ID).await
}

pub(super) async fn submitted_page(
    db: &SqlStore,
    round_id: i64,
    page: &PageQuery,
    limit: i64,
) -> StoreResult<Vec<StoredResponse>> {
    let through = page.through;
    let selected = "round_id = $1 AND status = 'submitted' AND released_in <= $2";
    // The page's last key first, so the three queries of `responses_where` see the same rows.
    let (column, after) = match &page.after {
        After::Id(id) => ("id", Param::Int(*id)),
        After::Pseudonym(p) => ("pseudonym", Param::Text(p)),
    };
    let last_sql = format!(
        "SELECT MAX({column}) FROM (SELECT {column} FROM responses WHERE {selected} \
         AND {column} > $3 ORDER BY {column} LIMIT $4) page"
    );
    let last = match &page.after {
        After::Id(after) => sqlx::query_scalar::<_, Option<i64>>(&last_sql)
            .bind(round_id)
            .bind(through)
            .bind(*after)
            .bind(limit)
            .fetch_one(&db.pool)
            .await?
            .map(Param::Int),
        After::Pseudonym(after) => sqlx::query_scalar::<_, Option<String>>(&last_sql)
            .bind(round_id)
            .bind(through)
            .bind(after.as_str())
            .bind(limit)
            .fetch_one(&db.pool)
            .await?
            .map(Param::Owned),
    };
    let Some(last) = last else {
        return Ok(Vec::new());
    };
    responses_where(
        db,
        &format!("{selected} AND {column} > $3 AND {column} <= $4"),
        &[Param::Int(round_id), Param::Int(through), after, last],
        Reading {
            order: column,
            group: true,
        },
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
         submitted_at = CASE WHEN $6 THEN $7 ELSE NULL END, pseudonym = $8 \
         WHERE invitation_id = $9 AND status = 'draft' RETURNING id",
    )
    .bind(i64::from(answers.consent))
    .bind(&answers.sector)
    .bind(&answers.language)
    .bind(&now)
    .bind(submit)
    .bind(submit)
    .bind(&now)
    .bind(submit.then(new_pseudonym))
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

/// Responses as stored, in id order.
const BY_ID: Reading<'static> = Reading {
    order: "id",
    group: false,
};

/// A bound parameter of [`responses_where`].
enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Owned(String),
}

impl Param<'_> {
    fn bind<'q, O>(
        &'q self,
        query: sqlx::query::QueryAs<'q, Any, O, AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, Any, O, AnyArguments<'q>> {
        match self {
            Param::Int(v) => query.bind(*v),
            Param::Text(v) => query.bind(*v),
            Param::Owned(v) => query.bind(v.as_str()),
        }
    }
}

/// How [`responses_where`] orders and groups what it reads.
struct Reading<'a> {
    /// The column to order by.
    order: &'a str,
    /// Whether the sector falls back to the invitation's: the group a response is scored in.
    group: bool,
}

/// Responses matching `condition` (a fixed SQL condition on `responses` with parameters
/// `$1…` bound to `params`).
async fn responses_where(
    db: &SqlStore,
    condition: &str,
    params: &[Param<'_>],
    reading: Reading<'_>,
) -> StoreResult<Vec<StoredResponse>> {
    let mut conn = db.pool.acquire().await?;
    let sector = if reading.group {
        "COALESCE(sector, (SELECT i.sector FROM invitations i \
         WHERE i.id = responses.invitation_id)) AS sector"
    } else {
        "sector"
    };
    let sql = format!(
        "SELECT id, invitation_id, round_id, consent, {sector}, language, status, started_at, \
         updated_at, submitted_at, pseudonym, released_in, (SELECT i.organisation FROM \
         invitations i WHERE i.id = responses.invitation_id) AS organisation FROM responses \
         WHERE {condition} ORDER BY {}",
        reading.order
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = param.bind(query);
    }
    let rows: Vec<DbResponse> = query.fetch_all(&mut *conn).await?;
    let sql = format!(
        "SELECT response_id, item_id, value, code FROM response_answers WHERE response_id IN \
         (SELECT id FROM responses WHERE {condition})"
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = param.bind(query);
    }
    let answers: Vec<DbAnswer> = query.fetch_all(&mut *conn).await?;
    let sql = format!(
        "SELECT response_id, comment_id, body FROM response_comments WHERE response_id IN \
         (SELECT id FROM responses WHERE {condition})"
    );
    let mut query = sqlx::query_as(&sql);
    for param in params {
        query = param.bind(query);
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
            "INSERT INTO response_comments (response_id, comment_id, body, handle) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(response_id)
        .bind(comment_id)
        .bind(body)
        .bind(new_pseudonym())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
