//! The [`Store`] on SQL: one implementation for SQLite and PostgreSQL, through sqlx's `Any` driver.
//!
//! Every query is written once in SQL both engines accept: numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT … DO NOTHING`, text timestamps and 0/1 integers for flags (the `Any` driver maps
//! no SQLite BOOLEAN). What differs between the engines is only how a write transaction starts
//! and the migrations folder, both in [`Engine`].
//!
//! Durability on SQLite: WAL journal with `synchronous=FULL`, so a commit the server acknowledged
//! survives a killed process or a power cut. Writes start with `BEGIN IMMEDIATE`, taking the write
//! lock up front, so racing submissions queue on the busy timeout instead of failing mid-way. On
//! PostgreSQL the row locks of `UPDATE … WHERE status = 'draft'` and the unique indexes serialise
//! racing submissions across any number of app servers.

use std::collections::HashMap;
use std::sync::Once;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Executor, FromRow, Transaction};

use super::{
    Invitation, InvitationProgress, NewInvitation, NewRound, OpenSubmission, Partnership, Round,
    Status, Store, StoreError, StoreResult, StoredResponse, new_token, now,
};
use crate::answers::{Answer, Answers};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

const ROUND_COLUMNS: &str = "id, partnership_id, instrument_id, instrument_version, \
     instrument_source, wave, min_group_size, open_token, created_at, closed_at";
const INVITATION_COLUMNS: &str = "id, round_id, token, organisation, sector, language";

/// The database engines partnerscope runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file.
    Sqlite,
    /// For deployments with several app servers on one database.
    Postgres,
}

impl Engine {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    fn migrations(self) -> &'static Migrator {
        match self {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// How a write transaction starts: SQLite takes its single write lock up front.
    fn begin_write(self) -> &'static str {
        match self {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        }
    }
}

/// A database on either engine.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    engine: Engine,
}

/// SQLite settings every connection needs (see the module documentation).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";

