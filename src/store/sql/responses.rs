//! Responses: drafts and submissions through an invitation or the open link, and reading them
//! back with their answers and comments.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{Engine, SqlStore, lock_round};
use crate::responses::{Imported, ResponsesError};
use crate::store::rows::{DbComment, DbReleasedResponse, DbResponse, encode_answers};
use crate::store::{ImportFeed, PageQuery, StoreError, StoreResult, now};
use crate::survey::answers::Answers;
use crate::survey::{OpenSubmission, ReleasedResponse, StoredResponse, new_pseudonym, new_token};

pub(super) async fn uninvited_submissions(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(sector, '') AS sector, COALESCE(source, '') AS source, \
         COUNT(*) AS submitted FROM responses \
         WHERE round_id = $1 AND (open_form_id IS NOT NULL OR source IS NOT NULL) \
         AND status = 'submitted' \
         AND removed IS NULL \
         GROUP BY COALESCE(sector, ''), COALESCE(source, '') ORDER BY 1, 2",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?)
}

pub(super) async fn invitation_response(
    db: &SqlStore,
    invitation_id: i64,
) -> StoreResult<Option<StoredResponse>> {
    Ok(responses_where(db, "invitation_id = $1", invitation_id)
        .await?
        .pop())
}

/// A submission the writer stores ([`super::commit`]): through a personal link or the open
/// link, with what the partner sent.
pub(super) struct Queued {
    pub via: Via,
    pub answers: Answers,
    pub receipt_digest: String,
}

/// The link a [`Queued`] submission came through.
pub(super) enum Via {
    /// A personal link's invitation.
    Invitation { invitation_id: i64 },
    /// The round's open link, once per form id.
    OpenLink { round_id: i64, form_id: String },
}

/// Stores `queued` within the transaction `conn` is in; a refusal ([`StoreError::AlreadySubmitted`],
/// [`StoreError::RoundClosed`], [`StoreError::OpenCapReached`]) may leave writes behind, which
/// the caller rolls back.
pub(super) async fn store(
    conn: &mut AnyConnection,
    queued: &Queued,
) -> StoreResult<OpenSubmission> {
    let Queued {
        via,
        answers,
        receipt_digest,
    } = queued;
    match via {
        Via::Invitation { invitation_id } => {
            submit(conn, *invitation_id, answers, receipt_digest).await?;
            Ok(OpenSubmission::Stored)
        }
        Via::OpenLink { round_id, form_id } => {
            submit_open(conn, *round_id, form_id, answers, receipt_digest).await
        }
    }
}

async fn submit_open(
    conn: &mut AnyConnection,
    round_id: i64,
    form_id: &str,
    answers: &Answers,
    receipt_digest: &str,
) -> StoreResult<OpenSubmission> {
    ensure_open(conn, round_id).await?;
    if form_used(conn, form_id).await? {
        return Ok(OpenSubmission::AlreadyStored);
    }
    let cap: Option<i64> = sqlx::query_scalar("SELECT open_cap FROM rounds WHERE id = $1")
        .bind(round_id)
        .fetch_one(&mut *conn)
        .await?;
    if let Some(cap) = cap {
        // Counting against the cap must see every other submission: lock the round's row.
        lock_round(conn, round_id).await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM responses WHERE round_id = $1 AND open_form_id IS NOT NULL \
             AND status = 'submitted' AND removed IS NULL",
        )
        .bind(round_id)
        .fetch_one(&mut *conn)
        .await?;
        if taken >= cap {
            return Err(StoreError::OpenCapReached);
        }
    }
    let submission = Submission {
        round_id,
        invitation_id: None,
        open_form_id: Some(form_id),
        answers,
        sector: answers.sector.as_deref(),
        receipt_digest: Some(receipt_digest),
        at: day_only(&now()),
        source: None,
        sheet_id: None,
    };
    let Some(response_id) = insert_submission(conn, &submission, None).await? else {
        // A racing POST of the same form id on another server got there first.
        return Ok(OpenSubmission::AlreadyStored);
    };
    insert_comments(conn, response_id, answers).await?;
    Ok(OpenSubmission::Stored)
}