impl SqlStore {
    /// Opens (creating a SQLite file if missing) the database at `url` and applies the migrations.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let engine = Engine::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.into()))?;
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        engine.migrations().run(&pool).await?;
        Ok(SqlStore { pool, engine })
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The connection pool, for whole-database work such as copying.
    pub(super) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        Ok(self.pool.begin_with(self.engine.begin_write()).await?)
    }

    /// Writes the invitation's response and its answers; `submit` makes it final.
    async fn write_invitation_response(
        &self,
        invitation_id: i64,
        answers: &Answers,
        submit: bool,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
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

    /// Responses matching `condition` (a fixed SQL condition on `responses` with parameter `$1`).
    async fn responses_where(&self, condition: &str, id: i64) -> StoreResult<Vec<StoredResponse>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<ResponseRow> = sqlx::query_as(&format!(
            "SELECT id, invitation_id, round_id, consent, sector, language, status, started_at, \
             updated_at, submitted_at FROM responses WHERE {condition} ORDER BY id"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let answers: Vec<AnswerRow> = sqlx::query_as(&format!(
            "SELECT response_id, item_id, value, code FROM response_answers WHERE response_id IN \
             (SELECT id FROM responses WHERE {condition})"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let comments: Vec<CommentRow> = sqlx::query_as(&format!(
            "SELECT response_id, comment_id, body FROM response_comments WHERE response_id IN \
             (SELECT id FROM responses WHERE {condition})"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut responses: Vec<StoredResponse> =
            rows.into_iter().map(ResponseRow::into_response).collect();
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
                let value = match (answer.value, answer.code) {
                    (Some(value), _) => Answer::Value(value),
                    (None, code) => Answer::Code(code.unwrap_or_default()),
                };
                response.answers.items.insert(answer.item_id, value);
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

/// Reads a stored status; the CHECK constraint allows only `draft` and `submitted`.
fn parse_status(text: &str) -> Status {
    if text == "submitted" {
        Status::Submitted
    } else {
        Status::Draft
    }
}

#[derive(FromRow)]
struct ResponseRow {
    id: i64,
    invitation_id: Option<i64>,
    round_id: i64,
    /// 0 or 1: flags are integers on both engines.
    consent: i64,
    sector: Option<String>,
    language: Option<String>,
    status: String,
    started_at: String,
    updated_at: String,
    submitted_at: Option<String>,
}

impl ResponseRow {
    fn into_response(self) -> StoredResponse {
        StoredResponse {
            id: self.id,
            invitation_id: self.invitation_id,
            round_id: self.round_id,
            status: parse_status(&self.status),
            answers: Answers {
                consent: self.consent != 0,
                sector: self.sector,
                language: self.language,
                ..Answers::default()
            },
            started_at: self.started_at,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
        }
    }
}

#[derive(FromRow)]
struct AnswerRow {
    response_id: i64,
    item_id: String,
    value: Option<i16>,
    code: Option<String>,
}

#[derive(FromRow)]
struct CommentRow {
    response_id: i64,
    comment_id: String,
    body: String,
}

#[derive(FromRow)]
struct ProgressRow {
    #[sqlx(flatten)]
    invitation: Invitation,
    status: Option<String>,
}

#[async_trait]
impl Store for SqlStore {
    async fn create_partnership(&self, name: &str) -> StoreResult<Partnership> {
        Ok(sqlx::query_as(
            "INSERT INTO partnerships (name, created_at) VALUES ($1, $2) RETURNING id, name",
        )
        .bind(name)
        .bind(now())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn partnerships(&self) -> StoreResult<Vec<Partnership>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM partnerships ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn create_round(&self, round: &NewRound<'_>) -> StoreResult<Round> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO rounds (partnership_id, instrument_id, instrument_version, \
             instrument_source, wave, min_group_size, open_token, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ROUND_COLUMNS}"
        ))
        .bind(round.partnership_id)
        .bind(&round.instrument.id)
        .bind(&round.instrument.version)
        .bind(&round.instrument.source)
        .bind(round.wave)
        .bind(round.min_group_size)
        .bind(round.open_link.then(new_token))
        .bind(now())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn rounds(&self, partnership_id: i64) -> StoreResult<Vec<Round>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE partnership_id = $1 ORDER BY id"
        ))
        .bind(partnership_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn round_by_open_token(&self, token: &str) -> StoreResult<Option<Round>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE open_token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn close_round(&self, round_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE rounds SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
            .bind(now())
            .bind(round_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_invitation(&self, invitation: &NewInvitation<'_>) -> StoreResult<Invitation> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO invitations (round_id, token, organisation, sector, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(invitation.round_id)
        .bind(new_token())
        .bind(invitation.organisation)
        .bind(invitation.sector)
        .bind(invitation.language)
        .bind(now())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<(Invitation, Round)>> {
        let invitation: Option<Invitation> = sqlx::query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        let Some(invitation) = invitation else {
            return Ok(None);
        };
        let round: Round =
            sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
                .bind(invitation.round_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(Some((invitation, round)))
    }

    async fn invitation_progress(&self, round_id: i64) -> StoreResult<Vec<InvitationProgress>> {
        let rows: Vec<ProgressRow> = sqlx::query_as(
            "SELECT i.id, i.round_id, i.token, i.organisation, i.sector, i.language, r.status \
             FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id \
             WHERE i.round_id = $1 ORDER BY i.id",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| InvitationProgress {
                invitation: row.invitation,
                status: row.status.as_deref().map(parse_status),
            })
            .collect())
    }

    async fn invitation_response(&self, invitation_id: i64) -> StoreResult<Option<StoredResponse>> {
        Ok(self
            .responses_where("invitation_id = $1", invitation_id)
            .await?
            .pop())
    }

    async fn save_draft(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()> {
        self.write_invitation_response(invitation_id, answers, false)
            .await
    }

    async fn submit(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()> {
        self.write_invitation_response(invitation_id, answers, true)
            .await
    }

    async fn submit_open(
        &self,
        round_id: i64,
        form_id: &str,
        answers: &Answers,
    ) -> StoreResult<OpenSubmission> {
        let mut tx = self.begin_write().await?;
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

    async fn responses(&self, round_id: i64) -> StoreResult<Vec<StoredResponse>> {
        self.responses_where("round_id = $1", round_id).await
    }
}