pub(super) async fn submit_paper(
    db: &SqlStore,
    round_id: i64,
    sheet_id: &str,
    answers: &Answers,
) -> StoreResult<bool> {
    let mut tx = db.begin_write().await?;
    ensure_open(&mut tx, round_id).await?;
    let submission = Submission {
        round_id,
        invitation_id: None,
        open_form_id: None,
        answers,
        sector: answers.sector.as_deref(),
        // The partner never saw a receipt code: a paper answer is withdrawn through its
        // facilitator, who deletes it by its pseudonym.
        receipt_digest: None,
        at: day_only(&now()),
        source: Some("paper"),
        sheet_id: Some(sheet_id),
    };
    // The unique index on the round's sheet ids decides between racing entries of one sheet.
    let Some(response_id) = insert_submission(&mut tx, &submission, None).await? else {
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM responses WHERE round_id = $1 AND sheet_id = $2",
        )
        .bind(round_id)
        .bind(sheet_id)
        .fetch_one(&mut *tx)
        .await?;
        return if taken > 0 {
            Ok(false)
        } else {
            Err(StoreError::NoFreshPseudonym)
        };
    };
    insert_comments(&mut tx, response_id, answers).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn listed_sources(
    db: &SqlStore,
    round_id: i64,
    through: i64,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(source, '') AS source, COUNT(*) AS listed FROM responses \
         WHERE round_id = $1 AND status = 'submitted' AND released_in <= $2 \
         AND removed IS NULL GROUP BY COALESCE(source, '') ORDER BY 1",
    )
    .bind(round_id)
    .bind(through)
    .fetch_all(&db.pool)
    .await?)
}

async fn form_used(conn: &mut AnyConnection, form_id: &str) -> StoreResult<bool> {
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE open_form_id = $1")
        .bind(form_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(used > 0)
}

/// The first ten characters of an RFC 3339 time, its day, at midnight: what an anonymous round
/// keeps of when a response was given.
fn day_only(time: &str) -> String {
    format!("{}T00:00:00Z", &time[..10])
}

/// A submitted response about to be stored.
pub(super) struct Submission<'a> {
    pub round_id: i64,
    /// Kept only in an identified round.
    pub invitation_id: Option<i64>,
    pub open_form_id: Option<&'a str>,
    pub answers: &'a Answers,
    /// The group it is scored in.
    pub sector: Option<&'a str>,
    pub receipt_digest: Option<&'a str>,
    /// When it was started, saved and submitted, as far as the round keeps it.
    pub at: String,
    /// Where it came from when not from its partner on the web form: `paper`, `import`.
    pub source: Option<&'a str>,
    /// The id of the paper sheet it was keyed in from.
    pub sheet_id: Option<&'a str>,
}

/// A response's random id: below 2^52, so every engine and JSON reader keeps it exact.
fn random_id() -> i64 {
    i64::try_from(rand::random::<u64>() >> 12).unwrap_or(i64::MAX) + 1
}

/// Inserts a submitted response without its answers under a random id, so neither its id nor
/// its place among the rows tells when it came; `None` when a unique column other than the id
/// conflicts (a form id or receipt already stored). It gets `pseudonym`, or a new one.
pub(super) async fn insert_submission(
    conn: &mut AnyConnection,
    submission: &Submission<'_>,
    pseudonym: Option<&str>,
) -> StoreResult<Option<i64>> {
    let pseudonym = pseudonym.map_or_else(new_pseudonym, str::to_string);
    let answers = encode_answers(&submission.answers.items);
    // A collision with another row's id is all that can repeat the attempt.
    for _ in 0..4 {
        let id = random_id();
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO responses (id, round_id, invitation_id, open_form_id, consent, sector, \
             language, status, started_at, updated_at, submitted_at, pseudonym, receipt_digest, \
             answers, source, sheet_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9, $10, $11, $12, $13, $14, \
             $15) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(id)
        .bind(submission.round_id)
        .bind(submission.invitation_id)
        .bind(submission.open_form_id)
        .bind(i64::from(submission.answers.consent))
        .bind(submission.sector)
        .bind(&submission.answers.language)
        .bind(&submission.at)
        .bind(&submission.at)
        .bind(&submission.at)
        .bind(&pseudonym)
        .bind(submission.receipt_digest)
        .bind(&answers)
        .bind(submission.source)
        .bind(submission.sheet_id)
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_some() {
            return Ok(inserted);
        }
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if taken == 0 {
            return Ok(None);
        }
    }
    Ok(None)
}

pub(super) async fn responses(db: &SqlStore, round_id: i64) -> StoreResult<Vec<StoredResponse>> {
    responses_where(db, "round_id = $1", round_id).await
}

pub(super) async fn submitted_page(
    db: &SqlStore,
    round_id: i64,
    page: &PageQuery,
    limit: i64,
) -> StoreResult<Vec<ReleasedResponse>> {
    let removed = if page.left {
        ""
    } else {
        " AND r.removed IS NULL"
    };
    // One query a page, keyset-paged on the round's pseudonym index; the invitation joined
    // (rather than looked up per row) for the group and an identified round's organisation; no
    // comments, which the listings and scoring never read.
    let sql = format!(
        "SELECT r.pseudonym, i.organisation, COALESCE(r.sector, i.sector) AS sector, r.answers, \
         r.submitted_at, r.released_in, r.removed_in, r.source, r.language \
         FROM responses r LEFT JOIN invitations i ON i.id = r.invitation_id \
         WHERE r.round_id = $1 AND r.status = 'submitted' AND r.released_in <= $2{removed} \
         AND r.pseudonym > $3 ORDER BY r.pseudonym LIMIT $4"
    );
    let rows: Vec<DbReleasedResponse> = sqlx::query_as(&sql)
        .bind(round_id)
        .bind(page.through)
        .bind(page.after.as_str())
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|row| row.0).collect())
}

/// The invitation's round and sector, and whether the round is identified; fails with
/// [`StoreError::AlreadySubmitted`] or [`StoreError::RoundClosed`].
async fn writable_invitation(
    conn: &mut AnyConnection,
    invitation_id: i64,
) -> StoreResult<(i64, Option<String>, bool)> {
    // The round's state in the same query: this runs for every submission.
    let (round_id, sector, submitted, identified, closed): (i64, Option<String>, i64, i64, i64) =
        sqlx::query_as(
            "SELECT i.round_id, i.sector, i.submitted, \
             CASE WHEN r.identified_consent IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN r.closed_at IS NULL THEN 0 ELSE 1 END \
             FROM invitations i JOIN rounds r ON r.id = i.round_id WHERE i.id = $1",
        )
        .bind(invitation_id)
        .fetch_one(&mut *conn)
        .await?;
    if closed != 0 {
        return Err(StoreError::RoundClosed);
    }
    if submitted != 0 {
        return Err(StoreError::AlreadySubmitted);
    }
    Ok((round_id, sector, identified != 0))
}

pub(super) async fn save_draft(
    db: &SqlStore,
    invitation_id: i64,
    answers: &Answers,
    resume_digest: &str,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    let (round_id, _, _) = writable_invitation(&mut tx, invitation_id).await?;
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
    let response_id: i64 = sqlx::query_scalar(
        "UPDATE responses SET consent = $1, sector = $2, language = $3, updated_at = $4, \
         resume_digest = $5 WHERE invitation_id = $6 RETURNING id",
    )
    .bind(i64::from(answers.consent))
    .bind(&answers.sector)
    .bind(&answers.language)
    .bind(&now)
    .bind(resume_digest)
    .bind(invitation_id)
    .fetch_one(&mut *tx)
    .await?;
    replace_answers(&mut tx, response_id, answers).await?;
    tx.commit().await?;
    Ok(())
}

async fn submit(
    conn: &mut AnyConnection,
    invitation_id: i64,
    answers: &Answers,
    receipt_digest: &str,
) -> StoreResult<()> {
    let (round_id, invited_sector, identified) = writable_invitation(conn, invitation_id).await?;
    // The one-submission rule: of racing submissions, the first to flip the flag wins (the write
    // lock on SQLite, the row lock on PostgreSQL, serialise them); the others match nothing.
    let flipped =
        sqlx::query("UPDATE invitations SET submitted = 1 WHERE id = $1 AND submitted = 0")
            .bind(invitation_id)
            .execute(&mut *conn)
            .await?;
    if flipped.rows_affected() != 1 {
        return Err(StoreError::AlreadySubmitted);
    }
    // The draft goes: an anonymous round's submission is a new row that names no invitation.
    sqlx::query("DELETE FROM responses WHERE invitation_id = $1")
        .bind(invitation_id)
        .execute(&mut *conn)
        .await?;
    let now = now();
    let submission = Submission {
        round_id,
        invitation_id: identified.then_some(invitation_id),
        open_form_id: None,
        answers,
        sector: answers.sector.as_deref().or(invited_sector.as_deref()),
        receipt_digest: Some(receipt_digest),
        at: if identified { now } else { day_only(&now) },
        source: None,
        sheet_id: None,
    };
    let response_id = insert_submission(conn, &submission, None)
        .await?
        .ok_or(StoreError::AlreadySubmitted)?;
    insert_comments(conn, response_id, answers).await
}

/// Responses matching `condition` (a fixed SQL condition on `responses` whose one parameter
/// `$1` is bound to `param`), in id order, with their comments.
async fn responses_where(
    db: &SqlStore,
    condition: &str,
    param: i64,
) -> StoreResult<Vec<StoredResponse>> {
    let mut conn = db.pool.acquire().await?;
    let sql = format!(
        "SELECT id, invitation_id, round_id, consent, sector, language, status, started_at, \
         updated_at, submitted_at, pseudonym, released_in, removed_in, resume_digest, answers, \
         (SELECT i.organisation FROM \
         invitations i WHERE i.id = responses.invitation_id) AS organisation FROM responses \
         WHERE {condition} ORDER BY id"
    );
    let rows: Vec<DbResponse> = sqlx::query_as(&sql)
        .bind(param)
        .fetch_all(&mut *conn)
        .await?;
    // Nothing saved yet, the usual case when a partner opens a form: no comments to ask for.
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT response_id, comment_id, body FROM response_comments WHERE response_id IN \
         (SELECT id FROM responses WHERE {condition})"
    );
    let comments: Vec<DbComment> = sqlx::query_as(&sql)
        .bind(param)
        .fetch_all(&mut *conn)
        .await?;
    let mut responses: Vec<StoredResponse> = rows.into_iter().map(|row| row.0).collect();
    let position: HashMap<i64, usize> = responses
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
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

/// Replaces the answers and comments of a draft with `answers`.
async fn replace_answers(
    conn: &mut AnyConnection,
    response_id: i64,
    answers: &Answers,
) -> StoreResult<()> {
    sqlx::query("UPDATE responses SET answers = $1 WHERE id = $2")
        .bind(encode_answers(&answers.items))
        .bind(response_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM response_comments WHERE response_id = $1")
        .bind(response_id)
        .execute(&mut *conn)
        .await?;
    insert_comments(conn, response_id, answers).await
}

/// Stores the comments of `answers` for a response that has none yet.
async fn insert_comments(
    conn: &mut AnyConnection,
    response_id: i64,
    answers: &Answers,
) -> StoreResult<()> {
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

/// Responses an import stages together: seven parameters each.
const IMPORT_BATCH: usize = 500;

/// What an import stages of each response: what differs between them. The round, the status and
/// the times are the same for all, and are added as they are stored.
const STAGED_COLUMNS: &str = "id, invitation_id, consent, sector, language, pseudonym, answers";

/// Where an import stages its responses: without any index or constraint.
const CREATE_STAGING: &str = "CREATE TEMPORARY TABLE import_staging (id BIGINT NOT NULL, \
     invitation_id BIGINT, consent BIGINT NOT NULL, sector TEXT, language TEXT, \
     pseudonym TEXT NOT NULL, answers TEXT NOT NULL)";

/// Stores staged responses, marked as imported, the parameters after `{selected}` being the
/// round and the time; `{selected}` are the staged columns as selected, `{condition}` follows
/// `WHERE` (`true` keeps SQLite from reading `ON CONFLICT` as a join's `ON`).
fn store_staged(selected: &str, condition: &str) -> String {
    format!(
        "INSERT INTO responses ({STAGED_COLUMNS}, round_id, status, started_at, updated_at, \
         submitted_at, source) SELECT {selected}, $1, 'submitted', $2, $2, $2, 'import' \
         FROM import_staging \
         WHERE {condition} ON CONFLICT DO NOTHING"
    )
}

pub(super) async fn import_responses(
    db: &SqlStore,
    round_id: i64,
    feed: &mut ImportFeed<'_>,
) -> StoreResult<Result<u64, ResponsesError>> {
    let mut tx = db.begin_write().await?;
    ensure_open(&mut tx, round_id).await?;
    let identified: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN identified_consent IS NULL THEN 0 ELSE 1 END FROM rounds WHERE id = $1",
    )
    .bind(round_id)
    .fetch_one(&mut *tx)
    .await?;
    let now = now();
    let at = if identified != 0 { now } else { day_only(&now) };
    // The rows are staged in a table without indexes, then stored in one statement in the
    // order of their random ids: every index of `responses` but the pseudonyms' then grows at
    // its end instead of at random places, which is what a large import spent its time on.
    sqlx::query(CREATE_STAGING).execute(&mut *tx).await?;
    let target = Destination {
        engine: db.engine,
        round_id,
        at: &at,
    };
    let imported = match write_all(&mut tx, &target, feed).await? {
        Ok(imported) => imported,
        Err(problem) => {
            tx.rollback().await?;
            return Ok(Err(problem));
        }
    };
    let stored = sqlx::query(&store_staged(STAGED_COLUMNS, "true ORDER BY id"))
        .bind(round_id)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if stored < imported {
        store_again(&mut tx, round_id, &at).await?;
    }
    sqlx::query("DROP TABLE import_staging")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(imported))
}

/// The round an import stages its batches for.
struct Destination<'a> {
    engine: Engine,
    round_id: i64,
    /// When the responses count as submitted.
    at: &'a str,
}

/// Writes every response of `feed`, or stops at its first problem.
async fn write_all(
    conn: &mut AnyConnection,
    target: &Destination<'_>,
    feed: &mut ImportFeed<'_>,
) -> StoreResult<Result<u64, ResponsesError>> {
    let mut written = 0;
    let mut batch = match next_batch(feed) {
        Ok(batch) => batch,
        Err(problem) => return Ok(Err(problem)),
    };
    while !batch.is_empty() {
        // The next batch is read while this one is written: the reading takes this thread, the
        // writing SQLite's worker thread or PostgreSQL's server.
        let (wrote, next) = tokio::join!(write_batch(conn, target, &batch), async {
            next_batch(feed)
        });
        written += wrote?;
        batch = match next {
            Ok(batch) => batch,
            Err(problem) => return Ok(Err(problem)),
        };
    }
    Ok(Ok(written))
}

/// Up to [`IMPORT_BATCH`] responses from `feed`; none once it is read through.
fn next_batch(feed: &mut ImportFeed<'_>) -> Result<Vec<Imported>, ResponsesError> {
    feed.take(IMPORT_BATCH).collect()
}

/// Stages a batch of imported responses with their answers, each under a random id and
/// pseudonym as every submission gets ([`store_again`] replaces those that are taken).
async fn write_batch(
    conn: &mut AnyConnection,
    target: &Destination<'_>,
    batch: &[Imported],
) -> StoreResult<u64> {
    let Destination {
        engine,
        round_id,
        at,
    } = *target;
    // An identified round's organisations, one at a time: such rounds are small.
    let mut invitations = Vec::with_capacity(batch.len());
    for response in batch {
        invitations.push(match &response.organisation {
            Some(organisation) => Some(
                sqlx::query_scalar::<_, i64>(
                    "INSERT INTO invitations (round_id, token, organisation, sector, created_at, \
                     submitted) VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
                )
                .bind(round_id)
                .bind(new_token())
                .bind(organisation)
                .bind(&response.answers.sector)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?,
            ),
            None => None,
        });
    }
    let sql = format!(
        "INSERT INTO import_staging ({STAGED_COLUMNS}) VALUES {}",
        engine.values(batch.len(), 7)
    );
    let mut query = sqlx::query(&sql);
    for (response, invitation_id) in batch.iter().zip(&invitations) {
        query = query
            .bind(random_id())
            .bind(*invitation_id)
            .bind(i64::from(response.answers.consent))
            .bind(&response.answers.sector)
            .bind(&response.answers.language)
            .bind(new_pseudonym())
            .bind(encode_answers(&response.answers.items));
    }
    query.execute(&mut *conn).await?;
    Ok(batch.len() as u64)
}

/// Stores again, each under a fresh id and pseudonym, the staged responses whose id or pseudonym
/// happened to be taken.
async fn store_again(conn: &mut AnyConnection, round_id: i64, at: &str) -> StoreResult<()> {
    let missing: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, s.pseudonym FROM import_staging s WHERE NOT EXISTS (SELECT 1 FROM \
         responses r WHERE r.id = s.id AND r.round_id = $1 AND r.pseudonym = s.pseudonym)",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let again = store_staged(
        "$3, invitation_id, consent, sector, language, $4, answers",
        "id = $5 AND pseudonym = $6",
    );
    for (id, pseudonym) in missing {
        let mut stored = false;
        for _ in 0..4 {
            stored = sqlx::query(&again)
                .bind(round_id)
                .bind(at)
                .bind(random_id())
                .bind(new_pseudonym())
                .bind(id)
                .bind(&pseudonym)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                == 1;
            if stored {
                break;
            }
        }
        if !stored {
            return Err(StoreError::NoFreshPseudonym);
        }
    }
    Ok(())
}
